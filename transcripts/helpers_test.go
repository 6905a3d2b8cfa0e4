package transcripts

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// events runs a recorded byte dialogue through the real wire.Splitter and
// returns the events the simulator's tap would publish: an Open, every
// piece, and a Close. Steps are "C:bytes" (client), "S:bytes" (server),
// "TLS:" (handshake done: the splitter is reset, later events encrypted).
func events(proto wire.Proto, role wire.Role, steps ...string) []wire.Event {
	sp := wire.NewSplitter(proto)
	var out []wire.Event
	seq := uint64(0)
	encrypted := false
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	addEvent := func(e wire.Event) {
		seq++
		e.Seq, e.Session, e.Proto, e.Role, e.Peer = seq, "s1", proto, role, "127.0.0.1:40000"
		e.Time, e.Encrypted = t0.Add(time.Duration(seq)*time.Millisecond), encrypted
		e.Data = append([]byte(nil), e.Data...)
		out = append(out, e)
	}
	add := func(dir wire.Dir, kind wire.Kind, data []byte, secret wire.Range) {
		addEvent(wire.Event{Dir: dir, Kind: kind, Data: data, Secret: secret})
	}
	emit := func(p wire.Piece) { addEvent(p.Event()) }
	add(wire.Meta, wire.Open, []byte("127.0.0.1:40000"), wire.Range{})
	for _, st := range steps {
		switch {
		case strings.HasPrefix(st, "C:"):
			sp.Client([]byte(st[2:]), emit)
		case strings.HasPrefix(st, "S:"):
			sp.Server([]byte(st[2:]), emit)
		case st == "TLS:":
			sp.Reset(wire.FromClient)
			sp.Reset(wire.FromServer)
			encrypted = true
			add(wire.Meta, wire.TLS, []byte("TLS 1.3, TLS_AES_128_GCM_SHA256"), wire.Range{})
		}
	}
	sp.Flush(wire.FromClient, emit)
	sp.Flush(wire.FromServer, emit)
	add(wire.Meta, wire.Close, []byte("client closed the connection"), wire.Range{})
	return out
}

// annotateAll annotates a session's events with a fresh annotator.
func annotateAll(proto wire.Proto, opts AnnotateOptions, evs []wire.Event) []Line {
	a := NewAnnotator(proto, opts)
	lines := make([]Line, 0, len(evs))
	for _, e := range evs {
		lines = append(lines, a.Annotate(e))
	}
	return lines
}

// golden renders lines in the form kept under testdata/golden: the display
// line, then the note and the fields lessons read.
func golden(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s %s\n", l.Dir, l.Text)
		fmt.Fprintf(&b, "    # %s\n", l.Note)
		var f []string
		add := func(k, v string) {
			if v != "" {
				f = append(f, k+"="+v)
			}
		}
		add("verb", l.Verb)
		add("tag", l.Tag)
		add("code", l.Code)
		add("enh", l.Enhanced)
		add("resp", l.RespCode)
		add("state", l.State)
		add("rfc", l.RFC)
		add("level", l.Level.String())
		if l.Complete {
			f = append(f, "complete")
		}
		if l.Secret {
			f = append(f, "secret")
		}
		if l.Unknown {
			f = append(f, "UNKNOWN")
		}
		fmt.Fprintf(&b, "    [%s]\n", strings.Join(f, " "))
	}
	return b.String()
}

// find returns the first line whose Text starts with prefix, failing the test if none.
func find(t *testing.T, lines []Line, dir wire.Dir, prefix string) Line {
	t.Helper()
	for _, l := range lines {
		if l.Dir == dir && strings.HasPrefix(l.Text, prefix) {
			return l
		}
	}
	t.Fatalf("no %s line starting with %q", dir, prefix)
	return Line{}
}

// The standard sessions used by golden tests, exports, the recorder and the benchmark.

