"""Drive mailtutor's POP3 server with Python's poplib, a real client.

Usage: poplib_check.py HOST PORT

The Go test (poplib_test.go) starts the server with alice's three test
messages (message 2 has lines starting with "."), runs this script and
checks its exit status; every failure is printed to stderr.
"""
import poplib
import sys


def check(cond, what):
    if not cond:
        sys.stderr.write("FAIL: %s\n" % what)
        sys.exit(1)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    p = poplib.POP3(host, port, timeout=30)
    check(p.getwelcome().startswith(b"+OK"), "welcome %r" % p.getwelcome())
    caps = p.capa()
    check("TOP" in caps and "UIDL" in caps and "USER" in caps, "capa %r" % caps)
    p.user("alice")
    p.pass_("wonderland")

    count, size = p.stat()
    check(count == 3, "stat count %d" % count)

    resp, listing, _ = p.list()
    sizes = [int(line.split()[1]) for line in listing]
    check(sum(sizes) == size, "list sizes %r vs stat %d" % (sizes, size))

    resp, uidls, _ = p.uidl()
    ids = [line.split()[1] for line in uidls]
    check(len(set(ids)) == 3, "uidl %r" % uidls)

    # poplib undoes the dot-stuffing: the lines come back as stored.
    resp, lines, octets = p.retr(2)
    check(b".hidden line" in lines and b"..two dots" in lines and b"." in lines, "retr 2 %r" % lines)
    check(octets >= sizes[1], "retr 2 octets %d < %d" % (octets, sizes[1]))

    resp, lines, _ = p.top(3, 1)
    check(lines[-1] == b"l1" and b"l2" not in lines, "top 3 1 %r" % lines)

    p.dele(1)
    count, _ = p.stat()
    check(count == 2, "stat after dele %d" % count)
    p.quit()

    p = poplib.POP3(host, port, timeout=30)
    p.user("alice@example.com")
    p.pass_("wonderland")
    count, _ = p.stat()
    check(count == 2, "next session sees %d messages" % count)
    resp, uidls2, _ = p.uidl()
    check([line.split()[1] for line in uidls2] == ids[1:], "uidl after dele %r vs %r" % (uidls2, ids))
    p.quit()
    print("ok")


main()
