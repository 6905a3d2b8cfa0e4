package kb

import (
	"strings"
	"testing"
)

// correction is one statement of the knowledge base that an RFC-literate
// review (issue 22) found wrong, misleading or imprecise: what `mailtutor
// explain` must now say about the query, read from the one entry with key.
type correction struct {
	name    string
	query   string   // what the learner types after "mailtutor explain"
	key     string   // the entry of the answer the point is about
	rfc     string   // the entry's RFC reference, when the point is about it
	want    []string // in the entry as `explain` prints it
	notWant []string // the old wording, which must be gone
}

// TestCorrections holds the review's points that live in the knowledge
// base, one row per point, named after it.
func TestCorrections(t *testing.T) {
	rows := []correction{
		{name: "IN-USE is RFC 2449 §8.1.2", query: "-ERR [IN-USE] maildrop locked", key: "IN-USE", rfc: "RFC 2449 §8.1.2"},
		{name: "LOGIN-DELAY is RFC 2449 §8.1.1", query: "-ERR [LOGIN-DELAY] wait", key: "LOGIN-DELAY", rfc: "RFC 2449 §8.1.1"},
		{name: "AUTH-RESP-CODE is RFC 3206 §6", query: "AUTH-RESP-CODE", key: "AUTH-RESP-CODE", rfc: "RFC 3206 §6"},
		{
			name: "a 4.x.x code inside a final bounce is explained as the whole reply", query: "550 4.4.7 QUEUE.Expired; message expired", key: "4.4.7",
			rfc:     "RFC 3463 §3.5 (X.4.7)",
			want:    []string{"given up for good", "will not be retried", "RFC 3463 §2", "in a 550"},
			notWant: []string{"The sending server keeps the message and retries later; if the condition lasts", "RFC 3463 §3.1)"},
		},
		{
			name: "a 4.x.x code in a 4xx reply still means a retry", query: "451 4.4.7 try later", key: "4.4.7",
			want:    []string{"In a live SMTP reply (4xx) the sending server keeps the message and retries later"},
			notWant: []string{"The whole reply"},
		},
		{
			name: "552 for too many recipients is treated as temporary", query: "552", key: "552",
			rfc:     "RFC 5321 §4.2.2; §4.5.3.1.10",
			want:    []string{"treat such a 552 as temporary", "RFC 5321 §4.5.3.1.10"},
			notWant: []string{"that is 452 now"},
		},
		{
			name: "greylisting retries come later from the queue on a new connection", query: "451 4.7.1 greylisted", key: "4.7.1",
			want:    []string{"later, after a minimum delay", "on a new connection", "RFC 5321 §4.5.4.1"},
			notWant: []string{"accepts the retry a few minutes later"},
		},
		{
			name: "450 greylisting retries come later from the queue on a new connection", query: "450", key: "450",
			want: []string{"from its queue on a new connection", "RFC 5321 §4.5.4.1"},
		},
		{
			name: "454 4.7.1 Relay access denied is Postfix's relay refusal", query: "454 4.7.1 <x@gmail.com>: Relay access denied", key: "454",
			want:    []string{"Postfix's relay refusal", "Relay access denied", "587", "has not logged in"},
			notWant: []string{"— TLS not available now, or temporary authentication failure"},
		},
		{
			name: "4.7.1 names Postfix's relay refusal besides greylisting", query: "454 4.7.1 <x@gmail.com>: Relay access denied", key: "4.7.1",
			want: []string{"Relay access denied", "port 587"},
		},
		{
			name: "Outlook, not Thunderbird, keeps a refused message in the Outbox (421)", query: "421", key: "421",
			want:    []string{"Outlook keeps the message in its Outbox", "Thunderbird shows the error and leaves the message in its compose window"},
			notWant: []string{"the message stays in the Outbox"},
		},
		{
			name: "Outlook, not Thunderbird, keeps a refused message in the Outbox (451)", query: "451", key: "451",
			want:    []string{"Outlook keeps the message in its Outbox", "Thunderbird shows the error"},
			notWant: []string{"the message stays in the Outbox"},
		},
		{
			name: "X.2.2 mailbox full is a persistent transient failure", query: "452 4.2.2 Mailbox full", key: "4.2.2",
			rfc:  "RFC 3463 §3.3 (X.2.2)",
			want: []string{"persistent transient", "452 4.2.2", "retries"},
		},
		{
			name: "5.2.2 says a full mailbox should be temporary", query: "552 5.2.2 Mailbox full", key: "5.2.2",
			rfc:  "RFC 3463 §3.3 (X.2.2)",
			want: []string{"persistent transient failure (`452 4.2.2`)"},
		},
		{name: "RFC 3463 sections: X.7.1 is §3.8", query: "5.7.1", key: "5.7.1", rfc: "RFC 3463 §3.8 (X.7.1)"},
		{name: "RFC 3463 sections: X.1.1 is §3.2", query: "5.1.1", key: "5.1.1", rfc: "RFC 3463 §3.2 (X.1.1)"},
		{name: "RFC 3463 sections: X.3.4 is §3.4", query: "5.3.4", key: "5.3.4", rfc: "RFC 3463 §3.4 (X.3.4)"},
		{name: "RFC 3463 sections: X.5.2 is §3.6", query: "5.5.2", key: "5.5.2", rfc: "RFC 3463 §3.6 (X.5.2)"},
		{name: "RFC 3463 sections: X.6.0 is §3.7", query: "X.6.0", key: "X.6.0", rfc: "RFC 3463 §3.7 (X.6.0)"},
		{
			name: "XOAUTH2 is not strictly required by Gmail", query: "XOAUTH2", key: "XOAUTH2",
			want:    []string{"app password", "2-Step Verification", "tenant by tenant"},
			notWant: []string{"Required by Gmail and Microsoft 365"},
		},
		{
			name: "535: Gmail takes an app password, Microsoft 365 per tenant", query: "535", key: "535",
			want:    []string{"app password", "tenant by tenant"},
			notWant: []string{"Gmail and Microsoft 365 require OAuth2"},
		},
		{
			name: "SMTPUTF8 addresses that cannot pass are 5.6.7, UTF-8 headers 5.6.9", query: "MAIL FROM:<a@b> SMTPUTF8", key: "SMTPUTF8",
			want:    []string{"5.6.7", "5.6.9", "RFC 6531 §3.5"},
			notWant: []string{"must bounce it (5.6.7)"},
		},
		{name: "5.6.7 is RFC 6531 §3.5", query: "553 5.6.7 non-ASCII address", key: "5.6.7", rfc: "RFC 6531 §3.5 (X.6.7)"},
		{
			name: "5.6.9 is RFC 6531 §3.5, for UTF-8 header fields", query: "554 5.6.9 cannot pass", key: "5.6.9", rfc: "RFC 6531 §3.5 (X.6.9)",
			want: []string{"UTF-8 header fields", "554 5.6.9"},
		},
		{
			name: `\Recent means this session is the first to be told`, query: `\Recent`, key: `\RECENT`, rfc: "RFC 3501 §2.3.2",
			want:    []string{"first to be notified", "first to be told"},
			notWant: []string{"arrived since the last session"},
		},
		{
			name: "RECENT counts what this session is the first to be told about", query: "* 1 RECENT", key: "RECENT",
			want:    []string{"first to be told about", "RFC 3501 §2.3.2"},
			notWant: []string{"arrived since the previous session"},
		},
		{
			name: "an untagged line before login is BAD per RFC 9051 §7.1.3", query: "* BAD missing tag", key: "BAD",
			want: []string{"RFC 9051 §7.1.3 answers such a line with BAD, before login too", "go-imap", "not the RFC's rule"},
		},
		{
			name: "IMAP ENVELOPE is built from the header fields, Bcc never in it", query: "ENVELOPE", key: "ENVELOPE",
			want: []string{"not the SMTP envelope", "Bcc recipient who was only in RCPT TO appears nowhere"},
		},
		{
			name: "EXPIRE: servers may delete by policy, EXPIRE NEVER means they do not", query: "EXPIRE", key: "EXPIRE", rfc: "RFC 2449 §6.7",
			want:    []string{"delete mail by its own policy", "`EXPIRE NEVER`: the server deletes nothing by itself"},
			notWant: []string{"`EXPIRE NEVER` means they stay"},
		},
		{
			name: "-ERR send USER first, then PASS is not a wrong password", query: "-ERR send USER first, then PASS", key: "-ERR",
			want:    []string{"`-ERR send USER first, then PASS`", "mistake in the order of commands", "RFC 1939 §7"},
			notWant: []string{"A -ERR to PASS means the login failed"},
		},
		{
			name: "a 500 typo does not bounce (5.5.2)", query: "500 5.5.2 Error: command not recognized", key: "5.5.2",
			want:    []string{"Nothing bounces", "session goes on"},
			notWant: []string{"The sender gets a bounce"},
		},
		{
			name: "a 500 typo does not bounce (500)", query: "500 5.5.2 Error: command not recognized", key: "500",
			want: []string{"nothing bounces", "session goes on"},
		},
		{
			name: "a 5.1.2 still bounces", query: "550 5.1.2 Bad destination system", key: "5.1.2",
			want: []string{"The sender gets a bounce"},
		},
	}
	for _, c := range rows {
		t.Run(c.name, func(t *testing.T) {
			entries, err := Explain(c.query)
			if err != nil {
				t.Fatalf("explain %q: %v", c.query, err)
			}
			var e Entry
			found := false
			for _, x := range entries {
				if x.Key == c.key {
					e, found = x, true
					break
				}
			}
			if !found {
				t.Fatalf("explain %q gives no %s entry", c.query, c.key)
			}
			if c.rfc != "" && e.RFC != c.rfc {
				t.Errorf("explain %q: %s cites %q, want %q", c.query, c.key, e.RFC, c.rfc)
			}
			text := Markdown([]Entry{e})
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("explain %q: %s does not say %q:\n%s", c.query, c.key, w, text)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(text, w) {
					t.Errorf("explain %q: %s still says %q", c.query, c.key, w)
				}
			}
		})
	}
}
