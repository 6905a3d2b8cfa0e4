package wire

import (
	"fmt"
	"strings"
	"testing"
)

// dialogue feeds alternating client/server chunks and returns the pieces.
func dialogue(p Proto, steps ...string) []Piece {
	s := NewSplitter(p)
	var out []Piece
	emit := func(pc Piece) {
		pc.Data = append([]byte(nil), pc.Data...)
		out = append(out, pc)
	}
	for _, st := range steps {
		switch {
		case strings.HasPrefix(st, "C:"):
			s.Client([]byte(st[2:]), emit)
		case strings.HasPrefix(st, "S:"):
			s.Server([]byte(st[2:]), emit)
		}
	}
	s.Flush(FromClient, emit)
	s.Flush(FromServer, emit)
	return out
}

func TestSplitSMTPDataBodyIsOnePayload(t *testing.T) {
	got := dialogue(SMTP,
		"S:220 mx ready\r\n",
		"C:EHLO me\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n",
		"S:250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
		"C:Subject: hi\r\n\r\n..leading dot\r\nSTARTTLS\r\n.\r\nQUIT\r\n",
		"S:250 queued\r\n221 bye\r\n",
	)
	var payloads []string
	var answers []string
	for _, p := range got {
		if p.Kind == Payload {
			payloads = append(payloads, string(p.Data))
		}
		if p.Answers != "" {
			answers = append(answers, p.Answers)
		}
	}
	if len(payloads) != 1 || payloads[0] != "Subject: hi\r\n\r\n..leading dot\r\nSTARTTLS\r\n.\r\n" {
		t.Fatalf("payloads = %q", payloads)
	}
	want := "<greeting> EHLO MAIL RCPT DATA <body> QUIT"
	if strings.Join(answers, " ") != want {
		t.Fatalf("answers = %v, want %s", answers, want)
	}
}

func TestSplitSMTPRefusedDataIsNoBody(t *testing.T) {
	got := dialogue(SMTP, "S:220 x\r\n", "C:DATA\r\n", "S:503 5.5.1 no\r\n", "C:QUIT\r\n")
	for _, p := range got {
		if p.Kind == Payload {
			t.Fatalf("unexpected payload %q", p.Data)
		}
	}
	if got[len(got)-1].Kind != Line || string(got[len(got)-1].Data) != "QUIT\r\n" {
		t.Fatalf("last piece %+v", got[len(got)-1])
	}
}

func TestSplitSMTPAuthSecrets(t *testing.T) {
	got := dialogue(SMTP, "S:220 x\r\n", "C:AUTH PLAIN AGFsaWNlAHB3\r\n", "S:235 ok\r\n",
		"C:AUTH LOGIN\r\n", "S:334 VXNlcm5hbWU6\r\n", "C:YWxpY2U=\r\n", "S:334 UGFzc3dvcmQ6\r\n", "C:cHc=\r\n", "S:235 ok\r\n", "C:NOOP\r\n")
	secrets := map[string]string{}
	for _, p := range got {
		if !p.Secret.Empty() {
			secrets[string(p.Data)] = string(p.Data[p.Secret.Start:p.Secret.End])
		}
	}
	if secrets["AUTH PLAIN AGFsaWNlAHB3\r\n"] != "AGFsaWNlAHB3" || secrets["YWxpY2U=\r\n"] != "YWxpY2U=" || secrets["cHc=\r\n"] != "cHc=" {
		t.Fatalf("secrets = %q", secrets)
	}
	if len(secrets) != 3 {
		t.Fatalf("NOOP must not be secret: %q", secrets)
	}
}

func TestSplitBDAT(t *testing.T) {
	got := dialogue(SMTP, "S:220 x\r\n", "C:BDAT 5 LAST\r\nab\r\ncNOOP\r\n")
	if len(got) != 4 || got[2].Kind != Payload || string(got[2].Data) != "ab\r\nc" || string(got[3].Data) != "NOOP\r\n" {
		t.Fatalf("pieces = %+v", got)
	}
}

