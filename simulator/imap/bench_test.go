package imap

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// BenchmarkFetch: 8 sessions on one mailbox, each FETCH n BODY.PEEK[] of a
// 2 KB message; reports FETCH/s.
func BenchmarkFetch(b *testing.B) {
	const sessions, messages = 8, 100
	w := newWorld(b, Options{})
	body := plain("bob@example.org", "alice@example.com", "bench", strings.Repeat("0123456789abcdef", 120))
	for i := 0; i < messages; i++ {
		w.deliver(b, w.alice.Inbox(), body)
	}
	conns := make([]*benchConn, sessions)
	for i := range conns {
		c := w.login(b, "alice", "wonderland")
		c.ok("s EXAMINE INBOX")
		conns[i] = &benchConn{w: c.conn, r: c.r}
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/sessions + 1
	errs := make(chan error, sessions)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < per; k++ {
				if err := c.fetch(fmt.Sprintf("f%d", k), (k+i)%messages+1); err != nil {
					errs <- err
					return
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
	b.ReportMetric(float64(per*sessions)/b.Elapsed().Seconds(), "FETCH/s")
}

type benchConn struct {
	w net.Conn
	r *bufio.Reader
}

// fetch sends one FETCH and reads to its tagged reply, skipping the literal.
func (c *benchConn) fetch(tag string, seq int) error {
	if _, err := fmt.Fprintf(c.w, "%s FETCH %d BODY.PEEK[]\r\n", tag, seq); err != nil {
		return err
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return err
		}
		if n, ok := literalSize(strings.TrimSuffix(line, "\r\n")); ok {
			if _, err := io.CopyN(io.Discard, c.r, int64(n)); err != nil {
				return err
			}
			continue
		}
		if strings.HasPrefix(line, tag+" ") {
			if !strings.HasPrefix(line, tag+" OK") {
				return fmt.Errorf("FETCH: %s", line)
			}
			return nil
		}
	}
}
