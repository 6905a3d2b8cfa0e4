package tui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// level grades a line the way the annotator does: a 2xx reply is a success,
// a 5xx an error.
type level int

const (
	levelInfo level = iota
	levelSuccess
	levelWarning
	levelError
)

// item is one line of a conversation as the screens show it: the part of an
// annotated transcripts.Line the TUI needs. Converting into this small type
// at one place (feed.go) keeps every screen independent of how lines are
// produced (live, replayed, built by a test).
type item struct {
	Seq       uint64         // global order
	Session   wire.SessionID // which connection
	Proto     wire.Proto     // protocol spoken
	Role      wire.Role      // listener the session arrived on
	Dir       wire.Dir       // client, server or meta
	Kind      wire.Kind      // line, payload, open, close, tls...
	Time      time.Time      // when the tap saw it
	Text      string         // as shown: no line ending, secrets masked
	Encrypted bool           // travelled inside TLS
	Verb      string         // the command sent, or answered by this reply
	Code      string         // reply code: "250", "+OK", "OK"...
	State     string         // protocol state after this line ("greeted", "TRANSACTION"...)
	Note      string         // one-line annotation
	Detail    string         // full explanation (Markdown)
	RFC       string         // where the RFC says so
	Client    string         // what a mail-program user would see
	Level     level          // colour of the annotation
	Complete  bool           // the last line of a (multi-line) reply
	Tag       string         // IMAP tag of the command, or of the tagged reply
	Answers   string         // the protocol model's fact: the command this reply completes
	OK        bool           // with Answers: the reply was a success
	// Literal is the first lines of an IMAP literal's text (the bytes of
	// an APPEND, a FETCH's message), shown folded under its "[literal: …]"
	// line; LiteralLines counts all its lines. Empty for a literal the
	// protocol model marks as a credential (a LOGIN password).
	Literal      []string
	LiteralLines int
}

// maxLiteralLines bounds the lines of a literal an item keeps (the
// explain pane shows them all, the conversation the first few).
const maxLiteralLines = 12

// foldedLiteralLines is how many of a literal's lines the conversation
// shows before "… N more lines".
const foldedLiteralLines = 4

// maxShownBytes bounds how much of one line is drawn: a 1 MB reply is kept
// whole in the transcript but the screen shows its start and its size.
const maxShownBytes = 2048

// maxPayloadLines bounds how many lines of a message body are drawn.
const maxPayloadLines = 12

// printable makes any text safe to draw: wire.Visible shows control
// bytes, bidi controls and invalid UTF-8 as escapes ("\x1b", "\u202e",
// "\xff"), after tabs became two spaces so widths come out right. A
// terminal must never receive a raw escape sequence from a server: it
// could move the cursor or change colours under the UI.
func printable(s string) string {
	if strings.IndexByte(s, '\t') >= 0 {
		s = strings.ReplaceAll(s, "\t", "  ")
	}
	return wire.Visible(s)
}

// shorten cuts s to at most max bytes on a rune boundary and says how much
// was left out.
func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" … (%s more not shown)", humanBytes(len(s)-cut))
}

// humanBytes writes a size the way a person reads it.
func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
