package simulator

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// MULTIAPPEND (RFC 3502) through the relay, with raw lines: go-imap's
// client sends one message per APPEND, and go-imap's server reads one.

// testMessage is a small message with the subject given.
func testMessage(subject string) string {
	return "From: alice@example.com\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n"
}

// aliceInbox is alice's INBOX in the simulator's store.
func aliceInbox(t *testing.T, sim *Simulator) *store.Mailbox {
	t.Helper()
	alice, ok := sim.Store().LookupAddress("alice@example.com")
	if !ok {
		t.Fatal("no alice")
	}
	return alice.Inbox()
}

var appendUIDRe = regexp.MustCompile(`^(\S+) OK \[APPENDUID (\d+) (\S+)\] APPEND completed$`)

// Three messages in one APPEND, each with its own flags and date, the
// first two with synchronising literals (each waits for its "+"), the last
// non-synchronising: one tagged OK with APPENDUID and the UIDs of all
// three as a set (RFC 4315 §3), the mailbox's new EXISTS before it (the
// mailbox is selected), and every message stored with its flags and
// date. The capability list offers MULTIAPPEND once logged in.
func TestIMAPMultiappendStoresEveryMessageWithItsFlagsAndDate(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		inbox := aliceInbox(t, sim)
		before := len(inbox.Messages())
		c := imapLoggedInOn(t, sim, role)
		if caps := c.imap("c", "CAPABILITY"); !strings.Contains(" "+caps[0]+" ", " MULTIAPPEND ") {
			t.Fatalf("CAPABILITY: %q", caps)
		}
		c.imap("s", "SELECT INBOX")
		m1, m2, m3 := testMessage("one"), testMessage("two"), testMessage("three")
		c.send(fmt.Sprintf(`m APPEND INBOX (\Seen) "05-Feb-2026 10:11:12 +0100" {%d}`, len(m1)))
		if got := c.line(); !strings.HasPrefix(got, "+") {
			t.Fatalf("first go-ahead: %q", got)
		}
		c.send(fmt.Sprintf(`%s ($Work \Flagged) {%d}`, m1, len(m2)))
		if got := c.line(); !strings.HasPrefix(got, "+") {
			t.Fatalf("second go-ahead: %q", got)
		}
		c.send(fmt.Sprintf(`%s "06-Feb-2026 08:00:00 +0000" {%d+}`+"\r\n%s", m2, len(m3), m3))
		got := c.until("m ")
		// The store announces each message as it lands: an EXISTS each
		// (and the FLAGS that lists the new keyword), the last with the
		// final count, before the tagged OK.
		want := fmt.Sprintf("* %d EXISTS", before+3)
		if !strings.Contains(strings.Join(got, "\n"), want+"\n") {
			t.Fatalf("answer %q, want %q before the tagged OK", got, want)
		}
		match := appendUIDRe.FindStringSubmatch(got[len(got)-1])
		if match == nil || match[2] != fmt.Sprint(inbox.UIDValidity()) {
			t.Fatalf("tagged reply %q, want OK [APPENDUID %d ...]", got[len(got)-1], inbox.UIDValidity())
		}
		msgs := inbox.Messages()
		if len(msgs) != before+3 {
			t.Fatalf("INBOX holds %d messages, want %d", len(msgs), before+3)
		}
		added := msgs[before:]
		if set := fmt.Sprintf("%d:%d", added[0].UID, added[2].UID); match[3] != set {
			t.Errorf("APPENDUID set %s, want %s", match[3], set)
		}
		for i, w := range []struct {
			subject, flags, date string
		}{
			{"one", `\Seen`, "2026-02-05 10:11:12 +0100"},
			{"two", `$Work \Flagged`, ""},
			{"three", "", "2026-02-06 08:00:00 +0000"},
		} {
			m := added[i]
			if !strings.Contains(string(m.Body.Raw), "Subject: "+w.subject+"\r\n") {
				t.Errorf("message %d: %q", i+1, m.Body.Raw)
			}
			if got := strings.Join(m.Flags, " "); !sameWords(got, w.flags) {
				t.Errorf("message %d flags %q, want %q", i+1, got, w.flags)
			}
			if w.date != "" && m.InternalDate.Format("2006-01-02 15:04:05 -0700") != w.date {
				t.Errorf("message %d date %s, want %s", i+1, m.InternalDate, w.date)
			}
		}
		// The session goes on, and a single APPEND is go-imap's as before.
		c.send(fmt.Sprintf("a APPEND INBOX {%d+}\r\n%s", len(m1), m1))
		if got := c.until("a "); !strings.HasPrefix(got[len(got)-1], "a OK [APPENDUID ") || got[0] != fmt.Sprintf("* %d EXISTS", before+4) {
			t.Fatalf("single APPEND after: %q", got)
		}
	})
}

