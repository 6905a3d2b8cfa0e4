package smtp

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/dns"
)

// BenchmarkIngest measures how many 2 KB messages per second the MX
// accepts and stores, over real TCP, with 1 and 8 client connections each
// sending transaction after transaction (no pipelining, like a learner's
// client or a simple MTA).
func BenchmarkIngest(b *testing.B) {
	body := "From: carol@example.net\r\nTo: bob@example.org\r\nSubject: bench\r\n\r\n" +
		strings.Repeat(strings.Repeat("x", 62)+"\r\n", 2048/64) + "."
	for _, conns := range []int{1, 8} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { ingest(b, conns, body, "carol@example.net", nil) })
	}
}

// BenchmarkIngestChecked is BenchmarkIngest with the world's DNS: every
// message is checked for SPF (a pass), DKIM (no signature) and DMARC (a
// pass by SPF alignment), and gets an Authentication-Results header.
func BenchmarkIngestChecked(b *testing.B) {
	body := "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: bench\r\n\r\n" +
		strings.Repeat(strings.Repeat("x", 62)+"\r\n", 2048/64) + "."
	zone := dns.NewZone(append(dns.Defaults("example.com", ""), dns.Defaults("example.org", "")...)...)
	for _, conns := range []int{1, 8} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { ingest(b, conns, body, "alice@example.com", zone) })
	}
}

// ingest sends messages from the given sender over conns connections.
func ingest(b *testing.B, conns int, body, from string, zone *dns.Zone) {
	st := newStore(b)
	opts := mxOptions(st, nil)
	if zone != nil {
		opts.DNS = zone
	}
	r := start(b, opts)
	clients := make([]*client, conns)
	for i := range clients {
		c, err := rawDial(r.addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.conn.Close()
		if err := c.step("EHLO bench.example", "250"); err != nil {
			b.Fatal(err)
		}
		clients[i] = c
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				for _, s := range []struct{ line, want string }{
					{"MAIL FROM:<" + from + ">", "250"},
					{"RCPT TO:<bob@example.org>", "250"},
					{"DATA", "354"},
					{body, "250"},
				} {
					if err := c.step(s.line, s.want); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// step sends one line and checks the reply code, without a testing.T.
func (c *client) step(line, want string) error {
	if _, err := io.WriteString(c.conn, line+"\r\n"); err != nil {
		return err
	}
	lines, err := c.reply()
	if err != nil {
		return err
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, want) {
		return fmt.Errorf("after %.20q: want %s, got %q", line, want, last)
	}
	return nil
}
