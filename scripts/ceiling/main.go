// Command ceiling is the fastest server the load generator can meet on this
// machine: SMTP, POP3 and IMAP answered from a goroutine per connection with
// nothing behind them (no store, no tap, no checks, canned replies). It is
// not a mail server. scripts/bench.sh runs it beside mailtutor, Mailpit and
// Dovecot, so a ratio target can be compared with what the hardware, the
// kernel and the Go runtime allow at all.
//
// A second POP3 listener (-pop3-loop) gives the same canned answers from a
// single epoll loop on one thread, as C servers are written: no goroutine
// per connection, no Go scheduler between the socket and the answer. The
// gap between the two POP3 ceilings is what a goroutine per connection
// costs on this machine.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"strings"
)

func main() {
	smtpAddr := flag.String("smtp", "127.0.0.1:14525", "SMTP listener")
	pop3Addr := flag.String("pop3", "127.0.0.1:14110", "POP3 listener")
	imapAddr := flag.String("imap", "127.0.0.1:14143", "IMAP listener")
	pop3LoopAddr := flag.String("pop3-loop", "127.0.0.1:14111", "POP3 listener served by one epoll loop instead of a goroutine per connection (Linux; \"\" for none)")
	flag.Parse()
	go serve(*smtpAddr, smtpSession)
	message := deliveredMessage()
	if *pop3LoopAddr != "" {
		go func() { log.Fatal(serveLoop(*pop3LoopAddr, message)) }()
	}
	go serve(*pop3Addr, func(r *bufio.Reader, reply func(string) bool) { pop3Session(r, reply, message) })
	serve(*imapAddr, func(r *bufio.Reader, reply func(string) bool) { imapSession(r, reply, message) })
}

// deliveredMessage is the mail the ceiling serves: shaped like what a server
// holds after the load generator's SMTP phase (its headers and its 2 KB
// body of 72-column lines, behind the Return-Path and Received a delivery
// adds), about 2,150 bytes in 37 lines. The shape matters as much as the
// size: the load generator reads a reply line by line, so a message of
// fewer, longer lines would flatter the ceiling.
func deliveredMessage() string {
	words := strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod " +
		"tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud")
	var body strings.Builder
	line := ""
	for k := 0; body.Len()+len(line) < 2048-330; k++ { // as ../shared/bench's body(2048)
		w := words[k%len(words)]
		if len(line)+len(w)+1 > 72 {
			body.WriteString(line + "\r\n")
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	body.WriteString(line + "\r\n")
	return "Return-Path: <bench@example.com>\r\n" +
		"Received: from bench.local ([127.0.0.1])\r\n" +
		"\tby mx.example.org with ESMTP id 00000001\r\n" +
		"\tfor <p1@example.com>; Thu, 26 Nov 2026 11:18:14 +0000\r\n" +
		"From: Bench <bench@example.com>\r\n" +
		"To: <p1@example.com>\r\n" +
		"Subject: bench message 2\r\n" +
		"Date: Thu, 26 Nov 2026 11:18:14 +0000\r\n" +
		"Message-ID: <1795691894730117686.0.2@bench.local>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
		body.String()
}

// A session reads the client's lines from r and answers with reply, which
// flushes at once and reports whether the client is still there.
type session func(r *bufio.Reader, reply func(string) bool)

func serve(addr string, run session) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer c.Close()
			w := bufio.NewWriterSize(c, 8192)
			run(bufio.NewReader(c), func(s string) bool { w.WriteString(s); return w.Flush() == nil })
		}()
	}
}

func smtpSession(r *bufio.Reader, reply func(string) bool) {
	reply("220 ceiling\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(verb, "EHLO"), strings.HasPrefix(verb, "LHLO"):
			reply("250-ceiling\r\n250 AUTH PLAIN\r\n")
		case strings.HasPrefix(verb, "AUTH"):
			reply("235 ok\r\n")
		case verb == "DATA":
			reply("354 go ahead\r\n")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			reply("250 ok\r\n")
		case verb == "QUIT":
			reply("221 bye\r\n")
			return
		default:
			reply("250 ok\r\n")
		}
	}
}

func pop3Session(r *bufio.Reader, reply func(string) bool, message string) {
	reply("+OK ceiling\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		answer, quit := pop3Answer(line, message)
		reply(answer)
		if quit {
			return
		}
	}
}

// pop3Answer is the canned answer to one POP3 command line, and whether the
// session ends after it.
func pop3Answer(line, message string) (answer string, quit bool) {
	verb, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(line)), " ")
	switch verb {
	case "STAT":
		return "+OK 20 41000\r\n", false
	case "RETR":
		return fmt.Sprintf("+OK %d octets\r\n%s.\r\n", len(message), message), false
	case "QUIT":
		return "+OK bye\r\n", true
	default:
		return "+OK\r\n", false
	}
}

func imapSession(r *bufio.Reader, reply func(string) bool, message string) {
	reply("* OK ceiling\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		words := strings.Fields(line)
		if len(words) < 2 {
			continue
		}
		tag, verb := words[0], strings.ToUpper(words[1])
		switch verb {
		case "SELECT", "EXAMINE":
			reply("* 20 EXISTS\r\n" + tag + " OK done\r\n")
		case "FETCH":
			reply(fmt.Sprintf("* %s FETCH (BODY[] {%d}\r\n%s)\r\n%s OK done\r\n", words[2], len(message), message, tag))
		case "LOGOUT":
			reply("* BYE\r\n" + tag + " OK done\r\n")
			return
		default:
			reply(tag + " OK done\r\n")
		}
	}
}
