package lessons

import (
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Body stands for a message body (the lines after DATA's 354) in Prepare.
const Body = "<body>"

// Prepare fits "show me" to the session's state: given the next line of
// the solution (or Body), it returns the line to type now. That is the line
// itself when the session can take it, or the command that must come first
// (MAIL FROM before DATA, USER and PASS before RETR, LOGIN before SELECT),
// taken from this lesson's solutions for that session; skip is true when the
// session is already past the line (DATA while the body is awaited, PASS
// once logged in), so "show me" moves on to the next one. A line the server
// would refuse in this state is never what comes back, when the lesson
// knows a line that leads there.
func (r *Run) Prepare(session, line string) (next string, skip bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pull()
	spec, ok := r.lesson.Sessions[session]
	if !ok {
		return line, false
	}
	proto := spec.Role.Proto()
	state := r.sessionState(session)
	verb := Body
	if line != Body {
		verb = lineVerb(proto, line)
	}
	need := ""
	switch proto {
	case wire.SMTP:
		rank := map[string]int{"connected": 0, "greeted": 1, "mail": 2, "rcpt": 3, "data": 4}
		have, known := rank[state]
		if !known {
			return line, false
		}
		want := map[string]int{"MAIL": 1, "RCPT": 2, "DATA": 3, "BDAT": 3, Body: 4}
		w, gated := want[verb]
		switch {
		case !gated:
		case verb == "RCPT" && have == 3, have == w:
		case verb == "MAIL" && have > w, verb == "DATA" && have == 4:
			return line, true // already there
		default:
			// The command that moves the session on from where it is.
			need = [...]string{"EHLO", "MAIL", "RCPT", "DATA", ""}[have]
			if have > w {
				need = "RSET"
			}
		}
	case wire.POP3:
		authVerbs := verb == "USER" || verb == "PASS" || verb == "APOP" || verb == "AUTH"
		switch {
		case state == "TRANSACTION" && authVerbs:
			return line, true
		case state == "AUTHORIZATION" && !authVerbs && verb != "QUIT" && verb != "CAPA" && verb != "STLS":
			need = "USER"
			if r.lastAnswered(session, "USER") {
				need = "PASS"
			}
		}
	case wire.IMAP:
		selected := strings.HasPrefix(state, "selected")
		authed := selected || state == "authenticated"
		switch verb {
		case "LOGIN", "AUTHENTICATE":
			if authed {
				return line, true
			}
		case "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "ID":
		case "FETCH", "STORE", "SEARCH", "EXPUNGE", "MOVE", "COPY", "UID", "CLOSE", "UNSELECT":
			if !authed {
				need = "LOGIN"
			} else if !selected {
				need = "SELECT"
			}
		default:
			if !authed {
				need = "LOGIN"
			}
		}
	}
	if need == "" {
		return line, false
	}
	if need == "RSET" {
		return "RSET", false
	}
	if found := r.solutionLine(session, proto, need); found != "" {
		return found, false
	}
	return line, false
}

// lineVerb is a command line's verb (after an IMAP tag), upper case.
func lineVerb(proto wire.Proto, line string) string {
	f := strings.Fields(line)
	if proto == wire.IMAP && len(f) > 1 {
		f = f[1:]
	}
	if len(f) == 0 {
		return ""
	}
	v := strings.ToUpper(f[0])
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[:i] // "MAIL FROM:<...>" has MAIL first anyway
	}
	return v
}

// sessionState is the protocol state of a lesson session's connection now,
// as the protocol model reported it.
func (r *Run) sessionState(name string) string {
	id := r.currentID(name)
	for i := len(r.lines) - 1; i >= 0; i-- {
		if l := r.lines[i]; l.Session == id && l.State != "" {
			return l.State
		}
	}
	return ""
}

// lastAnswered reports whether the last complete reply on the session
// answered verb with success.
func (r *Run) lastAnswered(name, verb string) bool {
	id := r.currentID(name)
	for i := len(r.lines) - 1; i >= 0; i-- {
		l := r.lines[i]
		if l.Session == id && l.Dir == wire.FromServer && l.Complete {
			return normVerb(l.Verb) == verb && (l.Code == "+OK" || strings.HasPrefix(l.Code, "2") || l.Code == "OK")
		}
	}
	return false
}

// solutionLine finds, in the solutions of the active step and the steps
// before it (the nearest first), a line with this verb sent on the session.
func (r *Run) solutionLine(session string, proto wire.Proto, verb string) string {
	last := min(r.current, len(r.lesson.Steps)-1)
	for i := last; i >= 0; i-- {
		sol := r.lesson.Steps[i].Solution
		for k := len(sol) - 1; k >= 0; k-- {
			s := sol[k]
			if s.Action != "" || s.Session != session || len(s.Lines) != 1 {
				continue
			}
			if v := lineVerb(proto, s.Lines[0]); v == verb || (verb == "EHLO" && v == "HELO") {
				return s.Lines[0]
			}
		}
	}
	return ""
}
