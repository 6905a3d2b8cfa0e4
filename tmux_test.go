package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTmuxLessonEndToEnd drives the real binary in a real terminal (tmux):
// home → "Your first SMTP conversation" → type EHLO → the annotated reply
// and the step's goal appear on screen; then MAIL FROM completes step 2.
func TestTmuxLessonEndToEnd(t *testing.T) {
	state := t.TempDir()
	keys, screen := startTmux(t, 100, 30, "env", "XDG_STATE_HOME="+state, "TERM=xterm-256color", binary)

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

// startTmux runs a command in a detached tmux session of the given size,
// killed at the end of the test. keys types into it; screen waits until
// the pane shows every fragment and returns it. A terminal offers no event
// to wait on, so screen reads the pane every 50 ms, for 20 s at most.
func startTmux(t *testing.T, width, height int, command ...string) (keys func(...string), screen func(...string) string) {
	t.Helper()
	tmux := requireTool(t, "tmux")
	session := "mailtutor-" + strings.ReplaceAll(t.Name(), "/", "-")
	exec.Command(tmux, "kill-session", "-t", session).Run()
	args := append([]string{"new-session", "-d", "-s", session, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height)}, command...)
	if out, err := exec.Command(tmux, args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "kill-session", "-t", session).Run() })
	keys = func(k ...string) {
		t.Helper()
		if out, err := exec.Command(tmux, append([]string{"send-keys", "-t", session}, k...)...).CombinedOutput(); err != nil {
			t.Fatalf("send-keys: %v %s", err, out)
		}
	}
	screen = func(want ...string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
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
	return keys, screen
}

// TestTmuxWatchScreen runs `mailtutor watch` in a real terminal: the watch
// screen opens by itself, shows where to connect, curl logs in over POP3
// without encryption and its findings appear; the trainer switches
// auth-fail on from the screen and the next curl gets the fault's reply.
func TestTmuxWatchScreen(t *testing.T) {
	curl := requireTool(t, "curl")
	state := t.TempDir()
	cmd := []string{"env", "XDG_STATE_HOME=" + state, "TERM=xterm-256color", binary, "watch"}
	for _, flag := range []string{"smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps"} {
		cmd = append(cmd, "--"+flag, "127.0.0.1:0")
	}
	keys, screen := startTmux(t, 120, 40, cmd...)
	pane := screen("Watch real mail programs", "POP3 ", "wonderland")
	m := regexp.MustCompile(`POP3 (\d+)[/,]`).FindStringSubmatch(pane)
	if m == nil {
		t.Fatalf("the screen does not say the POP3 port:\n%s", pane)
	}
	url := "pop3://127.0.0.1:" + m[1] + "/"
	runClient(t, curl, "-sS", url, "--user", "alice:"+alicePass)
	screen("C: AUTH PLAIN", "logged in without encryption", "[s1] C: AUTH PLAIN")

	keys("t")
	screen("Trainer's faults", "[ ] auth-fail")
	keys("Down", "Down", "Down", "Enter")
	screen("[x] auth-fail")
	keys("Escape")
	if out, err := exec.Command(curl, "-sS", url, "--user", "alice:"+alicePass).CombinedOutput(); err == nil {
		t.Fatalf("with auth-fail on, curl still logged in:\n%s", out)
	}
	screen("S: -ERR [AUTH]")
	keys("C-c")
}
