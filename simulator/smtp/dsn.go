package smtp

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// Bounces: what the world does with mail it accepted and then could not
// deliver. The server that accepted the message owns it (RFC 5321 §6.1),
// so it tells the envelope sender with a delivery status notification
// (RFC 3464: multipart/report; report-type=delivery-status), from the null
// sender <> so that a report is never reported on. The client asked for
// reports with the DSN extension (RFC 3461): NOTIFY=NEVER, FAILURE, SUCCESS,
// DELAY per recipient, RET=FULL or HDRS for how much of the message comes
// back, ENVID and ORCPT to recognise it. Without NOTIFY a failure is
// reported and nothing else (RFC 3461 §4.1).

// DSN is what the client asked for with the DSN extension, carried along
// with an Envelope to the next hop.
type DSN struct {
	Ret    gosmtp.DSNReturn              // RET= on MAIL FROM: FULL, HDRS or "" (the server decides: FULL here)
	EnvID  string                        // ENVID= on MAIL FROM, "" when not given
	Notify map[string][]gosmtp.DSNNotify // NOTIFY= per recipient (lower-case address), absent when not given
	ORCPT  map[string]string             // ORCPT= per recipient (lower-case address): the address the sender first wrote
}

// Wants reports whether the recipient asked to be told about this event:
// with no NOTIFY, failures only.
func (d DSN) Wants(rcpt string, event gosmtp.DSNNotify) bool {
	n, ok := d.Notify[strings.ToLower(rcpt)]
	if !ok {
		return event == gosmtp.DSNNotifyFailure
	}
	for _, v := range n {
		if v == event {
			return true
		}
	}
	return false
}

// rcptOptions is what a hop passes on for one recipient (RFC 3461 §5.2.1:
// a relaying MTA passes NOTIFY and ORCPT to a next hop that offers DSN).
func (d DSN) rcptOptions(rcpt string) *gosmtp.RcptOptions {
	o := &gosmtp.RcptOptions{Notify: d.Notify[strings.ToLower(rcpt)]}
	if orcpt := d.ORCPT[strings.ToLower(rcpt)]; orcpt != "" {
		o.OriginalRecipientType, o.OriginalRecipient = gosmtp.DSNAddressTypeRFC822, orcpt
	}
	return o
}

// RcptOptions is what a hop passes on with RCPT TO for one recipient.
func (e Envelope) RcptOptions(rcpt string) *gosmtp.RcptOptions { return e.DSN.rcptOptions(rcpt) }

// MailOptions is what a hop passes on with MAIL FROM.
func (e Envelope) MailOptions() *gosmtp.MailOptions {
	return &gosmtp.MailOptions{Return: e.DSN.Ret, EnvelopeID: e.DSN.EnvID}
}

// Failure is one recipient the world could not deliver to after it had
// accepted the message.
type Failure struct {
	Rcpt      string
	Reply     *gosmtp.SMTPError // the refusing server's reply, or the world's own status
	RemoteMTA string            // the server that refused; "" when the world gave up itself
	Command   string            // what the reply answered: "MAIL FROM", "RCPT TO", "end of DATA"
}

// Undeliverable is the error Options.Relay returns when the next hop
// refused some or all recipients for good (5xx) and took the others: the
// submission server then accepts the message and bounces those.
type Undeliverable struct{ Failures []Failure }

func (u *Undeliverable) Error() string {
	var parts []string
	for _, f := range u.Failures {
		parts = append(parts, fmt.Sprintf("<%s>: %d %s", f.Rcpt, f.Reply.Code, f.Reply.Message))
	}
	return "undeliverable: " + strings.Join(parts, "; ")
}

// Report is one delivery status notification (RFC 3464).
type Report struct {
	ReportingMTA string    // the server writing the report: mail.example.com
	To           string    // the envelope sender the report goes to
	EnvID        string    // the sender's ENVID, "" when none
	Arrival      time.Time // when the reporting server accepted the message
	Date         time.Time // now
	Action       string    // failed, delayed, delivered (RFC 3464 §2.3.3)
	Rcpts        []ReportRcpt
	Ret          gosmtp.DSNReturn // HDRS returns only the header; anything else the whole message
	Original     []byte           // the message as the reporting server accepted it
	ID           string           // makes the Message-ID unique
}

