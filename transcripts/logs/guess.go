package logs

import (
	"net"
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// roleFromAddr names the listener role a well-known port implies. A log
// against an unusual port gives no role: better none than a wrong one.
func roleFromAddr(addr string) wire.Role {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	switch port {
	case "25":
		return wire.RoleMX
	case "587":
		return wire.RoleSubmission
	case "465":
		return wire.RoleSubmissions
	case "110":
		return wire.RolePOP3
	case "995":
		return wire.RolePOP3S
	case "143":
		return wire.RoleIMAP
	case "993":
		return wire.RoleIMAPS
	}
	return ""
}

// The shapes of protocol lines, used to guess a session's protocol and, in
// openssl s_client logs (which carry no direction prefixes), to tell server
// replies from what the user typed.
var (
	smtpReply   = regexp.MustCompile(`^[2-5][0-9][0-9]([ -]|$)`)
	smtpCommand = regexp.MustCompile(`(?i)^(EHLO|HELO|LHLO|MAIL FROM:|RCPT TO:|DATA$|BDAT )`)
	popReply    = regexp.MustCompile(`^(\+OK|-ERR)( |$)`)
	popCommand  = regexp.MustCompile(`(?i)^(USER |PASS |APOP |STAT$|LIST( |$)|RETR |DELE |TOP |UIDL( |$)|CAPA$|STLS$)`)
	imapUntag   = regexp.MustCompile(`^\* `)
	imapTagged  = regexp.MustCompile(`^[A-Za-z0-9.]+ (OK|NO|BAD|BYE|PREAUTH)( |$)`)
	imapCommand = regexp.MustCompile(`(?i)^[A-Za-z0-9.]+ (CAPABILITY|LOGIN|AUTHENTICATE|STARTTLS|SELECT|EXAMINE|CREATE|DELETE|RENAME|SUBSCRIBE|UNSUBSCRIBE|LIST|LSUB|STATUS|APPEND|CHECK|CLOSE|UNSELECT|EXPUNGE|SEARCH|FETCH|STORE|COPY|MOVE|UID|IDLE|NOOP|LOGOUT|ENABLE|ID|NAMESPACE|GETQUOTAROOT|GETQUOTA)( |$)`)
)

// protoScore adds to each protocol's score what one line suggests. Commands
// every protocol shares (QUIT, NOOP, AUTH, STARTTLS) say nothing. The order
// matters: "250 OK" is an SMTP reply before it is an IMAP tagged response,
// and "AUTH LOGIN" is not an IMAP LOGIN tagged "AUTH".
func protoScore(text string, score map[wire.Proto]int) {
	switch {
	case smtpReply.MatchString(text):
		score[wire.SMTP] += 2
	case popReply.MatchString(text):
		score[wire.POP3] += 2
	case imapUntag.MatchString(text) || imapTagged.MatchString(text):
		score[wire.IMAP] += 2
	case smtpCommand.MatchString(text):
		score[wire.SMTP] += 2
	case popCommand.MatchString(text):
		score[wire.POP3] += 2
	case strings.HasPrefix(strings.ToUpper(text), "AUTH "):
		// shared by SMTP and POP3
	case imapCommand.MatchString(text):
		score[wire.IMAP] += 2
	}
}

// guessProto picks the protocol most of the lines look like.
func guessProto(texts []string) (wire.Proto, bool) {
	score := map[wire.Proto]int{}
	for _, t := range texts {
		protoScore(t, score)
	}
	best, bestScore := wire.SMTP, 0
	for _, p := range []wire.Proto{wire.SMTP, wire.POP3, wire.IMAP} {
		if score[p] > bestScore {
			best, bestScore = p, score[p]
		}
	}
	return best, bestScore > 0
}

// guessProtoRecords guesses each session's protocol from its first lines,
// reading the records once (a log may hold thousands of sessions).
func guessProtoRecords(recs []record) map[string]wire.Proto {
	texts := map[string][]string{}
	for _, r := range recs {
		if r.kind != recData || len(texts[r.key]) > 200 {
			continue
		}
		for _, l := range strings.Split(string(r.data), "\n") {
			if l = strings.TrimRight(l, "\r"); l != "" {
				texts[r.key] = append(texts[r.key], l)
			}
		}
	}
	guesses := map[string]wire.Proto{}
	for key, t := range texts {
		if proto, ok := guessProto(t); ok {
			guesses[key] = proto
		}
	}
	return guesses
}

// isServerLine reports whether a line without a direction prefix looks like
// something a server of the protocol sends.
func isServerLine(proto wire.Proto, text string) bool {
	switch proto {
	case wire.SMTP:
		return smtpReply.MatchString(text)
	case wire.POP3:
		return popReply.MatchString(text) || text == "+" || strings.HasPrefix(text, "+ ")
	case wire.IMAP:
		return imapUntag.MatchString(text) || text == "*" || text == "+" || strings.HasPrefix(text, "+ ") || imapTagged.MatchString(text)
	}
	return false
}
