// Package kb is mailtutor's protocol knowledge base: every SMTP, POP3 and IMAP
// command, reply code, enhanced status code, response code, capability and
// data item a learner meets, each with a one-line summary, a plain-language
// explanation and the RFC section that defines it. It is pure data plus
// lookups; the annotators in package transcripts use it to explain lines in
// context.
package kb

import (
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Kind says what sort of protocol element an entry describes.
type Kind string

const (
	Command      Kind = "command"       // a command verb: "MAIL", "RETR", "UID FETCH"
	ReplyCode    Kind = "reply"         // an SMTP basic reply code: "250", "550"
	EnhancedCode Kind = "enhanced"      // an SMTP enhanced status code: "5.7.1" (class.subject.detail)
	ResponseCode Kind = "response-code" // POP3 "[IN-USE]", IMAP "[TRYCREATE]" (key without brackets)
	Capability   Kind = "capability"    // EHLO keyword, POP3 CAPA tag, IMAP capability: "PIPELINING", "IDLE"
	Response     Kind = "response"      // status and untagged responses: "+OK", "-ERR", "OK", "NO", "BAD", "BYE", "EXISTS", "FETCH"
	FetchItem    Kind = "fetch-item"    // IMAP FETCH data items: "FLAGS", "ENVELOPE", "BODY[]"
	Parameter    Kind = "parameter"     // SMTP MAIL/RCPT parameters: "SIZE", "BODY", "SMTPUTF8", "RET", "NOTIFY"
	Mechanism    Kind = "mechanism"     // SASL mechanisms: "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"
	Flag         Kind = "flag"          // IMAP message flags: "\SEEN", "\DELETED", "\*", keywords like "$FORWARDED"
	MailboxAttr  Kind = "mailbox-attr"  // IMAP LIST attributes and special-use: "\NOSELECT", "\HASCHILDREN", "\SENT"
	SearchKey    Kind = "search-key"    // IMAP SEARCH keys: "UNSEEN", "SINCE", "HEADER"
	HeaderField  Kind = "header"        // message header fields a server adds: "AUTHENTICATION-RESULTS", "DKIM-SIGNATURE"
)

// Entry is one piece of protocol knowledge.
type Entry struct {
	Proto   wire.Proto // protocol the entry belongs to
	Kind    Kind       // what sort of element
	Key     string     // canonical key, upper case: "MAIL", "550", "5.7.1", "IN-USE", "UID FETCH"
	Summary string     // one line, under 80 characters, no trailing period
	Explain string     // plain language for a non-expert: what it means and why it happens (Markdown allowed)
	RFC     string     // where it is defined: "RFC 5321 §4.1.1.2"
	Syntax  string     // commands: the form, e.g. "MAIL FROM:<reverse-path> [SP mail-parameters]"
	States  []string   // commands: the protocol states in which it is valid
	Client  string     // codes: what a user of Outlook, Thunderbird or a phone typically sees
	Check   string     // codes: what support staff should check or tell the user
}

// Ref is a compact "Summary (RFC)" form for one-line annotations.
func (e Entry) Ref() string {
	if e.RFC == "" {
		return e.Summary
	}
	return e.Summary + " (" + e.RFC + ")"
}

// NormalizeKey upper-cases a key and strips surrounding brackets and spaces,
// so "[in-use]" and "IN-USE" find the same entry. Only a key that starts with
// "[" loses its brackets: "BODY[]" (a FETCH item) keeps its own.
func NormalizeKey(key string) string {
	key = strings.TrimSpace(key)
	if strings.HasPrefix(key, "[") {
		key = strings.TrimPrefix(key, "[")
		key = strings.TrimSuffix(key, "]")
		key = strings.TrimSpace(key)
	}
	return strings.ToUpper(key)
}
