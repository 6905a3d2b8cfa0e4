package classroom

import (
	"bytes"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// Keys as a terminal sends them.
const (
	keyF2    = "\x1bOQ"
	keyCtrlS = "\x13"
)

// sendMail types one SMTP transaction into the lesson's session (the test
// lesson talks to the MX, which takes mail for bob@example.org).
func sendMail(t *testing.T, tm *term, subject string) {
	t.Helper()
	m := tm.mark()
	tm.line(t, "MAIL FROM:<me@example.com>")
	tm.waitFor(t, m, "250 ")
	m = tm.mark()
	tm.line(t, "RCPT TO:<bob@example.org>")
	tm.waitFor(t, m, "250 ")
	m = tm.mark()
	tm.line(t, "DATA")
	tm.waitFor(t, m, "354 ")
	tm.line(t, "Subject: "+subject)
	tm.line(t, "")
	tm.line(t, "hello")
	m = tm.mark()
	tm.line(t, ".")
	tm.waitFor(t, m, "250 ")
}

// Two learners in the same lesson at the same time: what one types, the
// mail she sends, the transcript she saves and the progress she makes are
// hers alone.
func TestLearnersDoNotLeak(t *testing.T) {
	s, addr := testClass(t, nil)
	alice := enterClass(t, addr, "alice")
	bob := enterClass(t, addr, "bob")
	alice.openLesson(t)
	bob.openLesson(t)

	m := alice.mark()
	alice.line(t, "EHLO alice-laptop.example.com")
	alice.waitFor(t, m, "250-Hello alice-laptop.example.com", "Well done: step 1")
	m = bob.mark()
	bob.line(t, "HELO bob-box.example.com")
	bob.waitFor(t, m, "250 ", "Well done: step 1")

	// Progress: both are on the question; only alice answers it, wrongly
	// once, then rightly.
	m = alice.mark()
	alice.line(t, "1")
	alice.waitFor(t, m, "Not quite")
	waitUntil(t, 10*time.Second, func() bool {
		r := roster(s)
		return r["alice"].Step == 2 && r["alice"].Wrong == 1 && r["bob"].Step == 2 && r["bob"].Wrong == 0
	}, func() string { return "roster: " + strings.Join(rosterLines(s), "; ") })
	m = alice.mark()
	alice.line(t, "2")
	alice.waitFor(t, m, "You finished this lesson")
	waitUntil(t, 10*time.Second, func() bool {
		r := roster(s)
		return r["alice"].Finished && r["alice"].Done == 1 && !r["bob"].Finished && r["bob"].Done == 0
	}, func() string { return "roster: " + strings.Join(rosterLines(s), "; ") })

	// Mail: alice's message lands in her world's mailbox, not bob's.
	sendMail(t, alice, "alice-secret-1")
	m = alice.mark()
	alice.typ(t, keyF2) // the side pane: from the lesson to the explanation...
	alice.typ(t, keyF2) // ...to the mailboxes
	alice.waitFor(t, m, "alice-secret-1", "INBOX (2)")
	m = bob.mark()
	bob.typ(t, keyF2)
	bob.typ(t, keyF2)
	bob.waitFor(t, m, "INBOX (1)", "Welcome to the simulated")

	// Transcripts: each saves their own.
	for _, tm := range []*term{alice, bob} {
		m := tm.mark()
		tm.typ(t, keyCtrlS)
		tm.waitFor(t, m, "transcript saved to")
	}
	aliceFiles, bobFiles := learnerFiles(t, s, "alice"), learnerFiles(t, s, "bob")
	check := func(who string, files map[string]string, mine, theirs string) {
		found := false
		for p, text := range files {
			if strings.Contains(text, theirs) {
				t.Errorf("%s's file %s holds %q", who, p, theirs)
			}
			if strings.Contains(p, "transcripts") && strings.Contains(text, mine) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s has no transcript with %q among %d files", who, mine, len(files))
		}
	}
	check("alice", aliceFiles, "alice-laptop", "bob-box")
	check("bob", bobFiles, "bob-box", "alice-laptop")

	// Screens: bob never saw alice's session or her mail, nor she his.
	if s := bob.screen(); strings.Contains(s, "alice-") {
		t.Errorf("bob's screen showed alice's things:\n%s", s)
	}
	if s := alice.screen(); strings.Contains(s, "bob-box") {
		t.Errorf("alice's screen showed bob's session:\n%s", s)
	}
}

func roster(s *Server) map[string]Learner {
	out := map[string]Learner{}
	for _, l := range s.Roster() {
		out[l.Name] = l
	}
	return out
}

func rosterLines(s *Server) []string {
	var out []string
	for _, l := range s.Roster() {
		out = append(out, l.Name+" "+l.Lesson+" step "+itoa(l.Step)+" wrong "+itoa(l.Wrong)+" hints "+itoa(l.Hints))
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// Who may not enter is told so: a wrong class code (password and
// keyboard-interactive), a key not on the list, the teacher's name without
// the teacher's key, a name that cannot be one, a second connection, a
// full class.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	keys := dir + "/authorized_keys"
	listed := newKey(t, keys)
	s, addr := testClass(t, func(o *Options) {
		o.AuthorizedKeys = keys
		o.MaxLearners = 2
	})

	if _, err := dialCode(addr, "alice", "wrong"); !isAuthError(err) {
		t.Errorf("wrong class code by password: %v", err)
	}
	var said []string
	_, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "alice", HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Auth: []gossh.AuthMethod{gossh.KeyboardInteractive(func(name, instruction string, questions []string, echos []bool) ([]string, error) {
			said = append(said, instruction)
			return []string{"wrong"}, nil
		})}})
	if !isAuthError(err) {
		t.Errorf("wrong class code by keyboard-interactive: %v", err)
	}
	if len(said) < 2 || !strings.Contains(said[1], "That is not the class code") {
		t.Errorf("keyboard-interactive said %q", said)
	}
	if _, err := dialKey(addr, "alice", newKey(t, "")); !isAuthError(err) {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := dialCode(addr, TeacherName, "letmein"); !isAuthError(err) {
		t.Errorf("teacher by class code: %v", err)
	}

	// Refusals after login are written to the student's terminal.
	refused := func(name, want string) {
		t.Helper()
		c, err := dialCode(addr, name, "letmein")
		if err != nil {
			t.Fatal(err)
		}
		tm := openTerm(t, c, 80, 24)
		select {
		case <-tm.ended:
		case <-time.After(10 * time.Second):
			t.Fatalf("not hung up; screen:\n%s", tm.screen())
		}
		if !strings.Contains(tm.errText(), want) {
			t.Errorf("told %q, want %q", tm.errText(), want)
		}
	}
	refused("bad name", "cannot be a name in the class")
	refused(ProjectorName, "cannot be a name in the class") // the teacher's projector desk

	alice := enterClass(t, addr, "alice")
	refused("alice", "alice is connected already")
	// A listed key enters; the class (2) is full after it.
	c, err := dialKey(addr, "carol", listed)
	if err != nil {
		t.Fatal(err)
	}
	openTerm(t, c, 80, 24).waitFor(t, 0, "mailtutor classroom · carol")
	refused("dave", "the class is full")
	// A name first used with a key is that key's: the class code does not
	// open it.
	refused("carol", "logged in with another key")
	_ = alice
	_ = s
}

// A learner who drops is freed after the idle time-out: the program ends,
// both mail worlds (sandbox and lesson) stop, and the goroutines and the
// heap come back to where they were.
func TestDroppedLearnerFreed(t *testing.T) {
	s, addr := testClass(t, func(o *Options) { o.IdleTimeout, o.InputIdleTimeout = time.Second, time.Minute })
	visit := func(name string) {
		tm := enterClass(t, addr, name)
		tm.openLesson(t)
		m := tm.mark()
		tm.line(t, "EHLO x.example.com")
		tm.waitFor(t, m, "Well done: step 1")
		tm.client.Close() // the connection drops, no goodbye
		waitUntil(t, 20*time.Second, func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return len(s.desks) == 0
		}, func() string { return name + "'s desk was never freed" })
	}
	// A first visit warms what stays for the process's life (glamour's
	// styles, the lesson parser's tables), then the baseline.
	visit("warmup")
	goroutines, heap := settle(t, 0)
	visit("alice")
	if r := roster(s)["alice"]; r.Online || r.Away {
		t.Errorf("alice still shown as present: %+v", r)
	}
	settle(t, goroutines)
	n, after := settle(t, goroutines)
	t.Logf("baseline %d goroutines, heap %d KB; after alice was freed %d goroutines, heap %d KB", goroutines, heap>>10, n, after>>10)
	if after > heap+1<<20 {
		t.Errorf("heap %d bytes after alice was freed, %d before: more than 1 MB kept", after, heap)
	}
}

