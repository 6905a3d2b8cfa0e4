package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// lessonPanel plays a lesson inside a workspace: its text in the side
// pane, the current step's goal checked after every batch of lines and
// every change of the world, hints, "show me", questions, step back and
// restart. It owns the lessons.Run, which is not safe for concurrent use:
// every call happens on the UI goroutine.
type lessonPanel struct {
	c        *Common
	md       *mdCache
	run      *lessons.Run
	sim      *simulator.Simulator
	lesson   *lessons.Lesson
	progress *lessons.Progress

	step     int      // the step the panel last saw as current
	hints    []string // hints shown for the current step
	feedback string   // the answer to a question, or what just happened
	goodNews bool     // feedback is a success
	sent     []string // lines the learner sent during the current step
	// showSend and showLine point at the next piece of the current step's
	// solution that "show me" will type.
	showSend, showLine int
	// shown is the line "show me" typed last and the session it typed it
	// in: while it waits there unsent, "show me" points at it again
	// rather than typing the next one over another session.
	shown struct{ session, line string }
	// missing says which part of the goal is not met while another is;
	// stuck is the dead end the step is in (nil: none). Both are worked out
	// at each check, never in view.
	missing string
	stuck   *lessons.Stuck
	// redoing is set while ctrl+r puts the step back (off the UI goroutine).
	redoing bool
	// hops are the relay hops already announced (a session the lesson did
	// not open, that the servers opened between themselves).
	hops map[wire.SessionID]bool
	// hopNote announces the last relay hop; it stays with the step's
	// "well done" when the hop completes the step.
	hopNote string
	// wrongAnswers counts wrong answers to questions (the classroom's
	// progress report, observe.go).
	wrongAnswers int
}

// lessonRedoneMsg reports the end of a redo (ctrl+r).
type lessonRedoneMsg struct {
	run *lessons.Run
	err error
}

// lessonReadyMsg carries a lesson started off the UI goroutine.
type lessonReadyMsg struct {
	id  string
	run *lessons.Run
	sim *simulator.Simulator
	rec *transcripts.Recorder
	err error
}

// restartLessonMsg asks the root to start the lesson again from a fresh
// world.
type restartLessonMsg struct{ id string }

// openLesson starts a lesson in a fresh mail world of its own, in the
// background (resuming saved progress replays the earlier steps' solutions,
// which takes a moment).
func (m *Model) openLesson(id string) tea.Cmd {
	if m.lessons.catalog == nil {
		m.home.notice = "the lessons are still loading"
		return nil
	}
	if ws := m.lessonWS; ws != nil && ws.lesson.lesson.ID == id {
		// Back to the lesson left with esc, as it was.
		m.work, m.screen = ws, screenWork
		return nil
	}
	l, ok := m.lessons.catalog.Lesson(id)
	if !ok {
		m.home.notice = fmt.Sprintf("no lesson %q", id)
		return nil
	}
	resume := 0
	if m.lessons.progress != nil {
		if p := m.lessons.progress.Get(id); !p.Done {
			resume = p.Step
		}
	}
	m.home.notice = "Preparing “" + l.Title + "”…"
	opts, done := m.opts, m.done
	return func() tea.Msg {
		so, _ := simulatorOptions(l.SimulatorOptions(), Options{StateDir: opts.StateDir})
		sim, err := simulator.New(so)
		if err != nil {
			return lessonReadyMsg{id: id, err: err}
		}
		rec := transcripts.NewRecorder(sim, transcripts.RecorderOptions{Title: l.Title})
		run, err := lessons.NewRun(l, sim, rec)
		if err == nil && resume > 0 {
			// The world must look as the learner left it: replay the
			// solutions of the steps done. If that fails, start afresh.
			if ferr := run.FastForward(context.Background(), resume, lessons.PlayOptions{}); ferr != nil {
				run.Close()
				run, err = lessons.NewRun(l, sim, rec)
			}
		}
		if err != nil || isClosed(done) {
			if run != nil {
				run.Close()
			}
			rec.Close()
			sim.Close()
			return lessonReadyMsg{id: id, err: err}
		}
		return lessonReadyMsg{id: id, run: run, sim: sim, rec: rec}
	}
}

