package tui

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// sidePane names what the right-hand (or lower) pane shows.
type sidePane int

const (
	paneExplain sidePane = iota // the selected line's full explanation
	paneMailbox                 // what the servers hold right now
	paneLesson                  // the lesson text and steps
)

// String is the pane's tab title.
func (p sidePane) String() string {
	switch p {
	case paneMailbox:
		return "Mailbox"
	case paneLesson:
		return "Lesson"
	}
	return "Explain"
}

// workspace is the live session screen, used by the sandbox and by lessons:
// tabs of named sessions, the conversation of the active one, a side pane,
// the state bar and the input line.
type workspace struct {
	c     *Common
	world world
	box   *inbox
	title string // "Sandbox" or the lesson's title

	sessions []*session
	active   int
	byID     map[wire.SessionID]*session
	// orphans keeps lines of sessions the screen does not own yet: the
	// greeting can arrive before Dial has returned to the UI.
	orphans map[wire.SessionID][]item

	pane       sidePane
	sideOffset int // rows the side pane is scrolled down
	mail       mailState
	mailDirty  atomic.Bool // a refresh is already on its way

	split bool // two sessions side by side: the active one and the next

	picking bool // the sandbox's "open a session" picker is shown
	pickIdx int

	status    string // the result of the last action (saved to ..., errors)
	statusErr bool

	lesson *lessonPanel // nil in the sandbox
	// watch makes a read-only workspace: every session of the world gets a
	// tab as its first line arrives (real mail programs, relay hops), and
	// nothing is typed.
	watch bool
	md    *mdCache // rendered Markdown, shared with the whole program

	stopLines, stopChange func()
	saveDir               string
	// reconnect, when set, opens a session again by name (a lesson's run
	// owns its connections); otherwise the world is dialled.
	reconnect func(name string) (clientConn, error)
}

// workspaceOptions configure a new workspace.
type workspaceOptions struct {
	Title   string       // shown in the header
	Lesson  *lessonPanel // the lesson being played, or nil
	SaveDir string       // where ctrl+s writes transcripts
	MD      *mdCache     // the program's Markdown cache
	Watch   bool         // read-only: show every session of the world
}

func newWorkspace(c *Common, w world, opts workspaceOptions) *workspace {
	ws := &workspace{c: c, world: w, box: newInbox(), title: opts.Title, byID: map[wire.SessionID]*session{},
		orphans: map[wire.SessionID][]item{}, lesson: opts.Lesson, saveDir: opts.SaveDir, md: opts.MD, watch: opts.Watch}
	if ws.md == nil {
		ws.md = &mdCache{}
	}
	if ws.lesson != nil {
		ws.pane = paneLesson
	}
	box := ws.box
	ws.stopLines = w.WatchLines(func(it item) { box.push(lineMsg{it}) })
	ws.stopChange = w.OnChange(func() {
		if ws.mailDirty.CompareAndSwap(false, true) {
			box.push(mailChangedMsg{})
		}
	})
	return ws
}

// Messages that travel through the workspace's inbox.
type (
	lineMsg        struct{ it item }
	mailChangedMsg struct{}
	mailMsg        struct{ state mailState }
	dialMsg        struct {
		name, label string
		conn        clientConn
		err         error
	}
	connDoneMsg struct{ id wire.SessionID }
	savedMsg    struct {
		path string
		err  error
	}
)

// init starts listening and loads the mailbox pane.
func (ws *workspace) init() tea.Cmd {
	return tea.Batch(ws.box.wait(), ws.refreshMail())
}

// close ends every session and stops listening.
func (ws *workspace) close() {
	ws.stopLines()
	ws.stopChange()
	ws.box.stop()
	for _, s := range ws.sessions {
		if s.conn == nil {
			continue // watched, not ours
		}
		s.out.close()
		s.conn.Close()
	}
}

func (ws *workspace) refreshMail() tea.Cmd {
	w := ws.world
	return func() tea.Msg {
		ws.mailDirty.Store(false)
		return mailMsg{w.Mail()}
	}
}

// dial opens a named session off the UI goroutine.
func (ws *workspace) dial(name, label string, role wire.Role) tea.Cmd {
	w := ws.world
	return func() tea.Msg {
		conn, err := w.Dial(role)
		return dialMsg{name: name, label: label, conn: conn, err: err}
	}
}

