package simulator

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// BenchmarkRelayPOP3RETR measures RETR of 2 KB messages through the whole
// simulator (TCP, the TLS-terminating relay and its tap, the POP3 server),
// 8 connections on 8 maildrops, nobody subscribed to the events.
func BenchmarkRelayPOP3RETR(b *testing.B) {
	var users []UserSpec
	for i := 0; i < 8; i++ {
		users = append(users, UserSpec{Address: fmt.Sprintf("p%d@example.com", i), Password: "pass"})
	}
	sim, err := New(Options{Users: users, NoSeed: true, StateDir: b.TempDir(), Roles: []wire.Role{wire.RolePOP3}})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	body := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu\r\n", 29)
	for _, u := range users {
		for n := 0; n < 20; n++ {
			sim.Deliver(u.Address, []byte("Subject: bench\r\n\r\n"+body))
		}
	}
	conns := make([]*bufio.ReadWriter, 8)
	for i := range conns {
		c, err := net.Dial("tcp", sim.Addr(wire.RolePOP3))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Minute))
		rw := bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c))
		rw.ReadString('\n')
		fmt.Fprintf(rw, "USER p%d@example.com\r\nPASS pass\r\n", i)
		rw.Flush()
		rw.ReadString('\n')
		if l, _ := rw.ReadString('\n'); !strings.HasPrefix(l, "+OK") {
			b.Fatalf("login: %q", l)
		}
		conns[i] = rw
	}
	exchange(b, conns, "RETR %d\r\n", func(l string) bool { return l == ".\r\n" }, "RETR/s")
}

// BenchmarkRelayIMAPFetch measures FETCH n BODY[] of 2 KB messages through
// the whole simulator (TCP, the relay and its tap with its IMAP
// corrections, the IMAP server), 8 connections, nobody subscribed: the
// relay's per-line work is what a change to the IMAP model costs.
func BenchmarkRelayIMAPFetch(b *testing.B) {
	sim, err := New(Options{Users: []UserSpec{{Address: "bench@example.com", Password: "pass"}}, NoSeed: true,
		StateDir: b.TempDir(), Roles: []wire.Role{wire.RoleIMAP}})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	body := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu\r\n", 29)
	for n := 0; n < 20; n++ {
		sim.Deliver("bench@example.com", []byte("Subject: bench\r\n\r\n"+body))
	}
	conns := make([]*bufio.ReadWriter, 8)
	for i := range conns {
		c, err := net.Dial("tcp", sim.Addr(wire.RoleIMAP))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Minute))
		rw := bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c))
		rw.ReadString('\n')
		fmt.Fprintf(rw, "a LOGIN bench@example.com pass\r\nb EXAMINE INBOX\r\n")
		rw.Flush()
		for {
			l, err := rw.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			if strings.HasPrefix(l, "b ") {
				break
			}
		}
		conns[i] = rw
	}
	exchange(b, conns, "f FETCH %d BODY[]\r\n", func(l string) bool { return strings.HasPrefix(l, "f ") }, "FETCH/s")
}

// exchange times b.N commands spread over the connections, each asking for
// one of 20 messages (cmd takes its number) and reading until last says the
// answer is complete, and reports the rate as unit.
func exchange(b *testing.B, conns []*bufio.ReadWriter, cmd string, last func(string) bool, unit string) {
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/len(conns) + 1
	for i, rw := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < per; n++ {
				fmt.Fprintf(rw, cmd, n%20+1)
				rw.Flush()
				for {
					l, err := rw.ReadString('\n')
					if err != nil {
						b.Error(i, err)
						return
					}
					if last(l) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(per*len(conns))/b.Elapsed().Seconds(), unit)
}

// BenchmarkRelaySMTPIngest measures one client handing messages over on
// one connection, MAIL, RCPT, DATA and the body in turn, each waiting for
// its reply (as the throughput bench's c=1 does): four round trips through
// the relay and its tap per message, nobody subscribed. Latency, not CPU,
// sets this rate.
func BenchmarkRelaySMTPIngest(b *testing.B) {
	sim, err := New(Options{Users: []UserSpec{{Address: "bench@example.com", Password: "pass"}}, NoSeed: true,
		StateDir: b.TempDir(), Roles: []wire.Role{wire.RoleMX}, MailboxQuotaBytes: -1, WorldBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	c, err := net.Dial("tcp", sim.Addr(wire.RoleMX))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Minute))
	rw := bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c))
	reply := func() string {
		for {
			l, err := rw.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			if len(l) < 4 || l[3] != '-' {
				return l
			}
		}
	}
	say := func(line string) string {
		rw.WriteString(line + "\r\n")
		rw.Flush()
		return reply()
	}
	reply()
	say("EHLO bench.local")
	body := "Subject: bench\r\n\r\n" + strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu\r\n", 29)
	b.ResetTimer()
	for range b.N {
		say("MAIL FROM:<sender@example.net>")
		say("RCPT TO:<bench@example.com>")
		say("DATA")
		rw.WriteString(body + ".\r\n")
		rw.Flush()
		if l := reply(); !strings.HasPrefix(l, "250") {
			b.Fatalf("after the body: %q", l)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
