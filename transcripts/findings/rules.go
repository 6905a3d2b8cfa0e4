package findings

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// findings runs every rule over the sessions of one program, oldest first.
func (a *Analyzer) findings(ss []*session) []Finding {
	var out []Finding
	add := func(f *Finding) {
		if f != nil {
			out = append(out, *f)
		}
	}
	add(identity(ss))
	for _, f := range tlsFailures(ss, a.opts.Fingerprint) {
		add(f)
	}
	add(authBeforeTLS(ss))
	add(clearLogin(ss))
	add(pop3Keeping(ss))
	add(imapDeleting(ss))
	add(downloadedAgain(ss))
	add(headersFirst(ss))
	add(idle(ss))
	add(polling(ss))
	add(appendSent(ss))
	return out
}

// lines gathers a few lines as evidence, leaving out empty ones.
func lines(ls ...Line) []Line {
	var out []Line
	for _, l := range ls {
		if l.Text != "" && len(out) < 6 {
			out = append(out, l)
		}
	}
	return out
}

func (x *exchange) lines() []Line {
	if x.answered {
		return lines(x.cmd, x.reply)
	}
	return lines(x.cmd)
}

// identity: "identified itself as ..." from IMAP ID or the EHLO name, else
// how its commands look.
func identity(ss []*session) *Finding {
	for _, s := range ss {
		if s.idName != "" {
			return &Finding{Rule: "identity", Text: "identified itself as " + s.idName + " (IMAP ID, RFC 2971)", Lines: lines(s.idLine)}
		}
	}
	for _, s := range ss {
		if s.ehlo != "" {
			return &Finding{Rule: "identity", Text: "identified itself as " + s.ehlo + " in EHLO (a host name the program chose, not always its own name)", Lines: lines(s.ehloLine)}
		}
	}
	for _, s := range ss {
		if len(s.firstVerbs) == 0 {
			continue
		}
		text := "did not name itself; its command style: begins with " + strings.Join(s.firstVerbs, ", ")
		if s.tagStyle != "" {
			text += "; IMAP tags like " + s.tagStyle
		}
		return &Finding{Rule: "identity", Text: text, Lines: lines(s.firstLine)}
	}
	return nil
}

// tlsFailures: a TLS handshake the client broke off, and why in words.
func tlsFailures(ss []*session, fingerprint string) []*Finding {
	accept := "accept it after checking the fingerprint"
	if fingerprint != "" {
		accept += " (SHA-256 " + fingerprint + ")"
	}
	seen := map[wire.TLSFailure]bool{}
	var out []*Finding
	for _, s := range ss {
		if s.tlsFailure == "" || seen[s.tlsFailure] {
			continue
		}
		seen[s.tlsFailure] = true
		var text string
		switch s.tlsFailure {
		case wire.TLSUntrusted:
			text = "the program did not trust the certificate: " + accept
		case wire.TLSAbandoned:
			text = "the program broke off the TLS handshake without saying why: many programs do so while they ask their user whether to trust the certificate; " + accept
		case wire.TLSNotTLS:
			text = "the program spoke without TLS to a port that starts with TLS (the " + string(s.role) + " port): choose SSL/TLS for this port, or STARTTLS with the other port"
		case wire.TLSNoCommon:
			text = "the program and the server share no TLS version or cipher: the program is too old for TLS 1.2"
		default:
			text = "the TLS handshake failed; the server saw: " + strings.TrimSuffix(strings.TrimPrefix(s.tlsLine.Text, "[TLS failed: "), "]")
		}
		out = append(out, &Finding{Rule: "tls-failed", Text: text, Warning: true, Lines: lines(s.tlsLine)})
	}
	return out
}

// isLogin tells whether a command sends credentials.
func isLogin(p wire.Proto, verb string) bool {
	switch p {
	case wire.POP3:
		return verb == "USER" || verb == "PASS" || verb == "APOP" || verb == "AUTH"
	case wire.IMAP:
		return verb == "LOGIN" || verb == "AUTHENTICATE"
	default:
		return verb == "AUTH"
	}
}

// authBeforeTLS: a login refused because it came before STARTTLS, on a
// port that offers STARTTLS.
func authBeforeTLS(ss []*session) *Finding {
	for _, s := range ss {
		if s.role.ImplicitTLS() {
			continue
		}
		for i, x := range s.cmds {
			if !isLogin(s.proto, x.verb) || x.cmd.Encrypted || !x.answered || x.ok {
				continue
			}
			// Refused in clear: was it for want of TLS? Either the program
			// went on to STARTTLS, or the server said so.
			later := false
			for _, y := range s.cmds[i+1:] {
				if y.verb == "STARTTLS" || y.verb == "STLS" {
					later = true
					break
				}
			}
			if !later && !mentionsTLS(x.replyText) {
				continue
			}
			text := "tried " + x.verb + " before STARTTLS: the server refused to take a password in clear"
			if s.proto == wire.POP3 {
				text = "tried " + x.verb + " before STLS: the server refused to take a password in clear"
			}
			if x.secret {
				text += "; the password crossed the network readable all the same (it was on the refused line)"
			}
			return &Finding{Rule: "auth-before-tls", Text: text, Warning: true, Lines: x.lines()}
		}
	}
	return nil
}

