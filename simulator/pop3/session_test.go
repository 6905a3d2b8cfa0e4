package pop3

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/store"
)

func TestGreetingCarriesAPOPTimestamp(t *testing.T) {
	w := newWorld(t, nil)
	c1, c2 := w.dial(t), w.dial(t)
	re := regexp.MustCompile(`^\+OK mail\.example\.com POP3 server ready (<[0-9]+\.[0-9]+@mail\.example\.com>)$`)
	m1, m2 := re.FindStringSubmatch(c1.greeting), re.FindStringSubmatch(c2.greeting)
	if m1 == nil || m2 == nil {
		t.Fatalf("greetings %q %q", c1.greeting, c2.greeting)
	}
	if m1[1] == m2[1] {
		t.Fatalf("two sessions got the same APOP timestamp %s", m1[1])
	}
}

func TestCAPA(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	caps := c.multi("CAPA")
	for _, want := range []string{"TOP", "UIDL", "USER", "SASL PLAIN LOGIN", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "IMPLEMENTATION mailtutor"} {
		if !slices.Contains(caps, want) {
			t.Errorf("CAPA before login lacks %q: %q", want, caps)
		}
	}
	if slices.Contains(caps, "STLS") {
		t.Error("STLS offered without a TLS configuration")
	}
	c.ok("USER alice")
	c.ok("PASS wonderland")
	caps = c.multi("capa")
	if slices.Contains(caps, "USER") || slices.Contains(caps, "SASL PLAIN LOGIN") || !slices.Contains(caps, "TOP") {
		t.Errorf("CAPA after login: %q", caps)
	}
	c.fail("CAPA x", "-ERR")
}

func TestCommandsInTheWrongState(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	for _, cmd := range []string{"STAT", "LIST", "UIDL", "RETR 1", "TOP 1 0", "DELE 1", "RSET", "NOOP"} {
		c.fail(cmd, "-ERR "+strings.Fields(cmd)[0]+" is only valid in the TRANSACTION state")
	}
	c.fail("FROB", `-ERR unknown command "FROB"`)
	c.fail("", "-ERR empty command")
	c.ok("user alice") // commands are case-insensitive
	c.ok("pAsS wonderland")
	for _, cmd := range []string{"USER alice", "PASS wonderland", "APOP alice 0123456789abcdef0123456789abcdef", "AUTH PLAIN", "STLS"} {
		c.fail(cmd, "-ERR "+strings.Fields(cmd)[0]+" is only valid in the AUTHORIZATION state")
	}
	c.ok("noop")
	c.fail("NOOP now", "-ERR")
}

func TestStatListAndArguments(t *testing.T) {
	w := newWorld(t, nil)
	c := w.login(t, "alice@example.com", "wonderland")
	total := 0
	for _, m := range testMessages {
		total += len(m)
	}
	if got, want := c.ok("STAT"), fmt.Sprintf("+OK 3 %d", total); got != want {
		t.Fatalf("STAT = %q, want %q", got, want)
	}
	list := c.multi("LIST")
	for i, m := range testMessages {
		if want := fmt.Sprintf("%d %d", i+1, len(m)); list[i] != want {
			t.Errorf("LIST line %d = %q, want %q", i+1, list[i], want)
		}
	}
	if got, want := c.ok("LIST 2"), fmt.Sprintf("+OK 2 %d", len(testMessages[1])); got != want {
		t.Fatalf("LIST 2 = %q, want %q", got, want)
	}
	c.fail("LIST 4", "-ERR no such message: 4")
	c.fail("LIST 0", "-ERR no such message: 0")
	c.fail("LIST x", `-ERR invalid message number "x"`)
	c.fail("LIST -1", `-ERR invalid message number "-1"`)
	c.fail("LIST 99999999999999999999999", `-ERR invalid message number`)
	c.fail("LIST 1 2", "-ERR LIST takes at most one argument")
	c.fail("RETR", "-ERR RETR needs one argument")
	c.fail("DELE 1 2", "-ERR DELE needs one argument")
	c.fail("TOP 1", "-ERR TOP needs two arguments")
	c.fail("TOP 1 x", `-ERR invalid line count "x"`)
	c.fail("TOP 1 -1", `-ERR invalid line count "-1"`)
	c.fail("STAT 1", "-ERR STAT takes no argument")
	c.fail("RSET 1", "-ERR RSET takes no argument")
}

