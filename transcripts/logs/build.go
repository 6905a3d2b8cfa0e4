package logs

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// recKind says what a record holds.
type recKind int

const (
	recData    recKind = iota // bytes one side sent, fed through the session's Splitter
	recRaw                    // a line shown as is, not fed to the Splitter (Thunderbird's "Logging suppressed")
	recOpen                   // the log shows the connection opening; note says to whom
	recClose                  // the log shows the connection ending
	recTLS                    // the log shows a completed TLS handshake; note names the cipher
	recSkip                   // the log leaves out a payload (DATA body, literal) announced just before
	recOmitted                // the log leaves out a POP3 message (RETR, TOP): shown as an empty payload
)

// record is one thing a format parser understood in the log.
type record struct {
	key  string // the parser's name for the connection ("#0", "0x7f12:imap.example.com")
	kind recKind
	dir  wire.Dir
	data []byte
	// text is the line a recData record holds when data is nil (sendLine):
	// the builder adds the CRLF, gathering a run of lines in one buffer.
	text string
	note string
	line int
	time time.Time
}

// parser collects what a format parser found, in log order.
type parser struct {
	format Format
	forced wire.Proto // the protocol the caller named, "" if none
	// onRecord and onProblem receive what the parser finds, as it finds
	// it: a log is read as a stream, never kept whole.
	onRecord  func(record)
	onProblem func(Problem)
	nkeys     int                   // connection keys seen so far
	protos    map[string]wire.Proto // protocol named by the log itself (Thunderbird, curl URLs), per open connection
	servers   map[string]string     // server address ("host:port") when the log shows it
	// inferTLS makes the builder start TLS after the server's go-ahead to
	// STARTTLS/STLS, for formats that do not log the handshake itself.
	inferTLS bool
	// splitOnEnd makes the builder end a session once its server has
	// answered QUIT or an IMAP LOGOUT, and read the lines after it as
	// another connection's, for formats that put many sessions one after
	// the other under one key (C:/S: transcripts, raw dialogues). Which
	// reply answers QUIT is the session's own model's fact: a pipelining
	// client sends QUIT long before its answer comes.
	splitOnEnd bool
	// now is the timestamp of the line being parsed (zero when the format has none).
	now  time.Time
	last time.Time // latest timestamp seen, to notice reordering
}

func (p *parser) problem(line int, text, reason string) {
	// A clone: text may be a piece of a whole read (Source.Lines).
	p.onProblem(Problem{Line: line, Text: strings.Clone(shorten(text)), Reason: reason})
}

// stamp records the timestamp of a line. A timestamp earlier than one seen
// before means the tool printed lines out of order (threads, buffering): the
// log order is kept, as the annotator pairs replies with commands by order,
// but the reader is told.
func (p *parser) stamp(line int, text string, t time.Time) {
	p.now = t
	if t.IsZero() {
		return
	}
	if !p.last.IsZero() && t.Before(p.last) {
		p.problem(line, text, fmt.Sprintf("timestamp is %s earlier than a line before it; log order kept", p.last.Sub(t)))
		return
	}
	p.last = t
}

// register notes a connection key the first time it appears (again, once
// its session was closed), keeping the order of sessions the order of the
// log.
func (p *parser) register(key string) {
	if p.protos == nil {
		p.protos = map[string]wire.Proto{}
		p.servers = map[string]string{}
	}
	if _, seen := p.protos[key]; !seen {
		p.protos[strings.Clone(key)] = "" // key may be a piece of a whole read
		p.nkeys++
	}
}

// forget drops what the parser knows of a closed connection, so that
// memory follows the open sessions, not the length of the log.
func (p *parser) forget(key string) {
	delete(p.protos, key)
	delete(p.servers, key)
}

func (p *parser) add(r record) {
	p.register(r.key)
	r.time = p.now
	p.onRecord(r)
}

