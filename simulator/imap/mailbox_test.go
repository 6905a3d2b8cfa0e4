package imap

import (
	"strings"
	"testing"
)

func TestRecentClaimedByFirstSelectOnly(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "one", "1"))
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "two", "2"))

	// EXAMINE looks without claiming.
	e := w.login(t, "alice", "wonderland")
	mustHave(t, e.ok("e1 EXAMINE INBOX"), "* 2 RECENT")

	first := w.login(t, "alice@example.com", "wonderland")
	mustHave(t, first.ok("f1 SELECT INBOX"), "* 2 RECENT")
	second := w.login(t, "alice", "wonderland")
	mustHave(t, second.ok("s1 SELECT INBOX"), "* 0 RECENT")

	mustHave(t, first.ok("f2 FETCH 1:2 FLAGS"), `* 2 FETCH (FLAGS (\Recent))`)
	mustHave(t, second.ok("s2 FETCH 1:2 FLAGS"), `* 2 FETCH (FLAGS ())`)
	mustHave(t, first.ok("f3 SEARCH RECENT"), "* SEARCH 1 2")
	mustHave(t, second.ok("s3 SEARCH NEW"), "* SEARCH")

	// New mail while both have it selected: the first to poll claims it.
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "three", "3"))
	u := first.ok("f4 NOOP")
	mustHave(t, u, "* 3 EXISTS")
	mustHave(t, u, "* 3 RECENT")
	u = second.ok("s4 NOOP")
	mustHave(t, u, "* 3 EXISTS")
	if hasPrefix(u, "* 1 RECENT") || hasPrefix(u, "* 3 RECENT") {
		t.Fatalf("second session must not get \\Recent: %q", u)
	}
	// STATUS RECENT counts what nobody has claimed.
	mustHave(t, e.ok("e2 STATUS INBOX (MESSAGES RECENT UNSEEN UIDNEXT)"), `* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UNSEEN 3 RECENT 0)`)
}

