package simulator

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Clients may send a command without waiting for the answer to the one
// before (RFC 9051 §5.5, RFC 2920, RFC 2449). These tests send pipelined
// commands in one write, as neomutt, Thunderbird and imapflow do, and check
// that every command is answered, that no secret reaches an event unmasked
// or a reply, and that no byte inside a literal runs as a command.

// tapLog subscribes to every event of a simulator, so a test can look at
// what the tap (and so serve, the transcript and the TUI) saw.
type tapLog struct {
	sub *wire.Subscription
}

func newTapLog(t *testing.T, sim *Simulator) *tapLog {
	sub := sim.Subscribe(wire.SubscribeOptions{Lossless: true})
	t.Cleanup(sub.Close)
	return &tapLog{sub: sub}
}

// shown returns every event seen until the simulator has been quiet for a
// moment, as it would be shown: secrets masked.
func (l *tapLog) shown() string {
	var b strings.Builder
	for {
		select {
		case e := <-l.sub.Events():
			fmt.Fprintf(&b, "%s %s %q\n", e.Dir, e.Kind, e.Masked())
		case <-time.After(300 * time.Millisecond):
			return b.String()
		}
	}
}

// write sends raw bytes in one write.
func (c *client) write(raw string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(raw)); err != nil {
		c.t.Fatal(err)
	}
}

// until reads lines up to and including the first that starts with prefix.
func (c *client) until(prefix string) []string {
	c.t.Helper()
	var out []string
	for {
		l := c.line()
		out = append(out, l)
		if strings.HasPrefix(l, prefix) {
			return out
		}
	}
}

func imapLoggedIn(t *testing.T, sim *Simulator) *client {
	return imapLoggedInOn(t, sim, wire.RoleIMAP)
}

func imapLoggedInOn(t *testing.T, sim *Simulator, role wire.Role) *client {
	c := dial(t, sim, role)
	c.line()
	c.send("L LOGIN alice wonderland")
	c.until("L OK")
	return c
}

func TestIMAPIdlePipelinedBehindStatus(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		c := imapLoggedInOn(t, sim, role)
		c.write("a1 SELECT INBOX\r\na2 STATUS INBOX (MESSAGES)\r\na3 IDLE\r\n")
		c.until("a1 OK")
		c.until("a2 OK")
		c.until("+ ")
		c.write("DONE\r\na4 NOOP\r\n")
		got := c.until("a4 ")
		if !strings.Contains(strings.Join(got, "\n"), "a3 OK") || !strings.HasPrefix(got[len(got)-1], "a4 OK") {
			t.Fatalf("after DONE: %q", got)
		}
	})
}

func TestIMAPDoneAndNextCommandInOneWrite(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		c := imapLoggedInOn(t, sim, role)
		c.imap("a1", "SELECT INBOX")
		c.send("a2 IDLE")
		c.until("+ ")
		c.write("DONE\r\na3 NOOP\r\n")
		c.until("a2 OK")
		c.until("a3 OK")
	})
}

func TestIMAPAuthenticatePipelinedBehindNoopKeepsTheSecret(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		log := newTapLog(t, sim)
		c := dial(t, sim, role)
		c.line()
		secret := plainAuth("alice", "wonderland")
		c.write("a1 NOOP\r\na2 AUTHENTICATE PLAIN\r\n")
		c.until("a1 OK")
		c.until("+")
		c.send(secret)
		got := c.until("a2 ")
		if !strings.HasPrefix(got[len(got)-1], "a2 OK") {
			t.Fatalf("AUTHENTICATE: %q", got)
		}
		c.imap("a3", "NOOP")
		if shown := log.shown(); strings.Contains(shown, secret) || strings.Contains(shown, "wonderland") {
			t.Fatalf("the credentials reached the tap unmasked:\n%s", shown)
		}
	})
}

