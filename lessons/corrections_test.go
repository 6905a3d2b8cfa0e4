package lessons

import (
	"strings"
	"testing"
)

// lessonCorrection is one statement of a built-in lesson that an
// RFC-literate review (issue 22) found wrong, misleading or imprecise: the
// lesson, the step (or the introduction, for step ""), and what its parsed
// text (prose, text after the block, hints, question explanation) must now
// say.
type lessonCorrection struct {
	name    string
	lesson  string // lesson id
	step    string // step title; "" is the introduction
	want    []string
	notWant []string
}

// TestLessonCorrections holds the review's points that live in the
// lessons, one row per point, named after it.
func TestLessonCorrections(t *testing.T) {
	rows := []lessonCorrection{
		{
			name: "lesson 06: failed logins slow down (issue 15, point 8)", lesson: "smtp-errors-help-desk", step: "535 - wrong password",
			want: []string{"after the third failure this server waits 1 s"},
		},
		{
			name: "lesson 01: PLAIN is NUL, user, NUL, password (RFC 4616 §2)", lesson: "journey-of-an-email", step: "Alice logs in",
			want:    []string{"RFC 4616 §2", "a zero byte,\n\"alice@example.com\", a zero byte and \"wonderland\""},
			notWant: []string{"separated by zero bytes"},
		},
		{
			name: "lesson 05: the list offers AUTH only after STARTTLS", lesson: "encryption", step: "Say hello again",
			want: []string{"now offers `AUTH PLAIN LOGIN`, which it did not before"},
		},
		{
			name: "lesson 07 points to the lesson that plays POP3 over TLS", lesson: "pop3-first-conversation", step: "Prove it",
			want:    []string{"STLS", "RFC 2595 §4", "995", "\"Reading mail securely\"", "mailtutor explain STLS"},
			notWant: []string{"a later lesson shows it", "The Encryption lesson shows the same switch for SMTP"},
		},
		{
			name: "lesson 06: greylisting retries come later, from the queue, on a new connection", lesson: "smtp-errors-help-desk", step: "451 - greylisting",
			want:    []string{"in their queue", "new connection", "RFC 5321", "§4.5.4.1"},
			notWant: []string{"retry after a few minutes"},
		},
		{
			name: "lesson 06: the simulator's retry at once is not what a real server does", lesson: "smtp-errors-help-desk", step: "Try again",
			want:    []string{"A real server would come back later", "new connection", "accepts a retry at once"},
			notWant: []string{"Now do what a real server does"},
		},
		{
			name: "lesson 06: X.2.2 mailbox full is a persistent transient failure", lesson: "smtp-errors-help-desk", step: "452 - mailbox full",
			want: []string{"RFC 3463 §3.3", "persistent transient", "452 4.2.2"},
		},
		{
			name: "lesson 06: Outlook, not Thunderbird, keeps a refused message in the Outbox", lesson: "smtp-errors-help-desk", step: "What happens to the message?",
			want:    []string{"Outlook keeps the message in its Outbox", "Thunderbird says the server is unavailable and leaves the message in its compose window"},
			notWant: []string{"says the server is unavailable and keeps the message in the Outbox"},
		},
		{
			name: "lesson 06: a 4.x.x code inside a bounce", lesson: "smtp-errors-help-desk", step: "",
			want: []string{"550 4.4.7", "RFC 3463 §2", "lasted until the sender gave up"},
		},
		{
			name: "lesson 06 triage: 4.x.x does not always fix itself", lesson: "smtp-errors-help-desk", step: "Triage",
			want:    []string{"4.x.x at temporary problems (in a bounce, one that lasted"},
			notWant: []string{"temporary problems that fix themselves"},
		},
		{
			name: "lesson 10: IMAP ENVELOPE is the header fields, not the SMTP envelope; Bcc never in it", lesson: "imap-first-conversation", step: "Look before you read",
			want: []string{"RFC 9051 §7.5.2", "not from the SMTP envelope", "Bcc recipient", "never appears in it"},
		},
		{
			name: "lesson 07: servers may delete by policy, EXPIRE NEVER here", lesson: "pop3-first-conversation", step: "Will the messages still be there?",
			want: []string{"EXPIRE", "RFC 2449 §6.7", "EXPIRE NEVER, so it deletes nothing by itself"},
		},
		{
			name: "lesson 09: servers may delete by policy, EXPIRE NEVER here", lesson: "pop3-leave-a-copy", step: "",
			want: []string{"`EXPIRE`", "RFC 2449 §6.7", "`EXPIRE NEVER`: it deletes"},
		},
		{
			name: "lesson 09 quiz: a server's own EXPIRE policy", lesson: "pop3-leave-a-copy", step: "Where is the 14 days?",
			want: []string{"RFC 2449 §6.7", "EXPIRE 14", "EXPIRE NEVER"},
		},
		{
			name: "lesson 12: phones' push is mostly not IMAP IDLE", lesson: "imap-two-devices", step: "",
			want:    []string{"desktop mail program", "does not IDLE on an ordinary", "IMAP account"},
			notWant: []string{"that is how a phone shows new mail at once"},
		},
		{
			name: "lesson 12: RECENT means this session is the first to be told", lesson: "imap-two-devices", step: "New mail arrives",
			want:    []string{"this\nsession is the first to be told about one message", "RFC 3501 §2.3.2"},
			notWant: []string{"one of\nthem is new"},
		},
		{
			name: `lesson 10: \Recent means this session is the first to be told`, lesson: "imap-first-conversation", step: "Look before you read",
			want:    []string{"this session is the first\nto be told about the message, RFC 3501 §2.3.2"},
			notWant: []string{"arrived since the folder"},
		},
		{
			name: `lesson 11: \Recent means this session is the first to be told`, lesson: "imap-flags-and-folders", step: "Star a message",
			want:    []string{"this session\nis the first to be told about the message", "RFC 3501 §2.3.2"},
			notWant: []string{"arrived\nsince the folder was last opened"},
		},
		{
			name: "lesson 10: an untagged line before login is BAD per RFC 9051 §7.1.3", lesson: "imap-first-conversation", step: "What can this server do?",
			want:    []string{"RFC 9051 §7.1.3 answers it with BAD", "go-imap", "not the RFC's rule"},
			notWant: []string{"before login it hangs up: that is a security measure"},
		},
		{
			name: `lesson 11: \Deleted plus EXPUNGE is permanent and visible to other sessions`, lesson: "imap-flags-and-folders", step: "Gone for good",
			want:    []string{"seen by\nevery session", "EXPUNGE is final", "RFC 9051 §6.4.3"},
			notWant: []string{"This is the two-step delete of IMAP, like POP3's DELE and QUIT."},
		},
		{
			name: "lesson 02: Date and From are mandatory", lesson: "smtp-first-conversation", step: "Write the message and end it with a dot",
			want: []string{"RFC 5322 §3.6", "`Date:`", "`From:`", "mandatory"},
		},
		{
			name: "lesson 15: Date and From are mandatory", lesson: "anatomy-of-a-message", step: "The simplest message",
			want: []string{"Only `Date` and `From` are mandatory", "RFC 5322 §3.6"},
		},
		{
			name: "lesson 03: receivers do check From: (DMARC)", lesson: "envelope-vs-headers", step: "",
			want:    []string{"DMARC", "RFC 7489", "`From:`"},
			notWant: []string{"servers mostly\n  ignore it"},
		},
		{
			name: "lesson 15: any space or tab starts a continuation line", lesson: "anatomy-of-a-message", step: "The simplest message",
			want:    []string{"a\nspace or a tab, continues the field above it", "RFC 5322 §2.2.3"},
			notWant: []string{"A line that starts with a tab continues"},
		},
	}
	cat, errs := Load(true)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, c := range rows {
		t.Run(c.name, func(t *testing.T) {
			l, ok := cat.Lesson(c.lesson)
			if !ok {
				t.Fatalf("no lesson %q", c.lesson)
			}
			text := l.Intro
			if c.step != "" {
				text = ""
				for _, st := range l.Steps {
					if st.Title == c.step {
						text = strings.Join(append([]string{st.Prose, st.After, st.QuestionText, st.Explanation}, st.Hints...), "\n")
					}
				}
				if text == "" {
					t.Fatalf("lesson %s has no step %q", c.lesson, c.step)
				}
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("lesson %s, step %q does not say %q:\n%s", c.lesson, c.step, w, text)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(text, w) {
					t.Errorf("lesson %s, step %q still says %q", c.lesson, c.step, w)
				}
			}
		})
	}
}
