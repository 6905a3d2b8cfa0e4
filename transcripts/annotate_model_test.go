package transcripts

import (
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// The SMTP and POP3 annotators take the command a reply answers from the
// protocol model (Answers, Verb), not from a queue of their own. These
// sessions are where the two part: a client that sends its commands before
// the server's greeting is read (printf ... | nc, a pipelining script), and
// a reply the simulator gives itself ahead of an earlier command's.

// wantNote fails unless the line whose text starts with prefix (the n-th
// such line, from 0) has a note containing each of want.
func wantNote(t *testing.T, lines []Line, prefix string, n int, want ...string) {
	t.Helper()
	for _, l := range lines {
		if l.Dir != wire.FromServer || !strings.HasPrefix(l.Text, prefix) {
			continue
		}
		if n--; n >= 0 {
			continue
		}
		for _, w := range want {
			if !strings.Contains(l.Note, w) {
				t.Errorf("%q: note %q, want it to say %q", l.Text, l.Note, w)
			}
		}
		return
	}
	t.Fatalf("no server line %q", prefix)
}

// RFC 2920 pipelining, sent before the greeting arrived: the greeting is
// the greeting, and the 550 refuses the first recipient, not the second.
func TestSMTPPipelinedBeforeGreetingFollowsTheModel(t *testing.T) {
	lines := annotateAll(wire.SMTP, AnnotateOptions{}, events(wire.SMTP, wire.RoleMX,
		"C:EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<nobody@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n",
		"S:220 mx.example.com ESMTP\r\n",
		"S:250-mx.example.com\r\n250 PIPELINING\r\n250 2.1.0 ok\r\n550 5.1.1 no such user\r\n250 2.1.5 ok\r\n354 go ahead\r\n",
		"C:Subject: hi\r\n\r\nhello\r\n.\r\n",
		"S:250 2.0.0 queued\r\n",
	))
	wantNote(t, lines, "220 ", 0, "the server is ready")
	wantNote(t, lines, "250 PIPELINING", 0, "last line of the EHLO reply")
	wantNote(t, lines, "250 2.1.0", 0, "accepted sender <a@example.org>")
	wantNote(t, lines, "550 ", 0, "recipient <nobody@example.com> was refused")
	wantNote(t, lines, "250 2.1.5", 0, "accepted recipient <bob@example.com>")
	wantNote(t, lines, "354 ", 0, "go ahead: send the message")
	wantNote(t, lines, "250 2.0.0", 0, "the message was accepted", "1 recipient")
}

// RFC 2449 PIPELINING, sent before the greeting arrived: the first RETR
// is refused and the second one's message follows; nothing is taken for
// a message that was never sent.
func TestPOP3PipelinedBeforeGreetingFollowsTheModel(t *testing.T) {
	lines := annotateAll(wire.POP3, AnnotateOptions{}, events(wire.POP3, wire.RolePOP3,
		"C:USER alice\r\nPASS secret\r\nRETR 7\r\nRETR 2\r\nQUIT\r\n",
		"S:+OK POP3 ready\r\n",
		"S:+OK\r\n+OK logged in\r\n-ERR no such message\r\n+OK 20 octets\r\nSubject: x\r\n\r\nhi\r\n.\r\n+OK bye\r\n",
	))
	wantNote(t, lines, "+OK POP3 ready", 0, "the server is ready")
	wantNote(t, lines, "+OK logged in", 0, "logged in")
	wantNote(t, lines, "-ERR no such message", 0, "check the message number")
	wantNote(t, lines, "+OK 20 octets", 0, "message 2 follows")
	wantNote(t, lines, ".", 0, "end of the RETR response")
	wantNote(t, lines, "+OK bye", 0, "UPDATE state")
	if l := find(t, lines, wire.FromServer, "-ERR no such message"); l.Verb != "RETR" {
		t.Errorf("the -ERR is filed under %q, want RETR", l.Verb)
	}
}

// A reply the simulator gives itself (HELP, which the tap answers for
// go-smtp) comes before the reply to a command pipelined ahead of it: each
// is explained with its own command.
func TestSMTPReplyGivenByTheSimulatorFollowsTheModel(t *testing.T) {
	sp := wire.NewSplitter(wire.SMTP)
	var evs []wire.Event
	keep := func(p wire.Piece) {
		e := p.Event()
		e.Proto, e.Data = wire.SMTP, append([]byte(nil), p.Data...)
		evs = append(evs, e)
	}
	sp.Server([]byte("220 mx ready\r\n"), keep)
	sp.Client([]byte("EHLO x\r\n"), keep)
	sp.Server([]byte("250 mx\r\n"), keep)
	sp.Client([]byte("MAIL FROM:<a@example.org>\r\nHELP\r\nQUIT\r\n"), func(p wire.Piece) {
		keep(p)
		if p.Verb == "HELP" {
			sp.AnswerHere([]byte("214-2.0.0 commands\r\n214 2.0.0 end of help\r\n"), keep)
		}
	})
	sp.Server([]byte("250 2.1.0 ok\r\n221 2.0.0 bye\r\n"), keep)
	lines := annotateAll(wire.SMTP, AnnotateOptions{}, evs)
	wantNote(t, lines, "214 2.0.0", 0, "help text")
	wantNote(t, lines, "250 2.1.0", 0, "accepted sender <a@example.org>")
	wantNote(t, lines, "221 ", 0, "goodbye")
}

// RFC 3030 chunks pipelined (RFC 3030 §4.2 allows it with PIPELINING):
// each BDAT's reply is explained by its own chunk, so the first is not
// taken for the end of the message because the last one was sent.
func TestSMTPPipelinedChunksEachWithItsReply(t *testing.T) {
	lines := annotateAll(wire.SMTP, AnnotateOptions{}, events(wire.SMTP, wire.RoleMX,
		"S:220 mx.example.com ESMTP\r\n",
		"C:EHLO client.example\r\n",
		"S:250-mx.example.com\r\n250-PIPELINING\r\n250 CHUNKING\r\n",
		"C:MAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.com>\r\nBDAT 7\r\nHi: x\r\n",
		"C:BDAT 4 LAST\r\n\r\nhi",
		"S:250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.0.0 7 octets received\r\n250 2.0.0 queued\r\n",
	))
	wantNote(t, lines, "250 2.0.0 7 octets", 0, "the chunk arrived; send the next one")
	wantNote(t, lines, "250 2.0.0 queued", 0, "the last chunk arrived")
}

// A line over 64 KiB (wire.MaxLine) comes in pieces: inside a RETR's
// message it is still the message, whose "." ends it; in an SMTP reply,
// the reply after it is explained by its own command's details.
func TestLongLinesKeepTheirCommand(t *testing.T) {
	long := strings.Repeat("y", wire.MaxLine+10)
	lines := annotateAll(wire.POP3, AnnotateOptions{}, events(wire.POP3, wire.RolePOP3,
		"S:+OK ready\r\n", "C:RETR 1\r\nQUIT\r\n",
		"S:+OK 70000 octets\r\nSubject: x\r\n\r\n"+long+"\r\n.\r\n+OK bye\r\n",
	))
	wantNote(t, lines, ".", 0, "end of the RETR response")
	wantNote(t, lines, "+OK bye", 0, "goodbye")
	lines = annotateAll(wire.SMTP, AnnotateOptions{}, events(wire.SMTP, wire.RoleMX,
		"S:220 mx ready\r\n", "C:EHLO x\r\n", "S:250 mx\r\n",
		"C:MAIL FROM:<a@example.org>\r\nRCPT TO:<one@example.com>\r\nRCPT TO:<two@example.com>\r\n",
		"S:250 2.1.0 ok\r\n550 5.1.1 "+long+"\r\n550 5.1.1 no such user\r\n",
	))
	wantNote(t, lines, "550 5.1.1 no such", 0, "recipient <two@example.com> was refused")
}

// The IMAP annotator too takes the command a line belongs to from the
// model: an untagged response the oldest outstanding command's, a "+" the
// waiting command's (with the literal it says go ahead to), a tagged reply
// the command the model says it completes. A command pipelined before the
// greeting does not make the greeting its response; a literal refused
// with NO [TOOBIG] (no "+" ever came for it) is not what a later
// AUTHENTICATE's "+" asks for; the * FETCH after a SELECT's OK belongs to
// the FETCH sent behind it.
func TestIMAPPipelinedFollowsTheModel(t *testing.T) {
	lines := annotateAll(wire.IMAP, AnnotateOptions{}, events(wire.IMAP, wire.RoleIMAP,
		"C:a1 CAPABILITY\r\n",
		"S:* OK [CAPABILITY IMAP4rev1] ready\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n",
		"C:a2 LOGIN bob {5000}\r\n",
		"S:a2 NO [TOOBIG] literal too big\r\n",
		"C:a3 AUTHENTICATE PLAIN\r\n",
		"S:+ \r\n",
		"C:AGJvYgBzZWNyZXQ=\r\n",
		"S:a3 OK logged in\r\n",
		"C:a4 SELECT INBOX\r\na5 FETCH 1 (FLAGS)\r\n",
		"S:* 1 EXISTS\r\na4 OK [READ-WRITE] done\r\n* 1 FETCH (FLAGS (\\Seen))\r\na5 OK done\r\n",
	))
	wantNote(t, lines, "* OK [CAPABILITY", 0, "the server is ready")
	wantNote(t, lines, "* CAPABILITY", 0, "the server's capabilities")
	wantNote(t, lines, "+ ", 0, "ready for the credentials")
	wantNote(t, lines, "* 1 EXISTS", 0, "mailbox INBOX holds 1 message")
	wantNote(t, lines, "a5 OK", 0, "every message asked for has been sent")
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l.Text, "* OK [CAPABILITY") && l.Verb != "":
			t.Errorf("the greeting is filed under %s %s", l.Tag, l.Verb)
		case strings.HasPrefix(l.Text, "+ ") && (l.Verb != "AUTHENTICATE" || l.Tag != "a3"):
			t.Errorf("the \"+\" is filed under %s %s, want a3 AUTHENTICATE", l.Tag, l.Verb)
		case strings.HasPrefix(l.Text, "* 1 FETCH") && l.Tag != "a5":
			t.Errorf("the * FETCH is filed under %s %s, want a5 FETCH", l.Tag, l.Verb)
		}
	}
}

