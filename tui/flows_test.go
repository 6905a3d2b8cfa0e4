package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// Home → the test lesson → type EHLO → the annotated reply appears and the
// step's goal is met; then the question step takes an answer.
// openHelloLesson opens the test lesson and waits for its server's greeting.
func openHelloLesson(t *testing.T) *teatest.TestModel {
	t.Helper()
	tm := startTUI(t, testOptions(t), 100, 33) // room for the whole EHLO list (DSN made it one line longer)
	waitFor(t, tm, "Say hello to a server")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "220 ", "server>")
	return tm
}

func TestLessonEHLO(t *testing.T) {
	tm := openHelloLesson(t)
	typeLine(tm, "EHLO laptop.example.com")
	// The text below the step's block comes once the step is done.
	waitFor(t, tm, "250-", "the server greets the client", "Well done: step 1", "✓ Say hello", "Each 250- line with a dash")
	// The question step: a wrong answer, then the right one.
	typeLine(tm, "1")
	waitFor(t, tm, "Not quite")
	typeLine(tm, "2")
	waitFor(t, tm, "Right.")
	v := finalView(t, tm)
	mustContain(t, v, "S: 250 SIZE", "✓ 1. Say hello", "You finished this lesson")
}

// Enter on an empty line under the step's grey suggestion puts the
// suggestion in the line rather than sending an empty command; a second
// Enter sends it.
func TestLessonEnterOnSuggestion(t *testing.T) {
	tm := openHelloLesson(t)
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "the suggested command is in the line now")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "250-", "Well done: step 1")
	v := finalView(t, tm)
	mustContain(t, v, "S: 250-Hello laptop.example.com", "✓ 1. Say hello")
	if strings.Contains(v, "empty") {
		t.Errorf("an empty line was sent:\n%s", v)
	}
}

// "Show me" pressed again while the line it typed waits unsent points at
// that line rather than moving on to the next (in a two-session step it
// left the first device's command unsent).
func TestLessonShowMeTwice(t *testing.T) {
	tm := openHelloLesson(t)
	tm.Send(press(tea.KeyF4))
	waitFor(t, tm, "Typed for you")
	tm.Send(press(tea.KeyF4))
	v := finalView(t, tm)
	mustContain(t, v, "server> EHLO laptop.example.com", "Typed for you")
	if strings.Contains(v, "Nothing more to type") {
		t.Errorf("the second F4 moved past the unsent line:\n%s", v)
	}
}

// A step with no text of its own says in plain words what counts as done.
func TestLessonStepWithoutTextShowsItsGoal(t *testing.T) {
	src, err := os.ReadFile("testdata/lessons/hello.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bare := strings.Replace(string(src), "`EHLO` introduces your computer.", "", 1)
	if err := os.WriteFile(filepath.Join(dir, "bare.md"), []byte(bare), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.LessonDirs = []string{dir}
	tm := startTUI(t, opts, 100, 30)
	waitFor(t, tm, "Say hello to a server")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "220 ", "Goal: the server")
	v := finalView(t, tm)
	mustContain(t, v, "Goal: the server")
}

// The sandbox: open a POP3 session, log in, ask STAT.
func TestSandboxPOP3(t *testing.T) {
	tm := startTUI(t, testOptions(t), 100, 30)
	waitFor(t, tm, "Sandbox")
	tm.Type("sandbox")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "Open a session")
	tm.Type("3") // POP3
	waitFor(t, tm, "+OK", "laptop>")
	typeLine(tm, "USER alice")
	waitFor(t, tm, "C: USER alice")
	typeLine(tm, "PASS wonderland")
	waitFor(t, tm, "PASS ********", "TRANSACTION")
	typeLine(tm, "STAT")
	waitFor(t, tm, "S: +OK 3 ")
	v := finalView(t, tm)
	mustContain(t, v, "C: STAT", "S: +OK 3 ", "state: TRANSACTION", "POP3")
	if strings.Contains(v, "wonderland") {
		t.Errorf("the password is on screen:\n%s", v)
	}
}

// Save the sandbox transcript with ctrl+s, then replay the saved file and
// step through it.
func TestSaveThenReplay(t *testing.T) {
	opts := testOptions(t)
	tm := startTUI(t, opts, 100, 30)
	waitFor(t, tm, "Sandbox")
	tm.Type("sandbox")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "Open a session")
	tm.Type("3")
	waitFor(t, tm, "+OK", "laptop>")
	typeLine(tm, "QUIT")
	waitFor(t, tm, "C: QUIT", "closed")
	tm.Send(press(tea.KeyCtrlS))
	waitFor(t, tm, "transcript saved to")
	files, _ := filepath.Glob(filepath.Join(opts.SaveDir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("saved files: %v", files)
	}
	tm.Send(press(tea.KeyEsc))
	tm.Type("replay")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, filepath.Base(files[0]))
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "line 1 of")
	tm.Send(press(tea.KeyRight))
	tm.Send(press(tea.KeyRight))
	waitFor(t, tm, "line 3 of")
	tm.Send(press(tea.KeyEnd))
	waitFor(t, tm, "the end")
	v := finalView(t, tm)
	mustContain(t, v, "C: QUIT", "Replay: "+filepath.Base(files[0]))
}