func (ws *workspace) current() *session {
	if len(ws.sessions) == 0 {
		return nil
	}
	return ws.sessions[ws.active]
}

// update handles a message; it returns a command and whether the screen
// wants to go back home.
func (ws *workspace) update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case inboxMsg:
		if msg.from != ws.box {
			return nil, false // from a workspace closed since
		}
		var cmds []tea.Cmd
		for _, m := range msg.msgs {
			cmd, _ := ws.update(m)
			cmds = append(cmds, cmd)
		}
		if ws.lesson != nil {
			cmds = append(cmds, ws.lesson.check(ws))
		}
		cmds = append(cmds, ws.box.wait())
		return tea.Batch(cmds...), false
	case lineMsg:
		return ws.onLine(msg.it), false
	case mailChangedMsg:
		return ws.refreshMail(), false
	case mailMsg:
		ws.mail = msg.state
		if ws.lesson != nil {
			return ws.lesson.check(ws), false
		}
	case dialMsg:
		return ws.onDial(msg), false
	case connDoneMsg:
		if s := ws.byID[msg.id]; s != nil {
			s.closed = true
			s.out.close()
			s.mode, s.body = modeLine, nil
		}
	case writeResult:
		if s := ws.byID[msg.session]; s != nil {
			if msg.err != nil {
				if msg.startTLS {
					s.problem = "TLS handshake failed: " + msg.err.Error()
				} else {
					s.problem = "could not send: " + msg.err.Error()
				}
			} else if msg.startTLS {
				s.encrypted = true
			}
		}
	case savedMsg:
		if msg.err != nil {
			ws.setStatus("could not save the transcript: "+msg.err.Error(), true)
		} else {
			ws.setStatus("transcript saved to "+msg.path, false)
		}
	case tea.MouseMsg:
		ws.onMouse(msg)
	case tea.KeyMsg:
		return ws.onKey(msg)
	}
	return nil, false
}

func (ws *workspace) setStatus(s string, isErr bool) {
	ws.status, ws.statusErr = s, isErr
}

// onLine routes an annotated line to its session.
func (ws *workspace) onLine(it item) tea.Cmd {
	s := ws.byID[it.Session]
	if s == nil && ws.watch && it.Session != "" {
		s = newWatchedSession(it)
		ws.sessions = append(ws.sessions, s)
		ws.byID[it.Session] = s
		if len(ws.sessions) == 1 {
			ws.active = 0
		}
	}
	if s == nil && ws.lesson != nil {
		s = ws.lesson.relayHop(ws, it)
	}
	if s == nil {
		// Keep a bounded backlog for sessions not claimed yet.
		if len(ws.orphans) < 64 && len(ws.orphans[it.Session]) < 256 {
			ws.orphans[it.Session] = append(ws.orphans[it.Session], it)
		}
		return nil
	}
	return ws.deliver(s, it)
}

func (ws *workspace) deliver(s *session, it item) tea.Cmd {
	s.convo.add(it)
	if it.State != "" {
		s.state = it.State
		s.input.completions = commandWords(s.proto(), s.state)
	}
	if it.Kind == wire.TLS {
		s.encrypted = true
	}
	if s.conn == nil {
		// A watched session: nothing to send, only to show.
		if it.Kind == wire.Close {
			s.closed = true
		}
		return nil
	}
	var cmds []tea.Cmd
	if s.onServerLine(it) {
		if err := s.out.enqueue(writeOp{startTLS: true}); err != nil {
			s.problem = err.Error()
		}
	}
	return tea.Batch(cmds...)
}

