package classroom

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// teacherProgram makes the teacher's view for one SSH session (wish's
// bubbletea middleware runs it, sized to the teacher's terminal).
func (s *Server) teacherProgram(sess ssh.Session) *tea.Program {
	pty, _, ok := sess.Pty()
	if !ok {
		return nil // the middleware says a terminal is needed
	}
	profile, dark := s.colours(sess, pty)
	m := s.NewTeacherModel(sess, profile, dark)
	go func() {
		<-sess.Context().Done()
		m.leave()
	}()
	return tea.NewProgram(m, append(bubbletea.MakeOptions(sess), tea.WithAltScreen(), tea.WithoutSignalHandler())...)
}

// teacherModel is the teacher's view: the class, one learner a row, and
// the keys to talk to it.
type teacherModel struct {
	s             *Server
	notify        chan struct{} // has a value when the class changed; never closed (senders do not lock)
	gone          chan struct{} // closed when the view has left
	width, height int
	roster        []Learner
	status        string

	mode    int // 0 the table, 1 typing a message, 2 choosing a lesson
	input   textinput.Model
	lessons []lessonChoice
	cursor  int

	head, faint, warn, ok, sel lipgloss.Style
}

type lessonChoice struct{ id, title string }

const (
	modeTable = iota
	modeMessage
	modeLesson
)

type (
	classChangedMsg struct{}
	tickMsg         struct{}
)

// NewTeacherModel builds the teacher's view drawn on out (the classroom
// runs it per teacher session; a local `--teacher` could run it too).
func (s *Server) NewTeacherModel(out io.Writer, profile termenv.Profile, dark bool) *teacherModel {
	r := lipgloss.NewRenderer(out)
	r.SetColorProfile(profile) // explicit: an SSH session is no terminal lipgloss could ask
	r.SetHasDarkBackground(dark)
	in := textinput.New()
	in.Prompt = "message to all> "
	in.CharLimit = 200
	m := &teacherModel{s: s, notify: make(chan struct{}, 1), gone: make(chan struct{}), input: in,
		head:  r.NewStyle().Bold(true).Reverse(true),
		faint: r.NewStyle().Faint(true),
		warn:  r.NewStyle().Bold(true).Foreground(lipgloss.Color("9")),
		ok:    r.NewStyle().Foreground(lipgloss.Color("10")),
		sel:   r.NewStyle().Reverse(true)}
	if s.catalog != nil {
		for _, g := range s.catalog.Groups() {
			for _, l := range g.Lessons {
				m.lessons = append(m.lessons, lessonChoice{l.ID, l.Title})
			}
		}
	}
	m.roster = s.Roster()
	s.mu.Lock()
	s.teachers[m.notify] = struct{}{}
	s.mu.Unlock()
	return m
}

