package lessons

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// Auto plays a lesson's solution on a fresh simulator for a projector:
// each step's title and text, then every annotated line as it crosses the
// wire, pausing pace before each command, then what the step showed (its
// After text). Questions are shown with their answer.
func Auto(ctx context.Context, l *Lesson, w io.Writer, pace time.Duration) error {
	s, err := start(l, "")
	if err != nil {
		return err
	}
	defer s.close()
	run := s.run
	names := func(id wire.SessionID) string {
		if n := run.SessionName(id); n != "" {
			return n
		}
		return string(id)
	}
	opts := PlayOptions{Pace: pace, OnLine: func(ln transcripts.Line) { printLine(w, names(ln.Session), ln) }}
	fmt.Fprintf(w, "# %s\n\n", l.Title)
	printProse(w, l.Intro)
	for i, st := range l.Steps {
		fmt.Fprintf(w, "\n## Step %d: %s\n\n", i+1, st.Title)
		printProse(w, st.Prose)
		if err := printReplay(w, l, i); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, st.Title, err)
		}
		switch st.Kind {
		case Question:
			fmt.Fprintf(w, "%s\n", st.QuestionText)
			for k, c := range st.Choices {
				fmt.Fprintf(w, "  %d. %s\n", k+1, c)
			}
			if err := sleepCtx(ctx, pace); err != nil {
				return err
			}
			fmt.Fprintf(w, "Answer: %d. %s\n%s\n", st.Answer+1, st.Choices[st.Answer], strings.TrimSpace(st.Explanation))
		}
		if err := playStep(ctx, run, i, opts); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, st.Title, err)
		}
		if strings.TrimSpace(st.After) != "" {
			fmt.Fprintln(w)
			printProse(w, st.After)
		}
	}
	fmt.Fprintf(w, "\nLesson complete.\n")
	return nil
}

// printProse writes a lesson's Markdown text as it is, followed by a blank
// line; the output is itself Markdown-like (# title, ## Step).
func printProse(w io.Writer, md string) {
	if md = strings.TrimSpace(md); md != "" {
		fmt.Fprintf(w, "%s\n\n", md)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// printLine writes one annotated line: the session, who spoke, the text, and
// the annotation underneath.
func printLine(w io.Writer, session string, l transcripts.Line) {
	mark := "*"
	switch l.Dir {
	case wire.FromClient:
		mark = "C:"
	case wire.FromServer:
		mark = "S:"
	}
	fmt.Fprintf(w, "[%-8s] %-2s %s\n", session, mark, l.Text)
	if l.Note != "" {
		ref := ""
		if l.RFC != "" {
			ref = " (" + l.RFC + ")"
		}
		fmt.Fprintf(w, "%-14s ↳ %s%s\n", "", l.Note, ref)
	}
}

// printReplay shows the recorded session a step replays, line by line, the
// way a class would step through it.
func printReplay(w io.Writer, l *Lesson, i int) error {
	t, err := l.Replay(i)
	if t == nil || err != nil {
		return err
	}
	title := t.Title
	if title == "" {
		title = l.Steps[i].Replay
	}
	fmt.Fprintf(w, "Recorded session: %s\n", title)
	roles := map[wire.SessionID]string{}
	for _, s := range t.Sessions {
		roles[s.ID] = string(s.Role)
	}
	for _, ln := range t.Lines {
		name := roles[ln.Session]
		if name == "" {
			name = string(ln.Session)
		}
		printLine(w, name, ln)
	}
	fmt.Fprintln(w)
	return nil
}
