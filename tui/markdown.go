package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
)

// markdownMsg carries Markdown rendered off the UI goroutine.
type markdownMsg struct {
	key   string // which text (page name, lesson step)
	width int
	out   string
	err   error
	gen   int // the cache's generation when it was asked for
}

// renderMarkdown renders in a command: glamour takes 10-20 ms per 2 KB,
// too slow for a 60 fps update loop. The standard style is named, never
// "auto", which would query the terminal and can hang for seconds.
func renderMarkdown(key, md, style string, width int) tea.Cmd {
	return func() tea.Msg {
		r, err := glamour.NewTermRenderer(glamourOptions(style, width)...)
		if err != nil {
			return markdownMsg{key: key, width: width, err: err}
		}
		out, err := r.Render(joinListLines(md))
		return markdownMsg{key: key, width: width, out: strings.Trim(out, "\n"), err: err}
	}
}

// markdownStyle is glamour's standard style of that name with the
// headings' "## " markers taken off: the learner reads a heading, not
// Markdown. Without colours plainStyle (plain.go) is used instead.
func markdownStyle(name string) ansi.StyleConfig {
	cfg := styles.DarkStyleConfig
	if s, ok := styles.DefaultStyles[name]; ok {
		cfg = *s
	}
	for _, h := range []*ansi.StyleBlock{&cfg.H2, &cfg.H3, &cfg.H4, &cfg.H5, &cfg.H6} {
		h.Prefix = ""
	}
	return cfg
}

func boolPtr(b bool) *bool { return &b }

// joinListLines joins the lines of each list item that the source wraps by
// hand: glamour reflows a paragraph but keeps a list item's line breaks,
// which at another width leaves every item ragged. Code blocks are left
// alone.
func joinListLines(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	inItem, inCode := false, false
	for _, ln := range lines {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inCode = !inCode
			inItem = false
			out = append(out, ln)
			continue
		}
		switch {
		case inCode || t == "":
			inItem = false
		case listItemStart(t):
			inItem = true
		case inItem && ln != t && !strings.HasPrefix(t, "#") && !strings.HasPrefix(t, ">") && !strings.HasPrefix(t, "|"):
			// An indented line right under an item: the item goes on.
			out[len(out)-1] += " " + t
			continue
		default:
			inItem = false
		}
		out = append(out, ln)
	}
	return strings.Join(out, "\n")
}

// listItemStart reports whether a trimmed line starts a list item: "- ",
// "* ", "+ " or "1. ".
func listItemStart(t string) bool {
	if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") {
		return true
	}
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	return digits > 0 && digits < 4 && strings.HasPrefix(t[digits:], ". ")
}

// maxRendered bounds the Markdown cache.
const maxRendered = 512

// mdCache keeps rendered Markdown per text and width, so scrolling and
// redrawing never render twice.
type mdCache struct {
	entries map[mdKey][]string
	pending map[mdKey]bool
	gen     int // counts forget: a render asked for before it is dropped
}

// forget drops everything rendered (the colours changed).
func (c *mdCache) forget() {
	c.entries, c.pending = map[mdKey][]string{}, map[mdKey]bool{}
	c.gen++
}

type mdKey struct {
	key   string
	width int
}

// get returns the rendered lines, or starts rendering (the returned command)
// and gives the text without its marks meanwhile.
func (c *mdCache) get(key, md, style string, width int) ([]string, tea.Cmd) {
	if c.entries == nil {
		c.entries, c.pending = map[mdKey][]string{}, map[mdKey]bool{}
	}
	k := mdKey{key, width}
	if lines, ok := c.entries[k]; ok {
		return lines, nil
	}
	var cmd tea.Cmd
	if !c.pending[k] {
		c.pending[k] = true
		render, gen := renderMarkdown(key, md, style, width), c.gen
		cmd = func() tea.Msg {
			m, _ := render().(markdownMsg)
			m.gen = gen
			return m
		}
	}
	return wrapText(stripMarkdown(md), width), cmd
}

// peek returns the rendered lines if cached, else the text without its
// marks; it never starts a render (views cannot return commands). The text
// is built only when it is not cached: views run at every key and every
// line.
func (c *mdCache) peek(key string, width int, md func() string) ([]string, bool) {
	if lines, ok := c.entries[mdKey{key, width}]; ok {
		return lines, true
	}
	return wrapText(stripMarkdown(md()), width), false
}

// put stores a rendered result.
func (c *mdCache) put(m markdownMsg) {
	if c.entries == nil {
		c.entries, c.pending = map[mdKey][]string{}, map[mdKey]bool{}
	}
	if m.gen != c.gen {
		return // rendered with the colours before the last forget
	}
	k := mdKey{m.key, m.width}
	delete(c.pending, k)
	if m.err != nil {
		return
	}
	if len(c.entries) >= maxRendered {
		// A long session explains thousands of lines: start the cache
		// afresh rather than keep them all (what is on screen is rendered
		// again in the background).
		c.entries = map[mdKey][]string{}
	}
	c.entries[k] = strings.Split(m.out, "\n")
}

// page is a scrollable Markdown text (help, watch).
type page struct {
	c      Common
	key    string
	title  string
	md     string
	offset int
}

func (p *page) Init() tea.Cmd    { return nil }
func (p *page) SetSize(w, h int) { p.c.SetSize(w, h) }

func (p *page) ShortHelp() []key.Binding {
	return []key.Binding{p.c.KeyMap.PageDn, p.c.KeyMap.Back, p.c.KeyMap.Quit}
}
func (p *page) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// lines returns the rendered page, or the plain text and the command that
// renders it.
func (p *page) lines() ([]string, tea.Cmd) {
	return p.c.markdown.get(p.key, p.md, p.c.GlamourStyle, p.c.Width)
}

// Update scrolls the page; esc, Enter or q asks the root to close it.
func (p *page) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km := p.c.KeyMap
	h := p.c.Height - 2
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, km.Back), msg.Type == tea.KeyEnter, msg.String() == "q":
			p.c.request(closeHelpRequest{})
			return p, nil
		case msg.Type == tea.KeyUp || msg.String() == "k":
			p.offset--
		case msg.Type == tea.KeyDown || msg.String() == "j":
			p.offset++
		case msg.Type == tea.KeyPgUp:
			p.offset -= h - 1
		case msg.Type == tea.KeyPgDown || msg.Type == tea.KeySpace:
			p.offset += h - 1
		case msg.Type == tea.KeyHome:
			p.offset = 0
		}
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				p.offset -= 3
			case tea.MouseButtonWheelDown:
				p.offset += 3
			}
		}
	}
	if p.offset < 0 {
		p.offset = 0
	}
	return p, nil
}

func (p *page) View() string {
	st := &p.c.Styles
	w, h := p.c.Width, p.c.Height
	lines, _ := p.c.markdown.peek(p.key, p.c.Width, func() string { return p.md })
	body := max(0, h-2)
	if p.offset > max(0, len(lines)-body) {
		p.offset = max(0, len(lines)-body)
	}
	end := min(len(lines), p.offset+body)
	out := []string{st.Title.Render("mailtutor") + " " + st.Subtle.Render(p.title)}
	out = append(out, fit(lines[p.offset:end], w, body)...)
	out = append(out, p.c.helpLine(p.ShortHelp(), w))
	return strings.Join(fit(out, w, h), "\n")
}
