package simulator

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

func submit(t *testing.T, sim *Simulator, role wire.Role, user, pass, from, to, subject string) {
	t.Helper()
	c := dial(t, sim, role)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO laptop.local", "250")
	if !role.ImplicitTLS() {
		c.smtpSTARTTLS(sim, "laptop.local")
	}
	c.expectSMTP("AUTH PLAIN "+plainAuth(user, pass), "235")
	c.expectSMTP("MAIL FROM:<"+from+">", "250")
	c.expectSMTP("RCPT TO:<"+to+">", "250")
	c.expectSMTP("DATA", "354")
	c.send("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject + "\r\n\r\nHello there.\r\n.")
	c.expectSMTP("", "250")
	c.expectSMTP("QUIT", "221")
}

func TestSendThenReadOverPOP3AndIMAP(t *testing.T) {
	sim := newSim(t, Options{})
	submit(t, sim, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "alice@example.com", "note to self")

	p := dial(t, sim, wire.RolePOP3)
	if l := p.line(); !strings.HasPrefix(l, "+OK") {
		t.Fatal(l)
	}
	p.send("USER alice")
	p.line()
	p.send("PASS wonderland")
	if l := p.line(); !strings.HasPrefix(l, "+OK") {
		t.Fatal(l)
	}
	p.send("STAT")
	if l := p.line(); !strings.HasPrefix(l, "+OK 4 ") {
		t.Fatalf("STAT: %s (3 seed messages + the new one)", l)
	}
	p.send("RETR 4")
	var body []string
	for l := p.line(); l != "."; l = p.line() {
		body = append(body, l)
	}
	if !strings.Contains(strings.Join(body, "\n"), "Subject: note to self") {
		t.Fatalf("RETR 4: %q", body)
	}
	p.send("QUIT")
	p.line()

	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.imap("a1", "LOGIN alice@example.com wonderland")
	c.imap("a2", "SELECT INBOX")
	out := c.imap("a3", "FETCH 4 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
	if !strings.Contains(strings.Join(out, "\n"), "note to self") {
		t.Fatalf("IMAP FETCH: %q", out)
	}
}

func TestRelayHopBetweenDomains(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	submit(t, sim, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "bob@example.org", "hop")
	// The submission session, then the simulator's own hop to the MX.
	open := rec.until(t, "hop session opens", func(e wire.Event) bool {
		return e.Kind == wire.Open && e.Role == wire.RoleMX
	})
	if !strings.HasPrefix(open.Peer, "relay hop") {
		t.Fatalf("hop peer %q", open.Peer)
	}
	rec.until(t, "hop RCPT", func(e wire.Event) bool {
		return e.Session == open.Session && e.Kind == wire.Line && strings.HasPrefix(string(e.Data), "RCPT TO:<bob@example.org>")
	})
	bob, _ := sim.Store().LookupAddress("bob@example.org")
	msgs := bob.Inbox().Messages()
	last := string(msgs[len(msgs)-1].Body.Raw)
	if n := strings.Count(last, "Received: "); n != 2 {
		t.Fatalf("want two Received headers (submission, then MX), got %d:\n%s", n, last)
	}
	if !strings.HasPrefix(last, "Return-Path: <alice@example.com>") {
		t.Fatalf("Return-Path missing:\n%s", last)
	}
}

func TestOutsideDomainsStayInTheQueue(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	submit(t, sim, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "carol@elsewhere.test", "away")
	q := sim.Outbound()
	if len(q) != 1 || q[0].To[0] != "carol@elsewhere.test" {
		t.Fatalf("outbound %+v", q)
	}
	// The queued mail names the session that sent it, so a learner can
	// find that conversation among the events.
	open := rec.until(t, "submission session opens", func(e wire.Event) bool {
		return e.Kind == wire.Open && e.Role == wire.RoleSubmission
	})
	if q[0].Session != string(open.Session) {
		t.Errorf("queued mail names session %q, want %q (peer %q)", q[0].Session, open.Session, q[0].Peer)
	}
	// The same over implicit TLS, where the library reads the relay's
	// decrypted side.
	submit(t, sim, wire.RoleSubmissions, "alice", "wonderland", "alice@example.com", "dave@elsewhere.test", "away too")
	open = rec.until(t, "submissions session opens", func(e wire.Event) bool {
		return e.Kind == wire.Open && e.Role == wire.RoleSubmissions
	})
	if q = sim.Outbound(); len(q) != 2 || q[1].Session != string(open.Session) {
		t.Errorf("queued over TLS: %+v, want session %q", q, open.Session)
	}
}

func TestRelayDeniedWithoutAuth(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleMX)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO spammer.test", "250")
	c.expectSMTP("MAIL FROM:<x@spammer.test>", "250")
	got := c.expectSMTP("RCPT TO:<victim@elsewhere.test>", "55")
	if !strings.Contains(got, "5.7.1") {
		t.Fatalf("relay denial needs 5.7.1: %q", got)
	}
	c.expectSMTP("RCPT TO:<nobody@example.com>", "550 5.1.1")
}

func TestSequenceErrorsAre503EvenInsideTLS(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleSubmission)
	c.expectSMTP("", "220")
	c.expectSMTP("MAIL FROM:<a@example.com>", "503 5.5.1")
	c.expectSMTP("EHLO me", "250")
	c.expectSMTP("STARTTLS", "220")
	c.startTLS(sim)
	c.expectSMTP("EHLO me", "250")
	c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
	c.expectSMTP("RCPT TO:<bob@example.org>", "503 5.5.1")
	c.expectSMTP("MAIL FROM:<alice@example.com>", "250")
	c.expectSMTP("DATA", "503 5.5.1")
}

