package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func TestLineEditorEditing(t *testing.T) {
	var e lineEditor
	for _, k := range []tea.KeyMsg{runes("MAIL"), runes(" "), runes("FRM"), press(tea.KeyLeft), runes("O"), press(tea.KeyEnd), runes(":")} {
		e.handleKey(k)
	}
	if got := e.Value(); got != "MAIL FROM:" {
		t.Fatalf("got %q", got)
	}
	e.handleKey(press(tea.KeyCtrlW))
	if got := e.Value(); got != "MAIL " {
		t.Fatalf("ctrl+w: got %q", got)
	}
	e.handleKey(press(tea.KeyCtrlU))
	if e.Value() != "" {
		t.Fatalf("ctrl+u: got %q", e.Value())
	}
}

func TestLineEditorHistory(t *testing.T) {
	var e lineEditor
	e.Reset("USER alice")
	e.Reset("PASS wonderland")
	e.SetValue("ST")
	e.handleKey(press(tea.KeyUp))
	if e.Value() != "PASS wonderland" {
		t.Fatalf("up: %q", e.Value())
	}
	e.handleKey(press(tea.KeyUp))
	e.handleKey(press(tea.KeyUp)) // stays on the oldest
	if e.Value() != "USER alice" {
		t.Fatalf("up up: %q", e.Value())
	}
	e.handleKey(press(tea.KeyDown))
	e.handleKey(press(tea.KeyDown))
	if e.Value() != "ST" {
		t.Fatalf("down back to the draft: %q", e.Value())
	}
}

func TestLineEditorCompletion(t *testing.T) {
	e := lineEditor{completions: commandWords(wire.POP3, "")}
	e.SetValue("st")
	e.handleKey(press(tea.KeyTab))
	if e.Value() != "st" { // STAT and STLS share only "ST"
		t.Fatalf("tab: %q", e.Value())
	}
	e.SetValue("re")
	e.handleKey(press(tea.KeyTab)) // RETR, RSET? only RETR starts with RE
	if e.Value() != "reTR " {
		t.Fatalf("tab completes the one match: %q", e.Value())
	}
	// IMAP: the word after the tag completes.
	e = lineEditor{completions: commandWords(wire.IMAP, "")}
	e.SetValue("a1 LOGI")
	e.handleKey(press(tea.KeyTab))
	if e.Value() != "a1 LOGIN " {
		t.Fatalf("tab after the tag: %q", e.Value())
	}
}

func TestLineEditorGhost(t *testing.T) {
	e := lineEditor{ghost: "EHLO laptop.example.com"}
	e.SetValue("eh")
	if e.ghostRest() != "LO laptop.example.com" {
		t.Fatalf("ghost rest %q", e.ghostRest())
	}
	e.handleKey(press(tea.KeyTab))
	if e.Value() != "ehLO laptop.example.com" {
		t.Fatalf("tab accepts the ghost: %q", e.Value())
	}
	e.SetValue("X")
	if e.ghostRest() != "" {
		t.Fatal("a ghost that does not match what was typed must hide")
	}
}

func newTestSession(role wire.Role) *session {
	s := &session{name: "t", role: role, convo: newConvo()}
	return s
}

func TestSMTPBodyMode(t *testing.T) {
	s := newTestSession(wire.RoleMX)
	if data, _ := s.submit("DATA"); string(data) != "DATA\r\n" {
		t.Fatalf("DATA sent as %q", data)
	}
	s.onServerLine(item{Dir: wire.FromServer, Kind: wire.Line, Text: "354 Start mail input", Answers: "DATA", OK: true})
	if s.mode != modeBody {
		t.Fatal("354 must start the body")
	}
	for _, l := range []string{"Subject: hi", "", "Hello"} {
		if data, _ := s.submit(l); data != nil {
			t.Fatalf("body line %q sent early", l)
		}
	}
	data, _ := s.submit(".")
	if string(data) != "Subject: hi\r\n\r\nHello\r\n.\r\n" {
		t.Fatalf("body sent as %q", data)
	}
	if s.mode != modeLine {
		t.Fatal("the final dot ends the body")
	}
}

