package tui

import (
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Success, temporary and permanent failure are told apart by a mark and a
// word, from the protocol model's facts or, without them, the SMTP code.
func TestReplyOutcome(t *testing.T) {
	s := func(p wire.Proto, text, answers string, ok bool) item {
		return item{Dir: wire.FromServer, Proto: p, Text: text, Answers: answers, OK: ok}
	}
	cases := []struct {
		it   item
		want string
	}{
		{s(wire.SMTP, "250 2.1.0 Ok", "MAIL", true), "✓ ok"},
		{s(wire.SMTP, "354 End data with <CR><LF>.<CR><LF>", "DATA", true), "✓ ok"},
		{s(wire.SMTP, "450 4.2.0 Greylisted, try again later", "RCPT", false), "⧗ temp"},
		{s(wire.SMTP, "550 5.7.26 Unauthenticated email is not accepted", "DATA", false), "✗ fail"},
		{s(wire.SMTP, "250-PIPELINING", "", false), ""},                       // a reply that goes on
		{s(wire.SMTP, "421 4.7.0 Too many connections", "", false), "⧗ temp"}, // a log's line, no facts
		{s(wire.POP3, "+OK 2 messages", "STAT", true), "✓ ok"},
		{s(wire.POP3, "-ERR [IN-USE] maildrop locked", "PASS", false), "⧗ temp"},
		{s(wire.POP3, "-ERR [AUTH] invalid password", "PASS", false), "✗ fail"},
		{s(wire.IMAP, "a1 OK LOGIN completed", "LOGIN", true), "✓ ok"},
		{s(wire.IMAP, "a2 NO [UNAVAILABLE] try later", "SELECT", false), "⧗ temp"},
		{s(wire.IMAP, "a3 NO [TRYCREATE] no such mailbox", "APPEND", false), "✗ fail"},
		{s(wire.IMAP, "* 3 EXISTS", "", false), ""},
		{item{Dir: wire.FromClient, Proto: wire.SMTP, Text: "250 looks like a reply"}, ""},
	}
	for _, c := range cases {
		if got := replyOutcome(c.it).mark(); got != c.want {
			t.Errorf("%q (answers %q, ok %v): %q, want %q", c.it.Text, c.it.Answers, c.it.OK, got, c.want)
		}
	}
}

// The marks of Markdown go while it renders, and in the colourless style.
func TestPlainMarkdown(t *testing.T) {
	md := "# Help\n\nSome **bold**, *What a mail program shows:* and `EHLO`.\n\n## Keys\n\n* one\n\n```\nEHLO x\n```\n"
	out := renderMarkdown("k", md, "notty", 60)().(markdownMsg).out
	for name, s := range map[string]string{"rendered": out, "meanwhile": stripMarkdown(md)} {
		noMarkdownMarks(t, name, s)
		mustContain(t, s, "Help", "Some bold, What a mail program shows: and EHLO.", "Keys", "EHLO x")
	}
}
