package imap

import (
	"strings"
	"testing"
	"time"
)

const multipartMsg = "From: =?utf-8?q?J=C3=B6rg?= <jorg@example.org>\r\n" +
	"To: undisclosed-recipients:;\r\n" +
	"Cc: Team: ann@example.com, \"Bob, B.\" <bob@example.org>;, carol@example.net\r\n" +
	"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= and report\r\n" +
	"Date: Fri, 13 Mar 2026 18:00:00 +0100\r\n" +
	"Message-ID: <report@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"XX\"\r\n" +
	"\r\n" +
	"preamble\r\n" +
	"--XX\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Hello team,\r\nsee attached.\r\n" +
	"--XX\r\n" +
	"Content-Type: application/pdf; name=\"r.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"Content-Disposition: attachment; filename=\"r.pdf\"\r\n" +
	"\r\n" +
	"JVBERi0xLjQK\r\n" +
	"--XX--\r\n" +
	"epilogue\r\n"

func TestFetchItems(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), plain("Bob <bob@example.org>", "alice@example.com", "plain one", "first body"))
	w.deliver(t, w.alice.Inbox(), multipartMsg)
	c := w.login(t, "alice", "wonderland")
	c.ok("a1 SELECT INBOX")

	// Exactly the items asked: no UID unless asked.
	u := c.ok("a2 FETCH 1 (RFC822.SIZE INTERNALDATE)")
	size := len(plain("Bob <bob@example.org>", "alice@example.com", "plain one", "first body"))
	mustHave(t, u, `* 1 FETCH (INTERNALDATE "14-Mar-2026 09:30:00 +0000" RFC822.SIZE `+itoa(size)+`)`)
	mustHave(t, c.ok("a3 UID FETCH 2 (FLAGS)"), `* 2 FETCH (UID 2 FLAGS (\Recent))`)

	u = c.ok("a4 FETCH 2 ENVELOPE")
	// go-imap's encoder separates addresses with a space, which RFC 3501's
	// "(" 1*address ")" does not have; clients accept it.
	want := `* 2 FETCH (ENVELOPE ("Fri, 13 Mar 2026 18:00:00 +0100" "=?utf-8?q?Gr=C3=BC=C3=9Fe?= and report" ` +
		`(("=?utf-8?q?J=C3=B6rg?=" NIL "jorg" "example.org")) (("=?utf-8?q?J=C3=B6rg?=" NIL "jorg" "example.org")) (("=?utf-8?q?J=C3=B6rg?=" NIL "jorg" "example.org")) ` +
		`((NIL NIL "undisclosed-recipients" NIL) (NIL NIL NIL NIL)) ` +
		`((NIL NIL "Team" NIL) (NIL NIL "ann" "example.com") ("Bob, B." NIL "bob" "example.org") (NIL NIL NIL NIL) (NIL NIL "carol" "example.net")) ` +
		`NIL NIL "<report@example.org>"))`
	mustHave(t, u, want)

	u = c.ok("a5 FETCH 2 BODYSTRUCTURE")
	mustHave(t, u, `* 2 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 26 1 NIL NIL NIL NIL)`+
		`("application" "pdf" ("name" "r.pdf") NIL NIL "base64" 12 NIL ("attachment" ("filename" "r.pdf")) NIL NIL) "mixed" ("boundary" "XX") NIL NIL NIL))`)
	mustHave(t, c.ok("a6 FETCH 2 BODY"), `* 2 FETCH (BODY (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 26 1)("application" "pdf" ("name" "r.pdf") NIL NIL "base64" 12) "mixed"))`)

	// Sections, all .PEEK so \Seen stays off.
	mustHave(t, c.ok("b1 FETCH 2 BODY.PEEK[1]"), "* 2 FETCH (BODY[1] {26}\r\nHello team,\r\nsee attached.)")
	mustHave(t, c.ok("b2 FETCH 2 BODY.PEEK[2.MIME]"), "* 2 FETCH (BODY[2.MIME] {133}\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n\r\n)")
	mustHave(t, c.ok("b3 FETCH 2 BINARY.PEEK[2]"), "* 2 FETCH (BINARY[2] ~{9}\r\n%PDF-1.4\n)")
	mustHave(t, c.ok("b4 FETCH 1 BODY.PEEK[HEADER.FIELDS (subject FROM)]"), "* 1 FETCH (BODY[HEADER.FIELDS (\"subject\" \"FROM\")] {51}\r\nFrom: Bob <bob@example.org>\r\nSubject: plain one\r\n\r\n)")
	u = c.ok("b5 FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (From To Date Message-ID)]")
	mustHave(t, u, "* 1 FETCH (BODY[HEADER.FIELDS.NOT (\"From\" \"To\" \"Date\" \"Message-ID\")] {22}\r\nSubject: plain one\r\n\r\n)")
	mustHave(t, c.ok("b6 FETCH 1 BODY.PEEK[TEXT]<0.5>"), "* 1 FETCH (BODY[TEXT]<0> {5}\r\nfirst)")
	mustHave(t, c.ok("b7 FETCH 1 BODY.PEEK[1]"), "* 1 FETCH (BODY[1] {12}\r\nfirst body\r\n)")
	mustHave(t, c.ok("b8 FETCH 2 BODY.PEEK[9]"), "* 2 FETCH (BODY[9] {0}\r\n)")
	mustHave(t, c.ok("b9 FETCH 1 RFC822.HEADER"), "* 1 FETCH (RFC822.HEADER {"+itoa(size-12)+"}\r\n"+strings.TrimSuffix(plain("Bob <bob@example.org>", "alice@example.com", "plain one", "first body"), "first body\r\n")+")")
	mustHave(t, c.ok("c0 FETCH 1:* FLAGS"), `* 1 FETCH (FLAGS (\Recent))`)

	// BODY[] without .PEEK sets \Seen and says so.
	u = c.ok("c1 FETCH 1 BODY[]")
	if len(u) != 1 || !strings.HasPrefix(u[0], "* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[] {") {
		t.Fatalf("BODY[] reply: %q", u)
	}
	mustHave(t, c.ok("c2 FETCH 1 RFC822.TEXT"), "* 1 FETCH (RFC822.TEXT {12}\r\nfirst body\r\n)")

	// EXAMINE never sets \Seen.
	c.ok("c3 EXAMINE INBOX")
	mustHave(t, c.ok("c4 FETCH 2 (FLAGS BODY[TEXT]<0.8>)"), "* 2 FETCH (FLAGS () BODY[TEXT]<0> {8}\r\npreamble)")
	c.expect("c5 STORE 2 +FLAGS (\\Seen)", "c5 NO [READ-ONLY]")
	c.expect("c6 EXPUNGE", "c6 NO [READ-ONLY]")
	c.ok("c7 CLOSE")
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n))
}

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestSearch(t *testing.T) {
	w := newWorld(t, Options{})
	inbox := w.alice.Inbox()
	mk := func(from, to, cc, subject, date, body string, internal time.Time) {
		raw := "From: " + from + "\r\nTo: " + to + "\r\nCc: " + cc + "\r\nSubject: " + subject + "\r\nDate: " + date + "\r\n\r\n" + body + "\r\n"
		if _, err := inbox.Append([]byte(raw), nil, internal, nil); err != nil {
			t.Fatal(err)
		}
	}
	mk("Bob <bob@example.org>", "alice@example.com", "carol@example.net", "Lunch", "Mon, 02 Mar 2026 10:00:00 +0000", "pizza?", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	mk("carol@example.net", "alice@example.com", "", "=?utf-8?q?R=C3=A9union?=", "Tue, 10 Mar 2026 23:30:00 -0500", "agenda attached", time.Date(2026, 3, 11, 4, 30, 0, 0, time.UTC))
	mk("Bob <bob@example.org>", "team@example.com", "", "Report", "Sat, 14 Mar 2026 08:00:00 +0000", strings.Repeat("long ", 400), time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC))
	c := w.login(t, "alice", "wonderland")
	c.ok("a1 SELECT INBOX")
	c.ok(`a2 STORE 2 +FLAGS (\Flagged)`)

	for _, tc := range []struct{ query, want string }{
		{"SEARCH ALL", "* SEARCH 1 2 3"},
		{"SEARCH FROM bob", "* SEARCH 1 3"},
		{"SEARCH FROM BOB@EXAMPLE.ORG", "* SEARCH 1 3"},
		{"SEARCH TO team", "* SEARCH 3"},
		{"SEARCH CC carol", "* SEARCH 1"},
		{"SEARCH SUBJECT réunion", "* SEARCH 2"},
		{`SEARCH CHARSET UTF-8 SUBJECT "Réunion"`, "* SEARCH 2"},
		{"SEARCH BODY pizza", "* SEARCH 1"},
		{"SEARCH TEXT agenda", "* SEARCH 2"},
		{"SEARCH TEXT lunch", "* SEARCH 1"},
		{`SEARCH HEADER Subject ""`, "* SEARCH 1 2 3"},
		{"SEARCH SINCE 11-Mar-2026", "* SEARCH 2 3"},
		{"SEARCH BEFORE 11-Mar-2026", "* SEARCH 1"},
		{"SEARCH ON 2-Mar-2026", "* SEARCH 1"},
		{"SEARCH SENTON 10-Mar-2026", "* SEARCH 2"},
		{"SEARCH SENTSINCE 10-Mar-2026 SENTBEFORE 14-Mar-2026", "* SEARCH 2"},
		{"SEARCH LARGER 1000", "* SEARCH 3"},
		{"SEARCH SMALLER 1000", "* SEARCH 1 2"},
		{"SEARCH FLAGGED", "* SEARCH 2"},
		{"SEARCH UNFLAGGED", "* SEARCH 1 3"},
		{"SEARCH NOT FROM bob", "* SEARCH 2"},
		{"SEARCH OR FLAGGED TO team", "* SEARCH 2 3"},
		{"SEARCH 2:*", "* SEARCH 2 3"},
		{"SEARCH UID 1,3", "* SEARCH 1 3"},
		{"UID SEARCH FROM carol", "* SEARCH 2"},
		{"SEARCH NEW", "* SEARCH 1 2 3"},
		{"SEARCH OLD", "* SEARCH"},
		{"SEARCH KEYWORD $Nope", "* SEARCH"},
		{"SEARCH RETURN (MIN MAX COUNT) FROM bob", `* ESEARCH (TAG "s") MIN 1 MAX 3 COUNT 2`},
		{"UID SEARCH RETURN (ALL) 1:*", `* ESEARCH (TAG "s") UID ALL 1:3`},
		{"SEARCH RETURN (COUNT) SUBJECT nothing-matches", `* ESEARCH (TAG "s") COUNT 0`},
	} {
		u := c.ok("s " + tc.query)
		if !has(u, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.query, u, tc.want)
		}
	}
	// SEARCHRES: save, then use "$".
	c.ok("r1 SEARCH RETURN (SAVE) FROM bob")
	mustHave(t, c.ok("r2 FETCH $ (UID)"), "* 3 FETCH (UID 3)")
}
