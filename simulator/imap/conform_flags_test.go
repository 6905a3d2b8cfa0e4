package imap

import (
	"strings"
	"testing"
)

// The conformance tests in conform_*_test.go check replies byte for byte, in
// the manner of Dovecot's imaptest scripts: RFC 3501 / RFC 9051 syntax of
// every untagged line, not just the tagged OK.

const sysFlags = `\Answered \Flagged \Deleted \Seen \Draft`

func TestConformFlagsAndPermanentFlags(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "one", "1"))
	a := w.login(t, "alice", "wonderland")
	u := a.ok("s1 SELECT INBOX")
	mustHave(t, u, `* FLAGS (`+sysFlags+`)`)
	mustHave(t, u, `* OK [PERMANENTFLAGS (`+sysFlags+` \*)] Permanent flags`)

	// A second session selects too; a new keyword reaches it as FLAGS.
	b := w.login(t, "alice", "wonderland")
	b.ok("s1 SELECT INBOX")
	u = a.ok("s2 STORE 1 +FLAGS ($Important)")
	mustHave(t, u, `* FLAGS (`+sysFlags+` $Important)`)
	mustHave(t, u, `* 1 FETCH (FLAGS ($Important \Recent))`)
	if u[0] != `* FLAGS (`+sysFlags+` $Important)` {
		t.Fatalf("FLAGS must come before the FETCH that uses the keyword: %q", u)
	}
	u = b.ok("n1 NOOP")
	mustHave(t, u, `* FLAGS (`+sysFlags+` $Important)`)
	mustHave(t, u, `* 1 FETCH (UID 1 FLAGS ($Important))`)

	// The keyword stays in FLAGS and PERMANENTFLAGS on the next SELECT,
	// even once no message carries it any more.
	a.ok("s3 STORE 1 -FLAGS.SILENT ($Important)")
	u = a.ok("s4 SELECT INBOX")
	mustHave(t, u, `* FLAGS (`+sysFlags+` $Important)`)
	mustHave(t, u, `* OK [PERMANENTFLAGS (`+sysFlags+` $Important \*)] Permanent flags`)

	// EXAMINE: no permanent flags at all, and STORE is refused.
	u = a.ok("e1 EXAMINE INBOX")
	mustHave(t, u, `* OK [PERMANENTFLAGS ()] Permanent flags`)
	a.expect("e2 STORE 1 +FLAGS (\\Seen)", "e2 NO [READ-ONLY]")
	a.expect("e3 UID STORE 1 +FLAGS (\\Seen)", "e3 NO [READ-ONLY]")
}

