package logs

import (
	"bytes"
	"fmt"
	"sort"
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
	note string
	line int
	time time.Time
}

// parser collects what a format parser found, in log order.
type parser struct {
	format  Format
	forced  wire.Proto // the protocol the caller named, "" if none
	recs    []record
	probs   []Problem
	keys    []string              // connection keys in order of first appearance
	protos  map[string]wire.Proto // protocol named by the log itself (Thunderbird, curl URLs)
	servers map[string]string     // server address ("host:port") when the log shows it
	// inferTLS makes the builder start TLS after the server's go-ahead to
	// STARTTLS/STLS, for formats that do not log the handshake itself.
	inferTLS bool
	// now is the timestamp of the line being parsed (zero when the format has none).
	now  time.Time
	last time.Time // latest timestamp seen, to notice reordering
}

func (p *parser) problem(line int, text, reason string) {
	p.probs = append(p.probs, Problem{Line: line, Text: shorten(text), Reason: reason})
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

// register notes a connection key the first time it appears, keeping the
// order of sessions the order of the log.
func (p *parser) register(key string) {
	if p.protos == nil {
		p.protos = map[string]wire.Proto{}
		p.servers = map[string]string{}
	}
	if _, seen := p.protos[key]; !seen {
		p.protos[key] = ""
		p.keys = append(p.keys, key)
	}
}

func (p *parser) add(r record) {
	p.register(r.key)
	r.time = p.now
	p.recs = append(p.recs, r)
}

// send records bytes a side sent.
func (p *parser) send(key string, d wire.Dir, data []byte, line int) {
	p.add(record{key: key, kind: recData, dir: d, data: data, line: line})
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
	p.servers[key] = addr
}

// session is the builder's state for one connection.
type session struct {
	out       *Session
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
}

type builder struct {
	res      *Result
	seq      uint64
	inferTLS bool
	format   Format
}

// build turns the parser's records into sessions of events.
func build(p *parser, forced wire.Proto) *Result {
	b := &builder{res: &Result{Problems: p.probs}, inferTLS: p.inferTLS, format: p.format}
	sessions := map[string]*session{}
	var guesses map[string]wire.Proto
	for i, key := range p.keys {
		proto := forced
		if proto == "" {
			proto = p.protos[key]
		}
		if proto == "" {
			if guesses == nil {
				guesses = guessProtoRecords(p.recs)
			}
			proto = guesses[key]
		}
		if proto == "" {
			proto = wire.SMTP
			b.res.Problems = append(b.res.Problems, Problem{Line: firstLine(p.recs, key),
				Reason: "could not tell which protocol this session speaks; assumed SMTP (name it with --proto)"})
		}
		b.res.Sessions = append(b.res.Sessions, Session{ID: wire.SessionID(fmt.Sprintf("s%d", i+1)), Proto: proto})
		sessions[key] = &session{split: wire.NewSplitter(proto), role: roleFromAddr(p.servers[key])}
	}
	for i := range p.keys {
		sessions[p.keys[i]].out = &b.res.Sessions[i]
	}
	for _, r := range p.recs {
		b.record(sessions[r.key], r)
	}
	for _, key := range p.keys {
		s := sessions[key]
		last := record{}
		emit := func(pc wire.Piece) { b.piece(s, pc, last) }
		s.split.Flush(wire.FromClient, emit)
		s.split.Flush(wire.FromServer, emit)
	}
	b.maskProblems()
	// Parsers that read in two passes (openssl) find some problems late.
	sort.SliceStable(b.res.Problems, func(i, j int) bool { return b.res.Problems[i].Line < b.res.Problems[j].Line })
	return b.res
}

// maskProblems masks in the problems' quoted log lines every credential
// the splitters found in the events: a line reported (out of timestamp
// order, say) quotes the log as it was, and the password in it would reach
// the output that masks it everywhere else.
func (b *builder) maskProblems() {
	var secrets []string
	for _, s := range b.res.Sessions {
		for _, e := range s.Events {
			if !e.Secret.Empty() && e.Secret.Start >= 0 && e.Secret.End <= len(e.Data) {
				secrets = append(secrets, string(e.Data[e.Secret.Start:e.Secret.End]))
			}
		}
	}
	if len(secrets) == 0 {
		return
	}
	// Longest first, so that a secret inside another is not masked in part.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for i := range b.res.Problems {
		for _, sec := range secrets {
			b.res.Problems[i].Text = strings.ReplaceAll(b.res.Problems[i].Text, sec, "********")
		}
	}
}

// firstLine is the log line of a session's first record.
func firstLine(recs []record, key string) int {
	for _, r := range recs {
		if r.key == key {
			return r.line
		}
	}
	return 0
}

func (b *builder) record(s *session, r record) {
	if !s.opened {
		s.opened = true
		note := fmt.Sprintf("session read from the %s log", b.format)
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
		b.event(s, wire.Meta, wire.Close, []byte(r.note), r)
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
		emit := func(pc wire.Piece) { b.piece(s, pc, r) }
		if r.dir == wire.FromClient {
			s.split.Client(r.data, emit)
		} else {
			s.split.Server(r.data, emit)
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
	case s.out.Proto == wire.SMTP:
		s.split.Server([]byte("220 greeting not in the log\r\n"), discard)
	case s.out.Proto == wire.POP3:
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
	e := b.event(s, pc.Dir, pc.Kind, pc.Data, r)
	facts := pc.Event() // the model's facts travel with the event
	e.Secret, e.Verb, e.Tag, e.Answers, e.OK, e.Continues, e.Dropped = pc.Secret, facts.Verb, facts.Tag, facts.Answers, facts.OK, facts.Continues, facts.Dropped
	if pc.Dir != wire.FromServer || pc.Answers == "" {
		return
	}
	if pc.Answers == "DATA" && bytes.HasPrefix(pc.Data, []byte("354")) {
		s.awaitBody = true
	}
	if b.inferTLS && pc.OK && (pc.Answers == "STARTTLS" || pc.Answers == "STLS") {
		s.startTLS = true
	}
}

// event appends an event to the session and returns it for finishing touches.
func (b *builder) event(s *session, d wire.Dir, k wire.Kind, data []byte, r record) *wire.Event {
	b.seq++
	s.out.Events = append(s.out.Events, wire.Event{
		Seq:       b.seq,
		Session:   s.out.ID,
		Proto:     s.out.Proto,
		Role:      s.role,
		Dir:       d,
		Kind:      k,
		Time:      r.time,
		Data:      data,
		Encrypted: s.encrypted,
	})
	return &s.out.Events[len(s.out.Events)-1]
}
