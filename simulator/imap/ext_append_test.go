package imap

import (
	"strings"
	"testing"
)

// APPEND's grammar with RFC 3502's MULTIAPPEND (RFC 9051 §6.3.12, RFC
// 3502 §6.3.11, RFC 3516's literal8, RFC 6855's UTF8): how many messages
// a command holds, what go-imap is handed for one message (every literal
// non-synchronising), and the BAD for a malformed one. Nothing here may
// let a message's bytes reach go-imap as commands: a command go-imap would
// refuse before its message is refused here.
func TestParseAppendGrammar(t *testing.T) {
	for _, tc := range []struct {
		cmd     string
		msgs    int
		library string // for one message: what go-imap is handed
		bad     string // the start of the BAD's text, for a malformed one
	}{
		{cmd: "a APPEND INBOX {3}\r\nabc\r\n", msgs: 1, library: "a APPEND INBOX {3+}\r\nabc\r\n"},
		{cmd: "a APPEND INBOX {3-}\r\nabc\r\n", msgs: 1, library: "a APPEND INBOX {3+}\r\nabc\r\n"},
		{cmd: "a APPEND {5}\r\nINBOX (\\Seen $Work) \"05-Feb-2026 10:11:12 +0100\" {3+}\r\nabc\r\n", msgs: 1,
			library: "a APPEND {5+}\r\nINBOX (\\Seen $Work) \"05-Feb-2026 10:11:12 +0100\" {3+}\r\nabc\r\n"},
		{cmd: "a APPEND INBOX ~{3}\r\nabc\r\n", msgs: 1, library: "a APPEND INBOX ~{3+}\r\nabc\r\n"},
		{cmd: "a APPEND INBOX UTF8 (~{3}\r\nabc)\r\n", msgs: 1, library: "a APPEND INBOX UTF8 (~{3+}\r\nabc)\r\n"},
		{cmd: "a APPEND INBOX () {0}\r\n\r\n", msgs: 1, library: "a APPEND INBOX () {0+}\r\n\r\n"},
		{cmd: "a APPEND INBOX {3}\r\nabc {3}\r\ndef\r\n", msgs: 2},
		{cmd: "a APPEND INBOX (\\Seen) {3}\r\nabc \" 5-Feb-2026 10:11:12 +0100\" {3+}\r\ndef (\\Draft) {1}\r\ng\r\n", msgs: 3},
		{cmd: "a APPEND INBOX\r\n", bad: "APPEND takes a mailbox"},
		{cmd: "a APPEND INBOX {3}\r\nabc junk\r\n", bad: "APPEND: the message is a literal"},
		{cmd: "a APPEND INBOX {3}\r\nabc{3}\r\ndef\r\n", bad: "Syntax error: an APPEND ends right after its message"},
		{cmd: "a APPEND INBOX ({5}\r\n\\Seen) {3}\r\nabc\r\n", bad: "APPEND: a flag is an atom"},
		{cmd: "a APPEND INBOX (\\Seen  $Work) {3}\r\nabc\r\n", bad: "APPEND: a flag is an atom"},
		{cmd: "a APPEND INBOX (\\Seen){3}\r\nabc\r\n", bad: "APPEND: a space and the message"},
		{cmd: "a APPEND IN%BOX {3}\r\nabc\r\n", bad: "APPEND takes a mailbox"},
		{cmd: "a APPEND INBOX UTF8 ({3}\r\nabc)\r\n", bad: "APPEND: the message is a literal"},
		{cmd: "a APPEND INBOX UTF8 (~{3}\r\nabc\r\n", bad: "APPEND: UTF8"},
		{cmd: "a APPEND INBOX \"31-Feb-2026 10:00:00 +0000\" {3}\r\nabc\r\n", msgs: 1, bad: "Syntax error: a date-time"},
		{cmd: "a APPEND \"&Jjo\" {3}\r\nabc\r\n", msgs: 1, bad: "Syntax error: a date-time"},
	} {
		r := &appendReader{cmdReader: cmdReader{b: []byte(tc.cmd)}, cmd: &appendCommandArgs{}}
		commandHead(&r.cmdReader)
		err := parseAppend(r)
		if err == nil {
			_, _, err = r.cmd.decode()
		}
		switch {
		case tc.bad != "":
			if err == nil || err.typ != "BAD" || !strings.HasPrefix(err.text, tc.bad) {
				t.Errorf("%q: %+v, want BAD %q", tc.cmd, err, tc.bad)
			}
		case err != nil:
			t.Errorf("%q: %+v", tc.cmd, err)
		case len(r.cmd.msgs) != tc.msgs:
			t.Errorf("%q: %d messages, want %d", tc.cmd, len(r.cmd.msgs), tc.msgs)
		case tc.msgs == 1:
			got := (&session{}).appendCommand(&appendReader{cmdReader: cmdReader{b: []byte(tc.cmd), i: len("a APPEND")}, cmd: &appendCommandArgs{}}, "a")
			if string(got.library) != tc.library {
				t.Errorf("%q: go-imap is handed %q, want %q", tc.cmd, got.library, tc.library)
			}
		}
	}
}

