package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// screen names what the root model shows.
type screen int

const (
	screenHome    screen = iota // the menu
	screenSandbox               // the sandbox's sessions
	screenLesson                // a lesson being played
	screenWatch                 // other programs' sessions, read only
	screenReplay                // a transcript being replayed
)

// Model is the whole program: a screen enum, the shared Common and one
// concrete child model per screen (the glow/soft-serve shape). Every child
// keeps the Component contract. Its methods have pointer receivers: Bubble
// Tea calls them on the one *Model it was given.
type Model struct {
	opts   Options
	c      *Common // the window's size; children get copies
	screen screen

	home    *home
	sandbox *sandboxScreen // kept while the program runs: going home and back keeps it
	lesson  *lessonScreen  // the lesson being played (its own mail world), or nil
	watch   *watchScreen   // the sandbox world's sessions, read only, or nil
	replay  *replayScreen  // or nil

	helpOpen bool
	help     *page

	// world is the running mail world of the sandbox; nil until started.
	world    world
	worldErr error
	// whenWorld is what to open once the world has started (the learner
	// chose the sandbox during the first second).
	whenWorld func() tea.Cmd

	lessons *lessonLibrary

	quitting bool
	shutDown bool // shutdown has run
	// done is closed by shutdown: a mail world that finishes starting in
	// the background after that closes itself instead of leaking (the
	// classroom runs many programs in one process).
	done chan struct{}

	obs progressObserver // the classroom's progress report (observe.go)
	// mirrored is the world Options.Mirror was last told of (mirror.go).
	mirrored     world
	mirrorLesson struct{ key, md string } // lessonText's last text, by lesson, step and hints
}

// worldMsg reports the sandbox's world started (or failed to).
type worldMsg struct {
	w   world
	err error
}

// closeHelpRequest asks the root to close the F1 page.
type closeHelpRequest struct{}

// Init draws the home screen at once and starts the mail world and the
// lesson catalog in the background: the first frame never waits for them.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.startWorld(), m.loadLessons()}
	if m.opts.Watch {
		m.needWorld(m.openWatch) // opens it as soon as the world runs
	}
	if m.opts.ReplayFile != "" {
		cmds = append(cmds, loadReplay(m.opts.ReplayFile))
	}
	return tea.Batch(cmds...)
}

func (m *Model) startWorld() tea.Cmd {
	start, done := m.opts.newWorld, m.done
	return func() tea.Msg {
		w, err := start()
		if err == nil && isClosed(done) {
			w.Close()
			return nil
		}
		return worldMsg{w, err}
	}
}

// isClosed reports whether ch has been closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// child is the Common a new child starts with: the window's.
func (m *Model) child() Common { return *m.c }

// children are the child models that exist, as components.
func (m *Model) children() []Component {
	out := []Component{m.home, m.help}
	if m.replay != nil {
		out = append(out, m.replay)
	}
	return append(out, m.liveScreens()...)
}

// liveScreens are the screens with a mail world of their own, whose
// background messages reach them shown or not.
func (m *Model) liveScreens() []Component {
	var out []Component
	if m.sandbox != nil {
		out = append(out, m.sandbox)
	}
	if m.lesson != nil {
		out = append(out, m.lesson)
	}
	if m.watch != nil {
		out = append(out, m.watch)
	}
	return out
}

// current is the child shown.
func (m *Model) current() Component {
	switch {
	case m.screen == screenSandbox && m.sandbox != nil:
		return m.sandbox
	case m.screen == screenLesson && m.lesson != nil:
		return m.lesson
	case m.screen == screenWatch && m.watch != nil:
		return m.watch
	case m.screen == screenReplay && m.replay != nil:
		return m.replay
	}
	return m.home
}

// Update handles what is the root's (the window, the world, the catalog,
// quit and help) and routes the rest: keys and the mouse to the child shown,
// a live screen's background messages to that screen, shown or not. What
// the children asked for during the update is done before it returns.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer m.reportProgress()
	defer m.reportMirror()
	if cmd := m.observe(msg); cmd != nil {
		return m, cmd
	}
	cmd := m.route(msg)
	for reqs := m.c.takeRequests(); len(reqs) > 0; reqs = m.c.takeRequests() {
		for _, r := range reqs {
			cmd = tea.Batch(cmd, m.handle(r))
		}
	}
	return m, tea.Batch(cmd, m.markdownCmd())
}

