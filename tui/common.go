package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Common is what every component shares: its size, the styles, the keys,
// the renderer they were built with and the Markdown cache. Each component
// keeps a copy: Width and Height are the component's own box (the window
// for a screen, a part of it for a pane); the pointers are the program's.
type Common struct {
	Width, Height int
	// look holds Styles and GlamourStyle, shared by every copy: a program
	// that is given new colours (Model.restyle) changes them for all its
	// components at once.
	*look
	KeyMap   KeyMap
	Renderer *lipgloss.Renderer
	// markdown is the program's cache of rendered Markdown.
	markdown *mdCache
	// helps is the program's cache of rendered help lines.
	helps *helpCache
	// requests collects what children ask of the root model (see request).
	requests *requests
	// Projector lays screens out for a projector (Options.Projector).
	Projector bool
}

// look is the part of Common every copy shares.
type look struct {
	Styles Styles
	// GlamourStyle is the glamour standard style for lesson text: "dark",
	// "light", or "notty" when the output has no colours.
	GlamourStyle string
}

// SetSize sets the component's box.
func (c *Common) SetSize(width, height int) {
	c.Width, c.Height = width, height
}

// helpLine renders bindings as "key desc • key desc" in width columns.
// When they do not fit, the least important bindings are left out whole
// (KeyMap.helpDropRank), so no key is ever cut in the middle.
func (c *Common) helpLine(bindings []key.Binding, width int) string {
	var shown []key.Binding
	// The cache's key: what the line is made of. New colours
	// (Model.restyle) start a new generation of styles, and new lines.
	var id strings.Builder
	fmt.Fprintf(&id, "%d %d", c.Styles.gen, width)
	for _, b := range bindings {
		if h := b.Help(); h.Key != "" {
			shown = append(shown, b)
			id.WriteString("\x00" + h.Key + "\x01" + h.Desc)
		}
	}
	if c.helps == nil {
		return c.renderHelp(shown, width)
	}
	return c.helps.get(id.String(), func() string { return c.renderHelp(shown, width) })
}

// renderHelp lays out the help line helpLine asks for.
func (c *Common) renderHelp(shown []key.Binding, width int) string {
	st := &c.Styles
	render := func() string {
		parts := make([]string, len(shown))
		for i, b := range shown {
			h := b.Help()
			parts[i] = st.HelpKey.Render(h.Key) + " " + st.HelpDesc.Render(h.Desc)
		}
		return strings.Join(parts, st.HelpSep.Render(" • "))
	}
	line := render()
	for len(shown) > 1 && ansi.StringWidth(line) > width {
		drop := 0
		for i := range shown {
			if c.KeyMap.helpDropRank(shown[i], i, len(shown)) < c.KeyMap.helpDropRank(shown[drop], drop, len(shown)) {
				drop = i
			}
		}
		shown = append(shown[:drop], shown[drop+1:]...)
		line = render()
	}
	return ansi.Truncate(line, width, "")
}

// helpCache keeps the help lines drawn lately: every frame draws one, and
// laying it out (styling each key, measuring, leaving keys out until it
// fits) was two fifths of the watch screen's View while fifty programs
// ran. A line is known by the styles' generation (Model.restyle makes a
// new one), its width and its keys.
type helpCache struct {
	lines map[string]string
}

// helpCacheMax bounds the lines kept: a few screens, each at a few widths.
const helpCacheMax = 64

func (h *helpCache) get(id string, render func() string) string {
	if l, ok := h.lines[id]; ok {
		return l
	}
	if h.lines == nil || len(h.lines) >= helpCacheMax {
		h.lines = map[string]string{}
	}
	l := render()
	h.lines[id] = l
	return l
}

// fit cuts or pads every line of a block to exactly w columns and h rows,
// so panes placed side by side never push each other around.
func fit(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := 0; i < h; i++ {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		lw := ansi.StringWidth(l)
		if lw > w {
			l = ansi.Truncate(l, w, "")
			lw = ansi.StringWidth(l)
		}
		out[i] = l + strings.Repeat(" ", max(0, w-lw))
	}
	return out
}

// joinColumns puts blocks of equal height side by side with a separator.
func joinColumns(sep string, cols ...[]string) []string {
	if len(cols) == 0 {
		return nil
	}
	out := make([]string, len(cols[0]))
	for i := range out {
		var b strings.Builder
		for j, c := range cols {
			if j > 0 {
				b.WriteString(sep)
			}
			if i < len(c) {
				b.WriteString(c[i])
			}
		}
		out[i] = b.String()
	}
	return out
}

// wrapText wraps plain text to width w and returns its lines.
func wrapText(s string, w int) []string {
	if w < 4 {
		w = 4
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}
