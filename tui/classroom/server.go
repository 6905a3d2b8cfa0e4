// Package classroom serves mailtutor to a whole class over SSH: every
// learner who types `ssh -p 2222 name@lab-host` gets the full TUI with a
// mail world of their own (their own Simulator, store, sessions and
// transcripts), and the teacher's view (`ssh teacher@lab-host` with a
// teacher's key) shows where everyone is.
//
// A learner's program outlives their connection: it runs on a desk that the
// SSH session attaches to (keys in, frames out). A learner who drops keeps
// the desk until the idle time-out; coming back in time under the same name
// finds the screen, the mail world and the lesson as they were. After the
// time-out the desk is closed: the program ends and its worlds stop.
package classroom

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/mailtutor/mailtutor/lessons"
)

// DefaultListen is where the classroom listens unless told otherwise: on
// loopback, so nothing is exposed by accident.
const DefaultListen = "127.0.0.1:2222"

// TeacherName is the SSH user name of the teacher's view; no learner can
// take it.
const TeacherName = "teacher"

// ProjectorName is the desk of `ssh -t teacher@host projector`: the
// teacher's own mailtutor laid out for a projector (tui.Options.Projector),
// apart from the desk of `play`. Names starting with TeacherName are the
// teacher's only.
const ProjectorName = TeacherName + "-projector"

// Options configure a classroom.
type Options struct {
	// StateDir keeps the host key, each learner's progress and transcripts
	// (one directory per learner under learners/) and progress.csv. It is
	// created if missing. Required.
	StateDir string
	// ClassCode, if set, lets a learner in who types it (password or
	// keyboard-interactive).
	ClassCode string
	// AuthorizedKeys, if set, is an authorized_keys file whose keys let a
	// learner in. With ClassCode as well, either one is enough.
	AuthorizedKeys string
	// TeacherKeys is an authorized_keys file for the teacher's view (user
	// "teacher"); "" means there is no teacher's view over SSH.
	TeacherKeys string
	// MaxLearners bounds the learners with a desk (connected or dropped and
	// kept); 0 means 100.
	MaxLearners int
	// MaxPerLearner bounds one learner's simultaneous connections (they see
	// the same screen); 0 means 1.
	MaxPerLearner int
	// IdleTimeout is how long a dropped learner's desk (program, mail
	// world, lesson) is kept for them to come back; 0 means 15 minutes.
	IdleTimeout time.Duration
	// InputIdleTimeout closes a learner's connection that sent no key for
	// this long (with a message saying so), after which the desk is kept
	// for IdleTimeout as for any drop; 0 means IdleTimeout. The teacher's
	// sessions (view, play, projector, watch) are never closed for it.
	InputIdleTimeout time.Duration
	// StuckAfter marks a learner "stuck" after this long on one lesson
	// step; 0 means 5 minutes.
	StuckAfter time.Duration
	// ProgressCSV is where the teacher's export writes; "" means
	// StateDir/progress.csv.
	ProgressCSV string
	// Dark forces the learners' palette; nil decides per learner from the
	// COLORFGBG their ssh sends, else dark.
	Dark *bool
	// LessonDirs are extra lesson directories (a teacher's own course).
	LessonDirs []string
	// NoBuiltinLessons leaves the built-in curriculum out.
	NoBuiltinLessons bool
	// Log receives one line per connection, refusal and freed desk; nil
	// discards them.
	Log io.Writer
}

// Server is a running classroom.
type Server struct {
	opts        Options
	ssh         *ssh.Server
	fingerprint string
	catalog     *lessons.Catalog // the lessons the teacher can send the class to
	logMu       sync.Mutex

	mu       sync.Mutex
	desks    map[string]*desk
	records  map[string]*record         // progress, kept after a desk is freed
	announce string                     // the last message to all
	lesson   string                     // the lesson the class was sent to
	teachers map[chan struct{}]struct{} // the teachers' views' wake-up channels
	closed   bool
	wg       sync.WaitGroup // desks' programs
}