var smtpSubmissionSteps = []string{
	"S:220 mail.example.com ESMTP mailtutor\r\n",
	"C:EHLO laptop.example.com\r\n",
	"S:250-mail.example.com Hello laptop.example.com\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n",
	"C:STARTTLS\r\n",
	"S:220 2.0.0 Ready to start TLS\r\n",
	"TLS:",
	"C:ehlo laptop.example.com\r\n",
	"S:250-mail.example.com Hello laptop.example.com\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n",
	"C:AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=\r\n",
	"S:235 2.7.0 Authentication successful\r\n",
	"C:RCPT TO:<bob@example.org>\r\n",
	"S:503 5.5.1 Bad sequence of commands\r\n",
	"C:MAIL FROM:<alice@example.com> SIZE=312\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.net>\r\nDATA\r\n",
	"S:250 2.0.0 Roger, accepting mail from <alice@example.com>\r\n250 2.0.0 I'll make sure <bob@example.org> gets this\r\n250 2.0.0 I'll make sure <carol@example.net> gets this\r\n354 Go ahead. End your data with <CR><LF>.<CR><LF>\r\n",
	"C:From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: Lunch?\r\nDate: Fri, 02 Jan 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nHi Bob,\r\n..a line that starts with a dot\r\nsee you.\r\n.\r\n",
	"S:250 2.0.0 OK: queued\r\n",
	"C:QUIT\r\n",
	"S:221 2.0.0 Bye\r\n",
}

func smtpSubmission() []wire.Event {
	return events(wire.SMTP, wire.RoleSubmission, smtpSubmissionSteps...)
}

var smtpMistakesSteps = []string{
	"S:220 mx.example.org ESMTP\r\n",
	"C:MAIL FROM:<a@example.com>\r\n",
	"S:502 5.5.1 Please introduce yourself first.\r\n",
	"C:helo client.example.com\r\n",
	"S:250 mx.example.org\r\n",
	"C:DATA\r\n",
	"S:502 5.5.1 Missing RCPT TO command.\r\n",
	"C:MAIL FROM:alice\r\n",
	"S:501 5.5.2 Was expecting MAIL arg syntax of FROM:<address>\r\n",
	"C:MAIL FROM:<alice@example.com>\r\n",
	"S:250 2.0.0 OK\r\n",
	"C:RCPT TO:<nobody@example.org>\r\n",
	"S:550 5.1.1 No such user here\r\n",
	"C:RCPT TO:<bob@example.org>\r\n",
	"S:451 4.7.1 Greylisted, please try again later\r\n",
	"C:NOOP\n",
	"S:250 2.0.0 OK\r\n",
	"C:AUTH LOGIN\r\n",
	"S:334 VXNlcm5hbWU6\r\n",
	"C:YWxpY2U=\r\n",
	"S:334 UGFzc3dvcmQ6\r\n",
	"C:d3Jvbmc=\r\n",
	"S:535 5.7.8 Authentication failed\r\n",
	"C:RSET\r\nQUIT\r\n",
	"S:250 2.0.0 OK\r\n221 2.0.0 Bye\r\n",
}

func smtpMistakes() []wire.Event {
	return events(wire.SMTP, wire.RoleMX, smtpMistakesSteps...)
}

var pop3SessionSteps = []string{
	"S:+OK POP3 server ready <1896.697170952@mail.example.org>\r\n",
	"C:CAPA\r\n",
	"S:+OK Capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\nSASL PLAIN\r\nSTLS\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n.\r\n",
	"C:STAT\r\n",
	"S:-ERR Unknown command in AUTHORIZATION state\r\n",
	"C:USER bob\r\n",
	"S:+OK\r\n",
	"C:PASS builder\r\n",
	"S:+OK Logged in, 2 messages\r\n",
	"C:STAT\r\n",
	"S:+OK 2 520\r\n",
	"C:LIST\r\n",
	"S:+OK 2 messages\r\n1 260\r\n2 260\r\n.\r\n",
	"C:UIDL 1\r\n",
	"S:+OK 1 a1b2c3\r\n",
	"C:RETR 1\r\n",
	"S:+OK 260 octets\r\nFrom: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Hello\r\n\r\nHi Bob.\r\n..dot line\r\n.\r\n",
	"C:DELE 1\r\n",
	"S:+OK Marked to be deleted\r\n",
	"C:RETR 1\r\n",
	"S:-ERR Message is deleted\r\n",
	"C:QUIT\r\n",
	"S:+OK Bye, 1 message deleted\r\n",
}

func pop3Session() []wire.Event {
	return events(wire.POP3, wire.RolePOP3, pop3SessionSteps...)
}

