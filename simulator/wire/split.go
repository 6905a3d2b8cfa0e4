package wire

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/mailtutor/mailtutor/simulator/internal/linedot"
)

// MaxLine is the most bytes the splitter holds for one line. A longer line
// (a hostile 1 MB line, say) is published in pieces of this size, none of
// which ends in a line break, so memory stays bounded whatever arrives.
const MaxLine = 64 * 1024

// MaxPayload bounds one Payload event (a DATA body, a literal, a BDAT chunk).
// Longer payloads are published in pieces of this size.
const MaxPayload = 64 * 1024 * 1024

// Piece is one event's worth of bytes cut from a stream by a Splitter. Its
// Data may share memory with the slice passed to Client or Server: a caller
// that reuses its read buffer must copy Data to keep it.
type Piece struct {
	Dir    Dir
	Kind   Kind // Line or Payload
	Data   []byte
	Secret Range
	// End is the offset in the slice just fed at which this piece ends (the
	// piece may have begun in an earlier call). The relay uses it to cut a
	// stream right after a STARTTLS command.
	End int
	// Answers is set on a server line that completes the reply to a command:
	// the command's verb ("STARTTLS", "PASS", "LOGIN"), "<greeting>" for
	// the greeting, in SMTP "<body>" for the reply to a DATA body (after
	// the 354 that answered DATA), and "<empty>" for the reply to an empty
	// SMTP or POP3 line. Lines that only continue a reply leave it empty.
	Answers string
	// OK tells, when Answers is set, whether the reply was a success
	// (SMTP 2xx/3xx, POP3 +OK, IMAP tagged OK).
	OK bool
	// Verb is set on a client line that starts a command: its verb in upper
	// case ("MAIL", "STLS", "UID FETCH"); on an IMAP line that continues a
	// command after a literal, the verb of that command; on a client
	// payload, the command it belongs to (an IMAP literal's, "DATA" for an
	// SMTP message body, "BDAT" for a chunk). On an SMTP or POP3 server
	// line, it is the command whose reply the line is part of (what
	// Answers will say on the line that completes the reply), on every
	// line of it: a multi-line reply's lines, a SASL challenge (334, "+").
	Verb string
	// Continues marks a client line that is not the start of a new
	// command: in IMAP the rest of a command after a literal, an
	// AUTHENTICATE response, or the DONE that ends IDLE; in SMTP and POP3
	// a response to an AUTH challenge. On an SMTP or POP3 server line it
	// marks a line after which the reply goes on: an SMTP "NNN-" line, a
	// POP3 multi-line response's "+OK" and its lines before the ".", and
	// the pieces but the last of such a line too long to be one event
	// (MaxLine), or of an SMTP reply line.
	Continues bool
	// Tag is, in IMAP, the tag of the command a client line starts or
	// continues, or that a tagged server reply completes.
	Tag string
	// Literal says whether an IMAP line ends by announcing a literal, and
	// which kind; LiteralSize is its size in bytes. On a server line the
	// literal is part of the response (Continues is set: its rest follows);
	// on a "+" continuation request, they are those of the synchronising
	// literal the server says go ahead to.
	Literal     LiteralKind
	LiteralSize int
	// Head says, on an IMAP client line that would start a command, why
	// it cannot (IMAPHeadOf): the server refuses it and runs nothing. Tag
	// is then what could be read as a tag when the refusal names it.
	Head IMAPHeadProblem
	// QuoteOpen marks an IMAP client line that starts a command but ends
	// inside a quoted string (IMAPQuoteOpen): a quoted string is one line,
	// so the server answers BAD.
	QuoteOpen bool
	// Dropped marks client bytes of an IMAP command that was refused while
	// the client was still sending it (a non-synchronising literal the
	// server would not take, a command refused before its literal was
	// read): the client sent them, but they must never reach the server,
	// where they would be read as commands (RFC 7888 §4).
	Dropped bool
}

// RefusedCommand is the Verb of the lines that continue an IMAP line the
// relay refused before it could start a command (a malformed head that
// announced a literal): the rest of it is Dropped.
const RefusedCommand = "(refused)"

// Event returns the event that publishes the piece, with its facts.
func (p Piece) Event() Event {
	return Event{Dir: p.Dir, Kind: p.Kind, Data: p.Data, Secret: p.Secret,
		Verb: p.Verb, Tag: p.Tag, Answers: p.Answers, OK: p.OK, Continues: p.Continues, Dropped: p.Dropped,
		Literal: p.Literal, LiteralSize: p.LiteralSize, Head: p.Head, QuoteOpen: p.QuoteOpen}
}

// LiteralKind tells how an IMAP literal was announced.
type LiteralKind int

const (
	NoLiteral      LiteralKind = iota
	SyncLiteral                // {N}: the client waits for the server's "+"
	NonSyncLiteral             // {N+} or {N-} (RFC 7888): the bytes follow at once
)

