package tui

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// This file lets one program show another's mail world, read only: the
// classroom's `projector NAME` puts a learner's live conversation on the
// teacher's projector. The learner's program tells a Mirror which world it
// shows and where the learner is (Options.Mirror); a MirrorView, a program
// of its own on the teacher's terminal, follows it. The two programs share
// nothing but the Mirror and the world's thread-safe subscriptions.

// Mirror is what a program shows, seen from another program: its mail
// world and a line saying where the learner is. Safe for concurrent use.
type Mirror struct {
	mu      sync.Mutex
	w       world
	place   string
	lesson  string        // Markdown: what the lesson asks of the learner now ("" outside a lesson)
	changed chan struct{} // closed (and replaced) at every change
}

// NewMirror makes a Mirror to give a program in Options.Mirror.
func NewMirror() *Mirror { return &Mirror{changed: make(chan struct{})} }

func (mr *Mirror) set(w world, place, lesson string) {
	mr.mu.Lock()
	defer mr.mu.Unlock()
	if mr.w == w && mr.place == place && mr.lesson == lesson {
		return
	}
	mr.w, mr.place, mr.lesson = w, place, lesson
	close(mr.changed)
	mr.changed = make(chan struct{})
}

// lessonText is what the lesson asks of the learner now, as Markdown.
func (mr *Mirror) lessonText() string {
	mr.mu.Lock()
	defer mr.mu.Unlock()
	return mr.lesson
}

// get returns what is shown now and a channel closed at the next change.
func (mr *Mirror) get() (world, string, <-chan struct{}) {
	mr.mu.Lock()
	defer mr.mu.Unlock()
	return mr.w, mr.place, mr.changed
}

// reportMirror tells Options.Mirror the world the learner works in: the
// lesson's while a lesson is shown, the sandbox's while the sandbox or the
// watch screen is; on the home screen (or replaying a file) the one shown
// last, while it runs.
func (m *Model) reportMirror() {
	if m.opts.Mirror == nil {
		return
	}
	var lessonWorld world
	if m.lesson != nil {
		lessonWorld = m.lesson.ws.world
	}
	w := m.mirrored
	switch {
	case m.screen == screenLesson && lessonWorld != nil:
		w = lessonWorld
	case m.screen == screenSandbox || m.screen == screenWatch:
		w = m.world
	}
	if w != lessonWorld {
		w = m.world // the lesson shown last was closed (or none was)
	}
	m.mirrored = w
	m.opts.Mirror.set(w, m.place(), m.lessonText())
}

// lessonText is the lesson pane's text of the step the learner is on (the
// step's title and prose, what the step before it taught above it), for
// the projector's Lesson pane; "" outside a lesson.
func (m *Model) lessonText() string {
	if m.screen != screenLesson || m.lesson == nil || m.lesson.pane == nil {
		return ""
	}
	p := m.lesson.pane
	i := p.shownStep()
	// Asked after every message: built again only when the step or the
	// hints changed (a step's recorded session is annotated to build it).
	key := fmt.Sprintf("%s/%d/%d", p.lesson.ID, i, len(p.hints))
	if m.mirrorLesson.key != key {
		m.mirrorLesson.key, m.mirrorLesson.md = key, buildLessonText(p, i)
	}
	return m.mirrorLesson.md
}

// buildLessonText is lessonText's Markdown for step i of the pane's lesson.
func buildLessonText(p *lessonPane, i int) string {
	md := "# " + p.lesson.Title + "\n\n" + p.prose(i, mirrorLessonWidth)
	step := p.currentStep()
	if step == nil {
		return md + "\n\n★ The lesson is finished."
	}
	// What the lesson pane shows under the text: the question and its
	// choices, the goal of a step with no text, the hints asked for.
	switch {
	case step.Kind == lessons.Question:
		md += "\n\n**" + step.QuestionText + "**\n"
		for i, c := range step.Choices {
			md += fmt.Sprintf("\n%d. %s", i+1, c)
		}
	case strings.TrimSpace(step.Prose) == "":
		md += "\n\nGoal: " + step.Goal.Describe()
	}
	for i, h := range p.hints {
		md += fmt.Sprintf("\n\nHint %d: %s", i+1, h)
	}
	return md
}

