package classroom

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// `ssh -t teacher@host projector NAME` shows a learner's live conversation
// on the projector: their lesson's session, each line with its
// explanation below the conversation, and the step they are on; the
// learner's next line shows up as they type it. The teacher's keys step
// the projector and reach nothing of the learner's: typing sends nothing,
// the faults cannot be switched. An unknown learner is refused.
func TestTeacherProjectsLearner(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	s, addr := testClass(t, func(o *Options) { o.TeacherKeys = dir + "/teachers" })
	alice := enterClass(t, addr, "alice")
	alice.openLesson(t)
	m := alice.mark()
	alice.line(t, "EHLO projected.example.com")
	alice.waitFor(t, m, "Well done: step 1")

	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// Nobody called bob.
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{})
	var errOut syncBuffer
	sess.Stderr = &errOut
	if err := sess.Run("projector bob"); err == nil {
		t.Error("projector bob: no error status")
	}
	if !strings.Contains(errOut.String(), `nobody called "bob" is in the class now`) {
		t.Errorf("projector bob: %q", errOut.String())
	}

	sess, err = c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{})
	var out syncBuffer
	sess.Stdout = &out
	in, _ := sess.StdinPipe()
	if err := sess.Start("projector alice"); err != nil {
		t.Fatal(err)
	}
	seen := func(want ...string) string {
		t.Helper()
		var s string
		waitUntil(t, 20*time.Second, func() bool {
			s = ansi.Strip(out.String())
			for _, w := range want {
				if !strings.Contains(s, w) {
					return false
				}
			}
			return true
		}, func() string { return "the projector never showed " + strings.Join(want, ", ") + ":\n" + s })
		return s
	}
	// The last line of the reply and its explanation; where alice is.
	seen("S: 250 SIZE", "this is the last line of the EHLO reply", "Projector · alice",
		"alice: lesson “Say hello to a server”, step 2 of 2: Guess first")
	// The Lesson pane: what step 1 taught, and step 2's question with its
	// choices, as alice reads them.
	seen("Each 250- line with a dash names one extension", "What does a reply code starting with 2 mean?", "2. It worked")
	frame := ansi.Strip(out.String())
	for _, row := range strings.Split(frame, "\n") {
		if strings.Contains(row, "S: 250 SIZE") && strings.Contains(row, "│") {
			t.Errorf("the explanation is beside the conversation, not below it: %q", row)
		}
	}

	// The teacher's keys: the faults (t, F4), typing a command.
	in.Write([]byte("t"))
	seen("this world has no faults to switch")
	in.Write([]byte("\x1bOS\r")) // F4, enter
	in.Write([]byte("RSET\r"))

	// Alice goes on as before: her next line reaches her screen and the
	// projector, and nothing of the teacher's reached her session.
	m = alice.mark()
	alice.line(t, "NOOP")
	alice.waitFor(t, m, "C: NOOP")
	seen("C: NOOP")
	if strings.Contains(alice.screen(), "RSET") || strings.Contains(alice.screen(), "no faults") {
		t.Error("the teacher's keys reached alice's screen")
	}
	if r := roster(s)["alice"]; !r.Online || r.Step != 2 || r.Wrong != 0 {
		t.Errorf("alice after the projector: %+v", r)
	}

	in.Write([]byte("q"))
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end the projector")
	}
	if !roster(s)["alice"].Online {
		t.Error("alice left when the projector did")
	}
}

// A projector whose connection drops (no q) lets go of the learner's
// world: the goroutines come back to where they were before it opened.
func TestProjectorDropLetsGo(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	_, addr := testClass(t, func(o *Options) { o.TeacherKeys = dir + "/teachers" })
	alice := enterClass(t, addr, "alice")
	alice.openLesson(t)
	baseline, _ := settle(t, 0)

	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{})
	var out syncBuffer
	sess.Stdout = &out
	if err := sess.Start("projector alice"); err != nil {
		t.Fatal(err)
	}
	m := alice.mark()
	alice.line(t, "EHLO dropped.example.com")
	alice.waitFor(t, m, "Well done: step 1")
	waitUntil(t, 20*time.Second, func() bool { return strings.Contains(ansi.Strip(out.String()), "250-Hello dropped.example.com") },
		func() string { return "the projector never showed the reply:\n" + ansi.Strip(out.String()) })
	c.Close()
	settle(t, baseline)
}