// lessonReady shows a started lesson.
func (m *Model) lessonReady(msg lessonReadyMsg) tea.Cmd {
	if msg.run == nil {
		if msg.err != nil {
			m.home.notice = "the lesson could not start: " + msg.err.Error()
		}
		return nil
	}
	if m.quitting {
		msg.run.Close()
		msg.rec.Close()
		msg.sim.Close()
		return nil
	}
	m.closeLesson()
	m.home.notice = ""
	lp := &lessonPanel{c: m.c, md: m.md, run: msg.run, sim: msg.sim, lesson: msg.run.Lesson(), progress: m.lessons.progress}
	lp.step = msg.run.Current()
	w := &liveWorld{sim: msg.sim, rec: msg.rec}
	ws := newWorkspace(m.c, w, workspaceOptions{Title: lp.lesson.Title, Lesson: lp, SaveDir: m.opts.SaveDir, MD: m.md})
	ws.reconnect = func(name string) (clientConn, error) {
		if err := lp.run.Open(name); err != nil {
			return nil, err
		}
		return lp.run.Conn(name), nil
	}
	m.lessonWS = ws
	m.work = ws
	m.screen = screenWork
	cmd := lp.syncSessions(ws)
	lp.syncGhost(ws)
	lp.focusStepSession(ws)
	return tea.Batch(ws.init(), cmd, lp.markdownCmd(ws))
}

// closeLesson ends the lesson being played, if any.
func (m *Model) closeLesson() {
	if m.lessonWS == nil {
		return
	}
	ws := m.lessonWS
	m.lessonWS = nil
	ws.close()
	lp := ws.lesson
	lp.run.Close()
	ws.world.Close()
	lp.sim.Close()
	if m.work == ws {
		m.work = nil
	}
}

func (m *Model) lessonWork() *workspace { return m.lessonWS }

// lessonMessages handles the lesson's own messages at the root.
func (m *Model) lessonMessages(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case lessonReadyMsg:
		return m.lessonReady(msg)
	case lessonRedoneMsg:
		if ws := m.lessonWS; ws != nil && ws.lesson.run == msg.run {
			return ws.lesson.redone(ws, msg)
		}
	case restartLessonMsg:
		if m.lessons.progress != nil {
			m.lessons.progress.Record(msg.id, 0, m.lessons.progress.Get(msg.id).Done)
			m.lessons.progress.Save()
		}
		m.closeLesson()
		m.screen = screenHome
		return m.openLesson(msg.id)
	case lessonProgressMsg:
		m.home.setEntries(m.lessons.entries())
	}
	return nil
}

// lessonProgressMsg tells the root that progress changed (home refreshes).
type lessonProgressMsg struct{}

// syncSessions gives the workspace a tab for every lesson session the run
// has open (steps can open sessions; a reconnect replaces a connection).
func (lp *lessonPanel) syncSessions(ws *workspace) tea.Cmd {
	var cmds []tea.Cmd
	for _, name := range lp.lesson.SessionNames() {
		conn := lp.run.Conn(name)
		if conn == nil {
			continue
		}
		var have *session
		for _, s := range ws.sessions {
			if s.name == name {
				have = s
			}
		}
		if have != nil && have.id == conn.Session() {
			continue
		}
		label := lp.lesson.Sessions[name].Label
		cmds = append(cmds, ws.onDial(dialMsg{name: name, label: label, conn: conn}))
		// A step that connects its own session again (the laptop checks
		// its mail anew) brings that tab to the front, as a new tab is.
		if st := lp.currentStep(); st != nil && lp.stepSession(st) == name {
			for i, s := range ws.sessions {
				if s.name == name {
					ws.active = i
				}
			}
		}
	}
	return tea.Batch(cmds...)
}

// currentStep is the active step, nil when the lesson is finished.
func (lp *lessonPanel) currentStep() *lessons.Step {
	if lp.run.Finished() {
		return nil
	}
	return lp.run.Step(lp.run.Current())
}

// stepSession is the session name a step is typed into.
func (lp *lessonPanel) stepSession(st *lessons.Step) string {
	if st != nil && st.Session != "" {
		return st.Session
	}
	if names := lp.lesson.SessionNames(); len(names) > 0 {
		return names[0]
	}
	return ""
}