var pop3ErrorsSteps = []string{
	"S:+OK ready\r\n",
	"C:AUTH PLAIN\r\n",
	"S:+ \r\n",
	"C:AGJvYgBidWlsZGVy\r\n",
	"S:-ERR [IN-USE] Mailbox locked by another session\r\n",
	"C:USER bob\r\n", "S:+OK\r\n",
	"C:PASS nope\r\n", "S:-ERR [AUTH] Invalid credentials\r\n",
	"C:APOP bob c4c9334bac560ecc979e58001b3e22fb\r\n", "S:-ERR [SYS/TEMP] try later\r\n",
	"C:STLS\r\n", "S:+OK Begin TLS\r\n", "TLS:",
	"C:QUIT\r\n", "S:+OK bye\r\n",
}

func pop3Errors() []wire.Event {
	return events(wire.POP3, wire.RolePOP3, pop3ErrorsSteps...)
}

var imapSessionSteps = []string{
	"S:* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS IDLE AUTH=PLAIN] mailtutor IMAP ready\r\n",
	"C:a1 LOGIN alice wonderland\r\n",
	"S:a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE MOVE UIDPLUS] LOGIN completed\r\n",
	"C:a2 SELECT INBOX\r\n",
	"S:* 3 EXISTS\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n* OK [UIDVALIDITY 1735689600] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n* LIST () \"/\" INBOX\r\na2 OK [READ-WRITE] SELECT completed\r\n",
	"C:a3 FETCH 1:2 (FLAGS UID RFC822.SIZE INTERNALDATE ENVELOPE)\r\n",
	"S:* 1 FETCH (FLAGS (\\Seen) UID 1 RFC822.SIZE 412 INTERNALDATE \"02-Jan-2026 10:00:00 +0000\" ENVELOPE (\"Fri, 02 Jan 2026 10:00:00 +0000\" \"Welcome\" ((\"Bob\" NIL \"bob\" \"example.org\")) NIL NIL ((NIL NIL \"alice\" \"example.com\")) NIL NIL NIL \"<w@example.org>\"))\r\n",
	"S:* 2 FETCH (FLAGS () UID 2 RFC822.SIZE 980 INTERNALDATE \"02-Jan-2026 10:05:00 +0000\" ENVELOPE (NIL \"Menu\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\na3 OK FETCH completed\r\n",
	"C:a4 UID FETCH 2 (BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n",
	"S:* 2 FETCH (UID 2 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 12 1)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 40 1) \"alternative\") BODY[HEADER.FIELDS (SUBJECT)] {17}\r\n",
	"S:Subject: Menu\r\n\r\n)\r\na4 OK UID FETCH completed\r\n",
	"C:a5 STORE 1 +FLAGS (\\Deleted)\r\n",
	"S:* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\na5 OK STORE completed\r\n",
	"C:a6 APPEND Sent {47}\r\n",
	"S:+ Ready for literal data\r\n",
	"C:Subject: draft\r\nFrom: alice@example.com\r\n\r\nhi\r\n\r\n",
	"S:a6 NO [TRYCREATE] Mailbox does not exist\r\n",
	"C:a7 IDLE\r\n",
	"S:+ idling\r\n",
	"S:* 4 EXISTS\r\n",
	"S:* 2 EXPUNGE\r\n",
	"C:DONE\r\n",
	"S:a7 OK IDLE terminated\r\n",
	"C:a8 EXPUNGE\r\n",
	"S:* 1 EXPUNGE\r\na8 OK EXPUNGE completed\r\n",
	"C:a9 LOGOUT\r\n",
	"S:* BYE Logging out\r\na9 OK LOGOUT completed\r\n",
}

func imapSession() []wire.Event {
	return events(wire.IMAP, wire.RoleIMAP, imapSessionSteps...)
}

var imapUntaggedLoginSteps = []string{
	"S:* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN] ready\r\n",
	"C:LOGIN bob builder\r\n",
	"S:LOGIN BAD Unknown command\r\n* BYE Unknown command\r\n",
}

func imapUntaggedLoginSession() []wire.Event {
	return events(wire.IMAP, wire.RoleIMAP, imapUntaggedLoginSteps...)
}