// send records bytes a side sent.
func (p *parser) send(key string, d wire.Dir, data []byte, line int) {
	p.add(record{key: key, kind: recData, dir: d, data: data, line: line})
}

// sendLine records a line a side sent, without its line ending.
func (p *parser) sendLine(key string, d wire.Dir, text string, line int) {
	p.add(record{key: key, kind: recData, dir: d, text: text, line: line})
}

func (p *parser) open(key, note string, line int) {
	p.add(record{key: key, kind: recOpen, dir: wire.Meta, note: note, line: line})
}

func (p *parser) close(key, note string, line int) {
	p.add(record{key: key, kind: recClose, dir: wire.Meta, note: note, line: line})
}

func (p *parser) tls(key, note string, line int) {
	p.add(record{key: key, kind: recTLS, dir: wire.Meta, note: note, line: line})
}

// skip tells the builder that a payload announced just before (a literal, a
// DATA body) is not in the log, so the next lines are not mistaken for it.
func (p *parser) skip(key string, d wire.Dir, line int) {
	p.add(record{key: key, kind: recSkip, dir: d, line: line})
}

// omit tells the builder that a POP3 message the server sent (its RETR or
// TOP answer, up to the final ".") is not in the log: it becomes an empty
// payload the annotator explains, and the lines after it are read afresh.
func (p *parser) omit(key string, d wire.Dir, line int) {
	p.add(record{key: key, kind: recOmitted, dir: d, line: line})
}

// connect opens key's session the first time a log shows it talking
// (for tools that log no "connected" line of their own): its protocol, and
// the server's address when the log named one, which the note then ends
// with. It does nothing for a session already open.
func (p *parser) connect(key string, proto wire.Proto, server, note string, line int) {
	if _, seen := p.protos[key]; seen {
		return
	}
	p.setProto(key, proto)
	if server != "" {
		p.setServer(key, server)
		note += " to " + server
	}
	p.open(key, note, line)
}

// omittedLiterals remembers, per connection, an IMAP literal the log
// announced ("{591}") and left out, as mbsync and fetchmail do.
type omittedLiterals map[string]bool

// serverLine records a server line, first telling the builder that the
// literal the previous one announced is not in the log.
func (lits omittedLiterals) serverLine(p *parser, key, text string, line int) {
	if lits[key] {
		p.skip(key, wire.FromServer, line)
	}
	p.send(key, wire.FromServer, crlf(text), line)
	_, _, lits[key] = wire.LiteralSize(text)
}

// setProto records the protocol the log names for a connection.
func (p *parser) setProto(key string, proto wire.Proto) {
	p.register(key)
	p.protos[key] = proto
}

// setServer records the server address the log names for a connection
// ("mail.example.com:587"); its port tells the listener role.
func (p *parser) setServer(key, addr string) {
	p.register(key)
	p.servers[key] = strings.Clone(addr)
}

// session is the builder's state for one connection.
type session struct {
	id        wire.SessionID
	proto     wire.Proto
	key       string
	split     *wire.Splitter
	role      wire.Role
	opened    bool
	encrypted bool
	// awaitBody is set once the server's 354 answers DATA: the client's body
	// comes next. If the server speaks again first, the log left the body
	// out (curl -v does), and the Splitter must not swallow the next lines.
	awaitBody bool
	startTLS  bool // the server just agreed to STARTTLS/STLS (inferTLS formats)
	spoke     bool // a data record has been fed
	// waiting holds the first records of a session whose protocol the log
	// does not name, until one of its lines shows it (at most
	// maxWaiting records): the annotator must know the protocol first.
	waiting []record
	score   map[wire.Proto]int
	last    record // the record being fed, for the pieces it yields
	emit    func(wire.Piece)
	// run gathers the lines of consecutive data records of one direction
	// (a message body, a fetched literal), fed to the splitter at once:
	// one call per line cost more than the rest of the reading.
	run      []byte
	runRec   record // the run's first record (its direction, time and line)
	tlsAsked bool   // the client's last line asked for STARTTLS/STLS: no run until TLS starts
	// quitSent: the client sent QUIT or LOGOUT (splitOnEnd formats): from
	// then on each line is fed alone, so that the line after the answer
	// is known to start another session. ended: the server answered it.
	quitSent, ended bool
}