// syncGhost shows the step's suggested command in its session's input:
// the first expected command not sent yet in this step.
func (lp *lessonPanel) syncGhost(ws *workspace) {
	for _, s := range ws.sessions {
		s.input.ghost = ""
	}
	st := lp.currentStep()
	if st == nil || st.Kind != lessons.Live {
		return
	}
	name := lp.stepSession(st)
	for _, s := range ws.sessions {
		if s.name != name {
			continue
		}
		for _, e := range st.Expect {
			if !lp.wasSent(e, s.proto() == wire.IMAP) {
				s.input.ghost = e
				return
			}
		}
	}
}

// focusStepSession makes the new step's session the active tab, so that
// what the learner types next goes where the step says.
func (lp *lessonPanel) focusStepSession(ws *workspace) {
	st := lp.currentStep()
	if st == nil || st.Kind != lessons.Live {
		return
	}
	name := lp.stepSession(st)
	for i, s := range ws.sessions {
		if s.name == name {
			ws.active = i
		}
	}
}

// wasSent reports whether the learner already sent the command of an
// expected line in this step (any tag, any arguments).
func (lp *lessonPanel) wasSent(expect string, tagged bool) bool {
	verb := commandOf(expect, tagged)
	for _, l := range lp.sent {
		if commandOf(l, tagged) == verb {
			return true
		}
	}
	return false
}

// commandOf is a line's command word, upper case: the first word, or the
// second after an IMAP tag.
func commandOf(s string, tagged bool) string {
	f := strings.Fields(s)
	if tagged && len(f) > 1 {
		return strings.ToUpper(f[1])
	}
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(f[0])
}

// onStepChange resets what belongs to one step and saves progress.
func (lp *lessonPanel) onStepChange(ws *workspace) tea.Cmd {
	lp.step = lp.run.Current()
	ws.sideOffset = 0
	lp.hints, lp.sent = nil, nil
	lp.showSend, lp.showLine = 0, 0
	lp.shown.session, lp.shown.line = "", ""
	lp.missing, lp.stuck, lp.hopNote = "", nil, ""
	if lp.progress != nil {
		lp.progress.Record(lp.lesson.ID, lp.run.Current(), lp.run.Finished())
		lp.progress.Save()
	}
	cmd := lp.syncSessions(ws)
	lp.syncGhost(ws)
	lp.focusStepSession(ws)
	return tea.Batch(cmd, lp.markdownCmd(ws), func() tea.Msg { return lessonProgressMsg{} })
}

// check re-evaluates the goal; the workspace calls it after each batch of
// lines and each change of the mailboxes.
func (lp *lessonPanel) check(ws *workspace) tea.Cmd {
	if lp.redoing {
		return nil // the redo replays the earlier steps; redone shows the result
	}
	before := lp.run.Current()
	if lp.run.Check() || lp.run.Current() != before {
		lp.feedback, lp.goodNews = "✓ Well done: step "+strconv.Itoa(before+1)+" is done.", true
		if lp.run.Finished() {
			lp.feedback = "★ Lesson complete! esc goes back to the lessons."
		}
		if lp.hopNote != "" {
			lp.feedback += " " + lp.hopNote
			lp.hopNote = ""
		}
		return lp.onStepChange(ws)
	}
	lp.missing = lp.run.Missing()
	lp.stuck = lp.run.Stuck()
	return nil
}

// relayHop gives a relay hop (an SMTP session the servers open between
// themselves, that nobody typed) a read-only tab of its own when it opens,
// and says so in the lesson pane: the journey lesson promises it. It returns
// nil for any other line.
func (lp *lessonPanel) relayHop(ws *workspace, it item) *session {
	if it.Kind != wire.Open || !strings.Contains(it.Text, "relay hop") || lp.run.SessionName(it.Session) != "" {
		return nil
	}
	if lp.hops == nil {
		lp.hops = map[wire.SessionID]bool{}
	}
	if lp.hops[it.Session] {
		return nil
	}
	lp.hops[it.Session] = true
	s := newWatchedSession(it)
	s.label = "relay hop"
	ws.sessions = append(ws.sessions, s)
	ws.byID[it.Session] = s
	lp.hopNote = fmt.Sprintf("↪ A relay hop opened by itself: tab %d shows %s handing the message on, over SMTP, to the server of the recipient's domain (ctrl+n to look).", len(ws.sessions), lp.sim.Hostname())
	lp.feedback, lp.goodNews = lp.hopNote, true
	return s
}

