// Command loggen writes a C:/S: mail log of whole sessions for
// scripts/annotate-bench.sh: SMTP submissions with message bodies, POP3
// RETR and IMAP FETCH of the same message (-kind sessions), or the same
// sessions without bodies (-kind commands), or a JSONL transcript of
// them (-kind transcript, for export).
//
//	go run ./scripts/loggen -kind sessions -size 100M > log.txt
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	kind := flag.String("kind", "sessions", "sessions (with bodies), commands (no bodies) or transcript (JSONL)")
	size := flag.String("size", "100M", "how much to write (K, M, G suffixes)")
	flag.Parse()
	limit, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loggen:", err)
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	msg := message()
	var written int64
	for i := 0; written < limit; i++ {
		var lines []string
		switch *kind {
		case "sessions", "transcript":
			lines = withBodies(i, msg)
		case "commands":
			lines = commandsOnly(i)
		default:
			fmt.Fprintln(os.Stderr, "loggen: -kind: sessions, commands or transcript")
			os.Exit(2)
		}
		if *kind == "transcript" {
			written += writeJSONL(w, i, lines)
			continue
		}
		for _, l := range lines {
			n, _ := w.WriteString(l + "\n")
			written += int64(n)
		}
	}
}

// message is a 16 KB plain-text message with typical lines, as lines.
func message() []string {
	l := []string{"Return-Path: <alice@example.com>", "Received: from laptop.example.com by mail.example.com; Fri, 02 Jan 2026 10:00:00 +0000",
		"From: Alice <alice@example.com>", "To: Bob <bob@example.org>", "Subject: Quarterly notes", "Date: Fri, 02 Jan 2026 10:00:00 +0000",
		"Message-ID: <q1@example.com>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", ""}
	size := 0
	for i := 0; size < 16*1024; i++ {
		s := "Line " + strconv.Itoa(i) + " of the notes: the figures for the quarter look fine, see below."
		l = append(l, s)
		size += len(s) + 2
	}
	return l
}

func octets(msg []string) int {
	n := 0
	for _, l := range msg {
		n += len(l) + 2
	}
	return n
}

func prefixed(p string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}

// withBodies is session i of three kinds in turn: SMTP with a body, POP3
// RETR, IMAP FETCH of BODY[].
func withBodies(i int, msg []string) []string {
	var l []string
	switch i % 3 {
	case 0:
		l = append(l, "S: 220 mail.example.com ESMTP", "C: EHLO laptop.example.com", "S: 250-mail.example.com", "S: 250-PIPELINING",
			"S: 250-SIZE 10240000", "S: 250 AUTH PLAIN LOGIN", "C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "S: 235 2.7.0 Authentication successful",
			"C: MAIL FROM:<alice@example.com>", "S: 250 2.1.0 Ok", "C: RCPT TO:<bob@example.org>", "S: 250 2.1.5 Ok", "C: DATA",
			"S: 354 End data with <CR><LF>.<CR><LF>")
		l = append(l, prefixed("C: ", msg)...)
		l = append(l, "C: .", "S: 250 2.0.0 Ok: queued as "+strconv.Itoa(i), "C: QUIT", "S: 221 2.0.0 Bye")
	case 1:
		l = append(l, "S: +OK POP3 server ready", "C: USER bob", "S: +OK", "C: PASS builder", "S: +OK logged in", "C: STAT", "S: +OK 1 "+strconv.Itoa(octets(msg)),
			"C: RETR 1", "S: +OK "+strconv.Itoa(octets(msg))+" octets")
		l = append(l, prefixed("S: ", msg)...)
		l = append(l, "S: .", "C: QUIT", "S: +OK bye")
	case 2:
		l = append(l, "S: * OK IMAP4rev1 ready", "C: a1 LOGIN bob builder", "S: a1 OK LOGIN completed", "C: a2 SELECT INBOX",
			"S: * 1 EXISTS", "S: * 0 RECENT", "S: * OK [UIDVALIDITY 1] UIDs valid", "S: a2 OK [READ-WRITE] SELECT completed",
			"C: a3 FETCH 1 (FLAGS BODY[])", "S: * 1 FETCH (FLAGS (\\Seen) BODY[] {"+strconv.Itoa(octets(msg))+"}")
		l = append(l, prefixed("S: ", msg)...)
		l = append(l, "S: )", "S: a3 OK FETCH completed", "C: a4 LOGOUT", "S: * BYE logging out", "S: a4 OK LOGOUT completed")
	}
	return l
}

