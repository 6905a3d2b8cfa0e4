package transcripts

import (
	"iter"
	"testing"
)

// LabelSession gives other readers (the TUI's replay lanes) the label the
// handouts print.
func TestLabelSessionIsTheHandoutsLabel(t *testing.T) {
	tr := sampleTranscript(false)
	n := 0
	err := tr.EachSession(func(info SessionInfo, lines iter.Seq[Line]) error {
		got := LabelSession(info, lines)
		want := labelSession(info, lines)
		if got.ID != want.id || got.Role != want.role || got.Client != want.client || got.Server != want.server ||
			got.TLS != want.tls || got.Hop != want.hop || got.Lines != want.lines || got.Proto != want.proto {
			t.Errorf("session %s: %+v, want %+v", info.ID, got, want)
		}
		n++
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("%d sessions, err %v", n, err)
	}
}
