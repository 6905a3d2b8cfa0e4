package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// layout works out the box the conversation and the side panel share, and
// gives both their sizes: the side panel beside the conversation in a wide
// window, under it in a tall one, hidden in a small one.
func (ws *workspace) layout() (convoW, convoH, sideW, sideH int, stacked bool) {
	w, h := ws.c.Width, max(1, ws.c.Height-ws.chromeHeight())
	switch {
	case w >= 90 && !ws.c.Projector:
		sideW = min(64, w*2/5)
		convoW, convoH, sideH = w-sideW-1, h, h
	case h >= 16:
		sideH = h * 2 / 5
		if ws.side.tall() {
			sideH = h / 2
		}
		convoW, convoH, sideW, stacked = w, h-sideH, w, true
	default:
		convoW, convoH = w, h
	}
	ws.conv.SetSize(convoW, convoH)
	ws.side.SetSize(sideW, sideH)
	ws.bar.SetSize(w, 1)
	ws.input.SetSize(w, 1)
	return convoW, convoH, sideW, sideH, stacked
}

// chromeHeight counts the rows that are not conversation: header, state
// bar, input (and a body being typed), status and help.
func (ws *workspace) chromeHeight() int {
	n := 4 // header, state bar, input, help
	if s := ws.sessions.current(); s != nil && s.hinting() {
		n += min(len(s.body), 4) + 1
	}
	if ws.statusText() != "" {
		n++
	}
	return n
}

// statusText is the line under the input: the last action's result or the
// active session's problem.
func (ws *workspace) statusText() string {
	if ws.status != "" {
		return ws.status
	}
	if s := ws.sessions.current(); s != nil && s.problem != "" {
		return s.problem
	}
	return ""
}

// view draws the whole screen. center replaces the conversation when not
// nil (the sandbox's picker, the watch screen's introduction); the input
// line shows what the screen told it; help is the screen's help line.
func (ws *workspace) view(center []string, help []key.Binding) string {
	st := &ws.c.Styles
	w := ws.c.Width
	out := []string{ws.header()}
	cw, ch, sw, sh, stacked := ws.layout()
	s := ws.sessions.current()
	ws.explain.show(s)
	ws.bar.show(s)
	rows := center
	if ws.dns != nil && ws.dns.shown {
		ws.dns.SetSize(cw, ch)
		rows, help = strings.Split(ws.dns.View(), "\n"), ws.dns.ShortHelp()
		ws.input.edit(&ws.dns.input, "dns> ", true)
	}
	if rows == nil {
		if s == nil {
			rows = []string{st.Subtle.Render("  Opening the session…")}
		} else {
			if ws.split && len(ws.sessions.list) > 1 {
				ws.conv.show(ws.sessions.pair())
			} else {
				ws.conv.show(s, nil)
			}
			rows = strings.Split(ws.conv.View(), "\n")
		}
	}
	left := fit(rows, cw, ch)
	switch {
	case ws.dns != nil && ws.dns.shown && stacked:
		// The DNS page takes the side pane's rows too: a list needs them.
		ws.dns.SetSize(w, ch+sh)
		out = append(out, fit(strings.Split(ws.dns.View(), "\n"), w, ch+sh)...)
	case sw > 0 && !stacked:
		side := fit(strings.Split(ws.side.View(), "\n"), sw, sh)
		out = append(out, joinColumns(st.Faint.Render("│"), left, side)...)
	case sw > 0:
		out = append(out, left...)
		out = append(out, fit(strings.Split(ws.side.View(), "\n"), sw, sh)...)
	default:
		out = append(out, left...)
	}
	out = append(out, ws.bar.View())
	if s != nil && s.hinting() {
		out = append(out, st.Subtle.Render(ansi.Truncate(s.modeHint(), w, "…")))
		body := s.body
		if len(body) > 4 {
			body = body[len(body)-4:]
		}
		for _, l := range body {
			out = append(out, st.Payload.Render(ansi.Truncate("  │ "+printable(strings.TrimSuffix(l, "\r\n")), w, "…")))
		}
	}
	out = append(out, ws.input.View())
	if t := ws.statusText(); t != "" {
		style := st.Success
		if ws.statusErr || (s != nil && s.problem != "" && ws.status == "") {
			style = st.Error
		}
		out = append(out, style.Render(ansi.Truncate(t, w, "…")))
	}
	out = append(out, ws.c.helpLine(help, w))
	return strings.Join(fit(out, w, ws.c.Height), "\n")
}

