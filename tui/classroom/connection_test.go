package classroom

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// A learner who stays connected but types nothing is disconnected after
// the input idle time-out, told why first; the desk is then kept as after
// any drop, and coming back finds it. The teacher's own desk, connected
// before the learner, is still there when the learner has been let go.
func TestIdleLearnerDisconnected(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	s, addr := testClass(t, func(o *Options) {
		o.TeacherKeys = dir + "/teachers"
		o.InputIdleTimeout = 2 * time.Second
	})

	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tsess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tsess.RequestPty("xterm-256color", 34, 100, gossh.TerminalModes{})
	var tout syncBuffer
	tsess.Stdout = &tout
	if err := tsess.Start("play"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, func() bool { return strings.Contains(ansi.Strip(tout.String()), "Say hello to a server") },
		func() string { return "no home screen for the teacher:\n" + ansi.Strip(tout.String()) })
	tended := make(chan struct{})
	go func() {
		tsess.Wait()
		close(tended)
	}()

	alice := enterClass(t, addr, "alice")
	alice.openLesson(t) // a key: the time-out starts again from here
	select {
	case <-alice.ended:
	case <-time.After(30 * time.Second):
		t.Fatal("an idle learner was never disconnected")
	}
	if got := alice.screen(); !strings.Contains(got, "idle for 2s: disconnected. Your desk is kept for 1m0s: ssh again to come back.") {
		t.Errorf("no goodbye before the disconnection; the screen's end:\n%s", got[max(0, len(got)-400):])
	}
	select {
	case <-tended:
		t.Error("the teacher's desk was disconnected as idle too")
	default:
	}
	s.mu.Lock()
	d := s.desks["alice"]
	s.mu.Unlock()
	if d == nil {
		t.Fatal("alice's desk was not kept after the idle disconnection")
	}
	waitUntil(t, 20*time.Second, func() bool { return roster(s)["alice"].Away }, func() string { return "alice not shown away" })
	back := enterClass(t, addr, "alice")
	back.waitFor(t, 0, "220 ") // the lesson as she left it
}

// A learner who comes back from another terminal gets that terminal's
// colours, not the first one's: xterm-256color draws 256-colour SGR
// sequences, then TERM=dumb none, then NO_COLOR none, then colours again.
func TestReconnectTakesNewColours(t *testing.T) {
	s, addr := testClass(t, nil)
	for i, c := range []struct {
		term    string
		noColor bool
		colour  bool
	}{{"xterm-256color", false, true}, {"dumb", false, false}, {"xterm-256color", true, false}, {"xterm-256color", false, true}} {
		client, err := dialCode(addr, "alice", "letmein")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if c.noColor {
			if err := sess.Setenv("NO_COLOR", "1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := sess.RequestPty(c.term, 34, 100, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		var out syncBuffer
		sess.Stdout = &out
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		// The home screen, drawn whole (the lessons' list and the help
		// line at the bottom).
		waitUntil(t, 20*time.Second, func() bool {
			s := ansi.Strip(out.String())
			return strings.Contains(s, "Say hello to a server") && strings.Contains(s, "quit")
		}, func() string { return c.term + ": no home screen: " + strconv.Quote(out.String()) })
		var colours []string
		for _, l := range strings.Split(out.String(), "\r\n") {
			if !strings.Contains(ansi.Strip(l), "mailtutor classroom ·") { // the classroom's own line
				colours = append(colours, colourSGR.FindAllString(l, -1)...)
			}
		}
		if got := len(colours) > 0; got != c.colour {
			t.Errorf("connection %d (%s, NO_COLOR %v): %d colour sequences (%q…), want colour %v",
				i+1, c.term, c.noColor, len(colours), colours[:min(3, len(colours))], c.colour)
		}
		client.Close()
		waitUntil(t, 20*time.Second, func() bool { return !roster(s)["alice"].Online }, func() string { return "alice never left" })
	}
}

// colourSGR finds SGR sequences that set a colour (16, 256 or 24-bit,
// foreground or background); bold and reverse are no colour.
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9]+;)*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9]+)*m`)
