package lessons

import (
	"errors"
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/dns"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func knownRole(r wire.Role) bool {
	switch r {
	case wire.RoleMX, wire.RoleSubmission, wire.RoleSubmissions, wire.RolePOP3, wire.RolePOP3S, wire.RoleIMAP, wire.RoleIMAPS:
		return true
	}
	return false
}

// validate checks a parsed lesson and fills in defaults (a step's session,
// a check's session). attach says whether an .eml file exists next to the
// lesson. It returns every problem found, each with a file line.
func validate(raw *rawLesson, attach func(name string) error) []error {
	var errs []error
	add := func(line int, format string, args ...any) {
		errs = append(errs, lineError(line, format, args...))
	}
	m := &raw.meta
	at := raw.metaLine
	if !idPattern.MatchString(m.ID) {
		add(at, "id: %q must be lower-case letters, digits and dashes (e.g. smtp-first-conversation)", m.ID)
	}
	if strings.TrimSpace(m.Title) == "" {
		add(at, "title: missing")
	}
	groupOK := false
	var groupIDs []string
	for _, g := range groupNames() {
		groupIDs = append(groupIDs, g.ID)
		groupOK = groupOK || g.ID == m.Group
	}
	if !groupOK {
		add(at, "group: %q is not one of %s", m.Group, strings.Join(groupIDs, ", "))
	}
	for _, p := range m.Protocols {
		switch strings.ToLower(p) {
		case "smtp", "pop3", "imap":
		default:
			add(at, "protocols: %q is not one of smtp, pop3, imap", p)
		}
	}
	switch m.Level {
	case "beginner", "intermediate", "advanced":
	default:
		add(at, "level: %q is not one of beginner, intermediate, advanced", m.Level)
	}
	if m.Minutes < 0 {
		add(at, "minutes: must not be negative")
	}
	for name, s := range m.Sessions {
		if !idPattern.MatchString(name) {
			add(at, "sessions: name %q must be lower-case letters, digits and dashes", name)
		}
		if !knownRole(s.Role) {
			add(at, "sessions: %s: role %q is not one of mx, submission, submissions, pop3, pop3s, imap, imaps", name, s.Role)
		}
	}
	errs = append(errs, validateWorld(&m.World, at, attach)...)

	if len(raw.steps) == 0 {
		add(at, "a lesson needs at least one \"## Step: title\" section")
	}
	first := ""
	if len(raw.sessOrder) > 0 {
		first = raw.sessOrder[0]
	}
	hasSession := func(name string) bool { _, ok := m.Sessions[name]; return ok }
	for _, st := range raw.steps {
		errs = append(errs, validateStep(st, first, hasSession)...)
	}
	return errs
}

func validateWorld(w *World, at int, attach func(string) error) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, lineError(at, format, args...)) }
	switch w.Seed {
	case "", "default", "none":
	default:
		add("world: seed: %q is not default or none", w.Seed)
	}
	users := map[string]bool{}
	for _, u := range w.Users {
		if !strings.Contains(u.Address, "@") || u.Password == "" {
			add("world: users: %q needs address: NAME@DOMAIN and a password:", u.Address)
		}
		if u.OAuthOnly && u.Token == "" {
			add("world: users: %q is oauth_only but has no token: to log in at all", u.Address)
		}
		if strings.ContainsAny(u.Token, " \t\x01") {
			add("world: users: %q: a token is one word (no spaces)", u.Address)
		}
		users[strings.ToLower(u.Address)] = true
	}
	if len(w.Users) == 0 {
		users["alice@example.com"], users["bob@example.org"] = true, true
	}
	for _, mb := range w.Mailboxes {
		if !users[strings.ToLower(mb.User)] {
			add("world: mailboxes: user %q is not a user of this world", mb.User)
		}
		if strings.TrimSpace(mb.Name) == "" || strings.EqualFold(mb.Name, "INBOX") {
			add("world: mailboxes: %q is not a name for a new folder", mb.Name)
		}
	}
	for i, msg := range w.Messages {
		if !users[strings.ToLower(msg.To)] {
			add("world: messages[%d]: to: %q is not a user of this world", i+1, msg.To)
		}
		if msg.File != "" {
			if strings.Contains(msg.File, "..") {
				add("world: messages[%d]: file %q not found next to the lesson", i+1, msg.File)
			} else if err := attach(msg.File); errors.Is(err, errOutsideFolder) {
				add("world: messages[%d]: file %q is outside the lesson's folder (a symbolic link out of it is refused)", i+1, msg.File)
			} else if err != nil {
				add("world: messages[%d]: file %q not found next to the lesson", i+1, msg.File)
			}
		} else if msg.Subject == "" && msg.Body == "" {
			add("world: messages[%d]: give file: NAME.eml, or subject: and body:", i+1)
		}
	}
	for _, f := range w.Faults {
		if _, err := fault.Parse(f); err != nil {
			add("world: faults: %v", err)
		}
	}
	for _, line := range w.DNS {
		if err := dns.NewZone().Apply(line); err != nil {
			add("world: dns: %v", err)
		}
	}
	if w.QuotaBytes < 0 {
		add("world: quota_bytes: %d is negative (give the octets each user may hold, or leave it out)", w.QuotaBytes)
	}
	return errs
}