// commandsOnly is session i of three kinds in turn, without bodies.
func commandsOnly(i int) []string {
	switch i % 3 {
	case 0:
		return []string{"S: 220 mail.example.com ESMTP", "C: EHLO laptop.example.com", "S: 250-mail.example.com", "S: 250-PIPELINING",
			"S: 250-SIZE 10240000", "S: 250-8BITMIME", "S: 250 AUTH PLAIN LOGIN", "C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "S: 235 2.7.0 Authentication successful",
			"C: MAIL FROM:<alice@example.com>", "S: 250 2.1.0 Ok", "C: RCPT TO:<bob@example.org>", "S: 250 2.1.5 Ok",
			"C: RCPT TO:<nobody@example.org>", "S: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown",
			"C: RSET", "S: 250 2.0.0 Ok", "C: NOOP", "S: 250 2.0.0 Ok", "C: QUIT", "S: 221 2.0.0 Bye"}
	case 1:
		return []string{"S: +OK POP3 server ready", "C: CAPA", "S: +OK", "S: USER", "S: UIDL", "S: TOP", "S: .", "C: USER bob", "S: +OK", "C: PASS builder",
			"S: +OK logged in", "C: STAT", "S: +OK 2 3200", "C: LIST", "S: +OK 2 messages", "S: 1 1600", "S: 2 1600", "S: .",
			"C: UIDL", "S: +OK", "S: 1 u" + strconv.Itoa(i), "S: 2 v" + strconv.Itoa(i), "S: .", "C: DELE 1", "S: +OK deleted", "C: QUIT", "S: +OK bye"}
	}
	return []string{"S: * OK IMAP4rev1 ready", "C: a1 LOGIN bob builder", "S: a1 OK LOGIN completed", "C: a2 SELECT INBOX",
		"S: * 2 EXISTS", "S: * 0 RECENT", "S: * OK [UIDVALIDITY 1] UIDs valid", "S: a2 OK [READ-WRITE] SELECT completed",
		"C: a3 UID SEARCH UNSEEN", "S: * SEARCH 1 2", "S: a3 OK SEARCH completed", "C: a4 FETCH 1:2 (FLAGS UID)",
		"S: * 1 FETCH (FLAGS (\\Seen) UID 1)", "S: * 2 FETCH (FLAGS () UID 2)", "S: a4 OK FETCH completed",
		"C: a5 STORE 1 +FLAGS (\\Deleted)", "S: * 1 FETCH (FLAGS (\\Seen \\Deleted))", "S: a5 OK STORE completed",
		"C: a6 LOGOUT", "S: * BYE logging out", "S: a6 OK LOGOUT completed"}
}

// writeJSONL writes session i as transcript lines (the fields a Line
// carries in a saved transcript) and returns the bytes written.
func writeJSONL(w *bufio.Writer, i int, lines []string) int64 {
	proto := []string{"smtp", "pop3", "imap"}[i%3]
	role := []string{"submission", "pop3", "imap"}[i%3]
	t := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	var n int64
	for j, l := range lines {
		dir := "client"
		if strings.HasPrefix(l, "S: ") {
			dir = "server"
		}
		b, _ := json.Marshal(map[string]any{"seq": i*1000 + j + 1, "session": "s" + strconv.Itoa(i+1), "proto": proto, "role": role,
			"dir": dir, "kind": "line", "time": t, "text": l[3:], "note": "note for " + l[3:min(len(l), 12)]})
		k, _ := w.Write(append(b, '\n'))
		n += int64(k)
	}
	return n
}

func parseSize(v string) (int64, error) {
	shift := 0
	switch strings.ToUpper(v[len(v)-1:]) {
	case "K":
		shift = 10
	case "M":
		shift = 20
	case "G":
		shift = 30
	}
	if shift > 0 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n << shift, err
}