func TestSplitIMAPLiterals(t *testing.T) {
	got := dialogue(IMAP,
		"S:* OK ready\r\n",
		"C:a1 LOGIN {5}\r\n",
		"S:+ go ahead\r\n",
		"C:alice {10}\r\n",
		"S:+ go ahead\r\n",
		"C:wonderland\r\n",
		"S:a1 OK done\r\n",
		"C:a2 APPEND INBOX {3+}\r\nxyz\r\n",
		"S:* 1 FETCH (BODY[] {4}\r\nab\r\n)\r\na2 OK appended\r\n",
	)
	var kinds []string
	for _, p := range got {
		k := p.Kind.String() + ":" + strings.TrimRight(string(p.Data), "\r\n")
		if !p.Secret.Empty() {
			k += "(secret)"
		}
		kinds = append(kinds, k)
	}
	want := []string{"line:* OK ready", "line:a1 LOGIN {5}", "line:+ go ahead", "payload:alice", "line: {10}", "line:+ go ahead",
		"payload:wonderland(secret)", "line:", "line:a1 OK done", "line:a2 APPEND INBOX {3+}", "payload:xyz", "line:",
		"line:* 1 FETCH (BODY[] {4}", "payload:ab", "line:)", "line:a2 OK appended"}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
	if got[8].Answers != "LOGIN" || !got[8].OK || got[15].Answers != "APPEND" {
		t.Fatalf("answers: %q %q", got[8].Answers, got[15].Answers)
	}
}

func TestSplitIMAPRefusedLiteralIsNotSwallowed(t *testing.T) {
	got := dialogue(IMAP, "S:* OK\r\n", "C:a1 APPEND INBOX {99999999}\r\n", "S:a1 NO too big\r\n", "C:a2 NOOP\r\n")
	last := got[len(got)-1]
	if last.Kind != Line || string(last.Data) != "a2 NOOP\r\n" {
		t.Fatalf("last = %+v", last)
	}
}

// A client that sends a synchronising literal without waiting for "+"
// (Dovecot, and go-imap, read it all the same) sent the literal, whether its
// bytes come before the server's "+" or in the same flight as the command;
// the command after it is a command, not the literal's bytes. A password
// sent so is still a secret.
func TestSplitIMAPLiteralSentBeforeTheGoAhead(t *testing.T) {
	for _, steps := range [][]string{
		{"S:* OK\r\n", "C:b1 SELECT {5}\r\nINBOX\r\nb2 LOGOUT\r\n", "S:+ Ready\r\nb1 OK selected\r\n"},
		{"S:* OK\r\n", "C:b1 SELECT {5}\r\n", "C:INBOX\r\n", "S:+ Ready\r\nb1 OK selected\r\n", "C:b2 LOGOUT\r\n"},
		{"S:* OK\r\n", "C:b1 SELECT {5}\r\n", "S:+ Ready\r\n", "C:INBOX\r\nb2 LOGOUT\r\n"},
	} {
		var kinds []string
		for _, p := range dialogue(IMAP, steps...) {
			if p.Dir == FromClient {
				kinds = append(kinds, p.Kind.String()+":"+strings.TrimRight(string(p.Data), "\r\n")+":"+p.Verb)
			}
		}
		want := "line:b1 SELECT {5}:SELECT|payload:INBOX:SELECT|line::SELECT|line:b2 LOGOUT:LOGOUT" // a literal carries its command's verb
		if got := strings.Join(kinds, "|"); got != want {
			t.Errorf("%q:\n got %s\nwant %s", steps, got, want)
		}
	}
	got := dialogue(IMAP, "S:* OK\r\n", "C:a1 LOGIN alice {4}\r\npass\r\n")
	if p := got[2]; p.Kind != Payload || p.Secret.Empty() {
		t.Fatalf("an early password literal: %+v", p)
	}
}

func TestSplitIMAPLoginSecret(t *testing.T) {
	got := dialogue(IMAP, "S:* OK\r\n", "C:a1 login alice \"won der\"\r\n")
	p := got[1]
	if p.Secret.Empty() || string(p.Data[p.Secret.Start:p.Secret.End]) != "\"won der\"" {
		t.Fatalf("secret %+v in %q", p.Secret, p.Data)
	}
}

func TestSplitPOP3(t *testing.T) {
	got := dialogue(POP3, "S:+OK hi\r\n", "C:USER bob\r\nPASS builder\r\nLIST\r\nRETR 1\r\nSTLS\r\n",
		"S:+OK\r\n+OK in\r\n+OK 1 messages\r\n1 100\r\n.\r\n+OK\r\nSubject: x\r\n..dot\r\n.\r\n+OK go\r\n")
	var answers []string
	for _, p := range got {
		if p.Answers != "" {
			answers = append(answers, p.Answers)
		}
		if strings.HasPrefix(string(p.Data), "PASS") && string(p.Data[p.Secret.Start:p.Secret.End]) != "builder" {
			t.Fatalf("PASS secret %+v", p.Secret)
		}
	}
	if strings.Join(answers, " ") != "<greeting> USER PASS LIST RETR STLS" {
		t.Fatalf("answers %v", answers)
	}
}