func TestRETRIsDotStuffedAndMarksSeen(t *testing.T) {
	w := newWorld(t, nil)
	c := w.login(t, "alice", "wonderland")
	c.send("RETR 2")
	if got, want := c.line(), fmt.Sprintf("+OK %d octets", len(testMessages[1])); got != want {
		t.Fatalf("RETR 2 = %q, want %q", got, want)
	}
	lines := c.body()
	for _, want := range []string{"..hidden line", "...two dots", ".."} {
		if !slices.Contains(lines, want) {
			t.Errorf("stuffed line %q missing from %q", want, lines)
		}
	}
	if got := unstuff(lines); got != testMessages[1] {
		t.Fatalf("RETR 2 unstuffed = %q, want %q", got, testMessages[1])
	}
	inbox := aliceInbox(t, w)
	if m, _ := inbox.ByUID(2); !m.Has(store.Seen) {
		t.Fatalf("RETR did not set \\Seen: %q", m.Flags)
	}
	// An IMAP client marks it unread again; the next RETR reads it again.
	inbox.StoreFlags([]uint32{2}, store.FlagsRemove, []string{store.Seen}, nil)
	c.multi("RETR 2")
	if m, _ := inbox.ByUID(2); !m.Has(store.Seen) {
		t.Fatalf("a second RETR did not set \\Seen: %q", m.Flags)
	}
	c.multi("TOP 3 1")
	if m, _ := inbox.ByUID(3); m.Has(store.Seen) {
		t.Fatal("TOP set \\Seen")
	}
	if m, _ := inbox.ByUID(1); m.Has(store.Seen) {
		t.Fatal("message 1 seen without RETR")
	}
}

func TestTOP(t *testing.T) {
	w := newWorld(t, nil)
	c := w.login(t, "alice", "wonderland")
	header := "From: carol@example.net\r\nSubject: long\r\n\r\n"
	cases := map[string]string{
		"TOP 3 0":   header,
		"TOP 3 2":   header + "l1\r\nl2\r\n",
		"TOP 3 100": testMessages[2],
		"top 2 2":   "From: bob@example.org\r\nSubject: dots\r\n\r\nline one\r\n.hidden line\r\n",
	}
	for cmd, want := range cases {
		if got := unstuff(c.multi(cmd)); got != want {
			t.Errorf("%s = %q, want %q", cmd, got, want)
		}
	}
	c.fail("TOP 4 0", "-ERR no such message")
}

func TestDELEThenQUITRemoves(t *testing.T) {
	w := newWorld(t, nil)
	c := w.login(t, "alice", "wonderland")
	c.ok("DELE 1")
	c.fail("DELE 1", "-ERR message 1 already deleted")
	c.fail("RETR 1", "-ERR message 1 already deleted")
	c.fail("LIST 1", "-ERR message 1 already deleted")
	c.fail("TOP 1 0", "-ERR message 1 already deleted")
	c.fail("UIDL 1", "-ERR message 1 already deleted")
	if got := c.ok("STAT"); !strings.HasPrefix(got, "+OK 2 ") {
		t.Fatalf("STAT after DELE = %q", got)
	}
	if list := c.multi("LIST"); len(list) != 2 || !strings.HasPrefix(list[0], "2 ") {
		t.Fatalf("LIST after DELE = %q", list)
	}
	if got := c.ok("RSET"); !strings.HasPrefix(got, "+OK maildrop has 3 messages") {
		t.Fatalf("RSET = %q", got)
	}
	c.ok("RETR 1")
	c.body()
	c.ok("DELE 1")
	c.ok("DELE 3")
	if st := aliceInbox(t, w).Status(); st.Messages != 3 {
		t.Fatalf("marks removed messages before QUIT: %d left", st.Messages)
	}
	if got := c.ok("QUIT"); !strings.Contains(got, "2 messages deleted, 1 left") {
		t.Fatalf("QUIT = %q", got)
	}
	msgs := aliceInbox(t, w).Messages()
	if len(msgs) != 1 || msgs[0].UID != 2 {
		t.Fatalf("after QUIT the INBOX holds %+v", msgs)
	}
	if locks := w.store.MaildropLocks(); len(locks) != 0 {
		t.Fatalf("locks after QUIT: %+v", locks)
	}
	c2 := w.login(t, "alice", "wonderland")
	if got := c2.ok("STAT"); got != fmt.Sprintf("+OK 1 %d", len(testMessages[1])) {
		t.Fatalf("next session STAT = %q", got)
	}
}

