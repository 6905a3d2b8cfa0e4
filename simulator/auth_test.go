package simulator

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/mailtutor/mailtutor/simulator/dns"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Issue 24: the world's DNS, the MX's SPF, DKIM and DMARC checks, bounces.
// Every test speaks SMTP over TCP to the running simulator; the relay hop
// and every client connect from 127.0.0.1, which the default SPF records
// allow.

// mxSend gives the MX one message and returns the reply that decided it:
// MAIL's when MAIL is refused, else the reply after the final dot.
func mxSend(t *testing.T, sim *Simulator, from, to, msg string) string {
	t.Helper()
	c := dial(t, sim, wire.RoleMX)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO sender.example.net", "250")
	if reply := c.expectSMTP("MAIL FROM:<"+from+">", ""); !strings.HasPrefix(reply, "250") {
		return reply
	}
	c.expectSMTP("RCPT TO:<"+to+">", "250")
	c.expectSMTP("DATA", "354")
	c.send(strings.ReplaceAll(strings.TrimSuffix(msg, "\n"), "\n", "\r\n") + "\r\n.")
	reply := c.smtpReply()
	c.expectSMTP("QUIT", "221")
	return reply
}

// last returns the newest message of a user's mailbox, "" when it is empty.
func last(t *testing.T, sim *Simulator, user, mailbox string) string {
	t.Helper()
	u, ok := sim.Store().LookupAddress(user)
	if !ok {
		t.Fatalf("no user %s", user)
	}
	mb, err := u.Mailbox(mailbox)
	if err != nil {
		t.Fatal(err)
	}
	msgs := mb.Messages()
	if len(msgs) == 0 {
		return ""
	}
	return string(msgs[len(msgs)-1].Body.Raw)
}

// authResults is the Authentication-Results field of a stored message,
// unfolded.
func authResults(t *testing.T, raw string) string {
	t.Helper()
	i := strings.Index(raw, "Authentication-Results: ")
	if i < 0 {
		t.Fatalf("no Authentication-Results in:\n%s", raw)
	}
	v := raw[i:]
	end := 0
	for {
		j := strings.Index(v[end:], "\r\n")
		end += j + 2
		if !strings.HasPrefix(v[end:], "\t") {
			break
		}
	}
	return strings.Join(strings.Fields(v[:end]), " ")
}

// unfold joins folded header lines (RFC 5322 §2.2.3).
func unfold(s string) string {
	s = strings.ReplaceAll(s, "\r\n\t", " ")
	return strings.ReplaceAll(s, "\r\n ", " ")
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, s)
		}
	}
}

const aliceNote = `From: Alice <alice@example.com>
To: Bob <bob@example.org>
Subject: lunch?
Date: Wed, 25 Nov 2026 09:00:00 +0000
Message-ID: <lunch@example.com>

Shall we have lunch today?
`

func TestDNSDefaultsAndChanges(t *testing.T) {
	sim := newSim(t, Options{DNS: []string{`example.org TXT "v=spf1 ~all"`}})
	z := sim.DNS()
	for _, want := range []string{
		`example.com. MX 10 mx.example.com`,
		`mx.example.org. A 127.0.0.1`,
		`example.com. TXT "v=spf1 ip4:127.0.0.0/8 -all"`,
		`_dmarc.example.com. TXT "v=DMARC1; p=reject"`,
		`example.org. TXT "v=spf1 ~all"`, // Options.DNS replaced the default
	} {
		found := false
		for _, r := range z.Records() {
			found = found || r.String() == want
		}
		if !found {
			t.Errorf("no record %s in %v", want, z.Records())
		}
	}
	if keys := z.Lookup("mail._domainkey.example.com", dns.TXT); len(keys) != 1 || !strings.HasPrefix(keys[0].Value, "v=DKIM1; k=ed25519; p=") {
		t.Errorf("DKIM key record: %v", keys)
	}
	if err := sim.SetDNS(`example.com TXT "v=spf1 -all"`); err != nil {
		t.Fatal(err)
	}
	if got := z.Lookup("example.com", dns.TXT); len(got) != 1 || got[0].Value != "v=spf1 -all" {
		t.Errorf("after SetDNS: %v", got)
	}
	if err := sim.SetDNS(`example.com SRV 0 0 25 mx`); err == nil {
		t.Error("an unknown record type was accepted")
	}
}