// Splitter is the protocol model of one session: it cuts the two byte
// streams into protocol lines and payloads, wherever the reads cut them,
// and works out the facts every layer downstream reads from each Piece
// (the command a client line starts or continues, the command a reply
// completes and whether it agreed, which bytes are credentials, which
// bytes of a refused command must never reach the server). It follows
// pipelined clients (RFC 9051 §5.5, RFC 2920, RFC 2449): SMTP replies are
// matched to commands in order, POP3 answers likewise, and an IMAP tagged
// reply completes only the command with its tag, while the command the
// client is still sending (across literals, an AUTHENTICATE exchange, an
// IDLE until its DONE) is tracked on its own. Payloads: SMTP DATA (after
// the 354 that answers DATA) and BDAT chunks, IMAP literals in both
// directions (a synchronising one once the server's "+" came, or the
// client's bytes arrived first; a non-synchronising one at once). SASL
// responses are secrets whether they follow their 334 or "+" or were sent
// before it.
//
// Client and Server may be called from different goroutines.
type Splitter struct {
	proto Proto
	mu    sync.Mutex
	side  [2]streamState // indexed by FromClient, FromServer
	skim  bool           // see Skim

	// SMTP: verbs of commands sent and not yet answered, oldest first. The
	// first entry is the greeting, which answers no command.
	smtpPending []string
	smtpInAuth  bool // a 334 challenge is outstanding: the next client line is a secret
	// smtpAuthDue counts the SASL responses the client will send after an
	// AUTH without waiting to read a 334 first: the mechanism says how many
	// (LOGIN: the user name and the password, one fewer after an initial
	// response). A response sent early is as secret as one sent on time.
	smtpAuthDue int

	// POP3: a SASL exchange is in progress.
	popInAuth bool

	// POP3: verbs of commands not yet answered, oldest first, and whether
	// the server is in the middle of a multi-line response.
	popPending   []string
	popMultiline bool

	// IMAP: the commands awaiting their tagged response, oldest first (a
	// client may reuse a tag: a tagged reply completes the oldest with it).
	// Every server line but a tagged reply and "+" belongs to the first.
	imapTags []imapOut
	// imapGreeted: the server has sent a line, so the next one is no
	// greeting.
	imapGreeted bool

	// IMAP client side.
	imapSyncLiteral int    // size of a synchronising literal awaiting the server's "+", or -1
	imapInAuth      bool   // AUTHENTICATE continuation lines are secrets
	imapIdle        bool   // an IDLE is in progress: the next line is DONE
	imapCommand     string // command of the line being continued across literals
	imapTag         string // and its tag
	imapArgs        int    // arguments seen so far in a LOGIN command
	// imapRefused: the command being sent was answered (refused) before
	// the client finished sending it; the rest of its bytes are Dropped.
	imapRefused bool
	// imapPause asks feed to stop after the piece being emitted (Pause).
	imapPause bool
	// imapLineTag is the tag of the command the last client line started
	// or continued ("" for a line that started none): AnsweredHere forgets
	// it when that line was a whole command.
	imapLineTag string

	// Scratch space and interned verbs (fields, upper).
	words  [][]byte
	starts []int
	verbs  map[string]string
}

type streamState struct {
	buf     []byte // bytes of an incomplete line or payload
	payload int    // bytes still to read as payload (literal, BDAT); -1 none
	data    bool   // SMTP DATA body: read until CRLF.CRLF
	secret  bool   // the payload being read is a credential
	skimmed int    // bytes of a skimmed DATA body so far (see Skim)
	// cutHead is the start of a server line too long to hold (MaxLine),
	// kept from its first piece until its last: the status, code or tag
	// the line's facts are read from is at its start, and its last piece
	// no longer has it.
	cutHead []byte
}

// cutProbe is how much of a cut line's start and end its facts are read
// from: a status word, reply code or tag at the start, a literal's
// announcement at the end.
const cutProbe = 128

// NewSplitter returns a splitter for one session of the given protocol.
func NewSplitter(p Proto) *Splitter {
	s := &Splitter{proto: p, imapSyncLiteral: -1, verbs: map[string]string{}}
	s.side[FromClient].payload = -1
	s.side[FromServer].payload = -1
	switch p {
	case SMTP:
		s.smtpPending = []string{"<greeting>"}
	case POP3:
		s.popPending = []string{"<greeting>"}
	}
	return s
}

// Client feeds bytes the client sent; emit is called for every complete piece.
func (s *Splitter) Client(b []byte, emit func(Piece)) { s.feed(FromClient, b, emit) }

// Server feeds bytes the server sent.
func (s *Splitter) Server(b []byte, emit func(Piece)) { s.feed(FromServer, b, emit) }

// Skim makes Client and Server skip the content nobody will look at, for a
// tap with no subscriber: the lines inside a POP3 multi-line response are
// not emitted (the final "." still is, with what it answers), and payloads
// (literals, BDAT chunks) are emitted with Data nil instead of being
// gathered. Protocol state is tracked exactly as without it.
func (s *Splitter) Skim(on bool) {
	s.mu.Lock()
	s.skim = on
	s.mu.Unlock()
}

// Flush emits whatever is left incomplete in the direction's buffer (the
// connection closed mid-line, mid-DATA or mid-literal).
func (s *Splitter) Flush(d Dir, emit func(Piece)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.side[d]
	if len(st.buf) == 0 {
		return
	}
	kind := Line
	if st.data || st.payload >= 0 {
		kind = Payload
	}
	p := Piece{Dir: d, Kind: kind, Data: st.buf}
	if st.secret {
		p.Secret = Range{0, len(st.buf)}
	}
	st.buf = nil
	emit(s.literalFacts(p))
}

// literalFacts gives a payload the verb (and, in IMAP, the tag) of the
// command it belongs to: an IMAP literal's command (a server literal's,
// the command its response answers), or in SMTP "BDAT" for a chunk (a
// DATA body is cut by feedData, which names it).
func (s *Splitter) literalFacts(p Piece) Piece {
	if p.Dir != FromClient {
		if s.proto == IMAP {
			p.Verb, p.Tag = s.imapRunning()
		}
		return p
	}
	switch s.proto {
	case IMAP:
		p.Verb, p.Tag = s.imapCommand, s.imapTag
	case SMTP:
		if p.Kind != Payload {
			break // a line cut short by the connection's end
		}
		p.Verb = "BDAT"
		if s.side[FromClient].data {
			p.Verb = "DATA"
		}
	}
	return p
}

// OwesTaggedReply reports, for IMAP, that a tagged command is still
// waiting for its completion and the server is not idling: the server will
// write more before it reads again.
func (s *Splitter) OwesTaggedReply() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proto == IMAP && len(s.imapTags) > 0 && !s.imapIdle && s.imapSyncLiteral < 0
}

// BodyStartsNext reports, for SMTP, that the server has answered DATA with
// 354 and the client has sent nothing since DATA: its next byte is the first
// of the message body, and everything before it has been answered.
func (s *Splitter) BodyStartsNext() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.side[FromClient]
	return s.proto == SMTP && st.data && len(st.buf) == 0 && st.skimmed == 0 &&
		len(s.smtpPending) == 1 && s.smtpPending[0] == "<body>"
}