func mentionsTLS(reply string) bool {
	r := strings.ToUpper(reply)
	return strings.Contains(r, "TLS") || strings.Contains(r, "PRIVACYREQUIRED") || strings.Contains(r, "ENCRYPT") || strings.Contains(r, "5.7.0")
}

// clearLogin: the program logged in with the connection unencrypted.
func clearLogin(ss []*session) *Finding {
	for _, s := range ss {
		for i, x := range s.cmds {
			if !isLogin(s.proto, x.verb) || x.cmd.Encrypted || !x.answered || !x.ok {
				continue
			}
			if x.verb == "USER" {
				// USER only names the user: the login is PASS's.
				if i+1 < len(s.cmds) && s.cmds[i+1].verb == "PASS" {
					continue
				}
			}
			ev := x.lines()
			if x.verb == "PASS" && i > 0 && s.cmds[i-1].verb == "USER" {
				ev = lines(s.cmds[i-1].cmd, s.cmds[i-1].reply, x.cmd, x.reply)
			}
			return &Finding{Rule: "clear-login", Warning: true, Lines: ev,
				Text: "logged in without encryption: the user name and password crossed the network readable (" + protoName(s.proto) + " " + x.verb + " before any TLS)"}
		}
	}
	return nil
}

// pop3Keeping: what the program does with the messages it downloads.
func pop3Keeping(ss []*session) *Finding {
	var retrs, deles, uidls []*exchange
	retrieved, deleted := map[string]bool{}, map[string]bool{}
	for _, s := range ss {
		if s.proto != wire.POP3 {
			continue
		}
		for _, x := range s.cmds {
			key := string(s.id) + " " + strings.TrimSpace(x.args)
			switch {
			case x.verb == "RETR" && x.ok:
				retrs = append(retrs, x)
				retrieved[key] = true
			case x.verb == "DELE" && x.ok:
				deles = append(deles, x)
				deleted[key] = true
			case x.verb == "UIDL" && x.ok:
				uidls = append(uidls, x)
			}
		}
	}
	switch {
	case len(deles) > 0 && len(retrs) > 0:
		kept := 0
		for k := range retrieved {
			if !deleted[k] {
				kept++
			}
		}
		ev := lines(retrs[0].cmd, deles[0].cmd)
		if kept == 0 {
			return &Finding{Rule: "pop3-deletes", Lines: ev,
				Text: "uses POP3 and deletes each message after downloading it (RETR, then DELE): the mail is no longer on the server for another device"}
		}
		return &Finding{Rule: "pop3-deletes", Lines: ev,
			Text: fmt.Sprintf("uses POP3 and deleted %d of the %d messages it downloaded", len(retrieved)-kept, len(retrieved))}
	case len(deles) == 0 && len(uidls) > 0:
		ev := lines(uidls[0].cmd)
		if len(retrs) > 0 {
			ev = lines(uidls[0].cmd, retrs[0].cmd)
		}
		return &Finding{Rule: "pop3-keeps-uidl", Lines: ev,
			Text: "keeps mail on the server and remembers what it fetched by UIDL: it downloads only messages whose identifier it has not seen"}
	case len(deles) == 0 && len(retrs) > 0:
		return &Finding{Rule: "pop3-keeps", Warning: true, Lines: lines(retrs[0].cmd),
			Text: "keeps mail on the server but never asks for UIDL: it cannot tell new mail from mail it already has"}
	}
	return nil
}

// imapDeleting: messages flagged \Deleted and expunged.
func imapDeleting(ss []*session) *Finding {
	for _, s := range ss {
		if s.proto != wire.IMAP {
			continue
		}
		var store *exchange
		downloaded := false // a body was fetched before the deletion
		for _, x := range s.cmds {
			switch x.verb {
			case "FETCH", "UID FETCH":
				downloaded = downloaded || store == nil && fetchesBodies(x.args)
			case "STORE", "UID STORE":
				if store == nil && strings.Contains(strings.ToUpper(x.args), `+FLAGS`) && strings.Contains(strings.ToUpper(x.args), `\DELETED`) {
					store = x
				}
			case "EXPUNGE", "UID EXPUNGE", "CLOSE":
				if store == nil {
					continue
				}
				text := "uses IMAP and deletes messages on the server (\\Deleted, then " + x.verb + ")"
				if downloaded {
					text = "uses IMAP and deletes messages after downloading them (\\Deleted, then " + x.verb + ")"
				}
				return &Finding{Rule: "imap-deletes", Lines: lines(store.cmd, x.cmd), Text: text}
			}
		}
	}
	return nil
}