func TestIMAPLoginLiteralPipelinedBehindNoopKeepsThePassword(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		log := newTapLog(t, sim)
		c := dial(t, sim, role)
		c.line()
		c.write("a1 NOOP\r\na2 LOGIN alice {10}\r\n")
		c.until("a1 OK")
		c.until("+")
		c.write("wonderland\r\n")
		got := c.until("a2 ")
		if !strings.HasPrefix(got[len(got)-1], "a2 OK") {
			t.Fatalf("LOGIN: %q", got)
		}
		if shown := log.shown(); strings.Contains(shown, "wonderland") {
			t.Fatalf("the password reached the tap unmasked:\n%s", shown)
		}
	})
}

func TestIMAPAppendPipelinedBehindNoopDoesNotRunTheMessage(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		c := imapLoggedInOn(t, sim, role)
		msg := "Subject: looks like a command\r\n\r\nx9 CREATE Injected\r\n"
		c.write(fmt.Sprintf("a1 NOOP\r\na2 APPEND INBOX {%d}\r\n", len(msg)))
		c.until("a1 OK")
		c.until("+")
		c.write(msg + "\r\n")
		got := c.until("a2 ")
		if !strings.HasPrefix(got[len(got)-1], "a2 OK") {
			t.Fatalf("APPEND: %q", got)
		}
		if list := strings.Join(c.imap("a3", `LIST "" *`), "\n"); strings.Contains(list, "Injected") {
			t.Fatalf("the message's line ran as a command:\n%s", list)
		}
	})
}

// inPlainAndTLS runs f on the plaintext role and on its implicit-TLS
// twin: the relay taps both, and only the second goes through its TLS pipe.
func inPlainAndTLS(t *testing.T, plain, tls wire.Role, f func(t *testing.T, role wire.Role)) {
	for _, role := range []wire.Role{plain, tls} {
		t.Run(string(role), func(t *testing.T) { f(t, role) })
	}
}

// injected is a command hidden inside a literal, padded to size.
func injected(size int) string {
	s := "x2 CREATE Injected\r\nx3 STORE 1:* +FLAGS (\\Deleted)\r\nx4 EXPUNGE\r\n"
	return s + strings.Repeat("z", size-len(s))
}

func TestIMAPRefusedNonSyncLiteralDoesNotRunItsBytes(t *testing.T) {
	for _, tc := range []struct {
		name, cmd string
		size      int
	}{
		{"over 4096 outside APPEND", "d SEARCH TEXT {%d+}", 5000},
		{"refused before the literal is read", "d SEARCH NOSUCHKEY {%d+}", 200},
		{"malformed head", "d  SEARCH TEXT {%d+}", 200},
		{"APPEND to a mailbox that does not exist", "d APPEND NoSuchBox {%d+}", 200},
	} {
		inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
			t.Logf("%s", tc.name)
			sim := newSim(t, Options{})
			c := imapLoggedInOn(t, sim, role)
			c.imap("s", "SELECT INBOX")
			c.write(fmt.Sprintf(tc.cmd, tc.size) + "\r\n" + injected(tc.size) + "\r\n")
			got := c.until("d ")
			if strings.HasPrefix(got[len(got)-1], "d OK") {
				t.Fatalf("the command was accepted: %q", got)
			}
			list := strings.Join(c.imap("a3", `LIST "" *`), "\n")
			if strings.Contains(list, "Injected") {
				t.Fatalf("the literal's bytes ran as commands:\n%s", list)
			}
			if !strings.Contains(list, "a3 OK") {
				t.Fatalf("the session did not go on: %q", list)
			}
			if st := strings.Join(c.imap("a4", "STATUS INBOX (MESSAGES)"), "\n"); !strings.Contains(st, "MESSAGES 3") {
				t.Fatalf("INBOX changed: %s", st)
			}
		})
	}
}

