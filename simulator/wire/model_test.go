package wire

import (
	"fmt"
	"strings"
	"testing"
)

// step is bytes one side sends.
type step struct {
	dir  Dir
	data string
}

// facts describes the pieces a splitter cut, one line per piece, with
// the facts the model worked out: kind, verb, tag, what a reply answers,
// continuation, dropped, and the secret's text.
func facts(pieces []Piece) []string {
	var out []string
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		data := string(p.Data)
		for p.Dropped && p.Kind == Payload && i+1 < len(pieces) && pieces[i+1].Dropped && pieces[i+1].Kind == Payload {
			// A dropped literal comes as it arrives: its pieces are one.
			i++
			data += string(pieces[i].Data)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %q", p.Dir, p.Kind, data)
		if p.Verb != "" {
			fmt.Fprintf(&b, " verb=%s", p.Verb)
		}
		if p.Tag != "" {
			fmt.Fprintf(&b, " tag=%s", p.Tag)
		}
		if p.Answers != "" {
			fmt.Fprintf(&b, " answers=%s ok=%v", p.Answers, p.OK)
		}
		if p.Continues {
			b.WriteString(" continues")
		}
		if p.Dropped {
			b.WriteString(" dropped")
		}
		if !p.Secret.Empty() {
			fmt.Fprintf(&b, " secret=%q", data[p.Secret.Start:p.Secret.End])
		}
		out = append(out, b.String())
	}
	return out
}

// run feeds the steps to a fresh splitter, step i cut at byte cutAt when
// i == cutStep, and returns the facts of every piece.
func run(proto Proto, steps []step, cutStep, cutAt int) []string {
	s := NewSplitter(proto)
	var pieces []Piece
	keep := func(p Piece) {
		p.Data = append([]byte(nil), p.Data...)
		pieces = append(pieces, p)
	}
	feed := func(d Dir, b []byte) {
		if d == FromClient {
			s.Client(b, keep)
		} else {
			s.Server(b, keep)
		}
	}
	for i, st := range steps {
		b := []byte(st.data)
		if i == cutStep {
			feed(st.dir, b[:cutAt])
			feed(st.dir, b[cutAt:])
			continue
		}
		feed(st.dir, b)
	}
	return facts(pieces)
}

