package transcripts

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// TranscriptWriter writes a transcript file as it is made, for a recording
// of any length (`serve --transcript`, `annotate --to jsonl`): the header
// first, then every line as soon as it is annotated, always masked. It
// keeps one annotator per open session and nothing else, so its memory
// follows the open sessions, not the length of the recording.
//
// The header cannot list the sessions (they are not known yet): a reader
// learns each session from its lines, its client's address and its times
// from its "connected" and "closed" lines (see fillSession).
type TranscriptWriter struct {
	bw         *bufio.Writer
	enc        *json.Encoder
	opts       TranscriptWriterOptions
	annotators *Annotators
	err        error // the first write error; later writes are skipped
}

// TranscriptWriterOptions says how a TranscriptWriter records.
type TranscriptWriterOptions struct {
	// Title names the recording in the header ("mailtutor serve").
	Title string
	// Created is the header's creation time; zero means time.Now().
	Created time.Time
}

// NewTranscriptWriter writes the header to w and returns the writer.
func NewTranscriptWriter(w io.Writer, opts TranscriptWriterOptions) (*TranscriptWriter, error) {
	if opts.Created.IsZero() {
		opts.Created = time.Now()
	}
	tw := &TranscriptWriter{bw: bufio.NewWriterSize(w, 64<<10), opts: opts,
		annotators: NewAnnotators(AnnotateOptions{})}
	tw.enc = json.NewEncoder(tw.bw)
	tw.enc.SetEscapeHTML(false)
	h := fileHeader{Format: FormatName, Version: FormatVersion, Title: opts.Title, Created: opts.Created, Sessions: []sessionJSON{}}
	if err := tw.enc.Encode(h); err != nil {
		return nil, fmt.Errorf("write transcript header: %w", err)
	}
	return tw, nil
}

// Event annotates one wire event with its session's annotator and writes
// the line. A closed session's annotator is let go.
func (tw *TranscriptWriter) Event(e wire.Event) error {
	return tw.Line(tw.annotators.Annotate(e))
}

// Line writes a line annotated elsewhere, masked.
func (tw *TranscriptWriter) Line(l Line) error {
	if tw.err != nil {
		return tw.err
	}
	if err := tw.enc.Encode(toJSON(l.Masked())); err != nil {
		tw.err = fmt.Errorf("write transcript line %d: %w", l.Seq, err)
	}
	return tw.err
}

// Flush writes out what is buffered: call it when the input pauses, so a
// reader of the file (or a crash) loses nothing that was seen.
func (tw *TranscriptWriter) Flush() error {
	if tw.err != nil {
		return tw.err
	}
	tw.err = tw.bw.Flush()
	return tw.err
}

// fillSession completes what a transcript's header does not say about a
// session from its own lines: the client's address from its "connected"
// line, when it opened and closed. A streamed transcript's header lists no
// session, and a handout's labels need them.
func fillSession(info *SessionInfo, l Line) {
	switch l.Kind {
	case wire.Open:
		if info.Peer == "" {
			if p, ok := strings.CutPrefix(l.Text, "[connected: "); ok {
				// "connection from 127.0.0.1:40000 to the submission
				// listener" (the relay's words for its own sessions).
				p = strings.TrimSuffix(p, "]")
				if rest, ok := strings.CutPrefix(p, "connection from "); ok {
					if i := strings.LastIndex(rest, " to the "); i > 0 {
						rest = rest[:i]
					}
					p = rest
				}
				info.Peer = p
			}
		}
		if info.Opened.IsZero() {
			info.Opened = l.Time
		}
	case wire.Close:
		if info.Closed.IsZero() {
			info.Closed = l.Time
		}
	}
	if info.Role == "" {
		info.Role = l.Role
	}
	if info.Proto == "" {
		info.Proto = l.Proto
	}
}
