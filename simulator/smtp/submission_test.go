package smtp

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

func TestSubmissionRequiresAuth(t *testing.T) {
	r := start(t, submissionOptions(t, newStore(t), nil))
	conn := dialSTARTTLS(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<alice@example.com>", "530 5.7.0 Authentication required")
}

func TestAuthPlain(t *testing.T) {
	r := start(t, submissionOptions(t, newStore(t), nil))

	good := dialSTARTTLS(t, r.addr)
	good.cmd("EHLO client.example", "250")
	good.cmd("AUTH PLAIN "+b64("\x00alice@example.com\x00wonderland"), "235 2.0.0")
	good.cmd("AUTH PLAIN "+b64("\x00alice@example.com\x00wonderland"), "503 5.5.1") // once per session
	good.cmd("MAIL FROM:<alice@example.com>", "250")

	// Without an initial response the server sends an empty 334 challenge;
	// the login may be the local part alone when it is unique.
	noIR := dialSTARTTLS(t, r.addr)
	noIR.cmd("EHLO client.example", "250")
	noIR.cmd("AUTH PLAIN", "334 ")
	noIR.cmd(b64("\x00bob\x00builder"), "235")

	bad := dialSTARTTLS(t, r.addr)
	bad.cmd("EHLO client.example", "250")
	bad.cmd("AUTH PLAIN "+b64("\x00alice@example.com\x00wrong"), "535 5.7.8")
	bad.cmd("AUTH PLAIN "+b64("bob@example.org\x00alice@example.com\x00wonderland"), "535 5.7.8") // acting as someone else
	bad.cmd("AUTH PLAIN "+b64("no separators"), "501 5.5.2")
	bad.cmd("AUTH PLAIN !!!", "454 4.7.0") // go-smtp: invalid base64 (the simulator answers 501 5.5.2 instead: TestAuthErrorsFollowRFC4954)
	bad.cmd("AUTH CRAM-MD5", "504 5.5.4")
	bad.cmd("AUTH PLAIN", "334")
	bad.cmd("*", "501 5.0.0") // the client cancels (RFC 4954 §4)
	bad.cmd("MAIL FROM:<alice@example.com>", "530 5.7.0")
}

func TestAuthLogin(t *testing.T) {
	r := start(t, submissionOptions(t, newStore(t), nil))

	conn := dialSTARTTLS(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("AUTH LOGIN", "334 VXNlcm5hbWU6")             // "Username:"
	conn.cmd(b64("alice@example.com"), "334 UGFzc3dvcmQ6") // "Password:"
	conn.cmd(b64("wonderland"), "235 2.0.0")

	ir := dialSTARTTLS(t, r.addr)
	ir.cmd("EHLO client.example", "250")
	ir.cmd("AUTH LOGIN "+b64("bob@example.org"), "334 UGFzc3dvcmQ6")
	ir.cmd(b64("builder"), "235 2.0.0")

	bad := dialSTARTTLS(t, r.addr)
	bad.cmd("EHLO client.example", "250")
	bad.cmd("AUTH LOGIN", "334 VXNlcm5hbWU6")
	bad.cmd(b64("alice@example.com"), "334 UGFzc3dvcmQ6")
	bad.cmd(b64("builder"), "535 5.7.8")
	bad.cmd("AUTH LOGIN", "334 VXNlcm5hbWU6")
	bad.cmd(b64("mallory@example.com"), "334 UGFzc3dvcmQ6") // no hint that the user does not exist
	bad.cmd(b64("x"), "535 5.7.8")
}

func TestSubmissionSenderPolicy(t *testing.T) {
	r := start(t, Options{Store: newStore(t), Role: wire.RoleSubmission, Queue: func(Envelope) {}, TLSConfig: selfSigned(t)})
	conn := dial(t, r.addr)
	conn.login("alice", "wonderland")
	conn.cmd("MAIL FROM:<bob@example.org>", "553 5.7.1") // another user's address
	conn.cmd("MAIL FROM:<Alice@Example.com>", "250")
	conn.cmd("RSET", "250")
	conn.cmd("MAIL FROM:<alice.alias@example.net>", "250") // nobody here owns it: lenient
	conn.cmd("RSET", "250")
	conn.cmd("MAIL FROM:<>", "250")
}

// relayOverSMTP is what the simulator's Relay does: a real SMTP client
// carries the envelope to the MX listener.
func relayOverSMTP(addr string) func(Envelope) error {
	return func(env Envelope) error {
		c, err := gosmtp.Dial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Hello("mail.example.com"); err != nil {
			return err
		}
		if err := c.SendMail(env.From, env.To, bytes.NewReader(env.Data)); err != nil {
			return err
		}
		return c.Quit()
	}
}

// queue collects what Options.Queue receives.
type queue struct {
	mu   sync.Mutex
	envs []Envelope
}

func (q *queue) add(env Envelope) { q.mu.Lock(); q.envs = append(q.envs, env); q.mu.Unlock() }
func (q *queue) all() []Envelope {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]Envelope(nil), q.envs...)
}

