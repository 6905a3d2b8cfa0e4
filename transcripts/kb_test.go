package transcripts

import (
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// TestStandardSessionsHaveDetails depends on package kb's data: every
// command and every reply of the standard sessions gets a full explanation
// (Detail) and an RFC reference from the knowledge base.
func TestStandardSessionsHaveDetails(t *testing.T) {
	for _, s := range mixedSessions() {
		for _, l := range annotateAll(s.proto, AnnotateOptions{}, s.evs) {
			if l.Kind != wire.Line || l.Code == "" && l.Dir == wire.FromServer {
				continue // payloads, meta events and content lines (RETR body, LIST entries)
			}
			if l.Dir == wire.FromClient && (l.Verb == "" || l.Secret && !strings.Contains(l.Text, " ")) {
				continue // SASL responses and literal continuations
			}
			if l.RFC == "" {
				t.Errorf("%s %s %q: no RFC", s.proto, l.Dir, l.Text)
			}
			if l.Detail == "" {
				t.Errorf("%s %s %q: no Detail from kb", s.proto, l.Dir, l.Text)
			}
		}
	}
}
