package simulator

import (
	"fmt"
	"strings"
	"time"
)

// seed delivers the sample messages of the default world: for the first
// user, one plain text message, one multipart/alternative (text and HTML)
// and one with a small PDF attachment; for every other user one plain
// message. They arrived "earlier", so their dates lie in the past.
func (s *Simulator) seed() error {
	users := s.store.Users()
	if len(users) == 0 {
		return nil
	}
	now := s.clock.Now()
	other := "bob@example.org"
	if len(users) > 1 {
		other = users[1].Address
	}
	first := users[0]
	// A message is written (its Date:) a moment before its first server
	// has it (the oldest Received, two seconds before it arrives).
	written := func(ago time.Duration) time.Time { return now.Add(-ago - 5*time.Second) }
	msgs := []struct {
		ago time.Duration
		raw string
	}{
		{26 * time.Hour, plainMessage(other, first.Address, "Lunch on Friday?", written(26*time.Hour), "seed-1",
			"Hi!\r\n\r\nAre we still on for lunch on Friday? The new place by the station\r\nopens at noon.\r\n\r\nCheers\r\n")},
		{5 * time.Hour, alternativeMessage(other, first.Address, written(5*time.Hour))},
		{90 * time.Minute, attachmentMessage(other, first.Address, written(90*time.Minute))},
	}
	for i, m := range msgs {
		raw := traced(other, first.Address, now.Add(-m.ago), i+1) + m.raw
		if _, err := first.Inbox().Append([]byte(raw), nil, now.Add(-m.ago), nil); err != nil {
			return err
		}
	}
	for i, u := range users[1:] {
		raw := traced(first.Address, u.Address, now.Add(-48*time.Hour), len(msgs)+i+1) +
			plainMessage(first.Address, u.Address, "Welcome to the simulated mail world", written(48*time.Hour), fmt.Sprintf("seed-w%d", i+1),
				"Hello,\r\n\r\nThis message was waiting in your INBOX when the simulator started.\r\nRead it over POP3 or IMAP and watch every line on the wire.\r\n")
		if _, err := u.Inbox().Append([]byte(raw), nil, now.Add(-48*time.Hour), nil); err != nil {
			return err
		}
	}
	return nil
}

// traced returns the header lines the servers on the way would have added
// to a sample message, newest first (RFC 5321 §4.4), in the form the
// simulator's own SMTP servers write: the Return-Path of final delivery,
// the receiving MX's Received, and the Received of the sender's submission
// server (the hop between domains is left out when both share a domain).
// A sample message that lacked them would be one no real mailbox holds.
func traced(from, to string, arrived time.Time, n int) string {
	id := func(hop int) string { return fmt.Sprintf("5EED%02X%02X", n, hop) }
	submitted := arrived.Add(-2 * time.Second)
	out := "Return-Path: <" + from + ">\r\n"
	if domainOf(from) != domainOf(to) {
		out += "Received: from mail." + domainOf(from) + " ([127.0.0.1])\r\n\tby mx." + domainOf(to) + " with ESMTP id " + id(2) +
			"\r\n\tfor <" + to + ">; " + receivedDate(arrived) + "\r\n"
	}
	return out + "Received: from laptop." + domainOf(from) + " ([127.0.0.1])\r\n\tby mail." + domainOf(from) + " with ESMTPSA id " + id(1) +
		"\r\n\tfor <" + to + ">; " + receivedDate(submitted) + "\r\n"
}

// receivedDate is the date of a Received line as the simulator's SMTP
// servers write it (smtp's receivedLine): the day without a leading zero.
func receivedDate(t time.Time) string { return t.Format("Mon, 2 Jan 2006 15:04:05 -0700") }

func rfc5322Date(t time.Time) string { return t.Format("Mon, 02 Jan 2006 15:04:05 -0700") }

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return d
}

func displayName(addr string) string {
	local, _, _ := strings.Cut(addr, "@")
	if local == "" {
		return addr
	}
	return strings.ToUpper(local[:1]) + local[1:]
}

func plainMessage(from, to, subject string, date time.Time, id, body string) string {
	return "From: " + displayName(from) + " <" + from + ">\r\n" +
		"To: " + displayName(to) + " <" + to + ">\r\n" +
		"Subject: " + subject + "\r\n" +
		"Date: " + rfc5322Date(date) + "\r\n" +
		"Message-ID: <" + id + "@" + domainOf(from) + ">\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 7bit\r\n" +
		"\r\n" + body
}

func alternativeMessage(from, to string, date time.Time) string {
	return "From: " + displayName(from) + " <" + from + ">\r\n" +
		"To: " + displayName(to) + " <" + to + ">\r\n" +
		"Subject: Newsletter: =?utf-8?q?caf=C3=A9?= opening\r\n" +
		"Date: " + rfc5322Date(date) + "\r\n" +
		"Message-ID: <seed-2@" + domainOf(from) + ">\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"=_alt_42\"\r\n" +
		"\r\n" +
		"This is a multi-part message in MIME format.\r\n" +
		"--=_alt_42\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"The caf=C3=A9 opens on Monday. Come and taste the first coffee!\r\n" +
		"--=_alt_42\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"<html><body><p>The <b>caf=C3=A9</b> opens on Monday. Come and taste the first=\r\n coffee!</p></body></html>\r\n" +
		"--=_alt_42--\r\n"
}

// A tiny but valid PDF, base64-encoded, so the attachment is real.
const samplePDF = "JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIg\r\n" +
	"MCBvYmoKPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBv\r\n" +
	"YmoKPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAyMDAgMjAwXSA+Pgpl\r\n" +
	"bmRvYmoKdHJhaWxlcgo8PCAvUm9vdCAxIDAgUiA+PgolJUVPRgo=\r\n"

func attachmentMessage(from, to string, date time.Time) string {
	return "From: " + displayName(from) + " <" + from + ">\r\n" +
		"To: " + displayName(to) + " <" + to + ">\r\n" +
		"Subject: Invoice for November\r\n" +
		"Date: " + rfc5322Date(date) + "\r\n" +
		"Message-ID: <seed-3@" + domainOf(from) + ">\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"=_mix_7\"\r\n" +
		"\r\n" +
		"--=_mix_7\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Please find the invoice attached.\r\n" +
		"--=_mix_7\r\n" +
		"Content-Type: application/pdf; name=\"invoice.pdf\"\r\n" +
		"Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		samplePDF +
		"--=_mix_7--\r\n"
}
