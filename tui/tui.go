// Package tui is mailtutor's face: a Bubble Tea program that starts its own
// mail world and lets a learner talk to it line by line, with every command
// and reply explained.
//
// Every screen (home, sandbox, lesson, watch, replay, help) and every pane
// (conversation, side panel with the explain, mailbox and lesson panes,
// state bar, input line) keeps one contract, Component (component.go). The
// root Model holds a screen enum and one concrete child per screen; the
// sandbox, lesson and watch screens are built on a shared workspace
// (workspace.go, frame.go, sessions.go).
//
// The lead's main.go calls Run; tests build the model with NewModel and
// drive it with teatest.
package tui

import (
	"context"
	"errors"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/mailtutor/mailtutor/simulator"
)

// Options configure the program.
type Options struct {
	// LessonDirs are extra directories of lesson files (a teacher's), loaded
	// after the built-in lessons.
	LessonDirs []string
	// NoBuiltinLessons leaves the built-in curriculum out (tests, a
	// teacher's own course).
	NoBuiltinLessons bool
	// StartLesson opens this lesson id at start instead of the home screen.
	StartLesson string
	// ReplayFile opens this transcript at start.
	ReplayFile string
	// Dark forces a dark (true) or light (false) palette; nil decides from
	// Theme, then COLORFGBG, then dark.
	Dark *bool
	// Theme is "dark", "light" or "" (see Dark).
	Theme string
	// Profile forces the colour profile (termenv.Ascii in tests); nil
	// detects it from Output and the environment (NO_COLOR gives Ascii).
	Profile *termenv.Profile
	// Input is where keys come from; nil means os.Stdin.
	Input io.Reader
	// Output is where the screen is drawn; nil means os.Stdout. The
	// classroom passes an SSH session here.
	Output io.Writer
	// SaveDir is where ctrl+s saves transcripts; "" means
	// $XDG_STATE_HOME/mailtutor/transcripts (~/.local/state/...).
	SaveDir string
	// StateDir keeps progress and the generated certificate; "" means
	// $XDG_STATE_HOME/mailtutor.
	StateDir string
	// LogFile receives the mail servers' logs; "" discards them. The
	// terminal is never written to except by the UI.
	LogFile string
	// Projector lays the screens out for a class watching a projector:
	// one conversation across the whole width with its explanation under
	// it (the side pane below, never beside), and high contrast (no dim
	// text, the lines bold). The teacher steps through with the usual keys.
	Projector bool
	// OnProgress, if set, is called on the UI goroutine whenever the
	// learner's lesson, step, hints or wrong attempts change (the
	// classroom's teacher view). It must not block.
	OnProgress func(Progress)
	// Mirror, if set, is told which mail world the program shows and where
	// the learner is, after every message: the classroom's projector
	// follows a learner's program through it (NewMirrorView).
	Mirror *Mirror
	// World is the sandbox's mail world (`mailtutor watch` gives its stable
	// ports, users and faults here); nil: the default world, every listener
	// on a free loopback port. StateDir and Logger are the TUI's own.
	World *simulator.Options
	// Watch opens the watch screen at start instead of the home screen.
	Watch bool

	// newWorld starts the sandbox's mail world (live.go sets the default).
	newWorld func() (world, error)
}

// NewModel builds the program's model without running it (teatest drives
// it). The mail world starts in the background after the first frame.
func NewModel(opts Options) *Model {
	c := newCommon(opts)
	if opts.newWorld == nil {
		opts.newWorld = func() (world, error) { return startLiveWorld(opts) }
	}
	m := &Model{opts: opts, c: c, home: newHome(*c), done: make(chan struct{})}
	m.help = &page{c: *c, key: "help", title: "Help", md: helpMarkdown(c.KeyMap, transcriptDir(opts.SaveDir))}
	m.lessons = &lessonLibrary{}
	return m
}

// newCommon builds what a program's components share from the options'
// output, colour profile, palette and layout.
func newCommon(opts Options) *Common {
	out := opts.Output
	if out == nil {
		out = os.Stdout
	}
	var r *lipgloss.Renderer
	if opts.Profile != nil {
		r = lipgloss.NewRenderer(out, termenv.WithProfile(*opts.Profile))
		r.SetColorProfile(*opts.Profile) // else lipgloss asks out, and a non-terminal (an SSH session) gets Ascii
	} else {
		r = lipgloss.NewRenderer(out, termenv.WithColorCache(true))
		if _, ok := os.LookupEnv("NO_COLOR"); ok {
			r.SetColorProfile(termenv.Ascii)
		}
	}
	dark := decideDark(opts.Dark, opts.Theme)
	return &Common{look: newLook(r, dark, opts.Projector), KeyMap: DefaultKeyMap(), Renderer: r,
		markdown: &mdCache{}, helps: &helpCache{}, requests: &requests{}, Projector: opts.Projector}
}

// newLook builds the styles and picks the Markdown style for r's colour
// profile and a dark or light background, and tells the renderer, so
// nothing ever asks the terminal.
func newLook(r *lipgloss.Renderer, dark, projector bool) *look {
	r.SetHasDarkBackground(dark)
	l := &look{Styles: DefaultStyles(r, dark), GlamourStyle: "light"}
	if dark {
		l.GlamourStyle = "dark"
	}
	if r.ColorProfile() == termenv.Ascii {
		l.GlamourStyle = "notty"
	}
	if projector {
		l.Styles = l.Styles.highContrast(r)
	}
	return l
}

// ColorsMsg tells a running program the colours of the terminal it draws
// on now: the classroom sends it when a learner comes back to their desk
// from another terminal (xterm-256color, then a dumb one or NO_COLOR).
// Every component draws with the new styles from the next frame on.
type ColorsMsg struct {
	Profile termenv.Profile
	Dark    bool
}

// restyle rebuilds the shared styles for new colours, and forgets what was
// rendered with the old ones (the conversations' rows, the Markdown).
func (m *Model) restyle(msg ColorsMsg) {
	r := m.c.Renderer
	if r.ColorProfile() == msg.Profile && m.c.Styles.Dark == msg.Dark {
		return
	}
	r.SetColorProfile(msg.Profile)
	gen := m.c.Styles.gen
	*m.c.look = *newLook(r, msg.Dark, m.c.Projector)
	m.c.Styles.gen = gen + 1
	m.c.markdown.forget()
}

// watchFPS is the frame rate of `mailtutor watch`: Bubble Tea's most. At
// its default 60 a key waits up to 17 ms for the next frame, and under
// fifty programs' load a key's p99 to the terminal was 35-41 ms; at 120 it
// was 18 ms (BenchmarkWatchFiftyPrograms). The renderer writes only the
// rows that changed, and watch runs on the local terminal, not over SSH.
const watchFPS = 120

// Run runs the program until the learner quits or ctx ends.
func Run(ctx context.Context, opts Options) error {
	m := NewModel(opts)
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithAltScreen(), tea.WithMouseCellMotion()}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	if opts.Watch {
		popts = append(popts, tea.WithFPS(watchFPS))
	}
	_, err := tea.NewProgram(m, popts...).Run()
	m.shutdown()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