// world is an MX and a submission server over one store, wired as the
// simulator wires them.
type world struct {
	store      *store.Store
	mxFaults   *fault.Set
	subFaults  *fault.Set
	mx, sub    *running
	queue      *queue
	relayCalls int
	mu         sync.Mutex
}

func newWorld(t *testing.T) *world {
	w := &world{store: newStore(t), mxFaults: fault.NewSet(), subFaults: fault.NewSet(), queue: &queue{}}
	w.mx = start(t, mxOptions(w.store, w.mxFaults))
	relay := relayOverSMTP(w.mx.addr)
	opts := submissionOptions(t, w.store, w.subFaults)
	opts.Relay = func(env Envelope) error {
		w.mu.Lock()
		w.relayCalls++
		w.mu.Unlock()
		return relay(env)
	}
	opts.Queue = w.queue.add
	w.sub = start(t, opts)
	return w
}

func TestSubmissionRoutes(t *testing.T) {
	w := newWorld(t)
	conn := dial(t, w.sub.addr)
	conn.login("alice@example.com", "wonderland")
	conn.sendMail("alice@example.com", []string{"alice@example.com", "bob@example.org", "friend@gmail.com", "other@yahoo.com"}, testBody)

	// Own domain: delivered here, one Received (ESMTPSA: logged in over TLS).
	own := inbox(t, w.store, "alice@example.com")
	if len(own) != 1 || !strings.HasPrefix(own[0], "Return-Path: <alice@example.com>\r\nReceived: from client.example ([127.0.0.1])\r\n\tby mail.example.com with ESMTPSA id ") {
		t.Fatalf("alice's copy:\n%q", own)
	}

	// Another domain of the world: relayed over SMTP to the MX before the
	// 250, which added its own Received on top of the submission's.
	w.mu.Lock()
	calls := w.relayCalls
	w.mu.Unlock()
	if calls != 1 {
		t.Errorf("Relay called %d times, want 1", calls)
	}
	bob := inbox(t, w.store, "bob@example.org")
	if len(bob) != 1 {
		t.Fatalf("bob has %d messages, want 1", len(bob))
	}
	headers := strings.SplitN(bob[0], "\r\n\r\n", 2)[0]
	if got := strings.Count(headers, "Received: "); got != 2 {
		t.Errorf("bob's copy has %d Received headers, want 2 (MX hop + submission):\n%s", got, headers)
	}
	if !strings.HasPrefix(bob[0], "Return-Path: <alice@example.com>\r\nReceived: from mail.example.com ([127.0.0.1])\r\n\tby mx.example.org with ESMTP id ") {
		t.Errorf("bob's copy should start with the MX's trace:\n%s", headers)
	}
	if !strings.Contains(headers, "by mail.example.com with ESMTPSA id ") || !strings.Contains(headers, "for <bob@example.org>") {
		t.Errorf("bob's copy lacks the submission's Received:\n%s", headers)
	}
	if strings.Count(headers, "Return-Path:") != 1 {
		t.Errorf("only final delivery adds Return-Path:\n%s", headers)
	}

	// Outside the world: queued with the submission's Received, no "for"
	// (two recipients), no Return-Path.
	q := w.queue.all()
	if len(q) != 1 {
		t.Fatalf("queue holds %d envelopes, want 1", len(q))
	}
	env := q[0]
	if env.From != "alice@example.com" || strings.Join(env.To, ",") != "friend@gmail.com,other@yahoo.com" || !env.Received.Equal(testNow) {
		t.Errorf("queued envelope %+v", env)
	}
	if data := string(env.Data); !strings.HasPrefix(data, "Received: from client.example ([127.0.0.1])\r\n\tby mail.example.com with ESMTPSA id ") ||
		strings.Contains(data, "for <") || strings.Contains(data, "Return-Path") || !strings.HasSuffix(data, testBody) {
		t.Errorf("queued data:\n%s", data)
	}
}

func TestSubmissionRefusals(t *testing.T) {
	w := newWorld(t)
	conn := dial(t, w.sub.addr)
	conn.login("alice", "wonderland")
	conn.cmd("MAIL FROM:<alice@example.com>", "250")
	conn.cmd("RCPT TO:<nobody@example.org>", "550 5.1.1")
	w.subFaults.Enable(fault.RelayDenied, true)
	conn.cmd("RCPT TO:<friend@gmail.com>", "554 5.7.1")
	conn.cmd("RCPT TO:<bob@example.org>", "250") // the other domain of the world is local, not relaying
	w.subFaults.Enable(fault.RelayDenied, false)
	conn.cmd("RCPT TO:<friend@gmail.com>", "250")
	w.subFaults.Enable(fault.MailboxFull, true)
	conn.cmd("RCPT TO:<alice@example.com>", "452 4.2.2")
}

