package tui

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// sandboxScreen lets the learner open sessions to any server of the
// sandbox's world and type into them: a picker of listeners first, then
// the sessions as tabs.
type sandboxScreen struct {
	ws      *workspace
	picking bool // the "open a session" picker is shown
	pickIdx int
	// users are the world's users, read once: the picker lists them and
	// ctrl+g builds their AUTH PLAIN lines.
	users []worldUser
}

func newSandbox(c Common, w world, saveDir string) *sandboxScreen {
	return &sandboxScreen{ws: newWorkspace(c, w, workspaceOptions{Title: "Sandbox", SaveDir: saveDir}), picking: true,
		users: w.Users()}
}

func (sb *sandboxScreen) Init() tea.Cmd        { return sb.ws.init() }
func (sb *sandboxScreen) SetSize(w, h int)     { sb.ws.c.SetSize(w, h) }
func (sb *sandboxScreen) close()               { sb.ws.close() }
func (sb *sandboxScreen) markdownCmd() tea.Cmd { return sb.ws.markdownCmd() }

func (sb *sandboxScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := sb.ws.background(msg); ok {
		return sb, cmd
	}
	switch msg := msg.(type) {
	case tea.MouseMsg:
		sb.ws.mouse(msg)
	case tea.KeyMsg:
		return sb, sb.key(msg)
	}
	return sb, nil
}

func (sb *sandboxScreen) key(msg tea.KeyMsg) tea.Cmd {
	ws, km := sb.ws, sb.ws.c.KeyMap
	if sb.picking && !ws.dnsWants(msg) {
		return sb.pickerKey(msg)
	}
	ws.status = "" // any key clears the last status message
	if cmd, ok := ws.key(msg); ok {
		return cmd
	}
	s := ws.sessions.current()
	switch {
	case key.Matches(msg, km.NewSession):
		sb.picking, sb.pickIdx = true, 0
	case key.Matches(msg, km.Drop):
		if s != nil && s.conn != nil {
			// No QUIT: the connection just ends, as when a network fails.
			s.conn.Close()
			ws.setStatus("connection dropped without QUIT, as if the network failed", false)
		}
	case s == nil:
	case key.Matches(msg, km.Send):
		return sb.ws.submit(s, nil).cmd
	case key.Matches(msg, km.AuthPlain):
		if s.mode == modeLine && len(sb.users) > 0 {
			u := sb.users[s.authNext%len(sb.users)]
			s.authNext++
			s.input.SetValue(authPlainLine(s.proto(), s.nextTag(), u))
			ws.setStatus("AUTH PLAIN for "+u.Address+": base64 of \\0user\\0password; Enter sends it, ctrl+g again: the next user", false)
		}
	case msg.Paste:
		paste(s, msg.Runes, func(s *session) { sb.ws.submit(s, nil) })
	default:
		s.input.handleKey(msg)
	}
	return nil
}

func (sb *sandboxScreen) View() string {
	ws := sb.ws
	var center []string
	if sb.picking {
		cw, ch, _, _, _ := ws.layout()
		center = sb.pickerView(cw, ch)
	}
	s := ws.sessions.current()
	switch {
	case s == nil:
		ws.input.say(ws.c.Styles.Faint.Render("> "))
	case s.closed && s.input.Value() == "":
		st := &ws.c.Styles
		ws.input.say(st.Prompt.Render(s.prompt()) + st.Ghost.Render("connection closed — Enter reconnects"))
	default:
		ws.input.edit(&s.input, s.prompt(), !sb.picking)
	}
	return ws.view(center, sb.ShortHelp())
}

func (sb *sandboxScreen) ShortHelp() []key.Binding {
	return sb.ws.c.KeyMap.SessionShortHelp(false, len(sb.ws.sessions.list))
}

func (sb *sandboxScreen) FullHelp() [][]key.Binding {
	km := sb.ws.c.KeyMap
	return [][]key.Binding{{km.Send, km.Complete, km.HistoryPrev, km.SelectUp, km.PageUp, km.Follow, km.AuthPlain},
		{km.NewSession, km.NextSession, km.Split, km.Pane, km.SideUp, km.SideDown, km.Save, km.Drop, km.Back}}
}

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

