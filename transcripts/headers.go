package transcripts

import (
	"bytes"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A help desk is often handed a message's headers ("show original", "view
// source") and asked where the mail went, why it was late, or why it was
// called spam. ExplainHeaders reads them as a mail server would: the
// Received lines are the route, newest first (RFC 5321 §4.4), each one added
// by the server the message reached; Return-Path is the envelope sender of
// the final delivery; Authentication-Results says what the receiving server
// checked (RFC 8601: SPF, DKIM, DMARC).

// HeaderNote is one header field of a message with its explanation.
type HeaderNote struct {
	Name  string // as written
	Value string // unfolded
	Note  string
}

// MessageReport is what ExplainHeaders makes of a message.
type MessageReport struct {
	Headers []HeaderNote
	// Route sums up the Received lines, oldest first: who handed the
	// message to whom, how, and how long each hop took.
	Route []string
}

var (
	receivedFrom = regexp.MustCompile(`(?i)^from\s+(\S+)(?:\s+\(([^)]*)\))?`) // first, or not at all ("envelope-from" is no from clause)
	receivedBy   = regexp.MustCompile(`(?i)\bby\s+(\S+)`)
	receivedWith = regexp.MustCompile(`(?i)\bwith\s+(\S+)`)
	receivedIP   = regexp.MustCompile(`\[((?:IPv6:)?[0-9A-Fa-f:.]+)\]`)
	authResult   = regexp.MustCompile(`(?i)\b(spf|dkim|dmarc|arc|auth|iprev|bimi|compauth|smtp\.auth)=([a-z]+)`)
)

// ExplainHeaders explains the header section of a message (raw, CRLF or LF
// line ends; the body, if present, is not read).
func ExplainHeaders(raw []byte) MessageReport {
	var rep MessageReport
	type field struct{ name, value string }
	var fields []field
	for rest := raw; len(rest) > 0; {
		// Line by line, up to the blank line: the body is never looked at.
		var line []byte
		line, rest = wire.CutLine(rest)
		text := strings.TrimRight(string(line), "\r\n")
		if text == "" {
			break // the end of the header section
		}
		if (text[0] == ' ' || text[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1].value += " " + strings.TrimSpace(text)
			continue
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok || strings.ContainsAny(name, " \t") {
			continue // not a header field
		}
		fields = append(fields, field{name, strings.TrimSpace(value)})
	}
	// Received lines are newest first: number the hops from the oldest.
	var hops []int
	for i, f := range fields {
		if strings.EqualFold(f.name, "Received") {
			hops = append(hops, i)
		}
	}
	hopOf := map[int]int{}
	for k, i := range hops {
		hopOf[i] = len(hops) - k
	}
	var prev time.Time // the time of the hop before (older), walking oldest first
	times := map[int]time.Time{}
	for k := len(hops) - 1; k >= 0; k-- {
		i := hops[k]
		if t, ok := receivedTime(fields[i].value); ok {
			times[i] = t
		}
	}
	notes := make([]string, len(fields))
	for k := len(hops) - 1; k >= 0; k-- {
		i := hops[k]
		note, route := receivedNote(fields[i].value, hopOf[i], len(hops))
		if t, ok := times[i]; ok && !prev.IsZero() {
			d := t.Sub(prev)
			switch {
			case d < 0:
				note += fmt.Sprintf("; its clock says %s before the hop before it: one of the two servers' clocks is wrong", (-d).Round(time.Second))
			case d >= time.Minute:
				note += fmt.Sprintf("; %s after the hop before it: the delay happened here, or in the server before it", d.Round(time.Second))
				route += fmt.Sprintf(" (after %s)", d.Round(time.Second))
			default:
				note += fmt.Sprintf("; %s after the hop before it", d.Round(time.Second))
			}
		}
		if t, ok := times[i]; ok {
			prev = t
		}
		notes[i] = note
		// The route and the notes quote the message's own words: a header
		// can carry any bytes, an escape sequence too (wire.Visible).
		rep.Route = append(rep.Route, wire.Visible(route))
	}
	for i, f := range fields {
		note := notes[i]
		if note == "" {
			note = headerNote(f.name, f.value)
		}
		rep.Headers = append(rep.Headers, HeaderNote{Name: wire.Visible(f.name), Value: wire.Visible(f.value), Note: wire.Visible(note)})
	}
	return rep
}

// receivedTime is the date after the last ";" of a Received line.
func receivedTime(v string) (time.Time, bool) {
	i := strings.LastIndexByte(v, ';')
	if i < 0 {
		return time.Time{}, false
	}
	date := strings.TrimSpace(v[i+1:])
	if j := strings.IndexByte(date, '('); j > 0 { // "+0000 (UTC)"
		date = strings.TrimSpace(date[:j])
	}
	t, err := mail.ParseDate(date)
	return t, err == nil
}

// receivedNote explains one Received line, hop n of all (1 is the first
// server the message reached), and sums it up for the route.
func receivedNote(v string, n, all int) (note, route string) {
	by, from, with, ip := "", "", "", ""
	if m := receivedBy.FindStringSubmatch(v); m != nil {
		by = strings.TrimRight(m[1], ";")
	}
	if m := receivedFrom.FindStringSubmatch(v); m != nil {
		from = m[1]
		if ipm := receivedIP.FindStringSubmatch(m[2]); ipm != nil {
			ip = ipm[1]
		}
	}
	if m := receivedWith.FindStringSubmatch(v); m != nil {
		with = strings.TrimRight(m[1], ";")
	}
	note = fmt.Sprintf("hop %d of %d", n, all)
	if n == all {
		note += " (the last: the server that put the message in the mailbox wrote the top line)"
	}
	if by != "" {
		note += ": " + by + " received the message"
	} else {
		note += ": a server received the message"
	}
	if from != "" {
		note += " from " + from
		if ip != "" {
			note += " (whose real address was " + ip + ": the name before it is what the client said in EHLO)"
		}
	}
	how := receivedProtocol(with)
	if how != "" {
		note += ", " + how
	}
	route = by
	if route == "" {
		route = "?"
	}
	if from != "" {
		route = from + " → " + route
	}
	if with != "" {
		route += " [" + with + "]"
	}
	return note, route
}

// receivedProtocol explains the "with" word of a Received line (RFC 3848).
func receivedProtocol(with string) string {
	switch strings.ToUpper(with) {
	case "":
		return ""
	case "SMTP":
		return "over plain SMTP (HELO): no encryption, no login"
	case "ESMTP":
		return "over ESMTP without TLS: anyone on the path could read it"
	case "ESMTPS":
		return "over ESMTP with TLS (STARTTLS or an implicit-TLS port)"
	case "ESMTPA":
		return "over ESMTP with a login (AUTH) but without TLS"
	case "ESMTPSA":
		return "over ESMTP with TLS and a login: a user's mail program submitting"
	case "LMTP", "LMTPS", "LMTPA", "LMTPSA":
		return "over LMTP: the last step inside the receiving system, into the mailbox store"
	case "LOCAL":
		return "from a program on that server itself"
	case "HTTP", "HTTPS":
		return "over " + strings.ToUpper(with) + ": written in webmail or sent through an API"
	}
	return "with " + with
}

// headerNote explains any other header field.
func headerNote(name, value string) string {
	switch strings.ToLower(name) {
	case "return-path":
		return "the envelope sender (MAIL FROM) of the final delivery: bounces go there; it may differ from From:"
	case "delivered-to", "x-original-to", "envelope-to":
		return "the envelope recipient (RCPT TO) the mailbox server delivered to: for a list or an alias it differs from To:"
	case "authentication-results", "arc-authentication-results":
		return authResultsNote(name, value)
	case "received-spf":
		word, _, _ := strings.Cut(value, " ")
		return "the SPF check of the envelope sender's domain: " + spfWord(strings.ToLower(word)) + " (RFC 7208)"
	case "dkim-signature":
		return dkimNote(value)
	case "arc-seal", "arc-message-signature":
		return "a forwarding server's signature over what it saw (ARC, RFC 8617), so that the final server can trust a forwarded message's earlier checks"
	case "message-id":
		return "the message's unique id, set once by the sender's program or first server: search server logs for it"
	case "date":
		return "when the sender's program says the message was written (its clock); the first Received line says when a server first had it"
	case "from":
		return "the author, as the reader's mail program shows it: DMARC checks that SPF or DKIM vouch for this domain"
	case "sender":
		return "who actually sent it on the author's behalf (a secretary, a list)"
	case "reply-to":
		return "where replies go instead of From:"
	case "to", "cc":
		return "the recipients as written in the message; the envelope (RCPT TO) decides where it really goes, and Bcc recipients appear in neither"
	case "subject":
		return "the subject line"
	case "mime-version", "content-type", "content-transfer-encoding":
		return "the MIME structure of the body (RFC 2045): how the parts and attachments are encoded"
	case "list-unsubscribe", "list-id", "list-post":
		return "mailing list information (RFC 2369, RFC 8058): a mail program offers an unsubscribe button from it"
	case "precedence", "auto-submitted":
		return "marks bulk or automatic mail (RFC 3834): auto-replies are not sent back to it"
	case "x-spam-status", "x-spam-flag", "x-spam-score", "x-spam-level":
		return "a spam filter's verdict (SpamAssassin's headers): Yes or a score at or over its threshold sends the message to Junk"
	case "x-ms-exchange-organization-scl":
		return "Microsoft's spam confidence level: -1 trusted, 0-1 not spam, 5-6 spam, 9 high-confidence spam"
	case "x-forefront-antispam-report", "x-microsoft-antispam":
		return "Microsoft 365's filter verdicts: SFV:NSPM not spam, SFV:SPM spam, SCL the spam confidence level, IPV the sending IP's reputation"
	case "x-mailer", "user-agent":
		return "the program that wrote the message"
	}
	if strings.HasPrefix(strings.ToLower(name), "x-") {
		return "a private header some program added (X- headers are nobody's standard)"
	}
	return "a header field"
}

// authResultsNote explains an Authentication-Results field: which server
// checked, and each method's result.
func authResultsNote(name, value string) string {
	checker, _, _ := strings.Cut(value, ";")
	note := "the receiving server " + strings.TrimSpace(checker) + " checked the sender (RFC 8601)"
	if strings.HasPrefix(strings.ToLower(name), "arc-") {
		note = "what a server on the way checked, kept for the servers after it (ARC, RFC 8617)"
	}
	var parts []string
	for _, m := range authResult.FindAllStringSubmatch(value, -1) {
		method, result := strings.ToLower(m[1]), strings.ToLower(m[2])
		switch method {
		case "spf":
			parts = append(parts, "SPF "+result+": "+spfWord(result))
		case "dkim":
			parts = append(parts, "DKIM "+result+map[bool]string{true: ": the signature verifies", false: ": the signature is missing or does not verify"}[result == "pass"])
		case "dmarc":
			parts = append(parts, "DMARC "+result+map[bool]string{true: ": SPF or DKIM vouches for the From: domain", false: ": neither SPF nor DKIM vouches for the From: domain, whose policy decides (Junk, or refused)"}[result == "pass"])
		default:
			parts = append(parts, method+" "+result)
		}
	}
	if len(parts) > 0 {
		note += ": " + strings.Join(parts, "; ")
	}
	return note
}

func spfWord(result string) string {
	switch result {
	case "pass":
		return "the sending server may send for the envelope domain"
	case "fail":
		return "the envelope domain says this server may not send its mail"
	case "softfail":
		return "the envelope domain says this server probably may not send its mail"
	case "neutral", "none":
		return "the envelope domain says nothing either way"
	case "temperror", "permerror":
		return "the check could not be done (DNS trouble, or a broken SPF record)"
	}
	return result
}

// dkimNote explains a DKIM-Signature: who signed, and where the key is.
func dkimNote(value string) string {
	tags := map[string]string{}
	for _, part := range strings.Split(value, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
			tags[strings.ToLower(k)] = strings.TrimSpace(v)
		}
	}
	d, s := tags["d"], tags["s"]
	if d == "" {
		return "a DKIM signature (RFC 6376)"
	}
	return fmt.Sprintf("a DKIM signature by %s (RFC 6376): receiving servers check it with the key %s publishes in DNS at %s._domainkey.%s; it proves the signed headers and body were not changed on the way", d, d, s, d)
}

// LooksLikeMessage reports whether raw starts with a message's header
// section: header fields from its first line, among them at least two of
// those every delivered message has.
func LooksLikeMessage(raw []byte) bool {
	raw = bytes.TrimLeft(raw, "\r\n")
	first, _, _ := bytes.Cut(raw, []byte("\n"))
	name, _, ok := bytes.Cut(first, []byte(":"))
	if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
		return false
	}
	seen := map[string]bool{}
	for _, f := range ExplainHeaders(raw).Headers {
		switch n := strings.ToLower(f.Name); n {
		case "received", "from", "to", "subject", "date", "message-id", "return-path":
			seen[n] = true
		}
	}
	return len(seen) >= 2
}