func TestSplitLongLineIsBounded(t *testing.T) {
	s := NewSplitter(SMTP)
	big := strings.Repeat("A", 1<<20) + "\r\n"
	var n, maxLen int
	for i := 0; i < len(big); i += 4096 {
		end := min(i+4096, len(big))
		s.Client([]byte(big[i:end]), func(p Piece) {
			n++
			maxLen = max(maxLen, len(p.Data))
		})
	}
	if maxLen > MaxLine+2 || n < 16 {
		t.Fatalf("pieces %d, longest %d", n, maxLen)
	}
}

func TestPieceEndMarksStartTLSCut(t *testing.T) {
	s := NewSplitter(SMTP)
	chunk := []byte("STARTTLS\r\nMAIL FROM:<evil@x>\r\n")
	var ends []int
	s.Client(chunk, func(p Piece) { ends = append(ends, p.End) })
	if len(ends) != 2 || ends[0] != len("STARTTLS\r\n") || ends[1] != len(chunk) {
		t.Fatalf("ends %v", ends)
	}
}

func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a1 LOGIN {5}\r\n"), []byte("+ ok\r\n"), uint8(0))
	f.Add([]byte("DATA\r\nbody\r\n.\r\n"), []byte("354 go\r\n"), uint8(1))
	f.Add([]byte("BDAT 3\r\nabc"), []byte("250 ok\r\n"), uint8(2))
	f.Fuzz(func(t *testing.T, c, s []byte, proto uint8) {
		p := []Proto{IMAP, SMTP, POP3}[int(proto)%3]
		sp := NewSplitter(p)
		total := 0
		emit := func(pc Piece) {
			total += len(pc.Data)
			if !pc.Secret.Empty() && (pc.Secret.Start < 0 || pc.Secret.End > len(pc.Data)) {
				t.Fatalf("secret out of range: %+v len %d", pc.Secret, len(pc.Data))
			}
		}
		sp.Server(s, emit)
		sp.Client(c, emit)
		sp.Server(s, emit)
		sp.Client(c, emit)
		sp.Flush(FromClient, emit)
		sp.Flush(FromServer, emit)
		if total != 2*len(c)+2*len(s) {
			t.Fatalf("bytes lost or invented: %d != %d", total, 2*len(c)+2*len(s))
		}
	})
}

func TestSplitIMAPUntaggedLoginIsStillSecret(t *testing.T) {
	got := dialogue(IMAP, "S:* OK\r\n", "C:LOGIN bob builder\r\n")
	p := got[1]
	if string(p.Data[p.Secret.Start:p.Secret.End]) != "builder" {
		t.Fatalf("secret %+v", p.Secret)
	}
}

// The end of a DATA body is found wherever the reads cut it, and the body
// comes out as one payload, whole, with the command after it a line again.
func TestSplitDataBodyAcrossChunkSizes(t *testing.T) {
	body := "Subject: x\r\n\r\n..stuffed\r\nline\r\n.\r\n"
	for size := 1; size <= 2*(len(body)+10); size++ {
		sp := NewSplitter(SMTP)
		skim := size > len(body)+10 // the second round skims: the body is found, not kept
		sp.Skim(skim)
		var got []Piece
		emit := func(p Piece) { p.Data = append([]byte(nil), p.Data...); got = append(got, p) }
		sp.Server([]byte("220 hi\r\n"), func(Piece) {})
		sp.Client([]byte("DATA\r\n"), emit)
		sp.Server([]byte("354 go ahead\r\n"), emit)
		stream := []byte(body + "QUIT\r\n")
		for len(stream) > 0 {
			n := min((size-1)%(len(body)+10)+1, len(stream))
			sp.Client(stream[:n], emit)
			stream = stream[n:]
		}
		want := body
		if skim {
			want = ""
		}
		if len(got) != 4 || got[2].Kind != Payload || string(got[2].Data) != want || string(got[3].Data) != "QUIT\r\n" || got[3].Kind != Line {
			t.Fatalf("chunks of %d: %+v", size, got)
		}
	}
}