// A resumed lesson replays its earlier steps on the connection itself,
// body included: the reply that follows the body ends body mode, or the
// learner's next command would be typed into a message already sent.
func TestSMTPBodySentElsewhereEndsBodyMode(t *testing.T) {
	s := newTestSession(wire.RoleMX)
	s.onServerLine(item{Dir: wire.FromServer, Kind: wire.Line, Text: "354 Start mail input", Answers: "DATA", OK: true})
	s.onServerLine(item{Dir: wire.FromServer, Kind: wire.Line, Text: "250 2.0.0 OK: queued as 00000001", Answers: "<body>", OK: true})
	if s.mode != modeLine {
		t.Fatal("still in body mode after the message was accepted")
	}
	if data, _ := s.submit("QUIT"); string(data) != "QUIT\r\n" {
		t.Fatalf("QUIT sent as %q", data)
	}
}

func TestIMAPLiteralMode(t *testing.T) {
	s := newTestSession(wire.RoleIMAP)
	if data, _ := s.submit("a APPEND INBOX {11}"); string(data) != "a APPEND INBOX {11}\r\n" {
		t.Fatalf("sent %q", data)
	}
	if s.mode != modeLiteral || s.literalNeed != 11 {
		t.Fatalf("literal mode not entered: %v %d", s.mode, s.literalNeed)
	}
	if _, err := s.submit("this line is far too long"); err == nil {
		t.Fatal("a line longer than the literal must be refused")
	}
	if data, _ := s.submit("Hi: x"); data != nil { // 5 + CRLF = 7 of 11
		t.Fatal("sent early")
	}
	data, err := s.submit("abcd") // exactly the 4 bytes left, no CRLF
	if err != nil || string(data) != "Hi: x\r\nabcd" {
		t.Fatalf("literal sent as %q (%v)", data, err)
	}
	if s.mode != modeLine {
		t.Fatal("the literal is complete")
	}
}

func TestStartTLSGoAhead(t *testing.T) {
	cases := []struct {
		role  wire.Role
		cmd   string
		reply string
		want  bool
	}{
		{wire.RoleSubmission, "STARTTLS", "220 2.0.0 Ready to start TLS", true},
		{wire.RoleSubmission, "STARTTLS", "454 4.7.0 TLS not available", false},
		{wire.RolePOP3, "STLS", "+OK Begin TLS negotiation", true},
		{wire.RolePOP3, "STLS", "-ERR no", false},
		{wire.RoleIMAP, "a1 STARTTLS", "a1 OK Begin TLS negotiation now", true},
		{wire.RoleIMAP, "a1 STARTTLS", "a1 BAD no", false},
	}
	for _, c := range cases {
		s := newTestSession(c.role)
		s.submit(c.cmd)
		// The protocol model works out which command each reply answers,
		// as the recorder's lines carry it to the screen.
		split := wire.NewSplitter(c.role.Proto())
		greeting := map[wire.Proto]string{wire.SMTP: "220 mx ready\r\n", wire.POP3: "+OK ready\r\n", wire.IMAP: "* OK ready\r\n"}
		split.Server([]byte(greeting[c.role.Proto()]), func(wire.Piece) {})
		split.Client([]byte(c.cmd+"\r\n"), func(wire.Piece) {})
		serverItem := func(text string) (it item) {
			split.Server([]byte(text+"\r\n"), func(p wire.Piece) {
				it = item{Dir: wire.FromServer, Kind: wire.Line, Text: text, Tag: p.Tag, Answers: p.Answers, OK: p.OK}
			})
			return it
		}
		if c.role == wire.RoleIMAP {
			// An untagged line is not the answer.
			if s.onServerLine(serverItem("* OK still here")) {
				t.Fatalf("%s: started on an untagged line", c.role)
			}
		}
		if got := s.onServerLine(serverItem(c.reply)); got != c.want {
			t.Errorf("%s %q: start TLS = %v, want %v", c.role, c.reply, got, c.want)
		}
		if s.tlsAsked {
			t.Errorf("%s: still waiting for the go-ahead", c.role)
		}
	}
}

