package transcripts

import (
	"iter"
	"strings"
)

// SessionLabel says who talked to whom in a session, and how safely: the
// label every handout prints (role, client, server, TLS), for readers
// outside this package (the TUI's replay lanes).
type SessionLabel struct {
	ID     string // the session's id; "(no session)" for lines without one
	Proto  string // "SMTP", "POP3", "IMAP"; "" when no line says
	Role   string // what the listener is for, in words
	Client string // the client's address and the name it gave, or "not recorded"
	Server string // the server's name and listener
	TLS    string // how the session was protected, in words
	Hop    bool   // a relay hop: the world's own server handing mail on
	Lines  int    // how many lines the session has
}

// Labeler gathers a session's label line by line, for a reader that meets
// the sessions' lines interleaved, in wire order (the TUI's replay reads a
// file once that way). Only the facts a label needs are kept.
type Labeler struct{ f *sessionFacts }

// NewLabeler starts the label of the session info describes (its listener
// and protocol, if known; the lines tell them otherwise).
func NewLabeler(info SessionInfo) *Labeler {
	return &Labeler{f: &sessionFacts{role: info.Role, proto: strings.ToUpper(string(info.Proto))}}
}

// Add reads one line of the session.
func (lb *Labeler) Add(l Line) { lb.f.add(l) }

// Label is the session's label from the lines read so far; info is the
// session as known now (a streamed transcript names its client on its
// first line).
func (lb *Labeler) Label(info SessionInfo) SessionLabel {
	l := lb.f.label(info)
	return SessionLabel{ID: l.id, Proto: l.proto, Role: l.role, Client: l.client, Server: l.server, TLS: l.tls,
		Hop: l.hop, Lines: l.lines}
}

// LabelSession reads a session's lines once for its label.
func LabelSession(info SessionInfo, lines iter.Seq[Line]) SessionLabel {
	lb := NewLabeler(info)
	for l := range lines {
		lb.Add(l)
	}
	return lb.Label(info)
}