// settle waits until at most want goroutines run (want 0: until the count
// stops falling) and returns the count and the live heap after a GC.
func settle(t *testing.T, want int) (int, uint64) {
	t.Helper()
	var n int
	if want > 0 {
		waitUntil(t, 20*time.Second, func() bool { n = runtime.NumGoroutine(); return n <= want },
			func() string {
				buf := make([]byte, 1<<20)
				return "goroutines " + itoa(n) + " > baseline; stacks:\n" + string(buf[:runtime.Stack(buf, true)])
			})
	} else {
		last := -1
		for i := 0; i < 50; i++ {
			n = runtime.NumGoroutine()
			if n == last {
				break
			}
			last = n
			time.Sleep(100 * time.Millisecond)
		}
	}
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return n, ms.HeapAlloc
}

// A learner who drops and comes back before the time-out finds the same
// desk: the lesson at the step they reached, their sessions' lines, and the
// mail they sent.
func TestReconnectFindsState(t *testing.T) {
	s, addr := testClass(t, nil)
	alice := enterClass(t, addr, "alice")
	alice.openLesson(t)
	m := alice.mark()
	alice.line(t, "EHLO back-again.example.com")
	alice.waitFor(t, m, "Well done: step 1")
	s.mu.Lock()
	desk := s.desks["alice"]
	s.mu.Unlock()
	drop := func(tm *term) {
		tm.client.Close()
		waitUntil(t, 10*time.Second, func() bool { return roster(s)["alice"].Away }, func() string { return "alice not shown away" })
	}
	drop(alice)

	// The whole screen is drawn again: the lesson at step 2, her session.
	again := enterClass(t, addr, "alice")
	again.waitFor(t, 0, "▸ 2. Guess first", "250-Hello back-again.example.com")
	if r := roster(s)["alice"]; !r.Online || r.Step != 2 {
		t.Errorf("roster: %+v", r)
	}
	m = again.mark()
	again.line(t, "2")
	again.waitFor(t, m, "You finished this lesson")
	sendMail(t, again, "kept-for-later")
	drop(again)

	// And her mail is still in her world.
	third := enterClass(t, addr, "alice")
	m = third.mark()
	third.typ(t, keyF2)
	third.typ(t, keyF2)
	third.waitFor(t, m, "kept-for-later")
	s.mu.Lock()
	same := s.desks["alice"] == desk
	s.mu.Unlock()
	if !same {
		t.Error("alice got a new desk")
	}
	if r := roster(s)["alice"]; !r.Online || !r.Finished {
		t.Errorf("roster: %+v", r)
	}
}