// redo puts the active step back as it began, off the UI goroutine.
func (lp *lessonPanel) redo() tea.Cmd {
	st := lp.currentStep()
	if st == nil || st.Kind != lessons.Live || lp.redoing {
		return nil
	}
	lp.redoing = true
	lp.feedback, lp.goodNews = "Putting the world back as it was when this step began…", false
	run := lp.run
	return func() tea.Msg {
		return lessonRedoneMsg{run: run, err: run.Redo(context.Background())}
	}
}

// redone shows the step again, with its sessions as the step began.
func (lp *lessonPanel) redone(ws *workspace, msg lessonRedoneMsg) tea.Cmd {
	lp.redoing = false
	cmd := lp.onStepChange(ws)
	if msg.err != nil {
		lp.feedback, lp.goodNews = "The step could not be redone: "+msg.err.Error()+". F7 restarts the lesson.", false
	} else {
		lp.feedback, lp.goodNews = "Step "+strconv.Itoa(lp.run.Current()+1)+" again, from the world as it was when it began: the earlier steps were replayed.", true
	}
	return cmd
}

// sentLine records what the learner typed during this step (for the
// ghost text).
func (lp *lessonPanel) sentLine(ws *workspace, line string) {
	lp.sent = append(lp.sent, line)
	lp.syncGhost(ws)
}

// onKey handles the lesson keys.
func (lp *lessonPanel) onKey(ws *workspace, msg tea.KeyMsg) (tea.Cmd, bool) {
	km := lp.c.KeyMap
	switch {
	case key.Matches(msg, km.Hint):
		h := lp.run.Hint()
		if h == "" {
			h = "No hint for this step."
		}
		if lp.stuck = lp.run.Stuck(); lp.stuck != nil && h == lp.stuck.Say {
			// The dead end is the hint, and it is on screen already.
			lp.feedback, lp.goodNews = "The hints no longer work: see “Stuck?” above.", false
		} else if len(lp.hints) == 0 || lp.hints[len(lp.hints)-1] != h {
			lp.hints = append(lp.hints, h)
		}
		ws.pane = paneLesson
	case key.Matches(msg, km.ShowMe):
		lp.showMe(ws)
		ws.pane = paneLesson
	case key.Matches(msg, km.NextStep):
		if lp.run.Next() {
			lp.feedback = ""
			return lp.onStepChange(ws), true
		}
		if st := lp.currentStep(); st != nil {
			lp.feedback, lp.goodNews = "This step is done by doing it: its goal is checked as you type.", false
			if st.Kind == lessons.Question {
				lp.feedback = "Type the number of your answer and press Enter."
			}
		}
	case key.Matches(msg, km.PrevStep):
		if lp.run.Back() {
			lp.feedback = ""
			return lp.onStepChange(ws), true
		}
	case key.Matches(msg, km.Redo):
		return lp.redo(), true
	case key.Matches(msg, km.Restart):
		id := lp.lesson.ID
		return func() tea.Msg { return restartLessonMsg{id} }, true
	default:
		return nil, false
	}
	return lp.markdownCmd(ws), true
}

