package classroom

import (
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	"github.com/mailtutor/mailtutor/tui"
)

// projectLearner puts one learner's live conversation on the teacher's
// projector (`ssh -t teacher@host projector NAME`): the sessions of the
// mail world the learner works in (the sandbox's, or the lesson's), every
// line with its explanation, and the lesson and step they are on, in the
// projector layout and sized to the teacher's terminal. It is a program of
// its own (tui.MirrorView), not one more screen of the learner's desk: the
// teacher steps through it with their own keys (sessions, lines, panes,
// following the newest; q leaves), and none of them reaches the learner's
// world or screen.
func (s *Server) projectLearner(sess ssh.Session, name string) {
	name = strings.ToLower(name)
	d := s.deskFor(sess, name)
	if d == nil {
		return
	}
	pty, _, ok := sess.Pty()
	if !ok {
		refuse(sess, "the projector needs a terminal: connect with ssh -t.")
		return
	}
	s.logf("teacher projects %s", name)
	profile, dark := s.colours(sess, pty)
	view := tui.NewMirrorView(d.mirror, name, tui.Options{
		Dark:      &dark,
		Profile:   &profile,
		Output:    sess,
		SaveDir:   filepath.Join(s.opts.StateDir, "learners", TeacherName, "transcripts"),
		Projector: true,
	})
	program := func(sess ssh.Session) *tea.Program {
		p := tea.NewProgram(view, append(bubbletea.MakeOptions(sess),
			tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithoutSignalHandler())...)
		go func() {
			// The learner's desk was freed, or the class is over.
			select {
			case <-d.done:
				p.Quit()
			case <-sess.Context().Done():
			}
		}()
		return p
	}
	// wish's middleware runs the program: the window's size and its
	// changes, the end of the connection.
	bubbletea.MiddlewareWithProgramHandler(program, termenv.Ascii)(func(ssh.Session) {})(sess)
	view.Close() // however it ended: the learner's world is let go
}