func validateStep(st *Step, first string, hasSession func(string) bool) []error {
	var errs []error
	add := func(line int, format string, args ...any) { errs = append(errs, lineError(line, format, args...)) }
	if st.Session == "" {
		st.Session = first
	}
	if st.Kind == Question {
		if strings.TrimSpace(st.QuestionText) == "" {
			add(st.Line, "step %q: question: missing", st.Title)
		}
		if len(st.Choices) < 2 {
			add(st.Line, "step %q: a question needs at least two choices:", st.Title)
		}
		if st.Answer < 0 || st.Answer >= len(st.Choices) {
			add(st.Line, "step %q: answer: must be the number of a choice, 1 to %d", st.Title, len(st.Choices))
		}
		return errs
	}
	if st.Kind != Live {
		return errs
	}
	if st.Session == "" || !hasSession(st.Session) {
		add(st.Line, "step %q: session %q is not declared under sessions: in the front matter", st.Title, st.Session)
	}
	for _, name := range st.Open {
		if !hasSession(name) {
			add(st.Line, "step %q: open: session %q is not declared", st.Title, name)
		}
	}
	for _, list := range []StringList{st.FaultsOn, st.FaultsOff} {
		for _, f := range list {
			if _, err := fault.Parse(f); err != nil {
				add(st.Line, "step %q: %v", st.Title, err)
			}
		}
	}
	for _, line := range st.DNS {
		if err := dns.NewZone().Apply(line); err != nil {
			add(st.Line, "step %q: dns: %v", st.Title, err)
		}
	}
	if st.Goal == nil {
		add(st.Line, "step %q: a live step needs a goal: (or make it a question with question: and choices:)", st.Title)
	} else {
		if !st.Goal.hasEvidence() {
			add(st.Goal.Line, "step %q: the goal checks only what was typed; add a reply: (the server's answer) or a store check (message:, mailbox:, outbound:)", st.Title)
		}
		for _, v := range st.unsaid() {
			add(st.Goal.Line, "step %q: the goal checks %q, but neither the step's text nor its first hint says so: a learner cannot guess it", st.Title, v)
		}
		st.Goal.walk(func(g *Goal) {
			for _, s := range []*string{sessionOf(g.Sent), sessionOfR(g.Reply), sessionOfY(g.Says), sessionOfS(g.State), sessionOfC(g.Closed), sessionOfC(g.TLS)} {
				if s == nil {
					continue
				}
				if *s == "" {
					*s = st.Session
				}
				if !hasSession(*s) {
					add(g.Line, "step %q: goal names session %q, which is not declared", st.Title, *s)
				}
			}
			if g.Says != nil && len(g.Says.Code) == 0 && g.Says.Text == "" {
				add(g.Line, "step %q: says: needs code: or text:", st.Title)
			}
			if g.Message != nil && g.Message.User == "" {
				add(g.Line, "step %q: message: needs user:", st.Title)
			}
			if g.Mailbox != nil && (g.Mailbox.User == "" || g.Mailbox.Name == "") {
				add(g.Line, "step %q: mailbox: needs user: and name:", st.Title)
			}
			if g.Reply != nil && len(g.Reply.Code) == 0 && len(g.Reply.Enhanced) == 0 && len(g.Reply.RespCode) == 0 {
				add(g.Line, "step %q: reply: needs code: (or enhanced: / respcode:) so a refusal does not count as success", st.Title)
			}
		})
	}
	if len(st.Solution) == 0 {
		add(st.Line, "step %q: a live step needs a solution: (what \"show me\" sends)", st.Title)
	}
	lists := [][]Send{st.Solution, st.Wrong}
	for _, d := range st.Deadends {
		lists = append(lists, d.Detour, d.Recover)
		if d.When != nil {
			d.When.walk(func(g *Goal) {
				for _, s := range []*string{sessionOf(g.Sent), sessionOfR(g.Reply), sessionOfY(g.Says), sessionOfS(g.State), sessionOfC(g.Closed), sessionOfC(g.TLS)} {
					if s != nil && *s == "" {
						*s = st.Session
					}
				}
			})
		}
	}
	for _, list := range lists {
		for i := range list {
			s := &list[i]
			if s.Session == "" {
				s.Session = st.Session
			}
			if !hasSession(s.Session) {
				add(st.Line, "step %q: solution names session %q, which is not declared", st.Title, s.Session)
			}
			for _, l := range s.Lines {
				if strings.ContainsAny(l, "\r") {
					add(st.Line, "step %q: a line to send contains a carriage return", st.Title)
				}
			}
		}
	}
	return errs
}

func sessionOf(c *SentCheck) *string {
	if c == nil {
		return nil
	}
	return &c.Session
}

func sessionOfR(c *ReplyCheck) *string {
	if c == nil {
		return nil
	}
	return &c.Session
}

func sessionOfS(c *StateCheck) *string {
	if c == nil {
		return nil
	}
	return &c.Session
}

func sessionOfC(c *ClosedCheck) *string {
	if c == nil {
		return nil
	}
	return &c.Session
}

func sessionOfY(c *SaysCheck) *string {
	if c == nil {
		return nil
	}
	return &c.Session
}