// sameWords reports whether two space-separated lists hold the same words.
func sameWords(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) != len(y) {
		return false
	}
	for _, w := range x {
		if !strings.Contains(" "+b+" ", " "+w+" ") {
			return false
		}
	}
	return true
}

// All or none (RFC 3502 §6.3.11): when one message cannot be stored, none
// is. Each refusal is the one a single APPEND would get: OVERQUOTA when
// the messages together do not fit (RFC 9208 §4.3), TRYCREATE for a
// mailbox that does not exist, BAD for a made-up system flag or a date
// that is no date in the second message; the session goes on after each.
func TestIMAPMultiappendStoresNothingWhenOneMessageFails(t *testing.T) {
	probe := newSim(t, Options{})
	alice, _ := probe.Store().LookupAddress("alice@example.com")
	used := alice.Quota().Used
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		msg := testMessage("half of the room") + strings.Repeat("x", 300) + "\r\n"
		// Room for one message, not two.
		sim := newSim(t, Options{MailboxQuotaBytes: used + int64(len(msg)) + 10})
		inbox := aliceInbox(t, sim)
		before := len(inbox.Messages())
		c := imapLoggedInOn(t, sim, role)
		for _, tc := range []struct{ name, cmd, want string }{
			{"over quota together", fmt.Sprintf("q APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s", len(msg), msg, len(msg), msg), "q NO [OVERQUOTA]"},
			{"no such mailbox", fmt.Sprintf("n APPEND Nowhere {2+}\r\nhi {2+}\r\nho"), "n NO [TRYCREATE]"},
			{"made-up system flag", fmt.Sprintf("f APPEND INBOX {2+}\r\nhi (\\Important) {2+}\r\nho"), "f BAD [CLIENTBUG] Unknown system flag"},
			{"no date", fmt.Sprintf("d APPEND INBOX {2+}\r\nhi \"31-Feb-2026 10:00:00 +0000\" {2+}\r\nho"), "d BAD [CLIENTBUG] Syntax error: a date-time"},
			{"junk after the second message", fmt.Sprintf("j APPEND INBOX {2+}\r\nhi {2+}\r\nho junk"), "j BAD [CLIENTBUG]"},
		} {
			c.write(tc.cmd + "\r\n")
			tag := strings.Fields(tc.want)[0]
			if got := c.until(tag + " "); !strings.HasPrefix(got[len(got)-1], tc.want) {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
			if n := len(inbox.Messages()); n != before {
				t.Fatalf("%s: INBOX holds %d messages, want %d", tc.name, n, before)
			}
		}
		// One message fits, and the session is still there.
		c.write(fmt.Sprintf("o APPEND INBOX {%d+}\r\n%s\r\n", len(msg), msg))
		if got := c.until("o "); !strings.HasPrefix(got[len(got)-1], "o OK [APPENDUID") {
			t.Fatalf("one message: %q", got)
		}
	})
}

// Pipelined in one write, non-synchronising literals (RFC 7888): a NOOP,
// a MULTIAPPEND, a single APPEND, another MULTIAPPEND and a NOOP are
// answered in order, each by its own tagged reply.
func TestIMAPMultiappendPipelinedAnswersInOrder(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		inbox := aliceInbox(t, sim)
		before := len(inbox.Messages())
		c := imapLoggedInOn(t, sim, role)
		a, b := testMessage("a"), testMessage("b")
		lit := func(m string) string { return fmt.Sprintf("{%d+}\r\n%s", len(m), m) }
		c.write("p1 NOOP\r\n" +
			"p2 APPEND INBOX " + lit(a) + " " + lit(b) + "\r\n" +
			"p3 APPEND INBOX " + lit(a) + "\r\n" +
			"p4 APPEND Archive (\\Seen) " + lit(a) + " (\\Seen) " + lit(b) + " " + lit(a) + "\r\n" +
			"p5 NOOP\r\n")
		var tagged []string
		for len(tagged) < 5 {
			if l := c.line(); strings.HasPrefix(l, "p") {
				tagged = append(tagged, l)
			}
		}
		for i, want := range []string{"p1 OK NOOP", "p2 OK [APPENDUID", "p3 OK [APPENDUID", "p4 OK [APPENDUID", "p5 OK NOOP"} {
			if !strings.HasPrefix(tagged[i], want) {
				t.Errorf("reply %d: %q, want %q", i+1, tagged[i], want)
			}
		}
		if n := len(inbox.Messages()); n != before+3 {
			t.Errorf("INBOX holds %d messages, want %d", n, before+3)
		}
		alice, _ := sim.Store().LookupAddress("alice@example.com")
		archive, err := alice.Mailbox("Archive")
		if err != nil || len(archive.Messages()) != 3 {
			t.Fatalf("Archive: %v", err)
		}
	})
}

