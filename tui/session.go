package tui

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// inputMode says what the input line is collecting.
type inputMode int

const (
	modeLine    inputMode = iota // one command line at a time
	modeBody                     // an SMTP DATA body, after 354, until a line "."
	modeLiteral                  // the bytes of an IMAP literal {N}
)

// session is one named connection the learner types into ("laptop",
// "phone"), with its own conversation, input line and history.
type session struct {
	name  string
	label string
	role  wire.Role
	conn  clientConn
	id    wire.SessionID
	out   *writer

	convo convo
	input lineEditor

	state     string // protocol state from the newest annotated line
	encrypted bool
	closed    bool   // the connection has ended
	problem   string // why the last action failed, shown under the input

	mode         inputMode
	body         []string // lines of a DATA body or a literal being typed
	literalNeed  int      // bytes the literal announced
	literalBytes int      // bytes typed so far
	// afterLiteral is set once a literal is complete: its command line
	// goes on, and only the next Enter ends the command.
	afterLiteral bool

	// authNext is the user ctrl+g builds an AUTH PLAIN line for next
	// (an index into the world's users, round the end).
	authNext int

	// tlsAsked is set after the learner asked for STARTTLS/STLS: when the
	// server agrees, the TUI's client starts TLS itself.
	tlsAsked bool
}

func newSession(name, label string, conn clientConn) *session {
	if label == "" {
		label = name
	}
	s := &session{name: name, label: label, role: conn.Role(), conn: conn, id: conn.Session(), convo: newConvo()}
	s.input.completions = commandWords(s.role.Proto(), "")
	return s
}

// proto is the protocol spoken.
func (s *session) proto() wire.Proto { return s.role.Proto() }

// prompt is shown in front of the input line.
func (s *session) prompt() string {
	switch s.mode {
	case modeBody:
		return "body> "
	case modeLiteral:
		return "literal> "
	}
	return s.name + "> "
}

// hinting reports whether a line above the input explains what is being
// typed (see modeHint).
func (s *session) hinting() bool { return s.mode != modeLine || s.afterLiteral }

// modeHint explains a special input mode in one line.
func (s *session) modeHint() string {
	if s.mode == modeLine && s.afterLiteral {
		return "Literal done: type the rest of the command line (often nothing); Enter ends it."
	}
	switch s.mode {
	case modeBody:
		return fmt.Sprintf("Typing the message (%d lines). A line with only \".\" ends it and sends it all with CRLF line endings.", len(s.body))
	case modeLiteral:
		return fmt.Sprintf("Typing the literal: %d of %d bytes (each Enter adds CRLF, 2 bytes).", s.literalBytes, s.literalNeed)
	}
	return ""
}

// literalSize finds an IMAP literal announcement ("{42}" or "{42+}") at
// the end of a line and returns its size; an empty literal needs no mode.
func literalSize(line string) (int, bool) {
	n, _, ok := wire.LiteralSize(line)
	if !ok || n <= 0 {
		return 0, false
	}
	return n, true
}

// submit handles Enter: it returns the bytes to write (nil when nothing is
// sent yet) and whether the line should go into history.
func (s *session) submit(line string) ([]byte, error) {
	switch s.mode {
	case modeBody:
		s.body = append(s.body, line)
		if line != "." {
			return nil, nil
		}
		data := strings.Join(s.body, "\r\n") + "\r\n"
		s.body = nil
		s.mode = modeLine
		return []byte(data), nil
	case modeLiteral:
		rest := s.literalNeed - s.literalBytes
		switch {
		case len(line) == rest:
			// The literal ends exactly here, without a line break: what
			// follows is the rest of the command line.
		case len(line)+2 <= rest:
			line += "\r\n"
		default:
			return nil, fmt.Errorf("that line would make the literal %d bytes, more than the {%d} announced: %d bytes are left (a line break counts 2)",
				s.literalBytes+len(line)+2, s.literalNeed, rest)
		}
		s.body = append(s.body, line)
		s.literalBytes += len(line)
		if s.literalBytes < s.literalNeed {
			return nil, nil
		}
		data := strings.Join(s.body, "")
		s.body = nil
		s.mode = modeLine
		s.afterLiteral = true
		return []byte(data), nil
	}
	s.afterLiteral = false
	s.noteTLSRequest(line)
	if s.proto() == wire.IMAP {
		if n, ok := literalSize(line); ok {
			s.mode = modeLiteral
			s.literalNeed, s.literalBytes = n, 0
		}
	}
	return []byte(line + "\r\n"), nil
}

// noteTLSRequest remembers that the learner asked for TLS, so the go-ahead
// reply can start the handshake.
func (s *session) noteTLSRequest(line string) {
	f := strings.Fields(line)
	switch {
	case (s.proto() == wire.SMTP || s.proto() == wire.POP3) && len(f) == 1:
		s.tlsAsked = strings.EqualFold(f[0], "STARTTLS") || strings.EqualFold(f[0], "STLS")
	case s.proto() == wire.IMAP && len(f) == 2:
		s.tlsAsked = strings.EqualFold(f[1], "STARTTLS")
	}
}

