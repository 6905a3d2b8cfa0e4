package tui

import (
	"fmt"
	"sort"
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

// perKey runs Update and View for one key per iteration, times each, and
// reports the median and the 99th percentile in milliseconds: a frame that
// is slow once in a hundred keys is what a learner feels, and the mean
// hides it.
func perKey(b *testing.B, m *Model, key func(i int) tea.Msg) {
	b.Helper()
	times := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		m.Update(key(i))
		_ = m.View()
		times[i] = time.Since(start)
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Nanoseconds()) / 1e6
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkKeystroke measures one typed key (Update and View) in a session
// holding 10,000 lines: the work Bubble Tea does per key at 60 fps.
func BenchmarkKeystroke(b *testing.B) {
	m := sandboxWithLines(b, 10000)
	m.View() // fill the caches of the visible rows, as the first frame does
	k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'a'}}
	bs := tea.KeyMsg{Type: tea.KeyBackspace}
	perKey(b, m, func(i int) tea.Msg {
		if i%2 == 0 {
			return k
		}
		return bs
	})
}

// BenchmarkScroll measures a page up in the same session (rows that were
// not visible get rendered and cached), back to the newest line every 100
// pages so the benchmark never runs out of lines.
func BenchmarkScroll(b *testing.B) {
	m := sandboxWithLines(b, 10000)
	m.View()
	perKey(b, m, func(i int) tea.Msg {
		if i%100 == 99 {
			return tea.KeyMsg{Type: tea.KeyCtrlL}
		}
		return tea.KeyMsg{Type: tea.KeyPgUp}
	})
}

// BenchmarkSelect measures selecting the line above (shift+up): the
// conversation moves its bar and the side pane explains another line.
func BenchmarkSelect(b *testing.B) {
	m := sandboxWithLines(b, 10000)
	m.View()
	perKey(b, m, func(i int) tea.Msg {
		if i%200 == 199 {
			return tea.KeyMsg{Type: tea.KeyCtrlL}
		}
		return tea.KeyMsg{Type: tea.KeyShiftUp}
	})
}

// The conversation draws only what reaches the screen: after a frame of a
// 10,000-line session, only the items on screen were rendered.
func TestConversationRendersVisibleRowsOnly(t *testing.T) {
	m := sandboxWithLines(t, 10000)
	m.View()
	m.Update(tea.KeyMsg{Type: tea.KeyPgUp})
	m.View()
	c := &m.sandbox.ws.sessions.current().convo
	rendered := 0
	for _, r := range c.rows {
		if r != nil {
			rendered++
		}
	}
	if rendered == 0 || rendered > 40 {
		t.Fatalf("%d of %d items rendered for a 40-row window", rendered, len(c.items))
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