// When the next hop refuses (here the MX greylists), the submission server
// passes the refusal on and stores nothing, not even the local copies; the
// client's retry then goes through.
func TestSubmissionRelayRefusedThenRetried(t *testing.T) {
	w := newWorld(t)
	w.mxFaults.Enable(fault.Greylist, true)
	conn := dial(t, w.sub.addr)
	conn.login("alice", "wonderland")
	conn.cmd("MAIL FROM:<alice@example.com>", "250")
	conn.cmd("RCPT TO:<alice@example.com>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: hop\r\n\r\nhi\r\n.")
	if reply := conn.expect("451 4.7.1"); !strings.Contains(reply, "Next hop refused") {
		t.Errorf("reply %q should say the next hop refused", reply)
	}
	if n := len(inbox(t, w.store, "alice@example.com")) + len(inbox(t, w.store, "bob@example.org")); n != 0 {
		t.Fatalf("%d messages stored after a refused hop, want 0", n)
	}
	conn.sendMail("alice@example.com", []string{"alice@example.com", "bob@example.org"}, "Subject: hop\r\n\r\nhi\r\n")
	if len(inbox(t, w.store, "alice@example.com")) != 1 || len(inbox(t, w.store, "bob@example.org")) != 1 {
		t.Errorf("retry should deliver one copy each")
	}
}

func TestAuthFailFault(t *testing.T) {
	faults := fault.NewSet()
	r := start(t, submissionOptions(t, newStore(t), faults))
	conn := dialSTARTTLS(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	faults.Enable(fault.AuthFail, true)
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "535 5.7.8")
	conn.cmd("AUTH LOGIN", "334")
	conn.cmd(b64("alice"), "334")
	conn.cmd(b64("wonderland"), "535 5.7.8")
	faults.Enable(fault.AuthFail, false)
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "235")
}

// The default policy, as at today's providers (RFC 8314, RFC 4954 §4): on
// the plaintext submission port EHLO lists no AUTH and AUTH is refused until
// STARTTLS; after it, AUTH is listed and works.
func TestSubmissionAuthOnlyAfterSTARTTLS(t *testing.T) {
	st := newStore(t)
	r := start(t, submissionOptions(t, st, nil))
	conn := dial(t, r.addr)
	ehlo := conn.cmd("EHLO client.example", "250 ")
	if strings.Contains(ehlo, "AUTH") || !strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("before TLS: want STARTTLS and no AUTH:\n%s", ehlo)
	}
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "530 5.7.0 Must issue a STARTTLS command first")
	conn.cmd("AUTH LOGIN", "530 5.7.0 Must issue a STARTTLS command first")
	conn.cmd("AUTH CRAM-MD5", "530 5.7.0 Must issue a STARTTLS command first") // no hint about mechanisms in clear either
	conn.cmd("MAIL FROM:<alice@example.com>", "530 5.7.0 Authentication required")

	conn.startTLS()
	ehlo = conn.cmd("EHLO client.example", "250 ")
	if !strings.Contains(ehlo, "AUTH PLAIN LOGIN") || strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("after TLS: want AUTH and no STARTTLS:\n%s", ehlo)
	}
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "235")
	conn.sendMail("alice@example.com", []string{"alice@example.com"}, "Subject: secure\r\n\r\nhi\r\n")
	if msgs := inbox(t, st, "alice@example.com"); len(msgs) != 1 || !strings.Contains(msgs[0], " with ESMTPSA id ") {
		t.Errorf("want one message received with ESMTPSA, got %q", msgs)
	}
}

// checkPlainAuth logs in on a plaintext connection, as servers allowed
// before RFC 8314: AUTH is listed before STARTTLS and accepted in clear, and
// the Received header says ESMTPA (authenticated, not encrypted).
func checkPlainAuth(t *testing.T, st *store.Store, addr string) {
	t.Helper()
	conn := dial(t, addr)
	ehlo := conn.cmd("EHLO client.example", "250 ")
	if !strings.Contains(ehlo, "AUTH PLAIN LOGIN") || !strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("plain-auth: want AUTH and STARTTLS before TLS:\n%s", ehlo)
	}
	conn.cmd("AUTH LOGIN", "334 VXNlcm5hbWU6")
	conn.cmd(b64("alice"), "334 UGFzc3dvcmQ6")
	conn.cmd(b64("wonderland"), "235 2.0.0")
	before := len(inbox(t, st, "alice@example.com"))
	conn.sendMail("alice@example.com", []string{"alice@example.com"}, "Subject: clear\r\n\r\nhi\r\n")
	msgs := inbox(t, st, "alice@example.com")
	if len(msgs) != before+1 || !strings.Contains(msgs[len(msgs)-1], " with ESMTPA id ") {
		t.Errorf("want a new message received with ESMTPA, got %q", msgs)
	}
	conn.cmd("QUIT", "221")
}