// TestModelPipelined feeds pipelined exchanges of each protocol to the
// model, whole and cut at every byte boundary of every step, and checks
// the facts it works out.
func TestModelPipelined(t *testing.T) {
	C, S := FromClient, FromServer
	for _, tc := range []struct {
		name  string
		proto Proto
		steps []step
		want  []string
	}{
		{"IMAP IDLE behind SELECT, DONE and the next command in one write", IMAP, []step{
			{C, "a1 SELECT INBOX\r\na2 IDLE\r\n"},
			{S, "* 3 EXISTS\r\na1 OK done\r\n+ idling\r\n"},
			{C, "DONE\r\na3 NOOP\r\n"},
			{S, "a2 OK IDLE terminated\r\na3 OK\r\n"},
		}, []string{
			`C line "a1 SELECT INBOX\r\n" verb=SELECT tag=a1`,
			`C line "a2 IDLE\r\n" verb=IDLE tag=a2`,
			`S line "* 3 EXISTS\r\n" verb=SELECT tag=a1`,
			`S line "a1 OK done\r\n" tag=a1 answers=SELECT ok=true`,
			`S line "+ idling\r\n" verb=IDLE tag=a2`,
			`C line "DONE\r\n" verb=IDLE tag=a2 continues`,
			`C line "a3 NOOP\r\n" verb=NOOP tag=a3`,
			`S line "a2 OK IDLE terminated\r\n" tag=a2 answers=IDLE ok=true`,
			`S line "a3 OK\r\n" tag=a3 answers=NOOP ok=true`,
		}},
		{"IMAP AUTHENTICATE PLAIN behind NOOP", IMAP, []step{
			{C, "a1 NOOP\r\na2 AUTHENTICATE PLAIN\r\n"},
			{S, "a1 OK\r\n+ \r\n"},
			{C, "AGFsaWNlAHNlY3JldA==\r\n"},
			{S, "a2 OK\r\n"},
		}, []string{
			`C line "a1 NOOP\r\n" verb=NOOP tag=a1`,
			`C line "a2 AUTHENTICATE PLAIN\r\n" verb=AUTHENTICATE tag=a2`,
			`S line "a1 OK\r\n" tag=a1 answers=NOOP ok=true`,
			`S line "+ \r\n" verb=AUTHENTICATE tag=a2`,
			`C line "AGFsaWNlAHNlY3JldA==\r\n" verb=AUTHENTICATE tag=a2 continues secret="AGFsaWNlAHNlY3JldA=="`,
			`S line "a2 OK\r\n" tag=a2 answers=AUTHENTICATE ok=true`,
		}},
		{"IMAP LOGIN with a literal password behind NOOP", IMAP, []step{
			{C, "a1 NOOP\r\na2 LOGIN alice {6}\r\n"},
			{S, "a1 OK\r\n+ go ahead\r\n"},
			{C, "secret\r\n"},
			{S, "a2 OK\r\n"},
		}, []string{
			`C line "a1 NOOP\r\n" verb=NOOP tag=a1`,
			`C line "a2 LOGIN alice {6}\r\n" verb=LOGIN tag=a2`,
			`S line "a1 OK\r\n" tag=a1 answers=NOOP ok=true`,
			`S line "+ go ahead\r\n" verb=LOGIN tag=a2`,
			`C payload "secret" verb=LOGIN tag=a2 secret="secret"`,
			`C line "\r\n" verb=LOGIN tag=a2 continues`,
			`S line "a2 OK\r\n" tag=a2 answers=LOGIN ok=true`,
		}},
		{"IMAP APPEND behind NOOP, its body holding a command", IMAP, []step{
			{C, "a1 NOOP\r\na2 APPEND INBOX {20}\r\n"},
			{S, "a1 OK\r\n+ go ahead\r\n"},
			{C, "\r\nx9 CREATE Evil\r\n\r\n\r\n"},
			{S, "a2 OK [APPENDUID 1 4] done\r\n"},
		}, []string{
			`C line "a1 NOOP\r\n" verb=NOOP tag=a1`,
			`C line "a2 APPEND INBOX {20}\r\n" verb=APPEND tag=a2`,
			`S line "a1 OK\r\n" tag=a1 answers=NOOP ok=true`,
			`S line "+ go ahead\r\n" verb=APPEND tag=a2`,
			`C payload "\r\nx9 CREATE Evil\r\n\r\n" verb=APPEND tag=a2`,
			`C line "\r\n" verb=APPEND tag=a2 continues`,
			`S line "a2 OK [APPENDUID 1 4] done\r\n" tag=a2 answers=APPEND ok=true`,
		}},
		{"IMAP non-synchronising literal refused: its bytes and the rest of the command are dropped", IMAP, []step{
			{C, "d SEARCH NOSUCH {10+}\r\n"},
			{S, "d BAD no such search key\r\n"},
			{C, "x2 LIST\r\n rest\r\na3 NOOP\r\n"},
			{S, "a3 OK\r\n"},
		}, []string{
			`C line "d SEARCH NOSUCH {10+}\r\n" verb=SEARCH tag=d`,
			`S line "d BAD no such search key\r\n" tag=d answers=SEARCH ok=false`,
			`C payload "x2 LIST\r\n " verb=SEARCH tag=d dropped`,
			`C line "rest\r\n" verb=SEARCH tag=d continues dropped`,
			`C line "a3 NOOP\r\n" verb=NOOP tag=a3`,
			`S line "a3 OK\r\n" tag=a3 answers=NOOP ok=true`,
		}},
		{"SMTP MAIL, RCPT and DATA in one PIPELINING group", SMTP, []step{
			{S, "220 mx ready\r\n"},
			{C, "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n"},
			{S, "250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead\r\n"},
			{C, "Subject: hi\r\n\r\nRCPT TO:<evil@z.test>\r\n.\r\nQUIT\r\n"},
			{S, "250 2.0.0 queued\r\n221 bye\r\n"},
		}, []string{
			`S line "220 mx ready\r\n" verb=<greeting> answers=<greeting> ok=true`,
			`C line "MAIL FROM:<a@x.test>\r\n" verb=MAIL`,
			`C line "RCPT TO:<b@y.test>\r\n" verb=RCPT`,
			`C line "DATA\r\n" verb=DATA`,
			`S line "250 2.1.0 ok\r\n" verb=MAIL answers=MAIL ok=true`,
			`S line "250 2.1.5 ok\r\n" verb=RCPT answers=RCPT ok=true`,
			`S line "354 go ahead\r\n" verb=DATA answers=DATA ok=true`,
			`C payload "Subject: hi\r\n\r\nRCPT TO:<evil@z.test>\r\n.\r\n" verb=DATA`,
			`C line "QUIT\r\n" verb=QUIT`,
			`S line "250 2.0.0 queued\r\n" verb=<body> answers=<body> ok=true`,
			`S line "221 bye\r\n" verb=QUIT answers=QUIT ok=true`,
		}},
		{"SMTP BDAT in a PIPELINING group", SMTP, []step{
			{S, "220 mx\r\n"},
			{C, "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nBDAT 10 LAST\r\nQUIT\r\nhi\r\nQUIT\r\n"},
			{S, "250 ok\r\n250 ok\r\n250 queued\r\n221 bye\r\n"},
		}, []string{
			`S line "220 mx\r\n" verb=<greeting> answers=<greeting> ok=true`,
			`C line "MAIL FROM:<a@x.test>\r\n" verb=MAIL`,
			`C line "RCPT TO:<b@y.test>\r\n" verb=RCPT`,
			`C line "BDAT 10 LAST\r\n" verb=BDAT`,
			`C payload "QUIT\r\nhi\r\n" verb=BDAT`,
			`C line "QUIT\r\n" verb=QUIT`,
			`S line "250 ok\r\n" verb=MAIL answers=MAIL ok=true`,
			`S line "250 ok\r\n" verb=RCPT answers=RCPT ok=true`,
			`S line "250 queued\r\n" verb=BDAT answers=BDAT ok=true`,
			`S line "221 bye\r\n" verb=QUIT answers=QUIT ok=true`,
		}},
		{"SMTP AUTH LOGIN with an initial response", SMTP, []step{
			{S, "220 mx\r\n"},
			{C, "AUTH LOGIN YWxpY2U=\r\n"},
			{S, "334 UGFzc3dvcmQ6\r\n"},
			{C, "c2VjcmV0\r\n"},
			{S, "235 2.7.0 ok\r\n"},
			{C, "NOOP\r\n"},
		}, []string{
			`S line "220 mx\r\n" verb=<greeting> answers=<greeting> ok=true`,
			`C line "AUTH LOGIN YWxpY2U=\r\n" verb=AUTH secret="YWxpY2U="`,
			`S line "334 UGFzc3dvcmQ6\r\n" verb=AUTH`,
			`C line "c2VjcmV0\r\n" verb=AUTH continues secret="c2VjcmV0"`,
			`S line "235 2.7.0 ok\r\n" verb=AUTH answers=AUTH ok=true`,
			`C line "NOOP\r\n" verb=NOOP`,
		}},
		{"SMTP AUTH responses sent before their 334", SMTP, []step{
			{S, "220 mx\r\n"},
			{C, "AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\n"},
			{S, "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n"},
		}, []string{
			`S line "220 mx\r\n" verb=<greeting> answers=<greeting> ok=true`,
			`C line "AUTH LOGIN\r\n" verb=AUTH`,
			`C line "YWxpY2U=\r\n" verb=AUTH continues secret="YWxpY2U="`,
			`C line "c2VjcmV0\r\n" verb=AUTH continues secret="c2VjcmV0"`,
			`S line "334 VXNlcm5hbWU6\r\n" verb=AUTH`,
			`S line "334 UGFzc3dvcmQ6\r\n" verb=AUTH`,
			`S line "235 ok\r\n" verb=AUTH answers=AUTH ok=true`,
		}},
		{"SMTP multi-line replies, an empty line and a reply nobody asked for", SMTP, []step{
			{S, "220-mx\r\n220 ready\r\n"},
			{C, "EHLO a\r\n\r\nNOOP\r\n"},
			{S, "250-mx\r\n250 PIPELINING\r\n500 5.5.2 what?\r\n250 ok\r\n421 4.3.2 bye\r\n"},
		}, []string{
			`S line "220-mx\r\n" verb=<greeting> continues`,
			`S line "220 ready\r\n" verb=<greeting> answers=<greeting> ok=true`,
			`C line "EHLO a\r\n" verb=EHLO`,
			`C line "\r\n"`,
			`C line "NOOP\r\n" verb=NOOP`,
			`S line "250-mx\r\n" verb=EHLO continues`,
			`S line "250 PIPELINING\r\n" verb=EHLO answers=EHLO ok=true`,
			`S line "500 5.5.2 what?\r\n" verb=<empty> answers=<empty> ok=false`,
			`S line "250 ok\r\n" verb=NOOP answers=NOOP ok=true`,
			`S line "421 4.3.2 bye\r\n"`,
		}},
		{"POP3 AUTH PLAIN behind CAPA: the challenge and the response", POP3, []step{
			{S, "+OK ready\r\n"},
			{C, "CAPA\r\nAUTH PLAIN\r\n"},
			{S, "+OK\r\nSASL PLAIN\r\n.\r\n+ \r\n"},
			{C, "AGFsaWNlAHNlY3JldA==\r\n"},
			{S, "+OK logged in\r\n"},
		}, []string{
			`S line "+OK ready\r\n" verb=<greeting> answers=<greeting> ok=true`,
			`C line "CAPA\r\n" verb=CAPA`,
			`C line "AUTH PLAIN\r\n" verb=AUTH`,
			`S line "+OK\r\n" verb=CAPA continues`,
			`S line "SASL PLAIN\r\n" verb=CAPA continues`,
			`S line ".\r\n" verb=CAPA answers=CAPA ok=true`,
			`S line "+ \r\n" verb=AUTH`,
			`C line "AGFsaWNlAHNlY3JldA==\r\n" verb=AUTH continues secret="AGFsaWNlAHNlY3JldA=="`,
			`S line "+OK logged in\r\n" verb=AUTH answers=AUTH ok=true`,
		}},
		{"POP3 USER, PASS, STAT, RETR and QUIT in one write", POP3, []step{
			{S, "+OK ready\r\n"},
			{C, "USER alice\r\nPASS secret\r\nSTAT\r\nRETR 1\r\nQUIT\r\n"},
			{S, "+OK\r\n+OK logged in\r\n+OK 1 20\r\n+OK 20 octets\r\nSubject: x\r\n\r\n+OK not a reply\r\n..\r\n.\r\n+OK bye\r\n"},
		}, []string{
			`S line "+OK ready\r\n" verb=<greeting> answers=<greeting> ok=true`,
			`C line "USER alice\r\n" verb=USER`,
			`C line "PASS secret\r\n" verb=PASS secret="secret"`,
			`C line "STAT\r\n" verb=STAT`,
			`C line "RETR 1\r\n" verb=RETR`,
			`C line "QUIT\r\n" verb=QUIT`,
			`S line "+OK\r\n" verb=USER answers=USER ok=true`,
			`S line "+OK logged in\r\n" verb=PASS answers=PASS ok=true`,
			`S line "+OK 1 20\r\n" verb=STAT answers=STAT ok=true`,
			`S line "+OK 20 octets\r\n" verb=RETR continues`,
			`S line "Subject: x\r\n" verb=RETR continues`,
			`S line "\r\n" verb=RETR continues`,
			`S line "+OK not a reply\r\n" verb=RETR continues`,
			`S line "..\r\n" verb=RETR continues`,
			`S line ".\r\n" verb=RETR answers=RETR ok=true`,
			`S line "+OK bye\r\n" verb=QUIT answers=QUIT ok=true`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := run(tc.proto, tc.steps, -1, 0)
			if strings.Join(whole, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("facts:\n%s\nwant:\n%s", strings.Join(whole, "\n"), strings.Join(tc.want, "\n"))
			}
			for i, st := range tc.steps {
				for k := 1; k < len(st.data); k++ {
					if got := run(tc.proto, tc.steps, i, k); strings.Join(got, "\n") != strings.Join(whole, "\n") {
						t.Fatalf("step %d cut at %d:\n%s\nwhole:\n%s", i, k, strings.Join(got, "\n"), strings.Join(whole, "\n"))
					}
				}
			}
		})
	}
}