func TestListHierarchyAndOddNames(t *testing.T) {
	w := newWorld(t, Options{})
	// A child whose parent the store never had: LIST must show the parent \Noselect.
	if err := w.alice.CreateMailbox("Projects/2026/Q1", ""); err != nil {
		t.Fatal(err)
	}
	c := w.login(t, "alice", "wonderland")
	u := c.ok(`a1 LIST "" "*"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" INBOX`)
	mustHave(t, u, `* LIST (\HasNoChildren \Sent) "/" "Sent"`)
	mustHave(t, u, `* LIST (\Noselect \HasChildren) "/" "Projects"`)
	mustHave(t, u, `* LIST (\Noselect \HasChildren) "/" "Projects/2026"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Projects/2026/Q1"`)

	mustHave(t, c.ok(`a2 LIST "" ""`), `* LIST (\Noselect) "/" ""`)
	u = c.ok(`a3 LIST "" "%"`)
	if hasPrefix(u, `* LIST (\Noselect \HasChildren) "/" "Projects/2026"`) {
		t.Fatalf("%% must not cross the delimiter: %q", u)
	}
	mustHave(t, c.ok(`a4 LIST "" "inbox"`), `* LIST (\HasNoChildren) "/" INBOX`)
	mustHave(t, c.ok(`a5 LIST "Projects/" "%"`), `* LIST (\Noselect \HasChildren) "/" "Projects/2026"`)

	// CREATE makes missing parents; odd names round-trip.
	c.ok(`a6 CREATE "Clients/Big Co"`)
	c.ok(`a7 CREATE "Say \"hi\""`)
	c.ok(`a8 CREATE "Caf&AOk-"`) // modified UTF-7 for Café
	u = c.ok(`a9 LIST "" "*"`)
	mustHave(t, u, `* LIST (\HasChildren) "/" "Clients"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Clients/Big Co"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Say \"hi\""`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Caf&AOk-"`)
	if _, err := w.alice.Mailbox("Café"); err != nil {
		t.Fatalf("UTF-7 name not decoded for the store: %v", err)
	}
	c.expect(`b1 CREATE Clients`, "b1 NO [ALREADYEXISTS]")
	// DELETE of a parent: the mailbox goes, its children stay, and the
	// name is shown \Noselect; deleting it again is an error, and CREATE
	// makes it a mailbox again (RFC 3501 §6.3.4).
	c.ok(`b2 DELETE Clients`)
	u = c.ok(`b2a LIST "" "Clients*"`)
	mustHave(t, u, `* LIST (\Noselect \HasChildren) "/" "Clients"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Clients/Big Co"`)
	c.expect(`b2b DELETE Clients`, "b2b NO [NONEXISTENT]")
	c.expect(`b2c SELECT Clients`, "b2c NO")
	c.ok(`b2d CREATE Clients`)
	mustHave(t, c.ok(`b2e LIST "" "Clients"`), `* LIST (\HasChildren) "/" "Clients"`)
	// A \Noselect name with no child left is gone.
	c.ok(`b2f CREATE Old/Sub`)
	c.ok(`b2g DELETE Old`)
	c.ok(`b2h DELETE Old/Sub`)
	if u = c.ok(`b2i LIST "" "Old*"`); len(u) != 0 {
		t.Fatalf("LIST after deleting a parent and its child: %q", u)
	}
	c.expect(`b3 DELETE Nowhere`, "b3 NO [NONEXISTENT]")
	c.expect(`b4 DELETE INBOX`, "b4 NO [CANNOT]")

	// SPECIAL-USE selection and CREATE (USE ...).
	c.ok(`b5 CREATE Spam (USE (\Junk))`)
	u = c.ok(`b6 LIST (SPECIAL-USE) "" "*"`)
	for _, want := range []string{`\Sent) "/" "Sent"`, `\Drafts) "/" "Drafts"`, `\Trash) "/" "Trash"`, `\Junk) "/" "Junk"`, `\Archive) "/" "Archive"`, `\Junk) "/" "Spam"`} {
		if !hasSuffixIn(u, want) {
			t.Fatalf("LIST (SPECIAL-USE) lacks %s: %q", want, u)
		}
	}
	if hasPrefix(u, `* LIST (\HasNoChildren) "/" INBOX`) {
		t.Fatalf("INBOX has no special use: %q", u)
	}

	// LSUB / SUBSCRIBE / UNSUBSCRIBE.
	c.ok(`c1 SUBSCRIBE "Clients/Big Co"`)
	c.ok(`c2 UNSUBSCRIBE Junk`)
	u = c.ok(`c3 LSUB "" "*"`)
	mustHave(t, u, `* LSUB () "/" "Clients/Big Co"`) // RFC 3501 §6.3.9: no \Subscribed, no child attributes
	if hasSuffixIn(u, `"Junk"`) {
		t.Fatalf("unsubscribed Junk still in LSUB: %q", u)
	}
	u = c.ok(`c4 LIST (SUBSCRIBED) "" "*"`)
	mustHave(t, u, `* LIST (\HasNoChildren \Subscribed) "/" "Clients/Big Co"`)
	c.expect(`c5 SUBSCRIBE Nowhere`, "c5 NO [NONEXISTENT]")

	// RENAME keeps children and creates missing parents of the new name.
	c.ok(`d1 RENAME Clients Customers/Current`)
	u = c.ok(`d2 LIST "" "Customers*"`)
	mustHave(t, u, `* LIST (\HasChildren) "/" "Customers"`)
	mustHave(t, u, `* LIST (\HasNoChildren) "/" "Customers/Current/Big Co"`)

	// LIST-STATUS.
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "x", "x"))
	u = c.ok(`d3 LIST "" "INBOX" RETURN (STATUS (MESSAGES UNSEEN SIZE))`)
	if !hasPrefix(u, `* STATUS INBOX (MESSAGES 1 UNSEEN 1 SIZE `) {
		t.Fatalf("LIST-STATUS: %q", u)
	}
}

func hasSuffixIn(lines []string, suffix string) bool {
	for _, l := range lines {
		if strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return false
}

func TestUIDValidityAndStatus(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	c.ok("a1 CREATE Box")
	u := c.ok("a2 STATUS Box (UIDVALIDITY)")
	first := u[0]
	u = c.ok("a3 STATUS Box (UIDVALIDITY)")
	if u[0] != first {
		t.Fatalf("UIDVALIDITY changed without reason: %q then %q", first, u[0])
	}
	c.ok("a4 DELETE Box")
	c.ok("a5 CREATE Box")
	u = c.ok("a6 STATUS Box (UIDVALIDITY)")
	if u[0] == first {
		t.Fatalf("a re-created mailbox must get a new UIDVALIDITY: %q", u[0])
	}
	c.expect("a7 STATUS Nowhere (MESSAGES)", "a7 NO [NONEXISTENT]")
	c.expect("a8 SELECT Nowhere", "a8 NO [NONEXISTENT]")
	mustHave(t, c.ok("a9 NAMESPACE"), `* NAMESPACE (("" "/")) NIL NIL`)
}
