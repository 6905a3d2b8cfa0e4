package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// The styles draw the same escape sequences with their colours converted
// once as termenv converts them at each Render.
func TestProfileColorSameAsRender(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.ANSI, termenv.Ascii} {
		r := lipgloss.NewRenderer(nil)
		r.SetColorProfile(p)
		for _, hex := range []string{"#7D56F4", "#DDDDDD", "#FF5F87", "#303050", "#FFFDF5"} {
			want := r.NewStyle().Foreground(lipgloss.Color(hex)).Render("x")
			got := r.NewStyle().Foreground(profileColor(p, hex)).Render("x")
			if got != want {
				t.Errorf("profile %d, %s: %q, Render gives %q", p, hex, got, want)
			}
		}
	}
}

// BenchmarkKeystrokeANSI256 is BenchmarkKeystroke on a 256-colour
// terminal, the usual one (xterm-256color), where colours are converted.
func BenchmarkKeystrokeANSI256(b *testing.B) {
	m := sandboxWithLines(b, 10000)
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.ANSI256)
	m.c.Renderer, m.c.Styles = r, DefaultStyles(r, true)
	m.View()
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
