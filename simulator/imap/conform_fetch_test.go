package imap

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestConformEnvelope(t *testing.T) {
	w := newWorld(t, Options{})
	raw := "Date: Sat, 14 Mar 2026 09:00:00 +0100\r\n" +
		"From: \"Smith, John \\\"JJ\\\"\" <john@example.org>\r\n" +
		"Sender: bob@example.org (Bob Builder)\r\n" +
		"To: undisclosed-recipients:;\r\n" +
		"Cc: Team: =?utf-8?q?J=C3=B6rg?= <jorg@example.com>, ann@example.com;, carl@example.net\r\n" +
		"Subject: =?utf-8?B?R3LDvMOfZQ==?= and \"quotes\" \\ too\r\n" +
		"In-Reply-To: <a1@example.org> <a2@example.org>\r\n" +
		"Message-ID: <m1@example.org>\r\n" +
		"\r\nbody\r\n"
	w.deliver(t, w.alice.Inbox(), raw)
	w.deliver(t, w.alice.Inbox(), "Subject: bare\r\n\r\nno other headers\r\n")
	c := w.login(t, "alice", "wonderland")
	c.ok("s EXAMINE INBOX")
	u := c.ok("f1 FETCH 1 ENVELOPE")
	want := `* 1 FETCH (ENVELOPE ("Sat, 14 Mar 2026 09:00:00 +0100" "=?utf-8?B?R3LDvMOfZQ==?= and \"quotes\" \\ too" ` +
		`(("Smith, John \"JJ\"" NIL "john" "example.org")) ` + // from
		`(("Bob Builder" NIL "bob" "example.org")) ` + // sender
		`(("Smith, John \"JJ\"" NIL "john" "example.org")) ` + // reply-to defaults to from
		// RFC 3501's ABNF puts no space between addresses ("(" 1*address
		// ")"); go-imap v2.0.0-beta.8's encoder writes one. Clients accept
		// both; the encoder cannot be told otherwise.
		`((NIL NIL "undisclosed-recipients" NIL) (NIL NIL NIL NIL)) ` + // to: an empty group
		`((NIL NIL "Team" NIL) ("=?utf-8?q?J=C3=B6rg?=" NIL "jorg" "example.com") (NIL NIL "ann" "example.com") (NIL NIL NIL NIL) (NIL NIL "carl" "example.net")) ` +
		`NIL "<a1@example.org> <a2@example.org>" "<m1@example.org>"))`
	if len(u) != 1 || u[0] != want {
		t.Fatalf("ENVELOPE\n got: %q\nwant: %q", u, want)
	}
	u = c.ok("f2 FETCH 2 ENVELOPE")
	if len(u) != 1 || u[0] != `* 2 FETCH (ENVELOPE (NIL "bare" NIL NIL NIL NIL NIL NIL NIL NIL))` {
		t.Fatalf("ENVELOPE of a bare message: %q", u)
	}
}

const mixedMsg = "From: a@example.org\r\nTo: b@example.com\r\nSubject: mp\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
	"preamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Language: en\r\n\r\nhello\r\nworld\r\n" +
	"--XX\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n" +
	"From: c@example.net\r\nSubject: inner\r\n\r\ninner body\r\n" +
	"--XX\r\nContent-Type: application/octet-stream; name=\"a b.bin\"\r\nContent-Transfer-Encoding: base64\r\n" +
	"Content-Disposition: attachment; filename=\"a b.bin\"\r\nContent-Location: http://x/y\r\n\r\nAAEC\r\n--XX--\r\n"