// namePattern is what a learner name may be: it names a directory.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,31}$`)

// context keys for what authentication learnt.
type ctxKey string

const (
	ctxKeyFP    ctxKey = "mailtutor-key"     // SHA256 fingerprint of a learner's key
	ctxTeacher  ctxKey = "mailtutor-teacher" // true: the teacher's key
	hostKeyFile        = "host_ed25519"
)

// New prepares a classroom: the state directory, the host key (generated
// on first use) and the SSH server. It does not listen yet.
func New(opts Options) (*Server, error) {
	if opts.StateDir == "" {
		return nil, errors.New("classroom: no state directory")
	}
	if opts.ClassCode == "" && opts.AuthorizedKeys == "" {
		return nil, errors.New("classroom: nobody could enter: give a class code, an authorized_keys file, or both")
	}
	for _, f := range []string{opts.AuthorizedKeys, opts.TeacherKeys} {
		if f == "" {
			continue
		}
		if _, err := readKeys(f); err != nil {
			return nil, fmt.Errorf("classroom: %w", err)
		}
	}
	if opts.MaxLearners <= 0 {
		opts.MaxLearners = 100
	}
	if opts.MaxPerLearner <= 0 {
		opts.MaxPerLearner = 1
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 15 * time.Minute
	}
	if opts.InputIdleTimeout <= 0 {
		opts.InputIdleTimeout = opts.IdleTimeout
	}
	if opts.StuckAfter <= 0 {
		opts.StuckAfter = 5 * time.Minute
	}
	if opts.ProgressCSV == "" {
		opts.ProgressCSV = filepath.Join(opts.StateDir, "progress.csv")
	}
	if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("classroom: %w", err)
	}
	cat, _ := lessons.Load(!opts.NoBuiltinLessons, opts.LessonDirs...)
	s := &Server{opts: opts, catalog: cat, desks: map[string]*desk{}, records: map[string]*record{}, teachers: map[chan struct{}]struct{}{}}
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(filepath.Join(opts.StateDir, hostKeyFile)),
		wish.WithBannerHandler(s.banner),
		wish.WithPasswordAuth(s.passwordAuth),
		wish.WithKeyboardInteractiveAuth(s.keyboardAuth),
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		wish.WithMiddleware(s.route),
	)
	if err != nil {
		return nil, fmt.Errorf("classroom: %w", err)
	}
	if len(srv.HostSigners) == 0 {
		return nil, errors.New("classroom: no host key")
	}
	s.ssh = srv
	s.fingerprint = gossh.FingerprintSHA256(srv.HostSigners[0].PublicKey())
	return s, nil
}

// Fingerprint is the host key's SHA256 fingerprint, for students to check
// on their first connection.
func (s *Server) Fingerprint() string { return s.fingerprint }

// Serve answers SSH connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops listening, ends every connection and frees every desk. It
// writes the progress CSV one last time.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	desks := make([]*desk, 0, len(s.desks))
	for _, d := range s.desks {
		desks = append(desks, d)
	}
	s.mu.Unlock()
	err := s.ssh.Close()
	for _, d := range desks {
		d.stop()
	}
	s.wg.Wait()
	if werr := s.ExportCSV(); err == nil {
		err = werr
	}
	return err
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

// banner is shown before authentication: it tells a student what to type.
func (s *Server) banner(ctx ssh.Context) string {
	switch {
	case s.opts.ClassCode != "" && s.opts.AuthorizedKeys != "":
		return "mailtutor classroom: log in with your key, or type the class code your teacher gave you.\r\n"
	case s.opts.ClassCode != "":
		return "mailtutor classroom: type the class code your teacher gave you (the SSH user name is your name in the class).\r\n"
	}
	return "mailtutor classroom: your key must be on the class list.\r\n"
}

func (s *Server) codeOK(code string) bool {
	return s.opts.ClassCode != "" && subtle.ConstantTimeCompare([]byte(code), []byte(s.opts.ClassCode)) == 1
}

