# Time from process start to the home screen of the TUI, in tmux (100x30).
# usage: python3 scripts/first-frame.py PATH-TO-MAILTUTOR
import subprocess, time, statistics, os, sys
ts=[]
for i in range(10):
    s=f"ff{i}"
    subprocess.run(["tmux","kill-session","-t",s],stderr=subprocess.DEVNULL)
    t0=time.perf_counter()
    subprocess.run(["tmux","new-session","-d","-s",s,"-x","100","-y","30",f"env XDG_STATE_HOME=/tmp/ffstate{i} {sys.argv[1]}"])
    while True:
        out=subprocess.run(["tmux","capture-pane","-p","-t",s],capture_output=True,text=True).stdout
        if "Your first SMTP conversation" in out: break
        time.sleep(0.002)
    ts.append((time.perf_counter()-t0)*1000)
    subprocess.run(["tmux","kill-session","-t",s])
print("first frame (process start to home screen in tmux, 100x30): median %.0f ms, min %.0f, max %.0f over %d runs"%(statistics.median(ts),min(ts),max(ts),len(ts)))
