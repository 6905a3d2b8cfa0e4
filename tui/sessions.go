package tui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// sessionSet is the sessions a live screen shows as tabs, which one is
// active, and the lines of sessions not claimed yet.
type sessionSet struct {
	list   []*session
	active int
	byID   map[wire.SessionID]*session
	// orphans keeps lines of sessions the screen does not own yet: the
	// greeting can arrive before Dial has returned to the UI.
	orphans map[wire.SessionID][]item
}

func newSessionSet() sessionSet {
	return sessionSet{byID: map[wire.SessionID]*session{}, orphans: map[wire.SessionID][]item{}}
}

// current is the active session, nil when there is none.
func (ss *sessionSet) current() *session {
	if len(ss.list) == 0 {
		return nil
	}
	return ss.list[ss.active]
}

// add appends a tab for s.
func (ss *sessionSet) add(s *session) {
	ss.list = append(ss.list, s)
	ss.byID[s.id] = s
}

// named is the session with this name, or nil.
func (ss *sessionSet) named(name string) *session {
	var found *session
	for _, s := range ss.list {
		if s.name == name {
			found = s
		}
	}
	return found
}

// focus makes the session with this name the active tab, if there is one.
func (ss *sessionSet) focus(name string) {
	for i, s := range ss.list {
		if s.name == name {
			ss.active = i
		}
	}
}

// cycle moves the active tab by d, round the ends.
func (ss *sessionSet) cycle(d int) {
	if n := len(ss.list); n > 0 {
		ss.active = ((ss.active+d)%n + n) % n
	}
}

// pair is the active session and the next one, for side by side.
func (ss *sessionSet) pair() (*session, *session) {
	return ss.list[ss.active], ss.list[(ss.active+1)%len(ss.list)]
}

// keep holds a line back until its session is claimed: a bounded backlog.
func (ss *sessionSet) keep(it item) {
	if len(ss.orphans) < 64 && len(ss.orphans[it.Session]) < 256 {
		ss.orphans[it.Session] = append(ss.orphans[it.Session], it)
	}
}

// onLine routes an annotated line to its session. A line of a session no
// tab shows yet is offered to the screen's claim, then kept back.
func (ws *workspace) onLine(it item) tea.Cmd {
	s := ws.sessions.byID[it.Session]
	if s == nil && ws.claim != nil {
		if s = ws.claim(it); s != nil {
			ws.sessions.add(s)
			if len(ws.sessions.list) == 1 {
				ws.sessions.active = 0
			}
		}
	}
	if s == nil {
		ws.sessions.keep(it)
		return nil
	}
	ws.deliver(s, it)
	return nil
}

// deliver adds a line to its session and lets the session react (a DATA
// go-ahead, a TLS go-ahead).
func (ws *workspace) deliver(s *session, it item) {
	s.convo.add(it)
	if it.State != "" && it.State != s.state {
		s.state = it.State
		if s.conn != nil { // a watched session is never typed into
			s.input.completions = commandWords(s.proto(), s.state)
		}
	}
	if it.Kind == wire.TLS {
		s.encrypted = true
	}
	if s.conn == nil {
		// A watched session: nothing to send, only to show.
		if it.Kind == wire.Close {
			s.closed = true
		}
		return
	}
	if s.onServerLine(it) {
		if err := s.out.enqueue(writeOp{startTLS: true}); err != nil {
			s.problem = err.Error()
		}
	}
}

// dial opens a named session off the UI goroutine.
func (ws *workspace) dial(name, label string, role wire.Role) tea.Cmd {
	w, box := ws.world, ws.box
	return func() tea.Msg {
		conn, err := w.Dial(role)
		return dialMsg{box: box, name: name, label: label, conn: conn, err: err}
	}
}

// onDial gives an opened connection its tab: a new one, or the tab of the
// same name again (reconnecting keeps its history and conversation).
func (ws *workspace) onDial(msg dialMsg) tea.Cmd {
	if msg.err != nil {
		ws.setStatus(fmt.Sprintf("could not open %s: %v", msg.name, msg.err), true)
		return nil
	}
	box := ws.box
	s := ws.sessions.named(msg.name)
	if s != nil {
		delete(ws.sessions.byID, s.id)
		s.conn, s.id, s.role = msg.conn, msg.conn.Session(), msg.conn.Role()
		s.closed, s.encrypted, s.state, s.problem, s.tlsAsked = false, false, "", "", false
		s.mode, s.body, s.afterLiteral = modeLine, nil, false
		ws.sessions.byID[s.id] = s
	} else {
		s = newSession(msg.name, msg.label, msg.conn)
		ws.sessions.add(s)
		ws.sessions.active = len(ws.sessions.list) - 1
	}
	s.encrypted = msg.conn.Encrypted()
	s.out = newWriter(msg.conn, func(r writeResult) { box.push(r) })
	conn := msg.conn
	go func() {
		<-conn.Done()
		box.push(connDoneMsg{conn.Session()})
	}()
	for _, it := range ws.sessions.orphans[s.id] {
		ws.deliver(s, it)
	}
	delete(ws.sessions.orphans, s.id)
	return nil
}

// onConnDone marks a session whose connection ended.
func (ws *workspace) onConnDone(msg connDoneMsg) {
	if s := ws.sessions.byID[msg.id]; s != nil {
		s.closed = true
		s.out.close()
		s.mode, s.body, s.afterLiteral = modeLine, nil, false
	}
}

// onWrite reports a failed write or a finished TLS handshake.
func (ws *workspace) onWrite(msg writeResult) {
	s := ws.sessions.byID[msg.session]
	if s == nil {
		return
	}
	switch {
	case msg.err != nil && msg.startTLS:
		s.problem = "TLS handshake failed: " + msg.err.Error()
	case msg.err != nil:
		s.problem = "could not send: " + msg.err.Error()
	case msg.startTLS:
		s.encrypted = true
	}
}

// newWatchedSession is a tab for a session the TUI did not open.
func newWatchedSession(it item) *session {
	label := string(it.Session) + " " + string(it.Role)
	return &session{name: string(it.Session), label: label, role: it.Role, id: it.Session, convo: newConvo()}
}
