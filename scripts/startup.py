# Time from exec to the banner of `mailtutor serve` (all 7 listeners bound).
# usage: python3 scripts/startup.py PATH-TO-MAILTUTOR
import subprocess, time, sys, statistics
ts=[]
for i in range(20):
    t0=time.perf_counter()
    p=subprocess.Popen([sys.argv[1],"serve","--quiet","--smtp","127.0.0.1:0","--submission","127.0.0.1:0","--pop3","127.0.0.1:0","--imap","127.0.0.1:0","--smtps","127.0.0.1:0","--pop3s","127.0.0.1:0","--imaps","127.0.0.1:0"],stdout=subprocess.PIPE,text=True)
    for line in p.stdout:
        if line.startswith("TLS certificate"):
            break
    ts.append((time.perf_counter()-t0)*1000)
    p.terminate(); p.wait()
print("startup to banner (all 7 listeners bound): median %.1f ms, min %.1f, max %.1f over %d runs" % (statistics.median(ts), min(ts), max(ts), len(ts)))