// A reply the simulator gives itself (AnswerHere) carries the facts the
// server's reply would: the command on every line, the last completing
// it; the commands pipelined behind it are answered after it as before.
func TestModelAnswerHere(t *testing.T) {
	s := NewSplitter(SMTP)
	var pieces []Piece
	keep := func(p Piece) {
		p.Data = append([]byte(nil), p.Data...)
		pieces = append(pieces, p)
	}
	s.Server([]byte("220 mx\r\n"), keep)
	s.Client([]byte("NOOP\r\nHELP\r\nQUIT\r\n"), func(p Piece) {
		keep(p)
		if p.Verb == "HELP" {
			s.AnswerHere([]byte("214-2.0.0 help\r\n214 2.0.0 end\r\n"), keep)
		}
	})
	s.Server([]byte("250 ok\r\n221 bye\r\n"), keep)
	want := []string{
		`S line "220 mx\r\n" verb=<greeting> answers=<greeting> ok=true`,
		`C line "NOOP\r\n" verb=NOOP`,
		`C line "HELP\r\n" verb=HELP`,
		`S line "214-2.0.0 help\r\n" verb=HELP continues`,
		`S line "214 2.0.0 end\r\n" verb=HELP answers=HELP ok=true`,
		`C line "QUIT\r\n" verb=QUIT`,
		`S line "250 ok\r\n" verb=NOOP answers=NOOP ok=true`,
		`S line "221 bye\r\n" verb=QUIT answers=QUIT ok=true`,
	}
	if got := facts(pieces); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("facts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A line too long to be one event (MaxLine) inside a POP3 multi-line
// response, or in an SMTP reply: its pieces but the last say the reply
// goes on, and which command it belongs to. The last piece of a cut line
// has the whole line's facts, read from the line's start (the status,
// code or tag its piece no longer has) and end: a cut "250-" line goes
// on, a cut "550 " line fails, a cut POP3 status line or IMAP tagged reply
// completes its command, and a body line that ends in a dot right after
// the cut does not end the response.
func TestModelLongReplyLines(t *testing.T) {
	long := strings.Repeat("y", MaxLine+10)
	for _, tc := range []struct {
		proto Proto
		steps []string
		want  []string
	}{
		{POP3, []string{"+OK hi\r\n", "RETR 1\r\n", "+OK\r\n" + long + "\r\n.\r\n"}, []string{
			`S verb=RETR continues`, // +OK
			`S verb=RETR continues`, // the first 64 KiB
			`S verb=RETR continues`, // the rest of the line
			`S verb=RETR answers=RETR ok`,
		}},
		{POP3, []string{"+OK hi\r\n", "RETR 1\r\n", "+OK\r\n" + strings.Repeat("y", MaxLine) + ".\r\nmore\r\n.\r\n"}, []string{
			`S verb=RETR continues`,
			`S verb=RETR continues`, // the first 64 KiB
			`S verb=RETR continues`, // ".\r\n", the cut line's end, not the terminator
			`S verb=RETR continues`,
			`S verb=RETR answers=RETR ok`,
		}},
		{POP3, []string{"+OK hi\r\n", "NOOP\r\n", "+OK " + long + "\r\n"}, []string{
			`S verb=`, // the first 64 KiB
			`S verb=NOOP answers=NOOP ok`,
		}},
		{SMTP, []string{"220 hi\r\n", "NOOP\r\n", "250 " + long + "\r\n"}, []string{
			`S verb=NOOP continues`,
			`S verb=NOOP answers=NOOP ok`,
		}},
		{SMTP, []string{"220 hi\r\n", "NOOP\r\n", "250-" + long + "\r\n250 done\r\n"}, []string{
			`S verb=NOOP continues`,
			`S verb=NOOP continues`,
			`S verb=NOOP answers=NOOP ok`,
		}},
		{SMTP, []string{"220 hi\r\n", "NOOP\r\n", "550 " + long + "\r\n"}, []string{
			`S verb=NOOP continues`,
			`S verb=NOOP answers=NOOP`,
		}},
		{IMAP, []string{"* OK hi\r\n", "a1 NOOP\r\n", "a1 OK " + long + "\r\n"}, []string{
			`S verb=NOOP`, // the tagged reply's first piece names its command
			`S verb= answers=NOOP ok`,
		}},
	} {
		s := NewSplitter(tc.proto)
		var got []string
		keep := func(p Piece) {
			if p.Dir != FromServer {
				return
			}
			f := "S verb=" + p.Verb
			if p.Answers != "" {
				f += " answers=" + p.Answers
			}
			if p.OK {
				f += " ok"
			}
			if p.Continues {
				f += " continues"
			}
			got = append(got, f)
		}
		s.Server([]byte(tc.steps[0]), func(Piece) {})
		s.Client([]byte(tc.steps[1]), keep)
		s.Server([]byte(tc.steps[2]), keep)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.proto, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestModelIMAPServerFacts: every IMAP server line names the command it
// belongs to: an untagged response the oldest outstanding one (none for
// the greeting, even with commands sent before it, nor for unilateral
// data), a "+" the command that waits (with the literal it says go ahead
// to), a line announcing a literal Continues with its size, the rest of
// the response after the literal its command too; a malformed client line
// has its head problem, and its tagged BAD answers RefusedCommand.
func TestModelIMAPServerFacts(t *testing.T) {
	s := NewSplitter(IMAP)
	var got []string
	keep := func(p Piece) {
		f := facts([]Piece{p})[0]
		if p.Literal != NoLiteral {
			f += fmt.Sprintf(" literal=%d", p.LiteralSize)
		}
		if p.Head != IMAPHeadOK {
			f += fmt.Sprintf(" head=%d", p.Head)
		}
		got = append(got, f)
	}
	s.Client([]byte("a1 CAPABILITY\r\n"), keep)
	s.Server([]byte("* OK [CAPABILITY IMAP4rev1] ready\r\n* CAPABILITY IMAP4rev1\r\na1 OK\r\n* 4 EXISTS\r\n"), keep)
	s.Client([]byte("a2  NOOP\r\na3 FETCH 1 BODY[]\r\na4 APPEND INBOX {3}\r\n"), keep)
	s.Server([]byte("a2 BAD one space\r\n* 1 FETCH (BODY[] {5}\r\nhello UID 7)\r\na3 OK\r\n+ go\r\n"), keep)
	s.Client([]byte("abc\r\n"), keep)
	s.Server([]byte("a4 OK\r\n"), keep)
	want := []string{
		`C line "a1 CAPABILITY\r\n" verb=CAPABILITY tag=a1`,
		`S line "* OK [CAPABILITY IMAP4rev1] ready\r\n"`,
		`S line "* CAPABILITY IMAP4rev1\r\n" verb=CAPABILITY tag=a1`,
		`S line "a1 OK\r\n" tag=a1 answers=CAPABILITY ok=true`,
		`S line "* 4 EXISTS\r\n"`,
		fmt.Sprintf(`C line "a2  NOOP\r\n" tag=a2 head=%d`, IMAPHeadSpaces),
		`C line "a3 FETCH 1 BODY[]\r\n" verb=FETCH tag=a3`,
		`C line "a4 APPEND INBOX {3}\r\n" verb=APPEND tag=a4 literal=3`,
		`S line "a2 BAD one space\r\n" tag=a2 answers=(refused) ok=false`,
		`S line "* 1 FETCH (BODY[] {5}\r\n" verb=FETCH tag=a3 continues literal=5`,
		`S payload "hello" verb=FETCH tag=a3`,
		`S line " UID 7)\r\n" verb=FETCH tag=a3`,
		`S line "a3 OK\r\n" tag=a3 answers=FETCH ok=true`,
		`S line "+ go\r\n" verb=APPEND tag=a4 literal=3`,
		`C payload "abc" verb=APPEND tag=a4`,
		`C line "\r\n" verb=APPEND tag=a4 continues`,
		`S line "a4 OK\r\n" tag=a4 answers=APPEND ok=true`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("facts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestModelIMAPAnswerHere: the simulator's own refusal of an IMAP line
// carries the facts the server's would: its tag, and Answers on the
// tagged line.
func TestModelIMAPAnswerHere(t *testing.T) {
	s := NewSplitter(IMAP)
	var got []string
	s.Client([]byte("a1 SELECT INBOX\r\nq SELECT \"open\r\n"), func(p Piece) {
		if p.QuoteOpen != (p.Tag == "q") {
			t.Errorf("%q: QuoteOpen %v", p.Data, p.QuoteOpen)
		}
		if p.Verb == "SELECT" && p.Tag == "q" {
			s.AnswerHere([]byte("q BAD [CLIENTBUG] unterminated\r\n"), func(r Piece) { got = append(got, facts([]Piece{r})...) })
		}
	})
	s.Server([]byte("* 2 EXISTS\r\n"), func(p Piece) { got = append(got, facts([]Piece{p})...) })
	want := []string{
		`S line "q BAD [CLIENTBUG] unterminated\r\n" tag=q answers=SELECT ok=false`,
		`S line "* 2 EXISTS\r\n" verb=SELECT tag=a1`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("facts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