// OpenLine returns how many bytes of a line the direction has begun and
// not yet ended: 0 between lines, and inside a payload or a DATA body,
// whose bytes are not lines. continues tells, for the client, that the
// line will not start a command (see Piece.Continues).
func (s *Splitter) OpenLine(d Dir) (n int, continues bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.side[d]
	if st.payload >= 0 || st.data {
		return 0, false
	}
	switch s.proto {
	case SMTP:
		continues = s.smtpInAuth || s.smtpAuthDue > 0
	case IMAP:
		continues = s.imapCommand != "" || s.imapInAuth || s.imapIdle
	case POP3:
		continues = s.popInAuth
	}
	return len(st.buf), continues
}

// Reset discards the direction's incomplete bytes and payload state (and,
// for a POP3 server, a multi-line answer in progress). The relay calls it
// when TLS starts: bytes read before the handshake belong to the plaintext
// channel and must not leak into the encrypted one.
func (s *Splitter) Reset(d Dir) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.side[d] = streamState{payload: -1}
	if s.proto == POP3 && d == FromServer && s.popMultiline {
		// A multi-line answer cut short (a log that leaves the message
		// out) has ended: the next line answers the next command.
		s.popMultiline = false
		s.popPending = popFront(s.popPending)
	}
}

func (s *Splitter) feed(d Dir, b []byte, emit func(Piece)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.side[d]
	total := len(b)
	inner := emit
	emit = func(p Piece) {
		p.End = total - len(b)
		inner(p)
	}
	defer func() { s.imapPause = false }() // a pause holds for one call only
	for len(b) > 0 {
		if s.imapPause {
			// The caller asked to stop after the last piece (Pause): the
			// rest of b is its to feed again later.
			s.imapPause = false
			return
		}
		if d == FromClient && s.imapSyncLiteral >= 0 && st.payload < 0 && len(st.buf) == 0 {
			// Client bytes after a synchronising literal's announcement,
			// before the server's "+": the client did not wait (RFC 9051
			// §4.3 says it must; servers read the bytes as the literal all
			// the same), so they are the literal, not a line.
			s.startSyncLiteral()
		}
		switch {
		case st.payload >= 0 && d == FromClient && s.imapRefused:
			// A literal of a refused command: its bytes go out as they
			// come, marked Dropped, so the relay can keep every one of
			// them from the server.
			n := min(st.payload, len(b))
			piece := s.literalFacts(Piece{Dir: d, Kind: Payload, Data: b[:n:n], Dropped: true})
			b = b[n:]
			st.payload -= n
			if st.secret {
				piece.Secret = Range{0, n}
			}
			if st.payload == 0 {
				st.payload = -1
				st.secret = false
			}
			emit(piece)
		case st.payload >= 0 && s.skim && len(st.buf) == 0:
			n := min(st.payload, len(b))
			b = b[n:]
			st.payload -= n
			if st.payload == 0 {
				emit(s.literalFacts(Piece{Dir: d, Kind: Payload}))
				st.payload = -1
				st.secret = false
			}
		case st.payload >= 0:
			n := min(st.payload, len(b))
			st.buf = append(st.buf, b[:n]...)
			b = b[n:]
			st.payload -= n
			if st.payload == 0 || len(st.buf) >= MaxPayload {
				s.emitPayload(d, st, emit)
				if st.payload == 0 {
					st.payload = -1
					st.secret = false
				}
			}
		case st.data:
			var out []Piece
			b, out = s.feedData(d, st, b)
			for _, p := range out {
				emit(p)
			}
		default:
			if s.skim && d == FromServer && s.popMultiline && len(st.buf) == 0 {
				// At the start of a line inside a POP3 multi-line response:
				// go straight to the line that ends it.
				if j := popTerminator(b); j >= 0 {
					b = b[j:]
				} else if k := bytes.LastIndexByte(b, '\n'); k >= 0 {
					b = b[k+1:]
					continue
				}
			}
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				st.buf = append(st.buf, b...)
				b = nil
				if len(st.buf) >= MaxLine {
					s.emitLine(d, st.buf[:MaxLine:MaxLine], true, emit)
					st.buf = append([]byte(nil), st.buf[MaxLine:]...)
				}
				continue
			}
			var line []byte
			if len(st.buf) == 0 {
				line = b[: i+1 : i+1] // the whole line is in this slice: no copy
			} else {
				line = append(st.buf, b[:i+1]...)
				st.buf = nil
			}
			b = b[i+1:]
			for len(line) > MaxLine {
				s.emitLine(d, line[:MaxLine:MaxLine], true, emit)
				line = line[MaxLine:]
			}
			s.emitLine(d, line, false, emit)
		}
	}
}

// popTerminator returns where the line holding only "." (the end of a
// POP3 multi-line response) starts in b, which starts at a line start, or
// -1 when b holds no such complete line.
func popTerminator(b []byte) int {
	for at := 0; at < len(b); {
		rest := b[at:]
		if bytes.HasPrefix(rest, []byte(".\r\n")) || bytes.HasPrefix(rest, []byte(".\n")) {
			return at
		}
		j := linedot.Index(rest) // the next line that starts with a dot
		if j < 0 {
			return -1
		}
		at += j + 1
	}
	return -1
}

func (s *Splitter) emitPayload(d Dir, st *streamState, emit func(Piece)) {
	p := Piece{Dir: d, Kind: Payload, Data: st.buf}
	if st.secret {
		p.Secret = Range{0, len(st.buf)}
	}
	st.buf = nil
	emit(s.literalFacts(p))
}

