package lessons

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/fault"
)

// startLesson runs a built-in lesson on a fresh simulator (certificate in a
// temporary directory).
func startLesson(t *testing.T, id string) *session {
	t.Helper()
	cat, errs := Load(true)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l, ok := cat.Lesson(id)
	if !ok {
		t.Fatalf("no lesson %s", id)
	}
	s, err := start(l, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return s
}

// typeLine sends a line the way the TUI does for the learner, and waits for
// the complete reply, then checks.
func typeLine(t *testing.T, run *Run, session, line string) {
	t.Helper()
	if err := run.PlaySends(context.Background(), []Send{{Session: session, Lines: []string{line}}}, PlayOptions{}); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
}

func TestRunDrivenByTheLearner(t *testing.T) {
	s := startLesson(t, "pop3-first-conversation")
	run := s.run
	if run.Current() != 0 || run.Status(0) != Active || run.Status(1) != Pending {
		t.Fatalf("start: current %d, statuses %v %v", run.Current(), run.Status(0), run.Status(1))
	}
	if run.Conn("mail") == nil {
		t.Fatal("session mail not opened")
	}
	// Hints escalate, then fall back to the solution.
	if h := run.Hint(); !strings.Contains(h, "USER followed by") {
		t.Errorf("hint 1 %q", h)
	}
	if h := run.Hint(); !strings.Contains(h, "USER alice@example.com") {
		t.Errorf("hint 2 %q", h)
	}
	if h := run.Hint(); !strings.HasPrefix(h, "Show me: USER alice@example.com") {
		t.Errorf("hint 3 %q", h)
	}
	// A refused login does not pass step 2.
	typeLine(t, run, "mail", "USER alice@example.com")
	if run.Current() != 1 {
		t.Fatalf("USER +OK did not pass step 1 (at %d)", run.Current())
	}
	typeLine(t, run, "mail", "PASS not-the-password")
	if run.Current() != 1 {
		t.Fatal("a -ERR to PASS passed the step")
	}
	// Over POP3 a failed PASS ends the AUTHORIZATION attempt: start again.
	typeLine(t, run, "mail", "USER alice@example.com")
	typeLine(t, run, "mail", "PASS wonderland")
	if run.Current() != 2 || run.Status(1) != Done {
		t.Fatalf("PASS +OK did not pass step 2 (at %d)", run.Current())
	}
	// Back makes the step active again; it must be done again from now.
	if !run.Back() || run.Current() != 1 || run.Status(1) != Active || run.Status(2) != Pending {
		t.Fatalf("Back: at %d", run.Current())
	}
	if run.Check() {
		t.Error("old lines passed the step again after Back")
	}
	run.SkipTo(5)
	if run.Step(5).Kind != Question {
		t.Fatal("step 6 should be the question")
	}
	if ok, _ := run.Answer(0); ok || run.Current() != 5 {
		t.Error("a wrong answer passed the question")
	}
	if ok, expl := run.Answer(1); !ok || !strings.Contains(expl, "DELE") || run.Current() != 6 {
		t.Errorf("right answer: %v %q at %d", ok, expl, run.Current())
	}
	if sol := run.Solution(); len(sol) != 1 || sol[0].Lines[0] != "QUIT" {
		t.Errorf("solution %+v", sol)
	}
	typeLine(t, run, "mail", "QUIT")
	if !run.Finished() || run.Solution() != nil || run.Hint() != "" {
		t.Errorf("not finished after QUIT: at %d", run.Current())
	}
	// Restart opens a fresh connection and starts over.
	if err := run.Restart(); err != nil {
		t.Fatal(err)
	}
	if run.Current() != 0 || run.Status(6) != Pending || len(run.sessions["mail"]) != 1 {
		t.Errorf("after Restart: at %d, %v, sessions %v", run.Current(), run.Status(6), run.sessions)
	}
}

func TestFastForwardResumes(t *testing.T) {
	s := startLesson(t, "smtp-first-conversation")
	if err := s.run.FastForward(context.Background(), 4, PlayOptions{}); err != nil {
		t.Fatal(err)
	}
	if s.run.Current() != 4 {
		t.Fatalf("at %d", s.run.Current())
	}
	// The server really is waiting for the message now: the solution of
	// step 5 completes it.
	if err := s.run.PlaySends(context.Background(), s.run.Solution(), PlayOptions{}); err != nil {
		t.Fatal(err)
	}
	if s.run.Current() != 5 {
		t.Fatalf("at %d after the message", s.run.Current())
	}
}

func TestStepFaultsSwitch(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(goodLesson, "goal:", "faults_on: [greylist]\ngoal:", 1)
	writeLesson(t, dir, "f.md", src)
	cat, errs := Load(false, dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l, _ := cat.Lesson("tiny")
	s, err := start(l, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if !s.sim.Faults().On(fault.Greylist) {
		t.Error("the step's fault is not on")
	}
}

func TestAutoPrintsTheConversation(t *testing.T) {
	cat, _ := Load(true)
	l, _ := cat.Lesson("smtp-first-conversation")
	var out bytes.Buffer
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	if err := Auto(context.Background(), l, &out, 0); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"## Step 1: Say hello", "[server  ] S: 220 ", "[server  ] C: EHLO laptop.example.com", "C: QUIT", "Lesson complete."} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	// Each step's text comes before its conversation, what it showed after.
	for i, st := range l.Steps {
		if st.Kind != Live {
			continue
		}
		head := strings.Index(text, fmt.Sprintf("## Step %d: ", i+1))
		prose := strings.Index(text[head:], firstLine(st.Prose))
		after := strings.Index(text[head:], firstLine(st.After))
		wire := strings.Index(text[head:], "C: ")
		if st.Prose != "" && (prose < 0 || prose > wire) {
			t.Errorf("step %d: its text is not before its conversation", i+1)
		}
		if st.After != "" && (after < 0 || after < wire) {
			t.Errorf("step %d: its After text is not after its conversation", i+1)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestListShowsGroupsInOrder(t *testing.T) {
	cat, _ := Load(true)
	var out bytes.Buffer
	List(&out, cat)
	text := out.String()
	if !strings.HasPrefix(text, "The journey of an email\n") || strings.Index(text, "SMTP") > strings.Index(text, "POP3") {
		t.Errorf("list:\n%s", text)
	}
}

// The TUI checks from its update loop while "show me" plays in a command.
func TestRunCheckWhileShowMePlays(t *testing.T) {
	s := startLesson(t, "smtp-first-conversation")
	done := make(chan error)
	go func() {
		done <- s.run.FastForward(context.Background(), len(s.run.Lesson().Steps), PlayOptions{})
	}()
	for finished := false; !finished; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		default:
			s.run.Check()
			s.run.Hint()
			_ = s.run.Status(s.run.Current())
		}
	}
	if !s.run.Finished() {
		t.Errorf("at %d", s.run.Current())
	}
}

// Lesson 6's 421 step is live: the learner quits, reconnects the way the
// TUI does (Run.Open), meets 421 4.7.0, and the fault goes off for the next
// step, whose fresh connection is greeted normally.
func TestTooManyConnectionsStepIsLive(t *testing.T) {
	s := startLesson(t, "smtp-errors-help-desk")
	run := s.run
	at := -1
	for i, st := range run.Lesson().Steps {
		if strings.HasPrefix(st.Title, "421") {
			at = i
		}
	}
	if at < 0 {
		t.Fatal("no 421 step")
	}
	if err := run.FastForward(context.Background(), at, PlayOptions{}); err != nil {
		t.Fatal(err)
	}
	if !s.sim.Faults().On(fault.TooManyConnections) {
		t.Fatal("the 421 step did not switch too-many-connections on")
	}
	typeLine(t, run, "inbound", "QUIT")
	if run.Current() != at {
		t.Fatalf("QUIT alone passed the 421 step (at %d)", run.Current())
	}
	// The TUI: Enter on the closed session's empty line.
	if err := run.PlaySends(context.Background(), []Send{{Action: "open", Session: "inbound"}}, PlayOptions{}); err != nil {
		t.Fatal(err)
	}
	if run.Current() != at+1 {
		t.Fatalf("the 421 greeting did not pass the step (at %d)", run.Current())
	}
	var greeting string
	for _, l := range s.rec.Session(run.Conn("inbound").Session()) {
		if l.Code != "" {
			greeting = l.Text
			break
		}
	}
	if greeting != "421 4.7.0 Too many connections, try again later" {
		t.Errorf("greeting %q", greeting)
	}
	run.Answer(run.Step(at + 1).Answer)
	if s.sim.Faults().On(fault.TooManyConnections) {
		t.Error("too-many-connections still on after the 421 steps")
	}
	// The next step opens the laptop: greeted with 220, not refused.
	typeLine(t, run, "laptop", "EHLO laptop.example.com")
	lines := s.rec.Session(run.Conn("laptop").Session())
	var codes []string
	for _, l := range lines {
		if l.Code != "" {
			codes = append(codes, l.Code)
		}
	}
	if len(codes) < 2 || codes[0] != "220" || codes[len(codes)-1] != "250" {
		t.Errorf("laptop replies %v, want 220 ... 250", codes)
	}
}

// Auto shows a step's recorded session before its question, for the class
// to read together.
func TestAutoShowsReplays(t *testing.T) {
	cat, _ := Load(true)
	l, _ := cat.Lesson("troubleshooting-drill")
	var out bytes.Buffer
	if err := Auto(context.Background(), l, &out, 0); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	rec := strings.Index(text, "Recorded session: Ticket 1")
	typo := strings.Index(text, "[pop3    ] C: USER alice@example.co\n")
	question := strings.Index(text, "Read the recording. Why is the login refused?")
	if rec < 0 || typo < rec || question < typo {
		t.Errorf("replay not shown before its question:\n%s", text)
	}
	if strings.Contains(text, "AGFsaWNl") {
		t.Error("a recorded credential is shown unmasked")
	}
}

// A step's open: connects again a session whose connection has ended: the
// phone that said QUIT checks its mail anew two weeks later, and the learner
// types into a live session without reconnecting by hand.
func TestStepOpensAnEndedSessionAgain(t *testing.T) {
	s := startLesson(t, "pop3-two-devices")
	run := s.run
	// Up to the last question before "Two weeks later": the phone has
	// said QUIT (step 5).
	if err := run.FastForward(context.Background(), 7, PlayOptions{}); err != nil {
		t.Fatal(err)
	}
	old := run.Conn("phone")
	if old == nil {
		t.Fatal("phone session not open")
	}
	<-old.Done() // the server hung up after QUIT
	st := run.Step(7)
	if st.Kind != Question {
		t.Fatalf("step 8 is not the question: %q", st.Title)
	}
	run.Answer(st.Answer)
	if run.Current() != 8 {
		t.Fatalf("at %d", run.Current())
	}
	now := run.Conn("phone")
	if now == nil || now == old {
		t.Fatal("the step did not connect the phone again")
	}
	typeLine(t, run, "phone", "USER alice@example.com")
	typeLine(t, run, "phone", "PASS wonderland")
	run.Check() // pulls the lines seen so far
	found := false
	for _, ln := range run.lines {
		if ln.Session == now.Session() && ln.Verb == "PASS" && ln.Code == "+OK" {
			found = true
		}
	}
	if !found {
		t.Error("no +OK to PASS on the phone's new connection")
	}
}
