package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// roleChoice is one entry of the sandbox's "open a session" picker.
type roleChoice struct {
	role wire.Role
	what string // what the listener is for, in a few words
}

// roleChoices lists the listeners a learner can open, in teaching order.
func roleChoices() []roleChoice {
	return []roleChoice{
		{wire.RoleSubmission, "SMTP submission (port 587): send mail as a logged-in user"},
		{wire.RoleMX, "SMTP relay/MX (port 25): how servers hand mail to each other"},
		{wire.RolePOP3, "POP3 (port 110): download the mailbox"},
		{wire.RoleIMAP, "IMAP (port 143): work on mailboxes kept on the server"},
		{wire.RoleSubmissions, "SMTP submission over TLS (port 465)"},
		{wire.RolePOP3S, "POP3 over TLS (port 995)"},
		{wire.RoleIMAPS, "IMAP over TLS (port 993)"},
	}
}

// sessionNames are the default names of sandbox sessions: the devices a
// person reads mail on, so "laptop" and "phone" on one IMAP mailbox tell
// the story by themselves.
func sessionName(n int) string {
	names := []string{"laptop", "phone", "tablet", "desktop", "webmail"}
	if n < len(names) {
		return names[n]
	}
	return fmt.Sprintf("client%d", n+1)
}

func (ws *workspace) onPickerKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	km := ws.c.KeyMap
	choices := roleChoices()
	switch {
	case key.Matches(msg, km.Back):
		ws.picking = false
		if len(ws.sessions) == 0 {
			return nil, true
		}
	case key.Matches(msg, km.Up):
		ws.pickIdx = (ws.pickIdx + len(choices) - 1) % len(choices)
	case key.Matches(msg, km.Down), msg.Type == tea.KeyTab:
		ws.pickIdx = (ws.pickIdx + 1) % len(choices)
	case key.Matches(msg, km.Open):
		ws.picking = false
		return ws.dial(sessionName(len(ws.sessions)), "", choices[ws.pickIdx].role), false
	case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && msg.Runes[0] <= '7':
		ws.picking = false
		return ws.dial(sessionName(len(ws.sessions)), "", choices[msg.Runes[0]-'1'].role), false
	}
	return nil, false
}

func (ws *workspace) pickerView(w int) []string {
	st := &ws.c.Styles
	out := []string{st.Accent.Render("Open a session"), st.Subtle.Render("Which server do you want to talk to? (↑/↓ and Enter, or a number)"), ""}
	for i, c := range roleChoices() {
		line := fmt.Sprintf("%d  %-12s %s", i+1, c.role, c.what)
		if i == ws.pickIdx {
			out = append(out, st.Selected.Render("▸ "+line))
		} else {
			out = append(out, "  "+line)
		}
	}
	return out
}
