package tui

import (
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// outcome is how a reply ended the command it answers: what the note's
// colour says, said again by a mark and a word so that it reads the same
// without colour (NO_COLOR, a colourless terminal, a printout).
type outcome int

const (
	outcomeNone outcome = iota // not a reply that ends a command
	outcomeOK                  // SMTP 2xx/3xx, POP3 +OK, IMAP tagged OK
	outcomeTemp                // a temporary failure: try again later (SMTP 4xx, POP3 [IN-USE], IMAP [UNAVAILABLE])
	outcomeFail                // a permanent failure or a refusal: do something else
)

// mark is the outcome's mark and word: "✓ ok", "⧗ temp", "✗ fail".
func (o outcome) mark() string {
	switch o {
	case outcomeOK:
		return "✓ ok"
	case outcomeTemp:
		return "⧗ temp"
	case outcomeFail:
		return "✗ fail"
	}
	return ""
}

// replyOutcome grades a server line. The protocol model's facts decide
// (Answers and OK are set on the line that completes a reply); a line from
// a transcript without them (an older file, a log) is graded by its SMTP
// code when it ends a reply.
func replyOutcome(it item) outcome {
	if it.Dir != wire.FromServer {
		return outcomeNone
	}
	if it.Answers == "" {
		if it.Proto != wire.SMTP || !smtpFinalReply(it.Text) {
			return outcomeNone
		}
		return smtpOutcome(it.Text[0])
	}
	if it.OK {
		return outcomeOK
	}
	switch it.Proto {
	case wire.SMTP:
		if smtpFinalReply(it.Text) {
			return smtpOutcome(it.Text[0])
		}
	case wire.POP3:
		// RFC 2449 §8 and RFC 3206: these codes say "not now".
		if hasAnyCode(it.Text, "[IN-USE]", "[LOGIN-DELAY]", "[SYS/TEMP]") {
			return outcomeTemp
		}
	case wire.IMAP:
		// RFC 5530: the server cannot do it now, it may later.
		if hasAnyCode(it.Text, "[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[SERVERBUG]") {
			return outcomeTemp
		}
	}
	return outcomeFail
}

// smtpFinalReply reports whether text is the last line of an SMTP reply:
// three digits, then a space or nothing.
func smtpFinalReply(text string) bool {
	if len(text) < 3 || (len(text) > 3 && text[3] != ' ') {
		return false
	}
	for i := 0; i < 3; i++ {
		if text[i] < '0' || text[i] > '9' {
			return false
		}
	}
	return true
}

func smtpOutcome(first byte) outcome {
	switch first {
	case '2', '3':
		return outcomeOK
	case '4':
		return outcomeTemp
	}
	return outcomeFail
}

func hasAnyCode(text string, codes ...string) bool {
	up := strings.ToUpper(text)
	for _, c := range codes {
		if strings.Contains(up, c) {
			return true
		}
	}
	return false
}
