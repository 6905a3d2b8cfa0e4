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

// LabelSession reads a session's lines once for its label (only the facts
// a label needs are kept, not the lines).
func LabelSession(info SessionInfo, lines iter.Seq[Line]) SessionLabel {
	f := &sessionFacts{role: info.Role, proto: strings.ToUpper(string(info.Proto))}
	for l := range lines {
		f.add(l)
	}
	lb := f.label(info)
	return SessionLabel{ID: lb.id, Proto: lb.proto, Role: lb.role, Client: lb.client, Server: lb.server, TLS: lb.tls,
		Hop: lb.hop, Lines: lb.lines}
}
