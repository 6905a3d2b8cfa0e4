package tui

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// pop3Session speaks POP3 to addr as a small mail program would: every
// command at once (RFC 2449 pipelining), then whatever the server says
// until it hangs up after QUIT.
func pop3Session(t *testing.T, addr string, cmds ...string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, strings.Join(cmds, "\r\n")+"\r\n"); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("POP3 session: %v\n%s", err, out)
	}
	return string(out)
}

// startWatchTUI runs the whole program as `mailtutor watch` does (the
// watch screen at start) and returns it with its world once it runs.
func startWatchTUI(t *testing.T, w, h int) (*teatest.TestModel, world, Options) {
	t.Helper()
	opts := testOptions(t)
	opts.Watch = true
	worlds := make(chan world, 1)
	opts.newWorld = func() (world, error) {
		wld, err := startLiveWorld(opts)
		if err == nil {
			worlds <- wld
		}
		return wld, err
	}
	m := NewModel(opts)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() {
		tm.Quit()
		m.shutdown()
	})
	select {
	case wld := <-worlds:
		return tm, wld, opts
	case <-time.After(30 * time.Second):
		t.Fatal("the mail world did not start")
	}
	return nil, nil, opts
}

// TestWatchFindingsAndFaults: a real POP3 client connects while the watch
// screen is open (opened at start, as `mailtutor watch` does): its session
// shows, and its findings appear beside it with their evidence; the
// ports and passwords stay in sight; a fault switched on from the screen
// changes the next reply; F5 exports the program.
func TestWatchFindingsAndFaults(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		tm, wld, opts := startWatchTUI(t, w, h)
		waitFor(t, tm, "Watch real mail programs", "wonderland")
		pop3 := wld.Addr(wire.RolePOP3)
		out := pop3Session(t, pop3, "USER alice", "PASS wonderland", "UIDL", "RETR 1", "QUIT")
		if !strings.Contains(out, "+OK") || strings.Contains(out, "-ERR") {
			t.Fatalf("the client's session failed:\n%s", out)
		}
		// The session, its findings with their evidence, and still the
		// port and the password.
		waitFor(t, tm, "USER alice", "logged in without encryption")

		// The trainer switches auth-fail on: the fourth fault in the list.
		tm.Send(runes("t"))
		waitFor(t, tm, "Trainer's faults", "[ ] auth-fail")
		for range 3 {
			tm.Send(press(tea.KeyDown))
		}
		tm.Send(press(tea.KeyEnter))
		waitFor(t, tm, "[x] auth-fail", "fault auth-fail on")
		tm.Send(press(tea.KeyEsc))
		out = pop3Session(t, pop3, "USER alice", "PASS wonderland", "QUIT")
		if !strings.Contains(out, "-ERR [AUTH]") {
			t.Fatalf("with auth-fail on, the login did not fail:\n%s", out)
		}
		waitFor(t, tm, "-ERR [AUTH]", "2 s2 pop3 alice") // the reply, then the findings of its session

		// The set-up card, one key away, and back.
		tm.Send(runes("s"))
		waitFor(t, tm, "SET-UP CARD", "password wonderland")
		tm.Send(press(tea.KeyEsc))

		// F5 exports the active program's sessions and findings.
		tm.Send(press(tea.KeyF5))
		waitFor(t, tm, "exported to")
		files, _ := filepath.Glob(filepath.Join(opts.SaveDir, "exports", "*.md"))
		if len(files) != 1 {
			t.Fatalf("exports: %q", files)
		}
		md, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"## Findings", "logged in without encryption", "C: USER alice", "# "} {
			if !strings.Contains(string(md), want) {
				t.Errorf("the export lacks %q:\n%s", want, md)
			}
		}
		if strings.Contains(string(md), "PASS wonderland") {
			t.Errorf("the export shows the password:\n%s", md)
		}
	})
}