// maxRun bounds a run of lines gathered before the splitter sees them.
const maxRun = 64 << 10

// maxWaiting is how many records a session whose protocol the log does
// not name may wait for a line that shows it; then SMTP is assumed.
const maxWaiting = 200

// Handler receives what a log holds, as it is read.
type Handler struct {
	// Session is called when a session starts, before its first event.
	Session func(id wire.SessionID, proto wire.Proto)
	// Event is called for every event, in log order.
	Event func(e wire.Event)
	// Problem is called for every line that could not be understood.
	Problem func(Problem)
	// Transient says Event keeps no Event.Data once it returns (it
	// prints and forgets): the reader then reuses its buffers.
	Transient bool
}

type builder struct {
	p        *parser
	h        Handler
	forced   wire.Proto
	seq      uint64
	sessions map[string]*session // open sessions by the parser's key
	nextID   int                 // the number of the last session started
	last     *session            // the session of the last record: logs come in runs
	// secrets are the credentials the sessions' events have shown so
	// far (the newest maxSecrets), masked in the log lines problems quote.
	secrets []string
	// problems wait for the next pause (see newBuilder).
	problems []Problem
}

// maxSecrets bounds the credentials kept for masking problems: a log of
// many logins must not grow it without end.
const maxSecrets = 64

func newBuilder(p *parser, forced wire.Proto, h Handler) *builder {
	b := &builder{p: p, h: h, forced: forced, sessions: map[string]*session{}}
	p.onRecord = b.record
	p.onProblem = func(pr Problem) {
		// A problem is reported as its line is read, before that line's
		// run has gone through the splitter that finds its credentials:
		// it waits for the next pause (Idle) to be masked and handed on.
		b.problems = append(b.problems, pr)
		if len(b.problems) >= maxPendingProblems {
			b.Idle()
		}
	}
	return b
}

// maxPendingProblems bounds the problems held until the input pauses: a
// long log of lines no reader understands must not fill memory.
const maxPendingProblems = 256

// flushProblems masks and hands on the problems held.
func (b *builder) flushProblems() {
	for _, pr := range b.problems {
		pr.Text = b.maskSecrets(pr.Text)
		b.h.Problem(pr)
	}
	b.problems = b.problems[:0]
}

// maskSecrets masks, in a log line a problem quotes (a line out of
// timestamp order, say), every credential: those each protocol model
// finds in the line itself, read as a client's command (AUTH PLAIN with
// its response, PASS, LOGIN), and those the sessions have shown so far (a
// SASL response on a line of its own). The output masks them everywhere
// else; a quoted line must not give them away.
func (b *builder) maskSecrets(text string) string {
	found := b.secrets[:len(b.secrets):len(b.secrets)]
	// The command may start anywhere in the quoted line (after a
	// timestamp, "send: '", a tag): try it from every word.
	for i := 0; i < len(text); i++ {
		if i > 0 && text[i-1] != ' ' && text[i-1] != '\'' && text[i-1] != '"' {
			continue
		}
		for _, proto := range []wire.Proto{wire.SMTP, wire.POP3, wire.IMAP} {
			wire.NewSplitter(proto).Client([]byte(text[i:]+"\r\n"), func(pc wire.Piece) {
				if !pc.Secret.Empty() && pc.Secret.End <= len(pc.Data) {
					found = append(found, string(pc.Data[pc.Secret.Start:pc.Secret.End]))
				}
			})
		}
	}
	// Longest first, so that a secret inside another is not masked in part.
	sort.Slice(found, func(i, j int) bool { return len(found[i]) > len(found[j]) })
	for _, sec := range found {
		if sec != "" {
			text = strings.ReplaceAll(text, sec, "********")
		}
	}
	return text
}