func TestConformBodyStructure(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), mixedMsg)
	c := w.login(t, "alice", "wonderland")
	c.ok("s EXAMINE INBOX")
	u := c.ok("f1 FETCH 1 BODYSTRUCTURE")
	// Part bodies end before the CRLF that precedes a boundary (RFC 2046
	// §5.1.1): "hello\r\nworld" is 12 octets, 1 line.
	want := `* 1 FETCH (BODYSTRUCTURE (` +
		`("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 12 1 NIL NIL ("en") NIL)` +
		`("message" "rfc822" NIL NIL NIL "7bit" 49 (NIL "inner" ((NIL NIL "c" "example.net")) ((NIL NIL "c" "example.net")) ((NIL NIL "c" "example.net")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL) 3 NIL ("inline" NIL) NIL NIL)` +
		`("application" "octet-stream" ("name" "a b.bin") NIL NIL "base64" 4 NIL ("attachment" ("filename" "a b.bin")) NIL "http://x/y")` +
		` "mixed" ("boundary" "XX") NIL NIL NIL))`
	if len(u) != 1 || u[0] != want {
		t.Fatalf("BODYSTRUCTURE\n got %q\nwant %q", u, want)
	}
	// BODY: the same without extension data.
	u = c.ok("f2 FETCH 1 BODY")
	want = `* 1 FETCH (BODY (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 12 1)` +
		`("message" "rfc822" NIL NIL NIL "7bit" 49 (NIL "inner" ((NIL NIL "c" "example.net")) ((NIL NIL "c" "example.net")) ((NIL NIL "c" "example.net")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0) 3)` +
		`("application" "octet-stream" ("name" "a b.bin") NIL NIL "base64" 4) "mixed"))`
	if len(u) != 1 || u[0] != want {
		t.Fatalf("BODY: %q", u)
	}
}

func TestConformFetchSections(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), mixedMsg)
	c := w.login(t, "alice", "wonderland")
	c.ok("s EXAMINE INBOX")
	lit := func(s string) string { return fmt.Sprintf("{%d}\r\n%s", len(s), s) }

	u := c.ok("f1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (subject FROM x-none)])")
	// go-imap echoes header names as quoted strings (valid astrings).
	mustHave(t, u, "* 1 FETCH (BODY[HEADER.FIELDS (\"subject\" \"FROM\" \"x-none\")] "+lit("From: a@example.org\r\nSubject: mp\r\n\r\n")+")")
	u = c.ok("f2 FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (From To Subject Content-Type)])")
	mustHave(t, u, "* 1 FETCH (BODY[HEADER.FIELDS.NOT (\"From\" \"To\" \"Subject\" \"Content-Type\")] "+lit("MIME-Version: 1.0\r\n\r\n")+")")
	u = c.ok("f3 FETCH 1 (BODY.PEEK[1.MIME])")
	mustHave(t, u, "* 1 FETCH (BODY[1.MIME] "+lit("Content-Type: text/plain; charset=utf-8\r\nContent-Language: en\r\n\r\n")+")")
	u = c.ok("f4 FETCH 1 (BODY.PEEK[1])")
	mustHave(t, u, "* 1 FETCH (BODY[1] "+lit("hello\r\nworld")+")")
	u = c.ok("f5 FETCH 1 (BODY.PEEK[2.HEADER])")
	mustHave(t, u, "* 1 FETCH (BODY[2.HEADER] "+lit("From: c@example.net\r\nSubject: inner\r\n\r\n")+")")
	u = c.ok("f6 FETCH 1 (BODY.PEEK[2.1])")
	mustHave(t, u, "* 1 FETCH (BODY[2.1] "+lit("inner body")+")")
	// TEXT of a multipart message: everything after the top header.
	text := mixedMsg[strings.Index(mixedMsg, "\r\n\r\n")+4:]
	u = c.ok("f7 FETCH 1 (BODY.PEEK[TEXT])")
	mustHave(t, u, "* 1 FETCH (BODY[TEXT] "+lit(text)+")")
	// Partial: the item name carries the origin only.
	u = c.ok("f8 FETCH 1 (BODY.PEEK[]<0.10>)")
	mustHave(t, u, "* 1 FETCH (BODY[]<0> "+lit(mixedMsg[:10])+")")
	u = c.ok("f9 FETCH 1 (BODY.PEEK[]<5000.10>)")
	mustHave(t, u, "* 1 FETCH (BODY[]<5000> {0}\r\n)") // beyond the end: empty (a zero literal is valid)
	// RFC822.SIZE is the octet count of BODY[].
	u = c.ok("f10 FETCH 1 (RFC822.SIZE BODY.PEEK[])")
	mustHave(t, u, fmt.Sprintf("* 1 FETCH (RFC822.SIZE %d BODY[] %s)", len(mixedMsg), lit(mixedMsg)))
	// UID FETCH of UIDs that do not exist: no data, OK.
	if u = c.ok("f11 UID FETCH 50:60 FLAGS"); len(u) != 0 {
		t.Fatalf("UID FETCH of missing UIDs: %q", u)
	}
	u = c.ok("f12 UID FETCH 1,9 FLAGS")
	if len(u) != 1 || u[0] != `* 1 FETCH (UID 1 FLAGS ())` /* EXAMINE claims no \Recent */ {
		t.Fatalf("UID FETCH 1,9: %q", u)
	}
	// A FETCH with no UID asked returns no UID.
	u = c.ok("f13 FETCH 1 (FLAGS INTERNALDATE)")
	if len(u) != 1 || u[0] != `* 1 FETCH (FLAGS () INTERNALDATE "14-Mar-2026 09:30:00 +0000")` {
		t.Fatalf("FETCH FLAGS INTERNALDATE: %q", u)
	}
	// Sections the grammar does not allow: part 0, MIME without a part.
	c.expect("f14 FETCH 1 (BODY.PEEK[0])", "f14 BAD [CLIENTBUG] Part numbers start at 1")
	c.expect("f15 FETCH 1 (BODY.PEEK[1.0])", "f15 BAD [CLIENTBUG] Part numbers start at 1")
	c.expect("f16 FETCH 1 (BINARY.PEEK[0])", "f16 BAD [CLIENTBUG] Part numbers start at 1")
	c.expect("f17 FETCH 1 (BODY.PEEK[MIME])", "f17 BAD [CLIENTBUG] MIME needs a part number")
}

