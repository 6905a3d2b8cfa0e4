package classroom

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/mailtutor/mailtutor/tui"
)

// desk is one learner's running mailtutor: a Bubble Tea program over their
// own tui.Model (which owns their Simulator), fed by whichever SSH sessions
// are attached to it. It outlives a dropped connection until the idle
// time-out.
type desk struct {
	name  string
	keyFP string // the key that first entered, "" for a class code
	srv   *Server
	model *tui.Model
	prog  *tea.Program
	keys  *io.PipeWriter // attached sessions write the learner's keys here
	out   *screens
	stopP context.CancelFunc
	done  chan struct{} // closed when the program has ended and the world is stopped

	sizeMu sync.Mutex
	size   tea.WindowSizeMsg // the size last sent to the program

	// mirror tells a projector (projector NAME) which world the learner
	// works in and where they are.
	mirror *tui.Mirror

	// Guarded by srv.mu.
	attached int
	idle     *time.Timer
	gone     bool // removed from the server's desks
}

// screens is the program's output: every attached session's terminal, or
// nowhere while the learner is away.
type screens struct {
	mu   sync.Mutex
	outs map[ssh.Session]io.Writer
}

func (s *screens) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.outs {
		w.Write(p) // a session that went away is detached by its handler
	}
	return len(p), nil
}

func (s *screens) attach(sess ssh.Session, w io.Writer) {
	s.mu.Lock()
	s.outs[sess] = w
	s.mu.Unlock()
}

func (s *screens) detach(sess ssh.Session) {
	s.mu.Lock()
	delete(s.outs, sess)
	s.mu.Unlock()
}

// Terminal sequences for a session that joins a running program: the
// program set them up once, on the first terminal.
const (
	joinScreen  = "\x1b[?1049h\x1b[?25l\x1b[?1002h\x1b[?1006h\x1b[2J\x1b[H"
	leaveScreen = "\x1b[?1002l\x1b[?1006l\x1b[?25h\x1b[?1049l"
)

// announceMsg carries the teacher's message to all.
type announceMsg struct{ text string }

// learnerSession runs one SSH connection of a learner: checks, then
// attaches it to the learner's desk (made on first entry) until the
// connection ends or the program does.
func (s *Server) learnerSession(sess ssh.Session) {
	s.deskSession(sess, strings.ToLower(sess.User()))
}

// deskSession attaches a session to the desk called name: a learner's, or
// the teacher's own (`ssh -t teacher@host play`, to show the class on a
// projector).
func (s *Server) deskSession(sess ssh.Session, name string) {
	if !namePattern.MatchString(name) || (strings.HasPrefix(name, TeacherName) && sess.User() != TeacherName) {
		refuse(sess, fmt.Sprintf("%q cannot be a name in the class: use letters, digits, '.', '-' or '_' (ssh yourname@host).", sess.User()))
		return
	}
	pty, winch, ok := sess.Pty()
	if !ok {
		refuse(sess, "mailtutor needs a terminal: connect with ssh -t.")
		return
	}
	keyFP, _ := sess.Context().Value(ctxKeyFP).(string)
	d, why := s.enter(name, keyFP, sess, pty)
	if d == nil {
		s.logf("refused %s from %s: %s", name, sess.RemoteAddr(), why)
		refuse(sess, why)
		return
	}
	s.logf("%s connected from %s", name, sess.RemoteAddr())
	s.mu.Lock()
	rec := s.recordFor(name) // made by enter
	s.mu.Unlock()
	rec.setConnected(1)
	s.notifyTeachers()
	sess.Write([]byte(joinScreen))
	d.out.attach(sess, sess)
	// The desk draws in this terminal's colours from now on (a learner may
	// come back from another terminal); a new desk has them already.
	profile, dark := s.colours(sess, pty)
	d.prog.Send(tui.ColorsMsg{Profile: profile, Dark: dark})
	d.prog.Send(d.rememberSize(tea.WindowSizeMsg{Width: pty.Window.Width, Height: pty.Window.Height}))

	// Keys from this session go to the program until either side ends;
	// each one tells the loop below the learner is still there.
	ended := make(chan struct{})
	typed := make(chan struct{}, 1)
	go func() {
		defer close(ended)
		copyKeys(d.keys, sess, typed)
	}()
	// A learner who stays connected but types nothing is let go after the
	// input idle time-out, so the desk can be freed in the end; the
	// teacher's own desks (play, projector) may sit idle in front of a
	// class.
	var idle *time.Timer
	var idleC <-chan time.Time
	if sess.User() != TeacherName {
		idle = time.NewTimer(s.opts.InputIdleTimeout)
		defer idle.Stop()
		idleC = idle.C
	}
	for running := true; running; {
		select {
		case <-typed:
			if idle != nil {
				idle.Reset(s.opts.InputIdleTimeout)
			}
		case <-idleC:
			d.out.detach(sess) // no frame after the goodbye
			idleFor := s.opts.InputIdleTimeout.String()
			fmt.Fprintf(sess, "%s\r\nmailtutor classroom: idle for %s: disconnected. Your desk is kept for %s: ssh again to come back.\r\n",
				leaveScreen, idleFor, s.opts.IdleTimeout)
			s.logf("%s disconnected after %s without a key", name, idleFor)
			sess.Exit(0)
			running = false
		case w, open := <-winch:
			if !open {
				winch = nil
				continue
			}
			d.prog.Send(d.rememberSize(tea.WindowSizeMsg{Width: w.Width, Height: w.Height}))
		case <-ended:
			// The student's input ended (ssh < file): the screen stays
			// theirs until the connection closes.
			ended = nil
		case <-sess.Context().Done():
			running = false
		case <-d.done:
			running = false
		}
	}
	d.out.detach(sess)
	select {
	case <-d.done:
		sess.Write([]byte(leaveScreen))
		sess.Exit(0)
	default:
		// The learner dropped: the desk waits for them.
	}
	s.leave(d)
	rec.setConnected(-1)
	s.notifyTeachers()
	s.logf("%s left", name)
}