func TestConformStoreEcho(t *testing.T) {
	w := newWorld(t, Options{})
	for i := 0; i < 3; i++ {
		w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "m", "x"))
	}
	a := w.login(t, "alice", "wonderland")
	a.ok("s SELECT INBOX")
	// The first SELECT claimed \Recent: every echo carries it (IMAP4rev1).
	u := a.ok(`t1 STORE 1 +FLAGS (\Seen)`)
	if len(u) != 1 || u[0] != `* 1 FETCH (FLAGS (\Seen \Recent))` {
		t.Fatalf("STORE echo: %q", u)
	}
	// UID STORE echoes UID as well (RFC 3501 §6.4.8).
	u = a.ok(`t2 UID STORE 2 +FLAGS (\Flagged)`)
	if len(u) != 1 || u[0] != `* 2 FETCH (UID 2 FLAGS (\Flagged \Recent))` {
		t.Fatalf("UID STORE echo: %q", u)
	}
	// .SILENT: nothing at all.
	if u = a.ok(`t3 STORE 1:3 +FLAGS.SILENT (\Answered)`); len(u) != 0 {
		t.Fatalf("STORE .SILENT answered %q", u)
	}
	// FLAGS replaces; system flag case is canonical whatever the client sent.
	u = a.ok(`t4 STORE 3 FLAGS (\sEEN \dRAFT)`)
	if len(u) != 1 || u[0] != `* 3 FETCH (FLAGS (\Seen \Draft \Recent))` {
		t.Fatalf("STORE FLAGS echo: %q", u)
	}
	// Storing \Recent is ignored, never an error.
	a.ok(`t5 STORE 1 +FLAGS (\Recent)`)
	// A made-up system flag is refused: a server must not show one back
	// (RFC 9051 §9, flag-extension); keywords are fine.
	a.expect(`t5b STORE 1 +FLAGS (\Bogus)`, `t5b BAD [CLIENTBUG] Unknown system flag \Bogus`)
	a.send(`t5c APPEND INBOX (\Seen \Important) {3}`)
	if l := a.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("APPEND continuation: %q", l)
	}
	a.send("x\r\n") // the literal, then the command's end
	if l := a.line(); !strings.HasPrefix(l, `t5c BAD [CLIENTBUG] Unknown system flag \Important`) {
		t.Fatalf("APPEND with a made-up system flag: %q", l)
	}
	u = a.ok(`t5d FETCH 1:* (FLAGS)`)
	for _, l := range u {
		if strings.Contains(l, `\Bogus`) || strings.Contains(l, `\Important`) {
			t.Fatalf("a refused flag was stored: %q", u)
		}
	}
	if len(u) != 3 {
		t.Fatalf("the refused APPEND stored a message: %q", u)
	}
	// A second session: no \Recent for it, and it sees the change as FETCH.
	b := w.login(t, "alice", "wonderland")
	u = b.ok("s SELECT INBOX")
	mustHave(t, u, "* 0 RECENT")
	a.ok(`t6 STORE 2 -FLAGS.SILENT (\Flagged)`)
	u = b.ok("n NOOP")
	// Unsolicited FETCH may carry UID (RFC 3501 §7.4.2); go-imap's tracker adds it.
	mustHave(t, u, `* 2 FETCH (UID 2 FLAGS (\Answered))`)
	// Session a gets no echo of its own .SILENT change at its next command.
	if u = a.ok("n NOOP"); len(u) != 0 {
		t.Fatalf("own STORE echoed back: %q", u)
	}
}

func TestConformRecentAcrossSessions(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "r1", "x"))
	a := w.login(t, "alice", "wonderland")
	b := w.login(t, "alice", "wonderland")
	u := b.ok("e EXAMINE INBOX") // EXAMINE sees \Recent but claims nothing
	mustHave(t, u, "* 1 RECENT")
	u = a.ok("s SELECT INBOX")
	mustHave(t, u, "* 1 RECENT")
	u = b.ok("s SELECT INBOX")
	mustHave(t, u, "* 0 RECENT")
	// New mail while both have it selected: only one of them claims it.
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "r2", "x"))
	ua := a.ok("n NOOP")
	ub := b.ok("n NOOP")
	mustHave(t, ua, "* 2 EXISTS")
	mustHave(t, ub, "* 2 EXISTS")
	// RECENT counts all the session's \Recent messages: a holds both now.
	if !has(ua, "* 2 RECENT") || hasPrefix(ub, "* 1 RECENT") {
		t.Fatalf("exactly one session must claim the new message: a=%q b=%q", ua, ub)
	}
	// SEARCH RECENT / NEW follow the session's own set.
	u = a.ok("r SEARCH RECENT")
	ra := u[0]
	u = b.ok("r SEARCH RECENT")
	rb := u[0]
	if ra != "* SEARCH 1 2" || rb != "* SEARCH" {
		t.Fatalf("SEARCH RECENT: a=%q b=%q", ra, rb)
	}
}

