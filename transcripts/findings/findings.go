// Package findings tells, in plain words, what a mail program did: "uses
// POP3 and deletes each message after downloading it", "logged in without
// encryption", "waits with IDLE". It reads the wire events of one or more
// sessions and groups them by program (what the client shows of itself
// and the user it logs in as). Every finding is derived from the protocol
// model's facts on the events (Verb, Tag, Answers, OK, Continues, Dropped,
// Encrypted, Secret, TLSFailure), never from a program's name, and carries
// the lines that show it.
//
// Secrets never reach a finding: every line is taken from the event's
// Masked bytes, and the user name is read only from commands that send it
// outside a secret (POP3 USER, IMAP LOGIN's first argument).
package findings

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Options configure an Analyzer.
type Options struct {
	// Fingerprint is the SHA-256 fingerprint of the server's certificate,
	// quoted in the advice for a program that did not trust it ("" leaves
	// the fingerprint out of the advice).
	Fingerprint string
	// MaxLines bounds the lines kept per session for evidence and export
	// (0 means 5000); later lines are counted, not kept, and the rules see
	// no command past the bound.
	MaxLines int
	// MaxSessions bounds the sessions kept (0 means 2000): the oldest
	// closed session is forgotten first, so a watch left running for days
	// stays bounded.
	MaxSessions int
	// MaxTotalLines bounds the lines kept over all sessions (0 means
	// 200000, some tens of megabytes): past it the oldest closed sessions
	// are forgotten.
	MaxTotalLines int
}

// Line is one line of a session as findings show it: masked (a password
// is "********"), its line ending trimmed, every control character made
// visible (wire.Visible), a payload summarised.
type Line struct {
	Session   wire.SessionID
	Seq       uint64
	Time      time.Time
	Dir       wire.Dir
	Kind      wire.Kind
	Encrypted bool
	Text      string
}

// String is the line as a transcript shows it: "C: USER bob".
func (l Line) String() string {
	return l.Dir.String() + ": " + l.Text
}

// Finding is one thing the program did, in plain words, with the lines
// that show it.
type Finding struct {
	// Rule names the rule that found it ("pop3-deletes", "clear-login", ...),
	// a stable key for tests and for the screen's filters.
	Rule string
	// Text says it in plain words, for a support ticket.
	Text string
	// Warning marks a finding a helper should act on (a password sent in
	// clear, a certificate refused).
	Warning bool
	// Lines are the lines that show it (a few, not every one).
	Lines []Line
}

// Program is one mail program as the findings see it: the sessions that
// show the same identity and log in as the same user.
type Program struct {
	// Name says how the program made itself known: its IMAP ID, its EHLO
	// name, or its style of commands.
	Name string
	// User is the user it logged in as ("" when none was seen in clear:
	// inside AUTH the name is part of the secret).
	User      string
	Protocols []wire.Proto
	Sessions  []wire.SessionID
	Findings  []Finding
}

// Key identifies the program among others: its Name and User.
func (p Program) Key() string { return p.Name + "\x00" + p.User }

// Analyzer gathers the events of many sessions and works out the findings
// of each program. It is not safe for concurrent use: feed it from one
// goroutine (the subscription's reader).
type Analyzer struct {
	opts     Options
	sessions map[wire.SessionID]*session
	order    []wire.SessionID // in the order they opened
	missed   int
	lines    int // lines kept over all sessions
}

// New returns an empty Analyzer.
func New(opts Options) *Analyzer {
	if opts.MaxLines <= 0 {
		opts.MaxLines = 5000
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 2000
	}
	if opts.MaxTotalLines <= 0 {
		opts.MaxTotalLines = 200000
	}
	return &Analyzer{opts: opts, sessions: map[wire.SessionID]*session{}}
}

// Missed reports how many events the analyzer was told it missed (a lossy
// subscription's Dropped events): findings may then be incomplete.
func (a *Analyzer) Missed() int { return a.missed }

// Analyze runs a whole stream of events through a new Analyzer and returns
// its programs.
func Analyze(events []wire.Event, opts Options) []Program {
	a := New(opts)
	for _, e := range events {
		a.Add(e)
	}
	return a.Programs()
}

