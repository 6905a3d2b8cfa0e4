package tui

import (
	"sync/atomic"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// workspace is what the live screens (sandbox, lesson, watch) are built on:
// a mail world and the inbox its events arrive through, the named sessions,
// and the shared components around them (conversation, side panel with the
// explain and mailbox panes, state bar, input line). It is not a screen:
// each screen owns one and adds what is its own (what is typed, which
// sessions get a tab, which keys, which side tabs). A screen and its
// workspace are one model: the screen works on its sessions directly, and
// on the workspace's components through their methods.
type workspace struct {
	c        Common
	world    world
	box      *inbox
	title    string // shown in the header: "Sandbox", the lesson's title
	sessions sessionSet

	conv    conversation
	side    sidePanel
	explain *explainPane
	mailbox *mailboxPane
	bar     stateBar
	input   inputLine
	dns     *dnsEditor // the world's DNS page (dns.go), or nil

	split     bool   // two sessions side by side: the active one and the next
	status    string // the result of the last action (saved to ..., errors)
	statusErr bool
	mailDirty atomic.Bool // a refresh is already on its way

	stopLines, stopChange func()
	saveDir               string
	// claim gives a tab to a session the screen did not open, from its
	// first line (watch: every session; lesson: relay hops), or returns nil.
	claim func(it item) *session
}

// workspaceOptions configure a new workspace.
type workspaceOptions struct {
	Title   string                 // shown in the header
	SaveDir string                 // where ctrl+s writes transcripts
	Claim   func(it item) *session // see workspace.claim; nil claims nothing
	// Panes are side tabs after Explain and Mailbox (the lesson, findings).
	Panes []sidePane
	// Show is the side tab shown first; nil shows Explain.
	Show sidePane
}

func newWorkspace(c Common, w world, opts workspaceOptions) *workspace {
	ws := &workspace{c: c, world: w, box: newInbox(), title: opts.Title, sessions: newSessionSet(),
		saveDir: opts.SaveDir, claim: opts.Claim}
	ws.explain, ws.mailbox = &explainPane{c: c}, &mailboxPane{c: c}
	ws.conv, ws.bar, ws.input = conversation{c: c}, stateBar{c: c}, inputLine{c: c}
	ws.side = sidePanel{c: c, tabs: append([]sidePane{ws.explain, ws.mailbox}, opts.Panes...)}
	ws.dns = newDNSEditor(c, w)
	if opts.Show != nil {
		ws.side.show(opts.Show)
	}
	box := ws.box
	ws.stopLines = w.WatchLines(func(it item) { box.push(lineMsg{it}) })
	ws.stopChange = w.OnChange(func() {
		if ws.mailDirty.CompareAndSwap(false, true) {
			box.push(mailChangedMsg{})
		}
	})
	return ws
}

// Messages that reach a workspace: through its inbox (lines, changes, the
// writers' results) or as its commands' results (naming its inbox).
type (
	lineMsg        struct{ it item }
	mailChangedMsg struct{}
	mailMsg        struct {
		box   *inbox
		state mailState
	}
	dialMsg struct {
		box         *inbox
		name, label string
		conn        clientConn
		err         error
	}
	connDoneMsg struct{ id wire.SessionID }
	savedMsg    struct {
		box  *inbox
		path string
		err  error
	}
)

// init starts listening and loads the mailbox pane.
func (ws *workspace) init() tea.Cmd { return tea.Batch(ws.box.wait(), ws.refreshMail()) }

// close ends every session and stops listening.
func (ws *workspace) close() {
	ws.stopLines()
	ws.stopChange()
	ws.box.stop()
	for _, s := range ws.sessions.list {
		if s.conn == nil {
			continue // watched, not ours
		}
		s.out.close()
		s.conn.Close()
	}
}

func (ws *workspace) refreshMail() tea.Cmd {
	w, box := ws.world, ws.box
	return func() tea.Msg {
		ws.mailDirty.Store(false)
		return mailMsg{box: box, state: w.Mail()}
	}
}

func (ws *workspace) setStatus(s string, isErr bool) { ws.status, ws.statusErr = s, isErr }

// background handles what arrives from the world and from commands. It
// reports whether msg was the workspace's (an inbox batch or a result
// naming its inbox).
func (ws *workspace) background(msg tea.Msg) (tea.Cmd, bool) {
	if b, ok := msg.(boxed); ok && b.inboxOf() != ws.box {
		return nil, false // another screen's, or from a workspace closed since
	}
	switch msg := msg.(type) {
	case inboxMsg:
		var cmds []tea.Cmd
		for _, m := range msg.msgs {
			switch m := m.(type) {
			case lineMsg:
				ws.onLine(m.it)
			case mailChangedMsg:
				cmds = append(cmds, ws.refreshMail())
			case connDoneMsg:
				ws.onConnDone(m)
			case writeResult:
				ws.onWrite(m)
			}
		}
		return tea.Batch(append(cmds, ws.box.wait())...), true
	case mailMsg:
		ws.mailbox.setMail(msg.state)
	case dialMsg:
		return ws.onDial(msg), true
	case savedMsg:
		if msg.err != nil {
			ws.setStatus("could not save the transcript: "+msg.err.Error(), true)
		} else {
			ws.setStatus("transcript saved to "+msg.path, false)
		}
	default:
		return nil, false
	}
	return nil, true
}

// key handles the keys every live screen shares: esc, the side panel,
// saving, side by side, switching sessions, selecting and scrolling lines.
// It reports whether the key was one of them.
func (ws *workspace) key(msg tea.KeyMsg) (tea.Cmd, bool) {
	km := ws.c.KeyMap
	s := ws.sessions.current()
	ws.layout()
	if ws.dnsWants(msg) {
		if !ws.dns.shown {
			ws.dns.toggle()
		} else {
			ws.dns.Update(msg) // the DNS page has the keyboard while it is open
		}
		return nil, true
	}
	switch {
	case key.Matches(msg, km.Back):
		if s != nil && s.mode == modeBody && len(s.body) > 0 {
			s.body = nil // start the body again; the server still waits for "."
			return nil, true
		}
		ws.c.request(backRequest{})
	case key.Matches(msg, km.Pane):
		ws.side.cycle()
	case key.Matches(msg, km.SideUp):
		ws.side.Update(sideScrollMsg{-5})
	case key.Matches(msg, km.SideDown):
		ws.side.Update(sideScrollMsg{5})
	case key.Matches(msg, km.Save):
		return ws.save(), true
	case key.Matches(msg, km.Split):
		ws.split = !ws.split
		if ws.split && len(ws.sessions.list) < 2 {
			ws.setStatus("side by side needs two sessions: ctrl+t opens another", true)
			ws.split = false
		}
	case s == nil:
		return nil, false
	case key.Matches(msg, km.NextSession):
		ws.sessions.cycle(1)
	case key.Matches(msg, km.PrevSession):
		ws.sessions.cycle(-1)
	case msg.Alt && msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && msg.Runes[0] <= '9':
		if i := int(msg.Runes[0] - '1'); i < len(ws.sessions.list) {
			ws.sessions.active = i
		}
	case ws.conv.handles(msg):
		if key.Matches(msg, km.SelectUp, km.SelectDown) {
			// Another line's explanation: from its top.
			ws.side.Update(sideTopMsg{})
		}
		if key.Matches(msg, km.SelectUp) && ws.side.showing(ws.mailbox) {
			ws.side.show(ws.explain)
		}
		ws.conv.Update(msg)
	default:
		return nil, false
	}
	return nil, true
}

// mouse scrolls the pane under the pointer with the wheel (row 0 is the
// header).
func (ws *workspace) mouse(msg tea.MouseMsg) {
	if ws.sessions.current() == nil || msg.Action != tea.MouseActionPress {
		return
	}
	cw, ch, sw, _, stacked := ws.layout()
	overSide := sw > 0 && ((!stacked && msg.X > cw) || (stacked && msg.Y > ch))
	switch {
	case overSide && msg.Button == tea.MouseButtonWheelUp:
		ws.side.Update(sideScrollMsg{-3})
	case overSide && msg.Button == tea.MouseButtonWheelDown:
		ws.side.Update(sideScrollMsg{3})
	default:
		ws.conv.Update(msg)
	}
}