// record takes one record from the parser.
func (b *builder) record(r record) {
	s := b.last
	if s == nil || s.key != r.key {
		s = b.sessions[r.key]
		b.last = s
	}
	if s != nil && s.ended && r.kind != recClose {
		b.take(s, record{key: s.key, kind: recClose, dir: wire.Meta, line: r.line, time: r.time,
			note: "the session ended (the server answered QUIT or LOGOUT); the log goes on with another"})
		s = nil
	}
	if s == nil {
		b.nextID++
		s = &session{key: strings.Clone(r.key), id: wire.SessionID("s" + strconv.Itoa(b.nextID))}
		b.sessions[s.key] = s
		b.last = s
	}
	if s.proto != "" {
		b.take(s, r)
		return
	}
	s.waiting = append(s.waiting, r)
	if !b.decide(s, r) {
		if r.kind != recClose && len(s.waiting) < maxWaiting {
			return
		}
		b.assume(s, r.line)
	}
	b.start(s)
	waiting := s.waiting
	s.waiting = nil
	for _, w := range waiting {
		b.take(s, w)
	}
}

// take feeds a record, gathering runs of lines: a data record joins the
// run when it goes the same way as the run, at the same time, and the
// session is not waiting for TLS (the lines after a STARTTLS go-ahead
// are read after the handshake).
func (b *builder) take(s *session, r record) {
	if r.kind == recData && !s.tlsAsked {
		if len(s.run) > 0 && (r.dir != s.runRec.dir || !r.time.Equal(s.runRec.time) || len(s.run) >= maxRun) {
			b.flushRun(s)
		}
		if len(s.run) == 0 {
			s.runRec = r
			s.runRec.text = ""
		}
		if r.data != nil {
			s.run = append(s.run, r.data...)
		} else {
			s.run = append(append(s.run, r.text...), '\r', '\n')
		}
		if r.dir == wire.FromClient && asksTLS(r) {
			b.flushRun(s)
			s.tlsAsked = true
		}
		if s.quitSent {
			b.flushRun(s) // the answer to QUIT ends the session: see it line by line
		}
		return
	}
	b.flushRun(s)
	if r.kind == recData && r.data == nil {
		r.data = crlf(r.text)
	}
	if r.kind == recData && r.dir == wire.FromClient {
		s.tlsAsked = asksTLS(r)
	}
	if r.kind == recTLS {
		s.tlsAsked = false
	}
	b.feed(s, r)
}

// asksTLS reports whether a client record is a STARTTLS (SMTP, IMAP with
// its tag) or STLS command.
func asksTLS(r record) bool {
	t := r.text
	if r.data != nil {
		t = string(bytes.TrimRight(r.data, "\r\n"))
	}
	if len(t) > 40 || len(t) < 4 {
		return false // not a (tagged) STARTTLS; most lines stop here
	}
	if i := strings.LastIndexByte(t, ' '); i >= 0 {
		t = t[i+1:] // "a1 STARTTLS"
	}
	return strings.EqualFold(t, "STARTTLS") || strings.EqualFold(t, "STLS")
}

// flushRun feeds the session's gathered lines to its splitter.
func (b *builder) flushRun(s *session) {
	if len(s.run) == 0 {
		return
	}
	r := s.runRec
	r.data = s.run
	b.feed(s, r)
	if b.h.Transient {
		s.run = s.run[:0]
	} else {
		s.run = nil // the events keep the bytes: a fresh buffer for the next run
	}
}

// Idle feeds every gathered run: the input paused, so what was read must
// come out now.
func (b *builder) Idle() {
	b.flushRuns()
	b.flushProblems()
}

// flushRuns feeds every session's gathered run to its splitter.
func (b *builder) flushRuns() {
	for _, s := range b.sessions {
		b.flushRun(s)
	}
}

