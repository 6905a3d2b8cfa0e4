package transcripts

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A fuzz input is a dialogue: chunks separated by 0x1e, each starting with
// 'C' (client bytes), 'S' (server bytes) or 'T' (TLS starts). The chunks go
// through the real splitter, then through the annotator; every chunk is also
// annotated directly as an arbitrary event, so the annotator sees bytes no
// splitter would produce.

const chunkSep = "\x1e"

func dialogueInput(steps ...string) []byte {
	var parts []string
	for _, s := range steps {
		switch {
		case strings.HasPrefix(s, "C:"):
			parts = append(parts, "C"+s[2:])
		case strings.HasPrefix(s, "S:"):
			parts = append(parts, "S"+s[2:])
		case s == "TLS:":
			parts = append(parts, "T")
		}
	}
	return []byte(strings.Join(parts, chunkSep))
}

func fuzzAnnotate(t *testing.T, proto wire.Proto, data []byte) {
	sp := wire.NewSplitter(proto)
	a := NewAnnotator(proto, AnnotateOptions{})
	check := func(e wire.Event) {
		l := a.Annotate(e)
		if l.Note == "" {
			t.Fatalf("empty note for %q", e.Data)
		}
		if strings.HasPrefix(l.Note, InternalErrorNote) {
			t.Fatalf("the annotator failed on %q: %s", e.Data, l.Note)
		}
		for _, s := range []string{l.Text, l.Note} {
			if strings.ContainsAny(s, "\x00\r\n\x1b") || !utf8.ValidString(s) || wire.Visible(s) != s {
				t.Fatalf("unsafe display text %q", s)
			}
		}
		if wire.VisibleLines(l.Detail) != l.Detail {
			t.Fatalf("unsafe detail %q", l.Detail)
		}
		if !e.Secret.Empty() && e.Secret.End <= len(e.Data) && e.Secret.Start >= 0 {
			secret := e.Data[e.Secret.Start:e.Secret.End]
			if len(secret) >= 6 && !bytes.Contains(e.Data[:e.Secret.Start], secret) && !bytes.Contains(e.Data[e.Secret.End:], secret) && bytes.Contains(l.Raw, secret) {
				t.Fatalf("secret %q leaked into Raw %q", secret, l.Raw)
			}
		}
	}
	emit := func(p wire.Piece) {
		e := p.Event()
		e.Proto = proto
		check(e)
	}
	raw := NewAnnotator(proto, AnnotateOptions{RevealSecrets: true})
	for i, chunk := range bytes.Split(data, []byte(chunkSep)) {
		if len(chunk) == 0 {
			continue
		}
		body := chunk[1:]
		switch chunk[0] {
		case 'C':
			sp.Client(body, emit)
		case 'S':
			sp.Server(body, emit)
		case 'T':
			sp.Reset(wire.FromClient)
			sp.Reset(wire.FromServer)
			check(wire.Event{Dir: wire.Meta, Kind: wire.TLS, Data: body})
		}
		// The same bytes as an arbitrary event.
		e := wire.Event{Dir: wire.Dir(i % 3), Kind: wire.Kind(int(chunk[0]) % 9), Data: body, N: len(body)}
		if len(body) > 2 {
			e.Secret = wire.Range{Start: int(body[0]) % len(body), End: int(body[1]) % (len(body) + 1)}
		}
		raw.Annotate(e)
	}
	sp.Flush(wire.FromClient, emit)
	sp.Flush(wire.FromServer, emit)
}

