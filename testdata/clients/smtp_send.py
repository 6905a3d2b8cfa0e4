"""Send one message with Python's smtplib, as a mail program would.

usage: smtp_send.py HOST PORT MODE USER PASSWORD FROM TO SUBJECT
MODE: plain (AUTH without TLS: only where the server allows it, serve --plain-auth), starttls, ssl (implicit TLS), mx (no AUTH)
Prints the server's replies it saw; exits non-zero on any failure.
"""
import smtplib
import ssl
import sys
from email.message import EmailMessage

host, port, mode, user, password, sender, rcpt, subject = sys.argv[1:9]
port = int(port)
msg = EmailMessage()
msg["From"] = sender
msg["To"] = rcpt
msg["Subject"] = subject
msg.set_content("Sent by smtplib.\n.a line starting with a dot\n")

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

if mode == "ssl":
    s = smtplib.SMTP_SSL(host, port, context=ctx, timeout=20)
else:
    s = smtplib.SMTP(host, port, timeout=20)
code, banner = s.ehlo("python.test")
print("EHLO", code)
if mode == "starttls":
    code, _ = s.starttls(context=ctx)
    print("STARTTLS", code)
    s.ehlo("python.test")
if mode != "mx":
    code, _ = s.login(user, password)
    print("AUTH", code)
refused = s.send_message(msg)
print("REFUSED", refused)
s.quit()
print("OK")