func TestConformListPatterns(t *testing.T) {
	w := newWorld(t, Options{})
	for _, name := range []string{"a", "a/b", "a/b/c", "x/y", "top"} {
		if err := w.alice.CreateMailbox(name, ""); err != nil {
			t.Fatal(err)
		}
	}
	c := w.login(t, "alice", "wonderland")
	u, _ := c.cmd(`l1 LIST "" ""`)
	if len(u) != 1 || u[0] != `* LIST (\Noselect) "/" ""` {
		t.Fatalf(`LIST "" "": %q`, u)
	}
	u = c.ok(`l2 LIST "" "%"`)
	want := []string{
		`* LIST (\HasNoChildren) "/" INBOX`,
		`* LIST (\HasNoChildren \Archive) "/" "Archive"`,
		`* LIST (\HasNoChildren \Drafts) "/" "Drafts"`,
		`* LIST (\HasNoChildren \Junk) "/" "Junk"`,
		`* LIST (\HasNoChildren \Sent) "/" "Sent"`,
		`* LIST (\HasNoChildren \Trash) "/" "Trash"`,
		`* LIST (\HasChildren) "/" "a"`,
		`* LIST (\HasNoChildren) "/" "top"`,
		`* LIST (\Noselect \HasChildren) "/" "x"`,
	}
	if strings.Join(u, "\n") != strings.Join(want, "\n") {
		t.Fatalf("LIST %%:\n%s\nwant\n%s", strings.Join(u, "\n"), strings.Join(want, "\n"))
	}
	u = c.ok(`l3 LIST "" "a/%"`)
	if strings.Join(u, "\n") != `* LIST (\HasChildren) "/" "a/b"` {
		t.Fatalf("LIST a/%%: %q", u)
	}
	u = c.ok(`l4 LIST "" "a*"`)
	if len(u) != 3 {
		t.Fatalf("LIST a*: %q", u)
	}
	// A reference name is prefixed to the pattern.
	u = c.ok(`l5 LIST "a/" "%"`)
	if strings.Join(u, "\n") != `* LIST (\HasChildren) "/" "a/b"` {
		t.Fatalf(`LIST "a/" %%: %q`, u)
	}
	// Joined as they are ("a/b" + "*" is "a/b*"): a/b itself matches too.
	u = c.ok(`l6 LIST "a/b" "*"`)
	if strings.Join(u, "\n") != "* LIST (\\HasChildren) \"/\" \"a/b\"\n* LIST (\\HasNoChildren) \"/\" \"a/b/c\"" {
		t.Fatalf(`LIST "a/b" *: %q`, u)
	}
	// "inbox" in any case matches INBOX.
	u = c.ok(`l7 LIST "" "inBox"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" INBOX`)
	// "%" in the middle stops at the delimiter.
	u = c.ok(`l8 LIST "" "%/%"`)
	want = []string{`* LIST (\HasChildren) "/" "a/b"`, `* LIST (\HasNoChildren) "/" "x/y"`}
	if strings.Join(u, "\n") != strings.Join(want, "\n") {
		t.Fatalf("LIST %%/%%: %q", u)
	}
}

func TestConformOddNames(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	c.ok(`c1 CREATE "with space"`)
	c.ok(`c2 CREATE "quote\"d"`)
	c.ok(`c3 CREATE "back\\slash"`)
	c.ok(`c4 CREATE "Entw&APw-rfe"`) // "Entwürfe" in modified UTF-7
	u := c.ok(`l1 LIST "" "*"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "with space"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "quote\"d"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "back\\slash"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Entw&APw-rfe"`)
	if _, err := w.alice.Mailbox("Entwürfe"); err != nil {
		t.Fatalf("the store should hold the decoded name: %v", err)
	}
	c.ok(`s1 SELECT "Entw&APw-rfe"`)
	u = c.ok(`st STATUS "with space" (MESSAGES)`)
	mustHave(t, u, `* STATUS "with space" (MESSAGES 0)`)

	// After ENABLE UTF8=ACCEPT / IMAP4rev2 names travel as UTF-8.
	d := w.login(t, "alice", "wonderland")
	d.ok("e ENABLE IMAP4rev2")
	u = d.ok(`l2 LIST "" "Entw*"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Entwürfe"`)
}