func (ws *workspace) onDial(msg dialMsg) tea.Cmd {
	if msg.err != nil {
		ws.setStatus(fmt.Sprintf("could not open %s: %v", msg.name, msg.err), true)
		return nil
	}
	box := ws.box
	var s *session
	// Reconnecting keeps the tab, its history and its conversation.
	for _, old := range ws.sessions {
		if old.name == msg.name {
			s = old
			delete(ws.byID, old.id)
			s.conn, s.id, s.role = msg.conn, msg.conn.Session(), msg.conn.Role()
			s.closed, s.encrypted, s.state, s.problem, s.tlsAsked = false, false, "", "", false
			s.mode, s.body = modeLine, nil
		}
	}
	if s == nil {
		s = newSession(msg.name, msg.label, msg.conn)
		ws.sessions = append(ws.sessions, s)
		ws.active = len(ws.sessions) - 1
	}
	s.encrypted = msg.conn.Encrypted()
	s.out = newWriter(msg.conn, func(r writeResult) { box.push(r) })
	ws.byID[s.id] = s
	conn := msg.conn
	go func() {
		<-conn.Done()
		box.push(connDoneMsg{conn.Session()})
	}()
	var cmds []tea.Cmd
	for _, it := range ws.orphans[s.id] {
		cmds = append(cmds, ws.deliver(s, it))
	}
	delete(ws.orphans, s.id)
	return tea.Batch(cmds...)
}

// body is the box the conversation and side pane share.
func (ws *workspace) layout() (convoW, convoH, sideW, sideH int, stacked bool) {
	w, h := ws.c.Width, ws.c.Height-ws.chromeHeight()
	if h < 1 {
		h = 1
	}
	switch {
	case w >= 90:
		sideW = w * 2 / 5
		if sideW > 64 {
			sideW = 64
		}
		return w - sideW - 1, h, sideW, h, false
	case h >= 16:
		sideH = h * 2 / 5
		if ws.pane == paneLesson {
			sideH = h / 2 // the lesson's text needs the room
		}
		return w, h - sideH, w, sideH, true
	default:
		return w, h, 0, 0, false
	}
}

// chromeHeight counts the rows that are not conversation: header, state
// bar, input (and a body being typed), status and help.
func (ws *workspace) chromeHeight() int {
	n := 4 // header, state bar, input, help
	if s := ws.current(); s != nil && s.mode != modeLine {
		n += min(len(s.body), 4) + 1
	}
	if ws.statusText() != "" {
		n++
	}
	return n
}

func (ws *workspace) onMouse(msg tea.MouseMsg) {
	s := ws.current()
	if s == nil || msg.Action != tea.MouseActionPress {
		return
	}
	cw, ch, sw, _, stacked := ws.layout()
	// The wheel scrolls the pane under the pointer (row 0 is the header).
	overSide := sw > 0 && ((!stacked && msg.X > cw) || (stacked && msg.Y > ch))
	switch {
	case overSide && msg.Button == tea.MouseButtonWheelUp:
		ws.sideOffset = max(0, ws.sideOffset-3)
	case overSide && msg.Button == tea.MouseButtonWheelDown:
		ws.sideOffset += 3
	case msg.Button == tea.MouseButtonWheelUp:
		s.convo.scroll(-3, cw, ch, &ws.c.Styles)
	case msg.Button == tea.MouseButtonWheelDown:
		s.convo.scroll(3, cw, ch, &ws.c.Styles)
	}
}