func TestSTARTTLSTapSeesPlaintextOnAllThree(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)

	s := dial(t, sim, wire.RoleSubmission)
	s.expectSMTP("", "220")
	s.expectSMTP("EHLO me", "250")
	s.expectSMTP("STARTTLS", "220")
	s.startTLS(sim)
	s.send("EHLO again")
	ehlo := rec.until(t, "encrypted EHLO", lineIs(wire.FromClient, "EHLO again"))
	if !ehlo.Encrypted {
		t.Fatal("EHLO after STARTTLS not marked encrypted")
	}
	reply := s.smtpReply()
	if !strings.HasPrefix(reply, "250") {
		t.Fatal(reply)
	}

	p := dial(t, sim, wire.RolePOP3)
	p.line()
	p.send("STLS")
	if l := p.line(); !strings.HasPrefix(l, "+OK") {
		t.Fatal(l)
	}
	p.startTLS(sim)
	p.send("USER alice")
	e := rec.until(t, "POP3 USER inside TLS", lineIs(wire.FromClient, "USER alice"))
	if !e.Encrypted {
		t.Fatal("USER not marked encrypted")
	}
	p.line()

	i := dial(t, sim, wire.RoleIMAP)
	i.line()
	i.imap("t1", "STARTTLS")
	i.startTLS(sim)
	out := i.imap("t2", "LOGIN alice wonderland")
	if !strings.HasPrefix(out[len(out)-1], "t2 OK") {
		t.Fatalf("LOGIN after STARTTLS: %q", out)
	}
	login := rec.until(t, "IMAP LOGIN inside TLS", lineIs(wire.FromClient, "t2 LOGIN"))
	if !login.Encrypted || string(login.Masked()) != "t2 LOGIN alice ********\r\n" {
		t.Fatalf("login event %q encrypted=%v", login.Masked(), login.Encrypted)
	}
	tlsEvents := 0
	for _, e := range rec.got {
		if e.Kind == wire.TLS {
			tlsEvents++
		}
	}
	if tlsEvents != 3 {
		t.Fatalf("want 3 TLS events, got %d", tlsEvents)
	}
}

func TestImplicitTLSPorts(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	s := dial(t, sim, wire.RoleSubmissions)
	s.expectSMTP("", "220")
	ehlo := s.expectSMTP("EHLO me", "250")
	_ = ehlo
	s.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
	p := dial(t, sim, wire.RolePOP3S)
	if l := p.line(); !strings.HasPrefix(l, "+OK") {
		t.Fatal(l)
	}
	i := dial(t, sim, wire.RoleIMAPS)
	if l := i.line(); !strings.HasPrefix(l, "* OK") {
		t.Fatal(l)
	}
	out := i.imap("a", "LOGIN bob builder")
	if !strings.HasPrefix(out[len(out)-1], "a OK") {
		t.Fatal(out)
	}
	e := rec.until(t, "plaintext IMAP login on imaps", lineIs(wire.FromClient, "a LOGIN bob"))
	if !e.Encrypted {
		t.Fatal("not marked encrypted")
	}
}

func TestSTARTTLSInjectionIsDiscarded(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := dial(t, sim, wire.RoleSubmission)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO me", "250")
	c.conn.Write([]byte("STARTTLS\r\nRSET\r\n"))
	c.expectSMTP("", "220")
	d := rec.until(t, "discard event", func(e wire.Event) bool { return e.Kind == wire.Discarded })
	if d.N != len("RSET\r\n") {
		t.Fatalf("discarded %d", d.N)
	}
	c.startTLS(sim)
	c.expectSMTP("NOOP", "250")
}

func TestFaultReplies(t *testing.T) {
	cases := []struct {
		fault fault.Name
		run   func(t *testing.T, sim *Simulator)
	}{
		{fault.TooManyConnections, func(t *testing.T, sim *Simulator) {
			c := dial(t, sim, wire.RoleMX)
			c.expectSMTP("", "421 4.7.0")
			p := dial(t, sim, wire.RolePOP3)
			if l := p.line(); !strings.HasPrefix(l, "-ERR [SYS/TEMP]") {
				t.Fatal(l)
			}
			i := dial(t, sim, wire.RoleIMAP)
			if l := i.line(); !strings.HasPrefix(l, "* BYE") {
				t.Fatal(l)
			}
		}},
		{fault.Greylist, func(t *testing.T, sim *Simulator) {
			c := dial(t, sim, wire.RoleMX)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO me", "250")
			c.expectSMTP("MAIL FROM:<x@sender.test>", "250")
			c.expectSMTP("RCPT TO:<alice@example.com>", "451 4.7.1")
			c.expectSMTP("RCPT TO:<alice@example.com>", "250")
		}},
		{fault.MailboxFull, func(t *testing.T, sim *Simulator) {
			c := dial(t, sim, wire.RoleMX)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO me", "250")
			c.expectSMTP("MAIL FROM:<x@sender.test>", "250")
			c.expectSMTP("RCPT TO:<alice@example.com>", "452 4.2.2")
		}},
		{fault.AuthFail, func(t *testing.T, sim *Simulator) {
			c := dial(t, sim, wire.RoleSubmission)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO me", "250")
			c.smtpSTARTTLS(sim, "me")
			c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "535 5.7.8")
		}},
		{fault.TLSRequired, func(t *testing.T, sim *Simulator) {
			// POP3 and IMAP, which take a clear-text login by default.
			p := dial(t, sim, wire.RolePOP3)
			p.line()
			p.send("USER alice")
			if l := p.line(); !strings.HasPrefix(l, "-ERR") {
				t.Fatalf("POP3 USER before STLS: %q", l)
			}
			i := dial(t, sim, wire.RoleIMAP)
			i.line()
			if out := i.imap("a", "LOGIN alice wonderland"); !strings.HasPrefix(out[len(out)-1], "a NO [PRIVACYREQUIRED]") {
				t.Fatalf("IMAP LOGIN before STARTTLS: %q", out)
			}
			// On submission it outranks plain-auth.
			sim.SetFault(fault.PlainAuth, true)
			c := dial(t, sim, wire.RoleSubmission)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO me", "250")
			c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "530 5.7.0")
		}},
		{fault.PlainAuth, func(t *testing.T, sim *Simulator) {
			c := dial(t, sim, wire.RoleSubmission)
			c.expectSMTP("", "220")
			c.send("EHLO me")
			var ehlo []string
			for l := c.line(); ; l = c.line() {
				ehlo = append(ehlo, l)
				if len(l) < 4 || l[3] != '-' {
					break
				}
			}
			if !strings.Contains(strings.Join(ehlo, "\n"), "AUTH PLAIN LOGIN") {
				t.Fatalf("plain-auth: EHLO before STARTTLS lacks AUTH: %q", ehlo)
			}
			c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
		}},
		{fault.RelayDenied, func(t *testing.T, sim *Simulator) {
			c := dial(t, sim, wire.RoleSubmission)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO me", "250")
			c.smtpSTARTTLS(sim, "me")
			c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
			c.expectSMTP("MAIL FROM:<alice@example.com>", "250")
			c.expectSMTP("RCPT TO:<carol@elsewhere.test>", "554 5.7.1")
		}},
		{fault.DropConnection, func(t *testing.T, sim *Simulator) {
			c := dial(t, sim, wire.RoleMX)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO me", "250")
			c.expectSMTP("MAIL FROM:<x@sender.test>", "250")
			c.expectSMTP("RCPT TO:<alice@example.com>", "250")
			c.expectSMTP("DATA", "354")
			c.send("Subject: lost\r\n\r\nbody\r\n.")
			if l, err := c.r.ReadString('\n'); err == nil {
				t.Fatalf("expected a hang-up, got %q", l)
			}
			alice, _ := sim.Store().LookupAddress("alice@example.com")
			if n := alice.Inbox().Status().Messages; n != 3 {
				t.Fatalf("a dropped DATA delivered something: %d messages", n)
			}
		}},
		{fault.PolicyReject, func(t *testing.T, sim *Simulator) {
			messageRefusedAfterDATA(t, sim, "550 5.7.1")
		}},
		{fault.TooBig, func(t *testing.T, sim *Simulator) {
			messageRefusedAfterDATA(t, sim, "552 5.3.4")
		}},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			sim := newSim(t, Options{Faults: []fault.Name{tc.fault}})
			tc.run(t, sim)
		})
	}
}