func FuzzAnnotateSMTP(f *testing.F) {
	f.Add(dialogueInput("S:220 x\r\n", "C:EHLO a\r\nMAIL FROM:<a@b>\r\n", "S:250-x\r\n250 SIZE 5\r\n250 ok\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzAnnotate(t, wire.SMTP, data) })
}

func FuzzAnnotatePOP3(f *testing.F) {
	f.Add(dialogueInput("S:+OK hi\r\n", "C:LIST\r\n", "S:+OK\r\n1 2\r\n.\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzAnnotate(t, wire.POP3, data) })
}

func FuzzAnnotateIMAP(f *testing.F) {
	f.Add(dialogueInput("S:* OK hi\r\n", "C:a FETCH 1 BODY[]\r\n", "S:* 1 FETCH (BODY[] {3}\r\nabc)\r\na OK\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzAnnotate(t, wire.IMAP, data) })
}

// TestWriteFuzzSeeds writes the standard sessions as seed corpora under
// testdata/fuzz (go test -run WriteFuzzSeeds -update).
func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		return
	}
	seeds := map[string][][]string{
		"FuzzAnnotateSMTP": {smtpSubmissionSteps, smtpMistakesSteps, smtpAttackSteps},
		"FuzzAnnotatePOP3": {pop3SessionSteps, pop3ErrorsSteps, pop3AttackSteps},
		"FuzzAnnotateIMAP": {imapSessionSteps, imapUntaggedLoginSteps, imapAttackSteps},
	}
	for name, dialogues := range seeds {
		dir := filepath.Join("testdata", "fuzz", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, d := range dialogues {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(dialogueInput(d...))))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("session%d", i+1)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The attacks of issue 15: OSC 52 (clipboard), OSC 0 (title), CSI 2J
// (clear screen), BEL, C1 CSI as a byte (0x9b) and as a character
// (U+009B), a bidi override (U+202E), in every place a line can carry them.
var (
	smtpAttackSteps = []string{
		"S:220 mx ESMTP \x1b]52;c;cHduZWQ=\x07\r\n", "C:EHLO a\x1b[2J\r\n", "S:250-mx \a\r\n250 AUTH PLAIN LOGIN\r\n",
		"C:MAIL FROM:<pay\u202egpj.exe@example.net>\r\n", "S:250 2.1.0 Ok\x9b2J\r\n",
		"C:RCPT TO:<bob@example.org>\r\n", "S:250 ok \u009b2J\r\n", "C:DATA\r\n", "S:354 go\r\n",
		"C:Subject: hi\x1b]0;PWNED\x07\r\nFrom: b\u202e@x\r\n\r\nbody\x1b[2J\r\n.\r\n", "S:250 queued \u202e\r\n",
	}
	pop3AttackSteps = []string{
		"S:+OK ready <1.2@x> \x1b]52;c;cHduZWQ=\x07\r\n", "C:USER alice\x1b[2J\r\n", "S:+OK \a\r\n",
		"C:RETR 1\u202e\r\n", "S:-ERR no\x9b2J \u009b2J\r\n", "C:TOP 1 0\r\n",
		"S:+OK\r\nSubject: \x1b]0;PWNED\x07\u202e\r\n\r\n.\r\n",
	}
	imapAttackSteps = []string{
		"S:* OK ready \x1b]52;c;cHduZWQ=\x07\r\n", "C:a1 SELECT INBOX\u202e\x1b[2J\r\n", "S:* 1 EXISTS\a\r\n",
		"S:a1 OK [READ-WRITE] done\x9b2J\u009b2J\r\n", "C:a2 FETCH 1 BODY[HEADER]\r\n",
		"S:* 1 FETCH (BODY[HEADER] {40}\r\nSubject: \x1b]0;PWNED\x07\u202e\x9b2J\r\n\r\n)\r\n", "S:a2 OK done\r\n",
	}
)

// FuzzLoadTranscript loads any bytes as a transcript file and, when they
// load, holds what every output makes of them to issue 15: the text,
// Markdown and HTML exports and the lines replay shows carry no control
// character but newline and tab, no C1, no bidi control, no invalid UTF-8.
// Seeds under testdata/fuzz/FuzzLoadTranscript carry the attacks in every
// field of the file.
func FuzzLoadTranscript(f *testing.F) {
	f.Add([]byte(`{"format":"mailtutor-transcript","version":1,"title":"t\u001b]0;PWNED\u0007","created":"2026-01-02T10:00:00Z","sessions":[{"id":"s1","proto":"smtp","peer":"p\u202e"}]}
{"seq":1,"session":"s1","proto":"smtp","dir":"S","kind":"line","time":"2026-01-02T10:00:00Z","text":"220 x\n\n<script>\u001b[2J","note":"n\u009b","detail":"d\u0007","rfc":"RFC\u202e"}
`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, l := range NewPlayer(tr).lines { // what replay shows
			for _, s := range []string{string(l.Session), string(l.Proto), string(l.Role), l.Text, l.Note, l.RFC, l.Verb, l.Tag, l.Code, l.Enhanced, l.RespCode, l.State} {
				if wire.Visible(s) != s {
					t.Fatalf("a loaded line shows %q", s)
				}
			}
			if wire.VisibleLines(l.Detail) != l.Detail {
				t.Fatalf("a loaded detail shows %q", l.Detail)
			}
		}
		for name, write := range map[string]func(io.Writer, Handout) error{"text": WriteText, "md": WriteMarkdown, "html": WriteHTML} {
			var out bytes.Buffer
			if err := write(&out, tr); err != nil {
				t.Fatal(err)
			}
			if s := out.String(); wire.VisibleLines(s) != s {
				t.Fatalf("the %s export of %q holds a raw control:\n%q", name, data, s)
			}
		}
	})
}