// decide sets the session's protocol when the caller or the log names it,
// or when the record (with those before it) shows it.
func (b *builder) decide(s *session, r record) bool {
	proto := b.forced
	if proto == "" {
		proto = b.p.protos[r.key]
	}
	if proto == "" && r.kind == recData {
		if s.score == nil {
			s.score = map[wire.Proto]int{}
		}
		if r.data == nil {
			protoScore(r.text, s.score)
		}
		for _, l := range bytes.Split(r.data, []byte("\n")) {
			if t := string(bytes.TrimRight(l, "\r")); t != "" {
				protoScore(t, s.score)
			}
		}
		best := 0
		for _, p := range []wire.Proto{wire.SMTP, wire.POP3, wire.IMAP} {
			if s.score[p] > best {
				proto, best = p, s.score[p]
			}
		}
	}
	s.proto = proto
	return proto != ""
}

// assume gives a session that never showed its protocol SMTP, and says so.
func (b *builder) assume(s *session, line int) {
	s.proto = wire.SMTP
	if len(s.waiting) > 0 {
		line = s.waiting[0].line
	}
	b.h.Problem(Problem{Line: line, Reason: "could not tell which protocol this session speaks; assumed SMTP (name it with --proto)"})
}

func (b *builder) start(s *session) {
	s.split = wire.NewSplitter(s.proto)
	s.score = nil
	s.emit = func(pc wire.Piece) { b.piece(s, pc, s.last) }
	b.h.Session(s.id, s.proto)
}

// finish ends every open session: the end of the log.
func (b *builder) finish() {
	b.flushRuns()
	defer b.flushProblems() // once every session has shown its credentials
	keys := make([]string, 0, len(b.sessions))
	for k := range b.sessions {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return sessionNumber(b.sessions[keys[i]].id) < sessionNumber(b.sessions[keys[j]].id)
	})
	for _, k := range keys {
		s := b.sessions[k]
		if s.proto == "" {
			if len(s.waiting) == 0 {
				continue
			}
			b.assume(s, 0)
			b.start(s)
			waiting := s.waiting
			s.waiting = nil
			for _, w := range waiting {
				b.take(s, w)
			}
			b.flushRun(s)
		}
		b.flush(s, record{})
	}
}

func sessionNumber(id wire.SessionID) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(string(id), "s"))
	return n
}

// flush hands on what the session's splitter still holds (a line without
// its ending, a payload cut short).
func (b *builder) flush(s *session, r record) {
	s.last = r
	s.split.Flush(wire.FromClient, s.emit)
	s.split.Flush(wire.FromServer, s.emit)
}

func (b *builder) feed(s *session, r record) {
	if !s.opened {
		s.opened = true
		note := fmt.Sprintf("session read from the %s log", b.p.format)
		if r.kind == recOpen {
			note = r.note
		}
		b.event(s, wire.Meta, wire.Open, []byte(note), r)
		if r.kind == recOpen {
			return
		}
	}
	switch r.kind {
	case recOpen:
		// A second "connected" line for the same connection adds nothing.
	case recClose:
		b.flush(s, r)
		b.event(s, wire.Meta, wire.Close, []byte(r.note), r)
		delete(b.sessions, s.key)
		b.p.forget(s.key)
		if b.last == s {
			b.last = nil
		}
	case recTLS:
		b.tls(s, r)
	case recSkip:
		s.split.Reset(r.dir)
		if r.dir == wire.FromClient {
			s.awaitBody = false
		}
	case recOmitted:
		s.split.Reset(r.dir)
		b.event(s, r.dir, wire.Payload, nil, r)
	case recRaw:
		b.event(s, r.dir, wire.Line, r.data, r)
	case recData:
		if !s.spoke {
			s.spoke = true
			b.missingGreeting(s, r)
		}
		if r.dir == wire.FromServer && s.awaitBody {
			s.split.Reset(wire.FromClient)
		}
		s.awaitBody = false
		s.last = r
		if r.dir == wire.FromClient {
			s.split.Client(r.data, s.emit)
		} else {
			s.split.Server(r.data, s.emit)
		}
		if s.startTLS {
			s.startTLS = false
			b.tls(s, record{note: "TLS started (not in the log itself: inferred from the server's go-ahead)", line: r.line, time: r.time})
		}
	}
}

