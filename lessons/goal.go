package lessons

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Goal is what must be true for a live step to be done. A goal is one or
// more predicates; several predicates in one goal must all hold. All, Any
// and Not combine goals.
type Goal struct {
	Line int // file line, for messages

	All []*Goal // every one holds
	Any []*Goal // at least one holds
	Not *Goal   // does not hold

	Sent     *SentCheck     // a command was sent on a session
	Reply    *ReplyCheck    // the server answered a command with a code
	Says     *SaysCheck     // the server sent a line (untagged data, a go-ahead, a push)
	State    *StateCheck    // a session reached a protocol state
	Closed   *ClosedCheck   // a session ended
	TLS      *ClosedCheck   // a session completed a TLS handshake (same field: session)
	Message  *MessageCheck  // a message is (or is not) in a mailbox
	Mailbox  *MailboxCheck  // a mailbox exists, or holds N messages
	Outbound *OutboundCheck // mail is queued for a domain outside the world
}

// SentCheck: the learner sent a command on a session.
type SentCheck struct {
	Session string     `yaml:"session"` // default: the step's session
	Verb    StringList `yaml:"verb"`    // any of these verbs (EHLO, HELO)
	Text    string     `yaml:"text"`    // the line contains this (case-insensitive)
}

// ReplyCheck: a server reply completing the answer to a command.
type ReplyCheck struct {
	Session  string     `yaml:"session"`  // default: the step's session
	Verb     StringList `yaml:"verb"`     // the command answered: any of these; "greeting", "body" (end of DATA)
	Code     StringList `yaml:"code"`     // any of: "250", "2xx", "+OK", "-ERR", "OK", "NO", "BAD", "BYE"
	Enhanced StringList `yaml:"enhanced"` // any of: "2.1.5", "5.7.x"
	RespCode StringList `yaml:"respcode"` // any of: "IN-USE", "TRYCREATE", "AUTH"
	Text     string     `yaml:"text"`     // the reply line contains this (case-insensitive)
}

// SaysCheck: any server line, not only the one completing a reply: IMAP
// untagged data ("* 4 EXISTS" pushed during IDLE), a go-ahead ("+ idling",
// SMTP 334), a line inside a multi-line reply.
type SaysCheck struct {
	Session string     `yaml:"session"` // default: the step's session
	Verb    StringList `yaml:"verb"`    // the command being answered, if any
	Code    StringList `yaml:"code"`    // IMAP untagged kind ("EXISTS", "FETCH", "EXPUNGE"), "+", "334", "250"...
	Text    string     `yaml:"text"`    // the line contains this (case-insensitive)
}

// StateCheck: a session reached one of these protocol states.
type StateCheck struct {
	Session string     `yaml:"session"` // default: the step's session
	State   StringList `yaml:"state"`   // "greeted", "TRANSACTION", "selected INBOX", ...
}

// ClosedCheck: the session ended (QUIT, LOGOUT, a hang-up).
type ClosedCheck struct {
	Session string `yaml:"session"` // default: the step's session
}

// MessageCheck: messages in a mailbox matching all the given fields.
type MessageCheck struct {
	User          string     `yaml:"user"`           // owner's address (required)
	Mailbox       string     `yaml:"mailbox"`        // default INBOX
	Subject       string     `yaml:"subject"`        // Subject contains (case-insensitive)
	From          string     `yaml:"from"`           // From contains
	To            string     `yaml:"to"`             // To contains
	Flags         StringList `yaml:"flags"`          // carries every one of these
	NotFlags      StringList `yaml:"not_flags"`      // carries none of these
	MarkedDeleted *bool      `yaml:"marked_deleted"` // a POP3 DELE marked it (true) or not (false)
	// Count is how many messages must match; unset means "at least one".
	// Count 0 means "no message matches" (gone after QUIT, moved away).
	Count *int `yaml:"count"`
}

