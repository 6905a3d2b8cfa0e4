package transcripts

import (
	"bytes"
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

// OpenTranscriptEach gives every line with its offset, and LineAt reads it again
// from there: a replay keeps offsets, not lines.
func TestTranscriptFileLineAt(t *testing.T) {
	tr := sampleTranscript(false)
	var buf bytes.Buffer
	if err := tr.Save(&buf); err != nil {
		t.Fatal(err)
	}
	var offs []int64
	var texts []string
	tf, err := OpenTranscriptEach(bytes.NewReader(buf.Bytes()), func(off int64, l Line) error {
		offs, texts = append(offs, off), append(texts, l.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tf.Sessions()) != 3 {
		t.Errorf("%d sessions indexed, want 3", len(tf.Sessions()))
	}
	if len(offs) != len(tr.Lines) {
		t.Fatalf("%d lines, want %d", len(offs), len(tr.Lines))
	}
	for i := len(offs) - 1; i >= 0; i-- { // backwards: each read seeks
		l, err := tf.LineAt(offs[i])
		if err != nil || l.Text != texts[i] || l.Text != tr.Lines[i].Masked().Text {
			t.Errorf("line %d at %d: %q, %v; want %q", i, offs[i], l.Text, err, texts[i])
		}
	}
}