// notifyTeachers wakes every teacher's view (never blocks).
func (s *Server) notifyTeachers() {
	s.mu.Lock()
	ts := make([]chan struct{}, 0, len(s.teachers))
	for c := range s.teachers {
		ts = append(ts, c)
	}
	s.mu.Unlock()
	for _, c := range ts {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

func (m *teacherModel) wait() tea.Cmd {
	c, gone := m.notify, m.gone
	return func() tea.Msg {
		select {
		case <-c:
			return classChangedMsg{}
		case <-gone:
			return nil
		}
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

func (m *teacherModel) Init() tea.Cmd {
	return tea.Batch(m.wait(), tick())
}

// leave stops listening to the class.
func (m *teacherModel) leave() {
	m.s.mu.Lock()
	if _, ok := m.s.teachers[m.notify]; ok {
		delete(m.s.teachers, m.notify)
		close(m.gone)
	}
	m.s.mu.Unlock()
}

func (m *teacherModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.input.Width = max(10, msg.Width-20)
	case classChangedMsg:
		m.roster = m.s.Roster()
		return m, m.wait()
	case tickMsg:
		m.roster = m.s.Roster() // times on step move on
		return m, tick()
	case tea.KeyMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

func (m *teacherModel) onKey(msg tea.KeyMsg) tea.Cmd {
	if m.mode != modeMessage && msg.Type == tea.KeyRunes && len(msg.Runes) > 1 {
		// Keys typed quickly arrive as one message ("mHello"): the first
		// is a command, the rest what follows it.
		first, rest := msg, msg
		first.Runes, rest.Runes = msg.Runes[:1], msg.Runes[1:]
		return tea.Batch(m.onKey(first), m.onKey(rest))
	}
	if msg.String() == "ctrl+c" {
		m.leave()
		return tea.Quit
	}
	switch m.mode {
	case modeMessage:
		switch msg.String() {
		case "esc":
			m.mode = modeTable
			m.input.Blur()
		case "enter":
			if t := strings.TrimSpace(m.input.Value()); t != "" {
				m.s.Announce(t)
				m.status = "sent to everyone: " + oneLine(t)
			}
			m.mode = modeTable
			m.input.Blur()
			m.input.SetValue("")
		default:
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return cmd
		}
		return nil
	case modeLesson:
		switch msg.String() {
		case "esc":
			m.mode = modeTable
		case "up", "k":
			m.cursor = max(0, m.cursor-1)
		case "down", "j":
			m.cursor = min(len(m.lessons)-1, m.cursor+1)
		case "enter":
			if m.cursor < len(m.lessons) {
				c := m.lessons[m.cursor]
				if err := m.s.SendClassTo(c.id); err != nil {
					m.status = err.Error()
				} else {
					m.status = "the class was sent to “" + c.title + "”"
				}
			}
			m.mode = modeTable
		}
		return nil
	}
	switch msg.String() {
	case "q":
		m.leave()
		return tea.Quit
	case "m":
		m.mode = modeMessage
		return m.input.Focus()
	case "l":
		if len(m.lessons) > 0 {
			m.mode = modeLesson
		}
	case "e":
		if err := m.s.ExportCSV(); err != nil {
			m.status = "could not export: " + err.Error()
		} else {
			m.status = "progress written to " + m.s.ProgressCSVPath()
		}
	}
	return nil
}

// columns of the table: name, state, lesson, step, time on step, hints,
// wrong attempts, lessons done, flag.
func (m *teacherModel) row(l Learner) string {
	state := "away"
	switch {
	case l.Online:
		state = "on"
	case !l.Away:
		state = "left"
	}
	lesson, step, onStep := "—", "", ""
	if l.Steps > 0 {
		lesson = oneLine(l.Lesson) // lesson files are a teacher's text: escaped like any other
		step = fmt.Sprintf("%d/%d %s", l.Step, l.Steps, oneLine(l.StepTitle))
		if l.Finished {
			step = "finished"
		}
		onStep = l.OnStep.Truncate(time.Second).String()
	}
	flag := ""
	if l.Stuck {
		flag = m.warn.Render("STUCK")
	}
	return fmt.Sprintf("%-14s %-5s %-26s %-30s %8s %5d %5d %4d  ", cut(l.Name, 14), state, cut(lesson, 26), cut(step, 30),
		onStep, l.Hints, l.Wrong, l.Done) + flag
}

func (m *teacherModel) View() string {
	if m.width == 0 {
		return "classroom starting…"
	}
	var b strings.Builder
	on, away := 0, 0
	for _, l := range m.roster {
		if l.Online {
			on++
		} else if l.Away {
			away++
		}
	}
	title := fmt.Sprintf(" mailtutor classroom · %d learners, %d connected, %d away · host key %s ", len(m.roster), on, away, m.s.Fingerprint())
	b.WriteString(m.head.Render(cut(title, m.width)) + "\n\n")
	hdr := fmt.Sprintf("%-14s %-5s %-26s %-30s %8s %5s %5s %4s", "LEARNER", "", "LESSON", "STEP", "ON STEP", "HINTS", "WRONG", "DONE")
	b.WriteString(m.faint.Render(cut(hdr, m.width)) + "\n")
	rows := m.height - 7
	if m.mode == modeLesson {
		rows = m.height - 7 - min(len(m.lessons), 10) - 1
	}
	for i, l := range m.roster {
		if i >= max(0, rows) {
			b.WriteString(m.faint.Render(fmt.Sprintf("… %d more", len(m.roster)-i)) + "\n")
			break
		}
		b.WriteString(ansi.Truncate(m.row(l), m.width, "…") + "\n")
	}
	if len(m.roster) == 0 {
		b.WriteString(m.faint.Render("Nobody yet. Students connect with: ssh -p PORT name@this-host") + "\n")
	}
	b.WriteString("\n")
	switch m.mode {
	case modeMessage:
		b.WriteString(m.input.View() + "\n")
	case modeLesson:
		b.WriteString("Send the class to which lesson? (enter sends, esc cancels)\n")
		from := max(0, min(m.cursor-5, len(m.lessons)-10))
		for i := from; i < min(len(m.lessons), from+10); i++ {
			line := cut(fmt.Sprintf("  %-28s %s", oneLine(m.lessons[i].id), oneLine(m.lessons[i].title)), m.width)
			if i == m.cursor {
				line = m.sel.Render(line)
			}
			b.WriteString(line + "\n")
		}
	default:
		if m.status != "" {
			b.WriteString(m.ok.Render(cut(m.status, m.width)) + "\n")
		}
	}
	b.WriteString(m.faint.Render(cut("m message to all · l send the class to a lesson · e export progress CSV · q quit · "+
		"a learner's screen: ssh -t teacher@HOST watch NAME · on the projector: ssh -t teacher@HOST projector NAME · "+
		"your own mailtutor: ssh -t teacher@HOST play", m.width)))
	return b.String()
}

// cut shortens s to w columns.
func cut(s string, w int) string { return ansi.Truncate(s, max(1, w), "…") }

// oneLine makes a message safe to draw on every learner's screen: one
// line, control bytes shown as escapes (the terminal-safety rule).
func oneLine(s string) string {
	return wire.Visible(strings.Join(strings.Fields(s), " "))
}