// ReportRcpt is one recipient's part of a report.
type ReportRcpt struct {
	Rcpt       string
	ORCPT      string // Original-Recipient, "" when the sender gave none
	Status     string // an enhanced status code: 5.7.26
	Diagnostic string // the remote reply ("550 5.7.26 ..."), written as Diagnostic-Code: smtp; ...
	RemoteMTA  string
	Command    string // what the remote reply answered ("MAIL FROM"), for the human part
	Note       string // the world's own reason when there is no remote reply (Diagnostic-Code: X-Mailtutor; ...)
}

// Bytes writes the report: a multipart/report with a human-readable part,
// the machine-readable message/delivery-status, and the original message
// (message/rfc822) or its header (text/rfc822-headers).
func (r Report) Bytes() []byte {
	var b bytes.Buffer
	boundary := "=_mailtutor_" + r.ID
	subject := map[string]string{
		"failed":    "Undelivered Mail Returned to Sender",
		"delayed":   "Delayed Mail (still being retried)",
		"delivered": "Successful Mail Delivery Report",
	}[r.Action]
	date := r.Date.Format("Mon, 2 Jan 2006 15:04:05 -0700")
	fmt.Fprintf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", r.ReportingMTA)
	fmt.Fprintf(&b, "To: <%s>\r\n", r.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Date: %s\r\n", date)
	fmt.Fprintf(&b, "Message-ID: <%s.dsn@%s>\r\n", r.ID, r.ReportingMTA)
	b.WriteString("Auto-Submitted: auto-replied\r\n") // RFC 3834: no vacation reply to a bounce
	b.WriteString("MIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n\r\n", boundary)
	b.WriteString("This is a MIME-encapsulated message: a delivery status notification (RFC 3464).\r\n\r\n")

	// The part for people.
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Description: Notification\r\n\r\n", boundary)
	fmt.Fprintf(&b, "This is the mail system at host %s.\r\n\r\n", r.ReportingMTA)
	switch r.Action {
	case "failed":
		b.WriteString("I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients. It's attached below.\r\n")
	case "delayed":
		b.WriteString("Your message could not be delivered yet. The mail system will\r\nkeep trying; you do not need to send it again.\r\n")
	case "delivered":
		b.WriteString("Your message was successfully delivered to the destination(s)\r\nlisted below, as you asked (DSN NOTIFY=SUCCESS).\r\n")
	}
	for _, rc := range r.Rcpts {
		why := rc.Diagnostic
		if why == "" {
			why = rc.Note
		}
		switch {
		case rc.RemoteMTA != "" && rc.Command != "":
			// Postfix's words, which help-desk staff know.
			fmt.Fprintf(&b, "\r\n<%s>: host %s said: %s (in reply to %s command)\r\n", rc.Rcpt, rc.RemoteMTA, why, rc.Command)
		case rc.RemoteMTA != "":
			fmt.Fprintf(&b, "\r\n<%s>: host %s said: %s\r\n", rc.Rcpt, rc.RemoteMTA, why)
		default:
			fmt.Fprintf(&b, "\r\n<%s>: %s\r\n", rc.Rcpt, why)
		}
	}

	// The part for programs (RFC 3464 §2).
	fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: message/delivery-status\r\nContent-Description: Delivery report\r\n\r\n", boundary)
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\r\n", r.ReportingMTA)
	if r.EnvID != "" {
		fmt.Fprintf(&b, "Original-Envelope-Id: %s\r\n", r.EnvID)
	}
	fmt.Fprintf(&b, "Arrival-Date: %s\r\n", r.Arrival.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	for _, rc := range r.Rcpts {
		b.WriteString("\r\n")
		fmt.Fprintf(&b, "Final-Recipient: rfc822; %s\r\n", rc.Rcpt)
		if rc.ORCPT != "" {
			fmt.Fprintf(&b, "Original-Recipient: rfc822; %s\r\n", rc.ORCPT)
		}
		fmt.Fprintf(&b, "Action: %s\r\n", r.Action)
		fmt.Fprintf(&b, "Status: %s\r\n", rc.Status)
		if rc.RemoteMTA != "" {
			fmt.Fprintf(&b, "Remote-MTA: dns; %s\r\n", rc.RemoteMTA)
		}
		switch {
		case rc.Diagnostic != "":
			b.WriteString(fold("Diagnostic-Code: smtp; " + rc.Diagnostic))
		case rc.Note != "":
			b.WriteString(fold("Diagnostic-Code: X-Mailtutor; " + rc.Note))
		}
		if r.Action == "delayed" {
			fmt.Fprintf(&b, "Will-Retry-Until: %s\r\n", r.Arrival.Add(DefaultQueueLifetime).Format("Mon, 2 Jan 2006 15:04:05 -0700"))
		}
	}

	// The message, or its header (RET=HDRS, and always for a success
	// report, RFC 3461 §6.2: the recipient has the message already).
	orig := r.Original
	if r.Ret == gosmtp.DSNReturnHeaders || r.Action != "failed" {
		fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\nContent-Description: Undelivered Message Headers\r\n\r\n", boundary)
		orig = headerOf(orig)
	} else {
		fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: message/rfc822\r\nContent-Description: Undelivered Message\r\n\r\n", boundary)
	}
	b.Write(orig)
	if !bytes.HasSuffix(orig, []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes()
}

// DefaultQueueLifetime is how long the world keeps trying mail it cannot
// deliver yet before it gives up and bounces it (Postfix's
// maximal_queue_lifetime).
const DefaultQueueLifetime = 5 * 24 * time.Hour

// fold writes a header-style field, folded before 78 columns at spaces
// (RFC 5322 §2.2.3), CRLF-terminated.
func fold(field string) string {
	var b strings.Builder
	line := 0
	for i, w := range strings.Split(field, " ") {
		if i > 0 {
			if line+1+len(w) > 76 {
				b.WriteString("\r\n ") // unfolded, the space is the one between the words
				line = 1
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteString("\r\n")
	return b.String()
}

// statusOf is the Status field for a reply: its enhanced code, or one
// made from the reply's class when it has none.
func statusOf(e *gosmtp.SMTPError) string {
	if e.EnhancedCode != (gosmtp.EnhancedCode{}) && e.EnhancedCode != gosmtp.NoEnhancedCode {
		return fmt.Sprintf("%d.%d.%d", e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2])
	}
	return strconv.Itoa(e.Code/100) + ".0.0"
}

// replyText writes a reply as the server sent it, on one line.
func replyText(e *gosmtp.SMTPError) string {
	return fmt.Sprintf("%d %s %s", e.Code, statusOf(e), strings.Join(strings.Fields(e.Message), " "))
}

// DeliverReport hands a report to the envelope sender it is for: straight
// into the INBOX of a user of the world (with Return-Path: <>, the null
// sender reports come from), or to queue for an address outside it. A
// report for the null sender is dropped: a bounce is never bounced
// (RFC 5321 §4.5.5).
func DeliverReport(st *store.Store, queue func(Envelope), to string, raw []byte, now time.Time) error {
	if to == "" {
		return nil
	}
	if u, ok := st.LookupAddress(to); ok {
		msg := append([]byte("Return-Path: <>\r\n"), raw...)
		_, err := u.Inbox().AppendOwned(msg, nil, now, nil)
		return err
	}
	if queue != nil {
		queue(Envelope{From: "", To: []string{to}, Data: raw, Received: now})
	}
	return nil
}

// report makes and delivers one report about this message for the
// recipients given (those that asked for it).
func (se *session) report(action string, from string, dsn DSN, rcpts []ReportRcpt, original []byte, arrival time.Time) {
	if from == "" || len(rcpts) == 0 {
		return
	}
	srv := se.srv
	r := Report{ReportingMTA: srv.opts.Hostname, To: from, EnvID: dsn.EnvID, Arrival: arrival, Date: srv.opts.Now(),
		Action: action, Rcpts: rcpts, Ret: dsn.Ret, Original: original, ID: queueID(srv.nextID.Add(1))}
	// A report that cannot be stored (the sender's mailbox is full) is
	// lost, as a real server would drop a double bounce.
	_ = DeliverReport(srv.opts.Store, srv.opts.Queue, from, r.Bytes(), srv.opts.Now())
}