// The teacher's view: the class with each learner's lesson, step, hints
// and wrong attempts; a message to all reaches every learner; sending the
// class to a lesson opens it on every screen; the CSV over `ssh ... csv`.
func TestTeacherView(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	s, addr := testClass(t, func(o *Options) { o.TeacherKeys = dir + "/teachers" })
	alice := enterClass(t, addr, "alice")
	bob := enterClass(t, addr, "bob")

	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	teacher := openTerm(t, c, 120, 30)
	teacher.waitFor(t, 0, "2 learners, 2 connected", "alice", "bob")

	// Send the class to the lesson: both screens open it.
	m := teacher.mark()
	teacher.typ(t, "l")
	teacher.waitFor(t, m, "Send the class to which lesson?", "test-hello")
	ma, mb := alice.mark(), bob.mark()
	teacher.typ(t, "\r")
	alice.waitFor(t, ma, "220 ", "server>")
	bob.waitFor(t, mb, "220 ", "server>")

	// alice asks for a hint, sends a command the server refuses, then
	// does the step.
	m = teacher.mark()
	alice.typ(t, "\x1bOR") // F3: a hint
	alice.line(t, "MAIL FROM:<x@example.com>")
	teacher.waitFor(t, m, "1/2 Say hello", "1     1")
	m = teacher.mark()
	alice.line(t, "EHLO laptop.example.com")
	teacher.waitFor(t, m, "2/2 Guess first")

	// A message to all.
	ma, mb = alice.mark(), bob.mark()
	teacher.typ(t, "m")
	teacher.line(t, "Look at the board")
	teacher.waitFor(t, m, "sent to everyone")
	alice.waitFor(t, ma, "📣 Look at the board")
	bob.waitFor(t, mb, "📣 Look at the board")
	// An escape sequence in a message is shown, never obeyed.
	ma = alice.mark()
	s.Announce("red\x1b[31m")
	alice.waitFor(t, ma, `📣 red\x1b[31m`)

	// The gradebook: e writes it to the --progress-csv file...
	m = teacher.mark()
	teacher.typ(t, "e")
	teacher.waitFor(t, m, "progress written to")
	file, err := os.ReadFile(s.ProgressCSVPath())
	if err != nil || !strings.Contains(string(file), "alice,test-hello,") {
		t.Errorf("%s: %v\n%s", s.ProgressCSVPath(), err, file)
	}
	// ...and `ssh teacher@host csv` prints it.
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Output("csv")
	if err != nil {
		t.Fatal(err)
	}
	want := "alice,test-hello,Say hello to a server,1,2,false,1,1,"
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), "bob,test-hello,Say hello to a server,0,2,false,0,0,") {
		t.Errorf("csv:\n%s\nwant a line starting %q", out, want)
	}
}