func TestConformLsub(t *testing.T) {
	w := newWorld(t, Options{})
	for _, name := range []string{"a", "a/b", "a/b/c", "other"} {
		if err := w.alice.CreateMailbox(name, ""); err != nil {
			t.Fatal(err)
		}
	}
	c := w.login(t, "alice", "wonderland")
	// The default mailboxes start subscribed: start from none.
	for _, name := range []string{"INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"} {
		c.ok(`u UNSUBSCRIBE "` + name + `"`)
	}
	c.ok(`s1 SUBSCRIBE "a/b/c"`)
	c.ok(`s2 SUBSCRIBE INBOX`)
	u := c.ok(`l1 LSUB "" "*"`)
	want := []string{`* LSUB () "/" INBOX`, `* LSUB () "/" "a/b/c"`}
	if strings.Join(u, "\n") != strings.Join(want, "\n") {
		t.Fatalf("LSUB *:\n%s", strings.Join(u, "\n"))
	}
	// "%" matching an unsubscribed parent of a subscribed name: \Noselect
	// (RFC 3501 §6.3.9).
	u = c.ok(`l2 LSUB "" "a/%"`)
	if strings.Join(u, "\n") != `* LSUB (\Noselect) "/" "a/b"` {
		t.Fatalf("LSUB a/%%: %q", u)
	}
	// LIST (SUBSCRIBED) is LIST-EXTENDED: there \Subscribed is required.
	u = c.ok(`l3 LIST (SUBSCRIBED) "" "*"`)
	mustHave(t, u, `* LIST (\HasNoChildren \Subscribed) "/" "a/b/c"`)
	c.ok(`s3 UNSUBSCRIBE "a/b/c"`)
	u = c.ok(`l4 LSUB "" "*"`)
	if strings.Join(u, "\n") != `* LSUB () "/" INBOX` {
		t.Fatalf("LSUB after UNSUBSCRIBE: %q", u)
	}
}

// A subscription outlives its mailbox (RFC 3501 §6.3.6): LSUB still lists
// the name, as \Noselect, and LIST (SUBSCRIBED) as \NonExistent (RFC 5258).
func TestConformSubscriptionOfDeletedMailbox(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	c.ok(`c1 CREATE Lists`)
	c.ok(`c2 SUBSCRIBE Lists`)
	c.ok(`c3 DELETE Lists`)
	u := c.ok(`c4 LSUB "" Lists`)
	if strings.Join(u, "\n") != `* LSUB (\Noselect) "/" "Lists"` {
		t.Fatalf("LSUB after DELETE:\n%s", strings.Join(u, "\n"))
	}
	u = c.ok(`c5 LIST (SUBSCRIBED) "" Lists`)
	if len(u) != 1 || !strings.Contains(u[0], `\NonExistent`) || !strings.Contains(u[0], `\Subscribed`) {
		t.Fatalf("LIST (SUBSCRIBED) after DELETE:\n%s", strings.Join(u, "\n"))
	}
	c.ok(`c6 UNSUBSCRIBE Lists`)
	if u := c.ok(`c7 LSUB "" Lists`); len(u) != 0 {
		t.Fatalf("after UNSUBSCRIBE: %q", u)
	}
}

// STATUS RECENT in the session that holds the \Recent messages counts
// them (they are recent for it); an expunged message no longer counts,
// neither there nor in the next "* n RECENT".
func TestConformRecentCountsAfterStatusAndExpunge(t *testing.T) {
	w := newWorld(t, Options{})
	for i := 0; i < 3; i++ {
		w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "r", "x"))
	}
	a := w.login(t, "alice", "wonderland")
	mustHave(t, a.ok("s SELECT INBOX"), "* 3 RECENT")
	mustHave(t, a.ok("t1 STATUS INBOX (RECENT)"), "* STATUS INBOX (RECENT 3)")
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "r4", "x"))
	// Not yet claimed (no NOOP since): recent for whoever sees it first.
	mustHave(t, a.ok("t2 STATUS INBOX (RECENT MESSAGES)"), "* STATUS INBOX (MESSAGES 4 RECENT 4)")
	a.ok(`t3 STORE 1:2 +FLAGS.SILENT (\Deleted)`)
	a.ok("t4 EXPUNGE")
	mustHave(t, a.ok("t5 STATUS INBOX (RECENT)"), "* STATUS INBOX (RECENT 2)")
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "r5", "x"))
	mustHave(t, a.ok("t6 NOOP"), "* 3 RECENT")
}

// STATUS with an empty item list is a syntax error (RFC 9051 §9: at least
// one status-att), which go-imap lets through.
func TestConformStatusNeedsAnItem(t *testing.T) {
	w := newWorld(t, Options{})
	a := w.login(t, "alice", "wonderland")
	a.expect("s1 STATUS INBOX ()", "s1 BAD [CLIENTBUG] STATUS needs at least one item")
	mustHave(t, a.ok("s2 STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")
}
