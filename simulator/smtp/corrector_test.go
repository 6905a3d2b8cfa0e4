package smtp

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// The corrections to go-smtp, run without the tap: raw lines in (cut by
// the SMTP model, as the tap gives them), corrected lines out.

// clientPieces cuts client bytes into the model's pieces, after a greeting
// and an EHLO exchange so that the model is in its usual state.
func clientPieces(t *testing.T, raw string) []wire.Piece {
	t.Helper()
	sp := wire.NewSplitter(wire.SMTP)
	sp.Server([]byte("220 mail.example.com ESMTP\r\n"), func(wire.Piece) {})
	var out []wire.Piece
	sp.Client([]byte(raw), func(p wire.Piece) {
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	})
	return out
}

func testCorrector() *Corrector {
	return &Corrector{domains: func() []string { return []string{"example.com", "example.org"} }, maxSize: 10 << 20}
}

func TestCorrectorCommands(t *testing.T) {
	cases := []struct {
		line, reply, forward string // forward "": the line goes on as it came
	}{
		{"HELP\r\n", smtpHelp, ""},
		{"STARTTLS now\r\n", "501 5.5.4 Syntax error: STARTTLS takes no parameters (RFC 3207 §4)\r\n", ""},
		{"STARTTLSX\r\n", "500 5.5.2 Syntax error, command unrecognized\r\n", ""},
		{"RSET everything\r\n", "501 5.5.4 Syntax error: RSET takes no parameters (RFC 5321 §4.1.1)\r\n", ""},
		{"VRFY\r\n", "501 5.5.4 Syntax error: VRFY needs a user name or mailbox, e.g. VRFY alice (RFC 5321 §4.1.1.6)\r\n", ""},
		{"EHLO bad\x01name\r\n", HelloRefusal("bad\x01name"), ""},
		{"VRFY alice\r\n", "", ""},
		{"STARTTLS\r\n", "", ""},
		{"RCPT TO:<Postmaster>\r\n", "", "RCPT TO:<Postmaster@example.com>\r\n"},
		{"RCPT TO:<postmaster> NOTIFY=NEVER\r\n", "", "RCPT TO:<postmaster@example.com> NOTIFY=NEVER\r\n"},
		{"RCPT TO:<bob@example.org>\r\n", "", ""},
		{"MAIL FROM:<a@b.c> SIZE=99999999999\r\n", "", "MAIL FROM:<a@b.c> SIZE=4294967295\r\n"},
		{"MAIL FROM:<a@b.c> SIZE=4000000000\r\n", "", ""},
		{"MAIL FROM:<a@b.c> SIZE=12x\r\n", "", ""},
	}
	for _, c := range cases {
		ps := clientPieces(t, c.line)
		if len(ps) != 1 {
			t.Fatalf("%q: %d pieces", c.line, len(ps))
		}
		reply, hangUp, line := testCorrector().Command(ps[0])
		if reply != c.reply || hangUp {
			t.Errorf("%q: reply %q (hang up %v), want %q", c.line, reply, hangUp, c.reply)
		}
		if string(line) != c.forward {
			t.Errorf("%q: go-smtp gets %q, want %q", c.line, line, c.forward)
		}
	}
}

// The greeting go-smtp does not remember: HELO, then EHLO.
func TestCorrectorRemembersTheGreeting(t *testing.T) {
	c := testCorrector()
	for _, step := range []struct {
		line string
		helo bool
	}{{"HELO client.example\r\n", true}, {"NOOP\r\n", true}, {"EHLO client.example\r\n", false}, {"HELO \x01\r\n", false}} {
		c.Command(clientPieces(t, step.line)[0])
		if c.SaidHELO() != step.helo {
			t.Errorf("after %q: SaidHELO %v", step.line, c.SaidHELO())
		}
	}
}

