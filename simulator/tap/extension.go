package tap

import (
	"bytes"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Commands the library does not know, answered in front of it (an
// Extender: simulator/imap answers ID, SORT, THREAD, ESORT and
// CONTEXT=SEARCH's SEARCH RETURN options, which go-imap v2.0.0-beta.8 does
// not dispatch). The relay, which sees every client line with the
// protocol model's facts, keeps them from the library:
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
//     the complete command is handed to the Extender, and its answer is
//     published (one event per line, the tagged one with what it answers)
//     and written to the client. The splitter is told the command was
//     answered (Splitter.Answered), and the backlog goes on. Before that
//     "+", the Extender may refuse the command (Extender.Early): the
//     client then sends no literal. An Answer may instead hand the
//     library bytes to run in the command's place (extLibrary: an IMAP
//     APPEND with one message is go-imap's own), whose tagged reply then
//     completes the command.
//
// The session state the answer needs (the user, the selected mailbox, the
// sequence numbers the client knows) is the server's: its Extender finds
// the session by the connection the library was handed (s.libConn, given
// to Options.Correct). Behind the relay's TLS, the library runs in its own
// goroutine; it is idle by then (it has answered everything it was given),
// and s.libSync orders its last steps before the extension's and the
// extension's before its next (see addrConn).

// extCommand is an extension command being gathered.
type extCommand struct {
	tag, verb string
	raw       []byte // the command as the client sent it: its lines and literals
	max       int    // the most raw may hold (Extender.MaxCommand)
	tooLong   bool   // raw would have grown past max: answered BAD
	complete  bool   // its last line has arrived: it is to be answered
	plus      bool   // its last line announced a synchronising literal: "+" is due
	refusal   string // Extender.Early refused it at a literal: the tagged reply
}

// extStarts reports whether a client line starts an extension command, and
// if so starts gathering it.
func (s *Session) extStarts(p wire.Piece) bool {
	if s.extender == nil || p.Continues || p.Verb == "" || !s.extender.Intercepts(p) {
		return false
	}
	s.ext = &extCommand{tag: p.Tag, verb: p.Verb, max: s.extender.MaxCommand(p.Verb)}
	return true
}

// extTake adds a piece to the command being gathered. It returns true at
// the end of each of its lines: the splitter pauses there (the command is
// complete, or waits for "+", or its literal should not be skimmed).
func (s *Session) extTake(p wire.Piece) bool {
	x := s.ext
	if !x.tooLong && len(x.raw)+len(p.Data) <= x.max {
		x.raw = append(x.raw, p.Data...)
	} else {
		x.tooLong = true
	}
	if p.Kind != wire.Line || !bytes.HasSuffix(p.Data, []byte("\n")) {
		return false // a literal, or a piece of a line too long to keep whole
	}
	switch p.Literal {
	case wire.SyncLiteral:
		if refusal := s.extender.Early(x.raw); refusal != "" {
			// No "+": the client sends no literal, and its next line is
			// a new command (the splitter forgets this one).
			x.refusal, x.complete = refusal, true
			s.split.AnsweredHere()
			return true
		}
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
func (s *Session) serveExtension(wait bool) bool {
	x := s.ext
	if x == nil || !(x.complete || x.plus) {
		return true
	}
	if x.refusal != "" {
		// Refused at a literal: the splitter has forgotten its tag already.
		s.ext = nil
		if wait && !s.awaitEarlierAnswers(0) {
			return false
		}
		return s.extSay([]wire.Event{{Dir: wire.FromServer, Kind: wire.Line, Data: []byte(x.refusal),
			Tag: x.tag, Answers: x.verb}})
	}
	if wait && !s.awaitEarlierAnswers(1) {
		return false
	}
	if x.plus {
		x.plus = false
		// The go-ahead goes through the model as the server's own would:
		// its event names the command that waits and the literal it
		// lets come, and the model takes the client's next bytes as that
		// literal.
		var plus []wire.Event
		s.split.Server([]byte("+ Ready for literal data\r\n"), func(p wire.Piece) { plus = append(plus, p.Event()) })
		return s.extSay(plus)
	}
	s.ext = nil
	s.libSync.Lock()
	reply, library, clientID := s.extender.Answer(x.raw, !x.tooLong, s.done)
	s.libSync.Unlock()
	if library != nil {
		s.extLibrary = library // the library's tagged reply completes the command
	} else {
		s.split.Answered(x.tag)
	}
	if clientID != "" {
		s.mu.Lock()
		s.clientID = clientID
		s.mu.Unlock()
		if changed := s.relay.opts.Changed; changed != nil {
			changed()
		}
	}
	if len(reply) == 0 {
		return true
	}
	return s.extSay(reply)
}

// takeExtLibrary returns, once, what the library is to run in place of
// the extension command just answered (Extender.Answer's library), nil
// when there is nothing: the caller hands it to the library before any
// later client bytes.
func (s *Session) takeExtLibrary() []byte {
	b := s.extLibrary
	s.extLibrary = nil
	return b
}

// extSay publishes the answer, one event per line, and writes it.
func (s *Session) extSay(reply []wire.Event) bool {
	var all []byte
	for _, e := range reply {
		all = append(all, e.Data...)
		s.publish(e)
	}
	if err := s.writeClient(all); err != nil {
		s.finish("the client closed the connection")
		return false
	}
	return true
}

// awaitEarlierAnswers waits until no command sent before the extension
// command awaits its tagged reply, and that reply has gone to the client.
// own is how many of the commands awaiting a reply are the extension
// command itself (0 once the splitter has forgotten it).
func (s *Session) awaitEarlierAnswers(own int) bool {
	s.extWaiting.Store(true)
	defer s.extWaiting.Store(false)
	for {
		s.fwdMu.Lock()
		n := s.split.Outstanding()
		s.fwdMu.Unlock()
		if n <= own {
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
func (s *Session) extAnswered() {
	if !s.extWaiting.Load() {
		return
	}
	select {
	case s.extReady <- struct{}{}:
	default:
	}
}
