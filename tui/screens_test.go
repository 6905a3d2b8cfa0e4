package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// Every screen and pane keeps the one contract.
var (
	_ Component = (*home)(nil)
	_ Component = (*page)(nil)
	_ Component = (*replayScreen)(nil)
	_ Component = (*sandboxScreen)(nil)
	_ Component = (*lessonScreen)(nil)
	_ Component = (*watchScreen)(nil)
	_ Component = (*conversation)(nil)
	_ Component = (*sidePanel)(nil)
	_ Component = (*stateBar)(nil)
	_ Component = (*inputLine)(nil)
	_ sidePane  = (*explainPane)(nil)
	_ sidePane  = (*mailboxPane)(nil)
	_ sidePane  = (*lessonPane)(nil)
)

// Each child model is tried at the two terminals the learner's screen is
// checked at (see stuck_test.go's sizes).
func eachScreenSize(t *testing.T, fn func(t *testing.T, w, h int)) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) { fn(t, sz.w, sz.h) })
	}
}

// testCommon is a colourless Common of a given size, with its own request
// list, as NewModel builds it.
func testCommon(w, h int) Common {
	return Common{Width: w, Height: h, look: &look{Styles: DefaultStyles(testRenderer(), true), GlamourStyle: "notty"},
		KeyMap: DefaultKeyMap(), Renderer: testRenderer(), markdown: &mdCache{}, requests: &requests{}}
}

// fits checks that a view is exactly h rows of at most w columns.
func fits(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("%d rows, want %d:\n%s", len(lines), h, v)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Errorf("row wider than %d: %q", w, l)
		}
	}
}

// driver runs a child model as Bubble Tea would: commands on their own
// goroutines, their messages back into Update, one at a time.
type driver struct {
	t    *testing.T
	c    Component
	msgs chan tea.Msg
	done chan struct{}
}

func drive(t *testing.T, c Component) *driver {
	d := &driver{t: t, c: c, msgs: make(chan tea.Msg), done: make(chan struct{})}
	t.Cleanup(func() { close(d.done) })
	return d
}

// do runs a command (a batch's commands each on their own).
func (d *driver) do(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				d.do(c)
			}
			return
		}
		if msg == nil {
			return
		}
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}

// send hands the model a message (a key) and runs its command.
func (d *driver) send(msg tea.Msg) {
	_, cmd := d.c.Update(msg)
	d.do(cmd)
}

// until runs the model until its view shows every string.
func (d *driver) until(want ...string) string {
	d.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		v := d.c.View()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(v, w)
		}
		if ok {
			return v
		}
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("waited for %q; the screen shows:\n%s", want, v)
		}
	}
}

func newTestWorld(t *testing.T) world {
	t.Helper()
	w, err := startLiveWorld(testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestHomeScreen(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		hm := newHome(c)
		hm.loaded([]menuEntry{{kind: entryLesson, group: "SMTP", lessonID: "a", title: "Your first SMTP conversation"}}, "")
		v := hm.View()
		fits(t, v, w, h)
		mustContain(t, v, "Your first SMTP conversation", "Sandbox", "Watch real mail programs")
		hm.Update(press(tea.KeyEnter))
		reqs := c.takeRequests()
		if len(reqs) != 1 || reqs[0].(openRequest).entry.lessonID != "a" {
			t.Fatalf("Enter asks to open the first lesson, got %#v", reqs)
		}
	})
}

func TestHelpPage(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		p := &page{c: c, key: "help", title: "Help", md: helpMarkdown(c.KeyMap, "/tmp/x")}
		fits(t, p.View(), w, h)
		p.Update(press(tea.KeyPgDown))
		mustContain(t, p.View(), "Help")
		p.Update(press(tea.KeyEsc))
		if reqs := c.takeRequests(); len(reqs) != 1 || reqs[0] != (closeHelpRequest{}) {
			t.Fatalf("esc asks to close the page, got %#v", reqs)
		}
	})
}

func TestReplayScreen(t *testing.T) {
	path := writeTestTranscript(t)
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		r := newReplayPicker(c, t.TempDir())
		fits(t, r.View(), w, h)
		mustContain(t, r.View(), "Transcript file")
		r.setPath(path)
		_, cmd := r.Update(press(tea.KeyEnter))
		r.loaded(cmd().(replayMsg))
		v := r.View()
		fits(t, v, w, h)
		mustContain(t, v, "line 1 of")
		r.Update(press(tea.KeyEnd))
		mustContain(t, r.View(), "the end")
		r.Update(press(tea.KeyEsc))
		if reqs := c.takeRequests(); len(reqs) != 1 || reqs[0] != (backRequest{}) {
			t.Fatalf("esc asks to go home, got %#v", reqs)
		}
	})
}