// A status line or tagged reply over 64 KiB reaches the annotator in
// pieces. The model names the command at the first piece and completes it
// at the last, so the command is answered once, and what follows is
// explained by its own command: the next command is not "sent before the
// reply came", and its reply answers it.
func TestCutReplyLinesCompleteTheirCommand(t *testing.T) {
	long := strings.Repeat("x", wire.MaxLine+100)
	clientNotes := func(lines []Line) string {
		var b strings.Builder
		for _, l := range lines {
			if l.Dir == wire.FromClient {
				b.WriteString(l.Text + ": " + l.Note + "\n")
			}
		}
		return b.String()
	}
	pop := annotateAll(wire.POP3, AnnotateOptions{}, events(wire.POP3, wire.RolePOP3,
		"S:+OK ready\r\n", "C:NOOP\r\n", "S:+OK "+long+"\r\n", "C:QUIT\r\n", "S:+OK bye\r\n"))
	if notes := clientNotes(pop); strings.Contains(notes, "pipelined") {
		t.Errorf("POP3: a command after the cut status line is called pipelined:\n%s", notes)
	}
	wantNote(t, pop, "+OK bye", 0, "goodbye")

	imap := annotateAll(wire.IMAP, AnnotateOptions{}, events(wire.IMAP, wire.RoleIMAP,
		"S:* OK ready\r\n", "C:a1 NOOP\r\n", "S:a1 OK "+long+"\r\n", "C:a2 LOGOUT\r\n", "S:* BYE bye\r\na2 OK done\r\n"))
	for _, l := range imap {
		if strings.HasPrefix(l.Text, "a1 OK ") && !strings.Contains(l.Note, "nothing to do") {
			t.Errorf("the cut tagged reply's first piece: note %.200q, want it to explain NOOP's OK", l.Note)
		}
	}
	if notes := clientNotes(imap); strings.Contains(notes, "pipelined") {
		t.Errorf("IMAP: a command after the cut tagged reply is called pipelined:\n%s", notes)
	}
	wantNote(t, imap, "a2 OK", 0, "logged out")
}