func (s *Server) passwordAuth(ctx ssh.Context, password string) bool {
	ok := ctx.User() != TeacherName && s.codeOK(password)
	if !ok {
		s.logf("refused %q from %s: wrong class code", ctx.User(), ctx.RemoteAddr())
	}
	return ok
}

// keyboardAuth asks for the class code, saying what went wrong when it is
// wrong (OpenSSH shows the instruction), three times at most.
func (s *Server) keyboardAuth(ctx ssh.Context, ask gossh.KeyboardInteractiveChallenge) bool {
	if s.opts.ClassCode == "" || ctx.User() == TeacherName {
		return false
	}
	instruction := "Type the class code your teacher gave you."
	for try := 0; try < 3; try++ {
		answers, err := ask(ctx.User(), instruction, []string{"Class code: "}, []bool{false})
		if err != nil || len(answers) != 1 {
			return false
		}
		if s.codeOK(answers[0]) {
			return true
		}
		instruction = "That is not the class code. Ask your teacher, and type it again."
	}
	s.logf("refused %q from %s: wrong class code", ctx.User(), ctx.RemoteAddr())
	return false
}

// publicKeyAuth admits the teacher with a teacher's key and a learner with
// a key from the class's authorized_keys file.
func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	file := s.opts.AuthorizedKeys
	if ctx.User() == TeacherName {
		file = s.opts.TeacherKeys
	}
	if file == "" {
		return false
	}
	keys, err := readKeys(file)
	if err != nil {
		s.logf("cannot read %s: %v", file, err)
		return false
	}
	for _, k := range keys {
		if ssh.KeysEqual(key, k) {
			if ctx.User() == TeacherName {
				ctx.SetValue(ctxTeacher, true)
			} else {
				ctx.SetValue(ctxKeyFP, gossh.FingerprintSHA256(key))
			}
			return true
		}
	}
	return false
}

// readKeys parses an authorized_keys file (read at every login, so the
// teacher can add a student while the class runs).
func readKeys(path string) ([]ssh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []ssh.PublicKey
	for len(data) > 0 {
		k, _, _, rest, err := gossh.ParseAuthorizedKey(data)
		if err != nil {
			break // no more keys (comments and blank lines are skipped by the parser)
		}
		keys = append(keys, k)
		data = rest
	}
	return keys, nil
}

// route sends the teacher to the teacher's view and everyone else to their
// desk.
func (s *Server) route(next ssh.Handler) ssh.Handler {
	teacher := bubbletea.MiddlewareWithProgramHandler(s.teacherProgram, termenv.Ascii)(next)
	return func(sess ssh.Session) {
		if t, _ := sess.Context().Value(ctxTeacher).(bool); t {
			switch cmd := sess.Command(); {
			case len(cmd) == 1 && cmd[0] == "csv":
				// `ssh teacher@host csv > grades.csv`
				s.WriteCSV(sess)
				sess.Exit(0)
				return
			case len(cmd) == 2 && cmd[0] == "watch":
				s.watchLearner(sess, cmd[1])
				return
			case len(cmd) == 1 && cmd[0] == "play":
				s.deskSession(sess, TeacherName)
				return
			case len(cmd) == 1 && cmd[0] == "projector":
				s.deskSession(sess, ProjectorName)
				return
			case len(cmd) == 2 && cmd[0] == "projector":
				s.projectLearner(sess, cmd[1])
				return
			case len(cmd) > 0:
				refuse(sess, "the teacher's commands are csv, watch NAME, play, projector and projector NAME (ssh -t teacher@host projector alice).")
				return
			}
			s.logf("teacher connected from %s", sess.RemoteAddr())
			teacher(sess)
			return
		}
		s.learnerSession(sess)
	}
}

// refuse tells the student why they cannot come in, and hangs up.
func refuse(sess ssh.Session, why string) {
	fmt.Fprint(sess.Stderr(), "mailtutor classroom: "+strings.ReplaceAll(why, "\n", "\r\n")+"\r\n")
	sess.Exit(1)
}
