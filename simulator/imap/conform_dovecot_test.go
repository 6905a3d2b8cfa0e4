package imap

import (
	"strings"
	"testing"
)

// Conformance points a strict third-party suite found where Dovecot passes
// (issue 20). Each test speaks raw lines over TCP to the server.

// RFC 3501 §6.3.8's example joins "#news." and "comp.mail.*" as they are;
// go-imap's MatchList put "/" between them, so a client that lists "__x"
// with the reference "__x" to clean up found nothing.
func TestListReferenceAndPatternAreJoinedAsTheyAre(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	for _, name := range []string{"__x", "__x/y", "__xz", "#news.comp.mail.misc", "#news.comp.other"} {
		c.ok(`a CREATE "` + name + `"`)
	}
	u := c.ok(`l1 LIST "__x" "*"`)
	want := []string{
		`* LIST (\HasChildren) "/" "__x"`,
		`* LIST (\HasNoChildren) "/" "__x/y"`,
		`* LIST (\HasNoChildren) "/" "__xz"`,
	}
	if strings.Join(u, "\n") != strings.Join(want, "\n") {
		t.Fatalf(`LIST "__x" "*":\n%s`, strings.Join(u, "\n"))
	}
	u = c.ok(`l2 LIST "#news." "comp.mail.*"`)
	if strings.Join(u, "\n") != `* LIST (\HasNoChildren) "/" "#news.comp.mail.misc"` {
		t.Fatalf(`LIST "#news." "comp.mail.*":\n%s`, strings.Join(u, "\n"))
	}
	// A reference that ends with the delimiter still works as before.
	mustHave(t, c.ok(`l3 LIST "__x/" "%"`), `* LIST (\HasNoChildren) "/" "__x/y"`)
}

// RFC 5258 §3.5: LIST (SUBSCRIBED RECURSIVEMATCH) returns a name that
// matches and has a subscribed descendant that is not returned itself,
// with CHILDINFO ("SUBSCRIBED"), for one pattern or a list of them.
func TestListRecursiveMatchReturnsParentsWithChildInfo(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	c.ok(`a1 CREATE box/sub`) // box is not subscribed
	c.ok(`a2 SUBSCRIBE box/sub`)
	// top and top/mid exist only as parents of top/mid/leaf.
	if err := w.alice.CreateMailbox("top/mid/leaf", ""); err != nil {
		t.Fatal(err)
	}
	c.ok(`a4 SUBSCRIBE top/mid/leaf`)

	for _, cmd := range []string{
		`l1 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`,
		`l2 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("b%" "t%")`,
	} {
		u := c.ok(cmd)
		mustHave(t, u, `* LIST (\HasChildren) "/" "box" (CHILDINFO ("SUBSCRIBED"))`)
		mustHave(t, u, `* LIST (\Noselect \HasChildren) "/" "top" (CHILDINFO ("SUBSCRIBED"))`)
		if hasPrefix(u, `* LIST (\HasNoChildren \Subscribed) "/" "box/sub"`) {
			t.Fatalf("%s: box/sub does not match the pattern:\n%s", cmd, strings.Join(u, "\n"))
		}
	}
	// A subscribed child that matches is returned itself, and its parent
	// is not returned for it (RFC 5258 §3.5's "SHOULD ONLY").
	u := c.ok(`l3 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("box" "box/sub")`)
	if strings.Join(u, "\n") != `* LIST (\HasNoChildren \Subscribed) "/" "box/sub"` {
		t.Fatalf("LIST (box box/sub):\n%s", strings.Join(u, "\n"))
	}
	// Without RECURSIVEMATCH, SUBSCRIBED returns only subscribed names.
	u = c.ok(`l4 LIST (SUBSCRIBED) "" "%"`)
	if hasPrefix(u, `* LIST (\HasChildren) "/" "box"`) {
		t.Fatalf("LIST (SUBSCRIBED) %%:\n%s", strings.Join(u, "\n"))
	}
}

