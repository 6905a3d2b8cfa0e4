package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// conversation shows the active session's lines, or two sessions side by
// side, each under its name, so a learner sees "laptop" and "phone" react
// to the same mailbox at once. Only the rows on screen are drawn (see
// convo). Its keys select a line and scroll.
type conversation struct {
	c    Common
	a, b *session // shown; b is nil unless side by side
}

func (v *conversation) Init() tea.Cmd    { return nil }
func (v *conversation) SetSize(w, h int) { v.c.SetSize(w, h) }

// show sets the session shown, and the one beside it (or nil).
func (v *conversation) show(a, b *session) { v.a, v.b = a, b }

// handles reports whether a key is the conversation's.
func (v *conversation) handles(msg tea.KeyMsg) bool {
	km := v.c.KeyMap
	return key.Matches(msg, km.SelectUp, km.SelectDown, km.PageUp, km.PageDn, km.Follow)
}

// Update selects and scrolls the shown session's lines.
func (v *conversation) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if v.a == nil {
		return v, nil
	}
	c, km, st := &v.a.convo, v.c.KeyMap, &v.c.Styles
	w, h := v.c.Width, v.c.Height
	switch msg := msg.(type) {
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			c.scroll(-3, w, h, st)
		case tea.MouseButtonWheelDown:
			c.scroll(3, w, h, st)
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, km.SelectUp):
			c.selectMove(-1, w, h, st)
		case key.Matches(msg, km.SelectDown):
			c.selectMove(1, w, h, st)
		case key.Matches(msg, km.PageUp):
			c.scroll(-(h - 1), w, h, st)
		case key.Matches(msg, km.PageDn):
			c.scroll(h-1, w, h, st)
		case key.Matches(msg, km.Follow):
			c.unselect()
		}
	}
	return v, nil
}

func (v *conversation) View() string {
	if v.a == nil {
		return ""
	}
	st := &v.c.Styles
	w, h := v.c.Width, v.c.Height
	if v.b == nil {
		return strings.Join(v.a.convo.visible(w, h, st), "\n")
	}
	lw := (w - 1) / 2
	rw := w - 1 - lw
	pane := func(s *session, pw int, active bool) []string {
		title := st.Tab.Render(s.label)
		if active {
			title = st.TabActive.Render(s.label)
		}
		return fit(append([]string{title}, s.convo.visible(pw, h-1, st)...), pw, h)
	}
	return strings.Join(joinColumns(st.Faint.Render("┆"), pane(v.a, lw, true), pane(v.b, rw, false)), "\n")
}

func (v *conversation) ShortHelp() []key.Binding { return []key.Binding{v.c.KeyMap.SelectUp} }
func (v *conversation) FullHelp() [][]key.Binding {
	km := v.c.KeyMap
	return [][]key.Binding{{km.SelectUp, km.PageUp, km.Follow}}
}