// missingGreeting handles logs that start after the server's greeting
// (smtplib and poplib connect before debugging is switched on; openssl
// -starttls reads it itself). The Splitter pairs SMTP and POP3 replies with
// commands in order, the greeting first, so it is given a greeting that
// makes no event; otherwise every reply would be paired with the command
// before its own (and STARTTLS, DATA would be missed).
func (b *builder) missingGreeting(s *session, r record) {
	discard := func(wire.Piece) {}
	switch {
	case r.dir != wire.FromClient && !s.encrypted:
	case s.proto == wire.SMTP:
		s.split.Server([]byte("220 greeting not in the log\r\n"), discard)
	case s.proto == wire.POP3:
		s.split.Server([]byte("+OK greeting not in the log\r\n"), discard)
	}
}

// tls marks the handshake: like the relay, it drops any half-read bytes
// of the plaintext channel, and everything after it travelled encrypted.
func (b *builder) tls(s *session, r record) {
	s.split.Reset(wire.FromClient)
	s.split.Reset(wire.FromServer)
	s.awaitBody = false
	s.encrypted = true
	b.event(s, wire.Meta, wire.TLS, []byte(r.note), r)
}

func (b *builder) piece(s *session, pc wire.Piece, r record) {
	e := b.newEvent(s, pc.Dir, pc.Kind, pc.Data, r)
	facts := pc.Event() // the model's facts travel with the event
	e.Secret, e.Verb, e.Tag, e.Answers, e.OK, e.Continues, e.Dropped = pc.Secret, facts.Verb, facts.Tag, facts.Answers, facts.OK, facts.Continues, facts.Dropped
	e.Literal, e.LiteralSize, e.Head, e.QuoteOpen = facts.Literal, facts.LiteralSize, facts.Head, facts.QuoteOpen
	if !pc.Secret.Empty() && pc.Secret.End <= len(pc.Data) {
		if len(b.secrets) == maxSecrets {
			b.secrets = b.secrets[1:]
		}
		b.secrets = append(b.secrets, string(pc.Data[pc.Secret.Start:pc.Secret.End]))
	}
	b.h.Event(e)
	if b.p.splitOnEnd {
		switch {
		case pc.Dir == wire.FromClient && (facts.Verb == "QUIT" || facts.Verb == "LOGOUT"):
			s.quitSent = true
		case pc.Dir == wire.FromServer && (pc.Answers == "QUIT" || pc.Answers == "LOGOUT"):
			s.ended = true
		}
	}
	if pc.Dir != wire.FromServer || pc.Answers == "" {
		return
	}
	if pc.Answers == "DATA" && bytes.HasPrefix(pc.Data, []byte("354")) {
		s.awaitBody = true
	}
	if b.p.inferTLS && pc.OK && (pc.Answers == "STARTTLS" || pc.Answers == "STLS") {
		s.startTLS = true
	}
}

// event hands on an event of the session.
func (b *builder) event(s *session, d wire.Dir, k wire.Kind, data []byte, r record) {
	b.h.Event(b.newEvent(s, d, k, data, r))
}

func (b *builder) newEvent(s *session, d wire.Dir, k wire.Kind, data []byte, r record) wire.Event {
	b.seq++
	if s.role == "" && len(b.p.servers) > 0 {
		// The log may name the server after the session's first lines.
		s.role = roleFromAddr(b.p.servers[s.key])
	}
	return wire.Event{
		Seq:       b.seq,
		Session:   s.id,
		Proto:     s.proto,
		Role:      s.role,
		Dir:       d,
		Kind:      k,
		Time:      r.time,
		Data:      data,
		Encrypted: s.encrypted,
	}
}
