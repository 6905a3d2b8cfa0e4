package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// The stuck points of issue 21, met as a learner meets them: the keys typed
// and the screen expected, at 80x24 and at 120x40.

// sizes are the two terminals every stuck point is tried in.
var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// openBuiltin opens one built-in lesson (copied alone into a lesson folder,
// its prerequisites left out) at step (from 0), as a learner resuming there:
// the earlier steps' solutions are replayed. It waits for the step and
// for every string of also.
func openBuiltin(t *testing.T, file, id string, step, w, h int, also ...string) *teatest.TestModel {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "lessons", "content", file))
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?m)^prerequisites:.*\n`).ReplaceAllString(string(src), "")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.LessonDirs = []string{dir}
	progress := fmt.Sprintf(`{"version":1,"lessons":{%q:{"step":%d}}}`, id, step)
	if err := os.WriteFile(filepath.Join(opts.StateDir, "progress.json"), []byte(progress), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := startTUI(t, opts, w, h)
	if step > 0 {
		waitFor(t, tm, "step "+fmt.Sprint(step+1)) // the home menu shows where it resumes
	} else {
		waitFor(t, tm, "○") // not started
	}
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, append([]string{fmt.Sprintf("▸ %d.", step+1)}, also...)...)
	return tm
}

func eachSize(t *testing.T, fn func(t *testing.T, w, h int)) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) { fn(t, sz.w, sz.h) })
	}
}

func ctrlR() tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyCtrlR} }

// "The journey", step 5: a message with another subject is accepted, and
// the lesson says which part of the goal is missing.
func TestStuckJourneySubjectIsSaid(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openBuiltin(t, "01-journey-of-an-email.md", "journey-of-an-email", 4, w, h)
		typeLine(tm, "DATA")
		waitFor(t, tm, "354")
		for _, l := range []string{"Subject: Hi Bob", "", "Hello Bob!", "."} {
			typeLine(tm, l)
		}
		waitFor(t, tm, "queued", "mention")
		v := finalView(t, tm)
		mustContain(t, flat(v), "“journey”", "Stuck?")
	})
}

// "The journey", step 5, after that message: show me types MAIL FROM (not
// DATA, which the server would refuse now), then RCPT TO and DATA, then puts
// the header lines into the DATA body, never at the prompt; the relay hop
// gets a tab of its own.
func TestStuckJourneyShowMeFollowsState(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openBuiltin(t, "01-journey-of-an-email.md", "journey-of-an-email", 4, w, h)
		typeLine(tm, "DATA")
		waitFor(t, tm, "354")
		for _, l := range []string{"Subject: Hi Bob", "", "Hello Bob!", "."} {
			typeLine(tm, l)
		}
		waitFor(t, tm, "queued")
		for _, step := range []struct{ typed, reply string }{
			{"MAIL FROM:<alice@example.com>", "250 2.1.0"},
			{"RCPT TO:<bob@example.org>", "250 2.1.5"},
			{"DATA", "354"},
		} {
			tm.Send(press(tea.KeyF4))
			waitFor(t, tm, "> "+step.typed)
			tm.Send(press(tea.KeyEnter))
			waitFor(t, tm, step.reply)
		}
		tm.Send(press(tea.KeyF4))
		waitFor(t, tm, "│ Subject: The journey", "body> .")
		tm.Send(press(tea.KeyEnter))
		waitFor(t, tm, "▸ 6.", "relay hop")
		v := finalView(t, tm)
		mustContain(t, v, "relay hop")
		for _, bad := range []string{"503", "C: From:", "C: Subject:"} {
			if strings.Contains(v, bad) {
				t.Errorf("%q on screen:\n%s", bad, v)
			}
		}
	})
}

// "Encryption", step 1: STARTTLS typed before EHLO is accepted; the lesson
// says why the goal cannot be met any more and ctrl+r redoes the step.
func TestStuckEncryptionTLSFirst(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openBuiltin(t, "05-encryption.md", "encryption", 0, w, h)
		typeLine(tm, "STARTTLS")
		waitFor(t, tm, "220 2.0.0", "Stuck?")
		typeLine(tm, "EHLO laptop.example.com")
		waitFor(t, tm, "250 SIZE")
		// The hint no longer repeats "look for STARTTLS".
		tm.Send(press(tea.KeyF3))
		waitFor(t, tm, "hints no longer work")
		tm.Send(ctrlR())
		waitFor(t, tm, "again, from the")
		typeLine(tm, "EHLO laptop.example.com")
		waitFor(t, tm, "▸ 2.")
		v := finalView(t, tm)
		if strings.Contains(v, "look for STARTTLS") {
			t.Errorf("the hint still sends the learner to look for STARTTLS:\n%s", v)
		}
	})
}

// "POP3: leave a copy", step 4: DELE 3 is caught while RSET can still undo
// it; after QUIT the message is gone and ctrl+r brings the step back.
func TestStuckLeaveACopyDeleted(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openBuiltin(t, "09-pop3-leave-a-copy.md", "pop3-leave-a-copy", 3, w, h)
		typeLine(tm, "RETR 3")
		waitFor(t, tm, "end of the RETR")
		typeLine(tm, "DELE 3")
		waitFor(t, tm, "+OK message 3", "Stuck?", "RSET")
		typeLine(tm, "QUIT")
		waitFor(t, tm, "signing off", "ctrl+r")
		tm.Send(ctrlR())
		waitFor(t, tm, "again, from the")
		typeLine(tm, "RETR 3")
		typeLine(tm, "QUIT")
		waitFor(t, tm, "▸ 5.")
	})
}

// "IMAP on two devices", the last live step: a tagged "p5 DONE" ends the
// IDLE with BAD; the lesson says so in plain words, and ctrl+r redoes it.
func TestStuckTaggedDone(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openBuiltin(t, "12-imap-two-devices.md", "imap-two-devices", 5, w, h)
		typeLine(tm, "p5 DONE")
		waitFor(t, tm, "BAD", "Stuck?")
		tm.Send(ctrlR())
		waitFor(t, tm, "again, from the")
		typeLine(tm, "DONE")
		waitFor(t, tm, "▸ 7.")
	})
}

// A question after the connection closed takes its answer.
func TestStuckQuizAfterClose(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := startTUI(t, testOptions(t), w, h)
		waitFor(t, tm, "Say hello to a server")
		tm.Send(press(tea.KeyEnter))
		waitFor(t, tm, "server>")
		typeLine(tm, "EHLO laptop.example.com")
		waitFor(t, tm, "Well done: step 1")
		tm.Send(press(tea.KeyF12))
		waitFor(t, tm, "✕")
		typeLine(tm, "2")
		waitFor(t, tm, "Right.")
		v := finalView(t, tm)
		if strings.Contains(v, "connection is closed") {
			t.Errorf("the answer met the closed connection:\n%s", v)
		}
	})
}

// A protocol command typed while a question waits goes to the server; the
// question is not answered with it.
func TestStuckQuizKeepsCommands(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := startTUI(t, testOptions(t), w, h)
		waitFor(t, tm, "Say hello to a server")
		tm.Send(press(tea.KeyEnter))
		waitFor(t, tm, "server>")
		typeLine(tm, "EHLO laptop.example.com")
		waitFor(t, tm, "Well done: step 1")
		typeLine(tm, "NOOP")
		waitFor(t, tm, "C: NOOP", "S: 250")
		v := finalView(t, tm)
		if strings.Contains(v, "Type a number") {
			t.Errorf("the command was taken for an answer:\n%s", v)
		}
	})
}

// flat joins the screen's lines, so a sentence wrapped in the side pane
// reads as one.
func flat(v string) string {
	var b strings.Builder
	for _, l := range strings.Split(v, "\n") {
		b.WriteString(strings.TrimSpace(l))
		b.WriteString(" ")
	}
	return b.String()
}