func TestDroppedConnectionDeletesNothing(t *testing.T) {
	w := newWorld(t, nil)
	c := w.login(t, "alice", "wonderland")
	c.ok("DELE 1")
	c.ok("DELE 2")
	released := make(chan struct{})
	var once sync.Once
	cancel := w.store.Watch(func(ch store.Change) {
		// Release announces a MaildropChanged with no UID (so does RSET,
		// which this test does not send).
		if ch.Kind == store.MaildropChanged && ch.UID == 0 {
			once.Do(func() { close(released) })
		}
	})
	defer cancel()
	c.conn.Close()
	<-released
	if n := aliceInbox(t, w).Status().Messages; n != 3 {
		t.Fatalf("a dropped session deleted mail: %d left", n)
	}
	c2 := w.login(t, "alice", "wonderland")
	if got := c2.ok("STAT"); !strings.HasPrefix(got, "+OK 3 ") {
		t.Fatalf("STAT = %q", got)
	}
	// The server went on serving: bob is fine too.
	w.login(t, "bob", "builder").ok("STAT")
}

func TestQUITInAuthorizationDeletesNothing(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	c.ok("USER alice")
	if got := c.ok("QUIT"); got != "+OK mail.example.com POP3 server signing off" {
		t.Fatalf("QUIT = %q", got)
	}
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open after QUIT")
	}
	if n := aliceInbox(t, w).Status().Messages; n != 3 {
		t.Fatalf("%d messages", n)
	}
}

