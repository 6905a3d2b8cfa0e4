package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// stateBar shows protocol, role, state and TLS of the active session.
type stateBar struct {
	noHelp
	c Common
	s *session
}

func (b *stateBar) Init() tea.Cmd                       { return nil }
func (b *stateBar) Update(tea.Msg) (tea.Model, tea.Cmd) { return b, nil }
func (b *stateBar) SetSize(w, h int)                    { b.c.SetSize(w, h) }
func (b *stateBar) show(s *session)                     { b.s = s }

func (b *stateBar) View() string {
	st := &b.c.Styles
	w, s := b.c.Width, b.s
	if s == nil {
		return st.StateBar.Render(fmt.Sprintf("%-*s", w, " no session"))
	}
	tls := "TLS off (plaintext: anyone on the network can read it)"
	if s.encrypted {
		tls = "TLS on ≡ (encrypted on the network)"
	}
	state := s.state
	if state == "" {
		state = "?"
	}
	if s.closed {
		state = "closed"
	}
	text := fmt.Sprintf(" %s · %s · state: %s · %s · %s", strings.ToUpper(string(s.proto())), s.role, state, tls, s.id)
	text = ansi.Truncate(text, w, "…")
	return st.StateBar.Render(text + strings.Repeat(" ", max(0, w-ansi.StringWidth(text))))
}

// inputLine draws the line the learner types into: a session's line
// editor under a prompt, or a note where nothing is typed.
type inputLine struct {
	c       Common
	ed      *lineEditor
	prompt  string
	focused bool
	note    string // drawn as it is instead of an editor
}

func (l *inputLine) Init() tea.Cmd                       { return nil }
func (l *inputLine) Update(tea.Msg) (tea.Model, tea.Cmd) { return l, nil }
func (l *inputLine) SetSize(w, h int)                    { l.c.SetSize(w, h) }

// edit shows an editor under a prompt.
func (l *inputLine) edit(ed *lineEditor, prompt string, focused bool) {
	l.ed, l.prompt, l.focused, l.note = ed, prompt, focused, ""
}

// say shows a rendered note instead of an editor.
func (l *inputLine) say(note string) { l.ed, l.note = nil, note }

func (l *inputLine) View() string {
	if l.ed == nil {
		return l.note
	}
	return l.ed.view(l.prompt, l.c.Width, &l.c.Styles, l.focused)
}

func (l *inputLine) ShortHelp() []key.Binding {
	km := l.c.KeyMap
	return []key.Binding{km.Send, km.Complete}
}

func (l *inputLine) FullHelp() [][]key.Binding {
	km := l.c.KeyMap
	return [][]key.Binding{{km.Send, km.Complete, km.HistoryPrev}}
}
