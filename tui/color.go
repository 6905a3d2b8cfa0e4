package tui

import (
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// profileColor converts a palette colour to the renderer's profile once,
// when the styles are built. Given the hex colour, termenv converts it again
// at every Render on a 256-colour terminal (a colour-distance search over
// the palette): a fifth of the CPU of a classroom of learners typing.
func profileColor(p termenv.Profile, hex string) lipgloss.Color {
	switch c := p.Convert(termenv.RGBColor(hex)).(type) {
	case termenv.ANSI256Color:
		return lipgloss.Color(strconv.Itoa(int(c)))
	case termenv.ANSIColor:
		return lipgloss.Color(strconv.Itoa(int(c)))
	case termenv.RGBColor:
		return lipgloss.Color(string(c))
	}
	return lipgloss.Color("") // no colour (Ascii)
}
