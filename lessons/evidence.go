package lessons

import (
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Observed is one annotated line as goals read it: the part of a
// transcripts.Line the checker needs. Keeping it small lets the predicates be
// tested with hand-built lines.
type Observed struct {
	Seq      uint64
	Session  wire.SessionID
	Dir      wire.Dir  // FromClient, FromServer, Meta
	Kind     wire.Kind // Line, Payload, Open, Close, TLS, ...
	Text     string    // the line without its line ending (secrets masked)
	Verb     string    // the command sent, or the command a reply answers
	Code     string    // "250", "+OK", "-ERR", "OK", "NO", "BAD", "BYE"
	Enhanced string    // "2.1.5"
	RespCode string    // "IN-USE", "TRYCREATE"
	State    string    // the session's state after this line
	Complete bool      // a server line completing the reply to a command
}

// WorldState is the part of the simulator's snapshot goals read.
type WorldState struct {
	Mailboxes []BoxState // every mailbox of every user
	Outbound  []Envelope // mail queued for domains outside the world
}

// BoxState is one mailbox.
type BoxState struct {
	User     string // owner's address
	Name     string
	Messages []MsgState
}

// MsgState is one message.
type MsgState struct {
	UID               uint32
	Flags             []string
	Subject, From, To string
	MarkedDeleted     bool
	// Body is the message after the header's empty line, as stored (CRLF
	// line endings, not MIME-decoded). It shares the store's bytes: read
	// it, never change it.
	Body []byte
	// Header is the message's header section as stored (with the
	// Return-Path, Received and Authentication-Results fields the servers
	// added); shared like Body.
	Header []byte
}

// Envelope is one message queued for the outside world.
type Envelope struct {
	From string
	To   []string
}

// Evidence is everything a goal is checked against.
type Evidence struct {
	// Lines seen since the step became active, in order.
	Lines []Observed
	// Sessions maps a lesson's session name to the ids it has had (a session
	// that was closed and opened again has several).
	Sessions map[string][]wire.SessionID
	// World is the store now.
	World WorldState
}

func (ev *Evidence) onSession(name string, id wire.SessionID) bool {
	for _, s := range ev.Sessions[name] {
		if s == id {
			return true
		}
	}
	return false
}

// Met reports whether the goal holds.
func (g *Goal) Met(ev *Evidence) bool {
	if g == nil {
		return false
	}
	for _, sub := range g.All {
		if !sub.Met(ev) {
			return false
		}
	}
	if len(g.Any) > 0 {
		any := false
		for _, sub := range g.Any {
			if sub.Met(ev) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	if g.Not != nil && g.Not.Met(ev) {
		return false
	}
	switch {
	case g.Sent != nil && !g.Sent.met(ev):
		return false
	case g.Reply != nil && !g.Reply.met(ev):
		return false
	case g.Says != nil && !g.Says.met(ev):
		return false
	case g.State != nil && !g.State.met(ev):
		return false
	case g.Closed != nil && !g.Closed.met(ev):
		return false
	case g.TLS != nil && !g.TLS.metKind(ev, wire.TLS):
		return false
	case g.Message != nil && !g.Message.met(ev):
		return false
	case g.Mailbox != nil && !g.Mailbox.met(ev):
		return false
	case g.Outbound != nil && !g.Outbound.met(ev):
		return false
	}
	return true
}

// normVerb makes "<body>" and "body", "uid fetch" and "UID FETCH" compare equal.
func normVerb(v string) string {
	v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">")
	return strings.ToUpper(v)
}

func verbMatches(want StringList, got string) bool {
	if len(want) == 0 {
		return true
	}
	got = normVerb(got)
	first, _, _ := strings.Cut(got, " ")
	for _, w := range want {
		w = normVerb(w)
		switch {
		case w == got || w == first:
			return true
		case w == "BODY" && got == "DATA":
			// The reply after the final dot answers the DATA command
			// (its code tells it from DATA's own 354).
			return true
		case w == "GREETING" && got == "":
			// The greeting answers no command.
			return true
		}
	}
	return false
}

// codeMatches compares a reply code with patterns: exact ("250", "+OK") or
// with x standing for any digit ("5xx", "4.7.x").
func codeMatches(want StringList, got string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if patternMatch(strings.ToUpper(w), strings.ToUpper(got)) {
			return true
		}
	}
	return false
}

func patternMatch(pattern, s string) bool {
	if len(pattern) != len(s) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == 'X' && s[i] >= '0' && s[i] <= '9' {
			continue
		}
		if pattern[i] != s[i] {
			return false
		}
	}
	return true
}

func contains(hay, needle string) bool {
	return strings.Contains(strings.ToLower(hay), strings.ToLower(needle))
}

func (c *SentCheck) met(ev *Evidence) bool {
	for _, l := range ev.Lines {
		if l.Dir != wire.FromClient || l.Kind != wire.Line || !ev.onSession(c.Session, l.Session) {
			continue
		}
		if verbMatches(c.Verb, l.Verb) && contains(l.Text, c.Text) {
			return true
		}
	}
	return false
}

func (c *ReplyCheck) met(ev *Evidence) bool {
	for _, l := range ev.Lines {
		if l.Dir != wire.FromServer || !l.Complete || !ev.onSession(c.Session, l.Session) {
			continue
		}
		if verbMatches(c.Verb, l.Verb) && codeMatches(c.Code, l.Code) && codeMatches(c.Enhanced, l.Enhanced) &&
			(len(c.RespCode) == 0 || c.RespCode.has(strings.Trim(l.RespCode, "[]"))) && contains(l.Text, c.Text) {
			return true
		}
	}
	return false
}