// messageRefusedAfterDATA sends a message over the MX and expects the
// reply to its end, with nothing delivered and the session going on.
func messageRefusedAfterDATA(t *testing.T, sim *Simulator, reply string) {
	t.Helper()
	c := dial(t, sim, wire.RoleMX)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO me", "250")
	c.expectSMTP("MAIL FROM:<x@sender.test>", "250")
	c.expectSMTP("RCPT TO:<alice@example.com>", "250")
	c.expectSMTP("DATA", "354")
	c.expectSMTP("Subject: refused\r\n\r\nbody\r\n.", reply)
	c.expectSMTP("NOOP", "250")
	alice, _ := sim.Store().LookupAddress("alice@example.com")
	if n := alice.Inbox().Status().Messages; n != 3 {
		t.Fatalf("a refused message was delivered: %d messages", n)
	}
}

func TestPOP3DeleteShowsAsExpungeInIdlingIMAP(t *testing.T) {
	sim := newSim(t, Options{})
	i := dial(t, sim, wire.RoleIMAP)
	i.line()
	i.imap("a", "LOGIN alice wonderland")
	i.imap("b", "SELECT INBOX")
	i.send("c IDLE")
	if l := i.line(); !strings.HasPrefix(l, "+") {
		t.Fatal(l)
	}
	p := dial(t, sim, wire.RolePOP3)
	p.line()
	p.send("USER alice")
	p.line()
	p.send("PASS wonderland")
	p.line()
	p.send("DELE 1")
	p.line()
	p.send("QUIT")
	p.line()
	if l := i.line(); l != "* 1 EXPUNGE" {
		t.Fatalf("idle got %q", l)
	}
	i.send("DONE")
	if l := i.line(); !strings.HasPrefix(l, "c OK") {
		t.Fatal(l)
	}
}

func TestDialAndConnStartTLS(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c, err := sim.Dial(wire.RoleIMAP)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec.until(t, "greeting", func(e wire.Event) bool { return e.Session == c.Session() && e.Dir == wire.FromServer })
	c.Send("x STARTTLS")
	rec.until(t, "go-ahead", func(e wire.Event) bool {
		return e.Session == c.Session() && strings.HasPrefix(string(e.Data), "x OK")
	})
	if err := c.StartTLS(); err != nil {
		t.Fatal(err)
	}
	c.Send("y LOGIN alice wonderland")
	e := rec.until(t, "login OK", func(e wire.Event) bool {
		return e.Session == c.Session() && strings.HasPrefix(string(e.Data), "y OK")
	})
	if !e.Encrypted || !c.Encrypted() {
		t.Fatal("not encrypted")
	}
}

func TestTwoSimulatorsSideBySide(t *testing.T) {
	a := newSim(t, Options{})
	b := newSim(t, Options{NoSeed: true})
	if a.Addr(wire.RoleIMAP) == b.Addr(wire.RoleIMAP) {
		t.Fatal("same address")
	}
	submit(t, a, wire.RoleSubmission, "alice", "wonderland", "alice@example.com", "alice@example.com", "only in a")
	if n := len(b.Snapshot().Users[0].Mailboxes[0].Messages); n != 0 {
		t.Fatalf("b sees %d messages", n)
	}
}

func TestSnapshotShowsPOP3Marks(t *testing.T) {
	sim := newSim(t, Options{})
	p := dial(t, sim, wire.RolePOP3)
	p.line()
	p.send("USER bob")
	p.line()
	p.send("PASS builder")
	p.line()
	p.send("DELE 1")
	p.line()
	sn := sim.Snapshot()
	bob, _ := sn.User("bob@example.org")
	inbox, _ := bob.Mailbox("INBOX")
	if len(inbox.Messages) != 1 || !inbox.Messages[0].MarkedDeleted || len(sn.Maildrop) != 1 {
		t.Fatalf("snapshot %+v", sn)
	}
	p.conn.Close() // dropped: nothing deleted
	waitFor(t, sim, "the lock to go", func(sn Snapshot) bool { return len(sn.Maildrop) == 0 })
	p2 := dial(t, sim, wire.RolePOP3)
	p2.line()
	p2.send("USER bob")
	p2.line()
	p2.send("PASS builder")
	if l := p2.line(); !strings.HasPrefix(l, "+OK") {
		t.Fatal(l)
	}
	p2.send("STAT")
	if l := p2.line(); !strings.HasPrefix(l, "+OK 1 ") {
		t.Fatalf("after a drop: %s", l)
	}
}

