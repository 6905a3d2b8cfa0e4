package transcripts

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// annotationCorrection is one line note that an RFC-literate review (issue
// 22) found wrong, misleading or ungrammatical: a session, the line the
// point is about, and what its note (and RFC reference) must now say.
type annotationCorrection struct {
	name    string
	proto   wire.Proto
	role    wire.Role
	steps   []string // events(): "C:..." client bytes, "S:..." server bytes
	dir     wire.Dir
	line    string // the line's text starts with this
	rfc     string // the line's RFC reference, when the point is about it
	want    []string
	notWant []string
}

// TestAnnotationCorrections holds the review's points that live in the
// annotators, one row per point, named after it.
func TestAnnotationCorrections(t *testing.T) {
	pop3Greeting := "S:+OK mailtutor POP3 ready\r\n"
	rows := []annotationCorrection{
		{
			name: "-ERR send USER first, then PASS is not a wrong password", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:PASS wonderland\r\n", "S:-ERR send USER first, then PASS\r\n"},
			dir:   wire.FromServer, line: "-ERR send USER first",
			want:    []string{"order of commands", "not a wrong password", "Send USER, then PASS"},
			notWant: []string{"check the user name and password"},
		},
		{
			name: "a failed PASS needs a new USER: the second PASS is an order mistake", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:USER alice\r\n", "S:+OK send PASS\r\n", "C:PASS wrong\r\n", "S:-ERR login failed\r\n",
				"C:PASS wonderland\r\n", "S:-ERR send USER first, then PASS\r\n"},
			dir: wire.FromServer, line: "-ERR send USER first",
			want: []string{"order of commands"},
		},
		{
			name: "a -ERR right after USER is still a failed login", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:USER alice\r\n", "S:+OK send PASS\r\n", "C:PASS wrong\r\n", "S:-ERR login failed\r\n"},
			dir:   wire.FromServer, line: "-ERR login failed",
			want:    []string{"check the user name and password"},
			notWant: []string{"order of commands"},
		},
		{
			name: "IN-USE is RFC 2449 §8.1.2", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:USER bob\r\n", "S:+OK\r\n", "C:PASS builder\r\n", "S:-ERR [IN-USE] locked\r\n"},
			dir:   wire.FromServer, line: "-ERR [IN-USE]", rfc: "RFC 2449 §8.1.2",
		},
		{
			name: "LOGIN-DELAY is RFC 2449 §8.1.1", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:USER bob\r\n", "S:+OK\r\n", "C:PASS builder\r\n", "S:-ERR [LOGIN-DELAY] wait\r\n"},
			dir:   wire.FromServer, line: "-ERR [LOGIN-DELAY]", rfc: "RFC 2449 §8.1.1",
		},
		{
			name: "AUTH response code is RFC 3206 §5", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:USER bob\r\n", "S:+OK\r\n", "C:PASS x\r\n", "S:-ERR [AUTH] invalid\r\n"},
			dir:   wire.FromServer, line: "-ERR [AUTH]", rfc: "RFC 3206 §5",
		},
		{
			name: "SYS/TEMP response code is RFC 3206 §4", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:USER bob\r\n", "S:+OK\r\n", "C:PASS x\r\n", "S:-ERR [SYS/TEMP] later\r\n"},
			dir:   wire.FromServer, line: "-ERR [SYS/TEMP]", rfc: "RFC 3206 §4",
		},
		{
			name: "EXPIRE NEVER: the server deletes nothing by itself", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:CAPA\r\n", "S:+OK Capability list follows\r\nTOP\r\nEXPIRE NEVER\r\n.\r\n"},
			dir:   wire.FromServer, line: "EXPIRE NEVER",
			want: []string{"deletes nothing by its own policy", "only by DELE and QUIT"},
		},
		{
			name: "EXPIRE 30: the server may delete 30 days after download", proto: wire.POP3, role: wire.RolePOP3,
			steps: []string{pop3Greeting, "C:CAPA\r\n", "S:+OK Capability list follows\r\nEXPIRE 30\r\n.\r\n"},
			dir:   wire.FromServer, line: "EXPIRE 30",
			want: []string{"may delete a message by its own policy 30 days after it was first downloaded"},
		},
		{
			name: "message headers cite RFC 5322, not RFC 1939 (TOP)", proto: wire.POP3, role: wire.RolePOP3,
			steps: append([]string{pop3Greeting}, topSteps()...),
			dir:   wire.FromServer, line: "From: Alice", rfc: "RFC 5322 §3.6.2",
		},
		{
			name: "message headers cite RFC 5322, not RFC 1939 (RETR, Subject)", proto: wire.POP3, role: wire.RolePOP3,
			steps: append([]string{pop3Greeting}, topSteps()...),
			dir:   wire.FromServer, line: "Subject: Hi", rfc: "RFC 5322 §3.6.5",
		},
		{
			name: "a folded header line starts with any space or tab", proto: wire.POP3, role: wire.RolePOP3,
			steps: append([]string{pop3Greeting}, topSteps()...),
			dir:   wire.FromServer, line: " for <bob@example.org>", rfc: "RFC 5322 §2.2.3",
			want: []string{"a space or a tab"},
		},
		{
			name: "with TLS 1.3 the certificate is encrypted too", proto: wire.SMTP, role: wire.RoleSubmission,
			steps: []string{"S:220 mail.example.com ESMTP\r\n", "C:STARTTLS\r\n", "S:220 2.0.0 Ready to start TLS\r\n", "TLS:"},
			dir:   wire.Meta, line: "[TLS: TLS 1.3",
			want:    []string{"with TLS 1.3 the certificate itself travels encrypted", "RFC 8446 §2"},
			notWant: []string{"the server's address, the certificate and"},
		},
		{
			name: "1 message now count as recent (grammar, and what \\Recent means)", proto: wire.IMAP, role: wire.RoleIMAP,
			steps: []string{"S:* OK ready\r\n", "C:a1 LOGIN alice wonderland\r\n", "S:a1 OK done\r\n", "C:a2 SELECT INBOX\r\n",
				"S:* 3 EXISTS\r\na2 OK [READ-WRITE] done\r\n", "C:a3 IDLE\r\n", "S:+ idling\r\n", "S:* 4 EXISTS\r\n", "S:* 1 RECENT\r\n"},
			dir: wire.FromServer, line: "* 1 RECENT",
			want:    []string{"while the client idles: 1 message has \\Recent: this session is the first to be told about it"},
			notWant: []string{"count as recent", "arrived since"},
		},
		{
			name: "2 messages have \\Recent", proto: wire.IMAP, role: wire.RoleIMAP,
			steps: []string{"S:* OK ready\r\n", "C:a1 LOGIN alice wonderland\r\n", "S:a1 OK done\r\n", "C:a2 SELECT INBOX\r\n",
				"S:* 3 EXISTS\r\n* 2 RECENT\r\na2 OK [READ-WRITE] done\r\n"},
			dir: wire.FromServer, line: "* 2 RECENT", rfc: "RFC 3501 §7.3.2; §2.3.2",
			want: []string{"2 messages have \\Recent: this session is the first to be told about them"},
		},
		{
			name: "copys: COPY copies", proto: wire.IMAP, role: wire.RoleIMAP,
			steps: []string{"S:* OK ready\r\n", "C:a1 LOGIN alice wonderland\r\n", "S:a1 OK done\r\n", "C:a2 SELECT INBOX\r\n",
				"S:a2 OK done\r\n", "C:a3 COPY 2 Projects\r\n"},
			dir: wire.FromClient, line: "a3 COPY",
			want:    []string{"copies message 2 to Projects"},
			notWant: []string{"copys"},
		},
		{
			name: "copys: UID COPY copies", proto: wire.IMAP, role: wire.RoleIMAP,
			steps: []string{"S:* OK ready\r\n", "C:a1 LOGIN alice wonderland\r\n", "S:a1 OK done\r\n", "C:a2 SELECT INBOX\r\n",
				"S:a2 OK done\r\n", "C:a3 UID COPY 7 Projects\r\n"},
			dir: wire.FromClient, line: "a3 UID COPY",
			want:    []string{"copies "},
			notWant: []string{"copys"},
		},
	}
	for _, c := range rows {
		t.Run(c.name, func(t *testing.T) {
			lines := annotateAll(c.proto, AnnotateOptions{}, events(c.proto, c.role, c.steps...))
			l := find(t, lines, c.dir, c.line)
			if c.rfc != "" && l.RFC != c.rfc {
				t.Errorf("%q cites %q, want %q", l.Text, l.RFC, c.rfc)
			}
			for _, w := range c.want {
				if !strings.Contains(l.Note, w) {
					t.Errorf("%q: note does not say %q:\n%s", l.Text, w, l.Note)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(l.Note, w) {
					t.Errorf("%q: note still says %q:\n%s", l.Text, w, l.Note)
				}
			}
		})
	}
}

