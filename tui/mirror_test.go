package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// seenBy waits until everything the program drew contains every string
// (escape sequences removed), and returns what it drew.
func seenBy(t *testing.T, tm *teatest.TestModel, seen *bytes.Buffer, want ...string) string {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		s := ansi.Strip(seen.String())
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	return ansi.Strip(seen.String())
}

// A MirrorView shows the world its Mirror names, line by line with the
// lines' notes, follows the learner to another world, and changes nothing:
// the faults and the DNS page are not offered, and its keys reach no
// session.
func TestMirrorViewFollowsWorlds(t *testing.T) {
	opts := testOptions(t)
	sandbox, err := startLiveWorld(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sandbox.Close()
	lesson, err := startLiveWorld(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer lesson.Close()

	mirror := NewMirror()
	mirror.set(nil, "on the home screen", "")
	opts.Projector = true
	v := NewMirrorView(mirror, "alice", opts)
	tm := teatest.NewTestModel(t, v, teatest.WithInitialTermSize(100, 40))
	t.Cleanup(func() { tm.Quit() })
	var seen bytes.Buffer
	seenBy(t, tm, &seen, "alice's mail world has not started yet (on the home screen)")

	mirror.set(sandbox, "in the sandbox", "")
	seenBy(t, tm, &seen, "alice has no session yet", "alice: in the sandbox")
	c, err := sandbox.Dial(wire.RoleSubmission)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("EHLO mirrored.example.com\r\n"))
	seenBy(t, tm, &seen, "S: 250-Hello mirrored.example.com", "the server greets the client")

	// The viewer's keys: the faults overlay, the DNS page, typing. None is
	// the world's business.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("t")})
	seenBy(t, tm, &seen, "this world has no faults to switch")
	tm.Send(tea.KeyMsg{Type: tea.KeyF4})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlD}) // the DNS page's key elsewhere
	tm.Type("RSET")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	c.Write([]byte("NOOP\r\n"))
	got := seenBy(t, tm, &seen, "C: NOOP")
	if strings.Contains(got, "RSET") {
		t.Error("the viewer's typing reached the session")
	}
	if a := sandbox.(*liveWorld).sim.Faults().Active(); len(a) != 0 {
		t.Errorf("the viewer switched faults on: %v", a)
	}

	// The learner opens a lesson: its world is shown, with where they are.
	mirror.set(lesson, "lesson “First”, step 1 of 3: Say hello", "## Say hello\n\nType **EHLO** and a name for your computer.")
	seenBy(t, tm, &seen, "alice: lesson “First”, step 1 of 3: Say hello", "alice has no session yet",
		"Type EHLO and a name for your computer") // the Lesson pane: what the step asks
	l, err := lesson.Dial(wire.RolePOP3)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Write([]byte("CAPA\r\n"))
	seenBy(t, tm, &seen, "S: EXPIRE NEVER", "1 s1 pop3")

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// The projector's layout: the explanation under the conversation, never
// beside it, even in a wide window.
func TestMirrorViewProjectorLayout(t *testing.T) {
	opts := testOptions(t)
	w, err := startLiveWorld(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mirror := NewMirror()
	mirror.set(w, "in the sandbox", "")
	opts.Projector = true
	v := NewMirrorView(mirror, "bob", opts)
	tm := teatest.NewTestModel(t, v, teatest.WithInitialTermSize(140, 40))
	c, err := w.Dial(wire.RoleSubmission)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("EHLO wide.example.com\r\n"))
	var seen bytes.Buffer
	seenBy(t, tm, &seen, "C: EHLO wide.example.com")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*MirrorView)
	final.ended = false // View draws nothing once ended
	for _, row := range strings.Split(ansi.Strip(final.View()), "\n") {
		if strings.Contains(row, "EHLO wide.example.com") && strings.Contains(row, "│") {
			t.Errorf("the explanation is beside the conversation: %q", row)
		}
	}
}

// The learner's program tells its Mirror the world it works in and where
// the learner is, after every message.
func TestModelReportsMirror(t *testing.T) {
	m := sandboxWithLines(t, 1)
	mirror := NewMirror()
	m.opts.Mirror = mirror
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if w, place, _ := mirror.get(); w != m.world || place != "in the sandbox" {
		t.Errorf("in the sandbox the mirror shows %v, %q", w, place)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc}) // home
	if w, place, _ := mirror.get(); w != m.world || place != "on the home screen" {
		t.Errorf("at home the mirror shows %v, %q", w, place)
	}
}
