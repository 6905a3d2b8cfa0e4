package tui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
)

// testOptions are options for a model under test: no colours, a fixed
// palette, the test lessons only, every file in a temporary directory.
func testOptions(t testing.TB) Options {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	ascii := termenv.Ascii
	dark := true
	dir := t.TempDir()
	return Options{
		NoBuiltinLessons: true,
		LessonDirs:       []string{"testdata/lessons"},
		Dark:             &dark,
		Profile:          &ascii,
		Output:           io.Discard,
		SaveDir:          dir + "/transcripts",
		StateDir:         dir,
	}
}

// startTUI runs a model under teatest at a fixed size.
func startTUI(t *testing.T, opts Options, w, h int) *teatest.TestModel {
	t.Helper()
	m := NewModel(opts)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() { tm.Quit() })
	return tm
}

// waitFor waits until the program's output contains every string. The
// output is consumed: keep golden comparisons to FinalModel views.
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	var seen bytes.Buffer
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		for _, w := range want {
			if !bytes.Contains(seen.Bytes(), []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(60*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// typeLine types a line and presses Enter.
func typeLine(tm *teatest.TestModel, s string) {
	tm.Type(s)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
}

func press(k tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: k} }

// finalView stops the program and returns its screen as it was, trailing
// spaces trimmed, then shuts the model's mail worlds down.
func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	v := trimLines(m.View())
	m.shutdown()
	return v
}

func mustContain(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in:\n%s", w, s)
		}
	}
}

// testRenderer is a colourless renderer for unit tests.
func testRenderer() *lipgloss.Renderer {
	return lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
}

// trimLines drops trailing spaces, so goldens do not depend on padding.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