func (ws *workspace) onKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	km := ws.c.KeyMap
	st := &ws.c.Styles
	if ws.picking {
		return ws.onPickerKey(msg)
	}
	s := ws.current()
	cw, ch, _, _, _ := ws.layout()
	// Any key clears the last status message.
	ws.status = ""
	switch {
	case key.Matches(msg, km.Back):
		if s != nil && s.mode == modeBody && len(s.body) > 0 {
			s.body = nil // start the body again; the server still waits for "."
			return nil, false
		}
		return nil, true
	case key.Matches(msg, km.Pane):
		ws.cyclePane()
		ws.sideOffset = 0
		return nil, false
	case key.Matches(msg, km.SideUp):
		ws.sideOffset = max(0, ws.sideOffset-5)
		return nil, false
	case key.Matches(msg, km.SideDown):
		ws.sideOffset += 5
		return nil, false
	case key.Matches(msg, km.NewSession):
		if ws.lesson == nil && !ws.watch {
			ws.picking, ws.pickIdx = true, 0
		}
		return nil, false
	case key.Matches(msg, km.Save):
		return ws.save(), false
	case key.Matches(msg, km.Drop):
		if cur := ws.current(); cur != nil && cur.conn != nil {
			// No QUIT, no LOGOUT: the connection just ends, as when a
			// network fails. In a lesson the run forgets the connection too.
			if ws.lesson != nil {
				ws.lesson.run.Drop(cur.name)
			} else {
				cur.conn.Close()
			}
			ws.setStatus("connection dropped without QUIT, as if the network failed", false)
		}
		return nil, false
	case key.Matches(msg, km.Split):
		ws.split = !ws.split
		if ws.split && len(ws.sessions) < 2 {
			ws.setStatus("side by side needs two sessions: ctrl+t opens another", true)
			ws.split = false
		}
		return nil, false
	}
	if ws.lesson != nil {
		if cmd, ok := ws.lesson.onKey(ws, msg); ok {
			return cmd, false
		}
	}
	if s == nil {
		return nil, false
	}
	switch {
	case key.Matches(msg, km.NextSession):
		ws.active = (ws.active + 1) % len(ws.sessions)
	case key.Matches(msg, km.PrevSession):
		ws.active = (ws.active + len(ws.sessions) - 1) % len(ws.sessions)
	case msg.Alt && msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && msg.Runes[0] <= '9':
		if i := int(msg.Runes[0] - '1'); i < len(ws.sessions) {
			ws.active = i
		}
	case key.Matches(msg, km.SelectUp):
		ws.sideOffset = 0
		s.convo.selectMove(-1, cw, ch, st)
		if ws.pane == paneMailbox {
			ws.pane = paneExplain
		}
	case key.Matches(msg, km.SelectDown):
		ws.sideOffset = 0
		s.convo.selectMove(1, cw, ch, st)
	case key.Matches(msg, km.PageUp):
		s.convo.scroll(-(ch - 1), cw, ch, st)
	case key.Matches(msg, km.PageDn):
		s.convo.scroll(ch-1, cw, ch, st)
	case key.Matches(msg, km.Follow):
		s.convo.unselect()
	case ws.watch:
		// Nothing is typed while watching.
	case key.Matches(msg, km.Send):
		return ws.submit(s), false
	case msg.Paste:
		return ws.paste(s, msg.Runes), false
	default:
		s.input.handleKey(msg)
	}
	return nil, false
}

func (ws *workspace) cyclePane() {
	n := sidePane(2)
	if ws.lesson != nil {
		n = 3
	}
	ws.pane = (ws.pane + 1) % n
}

// submit sends the input line (or adds it to a body being typed).
func (ws *workspace) submit(s *session) tea.Cmd {
	line := s.input.Value()
	// A question's answer is a number: it never needs the connection, and
	// anything else typed under a question is a protocol command.
	if ws.lesson != nil && ws.lesson.wantsAnswer() && ws.lesson.isAnswer(line) && !(line == "" && s.closed) {
		s.input.Reset("")
		return ws.lesson.answer(ws, line)
	}
	if s.closed {
		if line == "" && ws.reconnect != nil {
			conn, err := ws.reconnect(s.name)
			return ws.onDial(dialMsg{name: s.name, label: s.label, conn: conn, err: err})
		}
		if line == "" {
			return ws.dial(s.name, s.label, s.role)
		}
		s.problem = "the connection is closed: press Enter on an empty line to reconnect"
		return nil
	}
	if line == "" && s.mode == modeLine && s.input.acceptGhost() {
		// Enter under the step's grey suggestion: newcomers take it for
		// text already typed. Sending an empty line would only earn an
		// error; the suggestion goes into the line instead, to be read,
		// edited or sent with a second Enter.
		ws.setStatus("the suggested command is in the line now: Enter sends it, or edit it first", false)
		return nil
	}
	return ws.sendLine(s, line)
}

// sendLine sends one typed line of the active session.
func (ws *workspace) sendLine(s *session, line string) tea.Cmd {
	data, err := s.submit(line)
	if err != nil {
		s.problem = err.Error()
		return nil
	}
	s.problem = ""
	if s.mode == modeLine || s.mode == modeLiteral {
		s.input.Reset(line)
	} else {
		s.input.Reset("")
	}
	if data != nil {
		if err := s.out.enqueue(writeOp{data: data}); err != nil {
			s.problem = err.Error()
		}
	}
	if ws.lesson != nil && s.mode == modeLine {
		ws.lesson.sentLine(ws, line)
	}
	// The newest line is what the learner wants to see after sending.
	s.convo.unselect()
	return nil
}