// feedData reads an SMTP DATA body up to and including the CRLF.CRLF that
// ends it (RFC 5321 §4.1.1.4). The body starts right after the 354 reply, so
// an empty body is just ".\r\n". It returns the unread bytes and the pieces
// completed.
func (s *Splitter) feedData(d Dir, st *streamState, b []byte) (rest []byte, out []Piece) {
	if s.skim {
		return s.skimData(d, st, b)
	}
	for len(b) > 0 {
		// Take the bytes up to the next line end (or all of them): only a
		// line end can complete the terminator.
		var line []byte
		line, b = CutLine(b)
		st.buf = append(st.buf, line...)
		if line[len(line)-1] == '\n' && endsBody(st.buf, len(st.buf)) {
			st.data = false
			out = append(out, Piece{Dir: d, Kind: Payload, Data: st.buf, Verb: "DATA"})
			st.buf = nil
			return b, out
		}
		if n := len(st.buf); n >= MaxPayload {
			// Keep the last bytes so the terminator is still found across pieces.
			keep := append([]byte(nil), st.buf[n-4:]...)
			out = append(out, Piece{Dir: d, Kind: Payload, Data: st.buf[:n-4], Verb: "DATA"})
			st.buf = keep
		}
	}
	return nil, out
}

// skimData is feedData for a tap nobody listens to: it finds the end of the
// body without gathering it, keeping only the last five bytes (enough for
// the CRLF.CRLF to be found across reads) and counting the rest.
func (s *Splitter) skimData(d Dir, st *streamState, b []byte) (rest []byte, out []Piece) {
	for len(b) > 0 {
		var part []byte
		part, b = CutLine(b)
		st.skimmed += len(part)
		st.buf = append(st.buf, part[max(0, len(part)-5):]...)
		if n := len(st.buf); n > 5 {
			st.buf = append(st.buf[:0], st.buf[n-5:]...)
		}
		if part[len(part)-1] == '\n' && endsBody(st.buf, st.skimmed) {
			st.data = false
			st.buf, st.skimmed = nil, 0
			out = append(out, Piece{Dir: d, Kind: Payload, Verb: "DATA"})
			return b, out
		}
	}
	return nil, out
}

func (s *Splitter) emitLine(d Dir, line []byte, partial bool, emit func(Piece)) {
	p := Piece{Dir: d, Kind: Line, Data: line}
	if partial && d == FromClient && (s.smtpInAuth || s.imapInAuth || s.popInAuth) {
		// 64 KiB of a SASL response: all of it is the secret.
		p.Secret = Range{0, len(line)}
	}
	if partial && d == FromServer && (s.proto == SMTP || s.popMultiline) {
		// 64 KiB of an SMTP reply line, or of a line inside a POP3
		// multi-line response: the reply goes on after it.
		p.Verb, p.Continues = s.replyVerb(), true
	}
	st := &s.side[d]
	switch {
	case partial && d == FromServer:
		if st.cutHead == nil {
			st.cutHead = append([]byte(nil), line[:min(len(line), cutProbe)]...)
			if s.proto == IMAP {
				// A tagged reply's first piece names its command; the
				// reply completes it at the line's last piece.
				p.Verb, p.Tag = s.imapTagOf(line)
			}
		}
	case st.cutHead != nil:
		// The last piece of a cut server line: its facts are those of
		// the whole line, read from its start and its end.
		probe := Piece{Dir: d, Kind: Line, Data: append(append(st.cutHead, ' '), line[max(0, len(line)-cutProbe):]...)}
		st.cutHead = nil
		s.lineFacts(d, &probe)
		p = probe // every fact the model found, on the piece's own bytes
		p.Data = line
	case !partial:
		s.lineFacts(d, &p)
	}
	emit(p)
}

// lineFacts works out a whole line's facts by the protocol's model.
func (s *Splitter) lineFacts(d Dir, p *Piece) {
	switch s.proto {
	case SMTP:
		s.smtpLine(d, p)
	case POP3:
		s.popLine(d, p)
	case IMAP:
		s.imapLine(d, p)
	}
}

// CutLine splits off the first line of b, with its line end; when b holds
// no line end, line is all of b and rest is empty.
func CutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], b[i+1:]
	}
	return b, nil
}

// endsBody reports whether a DATA body of total bytes so far, of which
// tail are the last, is complete: it ends in CRLF.CRLF, or is only the dot.
func endsBody(tail []byte, total int) bool {
	n := len(tail)
	return (total == 3 && string(tail) == ".\r\n") || (n >= 5 && string(tail[n-5:]) == "\r\n.\r\n")
}

// TrimEOL returns a line without its CRLF or bare LF.
func TrimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// fields splits on spaces, returning the words and their start offsets.
func (s *Splitter) fields(b []byte) (words [][]byte, starts []int) {
	// The slices are the splitter's own, reused line after line: callers
	// copy what they keep.
	words, starts = s.words[:0], s.starts[:0]
	defer func() { s.words, s.starts = words, starts }()
	i := 0
	for i < len(b) {
		for i < len(b) && b[i] == ' ' {
			i++
		}
		if i >= len(b) {
			break
		}
		j := i
		for j < len(b) && b[j] != ' ' {
			j++
		}
		words = append(words, b[i:j])
		starts = append(starts, i)
		i = j
	}
	return words, starts
}

// upper returns a command verb upper-cased. Verbs repeat on every line, so
// each distinct one is allocated once per session (only verbs: tags and
// arguments would fill the table with words that never come back).
func (s *Splitter) upper(b []byte) string {
	var buf [24]byte
	if len(b) > len(buf) {
		return string(bytes.ToUpper(b))
	}
	n := copy(buf[:], b)
	for i := range n {
		if 'a' <= buf[i] && buf[i] <= 'z' {
			buf[i] -= 'a' - 'A'
		}
	}
	if v, ok := s.verbs[string(buf[:n])]; ok {
		return v
	}
	v := string(buf[:n])
	if len(s.verbs) < 64 { // bounded: a client inventing verbs cannot grow it
		s.verbs[v] = v
	}
	return v
}

func imapHeadOK(line []byte) bool {
	_, ok := IMAPCommandHead(line)
	return ok
}

// Pause makes the Client call in progress return right after the piece
// being emitted, leaving the rest of its bytes unread: the relay holds
// them until the server has answered the line just cut. Call it from the
// emit function of Client (the splitter's lock is held there).
func (s *Splitter) Pause() { s.imapPause = true }