func TestPrintableBinary(t *testing.T) {
	got := printable("a\x00b\x1b[31mc\xff\td")
	if strings.ContainsAny(got, "\x00\x1b\t") {
		t.Fatalf("control bytes left in %q", got)
	}
	if got != `a\x00b\x1b[31mc\xff  d` {
		t.Fatalf("got %q", got)
	}
}

func TestConvoHugeLineIsBounded(t *testing.T) {
	st := DefaultStyles(testRenderer(), true)
	c := newConvo()
	c.add(item{Dir: wire.FromServer, Kind: wire.Line, Text: strings.Repeat("x", 1<<20)})
	rows := c.itemRows(0, 60, &st)
	if len(rows) > 60 {
		t.Fatalf("a 1 MB line takes %d rows", len(rows))
	}
	if !strings.Contains(strings.Join(rows, ""), "more not shown") {
		t.Fatal("the cut is not said")
	}
}

func TestConvoScrollAndSelect(t *testing.T) {
	st := DefaultStyles(testRenderer(), true)
	c := newConvo()
	for i := 0; i < 100; i++ {
		c.add(item{Seq: uint64(i), Dir: wire.FromClient, Kind: wire.Line, Text: "NOOP", Note: "does nothing"})
	}
	const w, h = 40, 10
	if rows := c.visible(w, h, &st); len(rows) != h || !strings.Contains(rows[h-1], "does nothing") {
		t.Fatalf("following: %q", rows)
	}
	c.scroll(-1000, w, h, &st)
	if c.follow || c.topItem != 0 {
		t.Fatalf("scrolled to the top: follow=%v top=%d", c.follow, c.topItem)
	}
	c.scroll(1000, w, h, &st)
	if !c.follow {
		t.Fatal("back at the bottom follows again")
	}
	c.selectMove(-1, w, h, &st)
	if c.selected != 99 {
		t.Fatalf("selected %d", c.selected)
	}
	for i := 0; i < 200; i++ {
		c.selectMove(-1, w, h, &st)
	}
	if c.selected != 0 {
		t.Fatalf("selected %d", c.selected)
	}
	rows := c.visible(w, h, &st)
	if !strings.Contains(rows[0], "▌") {
		t.Fatalf("the selected line is not shown at the top: %q", rows[0])
	}
}

func TestHomeFilter(t *testing.T) {
	c := Common{Width: 80, Height: 24, look: &look{Styles: DefaultStyles(testRenderer(), true)}, KeyMap: DefaultKeyMap()}
	h := newHome(c)
	h.setEntries([]menuEntry{{kind: entryLesson, group: "SMTP", lessonID: "a", title: "Your first SMTP conversation"},
		{kind: entryLesson, group: "POP3", lessonID: "b", title: "POP3 basics"}})
	h.Update(runes("pop"))
	if e, _ := h.selected(); e.lessonID != "b" {
		t.Fatalf("filter pop selects %+v", e)
	}
	h.Update(runes("zzz"))
	if len(h.shown) != 0 || !strings.Contains(h.View(), "Nothing matches") {
		t.Fatal("a filter matching nothing says so")
	}
	h.Update(press(tea.KeyEsc))
	if len(h.shown) != len(h.entries) {
		t.Fatal("esc clears the filter")
	}
}

func TestDecideDark(t *testing.T) {
	light, dark := false, true
	if decideDark(&light, "dark") || !decideDark(&dark, "light") {
		t.Fatal("the explicit option wins")
	}
	t.Setenv("COLORFGBG", "0;15")
	if decideDark(nil, "") {
		t.Fatal("COLORFGBG 0;15 is a light background")
	}
	t.Setenv("COLORFGBG", "15;0")
	if !decideDark(nil, "") {
		t.Fatal("COLORFGBG 15;0 is a dark background")
	}
	if decideDark(nil, "light") {
		t.Fatal("the theme wins over COLORFGBG")
	}
}