// A connection cut in the middle of a MULTIAPPEND, in the first message
// or in a later one, stores nothing, and the server keeps serving.
func TestIMAPMultiappendCutMidLiteralStoresNothing(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		inbox := aliceInbox(t, sim)
		before := len(inbox.Messages())
		m := testMessage("cut")
		for _, cut := range []string{
			fmt.Sprintf("x APPEND INBOX {%d+}\r\n%s", len(m), m[:10]),
			fmt.Sprintf("x APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s", len(m), m, len(m), m[:10]),
			fmt.Sprintf("x APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s", len(m), m, len(m), m),
		} {
			c := imapLoggedInOn(t, sim, role)
			c.write(cut)
			c.conn.Close()
			// The server still serves: a new session sees no new message.
			d := imapLoggedInOn(t, sim, role)
			status := strings.Join(d.imap("n", "STATUS INBOX (MESSAGES)"), "\n")
			if want := fmt.Sprintf("(MESSAGES %d)", before); !strings.Contains(status, want) {
				t.Fatalf("after a cut %q: %q, want %s", cut, status, want)
			}
			d.imap("z", "LOGOUT")
		}
		if n := len(inbox.Messages()); n != before {
			t.Errorf("INBOX holds %d messages, want %d", n, before)
		}
	})
}

// The bytes of a message never run as commands, whatever happens to the
// APPEND: messages whose lines read like commands, in a MULTIAPPEND that
// is refused (junk after the last message, or a message too big, refused
// at its synchronising literal with NO [TOOBIG] instead of "+"), create
// nothing, and the next command is answered.
func TestIMAPMultiappendMessageBytesNeverRunAsCommands(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		c := imapLoggedInOn(t, sim, role)
		evil := "e1 CREATE Pwned1\r\n"
		c.write(fmt.Sprintf("j APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s junk\r\n", len(evil), evil, len(evil), evil))
		if got := c.until("j "); !strings.HasPrefix(got[len(got)-1], "j BAD [CLIENTBUG]") {
			t.Fatalf("junk after the messages: %q", got)
		}
		c.send(fmt.Sprintf("t APPEND INBOX {%d}", len(evil)))
		if got := c.line(); !strings.HasPrefix(got, "+") {
			t.Fatalf("go-ahead: %q", got)
		}
		c.send(evil + " {200000000}")
		if got := c.line(); !strings.HasPrefix(got, "t NO [TOOBIG]") {
			t.Fatalf("a second message of 200 MB: %q", got)
		}
		if got := c.imap("l", `LIST "" "Pwned*"`); len(got) != 1 || !strings.HasPrefix(got[0], "l OK") {
			t.Fatalf("a message's line ran as a command: %q", got)
		}
	})
}

// go-imap's own client, which sends one message per APPEND, still
// appends through the relay, and sees MULTIAPPEND offered.
func TestIMAPClientAppendThroughTheRelay(t *testing.T) {
	sim := newSim(t, Options{})
	c, err := imapclient.DialInsecure(sim.Addr(wire.RoleIMAP), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice", "wonderland").Wait(); err != nil {
		t.Fatal(err)
	}
	if !c.Caps().Has(imap.CapMultiAppend) {
		t.Errorf("MULTIAPPEND missing: %v", c.Caps())
	}
	msg := testMessage("from imapclient")
	cmd := c.Append("Drafts", int64(len(msg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft}})
	if _, err := cmd.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil || data.UID == 0 {
		t.Fatalf("APPEND: %+v, %v", data, err)
	}
}