// The default world: a message from alice to bob crosses the relay hop,
// signed by the submission server, and passes all three checks.
func TestRelayedMailPassesSPFDKIMAndDMARC(t *testing.T) {
	sim := newSim(t, Options{})
	submit(t, sim, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "bob@example.org", "hop")
	raw := last(t, sim, "bob@example.org", "INBOX")
	mustContain(t, "delivered copy", raw, "DKIM-Signature: ", "d=example.com", "s=mail", "a=ed25519-sha256")
	mustContain(t, "Authentication-Results", authResults(t, raw),
		"Authentication-Results: mx.example.org;", "spf=pass smtp.mailfrom=alice@example.com",
		"dkim=pass header.d=example.com", "dmarc=pass header.from=example.com")
}

func TestSPFPassFailSoftfailTemperror(t *testing.T) {
	sim := newSim(t, Options{})
	// pass: 127.0.0.1 is inside ip4:127.0.0.0/8.
	if reply := mxSend(t, sim, "alice@example.com", "bob@example.org", aliceNote); !strings.HasPrefix(reply, "250") {
		t.Fatalf("SPF pass: %s", reply)
	}
	mustContain(t, "pass", authResults(t, last(t, sim, "bob@example.org", "INBOX")), "spf=pass", "dmarc=pass")

	// fail: refused at MAIL FROM.
	sim.SetDNS(`example.com TXT "v=spf1 ip4:192.0.2.10 -all"`)
	reply := mxSend(t, sim, "alice@example.com", "bob@example.org", aliceNote)
	mustContain(t, "SPF fail", reply, "550 5.7.1 ", "SPF fail", "127.0.0.1 is not allowed to send mail for example.com")

	// softfail: taken at MAIL, left to DMARC, which (p=reject, no DKIM
	// signature, SPF not a pass) refuses after DATA...
	sim.SetDNS(`example.com TXT "v=spf1 ip4:192.0.2.10 ~all"`)
	reply = mxSend(t, sim, "alice@example.com", "bob@example.org", aliceNote)
	mustContain(t, "softfail under p=reject", reply, "550 5.7.26 ", "DMARC")
	// ...and delivers, with the verdicts written down, under p=none.
	sim.SetDNS(`_dmarc.example.com TXT "v=DMARC1; p=none"`)
	if reply := mxSend(t, sim, "alice@example.com", "bob@example.org", aliceNote); !strings.HasPrefix(reply, "250") {
		t.Fatalf("softfail under p=none: %s", reply)
	}
	mustContain(t, "softfail", authResults(t, last(t, sim, "bob@example.org", "INBOX")), "spf=softfail", "dkim=none", "dmarc=fail")

	// temperror: the DNS is down.
	sim.SetFault(fault.DNSDown, true)
	reply = mxSend(t, sim, "alice@example.com", "bob@example.org", aliceNote)
	mustContain(t, "temperror", reply, "451 4.7.24 ")
}

