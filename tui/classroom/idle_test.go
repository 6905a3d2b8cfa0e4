package classroom

import (
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
	back := enterClass(t, addr, "alice")
	back.waitFor(t, 0, "220 ") // the lesson as she left it
}