func TestIMAPAcceptedNonSyncLiteralStillWorks(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		c := imapLoggedInOn(t, sim, role)
		c.imap("s", "SELECT INBOX")
		msg := "Subject: non-sync\r\n\r\nhello\r\n"
		c.write(fmt.Sprintf("a1 SEARCH TEXT {5+}\r\nhello\r\na2 APPEND INBOX {%d+}\r\n%s\r\na3 NOOP\r\n", len(msg), msg))
		got := strings.Join(c.until("a3 "), "\n")
		for _, want := range []string{"a1 OK", "a2 OK", "a3 OK"} {
			if !strings.Contains(got, want) {
				t.Fatalf("missing %s in %q", want, got)
			}
		}
		if strings.Contains(got, "+ ") {
			t.Fatalf("a go-ahead the client did not ask for reached it: %q", got)
		}
	})
}

func TestIMAPTwoSpacesBeforeLoginDoNotEchoThePassword(t *testing.T) {
	sim := newSim(t, Options{})
	log := newTapLog(t, sim)
	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.send("q  LOGIN alice Sw0rdfish")
	got := c.line()
	if strings.Contains(got, "Sw0rdfish") {
		t.Fatalf("the refusal echoes the password: %q", got)
	}
	if shown := log.shown(); strings.Contains(shown, "Sw0rdfish") {
		t.Fatalf("the password reached the tap unmasked:\n%s", shown)
	}
}

var _ = bytes.Contains

// messages counts the messages in alice's INBOX, from a session of its own.
func inboxCount(t *testing.T, sim *Simulator) string {
	c := imapLoggedIn(t, sim)
	got := strings.Join(c.imap("n", "STATUS INBOX (MESSAGES)"), "\n")
	c.imap("z", "LOGOUT")
	return got
}

// TestIMAPAppendWithoutItsFinalCRLFIsNotStored: an APPEND must end with
// CRLF right after the message literal (RFC 9051 §6.3.12's grammar); a
// message followed by something else, or by a hang-up, is not stored.
func TestIMAPAppendWithoutItsFinalCRLFIsNotStored(t *testing.T) {
	msg := "Subject: half\r\n\r\nbody\r\n"
	for _, tc := range []struct{ name, after string }{
		{"junk after the literal", " junk\r\n"},
		{"hang-up after the literal", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newSim(t, Options{})
			before := inboxCount(t, sim)
			c := imapLoggedIn(t, sim)
			c.send(fmt.Sprintf("a APPEND INBOX {%d}", len(msg)))
			c.until("+")
			c.write(msg + tc.after)
			if tc.after != "" {
				if got := c.until("a "); !strings.HasPrefix(got[len(got)-1], "a BAD") {
					t.Fatalf("APPEND with junk after the message: %q", got)
				}
			}
			c.conn.Close()
			if after := inboxCount(t, sim); after != before {
				t.Fatalf("the message was stored: before %q, after %q", before, after)
			}
		})
	}
}

// TestIMAPPlusAsATagIsBAD: a tag may hold any ASTRING-CHAR but "+" (RFC
// 9051 §9); "+ NOOP" is refused, and the session goes on.
func TestIMAPPlusAsATagIsBAD(t *testing.T) {
	sim := newSim(t, Options{})
	c := imapLoggedIn(t, sim)
	for _, line := range []string{"+ NOOP", "a+b NOOP"} {
		c.send(line)
		if got := c.line(); !strings.HasPrefix(got, "* BAD [CLIENTBUG]") || !strings.Contains(got, `"+"`) {
			t.Fatalf("%q: %q", line, got)
		}
	}
	if got := c.imap("a1", "NOOP"); !strings.HasPrefix(got[len(got)-1], "a1 OK") {
		t.Fatalf("after: %q", got)
	}
}

