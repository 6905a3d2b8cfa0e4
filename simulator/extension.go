package simulator

import (
	"bytes"

	"github.com/mailtutor/mailtutor/simulator/imap"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// IMAP extension commands: the one place where the relay answers commands
// in front of go-imap. go-imap v2.0.0-beta.8's server does not dispatch ID,
// SORT, THREAD, ESORT or CONTEXT=SEARCH's SEARCH RETURN options (an
// unknown command is BAD, and before login it hangs up). simulator/imap
// answers them from the store (imap.Intercepts, Server.Extension); the
// relay, which sees every client line with the IMAP model's facts, keeps
// them from the library:
//
//  1. fromClient sees a line that starts such a command (extStarts): from
//     there on every byte of the command, its literals included, is taken
//     out of what the library gets and gathered in s.ext (extTake). The
//     splitter is paused at the end of each of its lines, and what the
//     client sent after waits in the backlog, as for a literal's verdict.
//  2. Before the client's next bytes are read (serveExtension), the relay
//     waits until the library has answered every command sent before
//     this one and its answers have gone to the client
//     (awaitEarlierAnswers; fromServer's caller signals, extAnswered), so
//     the answers keep the order of the commands (RFC 9051 §5.5).
//  3. A line announcing a synchronising literal gets the relay's own "+";
//     the complete command is handed to simulator/imap, and its answer is
//     published (one event per line, the tagged one with what it answers)
//     and written to the client. The splitter is told the command was
//     answered (Splitter.Answered), and the backlog goes on.
//
// The session state the answer needs (the user, the selected mailbox, the
// sequence numbers the client knows) is simulator/imap's: it finds the
// session by the connection go-imap was handed (s.libConn). Behind the
// relay's TLS, go-imap runs in its own goroutine; it is idle by then (it
// has answered everything it was given), and s.libSync orders its last
// steps before the extension's and the extension's before its next
// (see syncConn).

// extCommand is an extension command being gathered.
type extCommand struct {
	tag, verb string
	raw       []byte // the command as the client sent it: its lines and literals
	tooLong   bool   // raw would have grown past extMax: answered BAD
	complete  bool   // its last line has arrived: it is to be answered
	plus      bool   // its last line announced a synchronising literal: "+" is due
}

// extMax bounds what one extension command may hold (search strings in
// literals included): SORT and THREAD keys are short.
const extMax = 1 << 20

// extStarts reports whether a client line starts an extension command, and
// if so starts gathering it.
func (s *session) extStarts(p wire.Piece) bool {
	if s.proto != wire.IMAP || s.relay == nil || s.relay.imap == nil || p.Continues || p.Verb == "" || !imap.Intercepts(p.Verb, p.Data) {
		return false
	}
	s.ext = &extCommand{tag: p.Tag, verb: p.Verb}
	return true
}

// extTake adds a piece to the command being gathered. It returns true at
// the end of each of its lines: the splitter pauses there (the command is
// complete, or waits for "+", or its literal should not be skimmed).
func (s *session) extTake(p wire.Piece) bool {
	x := s.ext
	if len(x.raw)+len(p.Data) <= extMax {
		x.raw = append(x.raw, p.Data...)
	} else {
		x.tooLong = true
	}
	if p.Kind != wire.Line || !bytes.HasSuffix(p.Data, []byte("\n")) {
		return false // a literal, or a piece of a line too long to keep whole
	}
	switch p.Literal {
	case wire.SyncLiteral:
		x.plus = true
	case wire.NoLiteral:
		x.complete = true
	}
	return true
}

// serveExtension answers the extension command gathered, when it is
// complete (or sends the "+" its literal needs). wait says whether the
// library may still owe answers to earlier commands: not when go-imap
// itself is the reader (tapConn.Read), since it reads only once it has
// answered all it was given. It returns false when the session ended.
func (s *session) serveExtension(wait bool) bool {
	x := s.ext
	if x == nil || !(x.complete || x.plus) {
		return true
	}
	if wait && !s.awaitEarlierAnswers() {
		return false
	}
	if x.plus {
		x.plus = false
		return s.extSay(imap.Answer{Reply: []byte("+ Ready for literal data\r\n")})
	}
	s.ext = nil
	var a imap.Answer
	if x.tooLong {
		a = imap.Answer{Tag: x.tag, Verb: x.verb,
			Reply: []byte(x.tag + " BAD [TOOBIG] Command too long: its arguments and literals are limited to 1 MB\r\n")}
	} else {
		s.libSync.Lock()
		a = s.relay.imap.Extension(s.libConn, x.raw, s.done)
		s.libSync.Unlock()
	}
	s.split.Answered(x.tag)
	if a.ClientID != "" {
		s.mu.Lock()
		s.clientID = a.ClientID
		s.mu.Unlock()
		s.sim.notify()
	}
	return s.extSay(a)
}

// extSay publishes the relay's answer, one event per line, and writes it.
func (s *session) extSay(a imap.Answer) bool {
	for rest := a.Reply; len(rest) > 0; {
		var line []byte
		line, rest = wire.CutLine(rest)
		e := wire.Event{Dir: wire.FromServer, Kind: wire.Line, Data: line}
		if len(rest) == 0 && a.Tag != "" {
			e.Answers, e.Tag, e.OK = a.Verb, a.Tag, a.OK
		}
		s.publish(e)
	}
	if err := s.writeClient(a.Reply); err != nil {
		s.finish("the client closed the connection")
		return false
	}
	return true
}

// awaitEarlierAnswers waits until no command sent before the extension
// command awaits its tagged reply, and that reply has gone to the client.
func (s *session) awaitEarlierAnswers() bool {
	s.extWaiting.Store(true)
	defer s.extWaiting.Store(false)
	for {
		s.fwdMu.Lock()
		n := s.split.Outstanding()
		s.fwdMu.Unlock()
		if n <= 1 { // the extension command's own tag
			return true
		}
		select {
		case <-s.extReady:
		case <-s.done:
			return false
		}
	}
}

// extAnswered wakes awaitEarlierAnswers after server bytes have gone to
// the client.
func (s *session) extAnswered() {
	if !s.extWaiting.Load() {
		return
	}
	select {
	case s.extReady <- struct{}{}:
	default:
	}
}

// extendCapabilities adds the extensions' capabilities to a capability
// list go-imap wrote (imap.ExtendCapabilities), as an edit of the chunk.
func extendCapabilities(p *wire.Piece) (edit, bool) {
	if len(p.Data) < 12 || p.End < len(p.Data) || (p.Data[0] != '*' && p.Answers == "") {
		return edit{}, false
	}
	fixed := imap.ExtendCapabilities(p.Data)
	if fixed == nil {
		return edit{}, false
	}
	e := edit{start: p.End - len(p.Data), end: p.End, with: fixed}
	p.Data = fixed
	return e, true
}
