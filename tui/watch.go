package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// watchScreen shows every session of a world as it happens, read only:
// real mail programs pointed at it and the relay hops they cause, each in a
// tab from its first line. Nothing is typed.
type watchScreen struct {
	ws     *workspace
	intro  string   // cache key of the introduction shown before any session
	aside  sidePane // the optional pane beside the sessions, or nil
	follow sessionFollower
}

// watchOptions configure a watch screen.
type watchOptions struct {
	// SaveDir is where ctrl+s writes transcripts.
	SaveDir string
	// Aside is an extra side tab shown beside the sessions, after Explain
	// and Mailbox, and shown first (the findings of a watched session: the
	// seam for issue 27). If it is a sessionFollower it is told which
	// session is active before every frame. nil: no extra tab.
	Aside sidePane
}

// sessionFollower is a side pane that shows something about the active
// session; the screen tells it which one that is (nil: none yet).
type sessionFollower interface {
	followSession(id wire.SessionID, s *session)
}

func newWatch(c Common, w world, opts watchOptions) *watchScreen {
	wo := workspaceOptions{Title: "Watch", SaveDir: opts.SaveDir, Claim: claimEvery}
	if opts.Aside != nil {
		wo.Panes, wo.Show = []sidePane{opts.Aside}, opts.Aside
	}
	v := &watchScreen{ws: newWorkspace(c, w, wo), intro: "watch", aside: opts.Aside}
	v.follow, _ = opts.Aside.(sessionFollower)
	return v
}

// claimEvery gives every session of the world a tab.
func claimEvery(it item) *session {
	if it.Session == "" {
		return nil
	}
	return newWatchedSession(it)
}

func (v *watchScreen) Init() tea.Cmd    { return v.ws.init() }
func (v *watchScreen) SetSize(w, h int) { v.ws.c.SetSize(w, h) }
func (v *watchScreen) close()           { v.ws.close() }

func (v *watchScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := v.ws.background(msg); ok {
		return v, cmd
	}
	switch msg := msg.(type) {
	case tea.MouseMsg:
		v.ws.mouse(msg)
	case tea.KeyMsg:
		v.ws.status = ""
		cmd, _ := v.ws.key(msg) // nothing is typed while watching
		return v, cmd
	}
	if v.aside != nil {
		// Messages for the aside pane (its own background results).
		_, cmd := v.aside.Update(msg)
		return v, cmd
	}
	return v, nil
}

func (v *watchScreen) View() string {
	ws := v.ws
	if v.follow != nil {
		s := ws.sessions.current()
		var id wire.SessionID
		if s != nil {
			id = s.id
		}
		v.follow.followSession(id, s)
	}
	var center []string
	if len(ws.sessions.list) == 0 {
		cw, _, _, _, _ := ws.layout()
		center, _ = ws.c.markdown.peek(v.intro, cw, func() string { return watchMarkdown(ws.world) })
	}
	ws.input.say(ws.c.Styles.Faint.Render(ansi.Truncate("Watching: mail programs talk, you read. ctrl+n/ctrl+p switch sessions, shift+↑/↓ selects a line.", ws.c.Width, "…")))
	return ws.view(center, v.ShortHelp())
}

// markdownCmd renders the introduction until a session shows, then what
// the side panel shows.
func (v *watchScreen) markdownCmd() tea.Cmd {
	ws := v.ws
	if len(ws.sessions.list) == 0 {
		cw, _, _, _, _ := ws.layout()
		_, cmd := ws.c.markdown.get(v.intro, watchMarkdown(ws.world), ws.c.GlamourStyle, cw)
		return cmd
	}
	return ws.markdownCmd()
}

func (v *watchScreen) ShortHelp() []key.Binding {
	return v.ws.c.KeyMap.WatchShortHelp()
}

func (v *watchScreen) FullHelp() [][]key.Binding {
	km := v.ws.c.KeyMap
	return [][]key.Binding{{km.NextSession, km.PrevSession, km.SelectUp, km.PageUp, km.Follow},
		{km.Split, km.Pane, km.SideUp, km.SideDown, km.Save, km.Back}}
}
