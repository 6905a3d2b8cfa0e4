package transcripts

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Handout is what the exports read: a transcript's title and its sessions,
// one at a time. A *Transcript (in memory) is one; so is a *TranscriptFile
// (on disk, read session by session, so a transcript of any size is
// exported with the memory of one line).
type Handout interface {
	// Head returns the title and the time recording started.
	Head() (title string, created time.Time)
	// EachSession calls fn for every session with lines, in order of first
	// appearance, with its lines in wire order; lines without a session
	// (a Dropped notice) form a session of their own.
	EachSession(fn func(info SessionInfo, lines iter.Seq[Line]) error) error
}

// Head returns the transcript's title and creation time.
func (t *Transcript) Head() (string, time.Time) { return t.Title, t.Created }

// EachSession walks the transcript's sessions (see Handout).
func (t *Transcript) EachSession(fn func(SessionInfo, iter.Seq[Line]) error) error {
	for _, s := range sessionsOf(t) {
		if err := fn(s.info, sliceSeq(s.lines)); err != nil {
			return err
		}
	}
	return nil
}

func sliceSeq(lines []Line) iter.Seq[Line] {
	return func(yield func(Line) bool) {
		for _, l := range lines {
			if !yield(l) {
				return
			}
		}
	}
}

// TranscriptFile is a transcript file read in two passes: Open reads it
// once to learn where each session's lines are (runs of consecutive lines,
// a few bytes each), and EachSession reads each session's lines from
// there, so that nothing but the index is kept.
type TranscriptFile struct {
	f        io.ReadSeeker
	head     Transcript // the header: title, creation, sessions (no lines)
	sessions []SessionInfo
	runs     map[wire.SessionID][]fileRun
	err      error // the first error met while reading lines
}

// fileRun is a stretch of consecutive lines of one session.
type fileRun struct {
	off    int64 // where the first line starts
	lineNo int   // its line number in the file, for errors
	n      int   // how many lines
}

// OpenTranscript indexes a transcript file. Errors name the file line, as
// Load's do.
func OpenTranscript(f io.ReadSeeker) (*TranscriptFile, error) { return openTranscript(f, nil) }

// openTranscript indexes a transcript file; each calls fn (when not nil)
// with every line and the offset its record starts at, in the same pass
// (OpenTranscriptEach).
func openTranscript(f io.ReadSeeker, each func(off int64, l Line) error) (*TranscriptFile, error) {
	tf := &TranscriptFile{f: f, runs: map[wire.SessionID][]fileRun{}}
	idx := map[wire.SessionID]int{}
	var last wire.SessionID
	lastRun := -1
	err := tf.scan(0, 0, -1, func(rec []byte, off int64, lineNo int) error {
		if lineNo == 1 {
			if err := tf.head.readHeader(rec); err != nil {
				return err
			}
			for _, s := range tf.head.Sessions {
				idx[s.ID] = -1 - len(tf.sessions) // named, no line yet
				tf.sessions = append(tf.sessions, s)
			}
			return nil
		}
		var who struct {
			Session string `json:"session"`
			Proto   string `json:"proto"`
			Role    string `json:"role"`
			Kind    string `json:"kind"`
		}
		var line Line // the whole line, when each wants it
		if each != nil {
			var err error
			if line, err = parseLine(rec); err != nil {
				return err
			}
			who.Session, who.Proto, who.Role, who.Kind = string(line.Session), string(line.Proto), string(line.Role), line.Kind.String()
		} else if err := json.Unmarshal(rec, &who); err != nil {
			return fmt.Errorf("invalid JSON: %v", err)
		}
		id := wire.SessionID(wire.Visible(who.Session))
		i, ok := idx[id]
		switch {
		case !ok:
			i = len(tf.sessions)
			idx[id] = i
			tf.sessions = append(tf.sessions, SessionInfo{ID: id, Proto: wire.Proto(wire.Visible(who.Proto)), Role: wire.Role(wire.Visible(who.Role))})
		case i < 0:
			i = -1 - i
			idx[id] = i
		}
		if who.Kind == "open" || who.Kind == "close" {
			// A streamed transcript's header names no session: its
			// client and times are on these lines.
			l, err := line, error(nil)
			if each == nil {
				l, err = parseLine(rec)
			}
			if err != nil {
				return err
			}
			fillSession(&tf.sessions[i], l)
		}
		if each != nil {
			if err := each(off, line); err != nil {
				return err
			}
		}
		if id == last && lastRun >= 0 {
			tf.runs[id][lastRun].n++
			return nil
		}
		tf.runs[id] = append(tf.runs[id], fileRun{off: off, lineNo: lineNo, n: 1})
		last, lastRun = id, len(tf.runs[id])-1
		return nil
	})
	if err != nil {
		return nil, err
	}
	if tf.head.Version == 0 {
		return nil, errors.New("transcript line 1: empty file, expected a mailtutor-transcript header")
	}
	// Sessions the header names but no line belongs to are left out.
	kept := tf.sessions[:0]
	for _, s := range tf.sessions {
		if len(tf.runs[s.ID]) > 0 {
			kept = append(kept, s)
		}
	}
	tf.sessions = kept
	return tf, nil
}