// signed signs a message with the world's key for a domain, as the
// submission server does.
func signed(t *testing.T, sim *Simulator, domain, msg string) string {
	t.Helper()
	key, ok := sim.dkimKey(domain)
	if !ok {
		t.Fatalf("no key for %s", domain)
	}
	var out bytes.Buffer
	crlf := strings.ReplaceAll(msg, "\n", "\r\n")
	if err := dkim.Sign(&out, strings.NewReader(crlf), &dkim.SignOptions{Domain: domain, Selector: key.Selector, Signer: key.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"}}); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n")
}

func TestDKIMValidBrokenBodyBrokenHeader(t *testing.T) {
	sim := newSim(t, Options{})
	// SPF cannot rescue these: alice's domain allows no host at all, and
	// the DMARC policy is p=none so each verdict is delivered and read.
	sim.SetDNS(`example.com TXT "v=spf1 -all"`)
	sim.SetDNS(`_dmarc.example.com TXT "v=DMARC1; p=none"`)
	sim.SetDNS(`mailer.example.net TXT "v=spf1 +all"`) // an envelope sender that passes, not aligned

	msg := signed(t, sim, "example.com", aliceNote)
	cases := []struct {
		name, msg string
		want      []string
	}{
		{"valid", msg, []string{"dkim=pass header.d=example.com", "dmarc=pass"}},
		{"broken body", strings.Replace(msg, "lunch today", "dinner today", 1),
			[]string{"dkim=fail", "body hash did not verify", "dmarc=fail"}},
		{"broken header", strings.Replace(msg, "Subject: lunch?", "Subject: dinner?", 1),
			[]string{"dkim=fail", "signature did not verify", "dmarc=fail"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if reply := mxSend(t, sim, "bounces@mailer.example.net", "bob@example.org", tc.msg); !strings.HasPrefix(reply, "250") {
				t.Fatalf("%s", reply)
			}
			mustContain(t, tc.name, authResults(t, last(t, sim, "bob@example.org", "INBOX")), tc.want...)
		})
	}
	// Under p=reject, the broken signature is refused.
	sim.SetDNS(`_dmarc.example.com TXT "v=DMARC1; p=reject"`)
	reply := mxSend(t, sim, "bounces@mailer.example.net", "bob@example.org", cases[1].msg)
	mustContain(t, "broken body under p=reject", reply, "550 5.7.26 ")
}

func TestDMARCAlignment(t *testing.T) {
	sim := newSim(t, Options{})
	sim.SetDNS(`news.example.com TXT "v=spf1 ip4:127.0.0.0/8 -all"`)
	// Relaxed (the default): SPF passed for news.example.com, which has
	// the organizational domain of From: example.com.
	if reply := mxSend(t, sim, "bounces@news.example.com", "bob@example.org", aliceNote); !strings.HasPrefix(reply, "250") {
		t.Fatalf("relaxed SPF alignment: %s", reply)
	}
	mustContain(t, "relaxed", authResults(t, last(t, sim, "bob@example.org", "INBOX")), "spf=pass smtp.mailfrom=bounces@news.example.com", "dmarc=pass header.from=example.com")

	// Strict SPF alignment wants the very same domain.
	sim.SetDNS(`_dmarc.example.com TXT "v=DMARC1; p=reject; aspf=s"`)
	mustContain(t, "strict", mxSend(t, sim, "bounces@news.example.com", "bob@example.org", aliceNote), "550 5.7.26 ")

	// SPF passes for example.net, From: says example.org: not aligned,
	// and a DKIM signature of another domain does not help.
	forged := strings.Replace(aliceNote, "From: Alice <alice@example.com>", "From: Bob <bob@example.org>", 1)
	mustContain(t, "From: another domain", mxSend(t, sim, "alice@example.com", "bob@example.org", signed(t, sim, "example.com", forged)), "550 5.7.26 ", "example.org")

	// A signature of the From: domain aligns even when SPF fails softly.
	sim.SetDNS(`example.org TXT "v=spf1 ~all"`)
	if reply := mxSend(t, sim, "bob@example.org", "bob@example.org", signed(t, sim, "example.org", forged)); !strings.HasPrefix(reply, "250") {
		t.Fatalf("DKIM alignment: %s", reply)
	}
	mustContain(t, "DKIM aligned", authResults(t, last(t, sim, "bob@example.org", "INBOX")), "spf=softfail", "dkim=pass header.d=example.org", "dmarc=pass")

	// p=quarantine: delivered, into Junk.
	sim.SetDNS(`_dmarc.example.org TXT "v=DMARC1; p=quarantine"`)
	if reply := mxSend(t, sim, "bob@example.org", "bob@example.org", forged); !strings.HasPrefix(reply, "250") {
		t.Fatalf("quarantine: %s", reply)
	}
	mustContain(t, "quarantined", authResults(t, last(t, sim, "bob@example.org", "Junk")), "dmarc=fail")
}

// A broken SPF record: the submission server accepts alice's message, the
// MX refuses it on the relay hop, and alice gets a bounce (RFC 3464).
func TestRefusedHopBouncesToTheSender(t *testing.T) {
	sim := newSim(t, Options{})
	before := last(t, sim, "bob@example.org", "INBOX")
	sim.SetDNS(`example.com TXT "v=spf1 ip4:192.0.2.10 -all"`)
	submit(t, sim, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "bob@example.org", "refused")
	if got := last(t, sim, "bob@example.org", "INBOX"); got != before {
		t.Fatalf("bob got the refused message:\n%s", got)
	}
	bounce := unfold(last(t, sim, "alice@example.com", "INBOX"))
	mustContain(t, "bounce", bounce,
		"Return-Path: <>\r\n",
		"From: Mail Delivery System <MAILER-DAEMON@mail.example.com>",
		"Content-Type: multipart/report; report-type=delivery-status;",
		"Content-Type: message/delivery-status",
		"Reporting-MTA: dns; mail.example.com",
		"Final-Recipient: rfc822; bob@example.org",
		"Action: failed",
		"Status: 5.7.1",
		"Remote-MTA: dns; mx.example.org",
		"Diagnostic-Code: smtp; 550 5.7.1 <alice@example.com>: Sender address rejected: SPF fail",
		"Content-Type: message/rfc822",
		"Subject: refused")

	// The record fixed, the same message goes through.
	sim.SetDNS(`example.com TXT "v=spf1 ip4:127.0.0.0/8 -all"`)
	submit(t, sim, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "bob@example.org", "fixed")
	mustContain(t, "after the fix", last(t, sim, "bob@example.org", "INBOX"), "Subject: fixed", "spf=pass")
}

// DSN (RFC 3461): the MX offers it, and NOTIFY, RET, ENVID and ORCPT are
// honoured by the server that reports.
func TestDSNParametersAreHonoured(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleMX)
	c.expectSMTP("", "220")
	c.send("EHLO sender.example.net")
	var caps []string
	for {
		l := c.line()
		caps = append(caps, l[4:])
		if l[3] == ' ' {
			break
		}
	}
	mustContain(t, "EHLO", strings.Join(caps, " "), "DSN")

	send := func(mailParams, rcptParams, subject string) {
		t.Helper()
		c := dial(t, sim, wire.RoleSubmission)
		c.expectSMTP("", "220")
		c.expectSMTP("EHLO laptop.local", "250")
		c.smtpSTARTTLS(sim, "laptop.local")
		c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
		c.expectSMTP("MAIL FROM:<alice@example.com>"+mailParams, "250")
		c.expectSMTP("RCPT TO:<bob@example.org>"+rcptParams, "250")
		c.expectSMTP("DATA", "354")
		c.send("From: <alice@example.com>\r\nTo: <bob@example.org>\r\nSubject: " + subject + "\r\n\r\nHello there.\r\n.")
		c.expectSMTP("", "250")
		c.expectSMTP("QUIT", "221")
	}
	// NOTIFY=SUCCESS: the MX that delivers reports it (the submission
	// server passed NOTIFY on over the hop).
	send(" ENVID=lunch-42", " NOTIFY=SUCCESS ORCPT=rfc822;bob@example.org", "tell me")
	report := last(t, sim, "alice@example.com", "INBOX")
	mustContain(t, "success report", report, "Reporting-MTA: dns; mx.example.org", "Original-Envelope-Id: lunch-42",
		"Original-Recipient: rfc822; bob@example.org", "Action: delivered", "Status: 2.0.0", "text/rfc822-headers")

	sim.SetDNS(`example.com TXT "v=spf1 -all"`)
	// NOTIFY=NEVER: no bounce.
	send("", " NOTIFY=NEVER", "never mind")
	if got := last(t, sim, "alice@example.com", "INBOX"); got != report {
		t.Fatalf("a bounce despite NOTIFY=NEVER:\n%s", got)
	}
	// RET=HDRS: the bounce returns only the header.
	send(" RET=HDRS", " NOTIFY=FAILURE", "headers only")
	bounce := last(t, sim, "alice@example.com", "INBOX")
	mustContain(t, "RET=HDRS", bounce, "Action: failed", "Content-Type: text/rfc822-headers", "Subject: headers only")
	if strings.Contains(bounce, "Hello there.") {
		t.Errorf("RET=HDRS returned the body:\n%s", bounce)
	}
}

