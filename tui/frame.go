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
	case w >= 90:
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
	if s := ws.sessions.current(); s != nil && s.mode != modeLine {
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
	if s != nil && s.mode != modeLine {
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

// header is the title, the session tabs and the screen's name.
func (ws *workspace) header() string {
	st := &ws.c.Styles
	w := ws.c.Width
	head := st.Title.Render("mailtutor") + " "
	// Many tabs (a watch screen's): begin with one that leaves the active
	// tab in sight, and render no more than fit, so a frame costs the same
	// with 10 tabs or 200.
	first, used := ws.sessions.active, 0
	for i := ws.sessions.active; i >= 0 && i < len(ws.sessions.list); i-- {
		if used += len(ws.sessions.list[i].label) + 6; used > w*2/3 {
			break
		}
		first = i
	}
	if first > 0 {
		head += st.Faint.Render("… ")
	}
	for i, s := range ws.sessions.list[first:] {
		if ansi.StringWidth(head) > w {
			break
		}
		i += first
		label := fmt.Sprintf("%d %s", i+1, s.label)
		if s.closed {
			label += " ✕"
		}
		if i == ws.sessions.active {
			head += st.TabActive.Render(label)
		} else {
			head += st.Tab.Render(label)
		}
	}
	right := st.Subtle.Render(ws.title)
	gap := w - ansi.StringWidth(head) - ansi.StringWidth(right)
	if gap < 1 {
		return ansi.Truncate(head, w, "…")
	}
	return head + strings.Repeat(" ", gap) + right
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
