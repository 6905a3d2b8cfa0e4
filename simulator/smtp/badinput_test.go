package smtp

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// A 1 MB command line: go-smtp stops reading at MaxLineLength, answers
// 500 5.4.0 and hangs up. The client may see the reply or, when the kernel
// resets the connection because unread bytes were left, only the end of the
// connection; either way the server goes on serving others.
func TestOneMegabyteLine(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")

	writeDone := make(chan error, 1)
	go func() {
		_, err := conn.conn.Write([]byte("MAIL FROM:<" + strings.Repeat("a", 1<<20) + "@example.net>\r\n"))
		writeDone <- err
	}()
	lines, err := conn.reply()
	if err == nil {
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "500 5.4.0") {
			t.Fatalf("want 500 5.4.0, got %q", lines)
		}
		// And then the server closes the connection.
		if _, err := conn.r.ReadByte(); err == nil {
			t.Fatalf("connection still open after the too-long line")
		}
	} else {
		t.Logf("no reply, the connection ended: %v", err)
	}
	conn.conn.Close()
	<-writeDone

	other := dial(t, r.addr)
	other.cmd("EHLO client.example", "250")
	other.sendMail("carol@example.net", []string{"bob@example.org"}, testBody)
}

// A line over the limit inside DATA: the message is refused, nothing is
// stored, and the session ends cleanly.
func TestLongLineInData(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	go conn.conn.Write([]byte("Subject: long\r\n\r\n" + strings.Repeat("x", 5000) + "\r\n.\r\n"))
	if lines, err := conn.reply(); err == nil && !strings.HasPrefix(lines[0], "500 5.5.2 Line too long") {
		t.Errorf("want 500 5.5.2 Line too long, got %q", lines)
	}
	r.srv.Close() // waits for the transaction to end
	if n := len(inbox(t, st, "bob@example.org")); n != 0 {
		t.Errorf("%d messages stored, want 0", n)
	}
}

func TestInvalidUTF8(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))

	helo := dial(t, r.addr)
	helo.cmd("EHLO bad\xffname", "501 5.5.2")
	helo.cmd("EHLO good.example", "250") // the session is still usable

	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<\xff\xfe@example.net> SMTPUTF8", "553 5.1.7")
	conn.cmd("MAIL FROM:<carol@example.net> SMTPUTF8", "250")
	conn.cmd("RCPT TO:<b\xffob@example.org>", "553 5.1.3")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: \xff\xfe raw bytes\r\n\r\nLatin-1 caf\xe9\r\n.") // 8-bit bodies are stored as they are
	conn.expect("250")
	if msgs := inbox(t, st, "bob@example.org"); len(msgs) != 1 || !strings.Contains(msgs[0], "caf\xe9") {
		t.Errorf("8-bit body should be stored unchanged: %q", msgs)
	}
}

func TestNonASCIIAddressNeedsSMTPUTF8(t *testing.T) {
	st := newStore(t)
	if _, err := st.AddUser("jöran@example.com", "pw"); err != nil {
		t.Fatal(err)
	}
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<zoë@example.net>", "553 5.6.7")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<jöran@example.com>", "553 5.6.7")
	conn.cmd("RSET", "250")
	conn.cmd("MAIL FROM:<zoë@example.net> SMTPUTF8", "250")
	conn.cmd("RCPT TO:<jöran@example.com>", "250")
}

// The client vanishes half-way through DATA: nothing is delivered, not
// even part of the message, and the server keeps serving.
func TestDropMidData(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: half\r\n\r\nthe first half")
	conn.conn.Close()

	other := dial(t, r.addr)
	other.cmd("EHLO client.example", "250")
	other.sendMail("carol@example.net", []string{"alice@example.com"}, testBody)

	r.srv.Close() // returns once every transaction has ended
	if n := len(inbox(t, st, "bob@example.org")); n != 0 {
		t.Errorf("%d messages stored for bob after a drop mid-DATA, want 0", n)
	}
	if n := len(inbox(t, st, "alice@example.com")); n != 1 {
		t.Errorf("the other session's message was not stored")
	}
}

