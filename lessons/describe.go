package lessons

import (
	"fmt"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Describe says in plain words what the goal asks, for the lesson pane
// ("the server answers EHLO or HELO with 250 on server"). It quotes the
// lesson file's words, so they are made visible (wire.Visible).
func (g *Goal) Describe() string { return wire.Visible(g.describe()) }

func (g *Goal) describe() string {
	if g == nil {
		return ""
	}
	var parts []string
	for _, sub := range g.All {
		parts = append(parts, sub.describe())
	}
	if len(g.Any) > 0 {
		var alts []string
		for _, sub := range g.Any {
			alts = append(alts, sub.describe())
		}
		parts = append(parts, "either "+strings.Join(alts, ", or "))
	}
	if g.Not != nil {
		parts = append(parts, "not: "+g.Not.describe())
	}
	if c := g.Sent; c != nil {
		parts = append(parts, fmt.Sprintf("you send %s on %s", orWords(c.Verb, "a command"), c.Session))
	}
	if c := g.Reply; c != nil {
		codes := append(append([]string{}, c.Code...), c.Enhanced...)
		codes = append(codes, c.RespCode...)
		parts = append(parts, fmt.Sprintf("the server answers %s with %s on %s", orWords(c.Verb, "a command"), strings.Join(codes, " "), c.Session))
	}
	if c := g.Says; c != nil {
		what := strings.Join(c.Code, " or ")
		if c.Text != "" {
			what = strings.TrimSpace(what + " " + fmt.Sprintf("%q", c.Text))
		}
		parts = append(parts, fmt.Sprintf("the server says %s on %s", what, c.Session))
	}
	if c := g.State; c != nil {
		parts = append(parts, fmt.Sprintf("%s reaches the state %s", c.Session, strings.Join(c.State, " or ")))
	}
	if c := g.Closed; c != nil {
		parts = append(parts, fmt.Sprintf("the %s connection ends", c.Session))
	}
	if c := g.TLS; c != nil {
		parts = append(parts, fmt.Sprintf("%s is encrypted with TLS", c.Session))
	}
	if c := g.Message; c != nil {
		parts = append(parts, c.describe())
	}
	if c := g.Mailbox; c != nil {
		mb := c.User + "'s " + c.Name
		switch {
		case c.Exists != nil && !*c.Exists:
			parts = append(parts, mb+" does not exist")
		case c.Count != nil:
			parts = append(parts, fmt.Sprintf("%s holds %d message(s)", mb, *c.Count))
		default:
			parts = append(parts, mb+" exists")
		}
	}
	if c := g.Outbound; c != nil {
		parts = append(parts, "a message for "+orText(c.To, "the outside world")+" waits in the outbound queue")
	}
	return strings.Join(parts, "; ")
}

func (c *MessageCheck) describe() string {
	mb := c.Mailbox
	if mb == "" {
		mb = "INBOX"
	}
	what := "a message"
	if c.Subject != "" {
		what += fmt.Sprintf(" about %q", c.Subject)
	}
	if c.From != "" {
		what += " from " + c.From
	}
	var marks []string
	if len(c.Flags) > 0 {
		marks = append(marks, "marked "+strings.Join(c.Flags, " "))
	}
	if len(c.NotFlags) > 0 {
		marks = append(marks, "not marked "+strings.Join(c.NotFlags, " "))
	}
	if c.MarkedDeleted != nil {
		if *c.MarkedDeleted {
			marks = append(marks, "marked for deletion by POP3")
		} else {
			marks = append(marks, "not marked for deletion")
		}
	}
	if c.BodyContains != "" {
		marks = append(marks, fmt.Sprintf("its text containing %q", c.BodyContains))
	}
	if c.BodyLine != nil {
		marks = append(marks, fmt.Sprintf("a line of its text reading exactly %q", *c.BodyLine))
	}
	if c.HeaderContains != "" {
		marks = append(marks, fmt.Sprintf("its header containing %q", c.HeaderContains))
	}
	if len(marks) > 0 {
		what += ", " + strings.Join(marks, ", ")
	}
	where := c.User + "'s " + mb
	if c.Count != nil {
		if *c.Count == 0 {
			return "no longer " + what + " in " + where
		}
		return fmt.Sprintf("%d × %s in %s", *c.Count, what, where)
	}
	return what + " in " + where
}

func orWords(words StringList, none string) string {
	if len(words) == 0 {
		return none
	}
	return strings.Join(words, " or ")
}

func orText(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