func TestSandboxScreen(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		sb := newSandbox(c, newTestWorld(t), t.TempDir())
		defer sb.close()
		d := drive(t, sb)
		d.do(sb.Init())
		v := sb.View()
		fits(t, v, w, h)
		mustContain(t, v, "Open a session", "Sandbox")
		// 3 is POP3: the dial's result names the sandbox's inbox.
		d.send(runes("3"))
		v = d.until("1 laptop", "+OK")
		fits(t, v, w, h)
		mustContain(t, v, "POP3", "laptop>")
		for _, r := range "USER alice" {
			d.send(runes(string(r)))
		}
		d.send(press(tea.KeyEnter))
		v = d.until("C: USER alice", "S: +OK")
		fits(t, v, w, h)
		// F2 shows the mailboxes, esc asks to go home.
		d.send(press(tea.KeyF2))
		mustContain(t, d.until("alice@example.com"), "[Mailbox]")
		d.send(press(tea.KeyEsc))
		if reqs := c.takeRequests(); len(reqs) != 1 || reqs[0] != (backRequest{}) {
			t.Fatalf("esc asks to go home, got %#v", reqs)
		}
	})
}

// findingsStub is a side pane in the watch screen's seam for findings: it
// shows the session it is told about.
type findingsStub struct {
	noHelp
	c  Common
	id wire.SessionID
}

func (f *findingsStub) Init() tea.Cmd                       { return nil }
func (f *findingsStub) Update(tea.Msg) (tea.Model, tea.Cmd) { return f, nil }
func (f *findingsStub) SetSize(w, h int)                    { f.c.SetSize(w, h) }
func (f *findingsStub) Title() string                       { return "Findings" }
func (f *findingsStub) View() string                        { return "findings of " + string(f.id) }
func (f *findingsStub) followSession(id wire.SessionID, _ *session) {
	f.id = id
}

func TestWatchScreen(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		wld := newTestWorld(t)
		aside := &findingsStub{c: c}
		v := newWatch(c, wld, watchOptions{SaveDir: t.TempDir(), Aside: aside})
		defer v.close()
		d := drive(t, v)
		d.do(v.Init())
		out := v.View()
		fits(t, out, w, h)
		mustContain(t, out, "Watch real mail programs", "wonderland")
		// Another program connects: its session gets a tab by itself.
		conn, err := wld.Dial(wire.RoleIMAP)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		out = d.until("* OK")
		fits(t, out, w, h)
		// Where to connect and the passwords stay in sight.
		mustContain(t, out, string(conn.Session()), "POP3 ", "wonderland")
		if aside.id != conn.Session() {
			t.Errorf("the findings pane follows %q, want %q", aside.id, conn.Session())
		}
		if w >= 90 {
			mustContain(t, out, "[Findings]", "findings of "+string(conn.Session()))
		}
		// Nothing is typed while watching.
		d.send(runes("x"))
		if strings.Contains(v.View(), "> x") {
			t.Error("a key was typed into a watched session")
		}
	})
}

// newTestLesson starts the test lesson in a world of its own, as the root
// does once lessonReadyMsg arrives.
func newTestLesson(t *testing.T, c Common) *lessonScreen {
	t.Helper()
	cat, errs := lessons.Load(false, "testdata/lessons")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l, ok := cat.Lesson("test-hello")
	if !ok {
		t.Fatal("no test lesson")
	}
	so, _ := simulatorOptions(l.SimulatorOptions(), testOptions(t))
	sim, err := simulator.New(so)
	if err != nil {
		t.Fatal(err)
	}
	rec := transcripts.NewRecorder(sim, transcripts.RecorderOptions{Title: l.Title})
	r, err := lessons.NewRun(l, sim, rec)
	if err != nil {
		t.Fatal(err)
	}
	ls := newLessonScreen(c, r, sim, &liveWorld{sim: sim, rec: rec}, nil, t.TempDir())
	t.Cleanup(ls.close)
	return ls
}

func TestLessonScreen(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		ls := newTestLesson(t, c)
		d := drive(t, ls)
		d.do(ls.Init())
		v := d.until("220 ", "server>")
		fits(t, v, w, h)
		mustContain(t, v, "[Lesson]", "▸ 1.")
		// Enter under the suggestion puts it in the line; F3 gives a hint.
		d.send(press(tea.KeyEnter))
		mustContain(t, ls.View(), "server> EHLO laptop.example.com")
		d.send(press(tea.KeyF3))
		mustContain(t, flat(ls.View()), "Hint 1: Type EHLO")
		d.send(press(tea.KeyEnter))
		v = d.until("Well done: step 1")
		fits(t, v, w, h)
		mustContain(t, v, "answer 1-")
		if reqs := c.takeRequests(); len(reqs) == 0 || reqs[len(reqs)-1] != (progressRequest{}) {
			t.Errorf("a step done tells the root progress changed, got %#v", reqs)
		}
		d.send(press(tea.KeyF7))
		if reqs := c.takeRequests(); len(reqs) != 1 || reqs[0] != (restartRequest{"test-hello"}) {
			t.Errorf("F7 asks the root to restart, got %#v", reqs)
		}
	})
}

