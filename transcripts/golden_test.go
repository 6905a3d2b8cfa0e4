package transcripts

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// TestGolden compares whole annotated transcripts of typical sessions with
// the files under testdata/golden (go test -run Golden -update rewrites them;
// read the diff before committing).
func TestGolden(t *testing.T) {
	cases := []struct {
		name  string
		proto wire.Proto
		evs   []wire.Event
	}{
		{"smtp_submission", wire.SMTP, smtpSubmission()},
		{"smtp_mistakes", wire.SMTP, smtpMistakes()},
		{"pop3_session", wire.POP3, pop3Session()},
		{"pop3_errors", wire.POP3, pop3Errors()},
		{"imap_session", wire.IMAP, imapSession()},
		{"imap_untagged_login", wire.IMAP, imapUntaggedLoginSession()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := annotateAll(c.proto, AnnotateOptions{}, c.evs)
			for _, l := range lines {
				if l.Unknown {
					t.Errorf("line %q of a standard session is Unknown (note %q)", l.Text, l.Note)
				}
			}
			got := golden(lines)
			path := filepath.Join("testdata", "golden", c.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run Golden -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("annotated transcript differs from %s; got:\n%s", path, got)
			}
		})
	}
}