func TestConformExpungeAcrossSessions(t *testing.T) {
	w := newWorld(t, Options{})
	for i := 1; i <= 5; i++ {
		w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", fmt.Sprint("m", i), "x"))
	}
	a := w.login(t, "alice", "wonderland")
	b := w.login(t, "alice", "wonderland")
	a.ok("s SELECT INBOX")
	b.ok("s SELECT INBOX")
	a.ok(`d STORE 2,4 +FLAGS.SILENT (\Deleted)`)
	u := a.ok("x EXPUNGE")
	// Each EXPUNGE carries the number valid at that moment: 2, then 3.
	if strings.Join(u, "|") != "* 2 EXPUNGE|* 3 EXPUNGE" {
		t.Fatalf("EXPUNGE: %q", u)
	}
	// b has not been told: FETCH must not announce the expunge, and the
	// expunged message 2 yields NO [EXPUNGEISSUED] but the others' data.
	u, tagged := b.cmd("f FETCH 1:3 (UID)")
	if strings.Join(u, "|") != "* 1 FETCH (UID 1)|* 3 FETCH (UID 3)" || !strings.HasPrefix(tagged, "f NO [EXPUNGEISSUED]") {
		t.Fatalf("FETCH of a message expunged elsewhere: %q %q", u, tagged)
	}
	// STORE and SEARCH hold expunges back too; UID FETCH and NOOP may send them.
	// (a's \Deleted reaches b as FETCH FLAGS after the SEARCH.)
	u = b.ok("s SEARCH ALL")
	if strings.Join(u, "|") != `* SEARCH 1 3 5|* 2 FETCH (UID 2 FLAGS (\Deleted))|* 4 FETCH (UID 4 FLAGS (\Deleted))` {
		t.Fatalf("SEARCH before the expunges are announced: %q", u)
	}
	u = b.ok("n NOOP")
	if strings.Join(u, "|") != "* 2 EXPUNGE|* 3 EXPUNGE" {
		t.Fatalf("NOOP: %q", u)
	}
	u = b.ok("f2 FETCH 1:* (UID)")
	if strings.Join(u, "|") != "* 1 FETCH (UID 1)|* 2 FETCH (UID 3)|* 3 FETCH (UID 5)" {
		t.Fatalf("FETCH 1:* after EXPUNGE: %q", u)
	}
	// CLOSE expunges silently; never "* 0 EXPUNGE" anywhere.
	a.ok("s2 SELECT INBOX")
	a.ok(`d2 STORE 1 +FLAGS.SILENT (\Deleted)`)
	if u = a.ok("c CLOSE"); len(u) != 0 {
		t.Fatalf("CLOSE must be silent: %q", u)
	}
	u = b.ok("n2 NOOP")
	if strings.Join(u, "|") != `* 1 FETCH (UID 1 FLAGS (\Deleted))|* 1 EXPUNGE` {
		t.Fatalf("NOOP after CLOSE elsewhere: %q", u)
	}
	// UIDNEXT is unchanged by expunges.
	u = b.ok("st STATUS INBOX (UIDNEXT MESSAGES)")
	mustHave(t, u, "* STATUS INBOX (MESSAGES 2 UIDNEXT 6)")
}