func TestHundredConcurrentConnections(t *testing.T) {
	sim := newSim(t, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for n := 0; n < 100; n++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			role := []wire.Role{wire.RoleMX, wire.RolePOP3, wire.RoleIMAP}[n%3]
			c := dial(t, sim, role)
			greeting, err := c.r.ReadString('\n')
			if err != nil || len(greeting) < 3 {
				errs <- fmt.Errorf("%s: %v %q", role, err, greeting)
				return
			}
			c.conn.Write([]byte("NOOP\r\n"))
			if role == wire.RoleIMAP {
				c.conn.Write([]byte("a NOOP\r\n"))
			}
			if _, err := c.r.ReadString('\n'); err != nil {
				errs <- err
			}
		}(n)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDialARefusedConnection(t *testing.T) {
	sim := newSim(t, Options{Faults: []fault.Name{fault.TooManyConnections}})
	rec := record(sim)
	c, err := sim.Dial(wire.RoleSubmission)
	if err != nil {
		t.Fatal(err)
	}
	e := rec.until(t, "the 421", lineIs(wire.FromServer, "421 4.7.0"))
	if e.Session != c.Session() {
		t.Fatalf("421 on %s, Dial said %s", e.Session, c.Session())
	}
	<-c.Done()
}

// A STARTTLS the server refuses leaves the session in plaintext, and the
// bytes pipelined after it are still thrown away (the client must wait for
// the answer, RFC 3207 §5, RFC 2595 §3.1).
func TestRefusedSTARTTLSStaysPlaintext(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	i := dial(t, sim, wire.RoleIMAP)
	i.line()
	if out := i.imap("a", "LOGIN alice wonderland"); !strings.HasPrefix(out[len(out)-1], "a OK") {
		t.Fatal(out)
	}
	i.conn.Write([]byte("b STARTTLS\r\nc NOOP\r\n"))
	if l := i.line(); !strings.HasPrefix(l, "b BAD") {
		t.Fatalf("STARTTLS after LOGIN: %q", l)
	}
	// The command pipelined behind the refused STARTTLS is an ordinary
	// plaintext command: it is answered, not dropped in silence.
	if l := i.line(); !strings.HasPrefix(l, "c OK") {
		t.Fatalf("the command behind a refused STARTTLS: %q", l)
	}
	if out := i.imap("d", "NOOP"); !strings.HasPrefix(out[len(out)-1], "d OK") {
		t.Fatal(out)
	}
	e := rec.until(t, "NOOP in plaintext", lineIs(wire.FromClient, "d NOOP"))
	if e.Encrypted {
		t.Fatal("marked encrypted after a refused STARTTLS")
	}

	p := dial(t, sim, wire.RolePOP3)
	p.line()
	for _, cmd := range []string{"USER bob", "PASS builder"} {
		p.send(cmd)
		if l := p.line(); !strings.HasPrefix(l, "+OK") {
			t.Fatalf("%s: %q", cmd, l)
		}
	}
	p.send("STLS")
	if l := p.line(); !strings.HasPrefix(l, "-ERR") {
		t.Fatalf("STLS after login: %q", l)
	}
	p.send("STAT")
	if l := p.line(); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("STAT after a refused STLS: %q", l)
	}
}

// go-imap flushes a FETCH response and its tagged OK separately; the tap
// sends the whole answer in one write. The client here is an in-memory
// pipe, on which each read returns exactly one write of the other side.
func TestFetchAnswerLeavesInOneWrite(t *testing.T) {
	sim := newSim(t, Options{})
	near, far := net.Pipe()
	defer near.Close()
	go sim.relays[wire.RoleIMAP].Serve(far, "pipe client")
	near.SetDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 64*1024)
	read := func() string {
		n, err := near.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	exchange := func(cmd, tag string) string {
		if _, err := near.Write([]byte(cmd + "\r\n")); err != nil {
			t.Fatal(err)
		}
		first := read()
		for got := first; !strings.Contains(got, tag+" "); got += read() {
		}
		return first
	}
	read() // greeting
	exchange("a LOGIN alice wonderland", "a")
	exchange("b SELECT INBOX", "b")
	for n := 0; n < 5; n++ {
		tag := fmt.Sprintf("f%d", n)
		if first := exchange(tag+" FETCH 1 BODY.PEEK[]", tag); !strings.Contains(first, tag+" OK") {
			t.Fatalf("the answer took more than one write; the first was %q", first)
		}
	}
}

// The Received header's "with" names the protocol the client spoke (RFC 5321
// §4.4, RFC 3848): SMTP after HELO, ESMTP after EHLO, whichever came last.
// go-smtp does not tell the two apart; the tap does.
func TestReceivedWithFollowsTheGreeting(t *testing.T) {
	sim := newSim(t, Options{})
	bob, _ := sim.Store().LookupAddress("bob@example.org")
	for _, tc := range []struct {
		greetings []string
		with      string
	}{
		{[]string{"HELO client.example"}, " with SMTP id "},
		{[]string{"EHLO client.example"}, " with ESMTP id "},
		{[]string{"EHLO client.example", "HELO client.example"}, " with SMTP id "},
		{[]string{"helo client.example", "ehlo client.example"}, " with ESMTP id "},
	} {
		c := dial(t, sim, wire.RoleMX)
		c.smtpReply()
		for _, g := range tc.greetings {
			c.send(g)
			if r := c.smtpReply(); !strings.HasPrefix(r, "250") {
				t.Fatalf("%s: %q", g, r)
			}
		}
		for _, l := range []string{"MAIL FROM:<carol@elsewhere.test>", "RCPT TO:<bob@example.org>", "DATA"} {
			c.send(l)
			c.smtpReply()
		}
		c.send("Subject: greeting\r\n\r\nhello\r\n.")
		if r := c.smtpReply(); !strings.HasPrefix(r, "250") {
			t.Fatalf("end of data: %q", r)
		}
		msgs := bob.Inbox().Messages()
		if raw := string(msgs[len(msgs)-1].Body.Raw); !strings.Contains(raw, tc.with) {
			t.Errorf("after %q the Received header should say %q:\n%s", tc.greetings, tc.with, raw)
		}
	}
}

// An AUTH response that is not base64 is refused for good, 501 5.5.2 (RFC
// 4954 §4), not with go-smtp's temporary 454; a mechanism the server does
// not offer gets 504 5.5.4 (RFC 4954 §6). Checked after STARTTLS and inside
// implicit TLS, where the library reads the relay's decrypted side.
func TestAuthErrorsFollowRFC4954(t *testing.T) {
	sim := newSim(t, Options{})
	for _, role := range []wire.Role{wire.RoleSubmission, wire.RoleSubmissions} {
		c := dial(t, sim, role)
		c.expectSMTP("", "220")
		c.expectSMTP("EHLO laptop.local", "250")
		if !role.ImplicitTLS() {
			c.smtpSTARTTLS(sim, "laptop.local")
		}
		c.expectSMTP("AUTH PLAIN !!not-base64!!", "501 5.5.2")
		c.expectSMTP("AUTH LOGIN", "334")
		c.expectSMTP("%%%", "501 5.5.2")
		c.expectSMTP("AUTH CRAM-MD5", "504 5.5.4")
		// The session goes on: a correct login still works.
		c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
	}
}