// AnsweredHere tells the splitter that the client line it has just cut was
// answered by the simulator itself and never reaches the server, so no
// server reply is due for it: SMTP replies are matched to commands in
// order, and an IMAP command refused at its literal is over. Call it from
// the emit function of Client, for the piece just emitted (the splitter's
// lock is held there, so this does not take it).
func (s *Splitter) AnsweredHere() {
	switch s.proto {
	case SMTP:
		if len(s.smtpPending) > 0 {
			s.smtpPending = s.smtpPending[:len(s.smtpPending)-1]
		}
	case POP3:
		if len(s.popPending) > 0 {
			s.popPending = s.popPending[:len(s.popPending)-1]
		}
	case IMAP:
		if s.imapCommand != "" {
			s.imapAnswered(s.imapTag)
		} else if s.imapLineTag != "" {
			// A whole command line: its tag awaits no reply any more.
			s.imapAnswered(s.imapLineTag)
		}
		if s.side[FromClient].payload >= 0 {
			// A non-synchronising literal follows the refused line: its
			// bytes, and the rest of the command, must not run.
			s.imapRefused = true
			if s.imapCommand == "" {
				s.imapCommand = RefusedCommand // a line that started no command
			}
			return
		}
		s.imapCommand, s.imapTag, s.imapSyncLiteral, s.imapInAuth = "", "", -1, false
	}
}

// AnswerHere is AnsweredHere for a reply the simulator gives itself (a
// refusal, HELP): it also cuts reply into the server lines the client
// will read and emits them with the facts the server's own reply would
// carry: the command on every line, in SMTP and POP3 Continues on an
// SMTP "NNN-" line and Answers and OK on the last, in IMAP the tag, and
// Answers on the line tagged with it (RefusedCommand for a line that
// started no command). Call it from the emit function of Client, for the
// piece just emitted, like AnsweredHere.
func (s *Splitter) AnswerHere(reply []byte, emit func(Piece)) {
	verb, tag := "", ""
	switch s.proto {
	case IMAP:
		verb, tag = s.imapLineCommand()
	case SMTP:
		if n := len(s.smtpPending); n > 0 {
			verb = s.smtpPending[n-1]
		}
	case POP3:
		if n := len(s.popPending); n > 0 {
			verb, _, _ = strings.Cut(s.popPending[n-1], " ")
		}
	}
	s.AnsweredHere()
	for len(reply) > 0 {
		var line []byte
		line, reply = CutLine(reply)
		p := Piece{Dir: FromServer, Kind: Line, Data: line, Verb: verb, Tag: tag}
		text := TrimEOL(line)
		switch {
		case verb == "":
		case s.proto == IMAP:
			if tag != "" && bytes.HasPrefix(text, []byte(tag+" ")) {
				p.Answers, p.Verb = verb, ""
			}
		case s.proto == SMTP && len(text) > 3 && text[3] == '-':
			p.Continues = true
		case len(reply) == 0:
			p.Answers = verb
			p.OK = len(text) > 0 && (text[0] == '2' || text[0] == '3' || bytes.HasPrefix(text, []byte("+OK")))
		}
		emit(p)
	}
}

// imapLineCommand is the command of the client line just cut, as
// AnswerHere names it: the one being sent, or the whole command the line
// was, awaiting its reply.
func (s *Splitter) imapLineCommand() (verb, tag string) {
	if s.imapCommand != "" {
		return s.imapCommand, s.imapTag
	}
	for _, c := range s.imapTags {
		if c.tag == s.imapLineTag {
			return c.verb, c.tag
		}
	}
	return "", ""
}

// Outstanding reports how many IMAP commands the client has sent that
// await their tagged reply (the relay's extension commands wait until the
// library has answered every earlier one).
func (s *Splitter) Outstanding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.imapTags)
}

// Answered tells the splitter that the simulator itself has answered the
// IMAP command with tag (an extension command the library never saw), so
// no tagged reply from the server is due for it. Call it outside the emit
// function.
func (s *Splitter) Answered(tag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.imapAnswered(tag)
}

// imapAnswered forgets one command awaiting a tagged reply with tag, and
// returns its verb.
func (s *Splitter) imapAnswered(tag string) (verb string, ok bool) {
	for i, c := range s.imapTags {
		if c.tag == tag {
			s.imapTags = append(s.imapTags[:i], s.imapTags[i+1:]...)
			return c.verb, true
		}
	}
	return "", false
}

// imapOut is an IMAP command awaiting its tagged reply.
type imapOut struct{ tag, verb string }

// imapAwaits tells whether a command with tag awaits its tagged reply.
func (s *Splitter) imapAwaits(tag string) bool {
	for _, c := range s.imapTags {
		if c.tag == tag {
			return true
		}
	}
	return false
}

// imapRunning is the command the server is answering: the oldest one
// awaiting its tagged reply (RFC 9051 §5.5: the server runs pipelined
// commands in order), to which its untagged responses belong.
func (s *Splitter) imapRunning() (verb, tag string) {
	if len(s.imapTags) == 0 {
		return "", ""
	}
	return s.imapTags[0].verb, s.imapTags[0].tag
}

// imapClientAnswered updates what the client is sending when the server
// has completed the command with tag: a command still being sent is over.
// A client waiting for "+" (a synchronising literal, an AUTHENTICATE
// challenge) or idling stops there; one that is sending a
// non-synchronising literal or the rest of a line sends it all the same,
// and those bytes are Dropped.
func (s *Splitter) imapClientAnswered(tag string, alsoOutstanding bool) {
	if tag != s.imapTag || alsoOutstanding {
		return // another command's reply (or an older one with the same tag)
	}
	switch {
	case s.imapSyncLiteral >= 0 || s.imapInAuth || s.imapIdle || s.imapCommand == "":
		s.imapCommand, s.imapSyncLiteral, s.imapInAuth, s.imapIdle, s.imapRefused = "", -1, false, false, false
	default:
		s.imapRefused = true
	}
}

