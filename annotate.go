package main

import (
	"bufio"
	"context"
	"fmt"
	"hash/maphash"
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
	follow        bool   // read on as the file grows, as tail -f
	to            string // "": annotated text; "jsonl": a transcript for export and replay
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
	format := logs.Format(f.format)
	if format == "" {
		format = detected
	}
	switch f.to {
	case "", "text":
	case "jsonl", "json":
		return annotateToTranscript(src, w, format, f)
	default:
		return fmt.Errorf("--to %q: want text or jsonl", f.to)
	}
	p := &logPrinter{w: w, sessions: map[wire.SessionID]*printSession{}, firstSaid: map[uint64]wire.SessionID{}, seed: maphash.MakeSeed(),
		opts: transcripts.AnnotateOptions{RevealSecrets: f.reveal, Cache: transcripts.NewCache()}}
	src.Idle = func() { w.Flush() }
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

// annotateToTranscript turns a log into a transcript (JSON Lines, secrets
// masked) as it is read, for `export` and `replay`: every line keeps its
// whole note (a handout says a repeated explanation once, in its
// glossary). Lines the readers could not place are counted on stderr.
func annotateToTranscript(src *logs.Source, w *bufio.Writer, format logs.Format, f annotateFlags) error {
	if f.format == "message" {
		return fmt.Errorf("--to jsonl needs a log of sessions; a message's headers are explained as text only")
	}
	tw, err := transcripts.NewTranscriptWriter(w, transcripts.TranscriptWriterOptions{Title: "annotated " + string(format) + " log"})
	if err != nil {
		return err
	}
	annotators := transcripts.NewAnnotators(transcripts.AnnotateOptions{})
	problems := 0
	src.Idle = func() { tw.Flush() }
	_, err = logs.Stream(src, logs.Options{Format: format, Proto: wire.Proto(f.proto)}, logs.Handler{
		Session: func(id wire.SessionID, proto wire.Proto) {
			annotators.Start(id, proto)
		},
		Event: func(e wire.Event) {
			if annotators.Started(e.Session) {
				tw.Line(annotators.Annotate(e))
			}
		},
		Problem:   func(logs.Problem) { problems++ },
		Transient: true,
	})
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	if problems > 0 {
		fmt.Fprintf(os.Stderr, "annotate: %d lines not understood (left out of the transcript; annotate without --to lists them)\n", problems)
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
	// firstSaid remembers, by a hash of the note, which session said a
	// note first: a later session that needs the same note prints a short
	// back-reference to it ("= s1") instead (a log of many short sessions
	// repeats the same explanations in each).
	firstSaid map[uint64]wire.SessionID
	seed      maphash.Seed
	refShown  bool // the first back-reference has said what it means
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
	// maxFirstSaid bounds the notes remembered across sessions (a hash
	// and a session name each, about 1 MB); notes past it print in full.
	maxFirstSaid = 1 << 16
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
	l.Note = p.once(e.Session, s, l.Note)
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

// once is the note to print for a line: nothing when the session has
// already said it, a back-reference when an earlier session did.
func (p *logPrinter) once(id wire.SessionID, s *printSession, note string) string {
	if note == "" || s.said[note] {
		return ""
	}
	if len(s.said) < maxSaid {
		s.said[note] = true
	}
	h := maphash.String(p.seed, note)
	first, ok := p.firstSaid[h]
	switch {
	case !ok:
		if len(p.firstSaid) < maxFirstSaid {
			p.firstSaid[h] = id
		}
	case first != id && len(first)+2 < len(note):
		ref := "= " + string(first)
		if !p.refShown {
			ref += " (the same note as on this line in session " + string(first) + ", above)"
			p.refShown = true
		}
		return ref
	}
	return note
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