// A line go-imap cannot read the head of (no tag, nothing after the tag,
// UID alone) gets a BAD that says what is missing, tagged when a tag could
// be read (RFC 9051 §7.1.5), and the session goes on; go-imap alone would
// hang up without a word. Checked before and after login, and inside TLS.
func TestIMAPMalformedHeadsAreRefusedAndTheSessionGoesOn(t *testing.T) {
	sim := newSim(t, Options{})
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS, wire.RoleIMAP + "/slow", wire.RoleIMAPS + "/slow"} {
		c := dial(t, sim, wire.Role(strings.TrimSuffix(string(role), "/slow")))
		// Lines that arrive a few bytes at a time are held until they
		// end, and answered exactly as whole ones.
		c.slow = strings.HasSuffix(string(role), "/slow")
		c.line() // greeting
		refusals := []struct{ line, want string }{
			{"", "* BAD [CLIENTBUG] Empty line"},
			{"NOOP", "* BAD [CLIENTBUG] Missing tag"},
			{"\"a1\" NOOP", "* BAD [CLIENTBUG] Missing tag"},
			{"a1", "* BAD [CLIENTBUG] Missing tag"},
			{"a2 UID", "a2 BAD [CLIENTBUG] UID needs a command"},
			{"a3  NOOP", "a3 BAD [CLIENTBUG] One space"},
		}
		check := func() {
			for _, r := range refusals {
				c.send(r.line)
				if got := c.line(); !strings.HasPrefix(got, r.want) {
					t.Errorf("%s: %q: got %q, want %q...", role, r.line, got, r.want)
				}
			}
		}
		check()
		c.imap("a4", "LOGIN alice wonderland")
		check()
		c.send(`LIST "" *`)
		if got := c.line(); !strings.HasPrefix(got, "LIST BAD [CLIENTBUG] No command after the tag LIST") {
			t.Errorf("%s: untagged LIST: got %q", role, got)
		}
		// An unterminated quoted string: go-imap would read the next
		// lines into it and never answer.
		c.send(`a6 SELECT "INBOX`)
		if got := c.line(); !strings.HasPrefix(got, "a6 BAD [CLIENTBUG] Unterminated quoted string") {
			t.Errorf("%s: unterminated quote: got %q", role, got)
		}
		// Still logged in, still in step.
		if out := c.imap("a5", "SELECT INBOX"); !strings.HasPrefix(out[len(out)-1], "a5 OK") {
			t.Errorf("%s: SELECT after the refusals: %q", role, out)
		}
	}
}

// STARTTLS takes no parameters (RFC 3207 §4). go-smtp would start TLS for
// any line beginning with those letters, and for "STARTTLSX" the relay would
// not know: the handshake would stall. They get 501 and 500, the replies
// stay in step, and a plain STARTTLS still works afterwards.
func TestSTARTTLSWithParametersIsRefused(t *testing.T) {
	eachPace(t, testSTARTTLSWithParametersIsRefused)
}

func testSTARTTLSWithParametersIsRefused(t *testing.T, slow bool) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := dial(t, sim, wire.RoleSubmission)
	c.slow = slow
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO me", "250")
	c.expectSMTP("STARTTLS now", "501 5.5.4")
	c.expectSMTP("STARTTLSX", "500 5.5.2")
	c.expectSMTP("NOOP", "250")
	c.expectSMTP("STARTTLS", "220")
	c.startTLS(sim)
	c.expectSMTP("EHLO me", "250")
	c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
	// The tap saw the refusal as the server's answer, and the handshake.
	rec.until(t, "the relay's 501", func(e wire.Event) bool {
		return e.Dir == wire.FromServer && strings.HasPrefix(string(e.Data), "501 5.5.4 Syntax error: STARTTLS")
	})
	rec.until(t, "the TLS handshake", func(e wire.Event) bool { return e.Kind == wire.TLS })
}

// A synchronising literal over go-imap's 4096-byte limit outside APPEND is
// refused at once with NO [TOOBIG], and the next command is answered
// (go-imap alone said nothing and swallowed the next line as the literal).
// A line the server cannot read at all gets a BYE before the hang-up, and
// a refusal never echoes control bytes back.
func TestIMAPBigLiteralsAndUnreadableLines(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.send("a1 LOGIN {99999999999}")
	if got := c.line(); !strings.HasPrefix(got, "a1 NO [TOOBIG]") {
		t.Fatalf("huge literal before login: %q", got)
	}
	c.imap("a2", "LOGIN alice wonderland")
	c.send("a3 SELECT {5000}")
	if got := c.line(); !strings.HasPrefix(got, "a3 NO [TOOBIG]") {
		t.Fatalf("big literal in SELECT: %q", got)
	}
	if out := c.imap("a4", "SELECT INBOX"); !strings.HasPrefix(out[len(out)-1], "a4 OK") {
		t.Fatalf("SELECT after the refusal: %q", out)
	}
	c.send("\x00\x1b[2J")
	if got := c.line(); !strings.HasPrefix(got, "* BAD") || strings.ContainsAny(got, "\x00\x1b") {
		t.Errorf("refusal of a control-character line: %q", got)
	}
	// 10 KB of garbage in one line: refused like any line without a tag
	// (go-imap alone gave up on the connection).
	c.send(strings.Repeat("x", 10000))
	if got := c.line(); !strings.HasPrefix(got, "* BAD [CLIENTBUG] Missing tag") {
		t.Errorf("10 KB of garbage: %q", got)
	}
	// A command that goes on after a literal with 2 MB more on its line:
	// go-imap has begun to read it, so it gets the rest, and gives up on
	// the connection; the client is told why before it closes.
	go c.conn.Write([]byte("a5 SELECT {5+}\r\nINBOX " + strings.Repeat("x", 2<<20) + "\r\n"))
	var last string
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			break
		}
		last = l
	}
	if !strings.HasPrefix(last, "* BYE") {
		t.Errorf("the last line before the hang-up is %q, want a BYE", last)
	}
}

// Every HELO/EHLO name is checked, not only the first (go-smtp asks the
// backend only once), and the Received header names the last one given.
func TestEveryGreetingNameIsChecked(t *testing.T) {
	eachPace(t, testEveryGreetingNameIsChecked)
}

func testEveryGreetingNameIsChecked(t *testing.T, slow bool) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleMX)
	c.slow = slow
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO first.example", "250")
	c.expectSMTP("EHLO bad\xc3(", "501 5.5.2")
	c.expectSMTP("HELO ctl\x01name", "501 5.5.2")
	c.expectSMTP("EHLO second.example", "250")
	c.expectSMTP("MAIL FROM:<carol@elsewhere.test>", "250")
	c.expectSMTP("RCPT TO:<alice@example.com>", "250")
	c.expectSMTP("DATA", "354")
	c.send("Subject: names\r\n\r\nhi\r\n.")
	c.expectSMTP("", "250")
	alice, _ := sim.Store().LookupAddress("alice@example.com")
	msgs := alice.Inbox().Messages()
	if raw := string(msgs[len(msgs)-1].Body.Raw); !strings.Contains(raw, "Received: from second.example ") {
		t.Errorf("Received should name the last EHLO:\n%s", raw)
	}
}