// A synchronising literal is checked before its "+": a command malformed
// already, or a message over the size limit, is refused there; a command
// well formed so far goes on.
func TestAppendEarlyRefusesBeforeTheGoAhead(t *testing.T) {
	for _, tc := range []struct{ cmd, want string }{
		{"a APPEND INBOX {3}\r\n", ""},
		{"a APPEND {5}\r\n", ""},
		{"a APPEND INBOX {3}\r\nabc (\\Seen) {4}\r\n", ""},
		{"a APPEND INBOX {200000000}\r\n", "a NO [TOOBIG] Literals are limited to 104857600 bytes for this command\r\n"},
		{"a APPEND INBOX {3}\r\nabc {104857600}\r\n", "a NO [TOOBIG] One APPEND holds at most 100 MB"},
		{"a APPEND INBOX ({5}\r\n", "a BAD [CLIENTBUG] APPEND: a flag is an atom"},
		{"a APPEND {5000}\r\n", "a BAD [CLIENTBUG] APPEND: a literal"},
		{"a SORT (DATE) UTF-8 TEXT {3}\r\n", ""},
	} {
		if got := appendEarly([]byte(tc.cmd)); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("%q: %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

// CorrectEnvelopeRoute moves a route out of an address's mailbox, and
// only there: not out of a subject or a body part's description that
// happen to look like one.
func TestCorrectEnvelopeRouteOnlyInAddresses(t *testing.T) {
	fix := func(line string) string {
		b := []byte(line)
		for {
			start, end, with, ok := CorrectEnvelopeRoute(b)
			if !ok {
				return string(b)
			}
			b = append(append(append([]byte(nil), b[:start]...), with...), b[end:]...)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{`* 1 FETCH (ENVELOPE (NIL "x" ((NIL NIL "@a,@b:bob" "example.org")) NIL NIL (("Ann \"L\"" NIL "@r:ann" "example.com")) NIL NIL NIL NIL))` + "\r\n",
			`* 1 FETCH (ENVELOPE (NIL "x" ((NIL "@a,@b" "bob" "example.org")) NIL NIL (("Ann \"L\"" "@r" "ann" "example.com")) NIL NIL NIL NIL))` + "\r\n"},
		{`* 1 FETCH (ENVELOPE (NIL "@not.a:route" NIL NIL NIL NIL NIL NIL NIL NIL))` + "\r\n", ""},
		{`* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL "@x:y" "7BIT" 2 1 NIL NIL NIL NIL))` + "\r\n", ""},
		{`* 1 FETCH (ENVELOPE (NIL "s" ((NIL NIL "bob" "example.org")) NIL NIL NIL NIL NIL NIL NIL))` + "\r\n", ""},
	} {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if got := fix(tc.in); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.in, got, want)
		}
	}
}