func TestConformCopyMove(t *testing.T) {
	w := newWorld(t, Options{})
	for i := 1; i <= 4; i++ {
		w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", fmt.Sprint("m", i), "x"))
	}
	if err := w.alice.CreateMailbox("Box", ""); err != nil {
		t.Fatal(err)
	}
	box, _ := w.alice.Mailbox("Box")
	v := box.UIDValidity()
	c := w.login(t, "alice", "wonderland")
	c.ok("s SELECT INBOX")
	_, tagged := c.cmd("c1 COPY 1:3 Box")
	if tagged != fmt.Sprintf("c1 OK [COPYUID %d 1:3 1:3] COPY completed", v) {
		t.Fatalf("COPY: %q", tagged)
	}
	c.expect("c2 COPY 1 Nowhere", "c2 NO [TRYCREATE]")
	c.expect("c3 MOVE 1 Nowhere", "c3 NO [TRYCREATE]")
	// COPY to the selected mailbox: the copies arrive as EXISTS.
	u, tagged := c.cmd("c4 COPY 4 INBOX")
	if !has(u, "* 5 EXISTS") || !strings.HasPrefix(tagged, "c4 OK [COPYUID") {
		t.Fatalf("COPY to self: %q %q", u, tagged)
	}
	// MOVE: COPYUID comes untagged, before the EXPUNGEs (RFC 6851 §4.3).
	u = c.ok("m1 MOVE 1,3 Box")
	want := []string{fmt.Sprintf("* OK [COPYUID %d 1,3 4:5] Messages moved", v), "* 3 EXPUNGE", "* 1 EXPUNGE"}
	if len(u) < 1 || !strings.HasPrefix(u[0], fmt.Sprintf("* OK [COPYUID %d 1,3 4:5]", v)) || strings.Join(u[1:], "|") != strings.Join(want[1:], "|") {
		t.Fatalf("MOVE:\n got %q\nwant %q", u, want)
	}
	u = c.ok("m2 UID MOVE 4 Box")
	if len(u) != 2 || !strings.HasPrefix(u[0], fmt.Sprintf("* OK [COPYUID %d 4 6]", v)) || u[1] != "* 2 EXPUNGE" {
		t.Fatalf("UID MOVE: %q", u)
	}
}

func TestConformAppend(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	u := c.ok("s SELECT INBOX")
	mustHave(t, u, "* 0 EXISTS")
	v := w.alice.Inbox().UIDValidity()
	msg := "Subject: appended\r\n\r\nhi\r\n"
	// A synchronising literal: the server answers "+ " before the bytes.
	c.send(fmt.Sprintf(`a1 APPEND INBOX (\Seen $Work) "05-Feb-2026 10:11:12 +0100" {%d}`, len(msg)))
	if l := c.line(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("continuation: %q", l)
	}
	c.send(msg)
	u, tagged := c.until("a1")
	if tagged != fmt.Sprintf("a1 OK [APPENDUID %d 1] APPEND completed", v) {
		t.Fatalf("APPEND: %q", tagged)
	}
	mustHave(t, u, "* 1 EXISTS")
	mustHave(t, u, `* FLAGS (`+sysFlags+` $Work)`)
	u = c.ok("f FETCH 1 (FLAGS INTERNALDATE)")
	mustHave(t, u, `* 1 FETCH (FLAGS (\Seen $Work \Recent) INTERNALDATE " 5-Feb-2026 10:11:12 +0100")`)
	// LITERAL+ and two commands in one write.
	_, err := c.conn.Write([]byte(fmt.Sprintf("a2 APPEND Drafts {%d+}\r\n%s\r\na3 NOOP\r\n", len(msg), msg)))
	if err != nil {
		t.Fatal(err)
	}
	_, tagged = c.until("a2")
	if !strings.HasPrefix(tagged, "a2 OK [APPENDUID") {
		t.Fatalf("APPEND literal+: %q", tagged)
	}
	if _, tagged = c.until("a3"); !strings.HasPrefix(tagged, "a3 OK") {
		t.Fatalf("pipelined NOOP: %q", tagged)
	}
	c.expect("a4 APPEND Nowhere {2+}\r\nhi", "a4 NO [TRYCREATE]")
}