// downloaded returns what a POP3 session downloaded and kept, by UIDL
// identifier where the session listed them, else by message number, and
// how many messages the maildrop held.
func (s *session) downloaded() (got map[string]Line, kept map[string]bool, total int) {
	uid := map[string]string{}
	got, kept = map[string]Line{}, map[string]bool{}
	for _, x := range s.cmds {
		if x.verb == "UIDL" && x.ok && strings.TrimSpace(x.args) == "" {
			total = len(x.listing)
			for _, l := range x.listing {
				if f := strings.Fields(l); len(f) == 2 {
					uid[f[0]] = f[1]
				}
			}
		}
		if x.verb == "STAT" && x.ok {
			if f := strings.Fields(x.replyText); len(f) >= 2 {
				if n, err := strconv.Atoi(f[1]); err == nil {
					total = n
				}
			}
		}
	}
	id := func(n string) string {
		if u, ok := uid[n]; ok {
			return "uid " + u
		}
		return "#" + n
	}
	for _, x := range s.cmds {
		n := strings.TrimSpace(x.args)
		switch {
		case x.verb == "RETR" && x.ok:
			got[id(n)] = x.cmd
			kept[id(n)] = true
		case x.verb == "DELE" && x.ok:
			delete(kept, id(n))
		}
	}
	return got, kept, total
}

// downloadedAgain: a later session downloads what an earlier one already
// had (POP3 by UIDL identifier or number; IMAP, a whole-mailbox body FETCH).
func downloadedAgain(ss []*session) *Finding {
	before := map[string]bool{}
	var imapWhole *exchange
	for _, s := range ss {
		switch s.proto {
		case wire.POP3:
			got, kept, total := s.downloaded()
			var again []Line
			for k, l := range got {
				if before[k] {
					again = append(again, l)
				}
			}
			if len(again) > 0 {
				sort.Slice(again, func(i, j int) bool { return again[i].Seq < again[j].Seq })
				text := fmt.Sprintf("downloaded again %s it had already fetched in an earlier session", plural(len(again), "message"))
				if len(again) >= total && total > 0 {
					text = fmt.Sprintf("downloaded the whole mailbox again (%s, every one fetched before): it did not remember what it had", plural(len(again), "message"))
				}
				return &Finding{Rule: "downloaded-again", Warning: true, Text: text, Lines: lines(again...)}
			}
			for k := range kept {
				before[k] = true
			}
		case wire.IMAP:
			for _, x := range s.cmds {
				if (x.verb == "FETCH" || x.verb == "UID FETCH") && x.ok && wholeSet(x.args) && fetchesBodies(x.args) {
					if imapWhole != nil && imapWhole.cmd.Session != x.cmd.Session {
						return &Finding{Rule: "downloaded-again", Warning: true, Lines: lines(imapWhole.cmd, x.cmd),
							Text: "downloaded the whole mailbox again: every message's body, as in an earlier session"}
					}
					if imapWhole == nil {
						imapWhole = x
					}
				}
			}
		}
	}
	return nil
}

// wholeSet tells whether a FETCH's sequence set runs to the end ("1:*").
func wholeSet(args string) bool {
	set, _, _ := strings.Cut(args, " ")
	return set == "1:*" || set == "*:1"
}

// fetchesBodies tells whether FETCH items ask for whole bodies or their
// parts (not only headers, flags or structure).
func fetchesBodies(args string) bool {
	_, items, _ := strings.Cut(args, " ")
	u := strings.ToUpper(items)
	for _, w := range []string{"BODY[", "BODY.PEEK[", "BINARY[", "BINARY.PEEK["} {
		for rest := u; ; {
			i := strings.Index(rest, w)
			if i < 0 {
				break
			}
			rest = rest[i+len(w):]
			if !strings.HasPrefix(rest, "HEADER") && !strings.HasPrefix(rest, "MIME") && !strings.Contains(firstSection(rest), "HEADER") {
				return true
			}
		}
	}
	for _, f := range strings.FieldsFunc(u, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
		if f == "RFC822" || f == "RFC822.TEXT" {
			return true
		}
	}
	return false
}

// firstSection returns a section spec up to its closing bracket.
func firstSection(s string) string {
	if i := strings.IndexByte(s, ']'); i >= 0 {
		return s[:i]
	}
	return s
}

// fetchesHeaders tells whether FETCH items ask for headers or the
// envelope.
func fetchesHeaders(args string) bool {
	_, items, _ := strings.Cut(args, " ")
	u := strings.ToUpper(items)
	return strings.Contains(u, "HEADER") || strings.Contains(u, "ENVELOPE")
}