// Skimming (a tap nobody listens to) must not change what the relay acts
// on: which command each reply answers, whether it succeeded, the verbs,
// and where in the stream they end, however the bytes are cut into reads.
func FuzzSkimAgrees(f *testing.F) {
	f.Add([]byte("RETR 1\r\nLIST\r\nQUIT\r\n"), []byte("+OK\r\n+OK 5\r\na\r\n..b\r\n.\r\n+OK\r\n1 5\r\n.\r\n+OK bye\r\n"), uint8(2), uint8(7))
	f.Add([]byte("a FETCH 1 BODY[]\r\nb NOOP\r\n"), []byte("* OK\r\n* 1 FETCH (BODY[] {5}\r\nhello)\r\na OK\r\nb OK\r\n"), uint8(0), uint8(30))
	f.Add([]byte("EHLO x\r\nBDAT 3 LAST\r\nabcQUIT\r\n"), []byte("220 hi\r\n250 ok\r\n250 ok\r\n221 bye\r\n"), uint8(1), uint8(3))
	f.Fuzz(func(t *testing.T, c, s []byte, proto, cut uint8) {
		p := []Proto{IMAP, SMTP, POP3}[int(proto)%3]
		type seen struct {
			dir     Dir
			answers string
			ok      bool
			verb    string
			end     int
		}
		run := func(skim bool) ([]seen, bool) {
			sp := NewSplitter(p)
			sp.Skim(skim)
			var got []seen
			emit := func(pc Piece) {
				// (A skimmed POP3 multi-line response's inner lines are
				// not emitted: their Verb, on server lines, is left out.)
				if pc.Answers != "" || pc.Verb != "" && pc.Dir == FromClient {
					got = append(got, seen{pc.Dir, pc.Answers, pc.OK, pc.Verb, pc.End})
				}
			}
			// The commands, then the replies, each cut in two reads.
			for i, feed := range []func([]byte, func(Piece)){sp.Client, sp.Server} {
				half := [][]byte{c, s}[i]
				k := int(cut) % len(half)
				feed(half[:k], emit)
				feed(half[k:], emit)
			}
			return got, sp.OwesTaggedReply()
		}
		if len(c) == 0 || len(s) == 0 {
			return
		}
		a, owesA := run(false)
		b, owesB := run(true)
		if fmt.Sprint(a) != fmt.Sprint(b) || owesA != owesB {
			t.Fatalf("skimming changed the result:\n%v %v\n%v %v", a, owesA, b, owesB)
		}
	})
}

// An empty body (just the dot) ends at once, skimmed or not.
func TestSplitEmptyDataBody(t *testing.T) {
	for _, skim := range []bool{false, true} {
		sp := NewSplitter(SMTP)
		sp.Skim(skim)
		var kinds []Kind
		emit := func(p Piece) { kinds = append(kinds, p.Kind) }
		sp.Server([]byte("220 hi\r\n"), emit)
		sp.Client([]byte("DATA\r\n"), emit)
		sp.Server([]byte("354 go\r\n"), emit)
		sp.Client([]byte(".\r\nQUIT\r\n"), emit)
		if fmt.Sprint(kinds) != fmt.Sprint([]Kind{Line, Line, Line, Payload, Line}) {
			t.Fatalf("skim %v: %v", skim, kinds)
		}
	}
}

// OpenLine counts the bytes of a client line begun and not ended, and
// nothing inside a literal or a DATA body; continues tells a line that
// carries on a command from one that starts one.
func TestOpenLine(t *testing.T) {
	ignore := func(Piece) {}
	type step struct {
		dir       Dir
		bytes     string
		open      int
		continues bool
	}
	for _, tc := range []struct {
		proto Proto
		steps []step
	}{
		{IMAP, []step{
			{FromServer, "* OK ready\r\n", 0, false},
			{FromClient, "a1 SEL", 6, false},
			{FromClient, "ECT INBOX\r\na2 LOGIN {5}\r\n", 0, true},
			{FromServer, "+ go ahead\r\n", 0, false},
			{FromClient, "ali", 0, false}, // the literal
			{FromClient, "ce pass", 5, true},
			{FromClient, "word\r\n", 0, false},
		}},
		{SMTP, []step{
			{FromServer, "220 mx\r\n", 0, false},
			{FromClient, "EHLO me\r\nMAIL FR", 7, false},
			{FromClient, "OM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", 0, false},
			{FromServer, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n", 0, false},
			{FromClient, "Subject: a long bo", 0, false},       // the body
			{FromClient, "dy\r\n.\r\nAUTH LOGIN\r\n", 0, true}, // the user name is due, 334 or not
			{FromServer, "250 queued\r\n334 VXNlcm5hbWU6\r\n", 0, true},
			{FromClient, "YWxp", 4, true},
		}},
	} {
		s := NewSplitter(tc.proto)
		for i, st := range tc.steps {
			if st.dir == FromClient {
				s.Client([]byte(st.bytes), ignore)
			} else {
				s.Server([]byte(st.bytes), ignore)
			}
			open, continues := s.OpenLine(FromClient)
			if open != st.open || continues != st.continues {
				t.Errorf("%v step %d (%q): OpenLine = %d, %v; want %d, %v", tc.proto, i, st.bytes, open, continues, st.open, st.continues)
			}
		}
	}
}
