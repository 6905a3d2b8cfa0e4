package lessons

import (
	"gopkg.in/yaml.v3"
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
	// BodyContains: the body (everything after the header's empty line,
	// as stored: not MIME-decoded) contains this text (case-insensitive).
	BodyContains string `yaml:"body_contains"`
	// BodyLine: one line of the body is exactly this text (case matters,
	// line ending aside). It tells "." from "..": what the server stored
	// after removing the dot-stuffing.
	BodyLine *string `yaml:"body_line"`
	// HeaderContains: the header section, as stored with the fields the
	// servers added (Received, Authentication-Results), unfolded, contains
	// this text (case-insensitive): "dmarc=pass", "spf=softfail".
	HeaderContains string `yaml:"header_contains"`
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
