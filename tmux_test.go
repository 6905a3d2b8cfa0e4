package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTmuxLessonEndToEnd drives the real binary in a real terminal (tmux):
// home → "Your first SMTP conversation" → type EHLO → the annotated reply
// and the step's goal appear on screen; then MAIL FROM completes step 2.
func TestTmuxLessonEndToEnd(t *testing.T) {
	tmux := requireTool(t, "tmux")
	session := "mailtutor-e2e-" + strings.ReplaceAll(t.Name(), "/", "-")
	state := t.TempDir()
	exec.Command(tmux, "kill-session", "-t", session).Run()
	start := exec.Command(tmux, "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
		"env", "XDG_STATE_HOME="+state, "TERM=xterm-256color", binary)
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "kill-session", "-t", session).Run() })

	keys := func(k ...string) {
		t.Helper()
		if out, err := exec.Command(tmux, append([]string{"send-keys", "-t", session}, k...)...).CombinedOutput(); err != nil {
			t.Fatalf("send-keys: %v %s", err, out)
		}
	}
	// screen waits until the pane shows every fragment. A terminal offers no
	// event to wait on, so this reads the pane every 50 ms within a bound.
	screen := func(want ...string) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			out, _ := exec.Command(tmux, "capture-pane", "-p", "-t", session).Output()
			pane := string(out)
			missing := ""
			for _, w := range want {
				if !strings.Contains(pane, w) {
					missing = w
					break
				}
			}
			if missing == "" {
				return pane
			}
			if time.Now().After(deadline) {
				t.Fatalf("screen lacks %q:\n%s", missing, pane)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	screen("Your first SMTP conversation", "The journey of one email")
	keys("Down")
	keys("Enter")
	pane := screen("S: 220 mx.example.org", "1. Say hello")
	if strings.Contains(pane, "500 5.5.2") {
		t.Fatalf("opening the lesson sent an empty line:\n%s", pane)
	}
	keys("EHLO laptop.example.com", "Enter")
	screen("250 SIZE", "state: greeted", "✓ 1. Say hello")
	keys("MAIL FROM:<alice@example.com>", "Enter")
	screen("✓ 2. Who is it from?")
	keys("C-c")
}