// paste types pasted text: every complete line is submitted as if typed
// and Enter pressed, the last partial line stays in the input.
func (ws *workspace) paste(s *session, rs []rune) tea.Cmd {
	text := strings.ReplaceAll(string(rs), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	for _, l := range lines[:len(lines)-1] {
		s.input.insert([]rune(l))
		ws.submit(s)
	}
	s.input.insert([]rune(lines[len(lines)-1]))
	return nil
}

// view draws the whole screen.
func (ws *workspace) view() string {
	st := &ws.c.Styles
	w := ws.c.Width
	var out []string
	out = append(out, ws.headerView())
	cw, ch, sw, sh, stacked := ws.layout()
	s := ws.current()
	var convoRows []string
	if s != nil && ws.split && len(ws.sessions) > 1 && !ws.picking {
		convoRows = ws.splitView(cw, ch)
	} else if s != nil {
		convoRows = s.convo.visible(cw, ch, st)
	} else if ws.watch {
		convoRows, _ = ws.md.peek("watch", cw, func() string { return watchMarkdown(ws.world) })
	} else {
		convoRows = []string{st.Subtle.Render("  Opening the session…")}
	}
	if ws.picking {
		convoRows = ws.pickerView(cw)
	}
	left := fit(convoRows, cw, ch)
	switch {
	case sw > 0 && !stacked:
		side := fit(ws.sideView(sw, sh), sw, sh)
		out = append(out, joinColumns(st.Faint.Render("│"), left, side)...)
	case sw > 0:
		out = append(out, left...)
		out = append(out, fit(ws.sideView(sw, sh), sw, sh)...)
	default:
		out = append(out, left...)
	}
	out = append(out, ws.stateBar(w))
	if s != nil && s.mode != modeLine {
		out = append(out, st.Subtle.Render(ansi.Truncate(s.modeHint(), w, "…")))
		body := s.body
		if len(body) > 4 {
			body = body[len(body)-4:]
		}
		for _, l := range body {
			out = append(out, st.Payload.Render(ansi.Truncate("  │ "+printable(strings.TrimSuffix(l, "\r\n")), w, "…")))
		}
	}
	out = append(out, ws.inputView(w))
	if t := ws.statusText(); t != "" {
		style := st.Success
		if ws.statusErr || (s != nil && s.problem != "" && ws.status == "") {
			style = st.Error
		}
		out = append(out, style.Render(ansi.Truncate(t, w, "…")))
	}
	help := ws.c.KeyMap.SessionShortHelp(ws.lesson != nil)
	if ws.watch {
		help = ws.c.KeyMap.WatchShortHelp()
	}
	out = append(out, ws.c.helpLine(help, w))
	return strings.Join(fit(out, w, ws.c.Height), "\n")
}

// newWatchedSession is a tab for a session the TUI did not open.
func newWatchedSession(it item) *session {
	label := string(it.Session) + " " + string(it.Role)
	return &session{name: string(it.Session), label: label, role: it.Role, id: it.Session, convo: newConvo()}
}

// splitView draws the active session and the next one side by side, each
// under its name, so a learner sees "laptop" and "phone" react to the same
// mailbox at once.
func (ws *workspace) splitView(w, h int) []string {
	st := &ws.c.Styles
	lw := (w - 1) / 2
	rw := w - 1 - lw
	pane := func(s *session, pw int, active bool) []string {
		title := st.Tab.Render(s.label)
		if active {
			title = st.TabActive.Render(s.label)
		}
		return fit(append([]string{title}, s.convo.visible(pw, h-1, st)...), pw, h)
	}
	a := ws.sessions[ws.active]
	b := ws.sessions[(ws.active+1)%len(ws.sessions)]
	return joinColumns(st.Faint.Render("┆"), pane(a, lw, true), pane(b, rw, false))
}

// statusText is the line under the input: the last action's result or the
// active session's problem.
func (ws *workspace) statusText() string {
	if ws.status != "" {
		return ws.status
	}
	if s := ws.current(); s != nil && s.problem != "" {
		return s.problem
	}
	return ""
}

func (ws *workspace) inputView(w int) string {
	st := &ws.c.Styles
	s := ws.current()
	if ws.watch {
		return st.Faint.Render(ansi.Truncate("Watching: mail programs talk, you read. ctrl+n/ctrl+p switch sessions, shift+↑/↓ selects a line.", w, "…"))
	}
	if s == nil {
		return st.Faint.Render("> ")
	}
	if ws.lesson != nil && ws.lesson.wantsAnswer() {
		return s.input.view(ws.lesson.answerPrompt(), w, st, true)
	}
	if s.closed && s.input.Value() == "" {
		return st.Prompt.Render(s.prompt()) + st.Ghost.Render("connection closed — Enter reconnects")
	}
	return s.input.view(s.prompt(), w, st, !ws.picking)
}

// headerView is the title, the session tabs and the screen's name.
func (ws *workspace) headerView() string {
	st := &ws.c.Styles
	w := ws.c.Width
	head := st.Title.Render("mailtutor") + " "
	for i, s := range ws.sessions {
		label := fmt.Sprintf("%d %s", i+1, s.label)
		if s.closed {
			label += " ✕"
		}
		if i == ws.active {
			head += st.TabActive.Render(label)
		} else {
			head += st.Tab.Render(label)
		}
	}
	right := st.Subtle.Render(ws.title)
	gap := w - ansi.StringWidth(head) - ansi.StringWidth(right)
	if gap < 1 {
		return ansi.Truncate(head, w, "…")
	}
	return head + strings.Repeat(" ", gap) + right
}

// stateBar shows protocol, role, state and TLS of the active session.
func (ws *workspace) stateBar(w int) string {
	st := &ws.c.Styles
	s := ws.current()
	if s == nil {
		return st.StateBar.Render(fmt.Sprintf("%-*s", w, " no session"))
	}
	tls := "TLS off (plaintext: anyone on the network can read it)"
	if s.encrypted {
		tls = "TLS on ≡ (encrypted on the network)"
	}
	state := s.state
	if state == "" {
		state = "?"
	}
	if s.closed {
		state = "closed"
	}
	text := fmt.Sprintf(" %s · %s · state: %s · %s · %s", strings.ToUpper(string(s.proto())), s.role, state, tls, s.id)
	text = ansi.Truncate(text, w, "…")
	return st.StateBar.Render(text + strings.Repeat(" ", max(0, w-ansi.StringWidth(text))))
}

// sideView draws the side pane with its tab line.
func (ws *workspace) sideView(w, h int) []string {
	st := &ws.c.Styles
	n := 2
	if ws.lesson != nil {
		n = 3
	}
	var tabs []string
	for i := 0; i < n; i++ {
		name := sidePane(i).String()
		if sidePane(i) == ws.pane {
			tabs = append(tabs, st.PaneTitle.Render("["+name+"]"))
		} else {
			tabs = append(tabs, st.Faint.Render(" "+name+" "))
		}
	}
	title := strings.Join(tabs, "") + st.Faint.Render(" F2")
	lines := []string{title}
	body := w - 1
	var content []string
	switch ws.pane {
	case paneMailbox:
		content = mailboxView(ws.mail, body, st)
	case paneLesson:
		if ws.lesson != nil {
			// The lesson scrolls its text only: title, steps, hints and
			// feedback stay in sight.
			content = ws.lesson.view(ws, body, h-1, ws.sideOffset)
		}
	default:
		content = ws.explainView(body)
	}
	if ws.pane != paneLesson && len(content) > h-1 {
		ws.sideOffset = min(ws.sideOffset, len(content)-(h-1))
		content = content[ws.sideOffset:]
	}
	lines = append(lines, content...)
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return lines
}

// explainView is the selected line's full explanation.
func (ws *workspace) explainView(w int) []string {
	s := ws.current()
	if s == nil {
		return nil
	}
	it, ok := s.convo.current()
	if !ok {
		return wrapText("Nothing said yet. Type a command and press Enter; each line the server answers is explained here.", w)
	}
	out := explainLines(ws.c, ws.md, it, w)
	if s.convo.selected < 0 {
		out = append(out, "", ws.c.Styles.Faint.Render("shift+↑/↓ selects another line"))
	}
	return out
}

// explainKey names an item's rendered explanation in the Markdown cache.
func explainKey(it item) string {
	return "explain/" + string(it.Session) + "/" + strconv.FormatUint(it.Seq, 10)
}

// explainLines explains one line in full: the line, its note, the RFC
// section, the Markdown explanation (rendered once in the background), what
// a mail program shows, and for TLS what an eavesdropper sees.
func explainLines(c *Common, md *mdCache, it item, w int) []string {
	st := &c.Styles
	var out []string
	out = append(out, st.Accent.Render(ansi.Truncate(marker(it)+printable(shorten(it.Text, 200)), w, "…")))
	if it.Note != "" {
		out = append(out, wrapText(printable(it.Note), w)...)
	}
	if it.RFC != "" {
		out = append(out, st.Subtle.Render("See "+it.RFC))
	}
	if it.Detail != "" {
		lines, _ := md.peek(explainKey(it), w, func() string { return it.Detail })
		out = append(out, lines...)
	}
	if it.Client != "" {
		out = append(out, "", st.Subtle.Render("In a mail program:"))
		out = append(out, wrapText(printable(it.Client), w)...)
	}
	if it.Kind == wire.TLS {
		out = append(out, "", st.Subtle.Render("What an eavesdropper sees now:"))
		out = append(out, wrapText(eavesdropperView(it.Seq), w)...)
		out = append(out, "", st.Subtle.Render("The lines after this one are what the two ends read once decrypted: mailtutor taps them between the TLS layer and the server."))
	}
	return out
}

// markdownCmd renders what the side pane shows, if not cached yet.
func (ws *workspace) markdownCmd() tea.Cmd {
	cw, _, sw, _, _ := ws.layout()
	switch {
	case ws.watch && len(ws.sessions) == 0:
		_, cmd := ws.md.get("watch", watchMarkdown(ws.world), ws.c.GlamourStyle, cw)
		return cmd
	case ws.pane == paneLesson && ws.lesson != nil:
		return ws.lesson.markdownCmd(ws)
	case ws.pane == paneExplain && sw > 0:
		if s := ws.current(); s != nil {
			if it, ok := s.convo.current(); ok && it.Detail != "" {
				_, cmd := ws.md.get(explainKey(it), it.Detail, ws.c.GlamourStyle, sw-1)
				return cmd
			}
		}
	}
	return nil
}

// eavesdropperView shows what TLS records look like on the network: a
// header (type 23, version 3.3, length) and bytes that look random. The
// bytes are made up from the line's number; the real ones are never shown
// because nobody, not even mailtutor's tap, sees them decrypted differently.
func eavesdropperView(seed uint64) string {
	x := seed*2862933555777941757 + 3037000493
	var b strings.Builder
	b.WriteString("17 03 03 00 4a")
	for i := 0; i < 24; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		fmt.Fprintf(&b, " %02x", byte(x>>56))
	}
	b.WriteString(" … (TLS application data: unreadable without the session keys)")
	return b.String()
}