// topSteps is a TOP of a message with a folded Received line.
func topSteps() []string {
	return []string{"C:USER bob\r\n", "S:+OK\r\n", "C:PASS builder\r\n", "S:+OK logged in\r\n", "C:TOP 1 0\r\n",
		"S:+OK top of message follows\r\nReceived: from mail.example.com by mx.example.org\r\n for <bob@example.org>; Fri, 2 Jan 2026 10:00:00 +0000\r\n" +
			"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: Hi\r\n\r\n.\r\n"}
}

// TestCorrectionHTMLExportCitesRFC5322ForHeaders: the HTML export cited a
// message's header lines to RFC 1939 §7 (TOP's section), where they are
// RFC 5322's. The citation comes from the POP3 annotation; the export
// shows it.
func TestCorrectionHTMLExportCitesRFC5322ForHeaders(t *testing.T) {
	lines := annotateAll(wire.POP3, AnnotateOptions{}, events(wire.POP3, wire.RolePOP3,
		append([]string{"S:+OK mailtutor POP3 ready\r\n"}, topSteps()...)...))
	tr := &Transcript{Title: "headers", Sessions: []SessionInfo{{ID: "s1", Proto: wire.POP3, Role: wire.RolePOP3}}, Lines: lines}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, tr); err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(buf.String(), "<div class=\"") {
		if !strings.Contains(part, "<code>From: Alice") {
			continue
		}
		if !strings.Contains(part, "(RFC 5322 §3.6.2)") || strings.Contains(part, "RFC 1939") {
			t.Errorf("the From: header line's entry in the HTML export:\n%s", part)
		}
		return
	}
	t.Fatalf("no From: line in the HTML export:\n%s", buf.String())
}