// startSyncLiteral makes the client's next bytes the synchronising literal
// announced last, whether the server's "+" came first or not.
func (s *Splitter) startSyncLiteral() {
	st := &s.side[FromClient]
	st.payload = s.imapSyncLiteral
	st.secret = s.imapCommand == "LOGIN" && s.imapArgs == 2
	s.imapSyncLiteral = -1
}

func (s *Splitter) smtpLine(d Dir, p *Piece) {
	text := TrimEOL(p.Data)
	if d == FromClient {
		if s.smtpInAuth || s.smtpAuthDue > 0 && earlySASLResponse(text) {
			p.Secret = Range{0, len(text)}
			p.Continues = true
			p.Verb = "AUTH"
			s.smtpInAuth = false // the server answers before another response is due
			s.smtpAuthDue = max(0, s.smtpAuthDue-1)
			return
		}
		words, starts := s.fields(text)
		if len(words) == 0 {
			s.smtpPending = append(s.smtpPending, EmptyCommand) // one reply answers it all the same
			return
		}
		verb := s.upper(words[0])
		p.Verb = verb
		s.smtpPending = append(s.smtpPending, verb)
		switch verb {
		case "AUTH":
			if len(words) >= 3 {
				p.Secret = Range{starts[2], len(text)}
			}
			if len(words) >= 2 {
				s.smtpAuthDue = saslResponsesDue(s.upper(words[1]), len(words) >= 3)
			}
		case "BDAT":
			if len(words) >= 2 {
				if n, err := strconv.Atoi(string(words[1])); err == nil && n >= 0 {
					if n > 0 {
						s.side[FromClient].payload = n
					}
				}
			}
		}
		return
	}
	if len(text) < 3 {
		return // no reply code: noise
	}
	p.Verb = s.replyVerb() // every line of a reply belongs to the oldest command
	// A reply line "NNN-text" continues, "NNN text" (or just "NNN") ends the reply.
	if len(text) > 3 && text[3] == '-' {
		p.Continues = true
		return
	}
	code := string(text[:3])
	if len(s.smtpPending) == 0 {
		return
	}
	verb := s.smtpPending[0]
	if code == "334" {
		// An AUTH challenge: the command stays pending and the client's next line is a secret.
		s.smtpInAuth = true
		return
	}
	s.smtpInAuth = false
	if verb == "AUTH" {
		s.smtpAuthDue = 0 // the exchange is over
	}
	p.Answers = verb
	p.OK = code[0] == '2' || code[0] == '3'
	if verb == "DATA" && code == "354" {
		s.side[FromClient].data = true
		// The final reply to the message is still to come; it answers the body.
		s.smtpPending[0] = "<body>"
		return
	}
	s.smtpPending = popFront(s.smtpPending)
}

// replyVerb is the SMTP or POP3 command the server's next reply line
// belongs to: the oldest one awaiting its reply ("" none).
func (s *Splitter) replyVerb() string {
	q := s.smtpPending
	if s.proto == POP3 {
		q = s.popPending
	}
	if len(q) == 0 {
		return ""
	}
	verb, _, _ := strings.Cut(q[0], " ")
	return verb
}

// EmptyCommand is what an empty SMTP or POP3 command line is called in the
// Answers of its reply: not a command, but the server answers it.
const EmptyCommand = "<empty>"

// popFront removes the first of a queue of commands awaiting their replies.
// Popping the last one keeps the slice where it starts, so a client that
// waits for each reply reuses the same array line after line.
func popFront(q []string) []string {
	if len(q) == 1 {
		return q[:0]
	}
	return q[1:]
}

func (s *Splitter) popLine(d Dir, p *Piece) {
	text := TrimEOL(p.Data)
	if d == FromClient {
		if s.popInAuth {
			p.Secret = Range{0, len(text)}
			p.Continues, p.Verb = true, "AUTH"
			return
		}
		words, starts := s.fields(text)
		if len(words) == 0 {
			s.popPending = append(s.popPending, EmptyCommand)
			return
		}
		verb := s.upper(words[0])
		p.Verb = verb
		pending := verb
		if len(words) > 1 && (verb == "LIST" || verb == "UIDL") {
			pending += " n" // with an argument the answer is one line
		}
		s.popPending = append(s.popPending, pending)
		switch verb {
		case "PASS":
			if len(words) >= 2 {
				p.Secret = Range{starts[1], len(text)}
			}
		case "APOP":
			if len(words) >= 3 {
				p.Secret = Range{starts[2], len(text)}
			}
		case "AUTH":
			if len(words) >= 2 {
				s.popInAuth = true
			}
			if len(words) >= 3 {
				p.Secret = Range{starts[2], len(text)}
			}
		}
		return
	}
	p.Verb = s.replyVerb() // every line of a response belongs to the oldest command
	if s.popMultiline {
		if string(text) == "." {
			s.popMultiline = false
			s.finishPOP(p, true)
		} else {
			p.Continues = true
		}
		return
	}
	ok := bytes.HasPrefix(text, []byte("+OK"))
	if !ok && !bytes.HasPrefix(text, []byte("-ERR")) {
		if !bytes.HasPrefix(text, []byte("+")) {
			p.Verb = "" // noise, part of no response
		}
		return // a "+ " SASL challenge, or noise
	}
	if len(s.popPending) == 0 || s.popPending[0] == "AUTH" {
		// The answer to AUTH ends its exchange; an earlier command's
		// answer (a CAPA the AUTH was pipelined behind) does not.
		s.popInAuth = false
	}
	if ok && len(s.popPending) > 0 {
		switch s.popPending[0] {
		case "CAPA", "LIST", "UIDL", "RETR", "TOP":
			s.popMultiline = true
			p.Continues = true
			return
		}
	}
	s.finishPOP(p, ok)
}

func (s *Splitter) finishPOP(p *Piece, ok bool) {
	if len(s.popPending) == 0 {
		return
	}
	verb, _, _ := strings.Cut(s.popPending[0], " ")
	s.popPending = popFront(s.popPending)
	p.Answers = verb
	p.OK = ok
}