// Every mail domain accepts mail for postmaster (RFC 5321 §4.5.1), with a
// domain or, as "RCPT TO:<Postmaster>", without one (§4.1.1.3). In the
// simulated world the domain's first user reads it. The tap shows the line
// the client sent, even where the relay hands go-smtp a qualified one.
func TestPostmasterIsAlwaysAccepted(t *testing.T) {
	eachPace(t, testPostmasterIsAlwaysAccepted)
}

func testPostmasterIsAlwaysAccepted(t *testing.T, slow bool) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := dial(t, sim, wire.RoleMX)
	c.slow = slow
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO relay.example", "250")
	c.expectSMTP("MAIL FROM:<carol@elsewhere.test>", "250")
	c.expectSMTP("RCPT TO:<Postmaster>", "250")
	c.expectSMTP("RCPT TO:<POSTMASTER@example.org>", "250")
	c.expectSMTP("RCPT TO:<abuse@example.org>", "550 5.1.1")
	c.expectSMTP("DATA", "354")
	c.send("Subject: bounce trouble\r\n\r\nhello postmaster\r\n.")
	c.expectSMTP("", "250")
	for addr, who := range map[string]string{"alice@example.com": "Postmaster", "bob@example.org": "POSTMASTER"} {
		u, _ := sim.Store().LookupAddress(addr)
		msgs := u.Inbox().Messages()
		if raw := string(msgs[len(msgs)-1].Body.Raw); !strings.Contains(raw, "bounce trouble") {
			t.Errorf("%s, postmaster of its domain, did not get the message (%s):\n%s", addr, who, raw)
		}
	}
	rec.until(t, "the line as the client sent it", func(e wire.Event) bool {
		return e.Dir == wire.FromClient && string(e.Data) == "RCPT TO:<Postmaster>\r\n"
	})
}

// A rewritten line may not fit the library's read buffer: a pipelined
// flight of exactly 4096 bytes that ends with "RCPT TO:<postmaster>" grows
// when the relay qualifies it, and the rest must reach go-smtp with the
// next read, in order.
func TestRewrittenLineAtTheEndOfAFullRead(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleMX)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO relay.example", "250")
	c.expectSMTP("MAIL FROM:<carol@elsewhere.test>", "250")
	flight := strings.Repeat("NOOP\r\n", 679) + "RCPT TO:<postmaster>\r\n"
	if len(flight) != 4096 {
		t.Fatalf("flight of %d bytes", len(flight))
	}
	if _, err := c.conn.Write([]byte(flight)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 679; i++ {
		if r := c.smtpReply(); !strings.HasPrefix(r, "250") {
			t.Fatalf("NOOP %d: %q", i+1, r)
		}
	}
	if r := c.smtpReply(); !strings.HasPrefix(r, "250") {
		t.Fatalf("RCPT TO:<postmaster> after a full read: %q", r)
	}
	c.expectSMTP("NOOP", "250")
}

// A command line over the relay's limit (2000 octets for SMTP, 32 KB for
// IMAP) never reaches the library: the relay answers it when it ends, and
// the session goes on in step. go-smtp alone answered 500 5.4.0 and hung
// up; go-imap answered, then hung up at the next line.
func TestTooLongCommandLinesAreAnsweredAndTheSessionGoesOn(t *testing.T) {
	sim := newSim(t, Options{})
	send := func(c *client, line string) {
		go c.conn.Write([]byte(line + "\r\n")) // the reply may come before the last byte is read
	}
	for _, size := range []int{3000, 40000, 1 << 20} {
		c := dial(t, sim, wire.RoleMX)
		c.expectSMTP("", "220")
		c.expectSMTP("EHLO client.example", "250")
		send(c, "MAIL FROM:<"+strings.Repeat("a", size)+"@example.net>")
		c.expectSMTP("", "500 5.5.2 Line too long")
		c.expectSMTP("MAIL FROM:<carol@example.net>", "250")
		c.expectSMTP("RCPT TO:<alice@example.com>", "250")
		c.expectSMTP("QUIT", "221")

		// Inside TLS, where the relay carries the session.
		c = dial(t, sim, wire.RoleSubmissions)
		c.expectSMTP("", "220")
		c.expectSMTP("EHLO client.example", "250")
		send(c, "NOOP "+strings.Repeat("n", size))
		c.expectSMTP("", "500 5.5.2 Line too long")
		c.expectSMTP("NOOP", "250")

		for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
			i := dial(t, sim, role)
			testTooLongIMAPLine(t, i, size, send)
		}
	}
}

func testTooLongIMAPLine(t *testing.T, i *client, size int, send func(*client, string)) {
	t.Helper()
	i.line()
	i.imap("a1", "LOGIN alice wonderland")
	send(i, "a2 NOOP "+strings.Repeat("q", size))
	want := "a2 BAD [LIMIT] Command line too long"
	if size < 32*1024 {
		want = "a2 BAD" // go-imap's own answer: NOOP takes no arguments
	}
	if got := i.line(); !strings.HasPrefix(got, want) {
		t.Errorf("IMAP line of %d bytes: got %.100q, want %q", size, got, want)
	}
	if out := i.imap("a3", "NOOP"); out[len(out)-1] != "a3 OK NOOP completed" {
		t.Errorf("IMAP after a line of %d bytes: %.200q", size, out)
	}
}

// Text after an APPEND's message literal: go-imap stored the message and
// then said nothing, so the client waited forever. The command is
// malformed (RFC 9051 §6.3.12: the line ends right after the message), so
// it is refused and nothing is stored: the relay gathers the whole APPEND
// before go-imap sees any of it (simulator/imap/ext_append.go), so the
// session goes on.
func TestAppendWithTextAfterTheLiteralIsRefused(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.imap("a1", "LOGIN alice wonderland")
	alice, _ := sim.Store().LookupAddress("alice@example.com")
	before := len(alice.Inbox().Messages())
	c.send("a2 APPEND INBOX {18}")
	if got := c.line(); !strings.HasPrefix(got, "+") {
		t.Fatalf("APPEND's go-ahead: %q", got)
	}
	c.send("Subject: x\r\n\r\nhi\r\n junk after the literal")
	if got := c.line(); !strings.HasPrefix(got, "a2 BAD [CLIENTBUG]") {
		t.Fatalf("APPEND with text after the literal: %q", got)
	}
	if got := c.imap("a3", "NOOP"); got[len(got)-1] != "a3 OK NOOP completed" {
		t.Fatalf("after the refusal: %q", got)
	}
	if after := len(alice.Inbox().Messages()); after != before {
		t.Errorf("INBOX holds %d messages, want %d", after, before)
	}
}