// The same with CHUNKING: the client sends one BDAT chunk and vanishes
// before BDAT LAST.
func TestDropMidBDAT(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	chunk := "Subject: chunk\r\n\r\npart one\r\n"
	conn.send(fmt.Sprintf("BDAT %d", len(chunk)))
	conn.conn.Write([]byte(chunk))
	conn.expect("250 2.0.0 Continue")
	conn.conn.Close()

	r.srv.Close()
	if n := len(inbox(t, st, "bob@example.org")); n != 0 {
		t.Errorf("%d messages stored after a drop mid-BDAT, want 0", n)
	}
}

func TestBDATDelivers(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	one, two := "Subject: chunks\r\n\r\n", "two chunks\r\n.not a terminator\r\n"
	conn.send(fmt.Sprintf("BDAT %d", len(one)))
	conn.conn.Write([]byte(one))
	conn.expect("250 2.0.0 Continue")
	conn.send(fmt.Sprintf("BDAT %d LAST", len(two)))
	conn.conn.Write([]byte(two))
	conn.expect("250 2.0.0 OK: queued as")
	if msgs := inbox(t, st, "bob@example.org"); len(msgs) != 1 || !strings.HasSuffix(msgs[0], one+two) {
		t.Errorf("BDAT message: %q", msgs)
	}
}

// Commands out of order get go-smtp's sequence errors (502 5.5.1; the
// simulator's relay turns them into the RFC's 503) and the session goes on.
func TestOutOfSequence(t *testing.T) {
	r := start(t, mxOptions(newStore(t), nil))
	conn := dial(t, r.addr)
	conn.cmd("MAIL FROM:<carol@example.net>", "502 5.5.1 Please introduce yourself first.")
	conn.cmd("EHLO client.example", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "502 5.5.1 Missing MAIL FROM command.")
	conn.cmd("DATA", "502 5.5.1 Missing RCPT TO command.")
	conn.cmd("NOOP", "250")
}

// A second MAIL inside a transaction is refused (RFC 5321 §4.1.4), and the
// transaction it interrupted goes on as it was: its sender and recipient
// get the message. (go-smtp alone would take the new sender and keep the
// old recipients.) After the message, or RSET, MAIL is fine again.
func TestNestedMailIsRefused(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("MAIL FROM:<mallory@example.net>", "503 5.5.1 Error: nested MAIL command")
	conn.cmd("DATA", "354")
	conn.send("Subject: nested\r\n\r\nbody\r\n.")
	conn.expect("250")
	msgs := inbox(t, st, "bob@example.org")
	if len(msgs) != 1 || !strings.Contains(msgs[0], "Return-Path: <carol@example.net>") {
		t.Fatalf("delivered: %q", msgs)
	}
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RSET", "250")
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
}

func TestHundredConcurrentConnections(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- sendOne(r.addr, fmt.Sprintf("Subject: %d\r\n\r\nmessage %d\r\n", i, i))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := len(inbox(t, st, "bob@example.org")); got != n {
		t.Errorf("bob has %d messages, want %d", got, n)
	}
}

// sendOne delivers one message on a fresh connection without testing.T
// (it runs in other goroutines).
func sendOne(addr, body string) error {
	c, err := rawDial(addr)
	if err != nil {
		return err
	}
	defer c.conn.Close()
	for _, s := range []struct{ line, want string }{
		{"EHLO client.example", "250"},
		{"MAIL FROM:<carol@example.net>", "250"},
		{"RCPT TO:<bob@example.org>", "250"},
		{"DATA", "354"},
		{strings.TrimSuffix(body, "\r\n") + "\r\n.", "250"},
		{"QUIT", "221"},
	} {
		if err := c.step(s.line, s.want); err != nil {
			return err
		}
	}
	return nil
}