func TestConformMailboxErrors(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	c.expect("c1 CREATE Sent", "c1 NO [ALREADYEXISTS]")
	c.expect("c2 CREATE inbox", "c2 NO [ALREADYEXISTS]")
	c.expect("d1 DELETE INBOX", "d1 NO")
	c.expect("d2 DELETE Nowhere", "d2 NO [NONEXISTENT]")
	c.expect("s1 STATUS Nowhere (MESSAGES)", "s1 NO [NONEXISTENT]")
	c.expect("s2 SELECT Nowhere", "s2 NO [NONEXISTENT]")
	// STATUS of the selected mailbox works (RFC 3501 §6.3.10 allows it).
	c.ok("s3 SELECT INBOX")
	u := c.ok("s4 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT)")
	if len(u) != 1 || !strings.HasPrefix(u[0], "* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ") {
		t.Fatalf("STATUS selected: %q", u)
	}
	// RENAME INBOX moves its messages and leaves INBOX in place, empty.
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "r", "x"))
	c.ok("n NOOP")
	c.ok("r1 RENAME INBOX Old")
	u = c.ok("s5 STATUS Old (MESSAGES)")
	mustHave(t, u, `* STATUS "Old" (MESSAGES 1)`)
	u = c.ok("s6 STATUS INBOX (MESSAGES)")
	mustHave(t, u, `* STATUS INBOX (MESSAGES 0)`)
	// UIDVALIDITY: a mailbox deleted and created again gets a new one.
	c.ok("c3 CREATE Tmp")
	u = c.ok("s7 STATUS Tmp (UIDVALIDITY)")
	c.ok("d3 DELETE Tmp")
	c.ok("c4 CREATE Tmp")
	u2 := c.ok("s8 STATUS Tmp (UIDVALIDITY)")
	if u[0] == u2[0] {
		t.Fatalf("UIDVALIDITY reused: %q", u)
	}
}

