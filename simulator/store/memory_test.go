package store

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// rssMB reads the process's resident set size from /proc (Linux).
func rssMB(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status on this system")
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("VmRSS:")) {
			f := bytes.Fields(line)
			kb, _ := strconv.Atoi(string(f[1]))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkHold100k stores 100,000 distinct 2 KB messages and reports the
// process's RSS and the Go heap afterwards (the budget: < 400 MB).
// Run alone: go test -run NONE -bench Hold100k -benchtime 1x ./simulator/store/
func BenchmarkHold100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s := New(Options{})
		u, _ := s.AddUser("bulk@example.com", "x")
		in := u.Inbox()
		body := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu\r\n"), 29)
		for n := 0; n < 100000; n++ {
			raw := fmt.Appendf(nil, "From: <a@example.org>\r\nTo: <bulk@example.com>\r\nSubject: message %d\r\nDate: %s\r\n\r\n", n, time.Now().Format(time.RFC1123Z))
			raw = append(raw, body[:2048-len(raw)]...)
			in.Append(raw, nil, time.Time{}, nil)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(rssMB(b), "MB-RSS")
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-heap")
		if st := in.Status(); st.Messages != 100000 {
			b.Fatalf("%d messages", st.Messages)
		}
	}
}
