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
		"msmtp_pipelined_real.log",
		"mbsync_network.log",
		"msmtp_pipelined_refused_real.log",
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

// TestPipelinedLogsExplainedByTheirCommand pins what the golden files show
// for the mistakes a pipelined or literal-rich log used to get: a reply
// explained by the last command sent instead of the one it answers, and
// the FETCH items after a literal left unexplained.
func TestPipelinedLogsExplainedByTheirCommand(t *testing.T) {
	for _, c := range []struct {
		log, line, verb, want, notWant string
	}{
		{"cs_imap_pipelined.log", "* 32 EXISTS", "SELECT", "mailbox INBOX holds 32 messages", "new mail"},
		{"cs_imap_pipelined.log", "a4 OK FETCH completed", "FETCH", "every message asked for has been sent", "no message matched"},
		{"cs_imap_pipelined.log", "* 2 FETCH (FLAGS (\\Seen))", "STORE", "flags \\Seen", "another session changed it"},
		{"cs_imap_rfc9051_pipelined.log", "+ idling", "IDLE", "the server is idling", ""},
		{"cs_smtp_pipelined_rfc2920.log", "554 no valid recipients given", "DATA", "no recipient was accepted", ""},
		{"mbsync_network.log", "9 OK UID FETCH completed", "UID FETCH", "every message asked for has been sent", ""},
		{"mbsync_network.log", "* 3 FETCH (UID 3 BODY[] {794}", "UID FETCH", "UID 3", ""},
		{"msmtp_pipelined_real.log", "250 2.1.0 Roger, accepting mail from <alice@example.com>", "MAIL", "accepted sender <alice@example.com>", "accepted recipient"},
		{"msmtp_pipelined_real.log", "250 2.1.5 I'll make sure <alice@example.com> gets this", "RCPT", "recipient <alice@example.com> (2 recipients so far)", ""},
		{"msmtp_pipelined_real.log", "354 Go ahead. End your data with <CR><LF>.<CR><LF>", "DATA", "go ahead: send the message", ""},
		{"msmtp_pipelined_refused_real.log", "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table", "RCPT", "recipient <nobody@example.com> was refused", "DATA"},
		{"cs_pop3_pipelined.log", "+OK POP3 server signing off (1 message left)", "QUIT", "UPDATE state", "before login"},
		{"imaplib_literal_envelope.log", ` (("Bob Builder" NIL`, "FETCH", "reply-to <builders@example.org>", ""},
		{"imaplib_literal_envelope.log", " BODYSTRUCTURE (((", "FETCH", `2 application/pdf 604 bytes, attachment "minutes.pdf"`, ""},
	} {
		got := annotatedLog(t, c.log)
		i := strings.Index(got, "\n"+"S "+c.line)
		if i < 0 {
			t.Errorf("%s: no server line %q", c.log, c.line)
			continue
		}
		entry := got[i+1:]
		if j := strings.Index(entry, "]\n"); j >= 0 {
			entry = entry[:j]
		}
		if !strings.Contains(entry, c.want) || c.notWant != "" && strings.Contains(entry, c.notWant) || !strings.Contains(entry, "verb="+c.verb+" ") {
			t.Errorf("%s: %q is explained as\n%s\nwant it under %s, saying %q and not %q", c.log, c.line, entry, c.verb, c.want, c.notWant)
		}
	}
}
