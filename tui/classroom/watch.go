package classroom

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
)

// watchLearner shows the teacher one learner's screen live, read only
// (`ssh -t teacher@host watch NAME`): the teacher's terminal becomes one
// more screen of the learner's desk, and their keys go nowhere but q or
// ctrl+c, which end the watch.
func (s *Server) watchLearner(sess ssh.Session, name string) {
	name = strings.ToLower(name)
	d := s.deskFor(sess, name)
	if d == nil {
		return
	}
	s.logf("teacher watches %s", name)
	sess.Write([]byte(joinScreen))
	d.out.attach(sess, sess)
	defer d.out.detach(sess)
	// The same size again: the program draws the whole screen anew.
	d.sizeMu.Lock()
	size := d.size
	d.sizeMu.Unlock()
	go d.prog.Send(size)

	quit := make(chan struct{})
	go func() {
		defer close(quit)
		b := make([]byte, 64)
		for {
			n, err := sess.Read(b)
			if err != nil || strings.ContainsAny(string(b[:n]), "q\x03") {
				return
			}
		}
	}()
	select {
	case <-quit:
	case <-sess.Context().Done():
	case <-d.done:
	}
	d.out.detach(sess)
	sess.Write([]byte(leaveScreen))
	sess.Exit(0)
}

// deskFor is the desk of the learner the teacher named, or nil when
// nobody of that name is in the class (the teacher is told so).
func (s *Server) deskFor(sess ssh.Session, name string) *desk {
	s.mu.Lock()
	d := s.desks[name]
	s.mu.Unlock()
	if d == nil {
		refuse(sess, fmt.Sprintf("nobody called %q is in the class now; the teacher's view lists who is.", name))
	}
	return d
}

// rememberSize keeps the size last sent to the program, for a watcher's
// repaint.
func (d *desk) rememberSize(m tea.WindowSizeMsg) tea.WindowSizeMsg {
	d.sizeMu.Lock()
	d.size = m
	d.sizeMu.Unlock()
	return m
}
