package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

// colourSGR finds SGR sequences that set a colour (foreground or
// background, any profile).
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

// conversationRow is the conversation's part (left of the side panel) of
// the frame's row that shows the session's line.
func conversationRow(t *testing.T, frame, text string) string {
	t.Helper()
	for _, l := range strings.Split(frame, "\n") {
		left, _, _ := strings.Cut(l, "│")
		if strings.Contains(stripSGR(left), text) {
			return trailingSGR.ReplaceAllString(left, "") // the separator's own colour
		}
	}
	t.Fatalf("no row with %q in the frame:\n%s", text, stripSGR(frame))
	return ""
}

var trailingSGR = regexp.MustCompile(`(\x1b\[[0-9;]*m)+$`)

func stripSGR(s string) string { return regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(s, "") }

// A running program given another terminal's colours (ColorsMsg: the
// classroom's learner coming back from another terminal) draws every
// component with them from the next frame: the conversation's cached rows
// too. Ascii has no colour, 256 colours do, and a light background has
// other colours than a dark one.
func TestColorsMsgRestyles(t *testing.T) {
	m := sandboxWithLines(t, 20) // built for Ascii, dark
	const line = "+OK message 19 follows"
	if row := conversationRow(t, m.View(), line); colourSGR.MatchString(row) {
		t.Fatalf("Ascii frame has colours: %q", row)
	}
	m.Update(ColorsMsg{Profile: termenv.ANSI256, Dark: true})
	dark := conversationRow(t, m.View(), line)
	if !colourSGR.MatchString(dark) {
		t.Errorf("after ColorsMsg{ANSI256}, the conversation has no colour: %q", dark)
	}
	if !strings.Contains(m.View(), "\x1b[38;5;") {
		t.Errorf("after ColorsMsg{ANSI256}, no 256-colour sequence in the frame")
	}
	m.Update(ColorsMsg{Profile: termenv.ANSI256, Dark: false})
	light := conversationRow(t, m.View(), line)
	if light == dark || !colourSGR.MatchString(light) {
		t.Errorf("a light background draws the line as the dark one did: %q", light)
	}
	m.Update(ColorsMsg{Profile: termenv.Ascii, Dark: true})
	if f := m.View(); colourSGR.MatchString(f) {
		t.Errorf("after ColorsMsg{Ascii}, colours remain: %q", colourSGR.FindAllString(f, 3))
	}
}
