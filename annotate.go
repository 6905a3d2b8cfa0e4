package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
	"github.com/mailtutor/mailtutor/transcripts/logs"
)

// annotateFlags are the flags of `mailtutor annotate`.
type annotateFlags struct {
	format, proto string
	reveal        bool
	follow        bool // read on as the file grows, as tail -f
}

// runAnnotate explains a log as it is read: each line is printed as soon
// as its event is known, so `journalctl -fu postfix | mailtutor annotate -`
// and `annotate -f FILE` follow a live log, and a log of any size takes
// memory for its open sessions only.
func runAnnotate(ctx context.Context, out io.Writer, stdin io.Reader, args []string, f annotateFlags) error {
	in := stdin
	if len(args) == 1 && args[0] != "-" {
		file, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer file.Close()
		in = file
		if f.follow {
			in = logs.Follow(ctx, file)
		}
	} else if f.follow {
		return fmt.Errorf("-f follows a file: name it (a pipe is followed anyway)")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the reading goroutine if the output fails
	src := logs.NewSource(ctx, in)
	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	detected, _ := logs.Detect(src.Sample())
	if f.format == "message" || f.format == "" && detected == logs.FormatUnknown && transcripts.LooksLikeMessage(src.Sample()) {
		data, err := src.ReadAll(logs.DefaultMaxBytes)
		if err != nil {
			return err
		}
		return printHeaders(w, transcripts.ExplainHeaders(data))
	}
	p := &logPrinter{w: w, sessions: map[wire.SessionID]*printSession{},
		opts: transcripts.AnnotateOptions{RevealSecrets: f.reveal, Cache: transcripts.NewCache()}}
	src.Idle = func() { w.Flush() }
	format := logs.Format(f.format)
	if format == "" {
		format = detected
	}
	fmt.Fprintf(w, "# format: %s\n", format)
	_, err := logs.Stream(src, logs.Options{Format: format, Proto: wire.Proto(f.proto)}, logs.Handler{
		Session: p.session, Event: p.event, Problem: p.problem, Transient: true,
	})
	p.printProblems()
	if err == nil {
		err = p.err
	}
	return err
}

// logPrinter writes annotated events as they come.
type logPrinter struct {
	w        *bufio.Writer
	opts     transcripts.AnnotateOptions      // one knowledge cache for every session
	sessions map[wire.SessionID]*printSession // the open sessions
	current  wire.SessionID                   // the session of the last line printed
	problems []logs.Problem                   // the first maxProblems
	more     int                              // problems beyond those
	err      error
	free     []map[string]bool // the said sets of closed sessions, emptied, to reuse
}

// printSession is one open session of the log.
type printSession struct {
	proto wire.Proto
	a     transcripts.Annotator
	// said holds the notes printed in this session: a note that repeats
	// (the same reply to the same command, again and again) is said once.
	said map[string]bool
}

const (
	// maxProblems bounds the unreadable lines kept for the end of the
	// output; the rest are counted.
	maxProblems = 1000
	// maxSaid bounds the notes a session remembers having said.
	maxSaid = 4096
)

func (p *logPrinter) session(id wire.SessionID, proto wire.Proto) {
	said := map[string]bool{}
	if n := len(p.free); n > 0 {
		said, p.free = p.free[n-1], p.free[:n-1]
	}
	p.sessions[id] = &printSession{proto: proto, a: transcripts.NewAnnotator(proto, p.opts), said: said}
	fmt.Fprintf(p.w, "\n## session %s (%s)\n", id, proto)
	p.current = id
}

func (p *logPrinter) event(e wire.Event) {
	s := p.sessions[e.Session]
	if s == nil {
		return
	}
	if e.Session != p.current {
		// Sessions interleave in a busy server's log: say whose line this is.
		fmt.Fprintf(p.w, "\n## session %s (%s), continued\n", e.Session, s.proto)
		p.current = e.Session
	}
	l := s.a.Annotate(e)
	if l.Note != "" && s.said[l.Note] {
		l.Note = ""
	} else if l.Note != "" && len(s.said) < maxSaid {
		s.said[l.Note] = true
	}
	printLine(p.w, l)
	if e.Kind == wire.Close {
		delete(p.sessions, e.Session)
		if len(p.free) < 64 {
			clear(s.said)
			p.free = append(p.free, s.said)
		}
	}
	if p.err == nil && p.w.Buffered() == 0 {
		// The writer flushed: a failed write (a closed pipe) shows here.
		_, p.err = p.w.Write(nil)
	}
}

func (p *logPrinter) problem(pr logs.Problem) {
	if len(p.problems) < maxProblems {
		p.problems = append(p.problems, pr)
		return
	}
	p.more++
}

func (p *logPrinter) printProblems() {
	if len(p.problems) == 0 {
		return
	}
	slices.SortStableFunc(p.problems, func(a, b logs.Problem) int { return a.Line - b.Line })
	fmt.Fprintf(p.w, "\n## lines not understood (%d)\n", len(p.problems)+p.more)
	for _, pr := range p.problems {
		fmt.Fprintf(p.w, "line %d: %s: %q\n", pr.Line, pr.Reason, pr.Text)
	}
	if p.more > 0 {
		fmt.Fprintf(p.w, "… and %d more\n", p.more)
	}
}
