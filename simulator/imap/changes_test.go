package imap

import (
	"strings"
	"testing"
)

func TestCopyMoveExpunge(t *testing.T) {
	w := newWorld(t, Options{})
	for _, s := range []string{"a", "b", "c", "d"} {
		w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", s, s))
	}
	archive, _ := w.alice.Mailbox("Archive")
	validity := archive.UIDValidity()
	c := w.login(t, "alice", "wonderland")
	c.ok("a1 SELECT INBOX")

	_, tagged := c.cmd("a2 COPY 1:2 Archive")
	if tagged != "a2 OK [COPYUID "+itoa(int(validity))+" 1:2 1:2] COPY completed" {
		t.Fatalf("COPY: %q", tagged)
	}
	c.expect("a3 COPY 1 Nowhere", "a3 NO [TRYCREATE]")
	c.expect("a3b MOVE 1 Nowhere", "a3b NO [TRYCREATE]")
	// COPY into the selected mailbox itself is allowed and shows up as EXISTS.
	u := c.ok("a4 UID COPY 4 INBOX")
	mustHave(t, u, "* 5 EXISTS")

	// MOVE: COPYUID first, then one EXPUNGE per message with the sequence
	// number valid at that moment (never "* 0 EXPUNGE").
	u = c.ok("a5 MOVE 2:3 Archive")
	want := []string{"* OK [COPYUID " + itoa(int(validity)) + " 2:3 3:4] COPY completed", "* 3 EXPUNGE", "* 2 EXPUNGE"}
	if strings.Join(u, "|") != strings.Join(want, "|") {
		t.Fatalf("MOVE replies %q, want %q", u, want)
	}
	u = c.ok("a6 UID MOVE 5 Archive")
	if len(u) != 2 || u[1] != "* 3 EXPUNGE" {
		t.Fatalf("UID MOVE replies %q", u)
	}
	mustHave(t, c.ok("a7 FETCH 1:* (UID)"), "* 2 FETCH (UID 4)")

	// EXPUNGE only removes \Deleted messages; FETCH afterwards sees the new numbering.
	c.ok(`b1 STORE 1 +FLAGS.SILENT (\Deleted)`)
	mustHave(t, c.ok("b2 EXPUNGE"), "* 1 EXPUNGE")
	u = c.ok("b3 FETCH 1:* (UID FLAGS)")
	if len(u) != 1 || u[0] != `* 1 FETCH (UID 4 FLAGS (\Recent))` {
		t.Fatalf("after EXPUNGE: %q", u)
	}
	c.ok("b4 SELECT Archive")
	u = c.ok("b5 UID FETCH 1:* (FLAGS)")
	if len(u) != 5 {
		t.Fatalf("Archive should hold 5 messages: %q", u)
	}
	// UID EXPUNGE only touches the given UIDs.
	c.ok(`b6 STORE 1:2 +FLAGS (\Deleted)`)
	mustHave(t, c.ok("b7 UID EXPUNGE 2"), "* 2 EXPUNGE")
	c.ok("b8 CLOSE") // silently expunges UID 1
	st, _ := w.alice.Mailbox("Archive")
	if n := st.Status().Messages; n != 3 {
		t.Fatalf("Archive has %d messages after CLOSE, want 3", n)
	}

	// APPEND with flags and date, APPENDUID, TRYCREATE.
	msg := "Subject: draft\r\n\r\nbody\r\n"
	c.send("c1 APPEND Drafts (\\Draft $Todo) \"14-Mar-2026 10:00:00 +0100\" {" + itoa(len(msg)) + "}")
	if l := c.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("no continuation: %q", l)
	}
	c.send(msg) // the literal, then the CRLF that ends the command
	_, tagged = c.until("c1")
	drafts, _ := w.alice.Mailbox("Drafts")
	if tagged != "c1 OK [APPENDUID "+itoa(int(drafts.UIDValidity()))+" 1] APPEND completed" {
		t.Fatalf("APPEND: %q", tagged)
	}
	m, _ := drafts.BySeq(1)
	if strings.Join(m.Flags, " ") != `\Draft $Todo` || m.InternalDate.UTC().Hour() != 9 {
		t.Fatalf("appended message: %+v", m)
	}
	c.expect("c2 APPEND Nowhere {2+}\r\nhi", "c2 NO [TRYCREATE]")
}

// TestTwoSessionsAndIdle: what one session (or POP3, or SMTP delivery
// through the store) changes, another sees, pushed at once during IDLE.
func TestTwoSessionsAndIdle(t *testing.T) {
	w := newWorld(t, Options{})
	inbox := w.alice.Inbox()
	for _, s := range []string{"a", "b", "c"} {
		w.deliver(t, inbox, plain("bob@example.org", "alice@example.com", s, s))
	}
	one := w.login(t, "alice", "wonderland")
	two := w.login(t, "alice", "wonderland")
	one.ok("a1 SELECT INBOX")
	two.ok("b1 SELECT INBOX")

	// A flag change by one reaches two at its next command, not one twice.
	u := one.ok(`a2 STORE 2 +FLAGS (\Flagged)`)
	if len(u) != 1 {
		t.Fatalf("own STORE echoed: %q", u)
	}
	mustHave(t, two.ok("b2 NOOP"), `* 2 FETCH (UID 2 FLAGS (\Flagged))`)
	if u := one.ok("a3 NOOP"); len(u) != 0 {
		t.Fatalf("own change came back at NOOP: %q", u)
	}

	// IDLE: new mail delivered through the store is pushed at once.
	two.send("b3 IDLE")
	if l := two.line(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("IDLE: %q", l)
	}
	w.deliver(t, inbox, plain("carol@example.net", "alice@example.com", "d", "d"))
	if l := two.line(); l != "* 4 EXISTS" {
		t.Fatalf("IDLE push: %q", l)
	}
	// The idling session has the mailbox selected: the new message is its \Recent.
	if l := two.line(); l != "* 1 RECENT" {
		t.Fatalf("IDLE recent: %q", l)
	}
	// Another session's flag change, pushed too.
	one.ok(`a4 STORE 1 +FLAGS.SILENT (\Seen)`)
	if l := two.line(); l != `* 1 FETCH (UID 1 FLAGS (\Seen))` {
		t.Fatalf("IDLE flag push: %q", l)
	}
	// A POP3-style expunge straight in the store shows up as EXPUNGE.
	inbox.Expunge([]uint32{2}, nil)
	if l := two.line(); l != "* 2 EXPUNGE" {
		t.Fatalf("IDLE expunge push: %q", l)
	}
	two.send("DONE")
	_, tagged := two.until("b3")
	if !strings.HasPrefix(tagged, "b3 OK") {
		t.Fatalf("IDLE end: %q", tagged)
	}

	// The other session learns of the expunge too; its FETCH must not
	// get EXPUNGE (RFC 3501 §7.4.1), but NOOP does.
	u = one.ok("a5 FETCH 1 (FLAGS)")
	if hasPrefix(u, "* 2 EXPUNGE") {
		t.Fatalf("EXPUNGE during FETCH: %q", u)
	}
	u = one.ok("a6 NOOP")
	mustHave(t, u, "* 2 EXPUNGE")
	u = one.ok("a7 FETCH 1:* (UID)")
	if strings.Join(u, "|") != "* 1 FETCH (UID 1)|* 2 FETCH (UID 3)|* 3 FETCH (UID 4)" {
		t.Fatalf("after expunge: %q", u)
	}
}