// Every screen fits any window, down to 40×10 and below, without panicking.
func TestTinyWindows(t *testing.T) {
	m := sandboxWithLines(t, 50)
	m.replay = newReplayPicker(m.child(), t.TempDir())
	m.replayLoaded(replayMsg{path: "x.jsonl", items: m.sandbox.ws.sessions.current().convo.items})
	for _, size := range [][2]int{{40, 10}, {20, 6}, {1, 1}, {2, 3}, {80, 24}, {200, 60}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		w, h := m.c.Width, m.c.Height
		for _, scr := range []screen{screenHome, screenSandbox, screenReplay} {
			m.screen = scr
			lines := strings.Split(m.View(), "\n")
			if len(lines) != h {
				t.Errorf("%dx%d screen %d: %d lines", w, h, scr, len(lines))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) > w {
					t.Errorf("%dx%d screen %d: line wider than the window: %q", w, h, scr, l)
				}
			}
		}
		m.helpOpen = true
		m.View()
		m.helpOpen = false
	}
}

func TestCommandWordsFollowState(t *testing.T) {
	has := func(list []string, w string) bool {
		for _, x := range list {
			if x == w {
				return true
			}
		}
		return false
	}
	auth := commandWords(wire.POP3, "AUTHORIZATION")
	trans := commandWords(wire.POP3, "TRANSACTION")
	if !has(auth, "USER") || has(auth, "RETR") {
		t.Errorf("POP3 AUTHORIZATION offers %v", auth)
	}
	if !has(trans, "RETR") || has(trans, "USER") {
		t.Errorf("POP3 TRANSACTION offers %v", trans)
	}
	if !has(commandWords(wire.SMTP, "greeted"), "MAIL FROM:<") {
		t.Errorf("SMTP after EHLO offers %v", commandWords(wire.SMTP, "greeted"))
	}
	if !has(commandWords(wire.IMAP, "selected INBOX"), "FETCH") {
		t.Errorf("IMAP selected offers %v", commandWords(wire.IMAP, "selected INBOX"))
	}
}

func TestLiteralSize(t *testing.T) {
	for line, want := range map[string]int{"a APPEND INBOX {11}": 11, "a APPEND INBOX {11+}": 11, "a LOGIN {5}": 5,
		"a NOOP": 0, "a X {}": 0, "a X {+}": 0, "a X {-3}": 0, "a X {0}": 0, "}": 0, "a X {1x}": 0} {
		n, ok := literalSize(line)
		if n != want || ok != (want > 0) {
			t.Errorf("%q: %d %v, want %d", line, n, ok, want)
		}
	}
}

// A list item wrapped by hand in the source is one line for glamour, which
// keeps a list item's line breaks; code blocks and paragraphs stay as they
// are.
func TestJoinListLines(t *testing.T) {
	in := "Intro\nwrapped.\n\n- **STARTTLS**: the\n  connection starts in clear text,\n  then TLS.\n- two\n  lines\n1. first\n   step\n\n```\n- code\n  stays\n```\n  indented paragraph\n"
	want := "Intro\nwrapped.\n\n- **STARTTLS**: the connection starts in clear text, then TLS.\n- two lines\n1. first step\n\n```\n- code\n  stays\n```\n  indented paragraph\n"
	if got := joinListLines(in); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A recorded line too long for the lesson pane wraps between words, its
// continuation under the line's text rather than under its marker.
func TestWrapHanging(t *testing.T) {
	got := wrapHanging("     # new connection to the pop3 listener (POP3: download mail)", 30)
	want := []string{
		"     # new connection to the",
		"       pop3 listener (POP3:",
		"       download mail)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s", strings.Join(got, "\n"))
	}
	if got := wrapHanging("<-  +OK ready", 30); len(got) != 1 || got[0] != "<-  +OK ready" {
		t.Errorf("a short line: %q", got)
	}
}
