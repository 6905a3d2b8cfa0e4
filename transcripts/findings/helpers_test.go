package findings

import (
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// world builds event streams the way the relay does: every line goes
// through the protocol model (wire.Splitter), so the events carry the
// model's real facts, not facts a test made up.
type world struct {
	seq    uint64
	now    time.Time
	events []wire.Event
}

func newWorld() *world {
	return &world{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
}

// script is one session of the world.
type script struct {
	w     *world
	id    wire.SessionID
	role  wire.Role
	split *wire.Splitter
	enc   bool
}

func (w *world) publish(e wire.Event, s *script) {
	w.seq++
	e.Seq, e.Session, e.Proto, e.Role, e.Peer, e.Time, e.Encrypted = w.seq, s.id, s.role.Proto(), s.role, "127.0.0.1:40000", w.now, s.enc
	e.Data = append([]byte(nil), e.Data...)
	w.events = append(w.events, e)
}

// open starts a session on a listener; an implicit-TLS one is encrypted
// from the start.
func (w *world) open(id string, role wire.Role) *script {
	s := &script{w: w, id: wire.SessionID(id), role: role, split: wire.NewSplitter(role.Proto())}
	w.publish(wire.Event{Dir: wire.Meta, Kind: wire.Open, Data: []byte("connection from 127.0.0.1:40000")}, s)
	if role.ImplicitTLS() {
		s.tls()
	}
	return s
}

// openFailing starts a session whose TLS will fail (no TLS event yet).
func (w *world) openFailing(id string, role wire.Role) *script {
	s := &script{w: w, id: wire.SessionID(id), role: role, split: wire.NewSplitter(role.Proto())}
	w.publish(wire.Event{Dir: wire.Meta, Kind: wire.Open, Data: []byte("connection from 127.0.0.1:40000")}, s)
	return s
}

// wait moves the world's clock on.
func (w *world) wait(d time.Duration) { w.now = w.now.Add(d) }

// c sends client lines (each gets its CRLF), s server lines.
func (s *script) c(lines ...string) *script {
	for _, l := range lines {
		s.split.Client([]byte(l+"\r\n"), func(p wire.Piece) { s.w.publish(p.Event(), s) })
	}
	return s
}

func (s *script) s(lines ...string) *script {
	for _, l := range lines {
		s.split.Server([]byte(l+"\r\n"), func(p wire.Piece) { s.w.publish(p.Event(), s) })
	}
	return s
}

// raw sends client bytes as they are (a literal's bytes).
func (s *script) raw(b string) *script {
	s.split.Client([]byte(b), func(p wire.Piece) { s.w.publish(p.Event(), s) })
	return s
}

func (s *script) tls() *script {
	s.split.Reset(wire.FromServer)
	s.enc = true
	s.w.publish(wire.Event{Dir: wire.Meta, Kind: wire.TLS, Data: []byte("TLS 1.3, TLS_AES_128_GCM_SHA256")}, s)
	return s
}

func (s *script) tlsFailed(why wire.TLSFailure, text string) *script {
	s.w.publish(wire.Event{Dir: wire.Meta, Kind: wire.TLSFailed, Data: []byte(text), TLSFailure: why}, s)
	return s
}

func (s *script) close() {
	s.w.publish(wire.Event{Dir: wire.Meta, Kind: wire.Close, Data: []byte("client closed the connection")}, s)
}

// rules returns the rules that found something for the program, in order.
func rules(p Program) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, f.Rule)
	}
	return out
}

// finding returns the program's finding of a rule, failing the test when
// there is none.
func finding(t *testing.T, p Program, rule string) Finding {
	t.Helper()
	for _, f := range p.Findings {
		if f.Rule == rule {
			return f
		}
	}
	t.Fatalf("%s (user %q): no %q finding; found %q", p.Name, p.User, rule, texts(p))
	return Finding{}
}

func noFinding(t *testing.T, p Program, rule string) {
	t.Helper()
	for _, f := range p.Findings {
		if f.Rule == rule {
			t.Errorf("%s: unexpected %q finding: %s", p.Name, rule, f.Text)
		}
	}
}

func texts(p Program) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, f.Text)
	}
	return out
}

// evidence joins a finding's lines as a transcript shows them.
func evidence(f Finding) string {
	var b strings.Builder
	for _, l := range f.Lines {
		b.WriteString(l.String() + "\n")
	}
	return b.String()
}

// noSecret fails if a password shows anywhere in the programs' findings.
func noSecret(t *testing.T, progs []Program, secrets ...string) {
	t.Helper()
	for _, p := range progs {
		all := p.Name + p.User + strings.Join(texts(p), "\n")
		for _, f := range p.Findings {
			all += evidence(f)
		}
		for _, s := range secrets {
			if strings.Contains(all, s) {
				t.Errorf("%s's findings show the secret %q:\n%s", p.Name, s, all)
			}
		}
	}
}
