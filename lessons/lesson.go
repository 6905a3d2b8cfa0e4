// Package lessons turns mailtutor from a telnet into a teacher. A lesson is a
// Markdown file with YAML front matter (see FORMAT.md): it describes the mail
// world to start, the sessions the learner types into, and a list of steps.
// Each live step has a goal checked against reality: the annotated lines the
// servers really answered and the state of the mail store. The package loads
// and validates lessons (built-in ones are embedded in the binary, teachers add
// their own directories), plays them (Run, driven by the TUI), checks them
// (CheckAll, for "mailtutor lessons check"), plays their solutions for a
// projector (Auto) and remembers each learner's progress.
package lessons

import (
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Group is a chapter of the curriculum.
type Group struct {
	ID      string    // "smtp"
	Name    string    // "SMTP", as the menu shows it
	Lessons []*Lesson // sorted by Order, then ID
}

// groupNames lists the chapters in display order. It is a function, not a
// package variable, so nothing can change it at run time.
func groupNames() []Group {
	return []Group{
		{ID: "journey", Name: "The journey of an email"},
		{ID: "smtp", Name: "SMTP"},
		{ID: "pop3", Name: "POP3"},
		{ID: "imap", Name: "IMAP"},
		{ID: "pop3-vs-imap", Name: "POP3 vs IMAP"},
		{ID: "anatomy", Name: "Anatomy of a message"},
		{ID: "troubleshooting", Name: "Troubleshooting"},
	}
}

// Lesson is one loaded, validated lesson.
type Lesson struct {
	Meta
	// File is where the lesson came from ("builtin:content/02-smtp-first.md"
	// or a path on disk), for error messages.
	File string
	// Intro is the Markdown prose between the front matter and the first step.
	Intro string
	// Steps in order.
	Steps []*Step
	// attachments holds the .eml and transcript files next to the lesson,
	// by name, read at load time so a Run never touches the disk.
	attachments map[string][]byte
}

// Meta is the lesson's front matter.
type Meta struct {
	ID            string                 `yaml:"id"`            // unique, lower-case: "smtp-first-conversation"
	Title         string                 `yaml:"title"`         // shown in menus
	Summary       string                 `yaml:"summary"`       // one sentence for the lesson list
	Group         string                 `yaml:"group"`         // chapter id, see groupNames
	Order         int                    `yaml:"order"`         // position in the chapter
	Protocols     StringList             `yaml:"protocols"`     // smtp, pop3, imap
	Level         string                 `yaml:"level"`         // beginner, intermediate, advanced
	Minutes       int                    `yaml:"minutes"`       // expected duration
	Prerequisites StringList             `yaml:"prerequisites"` // lesson ids worth doing first
	World         World                  `yaml:"world"`         // the mail world to start
	Sessions      map[string]SessionSpec `yaml:"sessions"`      // named connections the learner types into
	// sessionOrder keeps the sessions in the order the file lists them.
	sessionOrder []string
}

// SessionNames lists the lesson's sessions in the order the file declares them.
func (l *Lesson) SessionNames() []string { return append([]string(nil), l.sessionOrder...) }

// World is the mail world a lesson starts from.
type World struct {
	// Users replaces the default users (alice@example.com / wonderland,
	// bob@example.org / builder) when not empty.
	Users []UserSpec `yaml:"users"`
	// Seed is "default" (the sample messages) or "none" (empty mailboxes).
	Seed string `yaml:"seed"`
	// Mailboxes are extra folders to create.
	Mailboxes []MailboxSpec `yaml:"mailboxes"`
	// Messages are delivered before the lesson starts.
	Messages []MessageSpec `yaml:"messages"`
	// Faults are switched on from the start (simulator/fault names).
	Faults StringList `yaml:"faults"`
	// DNS changes the world's DNS records from the start, one record a
	// line as `mailtutor serve --dns` takes them: `example.com TXT
	// "v=spf1 -all"` replaces example.com's SPF record; `-NAME TYPE` removes.
	DNS StringList `yaml:"dns"`
	// QuotaBytes limits each user's mail, every mailbox together, in
	// octets, as a provider's storage quota does: once it is reached SMTP
	// answers 452 4.2.2 and IMAP APPEND NO [OVERQUOTA]. 0 keeps the
	// simulator's default (50 MiB), more than any lesson fills.
	QuotaBytes int64 `yaml:"quota_bytes"`
}

// UserSpec is a user of the lesson's world.
type UserSpec struct {
	Address  string `yaml:"address"`  // alice@example.com
	Password string `yaml:"password"` // what LOGIN / PASS / AUTH expects
	// Token is an OAuth 2.0 access token the world's provider issued to
	// the user: the servers then offer and accept SASL XOAUTH2 and
	// OAUTHBEARER with it. The lesson shows it to the learner.
	Token string `yaml:"token"`
	// OAuthOnly refuses the user's password logins, even with the right
	// password (Microsoft's retirement of basic authentication: SMTP
	// 535 5.7.139): only the token logs in.
	OAuthOnly bool `yaml:"oauth_only"`
}

// MailboxSpec is an extra folder.
type MailboxSpec struct {
	User string `yaml:"user"` // owner's address
	Name string `yaml:"name"` // folder name, "/" separates levels: "Projects/2026"
}

// MessageSpec is a message waiting in a mailbox when the lesson starts.
type MessageSpec struct {
	To      string     `yaml:"to"`      // owner's address (required)
	Mailbox string     `yaml:"mailbox"` // default INBOX
	Flags   StringList `yaml:"flags"`   // e.g. [\Seen]
	File    string     `yaml:"file"`    // an .eml file next to the lesson; or the fields below
	From    string     `yaml:"from"`    // header From (default: the first other user)
	Subject string     `yaml:"subject"` // header Subject
	Body    string     `yaml:"body"`    // plain text body
}

// SessionSpec is a named connection the lesson opens for the learner.
type SessionSpec struct {
	Role wire.Role `yaml:"role"` // mx, submission, submissions, pop3, pop3s, imap, imaps
	// Label is shown in the session tab ("Laptop (Thunderbird)"); default the name.
	Label string `yaml:"label"`
	// Later means the session is not opened at the start: a step opens it
	// with "open:" or a solution entry "open: NAME".
	Later bool `yaml:"later"`
}

// StepKind tells live steps from question steps.
type StepKind int

const (
	// Live steps are done by typing commands; their goal is checked against
	// what the servers answered and what the store holds.
	Live StepKind = iota
	// Question steps ask a multiple-choice question (predict, then see).
	Question
	// Read steps only show prose and are done when the learner moves on.
	Read
)

// Step is one step of a lesson.
type Step struct {
	Title string // from "## Step: title"
	Prose string // Markdown between the heading and the step block
	// After is the Markdown below the step block: what just happened,
	// shown once the step is done rather than before the learner acts.
	After string
	Kind  StepKind
	Line  int // file line of the heading, for messages

	Session  string     // the session the step is typed into (default: the first)
	Expect   StringList // commands shown as ghost text
	Goal     *Goal      // live steps: what must be true to pass
	Hints    StringList // escalating
	Solution []Send     // "show me": what to send
	Wrong    []Send     // a wrong attempt the goal must reject (lessons check)
	Deadends []Deadend  // detours a learner is likely to take, and the way back
	// Open and Close list sessions opened / closed (dropped without a word,
	// like a pulled cable) when the step becomes active.
	Open      StringList
	FaultsOn  StringList // faults switched on when the step becomes active
	FaultsOff StringList // faults switched off when the step becomes active
	DNS       StringList // DNS records set (or removed) when the step becomes active, as World.DNS

	// Replay names a recorded session to show with the step (a transcript
	// file next to the lesson, as "mailtutor" saves them): the learner
	// steps through it line by line, e.g. before naming the fault it shows.
	// Lesson.Replay(i) loads it. Any kind of step may have one; a block
	// with only replay: is a reading step.
	Replay string

	QuestionText string     // question steps
	Choices      StringList // question steps
	Answer       int        // index into Choices, from 0 (the file says 1, 2, ...)
	Explanation  string     // shown after answering
}

// Send is one thing the solution player does.
type Send struct {
	Session string // which session (default: the step's)
	// Lines are sent as is, each followed by CRLF, in one write. A DATA body
	// with its final "." is one Send.
	Lines []string
	// Wait says what to wait for before the next Send: WaitReply (the
	// complete reply), WaitNone, WaitContinue ("+ " or "334"), WaitClose (the
	// server hangs up).
	Wait string
	// Action is "" (send Lines), "open" (connect the session), "close"
	// (drop the connection without a word) or "starttls" (TLS handshake
	// after the server said go ahead).
	Action string
}

// Wait values for Send.
const (
	WaitReply    = "reply"
	WaitNone     = "none"
	WaitContinue = "continue"
	WaitClose    = "close"
)

// Live reports whether the step is checked against reality.
func (s *Step) Live() bool { return s.Kind == Live }
