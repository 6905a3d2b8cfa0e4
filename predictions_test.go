package main

import (
	"bufio"
	"encoding/base64"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// When the annotator explains a client line with "the server will answer
// X" (or "will refuse this with X", or "a server that follows RFC 5321
// answers X"), the simulator's server must answer X. Mistakes a learner is
// likely to type are sent over TCP to the real servers, and each note is
// held to the reply that came back.
func TestAnnotatorPredictionsMatchTheServers(t *testing.T) {
	sim, err := simulator.New(simulator.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sub := sim.Subscribe(wire.SubscribeOptions{Lossless: true})

	scripts := []struct {
		role  wire.Role
		lines []string // each is sent after the previous reply arrived
	}{
		{wire.RoleSubmission, []string{"", "EHLO", "FOO", "HELLO there", "AUTH", "EHLO laptop.local", "AUTH", "AUTH PLAIN %%%", "AUTH LOGIN", "%%%",
			"AUTH PLAIN " + b64("\x00alice\x00wonderland"), "MAIL FROM alice@example.com", "MAIL FROM:<alice@example.com",
			"MAIL FROM:<alice@example.com>", "RCPT TO bob@example.org", "BDAT", "STARTTLS now", "STARTTLSX", "VRFY", "QUIT"}},
		{wire.RoleMX, []string{"HELO", "EHLO relay.example", "RCPT TO:<bob@example.org>", "DATA", "AUTH PLAIN",
			"MAIL FROM:<carol@elsewhere.test> FOO=BAR", "MAIL FROM:<carol@elsewhere.test> RET=HDRS",
			"MAIL FROM:<carol@elsewhere.test>", "MAIL FROM:<dave@elsewhere.test>", "RCPT TO:<bob@example.org> NOTIFY=NEVER", "DATA", "RSET now", "QUIT please", "QUIT"}},
		{wire.RoleMX, []string{"MAIL FROM:<carol@elsewhere.test", "RCPT TO bob@example.org", "", "EHLO relay.example",
			"RCPT TO:<bob@example.org", "MAIL FROM carol@elsewhere.test", "MAIL FROM:<carol@elsewhere.test>", "MAIL FROM:<x", "QUIT"}},
		{wire.RolePOP3, []string{"", "FOO", "AUTH PLAIN", "%%%", "QUIT"}},
		{wire.RolePOP3, []string{"USER", "USER alice", "PASS wonderland", "DELE 1", "RETR 1", "DELE 1", "RETR", "RETR x", "TOP 1",
			"UIDL 2 3", "NOOP x", "STLS", "LIST a", "STAT 1", "RSET", "QUIT"}},
		{wire.RoleIMAP, []string{"", "NOOP", "a1", "a2 FOO", "a3 AUTHENTICATE PLAIN", "%%%", "a4 LOGOUT"}},
		{wire.RoleIMAP, []string{"a1 LOGIN alice wonderland", "a2 FOO", "LIST \"\" *", "a3 SELECT INBOX", "a4 IDLE", "DONE",
			"a5 UID", "a6  NOOP", "\"a7\" NOOP", "a8 FETCH", "a9 SELECT \"INBOX", "a10 NOOP",
			"a12 GETQUOTAROOT INBOX", "a13 UID SORT (DATE) UTF-8 ALL", "a14 COMPRESS DEFLATE",
			"a15 FETCH 99 (FLAGS)", "a16 STORE 2:9 +FLAGS (x)", "a17 SELECT Drafts", "a18 FETCH 1:* (FLAGS)", "a19 COPY * INBOX", "a11 LOGOUT"}},
	}
	for _, s := range scripts {
		c, err := net.Dial("tcp", sim.Addr(s.role))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(20 * time.Second))
		r := bufio.NewReader(c)
		reply := func() {
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return // the server hung up, as some mistakes deserve
				}
				switch s.role.Proto() {
				case wire.SMTP:
					if len(l) >= 4 && l[3] == '-' {
						continue
					}
				case wire.IMAP:
					if strings.HasPrefix(l, "* ") && !strings.HasPrefix(l, "* BAD") && !strings.HasPrefix(l, "* BYE") {
						continue
					}
				}
				return
			}
		}
		r.ReadString('\n') // the greeting: one line on all three
		for _, line := range s.lines {
			if _, err := c.Write([]byte(line + "\r\n")); err != nil {
				break
			}
			reply()
		}
		c.Close()
	}

	// Annotate every session's events in order, and pair each predicting
	// client line with the next server line of its session.
	last := sim.LastSeq()
	annotators := map[wire.SessionID]transcripts.Annotator{}
	predicted := map[wire.SessionID][]string{} // the prediction awaiting its reply
	note := map[wire.SessionID]string{}
	// The ways a note foretells the reply, and what the reply must then hold.
	predictions := []struct {
		note *regexp.Regexp
		want func(m []string) []string // any of these starts the reply or follows its tag
	}{
		{regexp.MustCompile(`the server will answer ([-+A-Z0-9]+)`), func(m []string) []string { return m[1:2] }},
		{regexp.MustCompile(`so it will probably answer ([A-Z]+)`), func(m []string) []string { return m[1:2] }},
		{regexp.MustCompile(`the server will refuse this with (\d{3})`), func(m []string) []string { return m[1:2] }},
		{regexp.MustCompile(`a server that follows RFC \d+ answers (\d{3})`), func(m []string) []string { return m[1:2] }},
		{regexp.MustCompile(`the server will refuse it \((\d{3}) or (\d{3})\)`), func(m []string) []string { return m[1:3] }},
		{regexp.MustCompile(`(?i)^POP3 .*the server will refuse\)`), func([]string) []string { return []string{"-ERR"} }},
		{regexp.MustCompile(`the server will close it with a tagged (OK)`), func(m []string) []string { return m[1:2] }},
		{regexp.MustCompile(`a strict server will answer (\d{3})`), func(m []string) []string { return m[1:2] }},
	}
	checked := 0
	timeout := time.After(20 * time.Second)
	for seen := uint64(0); seen < last; {
		var e wire.Event
		select {
		case e = <-sub.Events():
		case <-timeout:
			t.Fatalf("events stopped at %d of %d", seen, last)
		}
		seen = e.Seq
		a := annotators[e.Session]
		if a == nil {
			a = transcripts.NewAnnotator(e.Proto, transcripts.AnnotateOptions{})
			annotators[e.Session] = a
		}
		l := a.Annotate(e)
		if e.Kind != wire.Line {
			continue
		}
		if e.Dir == wire.FromClient {
			for _, p := range predictions {
				if m := p.note.FindStringSubmatch(string(e.Proto) + " " + l.Note); m != nil {
					predicted[e.Session], note[e.Session] = p.want(m), l.Text+" → "+l.Note
				}
			}
			continue
		}
		want, ok := predicted[e.Session]
		if !ok {
			continue
		}
		delete(predicted, e.Session)
		checked++
		got := strings.TrimRight(string(e.Data), "\r\n")
		matched := false
		for _, w := range want {
			matched = matched || strings.HasPrefix(got, w) || strings.Contains(got, " "+w+" ")
		}
		if !matched {
			t.Errorf("%s\n   but the server answered %q", note[e.Session], got)
		}
	}
	for s, want := range predicted {
		t.Errorf("session %s: %s, but no reply came (want %v)", s, note[s], want)
	}
	if checked < 20 {
		t.Errorf("only %d predictions were checked: the scripts no longer provoke them", checked)
	}
	t.Logf("%d predictions checked", checked)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