// MailboxCheck: a mailbox exists (or not), optionally with a message count.
type MailboxCheck struct {
	User   string `yaml:"user"`   // owner's address (required)
	Name   string `yaml:"name"`   // mailbox name (required)
	Exists *bool  `yaml:"exists"` // default true
	Count  *int   `yaml:"count"`  // number of messages in it
}

// OutboundCheck: mail queued for a domain outside the simulated world.
type OutboundCheck struct {
	To    string `yaml:"to"`    // a recipient contains this
	From  string `yaml:"from"`  // the envelope sender contains this
	Count *int   `yaml:"count"` // unset: at least one
}

// goalKeys are the words a goal map may use.
const goalKeys = "all, any, not, sent, reply, says, state, closed, tls, message, mailbox, outbound"

// UnmarshalYAML reads a goal: a map whose keys are predicate names. Each
// predicate takes a map of fields, or a list of such maps (all must hold).
func (g *Goal) UnmarshalYAML(n *yaml.Node) error {
	g.Line = n.Line
	if n.Kind != yaml.MappingNode {
		return lineError(n.Line, "a goal is a map such as `reply: {verb: EHLO, code: \"250\"}`")
	}
	if len(n.Content) == 0 {
		return lineError(n.Line, "empty goal")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if err := g.decodeKey(key, val); err != nil {
			return err
		}
	}
	return nil
}

func (g *Goal) decodeKey(key, val *yaml.Node) error {
	switch key.Value {
	case "all", "any":
		if val.Kind != yaml.SequenceNode {
			return lineError(val.Line, "%s: want a list of goals", key.Value)
		}
		var list []*Goal
		for _, c := range val.Content {
			sub := &Goal{}
			if err := sub.UnmarshalYAML(c); err != nil {
				return err
			}
			list = append(list, sub)
		}
		if len(list) == 0 {
			return lineError(val.Line, "%s: the list is empty", key.Value)
		}
		if key.Value == "all" {
			g.All = append(g.All, list...)
		} else {
			g.Any = append(g.Any, list...)
		}
		return nil
	case "not":
		if g.Not != nil {
			return lineError(key.Line, "not: given twice; wrap both in `all:`")
		}
		sub := &Goal{}
		if err := sub.UnmarshalYAML(val); err != nil {
			return err
		}
		g.Not = sub
		return nil
	}
	// A predicate given as a list means every item must hold: split it into
	// one sub-goal per item.
	if val.Kind == yaml.SequenceNode {
		for _, c := range val.Content {
			sub := &Goal{Line: c.Line}
			if err := sub.decodeKey(key, c); err != nil {
				return err
			}
			g.All = append(g.All, sub)
		}
		return nil
	}
	var target any
	switch key.Value {
	case "sent":
		g.Sent = &SentCheck{}
		target = g.Sent
	case "reply":
		g.Reply = &ReplyCheck{}
		target = g.Reply
	case "says":
		g.Says = &SaysCheck{}
		target = g.Says
	case "state":
		g.State = &StateCheck{}
		target = g.State
	case "closed":
		g.Closed = &ClosedCheck{}
		target = g.Closed
	case "tls":
		g.TLS = &ClosedCheck{}
		target = g.TLS
	case "message":
		g.Message = &MessageCheck{}
		target = g.Message
	case "mailbox":
		g.Mailbox = &MailboxCheck{}
		target = g.Mailbox
	case "outbound":
		g.Outbound = &OutboundCheck{}
		target = g.Outbound
	default:
		return lineError(key.Line, "unknown goal %q (known: %s)", key.Value, goalKeys)
	}
	// "closed: laptop" is short for "closed: {session: laptop}"; the same
	// for tls.
	if key.Value == "closed" && val.Kind == yaml.ScalarNode {
		g.Closed.Session = val.Value
		return nil
	}
	if key.Value == "tls" && val.Kind == yaml.ScalarNode {
		g.TLS.Session = val.Value
		return nil
	}
	return decodeStrict(val, target)
}

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
	return c.MarkedDeleted == nil || *c.MarkedDeleted == m.MarkedDeleted
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
