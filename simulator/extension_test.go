package simulator

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// extMessage is a message for the extension tests.
type extMessage struct {
	from, to, cc, subject, date, id, refs string
	body                                  string
}

func (m extMessage) raw() string {
	var b strings.Builder
	if m.from != "" {
		b.WriteString("From: " + m.from + "\r\n")
	}
	if m.to != "" {
		b.WriteString("To: " + m.to + "\r\n")
	}
	if m.cc != "" {
		b.WriteString("Cc: " + m.cc + "\r\n")
	}
	b.WriteString("Subject: " + m.subject + "\r\n")
	if m.date != "" {
		b.WriteString("Date: " + m.date + "\r\n")
	}
	if m.id != "" {
		b.WriteString("Message-ID: <" + m.id + ">\r\n")
	}
	if m.refs != "" {
		b.WriteString("References: " + m.refs + "\r\n")
	}
	b.WriteString("\r\n" + m.body + "\r\n")
	return b.String()
}

// extWorld starts a simulator whose alice has exactly msgs in her INBOX,
// arrived one minute apart in order.
func extWorld(t *testing.T, msgs []extMessage) *Simulator {
	t.Helper()
	sim := newSim(t, Options{NoSeed: true})
	var inbox = sim.Store().Users()[0].Inbox()
	arrived := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i, m := range msgs {
		if _, err := inbox.Append([]byte(m.raw()), nil, arrived.Add(time.Duration(i)*time.Minute), nil); err != nil {
			t.Fatal(err)
		}
	}
	return sim
}

// selected dials role, logs in as alice and selects her INBOX.
func selected(t *testing.T, sim *Simulator, role wire.Role) *client {
	t.Helper()
	c := dial(t, sim, role)
	c.line()
	c.imap("L", "LOGIN alice wonderland")
	c.imap("S", "SELECT INBOX")
	return c
}

// both runs a test over plaintext IMAP and implicit TLS: behind the
// relay's TLS the library runs in a goroutine of its own.
func both(t *testing.T, test func(t *testing.T, role wire.Role)) {
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		t.Run(string(role), func(t *testing.T) { test(t, role) })
	}
}

// expectLines checks a command's answer line by line.
func expectLines(t *testing.T, c *client, tag, cmd string, want ...string) {
	t.Helper()
	got := c.imap(tag, cmd)
	if len(got) != len(want) {
		t.Errorf("%s %s:\n got %q\nwant %q", tag, cmd, got, want)
		return
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("%s %s: line %d:\n got %q\nwant %q...", tag, cmd, i, got[i], want[i])
		}
	}
}

// sortMessages are five messages shaped like RFC 5256's SORT example:
// two base subjects, dates not in arrival order.
var sortMessages = []extMessage{
	{from: "Zoe <zoe@example.org>", to: "carol@example.org", subject: "Re: Lunch", date: "Mon, 2 Mar 2026 12:00:00 +0000", body: "yes"},
	{from: "adam@example.org", to: "bob@example.org", cc: "dan@example.org", subject: "Agenda", date: "Mon, 2 Mar 2026 11:00:00 +0000", body: "items"},
	{from: "=?UTF-8?Q?=C3=89mile?= <emile@example.org>", to: "alice@example.com", subject: "[team] Fwd: lunch (fwd)", date: "Mon, 2 Mar 2026 08:00:00 +0000", body: "forwarded lunch plans"},
	{from: "bea@example.org", to: "Alice <alice@example.com>", subject: "agenda", date: "Sun, 1 Mar 2026 09:00:00 +0000", body: "the agenda, longer than the others"},
	{from: "carl@example.org", subject: "Lunch", body: "no date: sorted by its arrival"},
}