// session is what the analyzer keeps of one connection.
type session struct {
	id     wire.SessionID
	proto  wire.Proto
	role   wire.Role
	peer   string
	opened time.Time
	closed bool

	lines     []Line
	truncated int // lines not kept (MaxLines)

	user       string
	userLine   Line
	idName     string // IMAP ID: name and version
	idLine     Line
	ehlo       string
	ehloLine   Line
	tagStyle   string
	firstVerbs []string
	firstLine  Line // the line of the first of firstVerbs

	cmds    []*exchange
	pending []*exchange          // SMTP, POP3: commands awaiting their reply, oldest first
	tags    map[string]*exchange // IMAP: the command awaiting its tagged reply, by tag

	tlsFailure wire.TLSFailure
	tlsLine    Line

	// A SASL exchange in progress (see saslStart): its mechanism, and how
	// many responses the client has sent.
	saslMech string
	saslStep int
}

// exchange is one command and its reply.
type exchange struct {
	verb      string
	args      string // the arguments, as Text shows them (masked)
	cmd       Line
	secret    bool // the command line carried a credential
	answered  bool
	ok        bool
	reply     Line
	listing   []string // a POP3 UIDL listing's lines ("1 uid")
	replyText string   // the completing reply's text
}

// Add takes one event. Events of one session must come in their order;
// sessions may interleave.
func (a *Analyzer) Add(e wire.Event) {
	if e.Kind == wire.Dropped {
		a.missed += e.N
		return
	}
	s := a.sessions[e.Session]
	if s == nil {
		if e.Session == "" {
			return
		}
		s = &session{id: e.Session, proto: e.Proto, role: e.Role, peer: e.Peer, opened: e.Time, tags: map[string]*exchange{}}
		a.sessions[e.Session] = s
		a.order = append(a.order, e.Session)
	}
	before := len(s.lines)
	defer func() {
		if added := len(s.lines) - before; added > 0 || e.Kind == wire.Open {
			a.lines += added
			a.forgetOldest()
		}
	}()
	switch e.Kind {
	case wire.Open:
		s.opened = e.Time
		s.keep(a.opts.MaxLines, e, "["+string(e.Data)+"]")
	case wire.Close:
		s.closed = true
		s.keep(a.opts.MaxLines, e, "[closed: "+string(e.Data)+"]")
	case wire.TLS:
		s.keep(a.opts.MaxLines, e, "[TLS: "+string(e.Data)+"]")
	case wire.TLSFailed:
		l := s.keep(a.opts.MaxLines, e, "[TLS failed: "+string(e.Data)+"]")
		if s.tlsFailure == "" {
			s.tlsFailure, s.tlsLine = e.TLSFailure, l
			if s.tlsFailure == "" {
				s.tlsFailure = wire.TLSOther
			}
		}
	case wire.Discarded:
		s.keep(a.opts.MaxLines, e, "["+strconv.Itoa(e.N)+" bytes discarded]")
	case wire.Payload:
		text := "[" + strconv.Itoa(len(e.Data)) + " bytes]"
		if !e.Secret.Empty() {
			text = "********"
		}
		s.keep(a.opts.MaxLines, e, text)
	case wire.Line:
		if len(s.lines) >= a.opts.MaxLines {
			s.truncated++
			return
		}
		text := string(bytes.TrimRight(e.Masked(), "\r\n"))
		l := s.keep(a.opts.MaxLines, e, text)
		if e.Dir == wire.FromClient {
			s.clientLine(e, l)
		} else {
			s.serverLine(e, l)
		}
	}
}

// forgetOldest drops the oldest closed sessions while there are too many
// sessions or lines.
func (a *Analyzer) forgetOldest() {
	for len(a.order) > a.opts.MaxSessions || a.lines > a.opts.MaxTotalLines {
		i := 0
		for i < len(a.order) && !a.sessions[a.order[i]].closed {
			i++
		}
		if i == len(a.order) {
			return // every session is open: keep them
		}
		a.lines -= len(a.sessions[a.order[i]].lines)
		delete(a.sessions, a.order[i])
		a.order = append(a.order[:i:i], a.order[i+1:]...)
	}
}