// A quoted local part ("john doe"@...) comes to the SMTP session unquoted;
// written back as it came it would be two words. The Return-Path and the
// relay hop's MAIL FROM quote it again (RFC 5321 §4.1.2).
func TestQuotedLocalPartStaysOneAddress(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := dial(t, sim, wire.RoleSubmission)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO laptop.example", "250")
	c.smtpSTARTTLS(sim, "laptop.example")
	c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
	c.expectSMTP(`MAIL FROM:<"john doe"@example.com>`, "250")
	c.expectSMTP("RCPT TO:<bob@example.org>", "250")
	c.expectSMTP("DATA", "354")
	c.send("Subject: quoted\r\n\r\nhi\r\n.")
	c.expectSMTP("", "250")
	rec.until(t, "the relay hop's MAIL FROM, quoted", func(e wire.Event) bool {
		return e.Role == wire.RoleMX && e.Dir == wire.FromClient && strings.HasPrefix(string(e.Data), "MAIL FROM:<\"john doe\"@example.com>")
	})
	bob, _ := sim.Store().LookupAddress("bob@example.org")
	msgs := bob.Inbox().Messages()
	if raw := string(msgs[len(msgs)-1].Body.Raw); !strings.HasPrefix(raw, "Return-Path: <\"john doe\"@example.com>\r\n") {
		t.Errorf("bob's copy starts:\n%.200s", raw)
	}
}

// A SIZE too big for 32 bits is still a number (RFC 1870: up to 20
// digits), and the answer to a message that big is 552 5.3.4, not go-smtp's
// "501 Unable to parse SIZE as an integer"; a SIZE that is no number
// keeps its 501.
func TestHugeSizeIsTooBigNotUnparsable(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleMX)
	c.expectSMTP("", "220")
	c.expectSMTP("EHLO relay.example", "250")
	c.expectSMTP("MAIL FROM:<carol@elsewhere.test> SIZE=99999999999", "552 5.3.4")
	c.expectSMTP("MAIL FROM:<carol@elsewhere.test> SIZE=20000000", "552 5.3.4")
	c.expectSMTP("MAIL FROM:<carol@elsewhere.test> SIZE=12x", "501")
	c.expectSMTP("MAIL FROM:<carol@elsewhere.test> SIZE=1000", "250")
}

// IMAP keywords are case-insensitive, DONE too (RFC 2177 §3's ABNF);
// go-imap took only "DONE" and answered "done" with BAD.
func TestIdleEndsWithLowercaseDone(t *testing.T) {
	sim := newSim(t, Options{})
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c := dial(t, sim, role)
		c.line()
		c.imap("a1", "LOGIN alice wonderland")
		c.imap("a2", "SELECT INBOX")
		c.send("a3 IDLE")
		if got := c.line(); !strings.HasPrefix(got, "+") {
			t.Fatalf("%s: IDLE: %q", role, got)
		}
		c.send("done")
		if got := c.line(); got != "a3 OK IDLE completed" {
			t.Errorf("%s: done: %q", role, got)
		}
		c.send("a4 IDLE")
		c.line()
		c.send("DONE now")
		if got := c.line(); !strings.HasPrefix(got, "a4 BAD") {
			t.Errorf("%s: DONE with more after it: %q", role, got)
		}
	}
}

// An empty AUTHENTICATE challenge is "+ " (RFC 9051 §6.2.2: the empty base64
// string), not go-imap's "+ =", which is SASL-IR's sign for an empty
// initial response and no base64 at all; the exchange goes on from there.
func TestEmptySASLChallengeIsEmptyBase64(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c := dial(t, sim, role)
		c.line()
		c.send("a1 AUTHENTICATE PLAIN")
		if got, err := c.r.ReadString('\n'); err != nil || got != "+ \r\n" {
			t.Fatalf("%s: challenge %q (%v), want \"+ \\r\\n\"", role, got, err)
		}
		c.send(plainAuth("alice", "wonderland"))
		if got := c.line(); !strings.HasPrefix(got, "a1 OK") {
			t.Fatalf("%s: after the response: %q", role, got)
		}
	}
	rec.until(t, "the tap shows the amended challenge", func(e wire.Event) bool {
		return e.Dir == wire.FromServer && string(e.Data) == "+ \r\n"
	})
}

// The sample messages carry what the servers on the way would have added,
// as real mail does: Return-Path, then a Received per hop, newest first,
// in the simulator's own form.
func TestSeedMessagesCarryTheirTrace(t *testing.T) {
	sim := newSim(t, Options{})
	for _, addr := range []string{"alice@example.com", "bob@example.org"} {
		u, _ := sim.Store().LookupAddress(addr)
		for _, m := range u.Inbox().Messages() {
			raw := string(m.Body.Raw)
			if !strings.HasPrefix(raw, "Return-Path: <") || strings.Count(raw, "\r\nReceived: from ") != 2 {
				t.Errorf("%s, message %d:\n%.400s", addr, m.UID, raw)
			}
			if !strings.Contains(raw, "\tby mx."+addr[strings.IndexByte(addr, '@')+1:]+" with ESMTP id ") {
				t.Errorf("%s, message %d: no hop through its own MX:\n%.400s", addr, m.UID, raw)
			}
		}
	}
}

// go-imap calls an argument its parser cannot read (an unknown search key,
// a date that is no date, a mailbox name that is not modified UTF-7) an
// internal server error; the relay answers BAD, as RFC 9051 §7.1.5 says
// for a malformed command, and the session goes on.
func TestMalformedArgumentsAreBADNotServerBugs(t *testing.T) {
	sim := newSim(t, Options{})
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c := dial(t, sim, role)
		c.line()
		c.imap("a1", "LOGIN alice wonderland")
		c.imap("a2", "SELECT INBOX")
		for i, cmd := range []string{
			"SEARCH NOSUCH",
			"UID SEARCH BEFORE 32-Foo-2026",
			"SEARCH 0",
			"FETCH x FLAGS",
			`CREATE "&Jjo"`,
		} {
			tag := fmt.Sprintf("b%d", i)
			c.send(tag + " " + cmd)
			got := c.line()
			if !strings.HasPrefix(got, tag+" BAD [CLIENTBUG] ") || strings.Contains(got, "SERVERBUG") {
				t.Errorf("%s: %s: %q, want BAD [CLIENTBUG]", role, cmd, got)
			}
		}
		c.send("c1 APPEND INBOX \"31-Feb-2026 10:00:00 +0000\" {3}")
		if got := c.line(); strings.HasPrefix(got, "+") {
			c.send("x\r\n")
			if got = c.line(); !strings.HasPrefix(got, "c1 BAD [CLIENTBUG] ") {
				t.Errorf("%s: APPEND with 31 February: %q", role, got)
			}
		}
		c.imap("c2", "NOOP") // the session goes on
	}
}

