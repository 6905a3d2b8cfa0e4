"""Drive mailtutor's IMAP server with Python's imaplib (a real, independent client).

Usage: imaplib_client.py HOST PORT. Exits non-zero with a message on any surprise.
"""
import imaplib
import sys

host, port = sys.argv[1], int(sys.argv[2])
M = imaplib.IMAP4(host, port)
typ, _ = M.login("alice", "wonderland")
assert typ == "OK", typ

typ, boxes = M.list()
assert typ == "OK", typ
names = [b.decode() for b in boxes]
assert any(n.endswith('"/" INBOX') for n in names), names
assert any("\\Sent" in n for n in names), names

typ, data = M.select("INBOX")
assert typ == "OK" and data == [b"2"], (typ, data)
assert M.untagged_responses.get("RECENT") == [b"2"], M.untagged_responses

typ, data = M.fetch("1", "(RFC822)")
assert typ == "OK", typ
raw = data[0][1]
assert b"Subject: from python test" in raw, raw

typ, data = M.store("2", "+FLAGS", "(\\Flagged)")
assert typ == "OK", typ
assert b"\\Flagged" in data[0], data

typ, data = M.search(None, "FLAGGED")
assert typ == "OK" and data == [b"2"], data
typ, data = M.search(None, "SEEN")
assert data == [b"1"], data  # FETCH RFC822 set \Seen

typ, _ = M.logout()
assert typ == "BYE", typ
print("ok")