// The shared panes, each alone at both sizes.
func TestPanes(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		s := &session{name: "laptop", label: "laptop", role: wire.RolePOP3, id: "s1", convo: newConvo()}
		for i := 0; i < 200; i++ {
			s.convo.add(item{Seq: uint64(i + 1), Session: "s1", Dir: wire.FromServer, Kind: wire.Line,
				Text: fmt.Sprintf("+OK line %d", i), Note: "a note", Detail: "**More** about it.", RFC: "RFC 1939 §5"})
		}
		ex := &explainPane{c: c}
		ex.show(s)
		mb := &mailboxPane{c: c}
		mb.setMail(mailState{Users: []mailUser{{Address: "alice@example.com", Boxes: []mailBox{{Name: "INBOX",
			Messages: []mailMessage{{UID: 1, Subject: "Hi", Flags: []string{`\Seen`}}}}}}}})
		side := &sidePanel{c: c, tabs: []sidePane{ex, mb}}
		conv := &conversation{c: c}
		conv.show(s, nil)
		bar := &stateBar{c: c}
		bar.show(s)
		in := &inputLine{c: c}
		in.edit(&s.input, s.prompt(), true)
		for _, p := range []Component{side, conv, bar, in} {
			p.SetSize(w, h)
			v := p.View()
			if n := len(strings.Split(v, "\n")); n > h {
				t.Errorf("%T: %d rows in a box of %d", p, n, h)
			}
			for _, l := range strings.Split(v, "\n") {
				if ansi.StringWidth(l) > w {
					t.Errorf("%T: row wider than %d: %q", p, w, l)
				}
			}
		}
		mustContain(t, side.View(), "[Explain]", "+OK line 199", "RFC 1939 §5")
		side.cycle()
		mustContain(t, side.View(), "[Mailbox]", "alice@example.com", "1 Hi")
		mustContain(t, conv.View(), "S: +OK line 199")
		conv.Update(tea.KeyMsg{Type: tea.KeyShiftUp})
		ex.show(s)
		if ex.it.Seq != 200 || ex.newest {
			t.Errorf("shift+up selects the newest line: %+v", ex.it)
		}
		mustContain(t, bar.View(), "POP3", "TLS off")
		mustContain(t, in.View(), "laptop>")
	})
}

// A live screen's command results name its inbox and reach it when another
// screen is shown: a session dialled just before esc still gets its tab
// (the root used to hand the result to the screen shown, the home menu,
// which dropped it).
func TestDialResultReachesHiddenSandbox(t *testing.T) {
	opts := testOptions(t)
	m := NewModel(opts)
	t.Cleanup(m.shutdown)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(worldMsg{w: newTestWorld(t)})
	m.openSandbox()
	_, cmd := m.Update(runes("3"))
	m.Update(press(tea.KeyEsc))
	if m.screen != screenHome {
		t.Fatalf("esc shows screen %d, want home", m.screen)
	}
	var dialed []tea.Msg
	var collect func(tea.Cmd)
	collect = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				collect(c)
			}
		case dialMsg:
			dialed = append(dialed, msg)
		}
	}
	collect(cmd)
	if len(dialed) != 1 {
		t.Fatalf("pressing 3 dials once, got %d", len(dialed))
	}
	m.Update(dialed[0])
	m.Update(press(tea.KeyEnter)) // the home menu's first entry with no lessons: Sandbox
	mustContain(t, m.View(), "1 laptop", "laptop>")
}

// Options.Projector: the conversation takes the whole width with its
// explanation below it, never beside (no pane border on a conversation
// row), at 120x40 as at 80x24.
func TestProjectorLayout(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		opts := testOptions(t)
		opts.Projector = true
		tm := startTUI(t, opts, w, h)
		waitFor(t, tm, "Sandbox")
		tm.Type("Sandbox")
		tm.Send(press(tea.KeyEnter))
		waitFor(t, tm, "Open a session")
		tm.Type("3") // POP3
		waitFor(t, tm, "+OK", "laptop>")
		typeLine(tm, "USER alice@example.com")
		waitFor(t, tm, "C: USER alice@example.com")
		v := finalView(t, tm)
		explainBelow := false
		for i, l := range strings.Split(v, "\n") {
			if strings.Contains(l, "C: USER") && strings.Contains(l, "│") {
				t.Errorf("row %d has a pane beside the conversation: %q", i, l)
			}
			if strings.Contains(l, "Explain") && strings.Contains(v[:strings.Index(v, l)], "C: USER") {
				explainBelow = true
			}
		}
		if !explainBelow {
			t.Errorf("the explanation pane is not below the conversation:\n%s", v)
		}
	})
}