func TestCorrectorReplies(t *testing.T) {
	cases := map[string]string{
		"502 5.5.1 Missing MAIL FROM command.\r\n":                 "503 5.5.1 Missing MAIL FROM command.\r\n",
		"502 5.5.1 Please introduce yourself first.\r\n":           "503 5.5.1 Please introduce yourself first.\r\n",
		"502 5.5.1 Unknown command.\r\n":                           "", // a genuine "not implemented" stays 502
		"454 4.7.0 Invalid base64 data\r\n":                        "501 5.5.2 Invalid base64 data: an AUTH response must be base64 (RFC 4954 §4)\r\n",
		"501 5.5.2 Bad command\r\n":                                "500 5.5.2 Syntax error, command unrecognized\r\n",
		"500 5.5.4 Unknown RCPT TO argument\r\n":                   "555 5.5.4 Unknown RCPT TO parameter: only those of the extensions listed by EHLO are allowed\r\n",
		"504 5.5.4 MT-PRIORITY is not implemented\r\n":             "555 5.5.4 MT-PRIORITY is not supported: this server's EHLO reply does not offer its extension\r\n",
		"250 2.0.0 Roger, accepting mail from <a@b.c>\r\n":         "250 2.1.0 Roger, accepting mail from <a@b.c>\r\n",
		"250 2.0.0 I'll make sure <bob@example.org> gets this\r\n": "250 2.1.5 I'll make sure <bob@example.org> gets this\r\n",
		"250 2.0.0 OK: queued as 1\r\n":                            "",
		"354 Go ahead. End your data with <CR><LF>.<CR><LF>\r\n":   "",
	}
	c := testCorrector()
	for in, want := range cases {
		got, _ := c.Reply(wire.Piece{Dir: wire.FromServer, Kind: wire.Line, Data: []byte(in)})
		if string(got) != want {
			t.Errorf("%q: the client gets %q, want %q", in, got, want)
		}
	}
}

// The body the tap read reaches the session once, and a new body's start
// forgets one that was never taken.
func TestCorrectorHandsTheBodyOver(t *testing.T) {
	c := testCorrector()
	if _, ok := c.heldBody(); ok {
		t.Fatal("a body before any was taken")
	}
	c.TakeBody(nil)
	c.TakeBody([]byte("Subject: hi\r\n\r\nHello\r\n"))
	if body, ok := c.heldBody(); !ok || string(body) != "Subject: hi\r\n\r\nHello\r\n" {
		t.Fatalf("held body %q, %v", body, ok)
	}
	if _, ok := c.heldBody(); ok {
		t.Fatal("the body was handed over twice")
	}
	c.TakeBody([]byte("left over\r\n"))
	c.TakeBody(nil) // the next body starts; go-smtp reads it itself
	if _, ok := c.heldBody(); ok {
		t.Fatal("a left-over body survived the start of the next")
	}
	if line, size := c.BodyLimits(); line != MaxLineLength || size != bodyHoldMax {
		t.Fatalf("limits %d, %d", line, size)
	}
}

// oneConn is a listener that hands out one connection, as the tap's pipe
// listener does.
type oneConn struct {
	conns chan net.Conn
	done  chan struct{}
}

func (l *oneConn) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *oneConn) Close() error   { return nil }
func (l *oneConn) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 25} }

// The session finds the Corrector handed over with its connection: the
// body the tap read (here: the test, in the tap's place) is what is
// delivered, although go-smtp read an empty message, and the HELO the
// Corrector saw names the protocol in the Received header.
func TestSessionTakesTheHeldBodyFromItsCorrector(t *testing.T) {
	st := newStore(t)
	srv := New(Options{Store: st, Role: wire.RoleMX, Hostname: "mx.example.org", Now: func() time.Time { return testNow }})
	l := &oneConn{conns: make(chan net.Conn, 1), done: make(chan struct{})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		close(l.done)
		srv.Close()
		<-served
	})
	lib, cli := net.Pipe()
	defer cli.Close()
	corr := srv.Corrector(lib)
	l.conns <- lib
	cli.SetDeadline(time.Now().Add(10 * time.Second))
	c := &client{t: t, conn: cli, r: bufio.NewReader(cli)}
	c.expect("220")
	corr.Command(clientPieces(t, "HELO client.example\r\n")[0]) // what the tap does with the line
	c.cmd("HELO client.example", "250")
	c.cmd("MAIL FROM:<a@example.net>", "250")
	c.cmd("RCPT TO:<bob@example.org>", "250")
	c.cmd("DATA", "354")
	corr.TakeBody(nil)
	corr.TakeBody([]byte("Subject: held\r\n\r\nread by the tap\r\n"))
	c.cmd(".", "250") // go-smtp reads an empty message
	msgs := inbox(t, st, "bob@example.org")
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	if !strings.HasSuffix(msgs[0], "\r\nSubject: held\r\n\r\nread by the tap\r\n") || !strings.Contains(msgs[0], "with SMTP") {
		t.Fatalf("stored %q", msgs[0])
	}
}
