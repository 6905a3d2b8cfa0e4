package smtp

import (
	"errors"
	"io"
	"net"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// Data receives the message after DATA (or the BDAT chunks) and delivers it
// before returning, so the message is in the store when the client reads
// the 250. If the client vanishes half-way, ReadAll fails and nothing at
// all is stored: delivery only starts once the whole message is here.
func (se *session) Data(r io.Reader) error {
	se.mu.Lock()
	from, rcpts, user := se.from, append([]recipient(nil), se.rcpts...), se.user
	spfVerdict, dsn := se.spf, DSN{Ret: se.ret, EnvID: se.envID}
	se.inData = true
	se.hold()
	se.mu.Unlock()
	defer func() {
		se.mu.Lock()
		se.inData = false
		if !se.inTxn {
			se.release() // Reset or Logout came while we were busy
		}
		se.mu.Unlock()
	}()

	buf, _ := se.srv.readBufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	defer func() {
		if cap(*buf) <= 256*1024 { // a rare huge message does not stay pinned
			se.srv.readBufs.Put(buf)
		}
	}()
	body, err := readMessage(r, (*buf)[:0])
	*buf = body
	if err != nil {
		if errors.Is(err, gosmtp.ErrTooLongLine) {
			return errLineTooLong(se.srv.smtp.MaxLineLength)
		}
		return err // ErrDataTooLarge is already a 552 5.3.4; a drop has no one to answer
	}
	if readEnded(se.conn.Conn()) {
		// The connection ended before the message did: a BDAT chunk cut
		// short (see endconn.go). Nothing is delivered (RFC 3030 §2); the
		// client, if it still listens, may send the message again.
		return errChunkCut
	}
	if corr := correctorOf(se.conn.Conn()); corr != nil && len(body) == 0 {
		// The simulator's tap read a plain body for go-smtp, which got
		// only the ".\r\n" that ends it (Corrector.TakeBody).
		if taken, ok := corr.heldBody(); ok {
			body = taken
		}
	}
	switch faults := se.srv.opts.Faults; {
	case faults.On(fault.PolicyReject):
		return errPolicyReject
	case faults.On(fault.TooBig):
		return errTooBigFault
	}
	// Clients that end lines with a bare LF (RFC 5321 §2.3.8 forbids it)
	// still get CRLF everywhere, so sizes and hops agree with the store.
	body = store.NormalizeCRLF(body)

	for _, rc := range rcpts {
		if rc.notify != nil {
			if dsn.Notify == nil {
				dsn.Notify = map[string][]gosmtp.DSNNotify{}
			}
			dsn.Notify[strings.ToLower(rc.addr)] = rc.notify
		}
		if rc.orcpt != "" {
			if dsn.ORCPT == nil {
				dsn.ORCPT = map[string]string{}
			}
			dsn.ORCPT[strings.ToLower(rc.addr)] = rc.orcpt
		}
	}

	srv := se.srv
	// The MX checks SPF (done at MAIL), DKIM and DMARC before it takes the
	// message in (authcheck.go).
	var auth authVerdict
	if !srv.submission() && srv.opts.DNS != nil {
		body = dropForgedResults(body, srv.opts.Hostname)
		auth = se.authenticate(body, spfVerdict)
		if auth.refusal != nil {
			return auth.refusal
		}
	}
	now := srv.opts.Now()
	id := queueID(srv.nextID.Add(1))
	tr := trace{helo: se.conn.Hostname(), ipLiteral: se.ipLiteral, by: srv.opts.Hostname, with: se.protocol(user != nil), id: id, date: now}

	var local, relay, queue []recipient
	for _, rc := range rcpts {
		switch rc.route {
		case routeLocal:
			local = append(local, rc)
		case routeRelay:
			relay = append(relay, rc)
		case routeQueue:
			queue = append(queue, rc)
		}
	}

	// Every local copy must fit before anything is stored or handed on, so
	// that a refusal leaves nothing behind for the client's retry to
	// duplicate. (This counts the body; the store checks each copy again,
	// with its Return-Path and Received lines, as it adds it.)
	for _, rc := range local {
		if err := roomFor(srv.opts.Store, rc.user, rc.addr, int64(len(body))); err != nil {
			return err
		}
	}

	// The hop to another domain of the world goes first: if it refuses,
	// the whole message is refused and nothing has been stored, so the
	// client's retry cannot make duplicates.
	// Mail leaving this server for another domain is signed for the
	// sender's domain (DKIM, RFC 6376), as providers sign what their users
	// send.
	outgoing := body
	if srv.submission() && user != nil && len(relay)+len(queue) > 0 {
		outgoing = se.sign(body, user.Domain())
	}
	// A permanent refusal by the next hop comes back as a bounce (below):
	// the message was accepted here, so this server owns it and reports.
	var bounced []Failure
	var hopped []byte
	if len(relay) > 0 {
		env := Envelope{From: from, To: addrs(relay), Data: tr.prepend(outgoing, oneAddr(relay)), Received: now, DSN: dsn}
		hopped = env.Data
		if err := srv.opts.Relay(env); err != nil {
			var und *Undeliverable
			if !errors.As(err, &und) {
				return errRelayHop(err)
			}
			bounced = und.Failures
		}
	}
	for _, rc := range local {
		// One buffer per copy, handed to the store: Return-Path (RFC 5321
		// §4.4, added at final delivery), our Received header, the message.
		path := Path(from)
		raw := make([]byte, 0, len(path)+len(body)+len(auth.header)+tr.room(rc.addr))
		raw = append(append(append(raw, "Return-Path: <"...), path...), ">\r\n"...)
		raw = append(append(tr.appendHeader(raw, rc.addr), auth.header...), body...)
		box := rc.user.Inbox()
		if auth.quarantine {
			// DMARC p=quarantine (RFC 7489 §6.6.4): the spam folder.
			if junk, err := rc.user.Mailbox("Junk"); err == nil {
				box = junk
			}
		}
		if _, err := box.AppendOwned(raw, nil, now, nil); err != nil {
			if refusal := roomError(err, rc.addr); refusal != nil {
				return refusal
			}
			return errStore(err)
		}
	}
	if len(queue) > 0 {
		srv.opts.Queue(Envelope{From: from, To: addrs(queue), Data: tr.prepend(outgoing, oneAddr(queue)), Received: now,
			Peer: se.conn.Conn().RemoteAddr().String(), DSN: dsn})
	}

	// Reports the sender asked for (RFC 3461), or a failure it did not
	// decline: the bounce of what the next hop refused, and "delivered"
	// for local recipients with NOTIFY=SUCCESS.
	var failed, delivered []ReportRcpt
	for _, f := range bounced {
		if dsn.Wants(f.Rcpt, gosmtp.DSNNotifyFailure) {
			failed = append(failed, ReportRcpt{Rcpt: f.Rcpt, ORCPT: dsn.ORCPT[strings.ToLower(f.Rcpt)], Status: statusOf(f.Reply),
				Diagnostic: replyText(f.Reply), RemoteMTA: f.RemoteMTA, Command: f.Command})
		}
	}
	for _, rc := range local {
		if dsn.Wants(rc.addr, gosmtp.DSNNotifySuccess) {
			delivered = append(delivered, ReportRcpt{Rcpt: rc.addr, ORCPT: rc.orcpt, Status: "2.0.0",
				Note: "delivered to the mailbox of " + rc.addr + " on " + srv.opts.Hostname})
		}
	}
	se.report("failed", from, dsn, failed, hopped, now)
	se.report("delivered", from, dsn, delivered, body, now)

	// go-smtp answers a nil error with "250 2.0.0 OK: queued"; it writes
	// any *SMTPError as given, so a 250 value names the queue id, as
	// Postfix does, and the learner can find it in the Received header.
	return &gosmtp.SMTPError{Code: 250, EnhancedCode: gosmtp.EnhancedCode{2, 0, 0}, Message: "OK: queued as " + id}
}

// protocol is the "with" keyword of the Received header (RFC 5321 §4.4,
// RFC 3848): SMTP after HELO; otherwise ESMTP, plus S when the session is
// encrypted, plus A when the sender logged in. (STARTTLS and AUTH are
// extensions, so a session that used them is ESMTP whatever it said after.)
func (se *session) protocol(authenticated bool) string {
	// go-smtp keeps the greeting's name, not its command: the tap's
	// Corrector saw it.
	if corr := correctorOf(se.conn.Conn()); corr != nil && corr.SaidHELO() && !authenticated && !se.encrypted() {
		return "SMTP"
	}
	p := "ESMTP"
	if se.encrypted() {
		p += "S"
	}
	if authenticated {
		p += "A"
	}
	return p
}

// trace is what one server writes in the Received headers it adds.
type trace struct {
	helo, by, with, id string
	ipLiteral          string // the client's address as [192.0.2.1] or [IPv6:...]
	date               time.Time
}

// queueID names a delivery the way the 250 reply and the Received header
// show it: eight upper-case hex digits.
func queueID(n uint64) string {
	const digits = "0123456789ABCDEF"
	var b [16]byte
	i := len(b)
	for n > 0 || i > len(b)-8 {
		i--
		b[i] = digits[n&0xF]
		n >>= 4
	}
	return string(b[i:])
}

// prepend returns the message with a Received header on top (RFC 5321
// §4.4), naming the recipient when there is exactly one (rcpt != "").
//
//	Received: from HELO ([IP])
//		by HOSTNAME with ESMTPSA id ID
//		for <RCPT>; DATE
func (t trace) prepend(body []byte, rcpt string) []byte {
	b := make([]byte, 0, len(body)+t.room(rcpt))
	return append(t.appendHeader(b, rcpt), body...)
}

// room is enough room for the Received header naming rcpt and for a
// Return-Path's fixed words, so a copy's buffer is allocated once.
func (t trace) room(rcpt string) int {
	return 128 + len(t.helo) + len(t.ipLiteral) + len(t.by) + len(t.with) + len(t.id) + len(rcpt)
}

// appendHeader appends the Received header prepend puts on top. (Built by
// appending, not with fmt: it is written once per delivered copy.)
func (t trace) appendHeader(b []byte, rcpt string) []byte {
	b = append(b, "Received: from "...)
	b = append(b, printable(t.helo)...)
	b = append(b, " ("...)
	b = append(b, t.ipLiteral...)
	b = append(b, ")\r\n\tby "...)
	b = append(b, t.by...)
	b = append(b, " with "...)
	b = append(b, t.with...)
	b = append(b, " id "...)
	b = append(b, t.id...)
	if rcpt != "" {
		b = append(b, "\r\n\tfor <"...)
		b = append(b, rcpt...)
		b = append(b, '>')
	}
	b = append(b, "; "...)
	b = t.date.AppendFormat(b, "Mon, 2 Jan 2006 15:04:05 -0700")
	return append(b, "\r\n"...)
}

// readMessage reads the whole message into buf, grown as needed.
func readMessage(r io.Reader, buf []byte) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, 8*1024)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// addressLiteral writes the client's IP as RFC 5321 §4.1.3 wants it in the
// TCP-info of a Received header: [192.0.2.1] or [IPv6:2001:db8::1].
func addressLiteral(ip string) string {
	parsed := net.ParseIP(ip)
	switch {
	case parsed == nil:
		return "[" + printable(ip) + "]"
	case parsed.To4() != nil:
		return "[" + parsed.String() + "]"
	default:
		return "[IPv6:" + parsed.String() + "]"
	}
}

// printable keeps a client-given name from breaking the header: controls
// and spaces become '?'. (newSession has refused controls already.)
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func addrs(rcpts []recipient) []string {
	out := make([]string, len(rcpts))
	for i, rc := range rcpts {
		out[i] = rc.addr
	}
	return out
}

// oneAddr names the recipient for the "for" clause when there is only one:
// with several, naming one would leak it to the others (RFC 5321 §7.2).
func oneAddr(rcpts []recipient) string {
	if len(rcpts) == 1 {
		return rcpts[0].addr
	}
	return ""
}
