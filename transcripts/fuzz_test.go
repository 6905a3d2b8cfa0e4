package transcripts

import (
	"bytes"
	"fmt"
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
			if strings.ContainsAny(s, "\x00\r\n\x1b") || !utf8.ValidString(s) {
				t.Fatalf("unsafe display text %q", s)
			}
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
		"FuzzAnnotateSMTP": {smtpSubmissionSteps, smtpMistakesSteps},
		"FuzzAnnotatePOP3": {pop3SessionSteps, pop3ErrorsSteps},
		"FuzzAnnotateIMAP": {imapSessionSteps, imapUntaggedLoginSteps},
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
