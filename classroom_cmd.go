package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"

	"github.com/mailtutor/mailtutor/tui"
	"github.com/mailtutor/mailtutor/tui/classroom"
)

// classroomFlags are the flags of `mailtutor classroom`.
type classroomFlags struct {
	listen, stateDir           string
	classCode, authorizedKeys  string
	teacherKeys, progressCSV   string
	theme                      string
	teacher                    bool   // the teacher's view on this terminal
	logFile                    string // where the classroom's log goes with --teacher
	maxLearners, maxPerLearner int
	idleTimeout, stuckAfter    time.Duration
	inputIdleTimeout           time.Duration
}

func newClassroomCmd(tuiOpts *tui.Options) *cobra.Command {
	f := &classroomFlags{}
	cmd := &cobra.Command{
		Use:   "classroom",
		Short: "Serve mailtutor to a class over SSH: a mail world per learner, a teacher's view",
		Long: `classroom runs an SSH server: every student types
  ssh -p 2222 yourname@this-host
and gets the full mailtutor with a mail world of their own. The teacher
connects as "teacher" with a key from --teacher-keys to see the class (lesson,
step, time on step, hints, wrong attempts, who is stuck), send a message to all,
send the class to a lesson and export progress as CSV
(or: ssh teacher@this-host csv > grades.csv).

Students enter with the class code (--class-code, or $MAILTUTOR_CLASS_CODE so
it stays out of the process list), a key in --authorized-keys, or either.
It listens on 127.0.0.1 unless --listen says otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runClassroom(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, tuiOpts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", classroom.DefaultListen, "address to listen on (another than loopback lets the network in)")
	fl.StringVar(&f.stateDir, "state-dir", "", "host key, learners' progress and transcripts (default: the user config dir's mailtutor/classroom)")
	fl.StringVar(&f.classCode, "class-code", os.Getenv("MAILTUTOR_CLASS_CODE"), "the code students type to enter (default $MAILTUTOR_CLASS_CODE)")
	fl.StringVar(&f.authorizedKeys, "authorized-keys", "", "an authorized_keys file: its keys let students in")
	fl.StringVar(&f.teacherKeys, "teacher-keys", "", "an authorized_keys file for the teacher's view (ssh teacher@host)")
	fl.StringVar(&f.progressCSV, "progress-csv", "", "where the teacher's export writes the gradebook (default STATE-DIR/progress.csv)")
	fl.StringVar(&f.theme, "theme", "", "force the learners' palette: dark or light (default: their COLORFGBG, else dark)")
	fl.IntVar(&f.maxLearners, "max-learners", 100, "most learners at once (connected or dropped and kept)")
	fl.IntVar(&f.maxPerLearner, "max-per-learner", 1, "most connections one learner may have open (they share one screen)")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", 15*time.Minute, "how long a learner who dropped keeps their mail world")
	fl.DurationVar(&f.inputIdleTimeout, "input-idle-timeout", 0, "disconnect a learner who typed nothing for this long (0: --idle-timeout)")
	fl.DurationVar(&f.stuckAfter, "stuck-after", 5*time.Minute, "mark a learner stuck after this long on one step")
	fl.BoolVar(&f.teacher, "teacher", false, "show the teacher's view on this terminal while the classroom serves (q or ctrl+c ends the class)")
	fl.StringVar(&f.logFile, "log", "", "with --teacher: write the classroom's log to this file (default: STATE-DIR/classroom.log), never to the screen")
	return cmd
}

func runClassroom(ctx context.Context, out, errOut io.Writer, f *classroomFlags, tuiOpts *tui.Options) error {
	if f.stateDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return fmt.Errorf("no --state-dir and no config directory: %w", err)
		}
		f.stateDir = filepath.Join(dir, "mailtutor", "classroom")
	}
	opts := classroom.Options{StateDir: f.stateDir, ClassCode: f.classCode, AuthorizedKeys: f.authorizedKeys,
		TeacherKeys: f.teacherKeys, ProgressCSV: f.progressCSV, MaxLearners: f.maxLearners, MaxPerLearner: f.maxPerLearner,
		IdleTimeout: f.idleTimeout, InputIdleTimeout: f.inputIdleTimeout, StuckAfter: f.stuckAfter, LessonDirs: tuiOpts.LessonDirs, Log: out}
	switch f.theme {
	case "dark", "light":
		dark := f.theme == "dark"
		opts.Dark = &dark
	case "":
	default:
		return fmt.Errorf("--theme is dark or light, not %q", f.theme)
	}
	var logTo *os.File
	if f.teacher {
		// The view draws on this terminal: the log goes to a file.
		if f.logFile == "" {
			f.logFile = filepath.Join(f.stateDir, "classroom.log")
		}
		if err := os.MkdirAll(filepath.Dir(f.logFile), 0o700); err != nil {
			return err
		}
		lf, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer lf.Close()
		logTo, opts.Log = lf, lf
	}
	srv, err := classroom.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	if host, _, _ := net.SplitHostPort(f.listen); !isLoopback(host) {
		fmt.Fprintf(errOut, "warning: listening on %s: anyone on the network who has the class code or a listed key can enter\n", ln.Addr())
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(out, "mailtutor classroom on %s\nhost key fingerprint: %s (students can check it on first connection)\nstudents: ssh -p %s yourname@HOST\n",
		ln.Addr(), srv.Fingerprint(), port)
	if f.teacherKeys != "" {
		fmt.Fprintf(out, "teacher:  ssh -p %s %s@HOST\n", port, classroom.TeacherName)
	}
	fmt.Fprintf(out, "state in %s; progress CSV at %s\n", f.stateDir, srv.ProgressCSVPath())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if f.teacher {
		fmt.Fprintf(out, "log in %s\n", logTo.Name())
		err = runLocalTeacher(ctx, srv, f.theme != "light", served)
	} else {
		select {
		case err = <-served:
		case <-ctx.Done():
		}
	}
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	return err
}

// isLoopback reports whether a listen host keeps the classroom on this
// machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// runLocalTeacher shows the teacher's view on this terminal until the
// teacher leaves it (or the classroom stops serving).
func runLocalTeacher(ctx context.Context, srv *classroom.Server, dark bool, served <-chan error) error {
	profile := termenv.NewOutput(os.Stdout).EnvColorProfile() // NO_COLOR and the terminal decide
	p := tea.NewProgram(srv.NewTeacherModel(os.Stdout, profile, dark), tea.WithAltScreen(), tea.WithContext(ctx))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	select {
	case err := <-done:
		if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	case err := <-served:
		p.Kill()
		<-done
		return err
	}
}
