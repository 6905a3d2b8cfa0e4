// Command ceiling is the fastest server the load generator can meet on this
// machine: SMTP, POP3 and IMAP answered from a goroutine per connection with
// nothing behind them (no store, no tap, no checks, canned replies). It is
// not a mail server. scripts/bench.sh runs it beside mailtutor, Mailpit and
// Dovecot, so a ratio target can be compared with what the hardware, the
// kernel and the Go runtime allow at all.
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
	flag.Parse()
	go serve(*smtpAddr, smtpSession)
	go serve(*pop3Addr, pop3Session)
	serve(*imapAddr, imapSession)
}

// message is a 2 KB message, as the load generator's own.
var message = "Subject: ceiling\r\n\r\n" + strings.Repeat("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod x\r\n", 28)

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

func pop3Session(r *bufio.Reader, reply func(string) bool) {
	reply("+OK ceiling\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(line)), " ")
		switch verb {
		case "STAT":
			reply("+OK 20 41000\r\n")
		case "RETR":
			reply(fmt.Sprintf("+OK %d octets\r\n%s.\r\n", len(message), message))
		case "QUIT":
			reply("+OK bye\r\n")
			return
		default:
			reply("+OK\r\n")
		}
	}
}

func imapSession(r *bufio.Reader, reply func(string) bool) {
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
