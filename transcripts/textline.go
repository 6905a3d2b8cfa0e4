package transcripts

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Annotators annotates the events of many sessions, each with the annotator
// of its session's protocol, sharing one knowledge cache. It is the one
// annotation step of every output that is not the TUI's Recorder: serve's
// and watch's printers, a transcript recorded as it goes, annotate's
// output. Not safe for concurrent use.
type Annotators struct {
	opts      AnnotateOptions
	bySession map[wire.SessionID]Annotator
}

// NewAnnotators returns an empty set; opts is given to every annotator (a
// shared Cache is made when opts has none).
func NewAnnotators(opts AnnotateOptions) *Annotators {
	if opts.Cache == nil {
		opts.Cache = NewCache()
	}
	return &Annotators{opts: opts, bySession: map[wire.SessionID]Annotator{}}
}

// Start makes a session's annotator before its first event, for a reader
// that knows the protocol from elsewhere (a log's header).
func (as *Annotators) Start(id wire.SessionID, proto wire.Proto) {
	as.bySession[id] = NewAnnotator(proto, as.opts)
}

// Started reports whether the session has an annotator.
func (as *Annotators) Started(id wire.SessionID) bool {
	_, ok := as.bySession[id]
	return ok
}

// Annotate explains one event with its session's annotator, made at the
// session's first event and let go at its Close.
func (as *Annotators) Annotate(e wire.Event) Line {
	a := as.bySession[e.Session]
	if a == nil {
		proto := e.Proto
		if proto == "" && e.Role != "" {
			proto = e.Role.Proto()
		}
		a = NewAnnotator(proto, as.opts)
		if e.Session != "" {
			as.bySession[e.Session] = a
		}
	}
	l := a.Annotate(e)
	if e.Kind == wire.Close {
		delete(as.bySession, e.Session)
	}
	return l
}

// TextStyle says how WriteTextLine prints an annotated line.
type TextStyle struct {
	// Session starts the line with its session and role, and "(TLS)" inside
	// TLS ("[s1 submission] (TLS) "), for output that mixes sessions.
	Session bool
	// Arrows marks the direction as swaks does: " -> " for the client,
	// "<-  " for the server, " ~> " and "<~  " inside TLS, "*** " for
	// session events. Without it: "C: ", "S: " and Meta.
	Arrows bool
	// Meta marks a session event (connected, TLS started) without Arrows.
	Meta string
	// NoteIndent goes before the "# " of the note's line.
	NoteIndent string
	// RFC adds the line's RFC reference after its note ("[RFC 5321 §4.2]").
	RFC bool
	// MaxBytes cuts the text and the note to this many bytes, for a
	// terminal: a 1 MB command line would scroll a screen for minutes.
	// 0 prints them whole.
	MaxBytes int
}

// WriteTextLine writes one annotated line as text: its marker and text, then
// its note on a line of its own. Everything passes wire.Visible: no escape
// sequence reaches a terminal. It is the one text printer of serve, watch,
// annotate and export --format text.
func WriteTextLine(w io.Writer, l Line, st TextStyle) {
	// Written piece by piece, not with Fprintf: annotate prints millions.
	if st.Session {
		io.WriteString(w, "["+string(l.Session)+" "+string(l.Role)+"]")
		if l.Encrypted {
			io.WriteString(w, " (TLS)")
		}
		io.WriteString(w, " ")
	}
	io.WriteString(w, lineMarker(l, st))
	io.WriteString(w, VisibleCut(l.Text, st.MaxBytes))
	io.WriteString(w, "\n")
	if l.Note == "" {
		return
	}
	io.WriteString(w, st.NoteIndent+"# ")
	io.WriteString(w, VisibleCut(oneLine(l.Note), st.MaxBytes))
	if st.RFC && l.RFC != "" {
		io.WriteString(w, " ["+wire.Visible(l.RFC)+"]")
	}
	io.WriteString(w, "\n")
}

// lineMarker is what goes before a line's text.
func lineMarker(l Line, st TextStyle) string {
	if st.Arrows {
		return textPrefix(l)
	}
	switch l.Dir {
	case wire.FromClient:
		return "C: "
	case wire.FromServer:
		return "S: "
	}
	return st.Meta + " "
}

// VisibleCut makes s safe to print (wire.Visible) and cuts it to max bytes
// (0: no cut) on a character boundary, saying how much was left out.
func VisibleCut(s string, max int) string {
	s = wire.Visible(s)
	if max <= 0 || len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes not shown)", len(s)-cut)
}
