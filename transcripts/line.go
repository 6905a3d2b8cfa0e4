// Package transcripts turns wire events into annotated lines and keeps them.
//
// The flow is one way: the simulator publishes wire.Events, a Recorder hands
// each session's events to that session's Annotator, and the resulting Lines
// are what the screen shows, what a saved transcript holds and what the
// lesson checker reads. Because all three read the same Lines, what the
// learner saw is exactly what is saved.
//
// Files: line.go (the Line model), annotate*.go (one annotator per
// protocol, shared helpers in annotate.go), recorder.go, transcript.go (the
// JSON Lines file format; transcript_writer.go writes one as it goes),
// export_*.go (Markdown, HTML, text, sharing handout.go: session labels and
// the glossary; diagram.go draws the HTML's sequence diagrams) and
// replay.go.
package transcripts

import (
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Level grades a line for colour and for the learner's attention.
type Level int

const (
	Info    Level = iota // neutral: a command, a continuation, a meta event
	Success              // the server said yes
	Warning              // a mistake by the client, or a temporary failure worth retrying
	Error                // a permanent failure: retrying the same thing will not help
)

var levelNames = [...]string{"info", "success", "warning", "error"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "info"
}

// parseLevel is the inverse of String; unknown names are Info.
func parseLevel(s string) Level {
	for i, n := range levelNames {
		if n == s {
			return Level(i)
		}
	}
	return Info
}

// Line is one annotated line: what the screen shows, the transcript saves and
// the lesson checker reads.
type Line struct {
	Seq     uint64 // wire.Event.Seq
	Session wire.SessionID
	Proto   wire.Proto
	Role    wire.Role
	Dir     wire.Dir
	Kind    wire.Kind
	Time    time.Time
	// Text is the line for display: no CRLF, secrets masked (unless
	// revealed), control bytes escaped. A Payload is summarised
	// ("[message body: 2,048 bytes, 42 lines, ends with <CRLF>.<CRLF>]").
	Text      string
	Raw       []byte // exact bytes (secret range masked unless revealed)
	Encrypted bool   // the bytes travelled inside TLS
	Secret    bool   // the line held a credential
	// Verb is, on a client line, the command verb ("RCPT", "UID FETCH"); on a
	// server line, the command it answers.
	Verb     string
	Tag      string // IMAP tag of the command / tagged response
	Code     string // SMTP "250"; POP3 "+OK"/"-ERR"; IMAP "OK"/"NO"/"BAD"/"BYE"/"PREAUTH"/"+" or the untagged kind ("EXISTS")
	Enhanced string // SMTP enhanced status code "2.1.5"
	RespCode string // POP3 "IN-USE", IMAP "TRYCREATE" (no brackets)
	// State is the protocol state after the line: SMTP "connected",
	// "greeted", "mail", "rcpt", "data", "quit"...; POP3 "AUTHORIZATION",
	// "TRANSACTION", "UPDATE"; IMAP "not authenticated", "authenticated",
	// "selected INBOX", "logout".
	State  string
	Note   string // the one-line annotation, in context
	Detail string // the full explanation (Markdown)
	RFC    string // "RFC 5321 §4.1.1.3"
	Level  Level
	// Complete marks a server line that completes the reply to a command:
	// SMTP last line of a reply, POP3 single-line +OK/-ERR or the "." ending
	// a multi-line one, IMAP tagged response. Lessons wait for it.
	Complete bool
	// Answers and OK are the protocol model's facts (wire.Event): on the
	// server line that completes a reply, the command it answers and
	// whether the reply was a success. Screens react to them (the TLS
	// go-ahead, DATA's 354) instead of parsing the line again.
	Answers string
	OK      bool
	// Unknown says no knowledge matched and a generic note was used.
	Unknown bool

	// masked is the same line with every credential hidden, kept when the
	// annotator revealed secrets, so that saving without RevealSecrets can
	// still hide them. Nil when the line shows no secret.
	masked *Line
}

// Masked returns the line with credentials hidden. It is the line itself when
// nothing was revealed.
func (l Line) Masked() Line {
	if l.masked != nil {
		return *l.masked
	}
	return l
}