func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.SetSize(max(msg.Width, 1), max(msg.Height, 1))
		for _, c := range m.children() {
			c.SetSize(m.c.Width, m.c.Height)
		}
		return nil
	case worldMsg:
		return m.worldStarted(msg)
	case markdownMsg:
		m.c.markdown.put(msg)
		return nil
	case ColorsMsg:
		m.restyle(msg)
		return nil
	case lessonsLoadedMsg:
		return m.lessonsUpdate(msg)
	case lessonReadyMsg:
		return m.lessonReady(msg)
	case replayMsg:
		return m.replayLoaded(msg)
	case lessonRedoneMsg:
		if m.lesson != nil {
			_, cmd := m.lesson.Update(msg)
			return cmd
		}
		return nil
	case boxed:
		var cmds []tea.Cmd
		for _, c := range m.liveScreens() {
			_, cmd := c.Update(msg)
			cmds = append(cmds, cmd)
		}
		return tea.Batch(cmds...)
	case tea.KeyMsg:
		if key.Matches(msg, m.c.KeyMap.Quit) {
			return m.quit()
		}
		if key.Matches(msg, m.c.KeyMap.Help) {
			m.helpOpen = !m.helpOpen
			return nil
		}
	}
	switch msg.(type) {
	case tea.KeyMsg, tea.MouseMsg:
		if m.helpOpen {
			_, cmd := m.help.Update(msg)
			return cmd
		}
	}
	_, cmd := m.current().Update(msg)
	return cmd
}

// handle does what a child asked for.
func (m *Model) handle(req tea.Msg) tea.Cmd {
	switch r := req.(type) {
	case backRequest:
		m.screen = screenHome
	case closeHelpRequest:
		m.helpOpen = false
	case openRequest:
		return m.open(r.entry)
	case restartRequest:
		return m.restartLesson(r.id)
	case progressRequest:
		m.home.setEntries(m.lessons.entries())
	}
	return nil
}

func (m *Model) worldStarted(msg worldMsg) tea.Cmd {
	m.world, m.worldErr = msg.w, msg.err
	if m.quitting && m.world != nil {
		m.world.Close()
		return nil
	}
	if m.whenWorld != nil {
		open := m.whenWorld
		m.whenWorld = nil
		if m.world != nil {
			return open()
		}
		m.home.setNotice("the mail world could not start: " + msg.err.Error())
	}
	return nil
}

// markdownCmd starts rendering the Markdown the screen shows now, if it is
// not cached yet.
func (m *Model) markdownCmd() tea.Cmd {
	if m.helpOpen {
		_, cmd := m.help.lines()
		return cmd
	}
	if md, ok := m.current().(markdowner); ok {
		return md.markdownCmd()
	}
	return nil
}

// open opens what the home menu's entry names.
func (m *Model) open(e menuEntry) tea.Cmd {
	switch e.kind {
	case entrySandbox:
		return m.openSandbox()
	case entryWatch:
		return m.openWatch()
	case entryHelp:
		m.helpOpen = true
	case entryReplay:
		if m.replay != nil {
			m.replay.close()
		}
		m.replay = newReplayPicker(m.child(), transcriptDir(m.opts.SaveDir))
		m.screen = screenReplay
	case entryLesson:
		return m.openLesson(e.lessonID)
	}
	return nil
}

// needWorld reports whether the sandbox's world runs; if not, it says so on
// the home screen and remembers to open again once the world has started.
func (m *Model) needWorld(open func() tea.Cmd) bool {
	if m.world != nil {
		m.home.setNotice("")
		return true
	}
	if m.worldErr != nil {
		m.home.setNotice("the mail world could not start: " + m.worldErr.Error())
		return false
	}
	m.home.setNotice("Starting the mail world…")
	m.whenWorld = open
	return false
}

// openWatch shows every session of the sandbox's world as it happens:
// real mail programs pointed at it, and the relay hops they cause.
func (m *Model) openWatch() tea.Cmd {
	if !m.needWorld(m.openWatch) {
		return nil
	}
	m.screen = screenWatch
	if m.watch == nil {
		m.watch = newWatch(m.child(), m.world, watchOptions{SaveDir: m.opts.SaveDir})
		return m.watch.Init()
	}
	return nil
}

// openSandbox shows the sandbox, starting it on the first visit.
func (m *Model) openSandbox() tea.Cmd {
	if !m.needWorld(m.openSandbox) {
		return nil
	}
	m.screen = screenSandbox
	if m.sandbox == nil {
		m.sandbox = newSandbox(m.child(), m.world, m.opts.SaveDir)
		return m.sandbox.Init()
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.shutdown()
	return tea.Quit
}

// shutdown ends every session and stops the worlds.
func (m *Model) shutdown() {
	if m.shutDown {
		return
	}
	m.shutDown = true
	close(m.done)
	if m.sandbox != nil {
		m.sandbox.close()
	}
	if m.watch != nil {
		m.watch.close()
	}
	m.closeLesson()
	if m.replay != nil {
		m.replay.close() // the transcript file it reads lines from
	}
	if m.world != nil {
		m.world.Close()
	}
}

// View draws the screen shown now.
func (m *Model) View() string {
	if m.quitting {
		return ""
	}
	if m.c.Width == 0 {
		return "mailtutor is starting…"
	}
	if m.helpOpen {
		return m.help.View()
	}
	return m.current().View()
}