// Each learner gets their terminal's colours: xterm-256color draws with
// SGR sequences, a dumb terminal without any. (tui.Options.Profile was
// ignored when the output is no terminal: the classroom drew everything
// without colour.)
func TestLearnerColourProfile(t *testing.T) {
	_, addr := testClass(t, nil)
	for _, c := range []struct {
		term   string
		colour bool
	}{{"xterm-256color", true}, {"dumb", false}} {
		client, err := dialCode(addr, "u"+strconv.Itoa(len(c.term)), "letmein")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.RequestPty(c.term, 34, 100, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		var out syncBuffer
		sess.Stdout = &out
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, 20*time.Second, func() bool { return strings.Contains(ansi.Strip(out.String()), "Say hello to a server") },
			func() string { return c.term + ": no home screen: " + strconv.Quote(out.String()) })
		// The TUI's own lines, not the classroom's line at the top.
		var sgr []string
		for _, l := range strings.Split(out.String(), "\r\n") {
			if !strings.Contains(ansi.Strip(l), "mailtutor classroom ·") {
				sgr = append(sgr, regexp.MustCompile(`\x1b\[[0-9;]*m`).FindAllString(l, -1)...)
			}
		}
		if got := len(sgr) > 0; got != c.colour {
			t.Errorf("%s: %d SGR sequences (%q…), want colour %v", c.term, len(sgr), sgr[:min(3, len(sgr))], c.colour)
		}
		client.Close()
	}
}

// syncBuffer is a bytes.Buffer safe to read while the session writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A learner who makes no progress on a step for StuckAfter is marked stuck
// in the teacher's view; finishing the step clears it.
func TestStuck(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	s, addr := testClass(t, func(o *Options) {
		o.TeacherKeys = dir + "/teachers"
		o.StuckAfter = 300 * time.Millisecond
	})
	alice := enterClass(t, addr, "alice")
	alice.openLesson(t)
	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	teacher := openTerm(t, c, 120, 30)
	teacher.waitFor(t, 0, "1/2 Say hello", "STUCK")
	if !roster(s)["alice"].Stuck {
		t.Error("alice not stuck in the roster")
	}
	m := teacher.mark()
	alice.line(t, "EHLO x.example.com")
	teacher.waitFor(t, m, "2/2 Guess first")
	if r := roster(s)["alice"]; r.Stuck && r.OnStep < 300*time.Millisecond {
		t.Errorf("stuck %v after moving on", r.OnStep)
	}
}

