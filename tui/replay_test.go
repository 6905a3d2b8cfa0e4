package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// writeTestTranscript saves a small hand-made SMTP transcript.
func writeTestTranscript(t *testing.T) string {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	line := func(seq uint64, dir wire.Dir, kind wire.Kind, text, note, rfc string, lvl transcripts.Level) transcripts.Line {
		return transcripts.Line{Seq: seq, Session: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Dir: dir, Kind: kind,
			Time: at.Add(time.Duration(seq) * time.Second), Text: text, Raw: []byte(text + "\r\n"), Note: note, RFC: rfc,
			Level: lvl, Detail: fmt.Sprintf("The **reply code** of line %d says how it went.", seq)}
	}
	tr := &transcripts.Transcript{
		Version: transcripts.FormatVersion, Title: "test", Created: at,
		Sessions: []transcripts.SessionInfo{{ID: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Peer: "127.0.0.1:1", Opened: at}},
		Lines: []transcripts.Line{
			line(1, wire.FromServer, wire.Line, "220 mx.example.org ESMTP ready", "the server is ready", "RFC 5321 §4.2", transcripts.Success),
			line(2, wire.FromClient, wire.Line, "EHLO laptop.example.com", "the client introduces itself", "RFC 5321 §4.1.1.1", transcripts.Info),
			line(3, wire.FromServer, wire.Line, "250 mx.example.org", "the server greets the client", "RFC 5321 §4.1.1.1", transcripts.Success),
			line(4, wire.FromClient, wire.Line, "RCPT TO:<bob@example.org>", "names a recipient, too early", "RFC 5321 §4.1.1.3", transcripts.Info),
			line(5, wire.FromServer, wire.Line, "503 5.5.1 Bad sequence of commands", "MAIL must come first", "RFC 5321 §4.3.2", transcripts.Warning),
		},
	}
	path := filepath.Join(t.TempDir(), "smtp.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Save(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// Replay steps forward and back with the annotations, as a golden file.
func TestReplayStepsGolden(t *testing.T) {
	opts := testOptions(t)
	opts.ReplayFile = writeTestTranscript(t)
	tm := startTUI(t, opts, 100, 24)
	waitFor(t, tm, "line 1 of 5")
	for i := 0; i < 4; i++ {
		tm.Send(press(tea.KeyRight))
	}
	waitFor(t, tm, "line 5 of 5")
	tm.Send(press(tea.KeyLeft))
	waitFor(t, tm, "line 4 of 5")
	tm.Send(press(tea.KeyRight))
	// The explanation is rendered from Markdown in the background: wait for
	// it, so the golden never catches the plain text shown meanwhile.
	waitFor(t, tm, "line 5 of 5 · the end", "   The reply code of line 5")
	v := finalView(t, tm)
	mustContain(t, v, "S: 503 5.5.1 Bad sequence of commands", "MAIL must come first", "See RFC 5321 §4.3.2")
	teatest.RequireEqualOutput(t, []byte(v))
}
