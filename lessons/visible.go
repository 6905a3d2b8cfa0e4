package lessons

import "github.com/mailtutor/mailtutor/simulator/wire"

// makeVisible escapes, once at load time, every text of the lesson that a
// screen shows: a teacher's lesson directory is anyone's file, and a raw
// escape sequence in a title would reach the terminal through the lesson
// menu, "lessons list" and the lesson pane (wire.Visible; prose keeps its
// lines). What is sent to the servers (solutions) and what goals match is
// left as written: the annotated lines it is compared with are escaped by
// the annotators already, and the solution is drawn only through the input
// line, which escapes what it shows.
func (l *Lesson) makeVisible() {
	v, lines := wire.Visible, wire.VisibleLines
	l.Title, l.Summary, l.Level, l.Intro = v(l.Title), v(l.Summary), v(l.Level), lines(l.Intro)
	for name, s := range l.Sessions {
		s.Label = v(s.Label)
		l.Sessions[name] = s
	}
	for _, st := range l.Steps {
		st.Title, st.Prose, st.After = v(st.Title), lines(st.Prose), lines(st.After)
		st.QuestionText, st.Explanation = lines(st.QuestionText), lines(st.Explanation)
		for i := range st.Expect {
			st.Expect[i] = v(st.Expect[i])
		}
		for i := range st.Hints {
			st.Hints[i] = lines(st.Hints[i])
		}
		for i := range st.Choices {
			st.Choices[i] = v(st.Choices[i])
		}
	}
}