// LiteralSize reports a trailing IMAP literal marker: "{N}" (synchronising:
// the client waits for the server's "+"), or "{N+}" / "{N-}" (RFC 7888
// non-synchronising). It takes a line without its line ending.
func LiteralSize[T string | []byte](text T) (n int, sync bool, ok bool) {
	if len(text) < 3 || text[len(text)-1] != '}' {
		return 0, false, false
	}
	open := -1
	for i := len(text) - 2; i >= 0; i-- {
		if text[i] == '{' {
			open = i
			break
		}
	}
	if open < 0 {
		return 0, false, false
	}
	inner := text[open+1 : len(text)-1]
	sync = true
	if len(inner) > 0 && (inner[len(inner)-1] == '+' || inner[len(inner)-1] == '-') {
		inner = inner[:len(inner)-1]
		sync = false
	}
	if len(inner) == 0 || len(inner) > 12 {
		return 0, false, false
	}
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c < '0' || c > '9' {
			return 0, false, false
		}
		n = n*10 + int(c-'0')
	}
	return n, sync, true
}

func (s *Splitter) imapLine(d Dir, p *Piece) {
	text := TrimEOL(p.Data)
	if d == FromServer {
		s.imapServerLine(text, p)
		return
	}
	if s.imapInAuth {
		p.Secret = Range{0, len(text)}
		p.Continues = true
		p.Verb, p.Tag = "AUTHENTICATE", s.imapTag
		return
	}
	if s.imapIdle {
		p.Continues = true
		p.Verb, p.Tag = "IDLE", s.imapTag // the DONE that ends it
		if bytes.EqualFold(text, []byte("DONE")) {
			// The client has ended IDLE: its next line is a command, even
			// in the same write, before the server's tagged OK.
			s.imapIdle = false
		}
		return
	}
	continuing := s.imapCommand != ""
	p.Continues = continuing
	s.imapLineTag = ""
	if continuing {
		s.imapLineTag = s.imapTag
	}
	if continuing {
		p.Verb, p.Tag = s.imapCommand, s.imapTag // the command this line continues
		p.Dropped = s.imapRefused
	}
	words, starts := s.fields(text)
	if !continuing {
		s.imapRefused = false
		s.maskMalformedLogin(text, words, starts, p)
	}
	// A line go-imap cannot even read the head of is refused by the
	// simulator, not run: it starts no command (IMAPCommandHead).
	headOK := !continuing && len(words) >= 2 && imapHeadOK(p.Data)
	if !continuing && !headOK {
		s.imapMalformed(p)
	}
	if headOK {
		words, starts = s.imapStart(text, words, starts, p)
	}
	if s.imapCommand == "LOGIN" {
		// Count arguments (a literal marker counts as the argument it introduces);
		// the second one is the password.
		for i, w := range words {
			s.imapArgs++
			if s.imapArgs == 2 && w[0] != '{' {
				p.Secret = Range{starts[i], len(text)}
			}
		}
	}
	s.imapClientLiteral(text, p)
}

// imapStart works out the facts of a client line that starts a command
// (its head is well formed), and returns the words still to read for
// LOGIN's arguments (none for other commands).
func (s *Splitter) imapStart(text []byte, words [][]byte, starts []int, p *Piece) ([][]byte, []int) {
	cmd := s.upper(words[1])
	if cmd == "UID" && len(words) >= 3 {
		cmd = "UID " + s.upper(words[2])
	}
	s.imapCommand, s.imapTag = cmd, string(words[0])
	p.QuoteOpen = IMAPQuoteOpen(p.Data)
	p.Verb, p.Tag = cmd, s.imapTag
	s.imapLineTag = s.imapTag
	s.imapArgs = 0
	if len(s.imapTags) < 1000 { // bounded: a hostile client cannot grow it forever
		s.imapTags = append(s.imapTags, imapOut{s.imapTag, cmd})
	}
	switch cmd {
	case "IDLE":
		s.imapIdle = true
	case "LOGIN":
		return words[2:], starts[2:]
	case "AUTHENTICATE":
		s.imapInAuth = true
		if len(words) >= 4 {
			p.Secret = Range{starts[3], len(text)}
		}
	}
	return nil, nil
}

// imapClientLiteral works out the literal a client line announces at its
// end, if any, and whether the command goes on after it.
func (s *Splitter) imapClientLiteral(text []byte, p *Piece) {
	n, sync, ok := LiteralSize(text)
	if !ok {
		// The command line is complete.
		if s.imapCommand != "AUTHENTICATE" {
			s.imapCommand = ""
			s.imapRefused = false
		}
		return
	}
	p.LiteralSize = n
	p.Literal = NonSyncLiteral
	if sync {
		p.Literal = SyncLiteral
	}
	if sync && s.imapRefused {
		// The command was refused: the client will get no "+" and will
		// not send this literal. Its next line is a new command.
		s.imapCommand, s.imapRefused = "", false
		return
	}
	if !sync {
		s.side[FromClient].payload = n
		s.side[FromClient].secret = s.imapCommand == "LOGIN" && s.imapArgs == 2
		if n == 0 {
			s.side[FromClient].payload = -1
		}
		return
	}
	s.imapSyncLiteral = n
}

// imapMalformed gives a client line that cannot start a command its head
// problem. When the refusal names the line's tag (IMAPHeadSpaces, a tag
// without a command), the line awaits that tagged BAD as a RefusedCommand.
func (s *Splitter) imapMalformed(p *Piece) {
	tag, problem := IMAPHeadOf(p.Data)
	p.Head = problem
	switch problem {
	case IMAPHeadSpaces, IMAPHeadUIDAlone, IMAPHeadNoCommand:
	default:
		return // refused untagged (* BAD)
	}
	p.Tag, s.imapTag, s.imapLineTag = tag, tag, tag
	if len(s.imapTags) < 1000 {
		s.imapTags = append(s.imapTags, imapOut{tag, RefusedCommand})
	}
}

