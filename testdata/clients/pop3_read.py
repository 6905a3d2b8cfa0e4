"""Read, inspect and delete with Python's poplib.

usage: pop3_read.py HOST PORT USER PASSWORD MODE   (MODE: plain, stls, ssl)
Prints one line per fact for the Go test to check.
"""
import poplib
import ssl
import sys

host, port, user, password, mode = sys.argv[1:6]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "ssl":
    p = poplib.POP3_SSL(host, int(port), context=ctx, timeout=20)
else:
    p = poplib.POP3(host, int(port), timeout=20)
if mode == "stls":
    print("STLS", p.stls(context=ctx).decode())
print("CAPA", " ".join(sorted(p.capa().keys())))
p.user(user)
p.pass_(password)
count, size = p.stat()
print("STAT", count, size)
resp, listing, _ = p.list()
print("LIST", len(listing))
resp, uids, _ = p.uidl()
print("UIDL", " ".join(u.decode().split()[1] for u in uids))
resp, lines, octets = p.retr(1)
print("RETR1", octets, [l.decode() for l in lines if l.startswith(b"Subject:")][0])
resp, lines, _ = p.top(1, 0)
print("TOP0", sum(1 for l in lines if l == b""))
print("DELE", p.dele(1).decode())
p.quit()
print("OK")