// onServerLine looks at a server line for the replies the input line reacts
// to: the 354 go-ahead for a DATA body, and the go-ahead for TLS. It
// reports whether the TUI must start TLS now. Which command a reply
// answers, and whether it agreed, are the protocol model's facts.
func (s *session) onServerLine(it item) (startTLS bool) {
	if it.Dir != wire.FromServer || it.Kind != wire.Line || it.Answers == "" {
		return false // not the line that completes a reply
	}
	switch {
	case it.Answers == "DATA" && it.OK && s.mode == modeLine:
		s.mode = modeBody
		s.body = nil
	case s.mode == modeBody && it.Answers != "DATA":
		// A server in DATA mode says nothing until the body's "."; a
		// reply now means the body went on without this input line (a
		// resumed lesson replays its earlier steps on the connection
		// itself) or the server gave up on it (421).
		s.mode, s.body = modeLine, nil
	case s.mode == modeLiteral && it.Tag != "" && it.Tag+" " == s.tagOfLiteral():
		// The server refused the command before the literal: stop
		// collecting it.
		s.mode, s.body = modeLine, nil
	case s.afterLiteral && it.Tag != "":
		// The command was answered: whatever the learner types now is
		// a new one.
		s.afterLiteral = false
	}
	if s.tlsAsked && (it.Answers == "STARTTLS" || it.Answers == "STLS") {
		s.tlsAsked = false
		return it.OK
	}
	return false
}

// nextTag is a tag for the next IMAP command: the last tag this session
// used (the protocol model's fact on its lines) with its number raised
// ("a1" → "a2", "A009" → "A010"), or "a1".
func (s *session) nextTag() string {
	last := ""
	for i := len(s.convo.items) - 1; i >= 0 && last == ""; i-- {
		if it := s.convo.items[i]; it.Dir == wire.FromClient && it.Tag != "" {
			last = it.Tag
		}
	}
	if last == "" {
		return "a1"
	}
	digits := len(last) - len(strings.TrimRight(last, "0123456789"))
	prefix, num := last[:len(last)-digits], last[len(last)-digits:]
	n, err := strconv.Atoi(num)
	if err != nil || digits == 0 {
		return last + "1"
	}
	return prefix + fmt.Sprintf("%0*d", digits, n+1)
}

// tagOfLiteral is the tag of the command whose literal is being typed.
func (s *session) tagOfLiteral() string {
	if len(s.input.history) == 0 {
		return ""
	}
	f := strings.Fields(s.input.history[len(s.input.history)-1])
	if len(f) == 0 {
		return ""
	}
	return f[0] + " "
}

// writer sends a session's bytes in order, off the UI goroutine: a write to
// a server that stopped reading must never freeze the screen. StartTLS goes
// through the same queue, so it happens after every earlier write.
type writer struct {
	mu     sync.Mutex
	queue  []writeOp
	wake   chan struct{}
	closed bool
}

// writeOp is one thing to do on the connection.
type writeOp struct {
	data     []byte
	startTLS bool
}

// writeResult reports a failed write or a finished TLS handshake.
type writeResult struct {
	session  wire.SessionID
	startTLS bool
	err      error
}

func newWriter(conn clientConn, report func(writeResult)) *writer {
	w := &writer{wake: make(chan struct{}, 1)}
	go w.run(conn, report)
	return w
}

func (w *writer) enqueue(op writeOp) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("the connection is closed")
	}
	w.queue = append(w.queue, op)
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return nil
}

func (w *writer) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *writer) run(conn clientConn, report func(writeResult)) {
	for range w.wake {
		for {
			w.mu.Lock()
			if len(w.queue) == 0 {
				closed := w.closed
				w.mu.Unlock()
				if closed {
					return
				}
				break
			}
			op := w.queue[0]
			w.queue = w.queue[1:]
			w.mu.Unlock()
			if op.startTLS {
				err := conn.StartTLS()
				report(writeResult{session: conn.Session(), startTLS: true, err: err})
				continue
			}
			if _, err := conn.Write(op.data); err != nil {
				report(writeResult{session: conn.Session(), err: err})
			}
		}
	}
}

// commandWords lists the commands tab completes: the knowledge base's
// commands of the protocol that are valid in the session's state (all of
// them while the state is unknown).
func commandWords(p wire.Proto, state string) []string {
	want := kbState(p, state)
	var all, valid []string
	inAll, inValid := map[string]bool{}, map[string]bool{}
	for _, e := range kb.All() {
		if e.Proto != p || e.Kind != kb.Command {
			continue
		}
		word := e.Key
		if i := strings.IndexByte(word, ' '); i > 0 {
			word = word[:i] // "UID FETCH" completes as UID
		}
		switch {
		case p == wire.SMTP && word == "MAIL":
			word = "MAIL FROM:<"
		case p == wire.SMTP && word == "RCPT":
			word = "RCPT TO:<"
		}
		ok := len(e.States) == 0
		for _, st := range e.States {
			if strings.EqualFold(st, want) || st == "any state" {
				ok = true
			}
		}
		if !inAll[word] {
			all = append(all, word)
			inAll[word] = true
		}
		if ok && !inValid[word] {
			valid = append(valid, word)
			inValid[word] = true
		}
	}
	sort.Strings(all)
	sort.Strings(valid)
	if want == "" || len(valid) == 0 {
		return all
	}
	return valid
}

// kbState turns the annotator's state name into the knowledge base's. The
// two packages name SMTP states differently (the annotator says "greeted"
// after EHLO, the knowledge base before it); IMAP's "selected INBOX" is the
// "selected" state.
func kbState(p wire.Proto, state string) string {
	switch p {
	case wire.SMTP:
		switch state {
		case "connected", "tls":
			return "greeted"
		case "greeted":
			return "after EHLO"
		case "mail":
			return "after MAIL"
		case "rcpt":
			return "after RCPT"
		}
		return ""
	case wire.IMAP:
		if strings.HasPrefix(state, "selected") {
			return "selected"
		}
	}
	return state
}
