// Package logs turns a mail-protocol log the user already has (a swaks run,
// curl -v output, a Python debug trace, a Thunderbird MOZ_LOG, an RFC-style
// C:/S: transcript...) into the same wire.Events the simulator's tap
// produces, so the annotators explain a pasted log exactly as a live session.
//
// Every format is read in two steps. A format parser (format_*.go) turns log
// lines into records: "the client sent these bytes", "the server sent
// these", "TLS started", plus Problems for lines it cannot place. The builder
// (build.go) then feeds the records of each session, in log order, through a
// wire.Splitter, which cuts DATA bodies and IMAP literals into Payload events
// and marks credentials as secrets, just as the live tap does.
package logs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Format names the tool whose output a log is.
type Format string

const (
	FormatCS          Format = "cs"          // RFC style "C: " / "S: " transcripts
	FormatSwaks       Format = "swaks"       // swaks (" -> ", "<-  ", "=== ")
	FormatCurl        Format = "curl"        // curl -v ("> ", "< ", "* ")
	FormatOpenSSL     Format = "openssl"     // openssl s_client, lines without prefixes
	FormatSmtplib     Format = "smtplib"     // Python smtplib set_debuglevel(1|2)
	FormatImaplib     Format = "imaplib"     // Python imaplib Debug = 4
	FormatPoplib      Format = "poplib"      // Python poplib set_debuglevel(1|2)
	FormatThunderbird Format = "thunderbird" // Thunderbird MOZ_LOG (IMAP, SMTP, POP3 modules)
	FormatMsmtp       Format = "msmtp"       // msmtp -d ("--> ", "<-- ")
	FormatMbsync      Format = "mbsync"      // mbsync -D or -Dn (">>> " commands, server lines bare)
	FormatFetchmail   Format = "fetchmail"   // fetchmail -v ("fetchmail: POP3< ", "fetchmail: IMAP> ")
	FormatPostfix     Format = "postfix"     // Postfix's mail.log with debug_peer_list ("postfix/smtpd[1]: < host[ip]: EHLO x")
	FormatExchange    Format = "exchange"    // Microsoft Exchange's SMTP Receive/Send protocol logs (CSV)
	FormatDovecot     Format = "dovecot"     // Dovecot's log: logins and logouts ("imap-login: Info: Login: user=<...>")
	FormatDSN         Format = "bounce"      // a bounce message's delivery-status part (RFC 3464)
	FormatExim        Format = "exim"        // Exim's main log ("** x@y ... SMTP error from remote mail server after RCPT TO:<x@y>: 550 ...")
	FormatArrows      Format = "arrows"      // raw dialogue, ">" client and "<" server
	FormatUnknown     Format = "unknown"     // nothing recognisable
)

// Formats lists every format Parse understands, for help texts and flags.
func Formats() []Format {
	return []Format{FormatCS, FormatSwaks, FormatCurl, FormatOpenSSL, FormatSmtplib,
		FormatImaplib, FormatPoplib, FormatThunderbird, FormatMsmtp, FormatMbsync, FormatFetchmail, FormatPostfix, FormatExchange, FormatDovecot, FormatDSN, FormatExim, FormatArrows}
}

// Result is what Parse makes of a log.
type Result struct {
	Format   Format
	Sessions []Session // a log may hold several sessions (e.g. Thunderbird logs several connections)
	Problems []Problem // lines that could not be understood, never silently dropped
}

// Session is one connection found in the log.
type Session struct {
	ID     wire.SessionID
	Proto  wire.Proto
	Events []wire.Event // in log order; Seq numbered from 1 across the Result
}

// Problem is a line of the log that could not be placed, or a remark about
// the log the reader should know (timestamps out of order, say).
type Problem struct {
	Line   int    // 1-based line number in the log
	Text   string // the line as it was (shortened when very long)
	Reason string // why it could not be used
}

// Options tunes Parse.
type Options struct {
	// Format forces a format; "" means detect it from the content.
	Format Format
	// Proto forces the protocol of every session; "" means detect it per
	// session (Thunderbird logs name it on every line).
	Proto wire.Proto
	// MaxBytes is the largest log Parse reads; a longer input is an error.
	// 0 means DefaultMaxBytes.
	MaxBytes int64
}

// DefaultMaxBytes is the size limit used when Options.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// ErrTooLarge is returned when the log is longer than Options.MaxBytes.
var ErrTooLarge = errors.New("log too large")

// Parse reads a whole log and turns it into sessions of wire events.
// Stream reads one as it arrives, without keeping it.
func Parse(r io.Reader, opts Options) (*Result, error) {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading log: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	format := opts.Format
	if format == "" {
		format, _ = Detect(data)
	}
	res := &Result{Format: format}
	p := &parser{format: format, forced: opts.Proto}
	b := newBuilder(p, opts.Proto, collect(res))
	if !parseWith(p, format, sliceLines(splitLines(data))) {
		return nil, errUnknownFormat(format)
	}
	b.finish()
	sortResult(res)
	return res, nil
}

func errUnknownFormat(f Format) error { return fmt.Errorf("unknown log format %q", f) }

// parseWith runs the format's parser over the lines; false means the
// format is not one this package knows.
func parseWith(p *parser, format Format, lines lineSeq) bool {
	switch format {
	case FormatCS:
		parseCS(p, lines)
	case FormatArrows:
		parseArrows(p, lines)
	case FormatSwaks:
		parseSwaks(p, lines)
	case FormatCurl:
		parseCurl(p, lines)
	case FormatOpenSSL:
		parseOpenSSL(p, wholeLog(lines))
	case FormatSmtplib:
		parseSmtplib(p, lines)
	case FormatImaplib:
		parseImaplib(p, lines)
	case FormatPoplib:
		parsePoplib(p, lines)
	case FormatThunderbird:
		parseThunderbird(p, lines)
	case FormatMsmtp:
		parseMsmtp(p, wholeLog(lines))
	case FormatMbsync:
		parseMbsync(p, lines)
	case FormatFetchmail:
		parseFetchmail(p, lines)
	case FormatPostfix:
		parsePostfix(p, lines)
	case FormatExchange:
		parseExchange(p, lines)
	case FormatDovecot:
		parseDovecot(p, lines)
	case FormatDSN:
		parseDSN(p, wholeLog(lines))
	case FormatExim:
		parseExim(p, lines)
	case FormatUnknown:
		for i, l := range lines {
			if strings.TrimSpace(l) != "" {
				p.problem(i+1, l, "the log's format was not recognised; name it with --format")
			}
		}
	default:
		return false
	}
	return true
}

// splitLines cuts a log into lines, dropping the line ending (LF or CRLF).
// A log copied from Windows or a terminal may mix both.
func splitLines(data []byte) []string {
	text := string(data)
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	comments := true
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		// Lines starting with "# " at the very top are comments (mailtutor's
		// own sample logs say there which tool they come from). They are
		// blanked, not removed, so line numbers stay those of the file.
		if comments && strings.HasPrefix(l, "# ") {
			l = ""
		} else {
			comments = false
		}
		lines[i] = l
	}
	return lines
}

// maxProblemText bounds the text kept for one Problem so a hostile log with a
// 10 MB line does not double its memory in the result.
const maxProblemText = 200

func shorten(s string) string {
	if len(s) <= maxProblemText {
		return s
	}
	return s[:maxProblemText] + "…"
}

// crlf returns the text of a log line as the bytes that went on the wire.
func crlf(text string) []byte {
	var b bytes.Buffer
	b.Grow(len(text) + 2)
	b.WriteString(text)
	b.WriteString("\r\n")
	return b.Bytes()
}
