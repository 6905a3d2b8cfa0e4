package lessons

import (
	"fmt"
	"strings"
)

// literals lists the values a goal checks that the learner must know to meet
// it: a subject word, a sender, a recipient, a folder, a body text. A value
// under not: is one to avoid and is left out. validate makes sure each one is
// said in the step's text or its first hint: a goal must never hide what it
// wants (a learner sent "Hi Bob" while the goal wanted "journey").
func (g *Goal) literals() []string {
	if g == nil {
		return nil
	}
	var out []string
	add := func(v string) {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	if c := g.Message; c != nil {
		add(c.Subject)
		add(c.From)
		add(c.To)
		add(c.BodyContains)
		if !strings.EqualFold(c.Mailbox, "INBOX") {
			add(c.Mailbox)
		}
	}
	if c := g.Mailbox; c != nil && !strings.EqualFold(c.Name, "INBOX") {
		add(c.Name)
	}
	if c := g.Outbound; c != nil {
		add(c.To)
		add(c.From)
	}
	for _, sub := range g.All {
		out = append(out, sub.literals()...)
	}
	for _, sub := range g.Any {
		out = append(out, sub.literals()...)
	}
	return out
}

// unsaid returns the goal's literal values that appear neither in the step's
// text nor in its first hint (case-insensitive).
func (st *Step) unsaid() []string {
	said := st.Prose
	if len(st.Hints) > 0 {
		said += "\n" + st.Hints[0]
	}
	var out []string
	for _, v := range st.Goal.literals() {
		if !contains(said, v) {
			out = append(out, v)
		}
	}
	return out
}

// Missing says which part of a goal is not met yet, in the learner's words,
// when some part already is: "the server accepted the message (250), but
// bob@example.org's INBOX has no message whose subject mentions “journey”
// (the newest is “Hi Bob”)". It returns "" when the goal is met, or when
// nothing of it has happened yet (the learner is still on the way: the
// step's text and hints speak then).
func (g *Goal) Missing(ev *Evidence) string {
	if g == nil || g.Met(ev) {
		return ""
	}
	parts := g.conjuncts()
	var met, unmet []*Goal
	for _, p := range parts {
		if p.Met(ev) {
			met = append(met, p)
		} else {
			unmet = append(unmet, p)
		}
	}
	if len(met) == 0 {
		return ""
	}
	var why []string
	for _, p := range unmet {
		if p.Message == nil && p.Mailbox == nil && p.Outbound == nil {
			// A protocol part still to do: the learner is on the way,
			// and the step's text and hints speak.
			return ""
		}
		if w := p.why(ev); w != "" {
			why = append(why, w)
		}
	}
	if len(why) == 0 {
		return ""
	}
	lead := "Almost: "
	for _, p := range met {
		if p.Reply != nil || p.Says != nil {
			lead = "The server accepted it, but "
		}
	}
	return lead + strings.Join(why, "; and ") + "."
}

// conjuncts splits a goal into the parts that must all hold: its All list
// and each predicate set side by side in one map.
func (g *Goal) conjuncts() []*Goal {
	var out []*Goal
	for _, sub := range g.All {
		out = append(out, sub.conjuncts()...)
	}
	if len(g.Any) > 0 {
		out = append(out, &Goal{Line: g.Line, Any: g.Any})
	}
	if g.Not != nil {
		out = append(out, &Goal{Line: g.Line, Not: g.Not})
	}
	leaf := *g
	leaf.All, leaf.Any, leaf.Not = nil, nil, nil
	if leaf.Sent != nil || leaf.Reply != nil || leaf.Says != nil || leaf.State != nil || leaf.Closed != nil ||
		leaf.TLS != nil || leaf.Message != nil || leaf.Mailbox != nil || leaf.Outbound != nil {
		out = append(out, &leaf)
	}
	return out
}

// why explains one unmet part.
func (g *Goal) why(ev *Evidence) string {
	switch {
	case g.Message != nil:
		return g.Message.why(ev)
	case g.Mailbox != nil:
		c := g.Mailbox
		b, ok := ev.World.box(c.User, c.Name)
		switch {
		case !ok && (c.Exists == nil || *c.Exists):
			return fmt.Sprintf("%s has no folder %q yet", c.User, c.Name)
		case ok && c.Exists != nil && !*c.Exists:
			return fmt.Sprintf("%s's folder %q still exists", c.User, c.Name)
		case ok && c.Count != nil:
			return fmt.Sprintf("%s's %s holds %d message(s), and the goal wants %d", c.User, c.Name, len(b.Messages), *c.Count)
		}
	case g.Outbound != nil:
		if g.Outbound.To != "" {
			return fmt.Sprintf("no message for %s waits in the outbound queue", g.Outbound.To)
		}
		return "no message waits in the outbound queue"
	}
	return ""
}

// why explains which field of a message check the mailbox's messages fail,
// looking at the newest message (the one the learner most likely just sent
// or changed).
func (c *MessageCheck) why(ev *Evidence) string {
	mbName := c.Mailbox
	if mbName == "" {
		mbName = "INBOX"
	}
	where := c.User + "'s " + mbName
	b, ok := ev.World.box(c.User, c.Mailbox)
	if !ok {
		return where + " does not exist"
	}
	if c.Count != nil {
		n := 0
		for _, m := range b.Messages {
			if c.matches(m) {
				n++
			}
		}
		if *c.Count == 0 {
			return fmt.Sprintf("%s still holds %s", where, c.describeWhat())
		}
		return fmt.Sprintf("%s holds %d × %s, and the goal wants %d", where, n, c.describeWhat(), *c.Count)
	}
	if len(b.Messages) == 0 {
		return where + " is empty"
	}
	m := b.Messages[len(b.Messages)-1]
	var off []string
	if !contains(m.Subject, c.Subject) {
		off = append(off, fmt.Sprintf("its subject does not mention “%s”", c.Subject))
	}
	if !contains(m.From, c.From) {
		off = append(off, fmt.Sprintf("its From (“%s”) does not mention “%s”", m.From, c.From))
	}
	if !contains(m.To, c.To) {
		off = append(off, fmt.Sprintf("its To (“%s”) does not mention “%s”", m.To, c.To))
	}
	for _, f := range c.Flags {
		if !hasFlag(m.Flags, f) {
			off = append(off, "it is not marked "+f)
		}
	}
	for _, f := range c.NotFlags {
		if hasFlag(m.Flags, f) {
			off = append(off, "it is marked "+f)
		}
	}
	if c.BodyContains != "" && !contains(string(m.Body), c.BodyContains) {
		off = append(off, fmt.Sprintf("its text does not contain “%s”", c.BodyContains))
	}
	if c.BodyLine != nil && !hasLine(m.Body, *c.BodyLine) {
		off = append(off, fmt.Sprintf("no line of its text reads exactly “%s”", *c.BodyLine))
	}
	if c.MarkedDeleted != nil && *c.MarkedDeleted != m.MarkedDeleted {
		if *c.MarkedDeleted {
			off = append(off, "it is not marked for deletion")
		} else {
			off = append(off, "it is marked for deletion")
		}
	}
	if len(off) == 0 {
		return "no message in " + where + " is " + c.describeWhat()
	}
	subject := m.Subject
	if subject == "" {
		subject = "(no subject)"
	}
	return fmt.Sprintf("the newest message in %s (“%s”) is not the one the step asks for: %s", where, subject, strings.Join(off, ", "))
}

// describeWhat is the message the check looks for, without its place.
func (c *MessageCheck) describeWhat() string {
	d := c.describe()
	if i := strings.LastIndex(d, " in "); i >= 0 {
		d = d[:i]
	}
	return strings.TrimPrefix(d, "no longer ")
}