func TestUIDLIsStableAndUnique(t *testing.T) {
	w := newWorld(t, nil)
	validity := aliceInbox(t, w).UIDValidity()
	c := w.login(t, "alice", "wonderland")
	first := c.multi("UIDL")
	want := []string{fmt.Sprintf("1 %d.1", validity), fmt.Sprintf("2 %d.2", validity), fmt.Sprintf("3 %d.3", validity)}
	if !slices.Equal(first, want) {
		t.Fatalf("UIDL = %q, want %q", first, want)
	}
	for _, l := range first {
		id := strings.Fields(l)[1]
		for _, r := range id {
			if r < 0x21 || r > 0x7e {
				t.Fatalf("UIDL %q has a character outside 0x21-0x7E", id)
			}
		}
	}
	if got := c.ok("UIDL 3"); got != fmt.Sprintf("+OK 3 %d.3", validity) {
		t.Fatalf("UIDL 3 = %q", got)
	}
	c.ok("DELE 1")
	c.ok("QUIT")
	if _, err := aliceInbox(t, w).Append([]byte("Subject: new\r\n\r\nnew\r\n"), nil, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	c2 := w.login(t, "alice", "wonderland")
	second := c2.multi("UIDL")
	want = []string{fmt.Sprintf("1 %d.2", validity), fmt.Sprintf("2 %d.3", validity), fmt.Sprintf("3 %d.4", validity)}
	if !slices.Equal(second, want) {
		t.Fatalf("UIDL in the next session = %q, want %q", second, want)
	}
}

func TestIN_USE(t *testing.T) {
	w := newWorld(t, nil)
	first := w.login(t, "alice", "wonderland")
	second := w.dial(t)
	second.ok("USER alice")
	second.fail("PASS wonderland", "-ERR [IN-USE] ")
	second.fail("STAT", "-ERR STAT is only valid in the TRANSACTION state")
	first.ok("QUIT")
	// QUIT's reply is written after Commit has released the lock.
	second.ok("USER alice")
	second.ok("PASS wonderland")
}

func TestPipelinedCommandsInOneWrite(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	if _, err := c.conn.Write([]byte("USER bob\r\nPASS builder\r\nSTAT\r\nLIST\r\nRETR 1\r\nNOOP\r\nQUIT\r\n")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"+OK send PASS", "+OK bob@example.org's maildrop has 1 message", "+OK 1 "} {
		if got := c.line(); !strings.HasPrefix(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	if got := c.line(); !strings.HasPrefix(got, "+OK 1 message") {
		t.Fatal(got)
	}
	if body := c.body(); len(body) != 1 {
		t.Fatalf("LIST body %q", body)
	}
	if got := c.line(); !strings.HasPrefix(got, "+OK ") {
		t.Fatal(got)
	}
	if got := unstuff(c.body()); got != "Subject: for bob\r\n\r\nHi Bob.\r\n" {
		t.Fatalf("RETR %q", got)
	}
	if got := c.line(); got != "+OK" {
		t.Fatal(got)
	}
	if got := c.line(); !strings.HasPrefix(got, "+OK mail.example.com POP3 server signing off") {
		t.Fatal(got)
	}
}

func TestLongLines(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	huge := "USER " + strings.Repeat("a", 1<<20)
	c.fail(huge, "-ERR line too long")
	c.fail("USER "+strings.Repeat("b", 251), "-ERR line too long") // 256 octets with CRLF
	c.ok("USER " + strings.Repeat("c", 248))                       // 255 octets with CRLF: allowed
	c.ok("USER alice")
	c.ok("PASS wonderland")
	c.ok("STAT")
}

func TestCloseEndsSessionsAndReleasesLocks(t *testing.T) {
	w := newWorld(t, nil)
	c := w.login(t, "alice", "wonderland")
	c.ok("DELE 1")
	idle := w.dial(t)
	if err := w.srv.Close(); err != nil {
		t.Fatal(err)
	}
	for _, cl := range []*client{c, idle} {
		if got := cl.line(); got != "-ERR [SYS/TEMP] server shutting down, try again later" {
			t.Fatalf("goodbye %q", got)
		}
		if _, err := cl.r.ReadByte(); err == nil {
			t.Fatal("connection still open after Close")
		}
	}
	if locks := w.store.MaildropLocks(); len(locks) != 0 {
		t.Fatalf("locks after Close: %+v", locks)
	}
	if n := aliceInbox(t, w).Status().Messages; n != 3 {
		t.Fatalf("Close deleted mail: %d left", n)
	}
	if err := <-w.served; err != nil {
		t.Fatalf("Serve returned %v after Close", err)
	}
}

func TestIdleTimeoutLogsOut(t *testing.T) {
	w := newWorld(t, func(o *Options) { o.IdleTimeout = 200 * time.Millisecond })
	c := w.dial(t)
	// One write, so that no client round trip can outlast the short timer.
	if _, err := c.conn.Write([]byte("USER alice\r\nPASS wonderland\r\nDELE 1\r\n")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got := c.line(); !strings.HasPrefix(got, "+OK") {
			t.Fatal(got)
		}
	}
	if got := c.line(); !strings.HasPrefix(got, "-ERR idle for too long") {
		t.Fatalf("autologout %q", got)
	}
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open")
	}
	if locks := w.store.MaildropLocks(); len(locks) != 0 {
		t.Fatalf("locks after autologout: %+v", locks)
	}
	if n := aliceInbox(t, w).Status().Messages; n != 3 {
		t.Fatalf("autologout deleted mail: %d left", n)
	}
}

func TestHundredConcurrentConnections(t *testing.T) {
	w := newWorld(t, nil)
	for i := 0; i < 50; i++ {
		u, err := w.store.AddUser(fmt.Sprintf("user%d@example.com", i), "pw")
		if err != nil {
			t.Fatal(err)
		}
		u.Inbox().Append([]byte(fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i)), nil, time.Time{}, nil)
	}
	holder := w.login(t, "alice", "wonderland") // alice stays locked throughout
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- concurrentSession(w.addr, i)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	holder.ok("STAT")
}

func aliceInbox(t testing.TB, w *world) *store.Mailbox {
	t.Helper()
	u, ok := w.store.LookupAddress("alice@example.com")
	if !ok {
		t.Fatal("no alice")
	}
	return u.Inbox()
}

func TestEmptyMaildrop(t *testing.T) {
	w := newWorld(t, nil)
	if _, err := w.store.AddUser("dave@example.com", "pw"); err != nil {
		t.Fatal(err)
	}
	c := w.login(t, "dave", "pw")
	if got := c.ok("STAT"); got != "+OK 0 0" {
		t.Fatalf("STAT = %q", got)
	}
	if list := c.multi("LIST"); len(list) != 0 {
		t.Fatalf("LIST = %q", list)
	}
	if list := c.multi("UIDL"); len(list) != 0 {
		t.Fatalf("UIDL = %q", list)
	}
	c.fail("RETR 1", "-ERR no such message: 1 (the maildrop is empty)")
	if got := c.ok("QUIT"); !strings.Contains(got, "0 messages deleted, 0 left") {
		t.Fatalf("QUIT = %q", got)
	}
}
