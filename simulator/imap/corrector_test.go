package imap

import (
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// The corrections to go-imap, run without the tap: raw lines in (cut by
// the IMAP model, as the tap gives them), corrected lines out.

// model follows one IMAP session as the tap does, giving each side's
// pieces in turn.
type model struct {
	t  *testing.T
	sp *wire.Splitter
}

func newModel(t *testing.T) *model {
	m := &model{t: t, sp: wire.NewSplitter(wire.IMAP)}
	m.server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
	return m
}

func (m *model) pieces(raw string, feed func([]byte, func(wire.Piece))) []wire.Piece {
	var out []wire.Piece
	feed([]byte(raw), func(p wire.Piece) {
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	})
	return out
}

func (m *model) client(raw string) []wire.Piece { return m.pieces(raw, m.sp.Client) }
func (m *model) server(raw string) []wire.Piece { return m.pieces(raw, m.sp.Server) }

// line is the one piece of raw client bytes.
func (m *model) line(raw string) wire.Piece {
	m.t.Helper()
	ps := m.client(raw)
	if len(ps) != 1 {
		m.t.Fatalf("%q: %d pieces", raw, len(ps))
	}
	return ps[0]
}

func TestCorrectorRefusesWhatGoIMAPMishandles(t *testing.T) {
	cases := []struct{ line, reply string }{
		{"\r\n", "* BAD [CLIENTBUG] Empty line: an IMAP command is a tag, a space and a command, e.g. a1 NOOP\r\n"},
		{"NOOP\r\n", "* BAD [CLIENTBUG] Missing tag: every IMAP command starts with a tag of your choice, e.g. a1 NOOP\r\n"},
		{"a1  NOOP\r\n", "a1 BAD [CLIENTBUG] One space, not more, goes between the tag and the command, e.g. a1 NOOP\r\n"},
		{"a1 UID\r\n", "a1 BAD [CLIENTBUG] UID needs a command after it: UID FETCH, UID SEARCH, UID STORE, UID COPY, UID MOVE or UID EXPUNGE\r\n"},
		{"a1 SELECT \"INBOX\r\n", "a1 BAD [CLIENTBUG] Unterminated quoted string: a quoted string must end with \" on the same line\r\n"},
		{"a1 SEARCH TEXT {5000}\r\n", "a1 NO [TOOBIG] Literals are limited to 4096 bytes for SEARCH (APPEND takes whole messages)\r\n"},
		{"DONE\r\n", "* BAD [CLIENTBUG] DONE only ends an IDLE, and no IDLE is running (it ended, or never began): DONE takes no tag and is sent once, after the server's \"+ idling\"\r\n"},
		{"a1 NOOP\r\n", ""},
		{"a1 APPEND INBOX {5000}\r\n", ""},
	}
	for _, c := range cases {
		reply, hangUp, line := (&Corrector{}).Command(newModel(t).line(c.line))
		if reply != c.reply || hangUp || line != nil {
			t.Errorf("%q: reply %q (hang up %v, line %q), want %q", c.line, reply, hangUp, line, c.reply)
		}
	}
	// A refused LOGIN does not echo its password.
	reply, _, _ := (&Corrector{}).Command(newModel(t).line("a1  LOGIN alice wonderland\r\n"))
	if strings.Contains(reply, "wonderland") || !strings.HasPrefix(reply, "a1 BAD") {
		t.Errorf("refused LOGIN: %q", reply)
	}
}

func TestCorrectorRewritesWhatGoIMAPRefuses(t *testing.T) {
	c := &Corrector{}
	m := newModel(t)
	if _, _, line := c.Command(m.line("a1 LIST \"\" R&D*\r\n")); string(line) != "a1 LIST \"\" R&-D*\r\n" {
		t.Errorf("LIST with a stray &: go-imap gets %q", line)
	}
	m.client("a2 IDLE\r\n")
	m.server("+ idling\r\n")
	if _, _, line := c.Command(m.line("done\r\n")); string(line) != "DONE\r\n" {
		t.Errorf("lower-case done: go-imap gets %q", line)
	}
}

// Every APPEND is gathered whole by the tap (ext_append.go), with nothing
// held back for go-imap: one with a second message is MULTIAPPEND.
func TestCorrectorInterceptsEveryAppend(t *testing.T) {
	corr := &Corrector{srv: &Server{}}
	m := newModel(t)
	first := m.client("a1 APPEND INBOX {5}\r\n")
	if !corr.Intercepts(first[0]) {
		t.Fatal("APPEND is not intercepted")
	}
	m.server("+ Ready for literal data\r\n")
	ps := m.client("hello {3}\r\n")
	if ps[0].Kind != wire.Payload || !corr.Intercepts(first[0]) {
		t.Fatalf("the message %+v is not gathered with its APPEND", ps[0])
	}
	if n := corr.MaxCommand("APPEND"); n != appendCommandMax {
		t.Errorf("MaxCommand(APPEND) = %d", n)
	}
}

func TestCorrectorReplies(t *testing.T) {
	m := newModel(t)
	c := &Corrector{}
	reply := func(raw string) (string, bool) {
		t.Helper()
		ps := m.server(raw)
		got, ok := c.Reply(ps[len(ps)-1])
		if got == nil {
			return raw, ok
		}
		return string(got), ok
	}
	m.client("a1 AUTHENTICATE PLAIN\r\n")
	if got, _ := reply("+ =\r\n"); got != "+ \r\n" {
		t.Errorf("empty challenge: %q", got)
	}
	m.client("AGFsaWNlAHdvbmRlcmxhbmQ=\r\n")
	got, _ := reply("a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE] Logged in\r\n")
	if !strings.Contains(got, " ID SORT SORT=DISPLAY") {
		t.Errorf("capabilities after login: %q", got)
	}
	m.client("a2 SEARCH NOSUCH\r\n")
	if got, ok := reply("a2 NO [SERVERBUG] Internal server error\r\n"); !strings.HasPrefix(got, "a2 BAD [CLIENTBUG] Syntax error in the search criteria") || ok {
		t.Errorf("search parse failure: %q ok %v", got, ok)
	}
	m.client("a3 LIST \"\" &Jjo\r\n")
	if got, ok := reply("a3 NO [SERVERBUG] Internal server error\r\n"); !strings.HasPrefix(got, "a3 OK LIST completed") || !ok {
		t.Errorf("list parse failure: %q ok %v", got, ok)
	}
	m.client("a4 NOOP\r\n")
	if got, ok := reply("a4 OK NOOP completed\r\n"); got != "a4 OK NOOP completed\r\n" || !ok {
		t.Errorf("plain OK: %q", got)
	}
}

// A SEARCH whose only return option is SAVE gets no ESEARCH response
// (RFC 5182 §2.4); another SEARCH does.
func TestCorrectorSaveOnlySearch(t *testing.T) {
	m := newModel(t)
	c := &Corrector{}
	c.Command(m.line("a1 SEARCH RETURN (SAVE) FLAGGED\r\n"))
	if got, _ := c.Reply(m.server("* ESEARCH (TAG \"a1\")\r\n")[0]); got == nil || len(got) != 0 {
		t.Errorf("the SAVE-only ESEARCH goes out: %q", got)
	}
	c.Reply(m.server("a1 OK SEARCH completed\r\n")[0])
	c.Command(m.line("a2 SEARCH RETURN (MIN) FLAGGED\r\n"))
	if got, _ := c.Reply(m.server("* ESEARCH (TAG \"a1\") MIN 1\r\n")[0]); got != nil {
		t.Errorf("an ESEARCH after the SAVE-only one ended was changed: %q", got)
	}
}

// The BYE go-imap leaves out is said for it, unless it said one.
func TestCorrectorFarewell(t *testing.T) {
	c := &Corrector{}
	if !strings.HasPrefix(c.Farewell(), "* BYE ") {
		t.Fatalf("farewell %q", c.Farewell())
	}
	c.Reply(wire.Piece{Dir: wire.FromServer, Kind: wire.Line, Data: []byte("* BYE Logging out\r\n")})
	if f := c.Farewell(); f != "" {
		t.Fatalf("a second BYE: %q", f)
	}
	if got := c.TooLong("a7 FETCH 1:* (" + strings.Repeat("X", 50)); !strings.HasPrefix(got, "a7 BAD [LIMIT]") {
		t.Errorf("too long: %q", got)
	}
}

// An extension command that grew past the tap's bound is refused, with
// the facts of the command it answers on the tagged line.
func TestCorrectorAnswersAnOverlongExtensionCommand(t *testing.T) {
	c := &Corrector{srv: &Server{}}
	if !c.Intercepts(newModel(t).line("x1 UID SORT (DATE) UTF-8 ALL\r\n")) {
		t.Fatal("UID SORT is not intercepted")
	}
	reply, lib, id := c.Answer([]byte("x1 UID SORT (DATE) UTF-8 TEXT {9999999}\r\n"), false, nil)
	if len(reply) != 1 || id != "" || lib != nil {
		t.Fatalf("reply %+v, id %q", reply, id)
	}
	e := reply[0]
	if !strings.HasPrefix(string(e.Data), "x1 BAD [TOOBIG]") || e.Tag != "x1" || e.Answers != "UID SORT" || e.OK {
		t.Fatalf("reply %q tag %q answers %q ok %v", e.Data, e.Tag, e.Answers, e.OK)
	}
}