// mailboxView lists every user's mailboxes and messages.
func mailboxView(m mailState, w int, st *Styles) []string {
	var out []string
	if len(m.Users) == 0 {
		return []string{st.Subtle.Render("(loading…)")}
	}
	for _, u := range m.Users {
		out = append(out, st.Accent.Render(ansi.Truncate(u.Address, w, "…")))
		for _, b := range u.Boxes {
			out = append(out, st.Subtle.Render(ansi.Truncate(fmt.Sprintf(" %s (%d)", b.Name, len(b.Messages)), w, "…")))
			for _, msg := range b.Messages {
				flags := strings.Join(msg.Flags, " ")
				line := fmt.Sprintf("  %d %s", msg.UID, printable(msg.Subject))
				if msg.Subject == "" {
					line = fmt.Sprintf("  %d (no subject)", msg.UID)
				}
				text := ansi.Truncate(line, w-min(len(flags), w/3)-1, "…")
				if msg.MarkedDeleted {
					out = append(out, st.Deleted.Render(text)+st.Error.Render(" DELE"))
					continue
				}
				if flags != "" {
					text += " " + st.Flag.Render(ansi.Truncate(flags, w/3, "…"))
				}
				out = append(out, text)
			}
		}
	}
	if m.Outbound > 0 {
		out = append(out, st.Subtle.Render(fmt.Sprintf("outbound queue: %d (never leaves the simulator)", m.Outbound)))
	}
	return out
}