// TestAnnotatedTwoSpacesLoginHidesThePassword: the annotation of a refused
// "q  LOGIN alice pw" line quotes the line back, masked.
func TestAnnotatedTwoSpacesLoginHidesThePassword(t *testing.T) {
	sim := newSim(t, Options{})
	sub := sim.Subscribe(wire.SubscribeOptions{Lossless: true})
	defer sub.Close()
	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.send("q  LOGIN alice Sw0rdfish")
	c.line()
	for {
		select {
		case e := <-sub.Events():
			if e.Dir == wire.FromClient {
				if m := string(e.Masked()); strings.Contains(m, "Sw0rdfish") {
					t.Fatalf("masked line still holds the password: %q", m)
				}
				return
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no client event")
		}
	}
}

// TestSMTPPipelinedGroups: MAIL, RCPT and DATA in one PIPELINING group
// (RFC 2920), the body in the next write, BDAT in a group, and AUTH LOGIN
// with an initial response, on submission after STARTTLS and over implicit
// TLS: every command answered in order, no secret on the tap.
func TestSMTPPipelinedGroups(t *testing.T) {
	for _, role := range []wire.Role{wire.RoleSubmission, wire.RoleSubmissions} {
		t.Run(string(role), func(t *testing.T) {
			sim := newSim(t, Options{})
			log := newTapLog(t, sim)
			c := dial(t, sim, role)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO client.example", "250")
			if role == wire.RoleSubmission {
				c.expectSMTP("STARTTLS", "220")
				c.startTLS(sim)
				c.expectSMTP("EHLO client.example", "250")
			}
			user := base64.StdEncoding.EncodeToString([]byte("alice"))
			pass := base64.StdEncoding.EncodeToString([]byte("wonderland"))
			c.expectSMTP("AUTH LOGIN "+user, "334")
			c.expectSMTP(pass, "235")
			c.write("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
			c.expectSMTP("", "250 2.1.0")
			c.expectSMTP("", "250 2.1.5")
			c.expectSMTP("", "354")
			c.write("Subject: pipelined\r\n\r\nRCPT TO:<evil@example.net>\r\n.\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nBDAT 10 LAST\r\nQUIT\r\nhi\r\nNOOP\r\nQUIT\r\n")
			for _, want := range []string{"250", "250 2.1.0", "250 2.1.5", "250", "250", "221"} {
				c.expectSMTP("", want)
			}
			shown := log.shown()
			for _, secret := range []string{pass, "wonderland"} {
				if strings.Contains(shown, secret) {
					t.Fatalf("%q reached the tap:\n%s", secret, shown)
				}
			}
		})
	}
}

// TestPOP3PipelinedSession: USER, PASS, STAT, RETR and QUIT in one write
// (RFC 2449 PIPELINING), plaintext and over implicit TLS.
func TestPOP3PipelinedSession(t *testing.T) {
	inPlainAndTLS(t, wire.RolePOP3, wire.RolePOP3S, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		log := newTapLog(t, sim)
		c := dial(t, sim, role)
		c.line()
		c.write("USER alice\r\nPASS wonderland\r\nSTAT\r\nRETR 1\r\nQUIT\r\n")
		for _, want := range []string{"+OK", "+OK", "+OK 3 "} {
			if got := c.line(); !strings.HasPrefix(got, want) {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
		if got := c.line(); !strings.HasPrefix(got, "+OK") {
			t.Fatalf("RETR: %q", got)
		}
		for c.line() != "." {
		}
		if got := c.line(); !strings.HasPrefix(got, "+OK") {
			t.Fatalf("QUIT: %q", got)
		}
		if shown := log.shown(); strings.Contains(shown, "wonderland") {
			t.Fatalf("the password reached the tap:\n%s", shown)
		}
	})
}

// TestIMAPDoneWithoutIdleIsExplained: DONE when no IDLE runs (a tagged
// "p5 DONE" already ended it) is not told to get a tag: DONE takes none.
func TestIMAPDoneWithoutIdleIsExplained(t *testing.T) {
	sim := newSim(t, Options{})
	c := imapLoggedIn(t, sim)
	c.send("DONE")
	got := c.line()
	if !strings.HasPrefix(got, "* BAD [CLIENTBUG] DONE only ends an IDLE") || strings.Contains(got, "e.g. a1 DONE") {
		t.Fatalf("DONE without IDLE: %q", got)
	}
	if out := c.imap("a1", "NOOP"); !strings.HasPrefix(out[len(out)-1], "a1 OK") {
		t.Fatalf("after: %q", out)
	}
}