// imapServerLine works out the facts of a server line. A tagged reply
// completes the command with its tag, and only that one: pipelined
// commands behind it go on (RFC 9051 §5.5), an IDLE sent behind a STATUS
// among them. A "+" asks the command being sent for more. Every other line
// (untagged data, the rest of a response after a literal) belongs to the
// oldest command awaiting its reply, and the greeting to none.
func (s *Splitter) imapServerLine(text []byte, p *Piece) {
	greeting := !s.imapGreeted && imapGreeting(text, len(s.imapTags) > 0)
	s.imapGreeted = true
	switch {
	case bytes.HasPrefix(text, []byte("+")):
		p.Verb, p.Tag = s.imapWaiting()
		if s.imapSyncLiteral >= 0 {
			p.Literal, p.LiteralSize = SyncLiteral, s.imapSyncLiteral
			s.startSyncLiteral()
		}
		return
	case greeting:
	case !bytes.HasPrefix(text, []byte("*")) && s.imapTagged(text, p):
	default:
		p.Verb, p.Tag = s.imapRunning()
	}
	if bytes.HasPrefix(text, []byte("* BYE")) {
		// The server hangs up: nothing the client is sending will run.
		s.imapSyncLiteral, s.imapInAuth, s.imapIdle = -1, false, false
	}
	if n, sync, ok := LiteralSize(text); ok {
		// The response goes on after the literal's bytes.
		p.Literal, p.LiteralSize, p.Continues = NonSyncLiteral, n, true
		if sync {
			p.Literal = SyncLiteral
		}
		if n > 0 {
			s.side[FromServer].payload = n
		}
	}
}

// imapTagged gives a tagged reply its facts, when a command with its tag
// awaits one, and completes that command.
func (s *Splitter) imapTagged(text []byte, p *Piece) bool {
	words, _ := s.fields(text)
	if len(words) < 2 {
		return false
	}
	verb, tag := s.imapTagOf(text)
	if tag == "" {
		return false
	}
	s.imapAnswered(tag)
	p.Answers, p.Tag = verb, tag
	p.OK = bytes.EqualFold(words[1], []byte("OK"))
	s.imapClientAnswered(tag, s.imapAwaits(tag))
	return true
}

// imapTagOf is the outstanding command whose tag starts a server line,
// if any, without completing it.
func (s *Splitter) imapTagOf(line []byte) (verb, tag string) {
	word, _, _ := bytes.Cut(line, []byte(" "))
	for _, c := range s.imapTags {
		if c.tag == string(word) {
			return c.verb, c.tag
		}
	}
	return "", ""
}

// imapWaiting is the command a "+" continuation request asks for more:
// the one whose line the client is sending (a literal's, AUTHENTICATE's),
// an IDLE, or else the last one sent.
func (s *Splitter) imapWaiting() (verb, tag string) {
	switch {
	case s.imapCommand != "" && s.imapCommand != RefusedCommand:
		return s.imapCommand, s.imapTag
	case s.imapIdle:
		return "IDLE", s.imapTag
	case len(s.imapTags) > 0:
		c := s.imapTags[len(s.imapTags)-1]
		return c.verb, c.tag
	}
	return "", ""
}

// imapGreeting reports whether the server's first line is its greeting
// (RFC 9051 §7.1): an untagged OK, PREAUTH or BYE. A log that begins after
// the greeting may start with a command and an OK answering it: with
// commands outstanding, only an OK without a response code or with the
// greeting's own (CAPABILITY, ALERT), or PREAUTH, is taken for one.
func imapGreeting(text []byte, outstanding bool) bool {
	word, rest, _ := bytes.Cut(text, []byte(" "))
	if string(word) != "*" {
		return false
	}
	word, rest, _ = bytes.Cut(rest, []byte(" "))
	switch strings.ToUpper(string(word)) {
	case "PREAUTH":
		return true
	case "BYE":
		return !outstanding
	case "OK":
		code := string(bytes.ToUpper(rest))
		return !outstanding || !strings.HasPrefix(code, "[") ||
			strings.HasPrefix(code, "[CAPABILITY") || strings.HasPrefix(code, "[ALERT")
	}
	return false
}

// maskMalformedLogin marks the password of a LOGIN line that cannot start
// a command ("LOGIN bob pw" without a tag, "q  LOGIN bob pw" with two
// spaces): the server refuses it, but the password crossed the wire all
// the same, and must be masked wherever the line is shown or quoted.
func (s *Splitter) maskMalformedLogin(text []byte, words [][]byte, starts []int, p *Piece) {
	switch {
	case len(words) >= 3 && bytes.EqualFold(words[0], []byte("LOGIN")):
		p.Secret = Range{starts[2], len(text)}
	case len(words) >= 4 && bytes.EqualFold(words[1], []byte("LOGIN")) && !imapHeadOK(p.Data):
		p.Secret = Range{starts[3], len(text)}
	}
}

// earlySASLResponse tells whether a client line sent while an AUTH
// exchange may still want responses, but before the server's 334 asked for
// one, is such a response: one word (base64 has no spaces) that is not an
// SMTP command. A client that saw the AUTH refused at once (530, 504) sends
// its next command, and a reader who has not yet seen that refusal (a log
// read out of order, a tap behind the client) must not take the command
// for a password.
func earlySASLResponse(text []byte) bool {
	if bytes.IndexByte(text, ' ') >= 0 {
		return false
	}
	switch string(bytes.ToUpper(text)) {
	case "EHLO", "HELO", "DATA", "RSET", "NOOP", "QUIT", "STARTTLS", "HELP", "AUTH", "MAIL", "RCPT", "VRFY", "EXPN", "BDAT":
		return false
	}
	return true
}

// saslResponsesDue is how many responses a client sends after an AUTH
// command with mech, before the exchange can end: PLAIN's one (RFC 4616),
// LOGIN's user name and password (draft-murchison-sasl-login), one fewer
// when the command carried an initial response (RFC 4954 §4). Other
// mechanisms answer at least one challenge; more are marked as the server's
// challenges come.
func saslResponsesDue(mech string, initial bool) int {
	n := 1
	if mech == "LOGIN" {
		n = 2
	}
	if initial {
		n--
	}
	return n
}