// enter finds or makes the learner's desk and attaches one session to it;
// it returns nil and a reason the student can read when they may not.
func (s *Server) enter(name, keyFP string, sess ssh.Session, pty ssh.Pty) (*desk, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, "the class is over."
	}
	if d := s.desks[name]; d != nil {
		if d.keyFP != "" && d.keyFP != keyFP {
			return nil, fmt.Sprintf("the name %q belongs to someone who logged in with another key; pick another name (ssh othername@host).", name)
		}
		if d.attached >= s.opts.MaxPerLearner {
			return nil, fmt.Sprintf("%s is connected already (%d connection(s) per learner); close the other window first.", name, s.opts.MaxPerLearner)
		}
		d.attached++
		if d.idle != nil {
			d.idle.Stop()
			d.idle = nil
		}
		return d, ""
	}
	if len(s.desks) >= s.opts.MaxLearners {
		return nil, fmt.Sprintf("the class is full (%d learners); ask your teacher.", s.opts.MaxLearners)
	}
	d, err := s.newDesk(name, keyFP, sess, pty)
	if err != nil {
		return nil, "your mail world could not start: " + err.Error()
	}
	d.attached = 1
	s.desks[name] = d
	return d, ""
}

// leave detaches one session; the last one out starts the idle time-out.
func (s *Server) leave(d *desk) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.attached--
	if d.attached > 0 || d.gone {
		return
	}
	d.idle = time.AfterFunc(s.opts.IdleTimeout, func() {
		s.mu.Lock()
		free := d.attached == 0 && !d.gone
		s.mu.Unlock()
		if free {
			s.logf("%s's desk freed after %s away", d.name, s.opts.IdleTimeout)
			d.stop()
		}
	})
}

// newDesk starts a learner's program. Called with s.mu held.
func (s *Server) newDesk(name, keyFP string, sess ssh.Session, pty ssh.Pty) (*desk, error) {
	home := filepath.Join(s.opts.StateDir, "learners", name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	profile, dark := s.colours(sess, pty)
	d := &desk{name: name, keyFP: keyFP, srv: s, out: &screens{outs: map[ssh.Session]io.Writer{}}, done: make(chan struct{}),
		mirror: tui.NewMirror()}
	rec := s.recordFor(name)
	topts := tui.Options{
		LessonDirs:       s.opts.LessonDirs,
		NoBuiltinLessons: s.opts.NoBuiltinLessons,
		StartLesson:      s.lesson,
		Dark:             &dark,
		Profile:          &profile,
		Output:           d.out,
		SaveDir:          filepath.Join(home, "transcripts"),
		StateDir:         home,
		OnProgress:       func(p tui.Progress) { s.progressed(rec, p) },
		Projector:        name == ProjectorName,
		Mirror:           d.mirror,
	}
	d.model = tui.NewModel(topts)
	r := lipgloss.NewRenderer(d.out)
	r.SetColorProfile(profile) // explicit: the output is no terminal lipgloss could ask
	r.SetHasDarkBackground(dark)
	lm := &learnerModel{inner: d.model, name: name, announce: s.announce, r: r,
		bar:  r.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("24")),
		note: r.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11"))}
	keysIn, keysOut := io.Pipe()
	d.keys = keysOut
	ctx, cancel := context.WithCancel(context.Background())
	d.stopP = cancel
	d.prog = tea.NewProgram(lm, tea.WithContext(ctx), tea.WithInput(keysIn), tea.WithOutput(d.out),
		tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithoutSignalHandler())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		d.prog.Run()
		d.model.Close()
		keysIn.Close() // ends the program's input reader
		s.mu.Lock()
		d.gone = true
		if d.idle != nil {
			d.idle.Stop()
		}
		if s.desks[name] == d {
			delete(s.desks, name)
		}
		s.mu.Unlock()
		rec.setOnline(false)
		close(d.done)
		s.notifyTeachers()
	}()
	rec.setOnline(true)
	return d, nil
}