func TestPlainAuthOption(t *testing.T) {
	st := newStore(t)
	opts := submissionOptions(t, st, nil)
	opts.PlainAuth = true
	checkPlainAuth(t, st, start(t, opts).addr)

	// RequireTLS outranks PlainAuth: the stricter word wins.
	opts.RequireTLS = true
	conn := dial(t, start(t, opts).addr)
	if ehlo := conn.cmd("EHLO client.example", "250 "); strings.Contains(ehlo, "AUTH") {
		t.Errorf("PlainAuth with RequireTLS: AUTH must not be offered in clear:\n%s", ehlo)
	}
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "530 5.7.0")
}

func TestPlainAuthFault(t *testing.T) {
	st := newStore(t)
	faults := fault.NewSet()
	r := start(t, submissionOptions(t, st, faults))
	faults.Enable(fault.PlainAuth, true)
	checkPlainAuth(t, st, r.addr)

	// Switched off, the next EHLO (and AUTH) follow the default again.
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	faults.Enable(fault.PlainAuth, false)
	if ehlo := conn.cmd("EHLO client.example", "250 "); strings.Contains(ehlo, "AUTH") {
		t.Errorf("plain-auth off: AUTH must not be offered in clear:\n%s", ehlo)
	}
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "530 5.7.0 Must issue a STARTTLS command first")
}

// tls-required (the fault for POP3 and IMAP, where clear-text login is the
// default) outranks plain-auth on submission.
func TestTLSRequiredFault(t *testing.T) {
	faults := fault.NewSet()
	opts := submissionOptions(t, newStore(t), faults)
	opts.PlainAuth = true
	r := start(t, opts)
	conn := dial(t, r.addr)
	faults.Enable(fault.TLSRequired, true)
	if ehlo := conn.cmd("EHLO client.example", "250 "); strings.Contains(ehlo, "AUTH") {
		t.Errorf("tls-required: AUTH must not be offered in clear:\n%s", ehlo)
	}
	conn.cmd("AUTH LOGIN", "530 5.7.0 Must issue a STARTTLS command first")
	faults.Enable(fault.TLSRequired, false)
	conn.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "235")
}

func TestSubmissionsImplicitTLS(t *testing.T) {
	st := newStore(t)
	opts := submissionOptions(t, st, nil)
	opts.Role = wire.RoleSubmissions
	r := start(t, opts)
	conn := dialTLS(t, r.addr)
	ehlo := conn.cmd("EHLO client.example", "250 ")
	if strings.Contains(ehlo, "STARTTLS") || !strings.Contains(ehlo, "AUTH PLAIN LOGIN") {
		t.Errorf("implicit TLS: want AUTH and no STARTTLS:\n%s", ehlo)
	}
	conn.cmd("AUTH PLAIN "+b64("\x00bob\x00builder"), "235")
	conn.sendMail("bob@example.org", []string{"bob@example.org"}, "Subject: 465\r\n\r\nhi\r\n")
	if msgs := inbox(t, st, "bob@example.org"); len(msgs) != 1 || !strings.Contains(msgs[0], " with ESMTPSA id ") {
		t.Errorf("want one message received with ESMTPSA, got %q", msgs)
	}
}

func TestRelayUnreachable(t *testing.T) {
	st := newStore(t)
	opts := submissionOptions(t, st, nil)
	opts.Relay = func(Envelope) error { return errors.New("connection refused") }
	r := start(t, opts)
	conn := dial(t, r.addr)
	conn.login("alice", "wonderland")
	conn.cmd("MAIL FROM:<alice@example.com>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: x\r\n\r\nx\r\n.")
	conn.expect("451 4.4.1")
}

// Without Relay and Queue (a bare server): the other world domain is
// delivered directly, and outside domains are refused at RCPT.
func TestWithoutRelayOrQueue(t *testing.T) {
	st := newStore(t)
	r := start(t, submissionOptions(t, st, nil))
	conn := dial(t, r.addr)
	conn.login("alice", "wonderland")
	conn.cmd("MAIL FROM:<alice@example.com>", "250")
	conn.cmd("RCPT TO:<friend@gmail.com>", "554 5.7.1")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: direct\r\n\r\nx\r\n.")
	conn.expect("250")
	if msgs := inbox(t, st, "bob@example.org"); len(msgs) != 1 || strings.Count(msgs[0], "Received: ") != 1 {
		t.Errorf("want one directly delivered copy, got %q", msgs)
	}
}