// scan reads records from off (line number lineNo+1 on), at most n of
// them (n < 0: all), calling fn with each non-blank record, its offset and
// line number.
func (tf *TranscriptFile) scan(off int64, lineNo, n int, fn func(rec []byte, off int64, lineNo int) error) error {
	if _, err := tf.f.Seek(off, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(tf.f, 64<<10)
	for n != 0 {
		rec, err := readRecord(br)
		if len(rec) == 0 && err == io.EOF {
			return nil
		}
		lineNo++
		if err != nil && err != io.EOF {
			return fmt.Errorf("transcript line %d: %w", lineNo, err)
		}
		start := off
		off += int64(len(rec))
		if t := bytes.TrimSpace(rec); len(t) > 0 {
			if ferr := fn(t, start, lineNo); ferr != nil {
				return fmt.Errorf("transcript line %d: %w", lineNo, ferr)
			}
			n--
		}
		if err == io.EOF {
			return nil
		}
	}
	return nil
}

// Head returns the transcript's title and creation time.
func (tf *TranscriptFile) Head() (string, time.Time) { return tf.head.Title, tf.head.Created }

// Sessions lists the sessions that have lines, in order of first appearance.
func (tf *TranscriptFile) Sessions() []SessionInfo { return tf.sessions }

// EachSession reads each session's lines from the file (see Handout).
func (tf *TranscriptFile) EachSession(fn func(SessionInfo, iter.Seq[Line]) error) error {
	for _, s := range tf.sessions {
		tf.err = nil
		if err := fn(s, tf.lines(s.ID)); err != nil {
			return err
		}
		if tf.err != nil {
			return tf.err
		}
	}
	return nil
}

// lines reads one session's lines, run by run.
func (tf *TranscriptFile) lines(id wire.SessionID) iter.Seq[Line] {
	return func(yield func(Line) bool) {
		stop := errors.New("stop")
		for _, r := range tf.runs[id] {
			err := tf.scan(r.off, r.lineNo-1, r.n, func(rec []byte, _ int64, _ int) error {
				l, err := parseLine(rec)
				if err != nil {
					return err
				}
				if !yield(l) {
					return stop
				}
				return nil
			})
			if errors.Is(err, stop) {
				return
			}
			if err != nil {
				tf.err = err
				return
			}
		}
	}
}

// Save copies the transcript in the native format, line by line in file
// order, with secrets masked (a loaded line is saved as it was read).
func (tf *TranscriptFile) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	head := tf.head
	head.Sessions = tf.sessions
	if err := head.SaveWith(bw, SaveOptions{}); err != nil { // the header alone: head has no lines
		return err
	}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := tf.scan(0, 0, -1, func(rec []byte, _ int64, lineNo int) error {
		if lineNo == 1 {
			return nil
		}
		l, err := parseLine(rec)
		if err != nil {
			return err
		}
		return enc.Encode(toJSON(l.Masked()))
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// handoutSession is one session as the exports walk it.
type handoutSession struct {
	info  SessionInfo
	lines iter.Seq2[int, Line]
}

// sessionSeq walks a Handout's sessions for the exports; the first error
// met reading them is left in *errp.
func sessionSeq(t Handout, errp *error) iter.Seq2[int, handoutSession] {
	return func(yield func(int, handoutSession) bool) {
		i := 0
		stop := errors.New("stop")
		err := t.EachSession(func(info SessionInfo, lines iter.Seq[Line]) error {
			s := handoutSession{info: info, lines: func(y func(int, Line) bool) {
				j := 0
				for l := range lines {
					if !y(j, l) {
						return
					}
					j++
				}
			}}
			if !yield(i, s) {
				return stop
			}
			i++
			return nil
		})
		if err != nil && err != stop {
			*errp = err
		}
	}
}