// keep records a line of the session and returns it.
func (s *session) keep(max int, e wire.Event, text string) Line {
	l := Line{Session: e.Session, Seq: e.Seq, Time: e.Time, Dir: e.Dir, Kind: e.Kind, Encrypted: e.Encrypted, Text: wire.Visible(text)}
	if len(s.lines) >= max {
		s.truncated++
		return l
	}
	s.lines = append(s.lines, l)
	return l
}

func (s *session) clientLine(e wire.Event, l Line) {
	if s.saslMech != "" && !e.Secret.Empty() && (e.Continues || e.Verb == "") {
		s.saslResponse(e, l)
	}
	if e.Dropped || e.Verb == "" || e.Continues {
		return // the rest of a command, a SASL response, DONE: no new command
	}
	s.saslMech, s.saslStep = "", 0
	x := &exchange{verb: e.Verb, cmd: l, secret: !e.Secret.Empty()}
	x.args = commandArgs(s.proto, l.Text, e.Verb)
	s.cmds = append(s.cmds, x)
	if len(s.firstVerbs) < 2 && e.Verb != "STARTTLS" && e.Verb != "STLS" {
		// How a program begins, TLS aside: the same program with and
		// without STARTTLS is still one program.
		s.firstVerbs = append(s.firstVerbs, e.Verb)
		if len(s.firstVerbs) == 1 {
			s.firstLine = l
		}
	}
	switch s.proto {
	case wire.IMAP:
		if s.tagStyle == "" {
			s.tagStyle = tagStyle(e.Tag)
		}
		s.tags[e.Tag] = x
		switch e.Verb {
		case "LOGIN":
			if s.user == "" {
				if toks := imapTokens(x.args, 1); len(toks) > 0 && toks[0] != "" {
					s.user, s.userLine = toks[0], l
				}
			}
		case "AUTHENTICATE":
			s.saslStart(e, l, x.args)
		case "ID":
			if s.idName == "" {
				if name := idName(x.args); name != "" {
					s.idName, s.idLine = name, l
				}
			}
		}
	default:
		s.pending = append(s.pending, x)
		switch e.Verb {
		case "USER", "APOP":
			if s.proto == wire.POP3 && s.user == "" {
				if f := strings.Fields(x.args); len(f) > 0 {
					s.user, s.userLine = f[0], l
				}
			}
		case "AUTH":
			s.saslStart(e, l, x.args)
		case "EHLO", "HELO", "LHLO":
			if s.ehlo == "" && x.args != "" {
				s.ehlo, s.ehloLine = strings.Fields(x.args)[0], l
			}
		}
	}
}

func (s *session) serverLine(e wire.Event, l Line) {
	if e.Answers == "" {
		// A line inside a reply: keep a POP3 UIDL listing, which maps
		// message numbers to the identifiers that survive sessions.
		if s.proto == wire.POP3 && len(s.pending) > 0 && s.pending[0].verb == "UIDL" && !strings.HasPrefix(l.Text, "+OK") && len(s.pending[0].listing) < 100000 {
			s.pending[0].listing = append(s.pending[0].listing, l.Text)
		}
		return
	}
	var x *exchange
	if s.proto == wire.IMAP {
		x = s.tags[e.Tag]
		if x != nil && x.verb == e.Answers {
			delete(s.tags, e.Tag)
		} else {
			x = nil
		}
	} else {
		for i, p := range s.pending {
			if p.verb == e.Answers {
				x = p
				s.pending = s.pending[i+1:]
				break
			}
		}
	}
	if x == nil {
		return // the greeting, an SMTP message's final reply, or a reply the simulator gave itself
	}
	x.answered, x.ok, x.reply, x.replyText = true, e.OK, l, l.Text
}

