package transcripts

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// realisticMessage is a 16 KB plain-text message with typical 70-column lines.
func realisticMessage() string {
	var b strings.Builder
	b.WriteString("Return-Path: <alice@example.com>\r\nReceived: from laptop.example.com by mail.example.com; Fri, 02 Jan 2026 10:00:00 +0000\r\n")
	b.WriteString("From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: Quarterly notes\r\nDate: Fri, 02 Jan 2026 10:00:00 +0000\r\n")
	b.WriteString("Message-ID: <q1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	for i := 0; b.Len() < 16*1024; i++ {
		b.WriteString("Line " + strconv.Itoa(i) + " of the notes: the figures for the quarter look fine, see below.\r\n")
	}
	return b.String()
}

// mixedSessions is a realistic mix: an SMTP submission sending the message,
// a POP3 session downloading it line by line, an IMAP session fetching it
// as a literal, plus the command-heavy standard sessions.
func mixedSessions() []struct {
	proto wire.Proto
	evs   []wire.Event
} {
	msg := realisticMessage()
	smtp := events(wire.SMTP, wire.RoleSubmission,
		"S:220 mail.example.com ESMTP\r\n", "C:EHLO laptop\r\n", "S:250-mail.example.com\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n",
		"C:AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\r\n", "S:235 2.7.0 ok\r\n",
		"C:MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n", "S:250 ok\r\n250 ok\r\n354 go\r\n",
		"C:"+msg+".\r\n", "S:250 2.0.0 queued\r\n", "C:QUIT\r\n", "S:221 bye\r\n")
	pop := events(wire.POP3, wire.RolePOP3,
		"S:+OK ready\r\n", "C:USER bob\r\n", "S:+OK\r\n", "C:PASS builder\r\n", "S:+OK\r\n",
		"C:RETR 1\r\n", "S:+OK "+strconv.Itoa(len(msg))+" octets\r\n"+msg+".\r\n", "C:QUIT\r\n", "S:+OK bye\r\n")
	imap := events(wire.IMAP, wire.RoleIMAP,
		"S:* OK ready\r\n", "C:a1 LOGIN bob builder\r\n", "S:a1 OK done\r\n", "C:a2 SELECT INBOX\r\n", "S:* 1 EXISTS\r\na2 OK [READ-WRITE] done\r\n",
		"C:a3 FETCH 1 (FLAGS BODY[])\r\n", "S:* 1 FETCH (FLAGS (\\Seen) BODY[] {"+strconv.Itoa(len(msg))+"}\r\n"+msg+")\r\na3 OK done\r\n",
		"C:a4 LOGOUT\r\n", "S:* BYE bye\r\na4 OK done\r\n")
	return []struct {
		proto wire.Proto
		evs   []wire.Event
	}{
		{wire.SMTP, smtp}, {wire.POP3, pop}, {wire.IMAP, imap},
		{wire.SMTP, smtpSubmission()}, {wire.POP3, pop3Session()}, {wire.IMAP, imapSession()},
	}
}

// BenchmarkAnnotate annotates the realistic mixed transcript and reports
// throughput in wire bytes per second (target: 50 MB/s on one core).
func BenchmarkAnnotate(b *testing.B) {
	sessions := mixedSessions()
	total := 0
	for _, s := range sessions {
		for _, e := range s.evs {
			total += len(e.Data)
		}
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range sessions {
			a := NewAnnotator(s.proto, AnnotateOptions{})
			for _, e := range s.evs {
				a.Annotate(e)
			}
		}
	}
}

// BenchmarkAnnotateCommands is the worst case: only short command and reply
// lines (the standard sessions, no message bodies), so per-line cost dominates.
func BenchmarkAnnotateCommands(b *testing.B) {
	sessions := mixedSessions()[3:]
	total := 0
	for _, s := range sessions {
		for _, e := range s.evs {
			total += len(e.Data)
		}
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range sessions {
			a := NewAnnotator(s.proto, AnnotateOptions{})
			for _, e := range s.evs {
				a.Annotate(e)
			}
		}
	}
}

// TestMixedSessionsAreExplained keeps the benchmark's sessions honest: they
// annotate without a single unknown line.
func TestMixedSessionsAreExplained(t *testing.T) {
	for _, s := range mixedSessions() {
		for _, l := range annotateAll(s.proto, AnnotateOptions{}, s.evs) {
			if l.Unknown {
				t.Errorf("%s: unknown line %q", s.proto, l.Text)
			}
		}
	}
}