// ENVELOPE keeps an address's obsolete source route (RFC 5322 §4.4,
// "<@route:user@domain>") in its own field, addr-adl (RFC 3501 §7.4.2):
// `(NIL "@route" "user" "domain")`, not NIL; an address without one keeps
// NIL there, and a subject that looks like a route is left alone.
func TestIMAPEnvelopeKeepsTheSourceRoute(t *testing.T) {
	inPlainAndTLS(t, wire.RoleIMAP, wire.RoleIMAPS, func(t *testing.T, role wire.Role) {
		sim := newSim(t, Options{})
		c := imapLoggedInOn(t, sim, role)
		msg := "From: <@relay.example,@hop.example:bob@example.org>\r\n" +
			"To: \"Ann Lee\" <@r.example:ann@example.com>, carol@example.com\r\n" +
			"Subject: @not.a:route\r\n\r\nhi\r\n"
		c.write(fmt.Sprintf("a APPEND INBOX {%d+}\r\n%s\r\n", len(msg), msg))
		c.until("a ")
		c.imap("s", "SELECT INBOX")
		got := strings.Join(c.imap("f", "FETCH * ENVELOPE"), "\n")
		for _, want := range []string{
			`"@not.a:route" ((NIL "@relay.example,@hop.example" "bob" "example.org")) ((NIL "@relay.example,@hop.example" "bob" "example.org")) ((NIL "@relay.example,@hop.example" "bob" "example.org"))`,
			`(("Ann Lee" "@r.example" "ann" "example.com") (NIL NIL "carol" "example.com"))`,
		} {
			if !strings.Contains(got, want) || strings.Contains(got, `NIL NIL "@`) {
				t.Errorf("ENVELOPE %s\nwant it to hold %s", got, want)
			}
		}
	})
}

// After STARTTLS the relay terminates the client's TLS and speaks its own
// to go-imap: a MULTIAPPEND there is stored all the same.
func TestIMAPMultiappendAfterSTARTTLS(t *testing.T) {
	sim := newSim(t, Options{})
	inbox := aliceInbox(t, sim)
	before := len(inbox.Messages())
	c := dial(t, sim, wire.RoleIMAP)
	c.line()
	c.imap("s", "STARTTLS")
	c.startTLS(sim)
	c.imap("l", "LOGIN alice wonderland")
	a, b := testMessage("a"), testMessage("b")
	c.write(fmt.Sprintf("m APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s\r\n", len(a), a, len(b), b))
	if got := c.until("m "); !appendUIDRe.MatchString(got[len(got)-1]) {
		t.Fatalf("MULTIAPPEND after STARTTLS: %q", got)
	}
	if n := len(inbox.Messages()); n != before+2 {
		t.Errorf("INBOX holds %d messages, want %d", n, before+2)
	}
}

// The relay answers APPEND's synchronising literal itself (go-imap reads
// one message per APPEND, the relay gathers them all): its "+" carries
// the model's facts as the server's own would, the command that waits and
// the literal it lets come, so whoever explains the session says "go
// ahead: send the 12 bytes" rather than a bare continuation.
func TestIMAPAppendGoAheadCarriesTheFacts(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := imapLoggedInOn(t, sim, wire.RoleIMAP)
	msg := testMessage("facts")
	c.send(fmt.Sprintf("g APPEND INBOX {%d}", len(msg)))
	if got := c.line(); !strings.HasPrefix(got, "+") {
		t.Fatalf("go-ahead: %q", got)
	}
	plus := rec.until(t, "the go-ahead", func(e wire.Event) bool {
		return e.Dir == wire.FromServer && strings.HasPrefix(string(e.Data), "+")
	})
	if plus.Verb != "APPEND" || plus.Tag != "g" || plus.Literal != wire.SyncLiteral || plus.LiteralSize != len(msg) {
		t.Errorf("the go-ahead's facts: verb %q tag %q literal %v size %d, want APPEND g sync %d",
			plus.Verb, plus.Tag, plus.Literal, plus.LiteralSize, len(msg))
	}
	c.write(msg + "\r\n")
	if got := c.until("g "); !strings.HasPrefix(got[len(got)-1], "g OK") {
		t.Fatalf("APPEND: %q", got)
	}
	done := rec.until(t, "the tagged reply", func(e wire.Event) bool { return e.Dir == wire.FromServer && e.Answers != "" })
	if done.Answers != "APPEND" || done.Tag != "g" || !done.OK {
		t.Errorf("the tagged reply answers %q (tag %q, ok %v), want APPEND g ok", done.Answers, done.Tag, done.OK)
	}
	for _, e := range rec.got {
		if e.Dir == wire.FromClient && e.Kind == wire.Line && strings.HasPrefix(string(e.Data), "Subject:") {
			t.Errorf("the literal's lines were read as command lines: %q", e.Data)
		}
	}
}
