package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Component is the contract every screen and every pane keeps (the shape
// of soft-serve's pkg/ui/common): a Bubble Tea model that can be given a
// size and says which keys it answers, for the help line (ShortHelp) and
// the F1 page (FullHelp). Each component keeps its own copy of Common, so
// its Width and Height are its own box, not the window's.
//
// A parent owns its children as concrete types (glow's ui.go) and may call
// their typed methods to hand them data; it never reads or writes their
// fields. A child asks its parent for something (leave the screen, open a
// lesson) with Common.request.
type Component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// requests carries what children ask of the root model during one Update.
// The root handles them before it reads the next message: leaving a screen
// must take effect before the next key, which a tea.Cmd (run on another
// goroutine, its message queued behind keys already typed) cannot promise.
type requests struct{ msgs []tea.Msg }

// request asks the root model for something (see the *Request types).
func (c *Common) request(msg tea.Msg) {
	if c.requests != nil {
		c.requests.msgs = append(c.requests.msgs, msg)
	}
}

// takeRequests returns and forgets what children asked for.
func (c *Common) takeRequests() []tea.Msg {
	if c.requests == nil {
		return nil
	}
	msgs := c.requests.msgs
	c.requests.msgs = nil
	return msgs
}

// Requests a child makes of the root model.
type (
	// backRequest: the screen is done; show the home menu.
	backRequest struct{}
	// openRequest: the home menu's entry was chosen.
	openRequest struct{ entry menuEntry }
)

// boxed is a message bound for the live screen that owns an inbox: the
// root hands it to every live screen, and the one whose inbox it names
// takes it, shown or not (a sandbox keeps its lines while a lesson is
// shown).
type boxed interface{ inboxOf() *inbox }

func (m inboxMsg) inboxOf() *inbox { return m.from }
func (m mailMsg) inboxOf() *inbox  { return m.box }
func (m dialMsg) inboxOf() *inbox  { return m.box }
func (m savedMsg) inboxOf() *inbox { return m.box }

// markdowner is a component that shows Markdown rendered in the background:
// markdownCmd starts rendering what it shows now, if not cached yet.
type markdowner interface{ markdownCmd() tea.Cmd }

// noHelp is embedded by panes that answer no keys of their own.
type noHelp struct{}

func (noHelp) ShortHelp() []key.Binding  { return nil }
func (noHelp) FullHelp() [][]key.Binding { return nil }
