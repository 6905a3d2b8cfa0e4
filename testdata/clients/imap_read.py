"""Browse a mailbox with Python's imaplib.

usage: imap_read.py HOST PORT USER PASSWORD MODE   (MODE: plain, starttls, ssl)
"""
import imaplib
import ssl
import sys

host, port, user, password, mode = sys.argv[1:6]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "ssl":
    m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx, timeout=20)
else:
    m = imaplib.IMAP4(host, int(port), timeout=20)
if mode == "starttls":
    print("STARTTLS", m.starttls(ssl_context=ctx)[0])
print("LOGIN", m.login(user, password)[0])
typ, boxes = m.list()
print("LIST", typ, len(boxes), " ".join(b.decode().split(' "/" ')[-1] for b in boxes))
typ, data = m.select("INBOX")
print("SELECT", typ, data[0].decode())
typ, data = m.search(None, "UNSEEN")
print("UNSEEN", data[0].decode())
typ, data = m.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print("FETCH", typ, data[0][1].decode().strip())
typ, data = m.store("1", "+FLAGS", "(\\Seen \\Flagged)")
print("STORE", typ, data[0].decode())
typ, data = m.search(None, 'FROM', '"bob"')
print("SEARCHFROM", data[0].decode())
typ, data = m.uid("SEARCH", None, "ALL")
print("UIDSEARCH", data[0].decode())
m.logout()
print("OK")