// showMe types the next piece of the solution into the input line, for the
// learner to read and send with Enter. Opening and dropping connections is
// done at once.
func (lp *lessonPanel) showMe(ws *workspace) {
	st := lp.currentStep()
	if st == nil {
		return
	}
	if st.Kind == lessons.Question {
		lp.feedback, lp.goodNews = "Think first: this one is a question. F3 gives a hint.", false
		return
	}
	for i, sess := range ws.sessions {
		if lp.shown.line != "" && sess.name == lp.shown.session && sess.input.Value() == lp.shown.line {
			ws.active = i
			lp.feedback, lp.goodNews = "Typed for you: press Enter to send it.", false
			return
		}
	}
	sol := lp.run.Solution()
	for lp.showSend < len(sol) {
		s := sol[lp.showSend]
		name := s.Session
		if name == "" {
			name = lp.stepSession(st)
		}
		switch s.Action {
		case "open":
			if err := lp.run.Open(name); err != nil {
				lp.feedback = err.Error()
			}
			lp.syncSessions(ws)
			lp.showSend++
			continue
		case "close":
			if c := lp.run.Conn(name); c != nil {
				c.Close()
			}
			lp.showSend++
			continue
		case "starttls":
			// mailtutor's client starts TLS by itself after the go-ahead.
			lp.showSend++
			continue
		}
		if lp.showLine >= len(s.Lines) {
			lp.showSend++
			lp.showLine = 0
			continue
		}
		var target *session
		for i, sess := range ws.sessions {
			if sess.name == name {
				target = sess
				ws.active = i
			}
		}
		if target == nil {
			lp.showLine++
			return
		}
		// Fit the line to the session's state: never a command the
		// server would refuse now, never a header line at the prompt.
		isBody := len(s.Lines) > 1
		if target.closed {
			lp.feedback, lp.goodNews = "The connection is closed: press Enter on an empty line to reconnect first (or ctrl+r to redo the step).", false
			return
		}
		if isBody && target.mode != modeBody {
			pre, _ := lp.run.Prepare(name, lessons.Body)
			if pre == lessons.Body {
				lp.feedback, lp.goodNews = "Wait for the server's 354 go-ahead: then F4 puts the message in the body.", false
				return
			}
			lp.typeFor(target, name, pre, "First this: the server takes a message only after MAIL FROM, RCPT TO and DATA's 354. Press Enter to send it.")
			return
		}
		if !isBody && target.mode == modeLine {
			pre, skip := lp.run.Prepare(name, s.Lines[lp.showLine])
			if skip {
				lp.showLine++
				continue
			}
			if pre != s.Lines[lp.showLine] {
				lp.typeFor(target, name, pre, "First this: in its state now ("+target.state+") the session needs it before the step's own command. Press Enter to send it.")
				return
			}
		}
		if target.mode == modeBody && lp.showLine == 0 && isBody {
			// A whole message body: put every line but the final one in
			// the body, leave the last for the learner to send.
			target.body = append(target.body, s.Lines[:len(s.Lines)-1]...)
			lp.showLine = len(s.Lines) - 1
		}
		lp.typeFor(target, name, s.Lines[lp.showLine], "Typed for you: press Enter to send it.")
		lp.showLine++
		return
	}
	lp.feedback = "Nothing more to type: the rest is up to the server."
}

// typeFor types a line "show me" chose into a session's input.
func (lp *lessonPanel) typeFor(sess *session, name, line, why string) {
	sess.input.SetValue(line)
	lp.shown.session, lp.shown.line = name, line
	lp.feedback, lp.goodNews = why, false
}

// wantsAnswer reports whether the input line answers a question.
func (lp *lessonPanel) wantsAnswer() bool {
	st := lp.currentStep()
	return st != nil && st.Kind == lessons.Question
}

// isAnswer reports whether a line typed under a question answers it (a
// number, or nothing: Enter alone asks for one) rather than being a
// protocol command.
func (lp *lessonPanel) isAnswer(line string) bool {
	t := strings.TrimSpace(line)
	if t == "" {
		return true
	}
	_, err := strconv.Atoi(t)
	return err == nil
}

func (lp *lessonPanel) answerPrompt() string {
	st := lp.currentStep()
	if st == nil {
		return "answer> "
	}
	return fmt.Sprintf("answer 1-%d> ", len(st.Choices))
}

// answer takes the learner's answer to a question step.
func (lp *lessonPanel) answer(ws *workspace, line string) tea.Cmd {
	st := lp.currentStep()
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || n < 1 || n > len(st.Choices) {
		lp.feedback, lp.goodNews = fmt.Sprintf("Type a number from 1 to %d and press Enter.", len(st.Choices)), false
		return nil
	}
	ok, expl := lp.run.Answer(n - 1)
	if !ok {
		lp.wrongAnswers++
	}
	lp.feedback, lp.goodNews = expl, ok
	ws.pane = paneLesson
	if ok {
		lp.feedback = "✓ Right. " + expl
		return lp.onStepChange(ws)
	}
	return nil
}

