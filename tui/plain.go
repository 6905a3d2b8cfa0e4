package tui

import (
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	"github.com/muesli/termenv"
)

// plainStyle is glamour's style for a screen without colours (NO_COLOR, a
// terminal without colours). glamour's own "notty"/"ascii" styles write
// Markdown's marks back ("# Help", "**250**", "`EHLO`"), which is what
// the learner must never see: here the marks of headings, emphasis and
// code simply go, leaving the words (a heading keeps its own line and the
// blank line after it).
func plainStyle() ansi.StyleConfig {
	s := styles.NoTTYStyleConfig // a copy: the package's value is not changed
	for _, h := range []*ansi.StyleBlock{&s.H1, &s.H2, &s.H3, &s.H4, &s.H5, &s.H6} {
		*h = ansi.StyleBlock{}
	}
	s.Strong = ansi.StylePrimitive{}
	s.Emph = ansi.StylePrimitive{}
	s.Strikethrough = ansi.StylePrimitive{}
	s.Code = ansi.StyleBlock{}
	return s
}

// glamourOptions are the renderer's options for a style name: a standard
// style by name, or for "notty" the plain style with no escape sequence at
// all (the colour profile is the one NO_COLOR gives).
func glamourOptions(style string, width int) []glamour.TermRendererOption {
	wrap := glamour.WithWordWrap(max(10, width-2))
	if style == "notty" || style == "ascii" {
		return []glamour.TermRendererOption{glamour.WithStyles(plainStyle()), glamour.WithColorProfile(termenv.Ascii), wrap}
	}
	return []glamour.TermRendererOption{glamour.WithStyles(markdownStyle(style)), wrap}
}

// stripMarkdown is what is shown while the Markdown renders in the
// background (a frame or two): the text without its marks, so raw "**" or
// "##" never flashes on screen. It is a cheap approximation of glamour:
// heading marks, emphasis, code marks and code fences go.
func stripMarkdown(md string) string {
	lines := strings.Split(md, "\n")
	out := lines[:0]
	for _, ln := range lines {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			continue
		}
		if h := strings.TrimLeft(t, "#"); len(h) < len(t) && (h == "" || h[0] == ' ') {
			ln = strings.TrimSpace(h)
		}
		ln = strings.NewReplacer("**", "", "__", "", "`", "").Replace(ln)
		out = append(out, stripEmphasis(ln))
	}
	return strings.Join(out, "\n")
}

// stripEmphasis removes single "*" emphasis marks: a star that touches a
// word on one side only ("*What a mail program shows:*"). A list's "* "
// and a lone " * " are kept.
func stripEmphasis(s string) string {
	if !strings.Contains(s, "*") {
		return s
	}
	isSpace := func(i int) bool { return i < 0 || i >= len(s) || s[i] == ' ' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '*' && isSpace(i-1) != isSpace(i+1) {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