// A corrupt transcript gives a clear message and the file is untouched.
func TestReplayCorruptFile(t *testing.T) {
	opts := testOptions(t)
	path := filepath.Join(t.TempDir(), "broken.jsonl")
	data := []byte("{\"format\":\"mailtutor-transcript\",\"version\":1}\n{not json at all\n")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	opts.ReplayFile = path
	tm := startTUI(t, opts, 80, 24)
	waitFor(t, tm, "Could not open it")
	v := finalView(t, tm)
	mustContain(t, v, "transcript line 2", "Nothing was changed")
	after, _ := os.ReadFile(path)
	if string(after) != string(data) {
		t.Errorf("the corrupt file was changed")
	}
}

// The home screen, as a golden file at 80×24 without colours.
func TestHomeGolden(t *testing.T) {
	tm := startTUI(t, testOptions(t), 80, 24)
	waitFor(t, tm, "Say hello to a server")
	teatest.RequireEqualOutput(t, []byte(finalView(t, tm)))
}

// Leaving a lesson with esc and opening it again finds it as it was; F6
// steps back, F7 restarts from a fresh world.
func TestLessonLeaveAndComeBack(t *testing.T) {
	tm := startTUI(t, testOptions(t), 100, 30)
	waitFor(t, tm, "Say hello to a server")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "server>")
	typeLine(tm, "EHLO laptop.example.com")
	waitFor(t, tm, "Well done: step 1")
	tm.Send(press(tea.KeyEsc))
	waitFor(t, tm, "step 2/2")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "answer 1-2>")
	tm.Send(press(tea.KeyF6))
	waitFor(t, tm, "▸ 1. Say hello")
	tm.Send(press(tea.KeyF7))
	waitFor(t, tm, "220 ")
	v := finalView(t, tm)
	mustContain(t, v, "▸ 1. Say hello", "server>")
	if strings.Contains(v, "C: EHLO") {
		t.Errorf("the restarted lesson still shows the old conversation:\n%s", v)
	}
}

// A question step answered while the session on screen has ended (the
// previous step said QUIT) takes the answer: the learner is not told to
// reconnect first. Lessons 09 and 17 ask a question right after a QUIT.
func TestLessonQuestionAfterQuit(t *testing.T) {
	opts := testOptions(t)
	opts.NoBuiltinLessons, opts.LessonDirs = false, nil
	tm := startTUI(t, opts, 120, 40)
	waitFor(t, tm, "leave a copy on the server")
	tm.Type("leave a copy")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "monday>")
	for _, step := range []struct {
		lines []string
		done  string
	}{
		{[]string{"USER alice@example.com", "PASS wonderland"}, "Well done: step 1"},
		{[]string{"UIDL"}, "Well done: step 2"},
		{[]string{"TOP 1 0"}, "Well done: step 3"},
		{[]string{"RETR 3", "QUIT"}, "answer 1-3>"}, // the question follows at once
	} {
		for _, line := range step.lines {
			typeLine(tm, line)
		}
		waitFor(t, tm, step.done)
	}
	typeLine(tm, "2")
	waitFor(t, tm, "Right.")
	v := finalView(t, tm)
	if strings.Contains(v, "press Enter on an empty line to reconnect") {
		t.Errorf("the answer was taken for a reconnect:\n%s", v)
	}
}

// A message typed under a question: the empty line between its header and
// body belongs to the message, not to the question (it was taken as an
// empty answer, and the message lost the line that ends its header).
func TestLessonBodyUnderQuestionKeepsItsEmptyLine(t *testing.T) {
	tm := openHelloLesson(t)
	typeLine(tm, "EHLO laptop.example.com")
	waitFor(t, tm, "answer 1-2>")
	for _, l := range []string{"MAIL FROM:<carol@example.net>", "RCPT TO:<bob@example.org>", "DATA"} {
		typeLine(tm, l)
	}
	waitFor(t, tm, "354")
	for _, l := range []string{"Subject: under a question", "", "The body.", "."} {
		typeLine(tm, l)
	}
	waitFor(t, tm, "queued")
	v := finalView(t, tm)
	if strings.Contains(v, "Type a number") {
		t.Errorf("the body's empty line was taken as an answer:\n%s", v)
	}
	mustContain(t, v, "answer 1-2>")
}
