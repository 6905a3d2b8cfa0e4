package pop3

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkRETR measures RETR throughput: 8 connections, each logged in to
// its own maildrop of 2 KB messages, share b.N RETRs. It reports RETR/s.
func BenchmarkRETR(b *testing.B) {
	const conns, perBox = 8, 50
	w := newWorld(b, nil)
	msg := benchMessage(2048)
	for i := 0; i < conns; i++ {
		u, err := w.store.AddUser(fmt.Sprintf("bench%d@example.com", i), "pw")
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < perBox; j++ {
			if _, err := u.Inbox().Append(msg, nil, time.Time{}, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	clients := make([]*benchClient, conns)
	for i := range clients {
		clients[i] = dialBench(b, w.addr, fmt.Sprintf("bench%d", i))
	}

	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i, c := range clients {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < n; k++ {
				if err := c.retr(k%perBox+1, len(msg)); err != nil {
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "RETR/s")
}

// benchMessage builds a message of about size octets with CRLF lines.
func benchMessage(size int) []byte {
	var buf bytes.Buffer
	buf.WriteString("From: bench@example.com\r\nTo: bench@example.com\r\nSubject: benchmark\r\n\r\n")
	for buf.Len() < size-80 {
		buf.WriteString(strings.Repeat("x", 70) + "\r\n")
	}
	return buf.Bytes()
}

type benchClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialBench(b *testing.B, addr, user string) *benchClient {
	b.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	c := &benchClient{conn: conn, r: bufio.NewReaderSize(conn, 64*1024)}
	for _, cmd := range []string{"", "USER " + user, "PASS pw"} {
		if cmd != "" {
			conn.Write([]byte(cmd + "\r\n"))
		}
		l, err := c.r.ReadString('\n')
		if err != nil || !strings.HasPrefix(l, "+OK") {
			b.Fatalf("%s: %q %v", cmd, l, err)
		}
	}
	return c
}

// retr sends RETR n and reads the reply to its final ".".
func (c *benchClient) retr(n, size int) error {
	if _, err := fmt.Fprintf(c.conn, "RETR %d\r\n", n); err != nil {
		return err
	}
	l, err := c.r.ReadSlice('\n')
	if err != nil || !bytes.HasPrefix(l, []byte("+OK")) {
		return fmt.Errorf("RETR %d: %q %v", n, l, err)
	}
	got := 0
	for {
		l, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(l) == 3 && l[0] == '.' {
			break
		}
		got += len(l)
	}
	if got != size {
		return fmt.Errorf("RETR %d: %d octets, want %d", n, got, size)
	}
	return nil
}
