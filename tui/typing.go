package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// typed is the outcome of Enter in a session the learner types into.
type typed struct {
	cmd tea.Cmd
	// line is the command line sent, when one went out whole (not a body
	// line, not a literal's part): a lesson counts it for its suggestion.
	line string
	sent bool
}

// submit handles Enter in the active session: it reconnects a closed
// session (reconnect opens it again by name when the screen owns its
// connections, nil dials the world), takes the suggestion into the line, or
// sends the line.
func (ws *workspace) submit(s *session, reconnect func(name string) (clientConn, error)) typed {
	line := s.input.Value()
	if s.closed {
		if line == "" && reconnect != nil {
			conn, err := reconnect(s.name)
			return typed{cmd: ws.onDial(dialMsg{box: ws.box, name: s.name, label: s.label, conn: conn, err: err})}
		}
		if line == "" {
			return typed{cmd: ws.dial(s.name, s.label, s.role)}
		}
		s.problem = "the connection is closed: press Enter on an empty line to reconnect"
		return typed{}
	}
	if line == "" && s.mode == modeLine && s.input.acceptGhost() {
		// Enter under the step's grey suggestion: newcomers take it for
		// text already typed. Sending an empty line would only earn an
		// error; the suggestion goes into the line instead, to be read,
		// edited or sent with a second Enter.
		ws.setStatus("the suggested command is in the line now: Enter sends it, or edit it first", false)
		return typed{}
	}
	return ws.sendLine(s, line)
}

// sendLine sends one typed line of the active session.
func (ws *workspace) sendLine(s *session, line string) typed {
	data, err := s.submit(line)
	if err != nil {
		s.problem = err.Error()
		return typed{}
	}
	s.problem = ""
	if s.mode == modeLine || s.mode == modeLiteral {
		s.input.Reset(line)
	} else {
		s.input.Reset("")
	}
	if data != nil {
		if err := s.out.enqueue(writeOp{data: data}); err != nil {
			s.problem = err.Error()
		}
	}
	// The newest line is what the learner wants to see after sending.
	s.convo.unselect()
	return typed{line: line, sent: s.mode == modeLine}
}

// paste types pasted text: every complete line is submitted (by the
// screen's own Enter) as if typed, the last partial line stays in the input.
func paste(s *session, rs []rune, enter func(*session)) {
	text := strings.ReplaceAll(string(rs), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	for _, l := range lines[:len(lines)-1] {
		s.input.insert([]rune(l))
		enter(s)
	}
	s.input.insert([]rune(lines[len(lines)-1]))
}