// sideWidth is the width the lesson text is rendered at.
func (lp *lessonPanel) sideWidth(ws *workspace) int {
	_, _, sw, _, _ := ws.layout()
	return max(20, sw-2)
}

func (lp *lessonPanel) proseKey(i int) string {
	return "lesson/" + lp.lesson.ID + "/" + strconv.Itoa(i)
}

// prose is the Markdown shown for step i: the introduction with the first,
// and above the others what the step before it showed (its After text).
// i may be the number of steps: the lesson is finished, and only the last
// step's After text is left to show.
func (lp *lessonPanel) prose(i, width int) string {
	md := ""
	if i > 0 {
		md = debrief(lp.run.Step(i - 1))
	}
	if i >= len(lp.lesson.Steps) {
		return md
	}
	st := lp.run.Step(i)
	md += "## " + st.Title + "\n\n" + st.Prose
	if i == 0 && strings.TrimSpace(lp.lesson.Intro) != "" {
		md = lp.lesson.Intro + "\n\n" + md
	}
	if st.Replay != "" {
		md += "\n\n" + replayMarkdown(lp.lesson, i, width)
	}
	return md
}

// debrief is a done step's After text under its title, or "".
func debrief(st *lessons.Step) string {
	if strings.TrimSpace(st.After) == "" {
		return ""
	}
	return "### ✓ " + st.Title + "\n\n" + st.After + "\n\n"
}

// replayMarkdown shows a step's recorded session in the lesson pane, each
// line with its explanation, in the swaks-like text form of the exports,
// wrapped to the pane's width (see wrapHanging).
func replayMarkdown(l *lessons.Lesson, i, width int) string {
	t, err := l.Replay(i)
	if err != nil {
		return "*The recorded session could not be read: " + err.Error() + "*"
	}
	if t == nil {
		return ""
	}
	var b strings.Builder
	if err := transcripts.WriteText(&b, t); err != nil {
		return "*The recorded session could not be shown: " + err.Error() + "*"
	}
	// The code block's own margins take some columns; glamour would
	// break the rest anywhere, even inside an address.
	var wrapped []string
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		wrapped = append(wrapped, wrapHanging(line, max(20, width-8))...)
	}
	fence := "~~~~~~~~"
	return "### The recorded session\n\n" + fence + "\n" + strings.Join(wrapped, "\n") + "\n" + fence + "\n"
}

// wrapHanging wraps one line at w columns between words, its continuation
// lines indented under the line's text, after its marker ("<-  ",
// "   # ", "*** "), so a wrapped line still reads as one.
func wrapHanging(line string, w int) []string {
	if ansi.StringWidth(line) <= w {
		return []string{line}
	}
	indent := len(line) - len(strings.TrimLeft(line, " "))
	if sp := strings.IndexByte(line[indent:], ' '); sp >= 0 {
		indent += sp
		indent += len(line[indent:]) - len(strings.TrimLeft(line[indent:], " "))
	} else {
		indent = 0
	}
	if indent > w/2 {
		indent = 0
	}
	body := wrapText(line[indent:], w-indent)
	out := []string{line[:indent] + body[0]}
	for _, b := range body[1:] {
		out = append(out, strings.Repeat(" ", indent)+b)
	}
	return out
}

// markdownCmd renders the current step's text if it is not cached.
func (lp *lessonPanel) markdownCmd(ws *workspace) tea.Cmd {
	i := lp.run.Current()
	if lp.run.Finished() {
		i = len(lp.lesson.Steps)
	}
	md := lp.prose(i, lp.sideWidth(ws))
	if md == "" {
		return nil
	}
	_, cmd := lp.md.get(lp.proseKey(i), md, lp.c.GlamourStyle, lp.sideWidth(ws))
	return cmd
}