// copyKeys copies a session's keys to the program, and signals typed
// (never blocking) after each read.
func copyKeys(keys io.Writer, sess io.Reader, typed chan<- struct{}) {
	buf := make([]byte, 4096)
	for {
		n, err := sess.Read(buf)
		if n > 0 {
			if _, werr := keys.Write(buf[:n]); werr != nil {
				return
			}
			select {
			case typed <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// stop ends the desk's program (its mail world stops with it) and waits.
func (d *desk) stop() {
	d.stopP()
	<-d.done
}

// learnerModel wraps a learner's tui.Model with the classroom's line at the
// top: who they are, and the teacher's last message.
type learnerModel struct {
	inner         *tui.Model
	r             *lipgloss.Renderer // the classroom line's
	name          string
	announce      string
	width, height int
	bar, note     lipgloss.Style
}

func (m *learnerModel) Init() tea.Cmd { return m.inner.Init() }

func (m *learnerModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		msg.Height = max(1, msg.Height-1) // the classroom's line
		_, cmd := m.inner.Update(msg)
		return m, cmd
	case announceMsg:
		m.announce = msg.text
		return m, nil
	case tui.ColorsMsg:
		m.r.SetColorProfile(msg.Profile)
		m.r.SetHasDarkBackground(msg.Dark)
	}
	_, cmd := m.inner.Update(msg)
	return m, cmd
}

func (m *learnerModel) View() string {
	v := m.inner.View()
	if v == "" || m.width == 0 {
		return v
	}
	line := m.bar.Render(" mailtutor classroom · " + m.name + " ")
	if m.announce != "" {
		line += m.note.Render(" 📣 " + m.announce + " ")
	}
	return ansi.Truncate(line, m.width, "") + "\n" + v
}

// colours are the colour profile and background of a session's terminal:
// its TERM (from the pty request) and environment (NO_COLOR, COLORTERM,
// COLORFGBG); no colour for a dumb terminal.
func (s *Server) colours(sess ssh.Session, pty ssh.Pty) (termenv.Profile, bool) {
	env := sshEnviron(sess.Environ())
	if env.Getenv("TERM") == "" {
		env = append(env, "TERM="+pty.Term)
	}
	profile := termenv.NewOutput(io.Discard, termenv.WithEnvironment(env), termenv.WithUnsafe()).EnvColorProfile()
	if pty.Term == "" || pty.Term == "dumb" {
		profile = termenv.Ascii
	}
	return profile, decideDark(s.opts.Dark, env.Getenv("COLORFGBG"))
}

// sshEnviron is the environment the student's ssh sent (TERM among it).
type sshEnviron []string

func (e sshEnviron) Environ() []string { return e }

func (e sshEnviron) Getenv(k string) string {
	for _, v := range e {
		if strings.HasPrefix(v, k+"=") {
			return v[len(k)+1:]
		}
	}
	return ""
}

// decideDark picks the palette: forced, else from COLORFGBG ("15;0": the
// last number is the background; 0-6 and 8 are dark), else dark.
func decideDark(forced *bool, colorfgbg string) bool {
	if forced != nil {
		return *forced
	}
	if i := strings.LastIndexByte(colorfgbg, ';'); i >= 0 {
		if bg, err := strconv.Atoi(colorfgbg[i+1:]); err == nil {
			return bg < 7 || bg == 8
		}
	}
	return true
}
