package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// sidePane is a Component shown as a tab of the side panel: the
// explanation, the mailboxes, the lesson, a watch screen's findings.
type sidePane interface {
	Component
	// Title is the pane's tab title.
	Title() string
}

// Messages the side panel hands its panes.
type (
	// sideScrollMsg scrolls the pane by delta rows (negative: up).
	sideScrollMsg struct{ delta int }
	// sideTopMsg scrolls the pane back to its top.
	sideTopMsg struct{}
)

// tallPane is a side pane that wants half of a stacked layout's height
// rather than two fifths (the lesson's text needs the room).
type tallPane interface{ tall() bool }

// scroller is the scroll offset of a pane that shows a list of lines.
type scroller struct{ offset int }

func (s *scroller) update(msg tea.Msg) {
	switch msg := msg.(type) {
	case sideScrollMsg:
		s.offset = max(0, s.offset+msg.delta)
	case sideTopMsg:
		s.offset = 0
	}
}

// cut shows h rows from the offset, never scrolled past the end.
func (s *scroller) cut(lines []string, h int) []string {
	if len(lines) > h {
		s.offset = min(s.offset, len(lines)-h)
		lines = lines[s.offset:]
	}
	return lines
}

// sidePanel is the right-hand (or lower) pane of a live screen: a tab line
// and the pane shown; F2 cycles the tabs.
type sidePanel struct {
	c      Common
	tabs   []sidePane
	active int
}

func (p *sidePanel) Init() tea.Cmd { return nil }

// SetSize gives the shown pane the box under the tab line, one column in.
func (p *sidePanel) SetSize(w, h int) {
	p.c.SetSize(w, h)
	for _, t := range p.tabs {
		t.SetSize(max(0, w-1), max(0, h-1))
	}
}

// Update hands scrolling to the pane shown; sideTopMsg goes to every pane.
func (p *sidePanel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(sideTopMsg); ok {
		for _, t := range p.tabs {
			t.Update(msg)
		}
		return p, nil
	}
	_, cmd := p.shown().Update(msg)
	return p, cmd
}

func (p *sidePanel) shown() sidePane { return p.tabs[p.active] }

// showing reports whether pane is the tab shown.
func (p *sidePanel) showing(pane sidePane) bool { return p.shown() == pane }

// show makes pane the tab shown.
func (p *sidePanel) show(pane sidePane) {
	for i, t := range p.tabs {
		if t == pane {
			p.active = i
		}
	}
}

// cycle shows the next tab, from its top.
func (p *sidePanel) cycle() {
	p.active = (p.active + 1) % len(p.tabs)
	p.Update(sideTopMsg{})
}

// tall reports whether the pane shown wants more room.
func (p *sidePanel) tall() bool {
	t, ok := p.shown().(tallPane)
	return ok && t.tall()
}

func (p *sidePanel) View() string {
	st := &p.c.Styles
	var tabs []string
	for i, t := range p.tabs {
		if i == p.active {
			tabs = append(tabs, st.PaneTitle.Render("["+t.Title()+"]"))
		} else {
			tabs = append(tabs, st.Faint.Render(" "+t.Title()+" "))
		}
	}
	lines := []string{strings.Join(tabs, "") + st.Faint.Render(" F2")}
	if body := p.shown().View(); body != "" {
		lines = append(lines, strings.Split(body, "\n")...)
	}
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return strings.Join(lines, "\n")
}

func (p *sidePanel) ShortHelp() []key.Binding { return []key.Binding{p.c.KeyMap.Pane} }
func (p *sidePanel) FullHelp() [][]key.Binding {
	km := p.c.KeyMap
	return [][]key.Binding{{km.Pane, km.SideUp, km.SideDown}}
}

// explainPane explains the selected line in full.
type explainPane struct {
	noHelp
	c      Common
	scroll scroller
	it     item
	has    bool // there is a line to explain
	live   bool // there is a session at all
	newest bool // it is the newest line, not one the learner selected
}

func (p *explainPane) Init() tea.Cmd    { return nil }
func (p *explainPane) SetSize(w, h int) { p.c.SetSize(w, h) }
func (p *explainPane) Title() string    { return "Explain" }
func (p *explainPane) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	p.scroll.update(msg)
	return p, nil
}

// show sets what the pane explains: the active session's current line.
func (p *explainPane) show(s *session) {
	p.live, p.has = s != nil, false
	if s != nil {
		p.it, p.has = s.convo.current()
		p.newest = s.convo.selected < 0
	}
}

func (p *explainPane) View() string {
	if !p.live {
		return ""
	}
	w := p.c.Width
	var out []string
	if !p.has {
		out = wrapText("Nothing said yet. Type a command and press Enter; each line the server answers is explained here.", w)
	} else {
		out = explainLines(&p.c, p.it, w)
		if p.newest {
			out = append(out, "", p.c.Styles.Faint.Render("shift+↑/↓ selects another line"))
		}
	}
	return strings.Join(p.scroll.cut(out, p.c.Height), "\n")
}