// mirrorLessonWidth is the width a recorded session in the step's text is
// wrapped to for the projector (its pane may be of any width).
const mirrorLessonWidth = 72

// place says where the learner is, for the projector.
func (m *Model) place() string {
	switch {
	case m.screen == screenLesson && m.lesson != nil:
		p, _ := m.lesson.whereLearnerIs()
		if p.Finished {
			return fmt.Sprintf("lesson “%s”, finished", p.LessonTitle)
		}
		return fmt.Sprintf("lesson “%s”, step %d of %d: %s", p.LessonTitle, p.Step+1, p.Steps, p.StepTitle)
	case m.screen == screenSandbox:
		return "in the sandbox"
	case m.screen == screenWatch:
		return "watching mail programs"
	case m.screen == screenReplay:
		return "replaying a transcript"
	}
	return "on the home screen"
}

// readOnlyWorld is a world seen by someone who must not change it: it
// dials nothing and closes nothing, and hides what else the world can do
// (switch faults, edit DNS, tell findings), so no screen offers it.
type readOnlyWorld struct{ world }

func (readOnlyWorld) Dial(wire.Role) (clientConn, error) { return nil, errReadOnly }
func (readOnlyWorld) Close() error                       { return nil }

var errReadOnly = errors.New("this view is read only")

// MirrorView shows, read only, the mail world another program shows (a
// Mirror): its sessions as the watch screen shows them, every line with its
// explanation, and where the learner is, sized to this program's own
// terminal and stepped with its own keys (switch sessions, select and
// scroll lines, follow the newest, the side panes; q leaves). It follows
// the learner from world to world (the sandbox, a lesson). Nothing typed
// here reaches the learner's world or screen.
type MirrorView struct {
	c       *Common
	mirror  *Mirror
	name    string
	saveDir string

	shown   world        // the learner's world the screen is built on
	screen  *watchScreen // nil while the learner has no world
	lesson  *mirrorLessonPane
	place   string
	changed <-chan struct{}
	done    chan struct{} // closed when the view ends
	ended   bool
}

// mirrorChangedMsg says the Mirror changed.
type mirrorChangedMsg struct{}

// NewMirrorView builds the view of the program behind mirror; name is the
// learner's name. Of opts, the colours (Profile, Dark, Theme), Output,
// SaveDir (ctrl+s) and Projector are used.
func NewMirrorView(mirror *Mirror, name string, opts Options) *MirrorView {
	return &MirrorView{c: newCommon(opts), mirror: mirror, name: name, saveDir: opts.SaveDir, done: make(chan struct{})}
}

func (v *MirrorView) Init() tea.Cmd {
	return func() tea.Msg { return mirrorChangedMsg{} }
}

// wait delivers the Mirror's next change.
func (v *MirrorView) wait() tea.Cmd {
	ch, done := v.changed, v.done
	return func() tea.Msg {
		select {
		case <-ch:
			return mirrorChangedMsg{}
		case <-done:
			return nil
		}
	}
}

// sync follows the Mirror: a new screen when the learner moved to another
// world, the place line always.
func (v *MirrorView) sync() tea.Cmd {
	w, place, ch := v.mirror.get()
	v.changed, v.place = ch, place
	var cmd tea.Cmd
	if w != v.shown {
		if v.screen != nil {
			v.screen.close()
			v.screen = nil
		}
		v.shown = w
		if w != nil {
			v.lesson = &mirrorLessonPane{c: *v.c, name: v.name}
			v.screen = newWatch(*v.c, readOnlyWorld{w}, watchOptions{SaveDir: v.saveDir, Aside: v.lesson})
			v.screen.intro = "mirror"
			v.screen.introMD = "# " + v.name + " has no session yet\n\n" +
				"As soon as " + v.name + " talks to a server, the conversation shows here, every line with its explanation.\n\n" +
				"ctrl+n and ctrl+p switch sessions, shift+↑/↓ selects a line, tab switches the pane below, p follows the newest session, q leaves.\n"
			v.screen.ws.title = "Projector · " + v.name
			v.screen.SetSize(v.c.Width, v.c.Height)
			cmd = v.screen.Init()
		}
	}
	if v.screen != nil {
		v.screen.say = v.name + ": " + printable(place) + " · q leaves" // a lesson title is a teacher's text
		v.lesson.setText(v.mirror.lessonText())
	}
	return tea.Batch(cmd, v.wait())
}

