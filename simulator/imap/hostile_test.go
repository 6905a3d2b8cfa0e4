package imap

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// appendCmd is an APPEND of n octets with a non-synchronising literal.
func appendCmd(tag, mailbox string, n int) string {
	return fmt.Sprintf("%s APPEND %s {%d+}\r\n%s", tag, mailbox, n, strings.Repeat("x", n))
}

// A full mailbox takes no more: APPEND, COPY and MOVE answer
// NO [OVERQUOTA] (RFC 5530, RFC 9208 §4.3) and store nothing; EXPUNGE
// makes room again. (The quota is the user's, every mailbox together.)
func TestAppendCopyMoveIntoFullMailboxOverQuota(t *testing.T) {
	w := newWorldStore(t, store.Options{MailboxQuotaBytes: 1000}, Options{})
	c := w.login(t, "alice", "wonderland")
	c.ok(appendCmd("a1", "INBOX", 400))
	c.ok(appendCmd("a2", "INBOX", 400))
	c.expect(appendCmd("a3", "Archive", 400), "a3 NO [OVERQUOTA]")
	if q := w.alice.Quota(); q.Used != 800 {
		t.Errorf("quota used %d, want 800", q.Used)
	}
	c.ok("s1 SELECT INBOX")
	c.expect("c1 COPY 1 Archive", "c1 NO [OVERQUOTA]")
	c.expect("m1 MOVE 1 Archive", "m1 NO [OVERQUOTA]")
	if n := len(w.alice.Inbox().Messages()); n != 2 {
		t.Errorf("INBOX has %d messages after a refused MOVE, want 2", n)
	}
	mb, _ := w.alice.Mailbox("Archive")
	if n := len(mb.Messages()); n != 0 {
		t.Errorf("Archive has %d messages, want 0", n)
	}
	// Deleting and expunging makes room.
	c.ok(`d1 STORE 2 +FLAGS.SILENT (\Deleted)`)
	c.ok("e1 EXPUNGE")
	if q := w.alice.Quota(); q.Used != 400 {
		t.Errorf("quota used %d after EXPUNGE, want 400", q.Used)
	}
	c.ok("c2 COPY 1 Archive")
	c.ok("d2 DELETE Archive")
	if q := w.alice.Quota(); q.Used != 400 {
		t.Errorf("quota used %d after DELETE of a mailbox, want 400", q.Used)
	}
	c.ok(appendCmd("a4", "INBOX", 400))
}

// The world's cap: APPEND answers NO [LIMIT] (not the user's quota but the
// server's storage).
func TestAppendIntoFullWorldLimit(t *testing.T) {
	w := newWorldStore(t, store.Options{WorldBytes: 1000}, Options{})
	w.deliver(t, w.bob.Inbox(), strings.Repeat("y", 900))
	c := w.login(t, "alice", "wonderland")
	c.expect(appendCmd("a1", "INBOX", 400), "a1 NO [LIMIT]")
	c.ok(appendCmd("a2", "INBOX", 100))
}