// markdownCmd renders the line's explanation if it is not cached.
func (p *explainPane) markdownCmd() tea.Cmd {
	if !p.has || p.it.Detail == "" || p.c.Width <= 0 {
		return nil
	}
	_, cmd := p.c.markdown.get(explainKey(p.it), p.it.Detail, p.c.GlamourStyle, p.c.Width)
	return cmd
}

// explainKey names an item's rendered explanation in the Markdown cache.
func explainKey(it item) string {
	return "explain/" + string(it.Session) + "/" + strconv.FormatUint(it.Seq, 10)
}

// explainLines explains one line in full: the line, its note, the RFC
// section, the Markdown explanation (rendered once in the background), what
// a mail program shows, and for TLS what an eavesdropper sees.
func explainLines(c *Common, it item, w int) []string {
	st := &c.Styles
	var out []string
	out = append(out, st.Accent.Render(ansi.Truncate(marker(it)+printable(shorten(it.Text, 200)), w, "…")))
	for _, l := range literalRows(it, maxLiteralLines) {
		out = append(out, st.Payload.Render(ansi.Truncate("   "+l, w, "…")))
	}
	if it.Note != "" {
		out = append(out, wrapText(printable(it.Note), w)...)
	}
	if it.RFC != "" {
		out = append(out, st.Subtle.Render("See "+it.RFC))
	}
	if it.Detail != "" {
		lines, _ := c.markdown.peek(explainKey(it), w, func() string { return it.Detail })
		out = append(out, lines...)
	}
	if it.Client != "" {
		out = append(out, "", st.Subtle.Render("In a mail program:"))
		out = append(out, wrapText(printable(it.Client), w)...)
	}
	if it.Kind == wire.TLS {
		out = append(out, "", st.Subtle.Render("What an eavesdropper sees now:"))
		out = append(out, wrapText(eavesdropperView(it.Seq), w)...)
		out = append(out, "", st.Subtle.Render("The lines after this one are what the two ends read once decrypted: mailtutor taps them between the TLS layer and the server."))
	}
	return out
}

// eavesdropperView shows what TLS records look like on the network: a
// header (type 23, version 3.3, length) and bytes that look random. The
// bytes are made up from the line's number; the real ones are never shown
// because nobody, not even mailtutor's tap, sees them decrypted differently.
func eavesdropperView(seed uint64) string {
	x := seed*2862933555777941757 + 3037000493
	var b strings.Builder
	b.WriteString("17 03 03 00 4a")
	for i := 0; i < 24; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		fmt.Fprintf(&b, " %02x", byte(x>>56))
	}
	b.WriteString(" … (TLS application data: unreadable without the session keys)")
	return b.String()
}

// mailboxPane shows what the servers hold right now.
type mailboxPane struct {
	noHelp
	c      Common
	scroll scroller
	mail   mailState
}

func (p *mailboxPane) Init() tea.Cmd       { return nil }
func (p *mailboxPane) SetSize(w, h int)    { p.c.SetSize(w, h) }
func (p *mailboxPane) Title() string       { return "Mailbox" }
func (p *mailboxPane) setMail(m mailState) { p.mail = m }
func (p *mailboxPane) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	p.scroll.update(msg)
	return p, nil
}

func (p *mailboxPane) View() string {
	return strings.Join(p.scroll.cut(mailboxView(p.mail, p.c.Width, &p.c.Styles), p.c.Height), "\n")
}

// mailboxView lists every user's mailboxes and messages.
func mailboxView(m mailState, w int, st *Styles) []string {
	var out []string
	if len(m.Users) == 0 {
		return []string{st.Subtle.Render("(loading…)")}
	}
	for _, u := range m.Users {
		out = append(out, st.Accent.Render(ansi.Truncate(u.Address, w, "…")))
		for _, b := range u.Boxes {
			out = append(out, st.Subtle.Render(ansi.Truncate(fmt.Sprintf(" %s (%d)", b.Name, len(b.Messages)), w, "…")))
			for _, msg := range b.Messages {
				flags := strings.Join(msg.Flags, " ")
				line := fmt.Sprintf("  %d %s", msg.UID, printable(msg.Subject))
				if msg.Subject == "" {
					line = fmt.Sprintf("  %d (no subject)", msg.UID)
				}
				text := ansi.Truncate(line, w-min(len(flags), w/3)-1, "…")
				if msg.MarkedDeleted {
					out = append(out, st.Deleted.Render(text)+st.Error.Render(" DELE"))
					continue
				}
				if flags != "" {
					text += " " + st.Flag.Render(ansi.Truncate(flags, w/3, "…"))
				}
				out = append(out, text)
			}
		}
	}
	if m.Outbound > 0 {
		out = append(out, st.Subtle.Render(fmt.Sprintf("outbound queue: %d (never leaves the simulator)", m.Outbound)))
	}
	return out
}
