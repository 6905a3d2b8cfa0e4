package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// syncSessions gives a tab to every lesson session the run has open (steps
// can open sessions; a reconnect replaces a connection).
func (ls *lessonScreen) syncSessions() tea.Cmd {
	var cmds []tea.Cmd
	for _, name := range ls.lesson.SessionNames() {
		conn := ls.run.Conn(name)
		if conn == nil {
			continue
		}
		if have := ls.ws.sessions.named(name); have != nil && have.id == conn.Session() {
			continue
		}
		label := ls.lesson.Sessions[name].Label
		cmds = append(cmds, ls.ws.onDial(dialMsg{box: ls.ws.box, name: name, label: label, conn: conn}))
		// A step that connects its own session again (the laptop checks
		// its mail anew) brings that tab to the front, as a new tab is.
		if st := ls.pane.currentStep(); st != nil && ls.stepSession(st) == name {
			ls.ws.sessions.focus(name)
		}
	}
	return tea.Batch(cmds...)
}

// stepSession is the session name a step is typed into.
func (ls *lessonScreen) stepSession(st *lessons.Step) string {
	if st != nil && st.Session != "" {
		return st.Session
	}
	if names := ls.lesson.SessionNames(); len(names) > 0 {
		return names[0]
	}
	return ""
}

// syncGhost shows the step's suggested command in its session's input:
// the first expected command not sent yet in this step.
func (ls *lessonScreen) syncGhost() {
	for _, s := range ls.ws.sessions.list {
		s.input.ghost = ""
	}
	st := ls.pane.currentStep()
	if st == nil || st.Kind != lessons.Live {
		return
	}
	name := ls.stepSession(st)
	for _, s := range ls.ws.sessions.list {
		if s.name != name {
			continue
		}
		for _, e := range st.Expect {
			if !ls.wasSent(e, s.proto() == wire.IMAP) {
				s.input.ghost = e
				return
			}
		}
	}
}

// focusStepSession makes the new step's session the active tab, so that
// what the learner types next goes where the step says.
func (ls *lessonScreen) focusStepSession() {
	if st := ls.pane.currentStep(); st != nil && st.Kind == lessons.Live {
		ls.ws.sessions.focus(ls.stepSession(st))
	}
}

// wasSent reports whether the learner already sent the command of an
// expected line in this step (any tag, any arguments).
func (ls *lessonScreen) wasSent(expect string, tagged bool) bool {
	verb := commandOf(expect, tagged)
	for _, l := range ls.sent {
		if commandOf(l, tagged) == verb {
			return true
		}
	}
	return false
}

// commandOf is a line's command word, upper case: the first word, or the
// second after an IMAP tag.
func commandOf(s string, tagged bool) string {
	f := strings.Fields(s)
	if tagged && len(f) > 1 {
		return strings.ToUpper(f[1])
	}
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(f[0])
}

// showMe types the next piece of the solution into the input line, for the
// learner to read and send with Enter. Opening and dropping connections is
// done at once.
func (ls *lessonScreen) showMe() {
	p, sessions := ls.pane, &ls.ws.sessions
	st := p.currentStep()
	if st == nil {
		return
	}
	if st.Kind == lessons.Question {
		p.say("Think first: this one is a question. F3 gives a hint.", false)
		return
	}
	for i, sess := range sessions.list {
		if ls.shown.line != "" && sess.name == ls.shown.session && sess.input.Value() == ls.shown.line {
			sessions.active = i
			p.say("Typed for you: press Enter to send it.", false)
			return
		}
	}
	sol := ls.run.Solution()
	for ls.showSend < len(sol) {
		s := sol[ls.showSend]
		name := s.Session
		if name == "" {
			name = ls.stepSession(st)
		}
		switch s.Action {
		case "open":
			if err := ls.run.Open(name); err != nil {
				p.note(err.Error())
			}
			ls.syncSessions()
			ls.showSend++
			continue
		case "close":
			if c := ls.run.Conn(name); c != nil {
				c.Close()
			}
			ls.showSend++
			continue
		case "starttls":
			// mailtutor's client starts TLS by itself after the go-ahead.
			ls.showSend++
			continue
		}
		if ls.showLine >= len(s.Lines) {
			ls.showSend++
			ls.showLine = 0
			continue
		}
		target := sessions.named(name)
		if target == nil {
			ls.showLine++
			return
		}
		sessions.focus(name)
		// Fit the line to the session's state: never a command the
		// server would refuse now, never a header line at the prompt.
		isBody := len(s.Lines) > 1
		if target.closed {
			p.say("The connection is closed: press Enter on an empty line to reconnect first (or ctrl+r to redo the step).", false)
			return
		}
		if isBody && target.mode != modeBody {
			pre, _ := ls.run.Prepare(name, lessons.Body)
			if pre == lessons.Body {
				p.say("Wait for the server's 354 go-ahead: then F4 puts the message in the body.", false)
				return
			}
			ls.typeFor(target, name, pre, "First this: the server takes a message only after MAIL FROM, RCPT TO and DATA's 354. Press Enter to send it.")
			return
		}
		if !isBody && target.mode == modeLine {
			pre, skip := ls.run.Prepare(name, s.Lines[ls.showLine])
			if skip {
				ls.showLine++
				continue
			}
			if pre != s.Lines[ls.showLine] {
				ls.typeFor(target, name, pre, "First this: in its state now ("+target.state+") the session needs it before the step's own command. Press Enter to send it.")
				return
			}
		}
		if target.mode == modeBody && ls.showLine == 0 && isBody {
			// A whole message body: put every line but the final one in
			// the body, leave the last for the learner to send.
			target.body = append(target.body, s.Lines[:len(s.Lines)-1]...)
			ls.showLine = len(s.Lines) - 1
		}
		ls.typeFor(target, name, s.Lines[ls.showLine], "Typed for you: press Enter to send it.")
		ls.showLine++
		return
	}
	p.note("Nothing more to type: the rest is up to the server.")
}

// typeFor types a line "show me" chose into a session's input.
func (ls *lessonScreen) typeFor(sess *session, name, line, why string) {
	sess.input.SetValue(line)
	ls.shown.session, ls.shown.line = name, line
	ls.pane.say(why, false)
}
