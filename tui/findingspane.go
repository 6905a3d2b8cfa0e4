package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/findings"
)

// findingsPane is the watch screen's side tab: what the active session's
// program did, in plain words, each finding with the lines that show it.
// It shows the feed's latest snapshot; it works nothing out itself.
type findingsPane struct {
	noHelp
	c      Common
	scroll scroller
	snap   *findingsSnapshot
	id     wire.SessionID
	s      *session
	// putAway counts closed sessions whose tabs the screen took down.
	putAway int
	// since is the newest event before the findings began (see
	// findingsFeed.since).
	since uint64
}

func (p *findingsPane) Init() tea.Cmd    { return nil }
func (p *findingsPane) SetSize(w, h int) { p.c.SetSize(w, h) }
func (p *findingsPane) Title() string    { return "Findings" }
func (p *findingsPane) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	p.scroll.update(msg)
	return p, nil
}

func (p *findingsPane) followSession(id wire.SessionID, s *session) {
	if id != p.id {
		p.scroll.offset = 0
	}
	p.id, p.s = id, s
}

// setSnapshot hands the pane the feed's newest findings.
func (p *findingsPane) setSnapshot(s *findingsSnapshot) { p.snap = s }

func (p *findingsPane) View() string {
	if p.id == "" || p.c.Width <= 0 {
		return ""
	}
	var lines []string
	if _, ok := p.snap.programOf(p.id); !ok && p.s != nil && len(p.s.convo.items) > 0 && p.s.convo.items[0].Seq <= p.since {
		lines = wrapText("This session began before the watch screen was opened: its program's findings were not followed. Its next session will have them.", p.c.Width)
	} else {
		// A short pane (80x24) shows one line of evidence per finding, so
		// that the findings themselves fit; F9/F10 scroll to the rest.
		evidence := 5
		if p.c.Height < 12 {
			evidence = 1
		}
		lines = findingsLines(&p.c, p.snap, p.id, p.c.Width, evidence)
	}
	if p.putAway > 0 {
		note := fmt.Sprintf("%d older closed sessions were put away from the tabs; their findings stay", p.putAway)
		lines = append(lines, p.c.Styles.Faint.Render(ansi.Truncate(note, p.c.Width, "…")))
	}
	return strings.Join(p.scroll.cut(lines, p.c.Height), "\n")
}

// findingsLines tells what the program of session id did, wrapped to w,
// with up to evidence lines that show each finding.
func findingsLines(c *Common, snap *findingsSnapshot, id wire.SessionID, w, evidence int) []string {
	st := &c.Styles
	var prog findings.Program
	ok := false
	if snap != nil {
		prog, ok = snap.programOf(id)
	}
	if !ok {
		return wrapText("Working out what the program of "+string(id)+" does… (findings follow its commands within a second)", w)
	}
	out := []string{st.Accent.Render(ansi.Truncate(printable(prog.Name), w, "…"))}
	var facts []string
	if prog.User != "" {
		facts = append(facts, "user "+printable(prog.User))
	}
	var protos []string
	for _, pr := range prog.Protocols {
		protos = append(protos, strings.ToUpper(string(pr)))
	}
	facts = append(facts, strings.Join(protos, "+"), fmt.Sprintf("%d %s", len(prog.Sessions), plural(len(prog.Sessions), "session")))
	out = append(out, st.Subtle.Render(ansi.Truncate(strings.Join(facts, " · "), w, "…")))
	if snap.missed > 0 {
		out = append(out, wrapText(fmt.Sprintf("! %d events were missed while watching: these findings may be incomplete", snap.missed), w)...)
	}
	if len(prog.Findings) == 0 {
		out = append(out, st.Subtle.Render("Nothing to tell yet."))
	}
	for _, f := range prog.Findings {
		mark, style := "• ", st.Success
		if f.Warning {
			mark, style = "! ", st.Error
		}
		for i, l := range wrapText(printable(f.Text), w-2) {
			if i == 0 {
				out = append(out, style.Render(mark)+l)
			} else {
				out = append(out, "  "+l)
			}
		}
		for i, l := range f.Lines {
			if i == evidence {
				out = append(out, st.Faint.Render(fmt.Sprintf("  (%d more lines in the export)", len(f.Lines)-i)))
				break
			}
			out = append(out, st.Faint.Render(ansi.Truncate("  ["+string(l.Session)+"] "+printable(l.String()), w, "…")))
		}
	}
	return out
}