// leave ends the view (q, esc).
func (v *MirrorView) leave() tea.Cmd {
	v.Close()
	return tea.Quit
}

// Close lets go of the learner's world: the view's subscriptions and its
// waiting commands end. Call it once the program has ended, however it
// ended (the connection closed, the learner's desk was freed); safe to
// call twice.
func (v *MirrorView) Close() {
	if v.ended {
		return
	}
	v.ended = true
	close(v.done)
	if v.screen != nil {
		v.screen.close()
	}
}

func (v *MirrorView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		v.c.SetSize(max(msg.Width, 1), max(msg.Height, 1))
		if v.screen != nil {
			v.screen.SetSize(v.c.Width, v.c.Height)
		}
		return v, nil
	case mirrorChangedMsg:
		cmd = v.sync()
	case markdownMsg:
		v.c.markdown.put(msg)
		return v, nil
	case tea.KeyMsg:
		if s := msg.String(); s == "q" || s == "ctrl+c" {
			return v, v.leave()
		}
		if v.screen != nil {
			_, cmd = v.screen.Update(msg)
		}
	default:
		if v.screen != nil {
			_, cmd = v.screen.Update(msg)
		}
	}
	for _, r := range v.c.takeRequests() {
		if _, ok := r.(backRequest); ok {
			return v, v.leave()
		}
	}
	if v.screen != nil {
		cmd = tea.Batch(cmd, v.screen.markdownCmd(), v.lesson.markdownCmd())
	}
	return v, cmd
}

// mirrorLessonPane is the projector's Lesson tab: what the lesson asks of
// the learner now (the Mirror's lesson text), so that the class reads the
// task under the learner's conversation. Outside a lesson it says so.
type mirrorLessonPane struct {
	noHelp
	c      Common
	name   string // the learner's
	md     string // the lesson text, Markdown
	scroll scroller
}

func (p *mirrorLessonPane) Init() tea.Cmd    { return nil }
func (p *mirrorLessonPane) SetSize(w, h int) { p.c.SetSize(w, h) }
func (p *mirrorLessonPane) Title() string    { return "Lesson" }
func (p *mirrorLessonPane) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	p.scroll.update(msg)
	return p, nil
}

// setText shows a new lesson text from its top.
func (p *mirrorLessonPane) setText(md string) {
	if md != p.md {
		p.md, p.scroll.offset = md, 0
	}
}

// key names the text in the Markdown cache: by its content, since the
// learner's steps change it.
func (p *mirrorLessonPane) key() string {
	h := fnv.New64a()
	h.Write([]byte(p.md))
	return fmt.Sprintf("mirror/lesson/%x", h.Sum64())
}

// markdownCmd renders the text if it is not cached.
func (p *mirrorLessonPane) markdownCmd() tea.Cmd {
	if p.md == "" || p.c.Width <= 0 {
		return nil
	}
	_, cmd := p.c.markdown.get(p.key(), p.md, p.c.GlamourStyle, p.c.Width)
	return cmd
}

func (p *mirrorLessonPane) View() string {
	if p.c.Width <= 0 || p.c.Height <= 0 {
		return ""
	}
	var lines []string
	if p.md == "" {
		lines = wrapText(printable(p.name)+" is not in a lesson now: the conversation is all there is to follow.", p.c.Width)
	} else {
		lines, _ = p.c.markdown.peek(p.key(), p.c.Width, func() string { return p.md })
	}
	lines = p.scroll.cut(lines, p.c.Height)
	return strings.Join(lines[:min(len(lines), p.c.Height)], "\n")
}

func (v *MirrorView) View() string {
	if v.ended {
		return ""
	}
	if v.c.Width == 0 {
		return "projector starting…"
	}
	if v.screen != nil {
		return v.screen.View()
	}
	st := &v.c.Styles
	lines := []string{st.Title.Render("mailtutor") + " " + st.Subtle.Render("Projector · "+v.name), "",
		"  " + v.name + "'s mail world has not started yet (" + printable(v.place) + ").", "", "  q leaves."}
	return strings.Join(fit(lines, v.c.Width, v.c.Height), "\n")
}