// Mail for a domain outside the world waits in the queue; when its
// lifetime is over on the simulator's clock, it comes back as a bounce.
func TestOutboundQueueExpiresIntoABounce(t *testing.T) {
	sim := newSim(t, Options{})
	submit(t, sim, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "carol@elsewhere.test", "away")
	if len(sim.Outbound()) != 1 {
		t.Fatalf("outbound: %+v", sim.Outbound())
	}
	sim.Clock().Advance(4 * 24 * time.Hour)
	if len(sim.Outbound()) != 1 {
		t.Fatal("the queue gave up before its lifetime")
	}
	sim.Clock().Advance(24 * time.Hour)
	if q := sim.Outbound(); len(q) != 0 {
		t.Fatalf("outbound after 5 days: %+v", q)
	}
	mustContain(t, "expired", last(t, sim, "alice@example.com", "INBOX"), "Final-Recipient: rfc822; carol@elsewhere.test",
		"Action: failed", "Status: 4.4.7", "Diagnostic-Code: X-Mailtutor; delivery time expired", "Subject: away")
}

// A sender cannot forge this MX's verdicts: its own Authentication-Results
// name is removed from what arrives (RFC 8601 §5); another server's stays.
func TestForgedAuthenticationResultsAreRemoved(t *testing.T) {
	sim := newSim(t, Options{})
	forged := "Authentication-Results: mx.example.org;\n\tspf=pass smtp.mailfrom=ceo@example.org;\n\tdmarc=pass header.from=example.org\n" +
		"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=alice@example.com\n" + aliceNote
	if reply := mxSend(t, sim, "alice@example.com", "bob@example.org", forged); !strings.HasPrefix(reply, "250") {
		t.Fatal(reply)
	}
	raw := last(t, sim, "bob@example.org", "INBOX")
	if strings.Contains(raw, "ceo@example.org") || strings.Count(raw, "Authentication-Results: mx.example.org;") != 1 {
		t.Errorf("the forged field survived:\n%s", raw)
	}
	mustContain(t, "other server's field", raw, "Authentication-Results: mx.example.net; spf=pass")
}