// The teacher watches one learner's screen live, read only: what the
// learner does appears, what the teacher types goes nowhere, q ends it.
func TestTeacherWatchesLearner(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	_, addr := testClass(t, func(o *Options) { o.TeacherKeys = dir + "/teachers" })
	alice := enterClass(t, addr, "alice")
	alice.openLesson(t)
	m := alice.mark()
	alice.line(t, "EHLO watched.example.com")
	alice.waitFor(t, m, "Well done: step 1")

	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.RequestPty("xterm-256color", 34, 100, gossh.TerminalModes{})
	var out syncBuffer
	sess.Stdout = &out
	in, _ := sess.StdinPipe()
	if err := sess.Start("watch alice"); err != nil {
		t.Fatal(err)
	}
	seen := func(want string) {
		t.Helper()
		waitUntil(t, 20*time.Second, func() bool { return strings.Contains(ansi.Strip(out.String()), want) },
			func() string { return "the teacher never saw " + want + ":\n" + ansi.Strip(out.String()) })
	}
	seen("250-Hello watched.example.com")
	alice.line(t, "MAIL FROM:<live@example.com>")
	seen("C: MAIL FROM:<live@example.com>")
	in.Write([]byte("RSET\r"))
	m = alice.mark()
	alice.line(t, "NOOP")
	alice.waitFor(t, m, "C: NOOP")
	if strings.Contains(alice.screen(), "RSET") {
		t.Error("the teacher's keys reached alice's session")
	}
	in.Write([]byte("q"))
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end the watch")
	}
}

// The teacher plays mailtutor on a desk of their own (for the projector),
// with their key; it shows in the class list like a learner's.
func TestTeacherPlays(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	s, addr := testClass(t, func(o *Options) { o.TeacherKeys = dir + "/teachers" })
	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.RequestPty("xterm-256color", 34, 100, gossh.TerminalModes{})
	var out syncBuffer
	sess.Stdout = &out
	in, _ := sess.StdinPipe()
	if err := sess.Start("play"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, func() bool { return strings.Contains(ansi.Strip(out.String()), "Say hello to a server") },
		func() string { return "no home screen:\n" + ansi.Strip(out.String()) })
	in.Write([]byte("\r"))
	waitUntil(t, 20*time.Second, func() bool { return roster(s)[TeacherName].Step == 1 },
		func() string { return "roster: " + strings.Join(rosterLines(s), "; ") })
}

// The teacher's projector: `ssh -t teacher@host projector` opens a desk of
// the teacher's own laid out for a projector (the explanation below the
// conversation, not beside it), apart from the desk of play.
func TestTeacherProjector(t *testing.T) {
	dir := t.TempDir()
	teacherKey := newKey(t, dir+"/teachers")
	s, addr := testClass(t, func(o *Options) { o.TeacherKeys = dir + "/teachers" })
	c, err := dialKey(addr, TeacherName, teacherKey)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.RequestPty("xterm-256color", 34, 120, gossh.TerminalModes{})
	var out syncBuffer
	sess.Stdout = &out
	in, _ := sess.StdinPipe()
	if err := sess.Start("projector"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, func() bool { return strings.Contains(ansi.Strip(out.String()), "Say hello to a server") },
		func() string { return "no home screen:\n" + ansi.Strip(out.String()) })
	in.Write([]byte("\r"))
	waitUntil(t, 20*time.Second, func() bool { return strings.Contains(ansi.Strip(out.String()), "220 ") },
		func() string { return "no lesson:\n" + ansi.Strip(out.String()) })
	if _, ok := roster(s)[ProjectorName]; !ok {
		t.Errorf("no projector desk in the class list: %v", rosterLines(s))
	}
	if _, ok := roster(s)[TeacherName]; ok {
		t.Errorf("projector opened play's desk too")
	}
}
