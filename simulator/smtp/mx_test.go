package smtp

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/fault"
)

func TestMXGreetingAndEHLO(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	if !strings.Contains(conn.greeting, "220 mx.example.org ESMTP") {
		t.Errorf("greeting %q should name the host", conn.greeting)
	}
	ehlo := conn.cmd("EHLO client.example", "250 ")
	for _, want := range []string{"250-Hello client.example", "PIPELINING", "SIZE 10485760", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING"} {
		if !strings.Contains(ehlo, want) {
			t.Errorf("EHLO lacks %q:\n%s", want, ehlo)
		}
	}
	for _, unwanted := range []string{"AUTH", "STARTTLS"} {
		if strings.Contains(ehlo, unwanted) {
			t.Errorf("MX without TLSConfig must not offer %s:\n%s", unwanted, ehlo)
		}
	}
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "503 5.5.1")
	conn.cmd("QUIT", "221")
}

func TestMXOffersSTARTTLSWhenConfigured(t *testing.T) {
	faults := fault.NewSet()
	opts := mxOptions(newStore(t), faults)
	opts.TLSConfig = selfSigned(t)
	r := start(t, opts)
	conn := dial(t, r.addr)
	if ehlo := conn.cmd("EHLO client.example", "250 "); !strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
		t.Errorf("want STARTTLS and no AUTH:\n%s", ehlo)
	}
	// The MX has no AUTH at all: not after STARTTLS, not under plain-auth.
	faults.Enable(fault.PlainAuth, true)
	conn.startTLS()
	if ehlo := conn.cmd("EHLO client.example", "250 "); strings.Contains(ehlo, "AUTH") {
		t.Errorf("MX must never offer AUTH:\n%s", ehlo)
	}
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "503 5.5.1")
}

// receivedRe is the RFC 5321 §4.4 trace header this package writes.
var receivedRe = regexp.MustCompile(`^Received: from (\S+) \(\[([0-9.:a-fA-Fv6IP]+)\]\)\r\n\tby (\S+) with (ESMTPS?A?) id ([0-9A-F]{8})\r\n\tfor <([^>]+)>; (\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4})\r\n`)

func TestMXDeliversWithReturnPathAndReceived(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	reply := conn.sendMail("carol@example.net", []string{"bob@example.org"}, testBody)

	msgs := inbox(t, st, "bob@example.org")
	if len(msgs) != 1 {
		t.Fatalf("bob has %d messages, want 1 (it must be stored when 250 is sent)", len(msgs))
	}
	raw := msgs[0]
	rest, ok := strings.CutPrefix(raw, "Return-Path: <carol@example.net>\r\n")
	if !ok {
		t.Fatalf("no Return-Path on top:\n%s", raw)
	}
	m := receivedRe.FindStringSubmatch(rest)
	if m == nil {
		t.Fatalf("no Received header in RFC 5321 form:\n%s", rest)
	}
	want := []string{"client.example", "127.0.0.1", "mx.example.org", "ESMTP", "", "bob@example.org", "Wed, 4 Mar 2026 05:06:07 +0000"}
	for i, w := range want {
		if w != "" && m[i+1] != w {
			t.Errorf("Received field %d = %q, want %q", i+1, m[i+1], w)
		}
	}
	if !strings.HasSuffix(reply, "queued as "+m[5]) {
		t.Errorf("250 reply %q should name the queue id %s of the Received header", reply, m[5])
	}
	if !strings.HasSuffix(raw, testBody) {
		t.Errorf("body changed:\n%s", raw)
	}
}

func TestMXRefusals(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<spammer@example.net>", "250")
	conn.cmd("RCPT TO:<someone@gmail.com>", "554 5.7.1")
	conn.cmd("RCPT TO:<nobody@example.com>", "550 5.1.1")
	conn.cmd("RCPT TO:<ALICE@Example.COM>", "250") // addresses are case-insensitive
	conn.cmd("RCPT TO:<alice@example.com>", "250") // the same recipient twice: one copy
	conn.cmd("DATA", "354")
	conn.send("Subject: x\r\n\r\nbody\r\n.")
	conn.expect("250")
	if n := len(inbox(t, st, "alice@example.com")); n != 1 {
		t.Errorf("alice has %d messages, want 1", n)
	}
}

func TestMXSizeLimit(t *testing.T) {
	st := newStore(t)
	opts := mxOptions(st, nil)
	opts.MaxMessageBytes = 100
	r := start(t, opts)
	conn := dial(t, r.addr)
	if ehlo := conn.cmd("EHLO client.example", "250 "); !strings.Contains(ehlo, "SIZE 100") {
		t.Errorf("EHLO should advertise SIZE 100:\n%s", ehlo)
	}
	conn.cmd("MAIL FROM:<carol@example.net> SIZE=101", "552 5.3.4")
	conn.cmd("MAIL FROM:<carol@example.net> SIZE=50", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: big\r\n\r\n" + strings.Repeat("x", 200) + "\r\n.")
	conn.expect("552 5.3.4")
	if n := len(inbox(t, st, "bob@example.org")); n != 0 {
		t.Errorf("an oversized message was stored")
	}
	// The session goes on.
	conn.cmd("NOOP", "250")
	conn.sendMail("carol@example.net", []string{"bob@example.org"}, "Subject: small\r\n\r\nok\r\n")
}

func TestMXGreylistFault(t *testing.T) {
	st := newStore(t)
	faults := fault.NewSet()
	r := start(t, mxOptions(st, faults))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250") // fault off
	conn.cmd("RSET", "250")

	faults.Enable(fault.Greylist, true) // switched on at run time: the next RCPT sees it
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "451 4.7.1")
	conn.cmd("RCPT TO:<bob@example.org>", "250") // the retry of the same triplet passes
	conn.cmd("RCPT TO:<alice@example.com>", "451 4.7.1")
	conn.cmd("RSET", "250")
	conn.cmd("MAIL FROM:<dave@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "451 4.7.1") // new sender, new triplet
}

func TestMXMailboxFullFault(t *testing.T) {
	st := newStore(t)
	faults := fault.NewSet()
	faults.Enable(fault.MailboxFull, true)
	r := start(t, mxOptions(st, faults))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "452 4.2.2")
	conn.cmd("RCPT TO:<nobody@example.org>", "550 5.1.1") // unknown beats full
	faults.Enable(fault.MailboxFull, false)
	conn.cmd("RCPT TO:<bob@example.org>", "250")
}

func TestHELOWorksToo(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("HELO old.client", "250")
	conn.sendMail("", []string{"bob@example.org"}, "Subject: bounce\r\n\r\nnull sender\r\n")
	if msgs := inbox(t, st, "bob@example.org"); len(msgs) != 1 || !strings.HasPrefix(msgs[0], "Return-Path: <>\r\n") {
		t.Errorf("want one message with Return-Path: <>, got %q", msgs)
	}
}

// A client that ends lines with bare LF gets its message stored with CRLF.
func TestBareLFBodyIsNormalised(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: lf\n\nline one\nline two\r\n.")
	conn.expect("250")
	if msgs := inbox(t, st, "bob@example.org"); len(msgs) != 1 || !strings.HasSuffix(msgs[0], "Subject: lf\r\n\r\nline one\r\nline two\r\n") {
		t.Errorf("stored %q", msgs)
	}
}