// sessionName is the default name of the n-th sandbox session: the devices
// a person reads mail on, so "laptop" and "phone" on one IMAP mailbox tell
// the story by themselves.
func sessionName(n int) string {
	names := []string{"laptop", "phone", "tablet", "desktop", "webmail"}
	if n < len(names) {
		return names[n]
	}
	return fmt.Sprintf("client%d", n+1)
}

func (sb *sandboxScreen) pickerKey(msg tea.KeyMsg) tea.Cmd {
	ws, km := sb.ws, sb.ws.c.KeyMap
	choices := roleChoices()
	n := len(ws.sessions.list)
	switch {
	case key.Matches(msg, km.Back):
		sb.picking = false
		if n == 0 {
			ws.c.request(backRequest{})
		}
	case key.Matches(msg, km.Up):
		sb.pickIdx = (sb.pickIdx + len(choices) - 1) % len(choices)
	case key.Matches(msg, km.Down), msg.Type == tea.KeyTab:
		sb.pickIdx = (sb.pickIdx + 1) % len(choices)
	case key.Matches(msg, km.Open):
		sb.picking = false
		return ws.dial(sessionName(n), "", choices[sb.pickIdx].role)
	case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && msg.Runes[0] <= '7':
		sb.picking = false
		return ws.dial(sessionName(n), "", choices[msg.Runes[0]-'1'].role)
	}
	return nil
}

// pickerView draws the picker in a box w columns wide and h rows high:
// the servers, each description wrapped under itself, then the world's
// users and how to log in with them (the blank lines go when rows are few).
func (sb *sandboxScreen) pickerView(w, h int) []string {
	st := &sb.ws.c.Styles
	var out []string
	for _, l := range wrapText("Open a session: which server? (↑/↓ and Enter, or a number)", w) {
		out = append(out, st.Accent.Render(l))
	}
	for i, c := range roleChoices() {
		lead := fmt.Sprintf("%d  %-12s ", i+1, c.role)
		for k, l := range wrapText(c.what, w-2-len(lead)) {
			if k > 0 {
				lead = strings.Repeat(" ", len(lead))
			}
			if i == sb.pickIdx {
				mark := "▸ "
				if k > 0 {
					mark = "  "
				}
				out = append(out, st.Selected.Render(mark+lead+l))
			} else {
				out = append(out, "  "+lead+l)
			}
		}
	}
	card := sb.usersCard(w)
	if len(card) > 0 && len(out)+len(card) < h {
		out = append(out, "")
	}
	return append(out, card...)
}

// usersCard names the world's users and passwords and says how a SASL
// PLAIN login is built from them (RFC 4616), and which key builds it.
func (sb *sandboxScreen) usersCard(w int) []string {
	if len(sb.users) == 0 {
		return nil
	}
	st := &sb.ws.c.Styles
	var pairs []string
	for _, u := range sb.users {
		pairs = append(pairs, u.Address+" / "+u.Password)
	}
	var out []string
	for _, l := range wrapText("Users: "+strings.Join(pairs, " · "), w) {
		out = append(out, st.Accent.Render(l))
	}
	for _, l := range wrapText("AUTH PLAIN: base64 of \\0user\\0password (RFC 4616); ctrl+g types it", w) {
		out = append(out, st.Subtle.Render(l))
	}
	return out
}

// authPlainLine is the line that logs user u in with SASL PLAIN (RFC 4616:
// base64 of an empty authorisation identity, the user and the password,
// each after a NUL) in the protocol's form: SMTP (RFC 4954) and POP3
// (RFC 5034) "AUTH PLAIN <initial response>", IMAP a tagged AUTHENTICATE
// with the initial response (RFC 9051 §6.2.2, SASL-IR).
func authPlainLine(p wire.Proto, tag string, u worldUser) string {
	resp := base64.StdEncoding.EncodeToString([]byte("\x00" + u.Address + "\x00" + u.Password))
	if p == wire.IMAP {
		return tag + " AUTHENTICATE PLAIN " + resp
	}
	return "AUTH PLAIN " + resp
}
