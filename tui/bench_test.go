package tui

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// sandboxWithLines builds a model showing a sandbox session connected to a
// real simulator, its conversation holding n lines.
func sandboxWithLines(tb testing.TB, n int) *Model {
	tb.Helper()
	opts := testOptions(tb)
	m := NewModel(opts)
	w, err := startLiveWorld(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.shutdown() })
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(worldMsg{w: w})
	m.openSandbox()
	conn, err := w.Dial(wire.RolePOP3)
	if err != nil {
		tb.Fatal(err)
	}
	m.sandbox.picking = false
	m.sandbox.ws.onDial(dialMsg{name: "laptop", conn: conn})
	s := m.sandbox.ws.sessions.current()
	for i := 0; i < n; i++ {
		dir := wire.FromClient
		text := fmt.Sprintf("RETR %d", i)
		if i%2 == 1 {
			dir, text = wire.FromServer, fmt.Sprintf("+OK message %d follows, a line long enough to wrap once the pane is narrow enough to make it", i)
		}
		s.convo.add(item{Seq: uint64(i + 1), Session: s.id, Proto: wire.POP3, Dir: dir, Kind: wire.Line, Text: text,
			Note: "what this line means, in one line that is long enough to need wrapping on a narrow pane", RFC: "RFC 1939 §7"})
	}
	return m
}

// BenchmarkKeystroke measures one typed key (Update and View) in a session
// holding 10,000 lines: the work Bubble Tea does per key at 60 fps.
func BenchmarkKeystroke(b *testing.B) {
	m := sandboxWithLines(b, 10000)
	m.View() // fill the caches of the visible rows, as the first frame does
	k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'a'}}
	bs := tea.KeyMsg{Type: tea.KeyBackspace}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			m.Update(k)
		} else {
			m.Update(bs)
		}
		_ = m.View()
	}
}

// BenchmarkScroll measures a page up in the same session (rows that were
// not visible get rendered and cached).
func BenchmarkScroll(b *testing.B) {
	m := sandboxWithLines(b, 10000)
	m.View()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyPgUp})
		_ = m.View()
	}
}

// BenchmarkFirstFrame measures building the model and drawing the home
// screen: the mail world and the lessons load in the background after it.
func BenchmarkFirstFrame(b *testing.B) {
	opts := testOptions(b)
	for i := 0; i < b.N; i++ {
		m := NewModel(opts)
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		_ = m.View()
	}
}

// TestFirstFrameQuick reports how long the first frame takes, as a log
// line (the benchmark is the measure; this catches a first frame that
// waits for the world, which would take seconds).
func TestFirstFrameQuick(t *testing.T) {
	opts := testOptions(t)
	start := time.Now()
	m := NewModel(opts)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	v := m.View()
	t.Logf("first frame in %v", time.Since(start))
	mustContain(t, v, "mailtutor", "Sandbox")
	if m.world != nil {
		t.Error("the first frame waited for the mail world")
	}
}