func TestConformSearch(t *testing.T) {
	w := newWorld(t, Options{})
	day := func(d int, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.FixedZone("", -5*3600)) }
	add := func(raw string, date time.Time) {
		if _, err := w.alice.Inbox().Append([]byte(raw), nil, date, nil); err != nil {
			t.Fatal(err)
		}
	}
	add("From: Bob Builder <BOB@Example.org>\r\nTo: alice@example.com\r\nCc: carol@example.net\r\nDate: Mon, 2 Mar 2026 23:30:00 -0800\r\nSubject: one\r\nX-Tag: \r\n\r\nfirst\r\n", day(10, 23))
	add("From: dave@example.net\r\nTo: Alice <alice@example.com>\r\nBcc: eve@example.org\r\nDate: Thu, 12 Mar 2026 08:00:00 +0000\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nsecond\r\n", day(12, 1))
	add("From: bob@example.org\r\nSubject: three\r\n\r\nthird\r\n", day(14, 12))
	c := w.login(t, "alice", "wonderland")
	c.ok("s SELECT INBOX")
	check := func(cmd, want string) {
		t.Helper()
		u := c.ok("q " + cmd)
		if len(u) != 1 || u[0] != want {
			t.Fatalf("%s: %q, want %q", cmd, u, want)
		}
	}
	check(`SEARCH FROM "bob@EXAMPLE"`, "* SEARCH 1 3")
	check(`SEARCH FROM builder`, "* SEARCH 1")
	check(`SEARCH TO alice`, "* SEARCH 1 2")
	check(`SEARCH CC CAROL`, "* SEARCH 1")
	check(`SEARCH BCC eve`, "* SEARCH 2")
	// Internal date, by day, in the date's own zone (RFC 3501 §6.4.4).
	check(`SEARCH ON 10-Mar-2026`, "* SEARCH 1")
	check(`SEARCH SINCE 12-Mar-2026`, "* SEARCH 2 3")
	check(`SEARCH BEFORE 12-Mar-2026`, "* SEARCH 1")
	// Date: header; a message without one uses its internal date.
	check(`SEARCH SENTON 2-Mar-2026`, "* SEARCH 1")
	check(`SEARCH SENTBEFORE 12-Mar-2026`, "* SEARCH 1")
	check(`SEARCH SENTSINCE 12-Mar-2026`, "* SEARCH 2 3")
	// HEADER with an empty string matches the field's presence.
	check(`SEARCH HEADER X-Tag ""`, "* SEARCH 1")
	check(`SEARCH HEADER Subject ""`, "* SEARCH 1 2 3")
	check(`SEARCH CHARSET UTF-8 SUBJECT "Grüße"`, "* SEARCH 2")
	u, tagged := c.cmd(`q SEARCH CHARSET X-UNKNOWN SUBJECT x`)
	if len(u) != 0 || !strings.HasPrefix(tagged, "q NO [BADCHARSET") {
		t.Fatalf("BADCHARSET: %q %q", u, tagged)
	}
	check(`SEARCH 3:2`, "* SEARCH 2 3")
	check(`SEARCH 2:*`, "* SEARCH 2 3")
	check(`SEARCH UID 2:100`, "* SEARCH 2 3")
	check(`SEARCH UID 100:*`, "* SEARCH 3") // "*" is the largest UID: 100:* means 3:100
	check(`SEARCH NOT OR FROM dave TO alice`, "* SEARCH 3")
	check(`SEARCH OR (FROM dave) (NOT FROM bob)`, "* SEARCH 2")
	check(`UID SEARCH NOT NOT 1`, "* SEARCH 1")
	c.ok(`d STORE 1 +FLAGS.SILENT (\Deleted)`)
	c.ok("x EXPUNGE")
	check(`SEARCH ALL`, "* SEARCH 1 2")
	check(`UID SEARCH ALL`, "* SEARCH 2 3")
	check(`SEARCH FROM bob`, "* SEARCH 2")
}

// A message number past the last one the client knows, or "*" in an empty
// mailbox, is the client's error: BAD (RFC 9051 §9, seq-number), as
// Dovecot answers too; NO [EXPUNGEISSUED] is kept for a message the client
// knows that another session has expunged. The client's count includes
// expunges it has not been told of yet.
func TestConformSequenceNumbersBeyondTheMailbox(t *testing.T) {
	w := newWorld(t, Options{})
	for i := 1; i <= 3; i++ {
		w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", fmt.Sprint("m", i), "x"))
	}
	a := w.login(t, "alice", "wonderland")
	b := w.login(t, "alice", "wonderland")
	a.ok("s SELECT Drafts")
	for _, cmd := range []string{"f FETCH 1:* (UID)", "g FETCH * (FLAGS)", `h STORE 1 +FLAGS (\Seen)`, "i COPY 1:* INBOX", "j MOVE * INBOX"} {
		a.expect(cmd, cmd[:2]+"BAD [CLIENTBUG] No such message")
	}
	a.ok("u UID FETCH 1:* (UID)") // UIDs that name nothing match nothing
	a.ok("s2 SELECT INBOX")
	b.ok("s SELECT INBOX")
	a.expect("k FETCH 4 (UID)", "k BAD [CLIENTBUG] No such message: the last message number is 3")
	a.expect("l FETCH 2:9 (UID)", "l BAD")
	b.ok(`d STORE 3 +FLAGS.SILENT (\Deleted)`)
	b.ok("x EXPUNGE")
	// a still counts message 3: not beyond, gone.
	if _, tagged := a.cmd("m FETCH 3 (UID)"); strings.HasPrefix(tagged, "m BAD") {
		t.Fatalf("a message the client still knows of: %q", tagged)
	}
	a.expect("n FETCH 4 (UID)", "n BAD")
	a.ok("o NOOP") // the EXPUNGE is told
	a.expect("p FETCH 3 (UID)", "p BAD [CLIENTBUG] No such message: the last message number is 2")
	a.ok("q FETCH 1:* (UID)")
}