// commandArgs returns what follows a command's verb on its line (after the
// tag in IMAP).
func commandArgs(p wire.Proto, text, verb string) string {
	rest := text
	if p == wire.IMAP {
		_, rest, _ = strings.Cut(rest, " ") // the tag
	}
	for range strings.Fields(verb) { // "UID FETCH" is two words
		rest = strings.TrimLeft(rest, " ")
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	return strings.TrimSpace(rest)
}

// tagStyle describes an IMAP tag's shape ("A0001" → "A0001"-like): letters
// and digits as they look, so sessions of one program share it.
func tagStyle(tag string) string {
	var b strings.Builder
	for _, r := range tag {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte('9')
		case r >= 'a' && r <= 'z':
			b.WriteByte('a')
		case r >= 'A' && r <= 'Z':
			b.WriteByte('A')
		default:
			b.WriteRune(r)
		}
		if b.Len() > 12 {
			break
		}
	}
	return b.String()
}

// name works out how the session's program made itself known.
func (s *session) name() string {
	switch {
	case s.idName != "":
		return s.idName
	case s.ehlo != "":
		return "the SMTP program that says EHLO " + s.ehlo
	case len(s.firstVerbs) > 0:
		style := article(s.proto) + " program that begins with " + s.firstVerbs[0]
		if s.tagStyle != "" {
			style += ", tags like " + s.tagStyle
		}
		return style
	case s.tlsFailure != "":
		return "a program whose TLS on the " + string(s.role) + " port failed"
	default:
		return article(s.proto) + " program that sent no command"
	}
}

func protoName(p wire.Proto) string { return strings.ToUpper(string(p)) }

// article names the protocol with its article: "an IMAP", "a POP3".
func article(p wire.Proto) string {
	if p == wire.POP3 {
		return "a POP3"
	}
	return "an " + protoName(p)
}

// Programs groups the sessions seen so far by program and works out each
// program's findings. Programs come in the order their first session
// opened; each program's findings in a fixed order of rules.
func (a *Analyzer) Programs() []Program {
	type group struct {
		prog     Program
		sessions []*session
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, id := range a.order {
		s := a.sessions[id]
		if s == nil {
			continue
		}
		p := Program{Name: s.name(), User: s.user}
		g := byKey[p.Key()]
		if g == nil {
			g = &group{prog: p}
			byKey[p.Key()] = g
			groups = append(groups, g)
		}
		g.sessions = append(g.sessions, s)
		g.prog.Sessions = append(g.prog.Sessions, s.id)
		if !containsProto(g.prog.Protocols, s.proto) {
			g.prog.Protocols = append(g.prog.Protocols, s.proto)
		}
	}
	out := make([]Program, 0, len(groups))
	for _, g := range groups {
		sort.SliceStable(g.sessions, func(i, j int) bool { return g.sessions[i].opened.Before(g.sessions[j].opened) })
		g.prog.Findings = a.findings(g.sessions)
		out = append(out, g.prog)
	}
	return out
}

// ProgramOf returns the program a session belongs to, with its findings,
// working out only that program's (cheaper than Programs when one session
// has just closed among many).
func (a *Analyzer) ProgramOf(id wire.SessionID) (Program, bool) {
	s := a.sessions[id]
	if s == nil {
		return Program{}, false
	}
	p := Program{Name: s.name(), User: s.user}
	var group []*session
	for _, sid := range a.order {
		o := a.sessions[sid]
		if o == nil || o.user != p.User || o.name() != p.Name {
			continue
		}
		group = append(group, o)
		p.Sessions = append(p.Sessions, o.id)
		if !containsProto(p.Protocols, o.proto) {
			p.Protocols = append(p.Protocols, o.proto)
		}
	}
	sort.SliceStable(group, func(i, j int) bool { return group[i].opened.Before(group[j].opened) })
	p.Findings = a.findings(group)
	return p, true
}

// Lines returns the kept lines of a session (nil when unknown), and how
// many were not kept.
func (a *Analyzer) Lines(id wire.SessionID) (lines []Line, notKept int) {
	s := a.sessions[id]
	if s == nil {
		return nil, 0
	}
	return s.lines, s.truncated
}

func containsProto(list []wire.Proto, p wire.Proto) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}