// view draws the lesson pane: title and step list, the step's text, the
// question, hints and feedback.
func (lp *lessonPanel) view(ws *workspace, w, h, offset int) []string {
	st := &lp.c.Styles
	n := len(lp.lesson.Steps)
	cur := lp.run.Current()
	var head []string
	head = append(head, st.Accent.Render(ansi.Truncate(lp.lesson.Title, w, "…")))
	// A window of the step list around the current step (only the current
	// one in a short pane).
	span := 3
	if h < 16 {
		span = 1
	}
	from := max(0, min(cur-span/2, n-span))
	for i := from; i < min(n, from+span); i++ {
		title := fmt.Sprintf("%d. %s", i+1, lp.run.Step(i).Title)
		switch lp.run.Status(i) {
		case lessons.Done:
			head = append(head, st.StepDone.Render(ansi.Truncate("✓ "+title, w, "…")))
		case lessons.Active:
			head = append(head, st.StepNow.Render(ansi.Truncate("▸ "+title, w, "…")))
		default:
			head = append(head, st.StepTodo.Render(ansi.Truncate("  "+title, w, "…")))
		}
	}
	var tail []string
	step := lp.currentStep()
	if step != nil {
		switch step.Kind {
		case lessons.Question:
			tail = append(tail, "")
			for _, l := range wrapText(step.QuestionText, w) {
				tail = append(tail, st.Accent.Render(l))
			}
			for i, c := range step.Choices {
				tail = append(tail, wrapText(fmt.Sprintf("%d) %s", i+1, c), w)...)
			}
		case lessons.Read:
			tail = append(tail, "", st.Subtle.Render("F5 to go on"))
		default:
			if lp.stuck != nil {
				tail = append(tail, "")
				for _, l := range wrapText("Stuck? "+lp.stuck.Say, w) {
					tail = append(tail, st.Warning.Render(l))
				}
			} else if lp.missing != "" {
				tail = append(tail, "")
				for _, l := range wrapText(lp.missing, w) {
					tail = append(tail, st.Warning.Render(l))
				}
			}
			if lp.run.Met() {
				tail = append(tail, "", st.Success.Render("Goal met."))
			} else if strings.TrimSpace(step.Prose) == "" && lp.stuck == nil && lp.missing == "" {
				// A step with no text of its own: say in plain words
				// what will count as done.
				tail = append(tail, "")
				for _, l := range wrapText("Goal: "+step.Goal.Describe(), w) {
					tail = append(tail, st.Subtle.Render(l))
				}
			}
		}
		for i, hnt := range lp.hints {
			for _, l := range wrapText(fmt.Sprintf("Hint %d: %s", i+1, hnt), w) {
				tail = append(tail, st.Warning.Render(l))
			}
		}
	}
	if lp.feedback != "" {
		style := st.Subtle
		if lp.goodNews {
			style = st.Success
		}
		tail = append(tail, "")
		for _, l := range wrapText(lp.feedback, w) {
			tail = append(tail, style.Render(l))
		}
	}
	var prose []string
	if step != nil {
		width := lp.sideWidth(ws)
		prose, _ = lp.md.peek(lp.proseKey(cur), width, func() string { return lp.prose(cur, width) })
	} else {
		end := len(lp.lesson.Steps)
		if md := lp.prose(end, lp.sideWidth(ws)); md != "" {
			prose, _ = lp.md.peek(lp.proseKey(end), lp.sideWidth(ws), func() string { return md })
		}
		prose = append(append([]string(nil), prose...), "", st.Success.Render("★ You finished this lesson."), "", "F7 plays it again, esc goes back to the lessons.")
	}
	room := h - len(head) - len(tail)
	if room < 0 {
		room = 0
	}
	if len(prose) > room {
		// Scrolled as far as the learner asked, never past the end.
		offset = min(offset, len(prose)-room)
		ws.sideOffset = offset
		// A copy: the rendered lines belong to the Markdown cache.
		prose = append([]string(nil), prose[offset:]...)
		if len(prose) > room {
			prose = prose[:room]
			if room > 0 {
				prose[room-1] = st.Faint.Render("… more: ctrl+pgdn / F10 or the mouse wheel")
			}
		}
	}
	out := append(head, prose...)
	return append(out, tail...)
}