func (c *SaysCheck) met(ev *Evidence) bool {
	for _, l := range ev.Lines {
		if l.Dir != wire.FromServer || l.Kind != wire.Line || !ev.onSession(c.Session, l.Session) {
			continue
		}
		if verbMatches(c.Verb, l.Verb) && codeMatches(c.Code, l.Code) && contains(l.Text, c.Text) {
			return true
		}
	}
	return false
}

func (c *StateCheck) met(ev *Evidence) bool {
	for _, l := range ev.Lines {
		if ev.onSession(c.Session, l.Session) && l.State != "" && c.State.has(l.State) {
			return true
		}
	}
	return false
}

func (c *ClosedCheck) met(ev *Evidence) bool { return c.metKind(ev, wire.Close) }

func (c *ClosedCheck) metKind(ev *Evidence, kind wire.Kind) bool {
	for _, l := range ev.Lines {
		if l.Kind == kind && ev.onSession(c.Session, l.Session) {
			return true
		}
	}
	return false
}

func (w *WorldState) box(user, name string) (BoxState, bool) {
	if name == "" {
		name = "INBOX"
	}
	for _, b := range w.Mailboxes {
		if !strings.EqualFold(b.User, user) {
			continue
		}
		if b.Name == name || (strings.EqualFold(name, "INBOX") && strings.EqualFold(b.Name, "INBOX")) {
			return b, true
		}
	}
	return BoxState{}, false
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

func countMatches(n int, want *int) bool {
	if want == nil {
		return n > 0
	}
	return n == *want
}

func (c *MessageCheck) met(ev *Evidence) bool {
	b, ok := ev.World.box(c.User, c.Mailbox)
	if !ok {
		return c.Count != nil && *c.Count == 0
	}
	n := 0
	for _, m := range b.Messages {
		if c.matches(m) {
			n++
		}
	}
	return countMatches(n, c.Count)
}

func (c *MessageCheck) matches(m MsgState) bool {
	if !contains(m.Subject, c.Subject) || !contains(m.From, c.From) || !contains(m.To, c.To) {
		return false
	}
	for _, f := range c.Flags {
		if !hasFlag(m.Flags, f) {
			return false
		}
	}
	for _, f := range c.NotFlags {
		if hasFlag(m.Flags, f) {
			return false
		}
	}
	if c.BodyContains != "" && !contains(string(m.Body), c.BodyContains) {
		return false
	}
	if c.BodyLine != nil && !hasLine(m.Body, *c.BodyLine) {
		return false
	}
	if c.HeaderContains != "" && !contains(unfoldHeader(m.Header), c.HeaderContains) {
		return false
	}
	return c.MarkedDeleted == nil || *c.MarkedDeleted == m.MarkedDeleted
}

// hasLine reports whether one line of body is exactly want.
func hasLine(body []byte, want string) bool {
	for _, ln := range strings.Split(string(body), "\n") {
		if strings.TrimSuffix(ln, "\r") == want {
			return true
		}
	}
	return false
}

func (c *MailboxCheck) met(ev *Evidence) bool {
	b, ok := ev.World.box(c.User, c.Name)
	want := c.Exists == nil || *c.Exists
	if ok != want {
		return false
	}
	if !ok || c.Count == nil {
		return true
	}
	return len(b.Messages) == *c.Count
}

func (c *OutboundCheck) met(ev *Evidence) bool {
	n := 0
	for _, e := range ev.World.Outbound {
		rcptOK := c.To == ""
		for _, r := range e.To {
			if contains(r, c.To) {
				rcptOK = true
			}
		}
		if rcptOK && contains(e.From, c.From) {
			n++
		}
	}
	return countMatches(n, c.Count)
}

// hasEvidence reports whether the goal depends on something the servers said
// or the store holds, and not only on what the learner typed: a goal of
// "sent EHLO" alone would pass a learner whose EHLO was refused.
func (g *Goal) hasEvidence() bool {
	if g == nil {
		return false
	}
	if g.Reply != nil || g.Says != nil || g.State != nil || g.Closed != nil || g.TLS != nil || g.Message != nil || g.Mailbox != nil || g.Outbound != nil {
		return true
	}
	for _, sub := range g.All {
		if sub.hasEvidence() {
			return true
		}
	}
	if len(g.Any) > 0 {
		// Every way of passing must rest on evidence.
		for _, sub := range g.Any {
			if !sub.hasEvidence() {
				return false
			}
		}
		return true
	}
	return false
}

// walk calls fn for the goal and every goal inside it.
func (g *Goal) walk(fn func(*Goal)) {
	if g == nil {
		return
	}
	fn(g)
	for _, sub := range g.All {
		sub.walk(fn)
	}
	for _, sub := range g.Any {
		sub.walk(fn)
	}
	g.Not.walk(fn)
}

// unfoldHeader joins folded header lines (RFC 5322 §2.2.3) so that a check
// reads "spf=pass smtp.mailfrom=..." however the server folded it.
func unfoldHeader(h []byte) string {
	s := strings.ReplaceAll(string(h), "\r\n\t", " ")
	return strings.ReplaceAll(s, "\r\n ", " ")
}
