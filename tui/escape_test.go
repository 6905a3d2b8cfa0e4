package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// The attacks a crafted file carries: OSC 52 (writes the clipboard), OSC 0
// (the window title), CSI 2J (clears the screen), BEL, a C1 CSI (U+009B)
// and a bidi override (U+202E).
const (
	osc52    = "\x1b]52;c;cHduZWQ=\x07"
	osc0     = "\x1b]0;PWNED\x07"
	csiClear = "\x1b[2J"
	c1CSI    = "\u009b2J"
	bidiRLO  = "\u202e"
)

// rawControls fails when the screen holds a byte a terminal would obey
// rather than show. The tests run without colours, so a screen of ours
// holds no escape sequence at all.
func rawControls(t *testing.T, screen string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\x9b"} {
		if strings.Contains(screen, bad) {
			t.Errorf("the screen holds a raw %q:\n%q", bad, screen)
		}
	}
}

// A transcript's rfc and detail fields (and text and note) reach replay's
// screen as visible escapes, never as the sequences they spell.
func TestReplayTranscriptCSIEscaped(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tr := &transcripts.Transcript{
		Version: transcripts.FormatVersion, Title: "crafted" + osc0, Created: at,
		Sessions: []transcripts.SessionInfo{{ID: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Peer: "127.0.0.1:1" + csiClear, Opened: at}},
		Lines: []transcripts.Line{{
			Seq: 1, Session: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Dir: wire.FromServer, Kind: wire.Line, Time: at,
			Text:   "220 ready" + csiClear + bidiRLO + "txt.exe",
			Note:   "the server is ready" + osc52,
			RFC:    "RFC 5321" + csiClear + c1CSI,
			Detail: "Detail-Start " + osc0 + " middle " + osc52 + csiClear + " Detail-End",
			Level:  transcripts.Success,
		}},
	}
	path := filepath.Join(t.TempDir(), "crafted.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Save(f); err != nil {
		t.Fatal(err)
	}
	f.Close()

	opts := testOptions(t)
	opts.ReplayFile = path
	tm := startTUI(t, opts, 120, 30)
	waitFor(t, tm, "line 1 of 1", "Detail-End")
	v := finalView(t, tm)
	rawControls(t, v)
	mustContain(t, v, `220 ready\x1b[2J\u202etxt.exe`, `the server is ready\x1b]52;c;`, `Detail-Start \x1b]0;PWNED\x07`)
}

// A teacher's lesson file whose title and step title carry escape
// sequences shows them as escapes in the lesson menu and the lesson pane.
func TestLessonTitleEscapeInTUI(t *testing.T) {
	src, err := os.ReadFile("testdata/lessons/hello.md")
	if err != nil {
		t.Fatal(err)
	}
	lesson := strings.Replace(string(src), "title: Say hello to a server", `title: "Say hello \e]0;PWNED\a\e[2J\u202E to a server"`, 1)
	lesson = strings.Replace(lesson, "## Step: Say hello", "## Step: Say hello"+osc52+c1CSI, 1)
	lesson = strings.Replace(lesson, "`EHLO` introduces your computer.", "`EHLO` introduces"+osc0+" your computer.", 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.md"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.LessonDirs = []string{dir}
	tm := startTUI(t, opts, 120, 30)
	waitFor(t, tm, "Say hello ")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "220 ", "introduces")
	v := finalView(t, tm)
	rawControls(t, v)
	mustContain(t, v, `Say hello \x1b]0;PWNED\x07\x1b[2J\u202e to a server`, `1. Say hello\x1b]52;c;cHduZWQ=\x07\u009b2J`,
		`introduces\x1b]0;PWNED\x07`)
}