// header is the title, the session tabs and the screen's name. When the
// tabs do not fit, they scroll so the active one is always shown, with ‹
// and › saying that more tabs are off to that side; the screen's name
// gives way first.
func (ws *workspace) header() string {
	st := &ws.c.Styles
	w := ws.c.Width
	head := st.Title.Render("mailtutor") + " "
	// Only the tabs that could be in sight are drawn (a watch screen may
	// have 200): each is at least 4 columns wide, so no more than w/4 on
	// either side of the active one can fit, and a frame costs the same
	// with 10 tabs or 200.
	lo := max(0, ws.sessions.active-w/4)
	hi := min(len(ws.sessions.list), ws.sessions.active+w/4+1)
	tabs := make([]string, 0, hi-lo)
	for i := lo; i < hi; i++ {
		s := ws.sessions.list[i]
		label := fmt.Sprintf("%d %s", i+1, s.label)
		if s.closed {
			label += " ✕"
		}
		if i == ws.sessions.active {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.Tab.Render(label))
		}
	}
	active := ws.sessions.active - lo
	right := st.Subtle.Render(ws.title)
	all := head + strings.Join(tabs, "")
	if gap := w - ansi.StringWidth(all) - ansi.StringWidth(right); gap >= 1 {
		return all + strings.Repeat(" ", gap) + right
	}
	room := w - ansi.StringWidth(head) - ansi.StringWidth(right) - 1
	shown, ok := tabWindow(tabs, active, room)
	if !ok {
		right = ""
		shown, _ = tabWindow(tabs, active, w-ansi.StringWidth(head))
	}
	line := ansi.Truncate(head+shown, w, "")
	if right == "" {
		return line
	}
	return line + strings.Repeat(" ", max(1, w-ansi.StringWidth(line)-ansi.StringWidth(right))) + right
}

// tabWindow is the run of tabs around the active one that fits in room
// columns, with ‹ before it and › after it when tabs are left out. It
// reports false when even the active tab alone does not fit.
func tabWindow(tabs []string, active, room int) (string, bool) {
	if len(tabs) == 0 {
		return "", true
	}
	active = min(max(active, 0), len(tabs)-1)
	width := func(from, to int) int { // tabs[from..to] with their markers
		n := 0
		for i := from; i <= to; i++ {
			n += ansi.StringWidth(tabs[i])
		}
		if from > 0 {
			n += 2
		}
		if to < len(tabs)-1 {
			n += 2
		}
		return n
	}
	from, to := active, active
	if width(from, to) > room {
		return tabs[active], false
	}
	// Grow to the left first (the tabs before are the older sessions),
	// then to the right, while they fit.
	for from > 0 && width(from-1, to) <= room {
		from--
	}
	for to < len(tabs)-1 && width(from, to+1) <= room {
		to++
	}
	out := strings.Join(tabs[from:to+1], "")
	if from > 0 {
		out = "‹ " + out
	}
	if to < len(tabs)-1 {
		out += " ›"
	}
	return out, true
}

// markdownCmd renders what the side panel shows, if not cached yet.
func (ws *workspace) markdownCmd() tea.Cmd {
	ws.layout()
	ws.explain.show(ws.sessions.current())
	if md, ok := ws.side.shown().(markdowner); ok {
		return md.markdownCmd()
	}
	return nil
}