// A client that sends a synchronising literal without waiting for "+" is
// served as Dovecot serves it: the literal is read, and the command after it
// is run, not mistaken for the literal's bytes and refused as a line without
// a tag.
func TestLiteralSentBeforeTheGoAhead(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.send("a1 LOGIN alice {10}\r\nwonderland")
	if got := c.line(); !strings.HasPrefix(got, "+") {
		t.Fatalf("LOGIN literal: %q", got)
	}
	if got := c.line(); !strings.HasPrefix(got, "a1 OK") {
		t.Fatalf("LOGIN: %q", got)
	}
	c.send("b1 SELECT {5}\r\nINBOX\r\nb2 LOGOUT")
	var lines []string
	for {
		l := c.line()
		lines = append(lines, l)
		if strings.HasPrefix(l, "b2 ") {
			break
		}
	}
	if !hasLine(lines, "b1 OK [READ-WRITE] SELECT completed") || !hasLine(lines, "b2 OK LOGOUT completed") {
		t.Fatalf("replies: %q", lines)
	}
}

func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// SEARCH RETURN (SAVE) alone saves the result for "$" and sends no ESEARCH
// (RFC 5182 §2.4); with other return options, ESEARCH carries those.
func TestSearchSaveOnlySendsNoESearch(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.imap("a1", "LOGIN alice wonderland")
	c.imap("a2", "SELECT INBOX")
	if got := c.imap("a3", "SEARCH RETURN (SAVE) ALL"); len(got) != 1 || got[0] != "a3 OK SEARCH completed" {
		t.Fatalf("SAVE alone: %q", got)
	}
	got := c.imap("a4", "UID SEARCH RETURN (SAVE COUNT) ALL")
	if len(got) != 2 || !strings.HasPrefix(got[0], `* ESEARCH (TAG "a4") UID COUNT `) {
		t.Fatalf("SAVE with COUNT: %q", got)
	}
	if got := c.imap("a5", "FETCH $ (UID)"); len(got) < 2 {
		t.Fatalf("FETCH $: %q", got)
	}
	c.imap("a6", "NOOP")
	rec.until(t, "the tap saw the session go on", func(e wire.Event) bool {
		if strings.HasPrefix(string(e.Data), `* ESEARCH (TAG "a3")`) {
			t.Errorf("the tap shows the left-out ESEARCH: %q", e.Data)
		}
		return strings.HasPrefix(string(e.Data), "a6 OK")
	})
}

// HELP gets help text (RFC 5321 §4.1.1.8; go-smtp answers 502), the
// enhanced code on every line (RFC 2034 §4), and the tap shows it as the
// lines it is, one event each.
func TestSMTPHelp(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := dial(t, sim, wire.RoleMX)
	c.line()
	c.send("HELP")
	var lines []string
	for {
		l := c.line()
		lines = append(lines, l)
		if len(l) < 4 || l[3] != '-' {
			break
		}
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "214-2.0.0 ") && !strings.HasPrefix(l, "214 2.0.0 ") {
			t.Fatalf("HELP: %q", lines)
		}
	}
	c.expectSMTP("NOOP", "250") // the session goes on
	n := 0
	rec.until(t, "the tap shows each help line", func(e wire.Event) bool {
		if e.Dir == wire.FromServer && strings.HasPrefix(string(e.Data), "214") {
			if strings.Count(string(e.Data), "\r\n") != 1 {
				t.Errorf("one event holds several lines: %q", e.Data)
			}
			n++
		}
		return n == len(lines)
	})
}

// ehloKeywords sends EHLO and returns the reply's lines.
func (c *client) ehloKeywords(name string) string {
	c.t.Helper()
	c.send("EHLO " + name)
	var lines []string
	for {
		l := c.line()
		lines = append(lines, l)
		if len(l) < 4 || l[3] != '-' {
			break
		}
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "250 ") {
		c.t.Fatalf("EHLO: %q", lines)
	}
	return strings.Join(lines, "\n")
}

// The world behaves like today's providers: through the simulator's relay,
// the plaintext submission listener lists no AUTH and refuses it until
// STARTTLS; the implicit-TLS one offers it at once; Options.PlainAuth brings
// back clear-text login.
func TestSubmissionOffersAuthOnlyAfterSTARTTLS(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RoleSubmission)
	c.expectSMTP("", "220")
	if ehlo := c.ehloKeywords("laptop.local"); strings.Contains(ehlo, "AUTH") || !strings.Contains(ehlo, "250-STARTTLS") {
		t.Errorf("before STARTTLS: want STARTTLS and no AUTH:\n%s", ehlo)
	}
	c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "530 5.7.0 Must issue a STARTTLS command first")
	c.expectSMTP("STARTTLS", "220")
	c.startTLS(sim)
	if ehlo := c.ehloKeywords("laptop.local"); !strings.Contains(ehlo, "AUTH PLAIN LOGIN") || strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("after STARTTLS: want AUTH and no STARTTLS:\n%s", ehlo)
	}
	c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")

	s := dial(t, sim, wire.RoleSubmissions)
	s.expectSMTP("", "220")
	if ehlo := s.ehloKeywords("laptop.local"); !strings.Contains(ehlo, "AUTH PLAIN LOGIN") {
		t.Errorf("implicit TLS: want AUTH at once:\n%s", ehlo)
	}
	s.expectSMTP("AUTH PLAIN "+plainAuth("bob", "builder"), "235")

	mx := dial(t, sim, wire.RoleMX)
	mx.expectSMTP("", "220")
	if ehlo := mx.ehloKeywords("relay.example"); strings.Contains(ehlo, "AUTH") {
		t.Errorf("the MX offers no AUTH:\n%s", ehlo)
	}

	old := newSim(t, Options{PlainAuth: true})
	p := dial(t, old, wire.RoleSubmission)
	p.expectSMTP("", "220")
	if ehlo := p.ehloKeywords("laptop.local"); !strings.Contains(ehlo, "AUTH PLAIN LOGIN") || !strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("PlainAuth: want AUTH and STARTTLS before TLS:\n%s", ehlo)
	}
	p.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
}
