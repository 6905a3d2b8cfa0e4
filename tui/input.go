package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// lineEditor is the input line: what the learner types, exactly, with
// history, completion and a ghost suggestion. It is written here rather
// than taken from bubbles' textinput so that no key it uses can collide with
// the screen's keys, and so that it never needs a blinking-cursor timer.
type lineEditor struct {
	value []rune
	pos   int // cursor position in value

	history []string // sent lines, oldest first
	hpos    int      // index into history while browsing; len(history) = not browsing
	draft   string   // what was typed before browsing history

	// ghost is a suggested whole line (the lesson's next command); shown
	// faint after the cursor when the typed text is a prefix of it.
	ghost string
	// completions are the command words valid right now, for tab.
	completions []string
}

// Value returns the typed text.
func (e *lineEditor) Value() string { return string(e.value) }

// SetValue replaces the text and puts the cursor at its end.
func (e *lineEditor) SetValue(s string) {
	e.value = []rune(s)
	e.pos = len(e.value)
}

// Reset clears the line after it was sent and remembers it.
func (e *lineEditor) Reset(sent string) {
	if sent != "" && (len(e.history) == 0 || e.history[len(e.history)-1] != sent) {
		e.history = append(e.history, sent)
	}
	e.hpos = len(e.history)
	e.draft = ""
	e.value = nil
	e.pos = 0
}

// insert types text at the cursor. Pasted line breaks are not typed: a
// paste of several lines is handled by the caller.
func (e *lineEditor) insert(rs []rune) {
	clean := make([]rune, 0, len(rs))
	for _, r := range rs {
		if r == '\r' || r == '\n' {
			continue
		}
		clean = append(clean, r)
	}
	v := make([]rune, 0, len(e.value)+len(clean))
	v = append(v, e.value[:e.pos]...)
	v = append(v, clean...)
	v = append(v, e.value[e.pos:]...)
	e.value = v
	e.pos += len(clean)
}

// handleKey edits the line. It reports whether the key was used.
func (e *lineEditor) handleKey(msg tea.KeyMsg) bool {
	switch msg.Type {
	case tea.KeyRunes, tea.KeySpace:
		if msg.Alt {
			return false
		}
		e.insert(msg.Runes)
	case tea.KeyBackspace:
		if e.pos > 0 {
			e.value = append(e.value[:e.pos-1], e.value[e.pos:]...)
			e.pos--
		}
	case tea.KeyDelete, tea.KeyCtrlD:
		if e.pos < len(e.value) {
			e.value = append(e.value[:e.pos], e.value[e.pos+1:]...)
		}
	case tea.KeyLeft, tea.KeyCtrlB:
		if e.pos > 0 {
			e.pos--
		}
	case tea.KeyRight, tea.KeyCtrlF:
		if e.pos < len(e.value) {
			e.pos++
		} else {
			e.acceptGhost()
		}
	case tea.KeyHome, tea.KeyCtrlA:
		e.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		e.pos = len(e.value)
	case tea.KeyCtrlU:
		e.value = e.value[e.pos:]
		e.pos = 0
	case tea.KeyCtrlK:
		e.value = e.value[:e.pos]
	case tea.KeyCtrlW:
		i := e.pos
		for i > 0 && e.value[i-1] == ' ' {
			i--
		}
		for i > 0 && e.value[i-1] != ' ' {
			i--
		}
		e.value = append(e.value[:i], e.value[e.pos:]...)
		e.pos = i
	case tea.KeyUp:
		e.historyMove(-1)
	case tea.KeyDown:
		e.historyMove(1)
	case tea.KeyTab:
		e.complete()
	default:
		return false
	}
	return true
}

func (e *lineEditor) historyMove(d int) {
	if len(e.history) == 0 {
		return
	}
	if e.hpos == len(e.history) {
		e.draft = string(e.value)
	}
	e.hpos += d
	if e.hpos < 0 {
		e.hpos = 0
	}
	if e.hpos >= len(e.history) {
		e.hpos = len(e.history)
		e.SetValue(e.draft)
		return
	}
	e.SetValue(e.history[e.hpos])
}

// ghostRest is the part of the ghost line not typed yet, or "".
func (e *lineEditor) ghostRest() string {
	if e.ghost == "" || e.pos != len(e.value) {
		return ""
	}
	typed := string(e.value)
	if len(typed) > len(e.ghost) || !strings.EqualFold(typed, e.ghost[:len(typed)]) {
		return ""
	}
	return e.ghost[len(typed):]
}

func (e *lineEditor) acceptGhost() bool {
	rest := e.ghostRest()
	if rest == "" {
		return false
	}
	e.insert([]rune(rest))
	return true
}

// complete finishes the command word being typed: the ghost line first,
// then the one command that starts with what was typed, or the longest
// common prefix of several.
func (e *lineEditor) complete() {
	if e.acceptGhost() {
		return
	}
	typed := string(e.value[:e.pos])
	// Only the command word completes; for IMAP it is the word after the tag.
	start := strings.LastIndexByte(typed, ' ') + 1
	word := strings.ToUpper(typed[start:])
	var matches []string
	for _, c := range e.completions {
		if strings.HasPrefix(c, word) {
			matches = append(matches, c)
		}
	}
	if len(matches) == 0 {
		return
	}
	common := matches[0]
	for _, m := range matches[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	add := common[len(word):]
	if len(matches) == 1 {
		add += " "
	}
	e.insert([]rune(add))
}

// view draws the prompt, the text with a block cursor and the ghost text,
// scrolled horizontally so the cursor stays visible in width w.
func (e *lineEditor) view(prompt string, w int, st *Styles, focused bool) string {
	p := st.Prompt.Render(prompt)
	avail := w - ansi.StringWidth(prompt) - 1
	if avail < 4 {
		avail = 4
	}
	before := printable(string(e.value[:e.pos]))
	after := printable(string(e.value[e.pos:]))
	// Keep the cursor on screen: drop text from the left when needed.
	if ansi.StringWidth(before) > avail-1 {
		before = "…" + ansi.TruncateLeft(before, ansi.StringWidth(before)-(avail-2), "")
	}
	cur := " "
	if after != "" {
		r := []rune(after)
		cur, after = string(r[0]), string(r[1:])
	}
	ghost := e.ghostRest()
	if ghost != "" && after == "" {
		gr := []rune(ghost)
		cur = string(gr[0])
		ghost = string(gr[1:])
		if focused {
			cur = st.Cursor.Render(st.Ghost.Render(cur))
		} else {
			cur = st.Ghost.Render(cur)
		}
	} else if focused {
		cur = st.Cursor.Render(cur)
	}
	rest := ansi.Truncate(after, avail-ansi.StringWidth(before)-1, "…")
	line := p + before + cur + rest
	if ghost != "" {
		line += st.Ghost.Render(ansi.Truncate(ghost, avail-ansi.StringWidth(before)-1, "…"))
	}
	return line
}