// headersFirst: the program lists headers, then fetches bodies one by one.
func headersFirst(ss []*session) *Finding {
	for _, s := range ss {
		var head *exchange
		for _, x := range s.cmds {
			switch s.proto {
			case wire.IMAP:
				if x.verb != "FETCH" && x.verb != "UID FETCH" {
					continue
				}
				if head == nil && fetchesHeaders(x.args) && !fetchesBodies(x.args) {
					head = x
				} else if head != nil && fetchesBodies(x.args) && !wholeSet(x.args) {
					return &Finding{Rule: "headers-first", Lines: lines(head.cmd, x.cmd),
						Text: "asks for headers only, then bodies on demand (IMAP FETCH of headers, then of one message's body when it is opened)"}
				}
			case wire.POP3:
				f := strings.Fields(x.args)
				if head == nil && x.verb == "TOP" && len(f) == 2 && f[1] == "0" {
					head = x
				} else if head != nil && x.verb == "RETR" {
					return &Finding{Rule: "headers-first", Lines: lines(head.cmd, x.cmd),
						Text: "asks for headers only, then bodies on demand (POP3 TOP n 0, then RETR)"}
				}
			}
		}
	}
	return nil
}

// idle: the program waits for new mail with IMAP IDLE.
func idle(ss []*session) *Finding {
	for _, s := range ss {
		for _, x := range s.cmds {
			if s.proto == wire.IMAP && x.verb == "IDLE" {
				return &Finding{Rule: "idle", Lines: lines(x.cmd),
					Text: "waits with IDLE: the server tells it of new mail at once, no polling (RFC 2177)"}
			}
		}
	}
	return nil
}

// polling: sessions opened at a steady interval, or a check command
// repeated at one inside a session.
func polling(ss []*session) *Finding {
	var opens []time.Time
	var openLines []Line
	for _, s := range ss {
		if len(s.cmds) > 0 {
			opens = append(opens, s.opened)
			if len(s.lines) > 0 {
				openLines = append(openLines, s.lines[0])
			}
		}
	}
	if every, ok := steady(opens); ok {
		return &Finding{Rule: "polling", Lines: lines(openLines...),
			Text: "checks for mail every " + every + " (a new connection each time)"}
	}
	for _, s := range ss {
		var times []time.Time
		var ev []Line
		verb := ""
		for _, x := range s.cmds {
			switch x.verb {
			case "NOOP", "STATUS", "CHECK", "STAT":
				if verb == "" {
					verb = x.verb
				}
				if x.verb == verb {
					times = append(times, x.cmd.Time)
					ev = append(ev, x.cmd)
				}
			}
		}
		if every, ok := steady(times); ok {
			return &Finding{Rule: "polling", Lines: lines(ev...),
				Text: "checks for mail every " + every + " (" + verb + " on an open connection)"}
		}
	}
	return nil
}

// steady tells whether at least three times come at a steady interval (each
// within a quarter of the mean, or two seconds) and says the interval.
func steady(ts []time.Time) (string, bool) {
	if len(ts) < 3 {
		return "", false
	}
	var gaps []time.Duration
	for i := 1; i < len(ts); i++ {
		gaps = append(gaps, ts[i].Sub(ts[i-1]))
	}
	med := ts[len(ts)-1].Sub(ts[0]) / time.Duration(len(gaps)) // the mean gap
	if med < time.Second {
		return "", false
	}
	slack := max(med/4, 2*time.Second)
	for _, g := range gaps {
		if g < med-slack || g > med+slack {
			return "", false
		}
	}
	secs := int(math.Round(med.Seconds()))
	if secs >= 120 && secs%60 == 0 || secs >= 600 {
		return strconv.Itoa(int(math.Round(med.Minutes()))) + " minutes", true
	}
	return strconv.Itoa(secs) + " seconds", true
}

// appendSent: the program saves a copy of what it sent with APPEND.
func appendSent(ss []*session) *Finding {
	for _, s := range ss {
		if s.proto != wire.IMAP {
			continue
		}
		for _, x := range s.cmds {
			if x.verb != "APPEND" || (x.answered && !x.ok) {
				continue
			}
			box := ""
			if toks := imapTokens(x.args, 1); len(toks) > 0 {
				box = toks[0]
			}
			if strings.Contains(strings.ToLower(box), "sent") {
				return &Finding{Rule: "append-sent", Lines: x.lines(),
					Text: fmt.Sprintf("saves sent mail to %q with APPEND: the copy in Sent comes from the program, not from the SMTP server", box)}
			}
			if box == "" {
				box = "a mailbox"
			} else {
				box = strconv.Quote(box)
			}
			return &Finding{Rule: "append", Lines: x.lines(),
				Text: "saves a message to " + box + " with APPEND"}
		}
	}
	return nil
}

// plural says "1 message", "2 messages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
