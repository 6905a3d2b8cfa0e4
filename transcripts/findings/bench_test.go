package findings

import (
	"strconv"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// BenchmarkAdd measures the analyzer's cost per event on an IMAP
// client's sessions (ID, login, header FETCH, a body, APPEND, STORE,
// EXPUNGE, IDLE), and of working out one program's findings when a
// session ends, with 200 sessions of the program kept.
func BenchmarkAdd(b *testing.B) {
	w := newWorld()
	for i := range 200 {
		imapflowSession(w, "s"+strconv.Itoa(i), wire.RoleIMAPS).close()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		a := New(Options{})
		for _, e := range w.events {
			a.Add(e)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(w.events)), "ns/event")
}

func BenchmarkProgramOf(b *testing.B) {
	w := newWorld()
	for i := range 200 {
		imapflowSession(w, "s"+strconv.Itoa(i), wire.RoleIMAPS).close()
	}
	a := New(Options{})
	for _, e := range w.events {
		a.Add(e)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, ok := a.ProgramOf("s199"); !ok {
			b.Fatal("no program")
		}
	}
}
