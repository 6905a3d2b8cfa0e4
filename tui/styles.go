package tui

import (
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Styles is every look the screens use, built once from one renderer so the
// colours match the terminal we were given (a local tty, an SSH session, a
// test buffer) and no style ever asks the terminal for its background.
type Styles struct {
	Dark bool // whether the palette is for a dark background
	// gen counts the program's restyles: rows rendered with older styles
	// are drawn again (convo.itemRows).
	gen int

	App       lipgloss.Style // the outer frame
	Title     lipgloss.Style // the product name in the header
	Header    lipgloss.Style // the header line
	Subtle    lipgloss.Style // secondary text
	Faint     lipgloss.Style // tertiary text (ghost text, separators)
	Accent    lipgloss.Style // highlighted words
	Error     lipgloss.Style // failures
	Success   lipgloss.Style // goals met, 2xx replies
	Warning   lipgloss.Style // transient failures, 4xx replies
	Selected  lipgloss.Style // the selected row in a list
	GroupName lipgloss.Style // a lesson group heading on the home screen

	Client     lipgloss.Style // C: lines (what the learner sent)
	Server     lipgloss.Style // S: lines (what the server answered)
	MetaLine   lipgloss.Style // * lines (session opened, TLS, closed)
	Note       lipgloss.Style // the one-line annotation under a line
	SelectBar  lipgloss.Style // the marker in front of the selected line
	Payload    lipgloss.Style // message bodies and literals
	Encrypted  lipgloss.Style // the lock marker of lines that travelled inside TLS
	PaneBorder lipgloss.Style // borders of panes
	PaneFocus  lipgloss.Style // border of the focused pane
	PaneTitle  lipgloss.Style // a pane's title
	Tab        lipgloss.Style // an inactive session tab
	TabActive  lipgloss.Style // the active session tab
	StateBar   lipgloss.Style // the protocol/state/TLS bar
	Prompt     lipgloss.Style // the input prompt
	Cursor     lipgloss.Style // the block cursor of the input line
	Ghost      lipgloss.Style // suggested next command
	HelpKey    lipgloss.Style // a key in the help line
	HelpDesc   lipgloss.Style // its description
	HelpSep    lipgloss.Style // separators in the help line
	StepDone   lipgloss.Style // a finished lesson step
	StepNow    lipgloss.Style // the current lesson step
	StepTodo   lipgloss.Style // a step still to come
	Flag       lipgloss.Style // IMAP flags in the mailbox pane
	Deleted    lipgloss.Style // messages marked deleted
}

// palette holds the few colours the styles are made of.
type palette struct {
	fg, subtle, faint, accent, client, server, meta, errc, okc, warn, border, selBg string
}

func darkPalette() palette {
	return palette{fg: "#DDDDDD", subtle: "#9A9A9A", faint: "#5C5C5C", accent: "#7D56F4", client: "#5FAFFF",
		server: "#E5C07B", meta: "#B48EAD", errc: "#FF5F87", okc: "#5FD787", warn: "#FFAF5F", border: "#444444", selBg: "#303050"}
}

func lightPalette() palette {
	return palette{fg: "#1A1A1A", subtle: "#6A6A6A", faint: "#A8A8A8", accent: "#5A3FC0", client: "#005FAF",
		server: "#875F00", meta: "#8A4F7D", errc: "#D7005F", okc: "#00875F", warn: "#AF5F00", border: "#BBBBBB", selBg: "#E4E0F8"}
}

// DefaultStyles builds the styles from a renderer whose colour profile is
// already decided, for a dark or a light background.
func DefaultStyles(r *lipgloss.Renderer, dark bool) Styles {
	p := lightPalette()
	if dark {
		p = darkPalette()
	}
	prof := r.ColorProfile()
	c := func(s string) lipgloss.Color { return profileColor(prof, s) } // converted once (color.go)
	n := r.NewStyle
	return Styles{
		Dark:       dark,
		App:        n(),
		Title:      n().Bold(true).Foreground(c("#FFFDF5")).Background(c(p.accent)).Padding(0, 1),
		Header:     n().Foreground(c(p.subtle)),
		Subtle:     n().Foreground(c(p.subtle)),
		Faint:      n().Foreground(c(p.faint)),
		Accent:     n().Foreground(c(p.accent)).Bold(true),
		Error:      n().Foreground(c(p.errc)).Bold(true),
		Success:    n().Foreground(c(p.okc)),
		Warning:    n().Foreground(c(p.warn)),
		Selected:   n().Foreground(c(p.accent)).Bold(true),
		GroupName:  n().Foreground(c(p.subtle)).Bold(true).Underline(true),
		Client:     n().Foreground(c(p.client)),
		Server:     n().Foreground(c(p.server)),
		MetaLine:   n().Foreground(c(p.meta)).Italic(true),
		Note:       n().Foreground(c(p.subtle)),
		SelectBar:  n().Foreground(c(p.accent)).Bold(true),
		Payload:    n().Foreground(c(p.fg)),
		Encrypted:  n().Foreground(c(p.okc)),
		PaneBorder: n().Border(lipgloss.RoundedBorder()).BorderForeground(c(p.border)),
		PaneFocus:  n().Border(lipgloss.RoundedBorder()).BorderForeground(c(p.accent)),
		PaneTitle:  n().Foreground(c(p.accent)).Bold(true),
		Tab:        n().Foreground(c(p.subtle)).Padding(0, 1),
		TabActive:  n().Foreground(c("#FFFDF5")).Background(c(p.accent)).Bold(true).Padding(0, 1),
		StateBar:   n().Foreground(c(p.fg)).Background(c(p.selBg)),
		Prompt:     n().Foreground(c(p.accent)).Bold(true),
		Cursor:     n().Reverse(true),
		Ghost:      n().Foreground(c(p.faint)),
		HelpKey:    n().Foreground(c(p.subtle)).Bold(true),
		HelpDesc:   n().Foreground(c(p.faint)),
		HelpSep:    n().Foreground(c(p.faint)),
		StepDone:   n().Foreground(c(p.okc)),
		StepNow:    n().Foreground(c(p.accent)).Bold(true),
		StepTodo:   n().Foreground(c(p.subtle)),
		Flag:       n().Foreground(c(p.meta)),
		Deleted:    n().Foreground(c(p.errc)).Strikethrough(true),
	}
}

// decideDark picks the palette without asking the terminal (a query can hang
// for seconds on terminals that never answer): an explicit option first,
// then the theme name, then COLORFGBG ("15;0" means light text on a dark
// background), and dark when nothing says otherwise.
func decideDark(dark *bool, theme string) bool {
	if dark != nil {
		return *dark
	}
	switch strings.ToLower(theme) {
	case "light":
		return false
	case "dark":
		return true
	}
	if v := os.Getenv("COLORFGBG"); v != "" {
		parts := strings.Split(v, ";")
		if bg, err := strconv.Atoi(parts[len(parts)-1]); err == nil {
			// Colours 0-6 and 8 are the dark ones of the 16-colour palette.
			return bg <= 6 || bg == 8
		}
	}
	return true
}

// highContrast is the projector's version of the styles: nothing dim
// (a projected grey disappears in a lit room), the conversation's lines
// and their notes bold.
func (st Styles) highContrast(r *lipgloss.Renderer) Styles {
	plain := r.NewStyle()
	st.Subtle, st.Faint, st.Ghost = plain, plain, plain.Italic(true)
	st.Client = st.Client.Bold(true)
	st.Server = st.Server.Bold(true)
	st.MetaLine = st.MetaLine.Bold(true)
	st.Note = plain
	return st
}
