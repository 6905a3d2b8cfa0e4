"""Send mail through mailtutor's SMTP servers with Python's smtplib, a real
client that speaks the protocol its own way (EHLO, AUTH, SIZE, pipelining).

usage: smtplib_send.py HOST PORT USER PASSWORD FROM TO [starttls]
Exits 0 on success; on refusal prints the code and text and exits 2.
"""
import smtplib
import ssl
import sys
from email.message import EmailMessage

host, port, user, password, sender, rcpt = sys.argv[1:7]
starttls = len(sys.argv) > 7 and sys.argv[7] == "starttls"

msg = EmailMessage()
msg["From"] = sender
msg["To"] = rcpt
msg["Subject"] = "from smtplib"
msg.set_content("Sent by Python's smtplib.\n.a line starting with a dot\n")

try:
    with smtplib.SMTP(host, int(port), local_hostname="python.example", timeout=30) as s:
        s.ehlo()
        if starttls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s.starttls(context=ctx)
            s.ehlo()
        if user:
            s.login(user, password)
        s.send_message(msg)
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode(errors="replace"))
    sys.exit(2)
except smtplib.SMTPRecipientsRefused as e:
    for code, text in e.recipients.values():
        print(code, text.decode(errors="replace"))
    sys.exit(2)
