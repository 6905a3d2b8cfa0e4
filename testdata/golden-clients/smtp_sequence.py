"""Make the mistakes learners make, over a plain socket, one command at a time.

usage: smtp_sequence.py HOST PORT
RCPT before MAIL and DATA before RCPT (both answered 503), a lowercase
command, MAIL FROM without angle brackets, then a correct envelope that is
abandoned with RSET. An empty want accepts any code. Prints each reply's code; exits non-zero if a reply
is not the one a correct server gives.
"""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, port), timeout=20)
f = s.makefile("rb")


def reply():
    """Read one whole reply (every line of a multi-line one); return its code."""
    while True:
        line = f.readline()
        if not line:
            sys.exit("the server closed the connection")
        if line[3:4] != b"-":
            return line[:3].decode()


def send(cmd, want):
    s.sendall(cmd.encode() + b"\r\n")
    code = reply()
    print(cmd.split(":")[0], code)
    if want and (code[0] != want[0] or (len(want) == 3 and code != want)):
        sys.exit("%s: got %s, want %s" % (cmd, code, want))


if reply() != "220":
    sys.exit("no greeting")
send("EHLO sequence.test", "250")
send("RCPT TO:<bob@example.org>", "503")
send("DATA", "503")
send("mail from:<bob@example.org>", "250")
send("RSET", "250")
send("MAIL FROM:bob@example.org", "")  # lenient servers accept it, strict ones answer 501
send("RSET", "250")
send("MAIL FROM:<bob@example.org>", "250")
send("RCPT TO:<alice@example.com>", "250")
send("RSET", "250")
send("QUIT", "221")
print("OK")