// MOVE into the selected mailbox: the EXPUNGE of the original and the
// EXISTS that announces its copy, with the mailbox's final count.
func TestMoveIntoTheSelectedMailboxAnnouncesTheCopy(t *testing.T) {
	w := newWorld(t, Options{})
	for _, s := range []string{"one", "two"} {
		w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", s, s))
	}
	c := w.login(t, "alice", "wonderland")
	c.ok("s1 SELECT INBOX")
	u := c.ok("m1 MOVE 1 INBOX")
	want := []string{"* OK [COPYUID 1 1 3] COPY completed", "* 1 EXPUNGE", "* 2 EXISTS"}
	if strings.Join(u[:min(len(u), len(want))], "\n") != strings.Join(want, "\n") {
		t.Fatalf("MOVE 1 INBOX:\n%s", strings.Join(u, "\n"))
	}
	u = c.ok("m2 UID MOVE 2:3 INBOX")
	want = []string{"* OK [COPYUID 1 2:3 4:5] COPY completed", "* 2 EXPUNGE", "* 1 EXPUNGE", "* 1 EXISTS", "* 2 EXISTS"}
	if strings.Join(u[:min(len(u), len(want))], "\n") != strings.Join(want, "\n") {
		t.Fatalf("UID MOVE 2:3 INBOX:\n%s", strings.Join(u, "\n"))
	}
	// The copies are there, with their new UIDs.
	mustHave(t, c.ok("f1 FETCH 1:* UID"), "* 2 FETCH (UID 5)")
}

// SEARCH FROM/TO/CC match a substring of the field as it reads: display
// name and address together, addresses written with comments, encoded
// words in any charset, groups (RFC 9051 §6.4.4; Dovecot does the same).
func TestSearchAddressesMatchTheFieldAsWritten(t *testing.T) {
	w := newWorld(t, Options{})
	msgs := []string{
		// 1: a quoted display name.
		"From: \"Bob Builder\" <bob@example.org>\r\nTo: alice@example.com\r\nSubject: one\r\n\r\n1\r\n",
		// 2: comments inside the address.
		"From: <user-from (desk)@ (office) domain.org>\r\nTo: alice@example.com\r\nSubject: two\r\n\r\n2\r\n",
		// 3: an encoded word in windows-1252, and a group in Cc.
		"From: =?windows-1252?q?J=F6rg_M=FCller?= <jorg@example.net>\r\nTo: alice@example.com\r\n" +
			"Cc: team: =?utf-8?q?Zo=C3=AB?= <zoe@example.org>, ann@example.org;, solo@example.net\r\nSubject: three\r\n\r\n3\r\n",
	}
	for _, m := range msgs {
		w.deliver(t, w.alice.Inbox(), m)
	}
	c := w.login(t, "alice", "wonderland")
	c.ok("s1 SELECT INBOX")
	for _, tc := range []struct{ cmd, want string }{
		{`FROM "Bob Builder <bob@example.org>"`, "* SEARCH 1"},
		{`FROM "builder <bob@"`, "* SEARCH 1"},
		{`FROM "user-from@domain.org"`, "* SEARCH 2"},
		{`FROM "from@domain"`, "* SEARCH 2"},
		{`FROM "Jörg Müller"`, "* SEARCH 3"},
		{`FROM "müller <jorg@example.net>"`, "* SEARCH 3"},
		{`CC "team: Zoë <zoe@example.org>, ann@example.org;"`, "* SEARCH 3"},
		{`CC "Zoë"`, "* SEARCH 3"},
		{`CC "ann@example.org;, solo@"`, "* SEARCH 3"},
		{`TO "alice@example.com"`, "* SEARCH 1 2 3"},
		{`FROM "nobody"`, "* SEARCH"},
	} {
		u := c.ok("s2 SEARCH CHARSET UTF-8 " + tc.cmd)
		if strings.Join(u, "\n") != tc.want {
			t.Errorf("SEARCH %s: %q, want %q", tc.cmd, u, tc.want)
		}
	}
}

// RFC 9051 §6.3.2: after ENABLE IMAP4rev2, SELECT and EXAMINE send the
// mailbox's LIST response; an IMAP4rev1 client gets none.
func TestRev2SelectSendsTheMailboxList(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	c.ok("a0 CREATE Work/Reports")
	if hasPrefix(c.ok("a1 SELECT INBOX"), "* LIST") {
		t.Fatal("an IMAP4rev1 SELECT must not send LIST")
	}
	c.ok("a2 ENABLE IMAP4rev2")
	mustHave(t, c.ok("a3 SELECT INBOX"), `* LIST (\HasNoChildren) "/" INBOX`)
	mustHave(t, c.ok("a4 EXAMINE Work"), `* LIST (\HasChildren) "/" "Work"`)
	mustHave(t, c.ok("a5 SELECT Sent"), `* LIST (\HasNoChildren \Sent) "/" "Sent"`)
}