// SORT (RFC 5256 §3) with every key, REVERSE, SORT=DISPLAY's keys (RFC
// 5957), UID SORT, a search string in a literal, and the RFC's empty
// result; its errors: an unknown sort key is BAD, an unknown charset NO
// [BADCHARSET] with the list, SORT before SELECT BAD, and the session goes
// on. go-imap alone answers every one of them BAD "Unknown command".
func TestSortKeysOrdersAndErrors(t *testing.T) {
	sim := extWorld(t, sortMessages)
	both(t, func(t *testing.T, role wire.Role) {
		c := dial(t, sim, role)
		c.line()
		c.imap("L", "LOGIN alice wonderland")
		expectLines(t, c, "e0", "SORT (DATE) UTF-8 ALL", "e0 BAD ")
		c.imap("S", "SELECT INBOX")
		for _, tc := range []struct{ cmd, want string }{
			// Base subjects: lunch (1, 3, 5), agenda (2, 4); then DATE.
			{"SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "* SORT 2 4 1 3 5"},
			{"SORT (SUBJECT DATE) UTF-8 ALL", "* SORT 4 2 5 3 1"},
			{"SORT (DATE) UTF-8 ALL", "* SORT 5 4 3 2 1"}, // 5 has no Date: its arrival, 1 Mar 08:04
			{"SORT (REVERSE ARRIVAL) UTF-8 ALL", "* SORT 5 4 3 2 1"},
			{"SORT (FROM) UTF-8 ALL", "* SORT 2 4 5 3 1"},        // adam bea carl emile zoe
			{"SORT (TO) UTF-8 ALL", "* SORT 5 3 4 2 1"},          // none first, then alice alice bob carol
			{"SORT (CC SUBJECT) UTF-8 ALL", "* SORT 4 1 3 5 2"},  // only 2 has a Cc
			{"SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 2 4 5 3 1"}, // Émile sorts by its name, zoe by Zoe
			{"SORT (DISPLAYTO) UTF-8 ALL", "* SORT 5 4 3 2 1"},   // "" alice (name) alice@ bob@ carol@
			{"SORT (SUBJECT) US-ASCII SUBJECT lunch", "* SORT 1 3 5"},
			{"SORT (subject) utf-8 NOT FROM zoe", "* SORT 2 4 3 5"},
			{`SORT (SUBJECT) US-ASCII TEXT "not in mailbox"`, "* SORT"},
		} {
			expectLines(t, c, "s1", tc.cmd, tc.want, "s1 OK ")
		}
		// SIZE: by the size of each message as stored.
		bySize := []int{1, 2, 3, 4, 5}
		sort.SliceStable(bySize, func(i, j int) bool {
			return len(sortMessages[bySize[i]-1].raw()) < len(sortMessages[bySize[j]-1].raw())
		})
		want := "* SORT"
		for _, n := range bySize {
			want += fmt.Sprint(" ", n)
		}
		expectLines(t, c, "z1", "SORT (SIZE) UTF-8 ALL", want, "z1 OK SORT completed")
		// A search string in a synchronising literal: the relay asks for it.
		c.send("s2 SORT (DATE) UTF-8 BODY {6}")
		if got := c.line(); got != "+ Ready for literal data" {
			t.Fatalf("literal: %q", got)
		}
		c.send("agenda")
		if got := c.until("s2 "); strings.Join(got, "|") != "* SORT 4|s2 OK SORT completed" {
			t.Errorf("literal search: %q", got)
		}
		expectLines(t, c, "b1", "SORT (NOSUCH) UTF-8 ALL", "b1 BAD [CLIENTBUG] Unknown sort key NOSUCH")
		expectLines(t, c, "b2", "SORT (REVERSE) UTF-8 ALL", "b2 BAD ")
		expectLines(t, c, "b3", "SORT DATE UTF-8 ALL", "b3 BAD ")
		expectLines(t, c, "b4", "SORT (DATE) KOI8-R ALL", "b4 NO [BADCHARSET (UTF-8 US-ASCII)] ")
		expectLines(t, c, "b5", "SORT (DATE) UTF-8", "b5 BAD ")
		expectLines(t, c, "b6", "SORT (DATE) UTF-8 NOSUCHKEY", "b6 BAD ")
		expectLines(t, c, "n1", "NOOP", "n1 OK")
	})
}

// threadMessages give RFC 5256's thread shapes: a message with two
// replies, one of them replied to in turn; a reply whose parent is not in
// the mailbox (a dummy, gathered with its original by subject); two
// replies to a missing message (a dummy root with two children).
var threadMessages = []extMessage{
	{subject: "Alpha", id: "a@x", date: "Mon, 2 Mar 2026 08:00:00 +0000"},
	{subject: "Re: Alpha", id: "b@x", refs: "<a@x>", date: "Mon, 2 Mar 2026 08:01:00 +0000"},
	{subject: "Re: Alpha", id: "c@x", refs: "<a@x> <b@x>", date: "Mon, 2 Mar 2026 08:02:00 +0000"},
	{subject: "Re: Alpha", id: "d@x", refs: "<a@x>", date: "Mon, 2 Mar 2026 08:03:00 +0000"},
	{subject: "Beta", id: "e@x", date: "Mon, 2 Mar 2026 08:04:00 +0000"},
	{subject: "Re: Beta", id: "f@x", refs: "<gone@x>", date: "Mon, 2 Mar 2026 08:05:00 +0000"},
	{subject: "Delta", id: "g@x", refs: "<z@x>", date: "Mon, 2 Mar 2026 08:06:00 +0000"},
	{subject: "Other", id: "h@x", refs: "<z@x>", date: "Mon, 2 Mar 2026 08:07:00 +0000"},
}

// THREAD (RFC 5256 §3): REFERENCES links replies by Message-ID and
// References, keeps a dummy root for two replies to a missing message and
// gathers threads by base subject; ORDEREDSUBJECT groups by base subject,
// the first message the parent of the others. The RFC's empty answer is
// "* THREAD"; an unknown algorithm is BAD, an unknown charset NO.
func TestThreadReferencesAndOrderedSubject(t *testing.T) {
	sim := extWorld(t, threadMessages)
	both(t, func(t *testing.T, role wire.Role) {
		c := selected(t, sim, role)
		expectLines(t, c, "t1", "THREAD REFERENCES UTF-8 ALL", "* THREAD (1 (2 3)(4))(5 6)((7)(8))", "t1 OK THREAD completed")
		expectLines(t, c, "t2", "THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (1 (2)(3)(4))(5 6)(7)(8)", "t2 OK THREAD completed")
		expectLines(t, c, "t3", "UID THREAD REFERENCES UTF-8 NOT 1", "* THREAD ((2 3)(4))(5 6)((7)(8))", "t3 OK UID THREAD completed")
		expectLines(t, c, "t4", `THREAD ORDEREDSUBJECT US-ASCII TEXT "gewp"`, "* THREAD", "t4 OK THREAD completed")
		expectLines(t, c, "b1", "THREAD JWZ UTF-8 ALL", "b1 BAD [CLIENTBUG] Unknown threading algorithm JWZ")
		expectLines(t, c, "b2", "THREAD REFERENCES ISO-2022-JP ALL", "b2 NO [BADCHARSET (UTF-8 US-ASCII)] ")
	})
}

// ESORT (RFC 5267 §3): SORT RETURN answers ESEARCH, MIN and MAX the first
// and last in sort order, ALL in sort order. CONTEXT=SEARCH (RFC 5267 §4):
// PARTIAL takes positions in the result; UPDATE is declined with NOUPDATE,
// CONTEXT is a hint; CANCELUPDATE is accepted.
func TestESortAndContextSearch(t *testing.T) {
	sim := extWorld(t, sortMessages)
	both(t, func(t *testing.T, role wire.Role) {
		c := selected(t, sim, role)
		expectLines(t, c, "e1", "SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL",
			`* ESEARCH (TAG "e1") MIN 5 MAX 1 COUNT 5 ALL 5,4,3,2,1`, "e1 OK SORT completed")
		expectLines(t, c, "e2", "UID SORT RETURN (ALL) (ARRIVAL) UTF-8 ALL",
			`* ESEARCH (TAG "e2") UID ALL 1:5`, "e2 OK UID SORT completed")
		expectLines(t, c, "e3", "SORT RETURN (COUNT) (DATE) UTF-8 FROM nobody",
			`* ESEARCH (TAG "e3") COUNT 0`, "e3 OK SORT completed")
		expectLines(t, c, "e4", "SORT RETURN (PARTIAL 2:3) (REVERSE DATE) UTF-8 ALL",
			`* ESEARCH (TAG "e4") PARTIAL (2:3 2:3)`, "e4 OK SORT completed")
		expectLines(t, c, "e5", "UID SEARCH RETURN (PARTIAL 1:2) ALL",
			`* ESEARCH (TAG "e5") UID PARTIAL (1:2 1:2)`, "e5 OK UID SEARCH completed")
		expectLines(t, c, "e6", "SEARCH RETURN (PARTIAL 9:10) ALL",
			`* ESEARCH (TAG "e6") PARTIAL (9:10 NIL)`, "e6 OK SEARCH completed")
		expectLines(t, c, "e7", "SEARCH RETURN (CONTEXT MIN UPDATE) CHARSET UTF-8 SUBJECT lunch",
			`* NO [NOUPDATE "e7"]`, `* ESEARCH (TAG "e7") MIN 1`, "e7 OK SEARCH completed")
		expectLines(t, c, "e8", `CANCELUPDATE "e7"`, "e8 OK CANCELUPDATE completed")
		// go-imap's own SEARCH RETURN still answers the rest.
		expectLines(t, c, "e9", "SEARCH RETURN (COUNT) ALL", `* ESEARCH (TAG "e9") COUNT 5`, "e9 OK")
		expectLines(t, c, "b1", "SEARCH RETURN (PARTIAL 0:3) ALL", "b1 BAD ")
		expectLines(t, c, "b2", "SORT RETURN (NEWEST) (DATE) UTF-8 ALL", "b2 BAD ")
	})
}

// ID (RFC 2971) is answered in any state, before login too, where go-imap
// hangs up on a command it does not know; the client's name reaches the
// simulator's session list for the watch screen.
func TestIDBeforeLoginNamesTheClient(t *testing.T) {
	sim := extWorld(t, nil)
	both(t, func(t *testing.T, role wire.Role) {
		c := dial(t, sim, role)
		if g := c.line(); !strings.Contains(g, " ID]") || strings.Contains(g, "SORT") {
			t.Errorf("greeting: ID before login, SORT after: %q", g)
		}
		expectLines(t, c, "i1", `ID ("name" "Thunderbird" "version" "115.3.1" "os" "Linux" "vendor" NIL)`,
			`* ID ("name" "mailtutor" `, "i1 OK ID completed")
		waitFor(t, sim, "the client's ID", func(s Snapshot) bool {
			for _, info := range s.Sessions {
				if info.Role == role && info.ClientID == "Thunderbird 115.3.1 (Linux)" {
					return true
				}
			}
			return false
		})
		expectLines(t, c, "i2", "ID NIL", `* ID (`, "i2 OK ID completed")
		expectLines(t, c, "b1", `ID ("name")`, "b1 BAD ")
		expectLines(t, c, "b2", `ID name`, "b2 BAD ")
		login := c.imap("L", "LOGIN alice wonderland")
		if last := login[len(login)-1]; !strings.Contains(last, " SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES ESORT CONTEXT=SEARCH") {
			t.Errorf("LOGIN's capabilities: %q", last)
		}
		caps := c.imap("C", "CAPABILITY")
		if !strings.Contains(caps[0], " ID ") || !strings.Contains(caps[0], " THREAD=REFERENCES") {
			t.Errorf("CAPABILITY: %q", caps)
		}
	})
}

// A client that pipelines an extension command behind others, in one
// write, gets its answers in order: the library's FETCH, then SORT, then
// the library's NOOP; the same behind a SORT waiting for its literal.
func TestSortPipelinedBehindFetchIsAnsweredInOrder(t *testing.T) {
	sim := extWorld(t, sortMessages)
	both(t, func(t *testing.T, role wire.Role) {
		c := selected(t, sim, role)
		c.write("p1 FETCH 1:5 (FLAGS)\r\np2 SORT (DATE) UTF-8 ALL\r\np3 ID NIL\r\np4 NOOP\r\np5 UID SORT (SIZE) UTF-8 ALL\r\n")
		got := c.until("p5 ")
		var order []string
		for _, l := range got {
			if !strings.HasPrefix(l, "* ") || strings.HasPrefix(l, "* SORT") || strings.HasPrefix(l, "* ID") {
				order = append(order, strings.Join(strings.Fields(l)[:2], " "))
			}
		}
		want := "p1 OK|* SORT|p2 OK|* ID|p3 OK|p4 OK|* SORT|p5 OK"
		if strings.Join(order, "|") != want {
			t.Errorf("order:\n got %s\nwant %s\n%q", strings.Join(order, "|"), want, got)
		}
	})
}
