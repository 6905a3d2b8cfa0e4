package main

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Issue 24: `mailtutor annotate` explains what the world itself makes: a
// message the submission server signed and the MX checked (DKIM-Signature,
// Authentication-Results), and the bounce of a message the MX refused
// (multipart/report, RFC 3464).
func TestAnnotateExplainsWorldSignedMailAndBounces(t *testing.T) {
	sim, err := simulator.New(simulator.Options{StateDir: t.TempDir(), Start: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		Roles: []wire.Role{wire.RoleMX, wire.RoleSubmission}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	send := func(subject string) {
		t.Helper()
		c, err := gosmtp.DialStartTLS(sim.Addr(wire.RoleSubmission), &tls.Config{RootCAs: sim.CertPool(), ServerName: "localhost"})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Auth(sasl.NewPlainClient("", "alice@example.com", "wonderland")); err != nil {
			t.Fatal(err)
		}
		msg := "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: " + subject + "\r\n\r\nHello Bob.\r\n"
		if err := c.SendMail("alice@example.com", []string{"bob@example.org"}, strings.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
		c.Quit()
	}
	newest := func(user string) string {
		u, _ := sim.Store().LookupAddress(user)
		msgs := u.Inbox().Messages()
		return string(msgs[len(msgs)-1].Body.Raw)
	}
	dir := t.TempDir()
	annotate := func(name, raw string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
			t.Fatal(err)
		}
		return runClient(t, binary, "annotate", path)
	}

	send("signed")
	out := annotate("signed.eml", newest("bob@example.org"))
	for _, want := range []string{
		"a DKIM signature by example.com (RFC 6376)", "mail._domainkey.example.com",
		"the receiving server mx.example.org checked the sender (RFC 8601)",
		"SPF pass", "DKIM pass", "DMARC pass",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("annotate of a signed message: want %q in:\n%s", want, out)
		}
	}

	if err := sim.SetDNS(`example.com TXT "v=spf1 ip4:192.0.2.10 -all"`); err != nil {
		t.Fatal(err)
	}
	send("refused")
	out = annotate("bounce.eml", newest("alice@example.com"))
	for _, want := range []string{
		"# format: bounce",
		"mail.example.com reports on <bob@example.org>: Action failed, Status 5.7.1, after talking to mx.example.org",
		"S: 550 5.7.1 <alice@example.com>: Sender address rejected: SPF fail",
		"the message failed SPF",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("annotate of the bounce: want %q in:\n%s", want, out)
		}
	}
}