// pct= (RFC 7489 §6.6.4): the policy holds for that share of failing
// messages; the others get the next milder policy. Counted, not drawn, so
// with pct=50 one of two failing messages is refused and the other goes to
// Junk, even on one connection.
func TestDMARCPercentSamplesThePolicy(t *testing.T) {
	sim := newSim(t, Options{})
	sim.SetDNS(`example.com TXT "v=spf1 ip4:192.0.2.10 ~all"`)
	sim.SetDNS(`_dmarc.example.com TXT "v=DMARC1; p=reject; pct=50"`)
	var refused, junked int
	for i := 0; i < 4; i++ {
		reply := mxSend(t, sim, "alice@example.com", "bob@example.org", aliceNote)
		switch {
		case strings.HasPrefix(reply, "550 5.7.26"):
			refused++
		case strings.HasPrefix(reply, "250"):
			junked++
			mustContain(t, "sampled out of reject", authResults(t, last(t, sim, "bob@example.org", "Junk")), "dmarc=fail", "p=quarantine")
		default:
			t.Fatalf("message %d: %s", i, reply)
		}
	}
	if refused != 2 || junked != 2 {
		t.Fatalf("pct=50 over 4 failing messages: %d refused, %d into Junk; want 2 and 2", refused, junked)
	}
}
