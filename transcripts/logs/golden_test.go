package logs

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/transcripts"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// TestAnnotatedLogsGolden reads whole logs through the wire model and the
// protocol annotators, as `mailtutor annotate` does, and compares every
// line's note and the command it is filed under with testdata/golden
// (go test -run AnnotatedLogsGolden -update rewrites them; read the diff).
// The logs are pipelined sessions, where a reply must be explained by the
// command it answers and not by the last one sent, and an imaplib log
// whose FETCH responses go on after their literals.
func TestAnnotatedLogsGolden(t *testing.T) {
	for _, name := range []string{
		"cs_imap_pipelined.log",
		"cs_imap_rfc9051_pipelined.log",
		"cs_smtp_pipelined_rfc2920.log",
		"cs_pop3_pipelined.log",
		"imaplib_literals_real.log",
		"imaplib_literal_envelope.log",
	} {
		t.Run(name, func(t *testing.T) {
			got := annotatedLog(t, name)
			path := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".log")+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run AnnotatedLogsGolden -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("annotated log differs from %s; got:\n%s", path, got)
			}
		})
	}
}

// annotatedLog renders a sample log as annotate would explain it: each
// line, its note, the command it is filed under and its tag.
func annotatedLog(t *testing.T, name string) string {
	res, err := Parse(bytes.NewReader(readSample(t, name)), Options{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	var b strings.Builder
	for _, s := range res.Sessions {
		a := transcripts.NewAnnotator(s.Proto, transcripts.AnnotateOptions{})
		fmt.Fprintf(&b, "## %s (%s)\n", s.ID, s.Proto)
		for _, e := range s.Events {
			l := a.Annotate(e)
			fmt.Fprintf(&b, "%s %s\n    # %s\n    [verb=%s tag=%s]\n", l.Dir, l.Text, l.Note, l.Verb, l.Tag)
			if l.Unknown {
				t.Errorf("line %q is Unknown (note %q)", l.Text, l.Note)
			}
		}
	}
	return b.String()
}
