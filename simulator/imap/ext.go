package imap

import (
	"bytes"
	"crypto/tls"
	"net"
	"strconv"
	"strings"
)

// Extensions go-imap v2.0.0-beta.8's server does not dispatch (it answers
// them BAD "Unknown command", and hangs up when that happens before login)
// are answered here, from the store, with the session's state: ID (RFC
// 2971), SORT and UID SORT with SORT=DISPLAY (RFC 5256, RFC 5957), THREAD
// and UID THREAD with REFERENCES and ORDEREDSUBJECT (RFC 5256), ESORT and
// CONTEXT=SEARCH (RFC 5267: SORT RETURN, SEARCH RETURN with PARTIAL,
// CONTEXT or UPDATE, CANCELUPDATE), and APPEND with MULTIAPPEND (RFC
// 3502; one message is still go-imap's, see ext_append.go). The tap (simulator/tap, through
// Corrector.Intercepts and Corrector.Answer) keeps such a command from the
// library: it waits until the library has answered every command sent
// before it, hands the whole command here (Server.Extension) and writes
// the answer to the client, so pipelined commands are answered in order.

// ExtensionCaps are the capabilities of the extensions answered here, as
// the relay adds them to go-imap's lists (ExtendCapabilities): ID is
// offered in every state, the others once the client has logged in.
var (
	preLoginCaps = []string{"ID"}
	loggedInCaps = []string{"ID", "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "ESORT", "CONTEXT=SEARCH", "MULTIAPPEND"}
)

// Intercepts reports whether a client line that starts a command with
// verb (as the IMAP model names it) starts a command answered here rather
// than by go-imap. SEARCH is go-imap's, unless its RETURN options ask for
// what CONTEXT=SEARCH adds (PARTIAL, CONTEXT, UPDATE).
func Intercepts(verb string, line []byte) bool {
	switch verb {
	case "ID", "SORT", "UID SORT", "THREAD", "UID THREAD", "CANCELUPDATE", "APPEND":
		return true
	case "SEARCH", "UID SEARCH":
		return contextSearch(line)
	}
	return false
}

// contextSearch reports whether a SEARCH line carries a RETURN option of
// RFC 5267 (PARTIAL, CONTEXT, UPDATE), which go-imap does not know.
func contextSearch(line []byte) bool {
	upper := bytes.ToUpper(line)
	i := bytes.Index(upper, []byte(" RETURN ("))
	if i < 0 {
		return false
	}
	opts := upper[i+len(" RETURN ("):]
	if j := bytes.IndexByte(opts, ')'); j >= 0 {
		opts = opts[:j]
	}
	for _, w := range bytes.Fields(opts) {
		switch string(w) {
		case "PARTIAL", "CONTEXT", "UPDATE":
			return true
		}
	}
	return false
}

// connKey is the connection the relay knows a session by: the one go-imap
// was handed, beneath the library's own TLS after STARTTLS or on an
// implicit-TLS listener.
func connKey(c net.Conn) net.Conn {
	if tc, ok := c.(*tls.Conn); ok {
		return tc.NetConn()
	}
	return c
}

// sessionOf returns the session go-imap runs over conn, waiting until the
// library has set it up (a client may send its first command before the
// library has read anything), or nil when stop closes first.
func (s *Server) sessionOf(conn net.Conn, stop <-chan struct{}) *session {
	for {
		s.mu.Lock()
		sess, registered := s.byConn[conn], s.registered
		s.mu.Unlock()
		if sess != nil {
			return sess
		}
		select {
		case <-registered:
		case <-stop:
			return nil
		}
	}
}

// Answer is the reply to an extension command.
type Answer struct {
	// Reply is the server's lines, CRLF-terminated, the tagged one last.
	Reply []byte
	// Tag and Verb name the command answered; OK tells the tagged status.
	Tag, Verb string
	OK        bool
	// ClientID is, for an ID command, what the client said it is
	// ("Thunderbird 115.3.1 (Linux)"); "" otherwise.
	ClientID string
	// Library, when set, is what go-imap runs in the command's place
	// (ext_append.go): its tagged reply completes the command, and Reply
	// holds no tagged line. OKLine then replaces go-imap's tagged OK (nil:
	// go-imap's own line stands).
	Library, OKLine []byte
}

// Extension answers one extension command (Intercepts said so), given
// whole as the client sent it: its lines and its literals. conn is the
// connection go-imap was handed for this client; the session must not be
// running a command meanwhile (the relay waits for the library's answers
// first). stop ends the wait for the session to exist.
func (s *Server) Extension(conn net.Conn, cmd []byte, stop <-chan struct{}) Answer {
	r := &cmdReader{b: cmd}
	tag, verb := commandHead(r)
	a := Answer{Tag: tag, Verb: verb}
	sess := s.sessionOf(connKey(conn), stop)
	if sess == nil {
		a.Reply = []byte("* BYE Session gone\r\n")
		return a
	}
	var out bytes.Buffer
	var err *extError
	if verb == "APPEND" {
		ans := sess.appendCommand(&appendReader{cmdReader: *r, cmd: &appendCommandArgs{}}, tag)
		a.Reply, a.Library, a.OKLine = ans.reply, ans.library, ans.okLine
		return a
	}
	switch verb {
	case "ID":
		a.ClientID, err = sess.id(r, &out)
	case "SORT", "UID SORT":
		err = sess.sort(r, &out, tag, verb == "UID SORT")
	case "THREAD", "UID THREAD":
		err = sess.thread(r, &out, verb == "UID THREAD")
	case "SEARCH", "UID SEARCH":
		err = sess.contextSearch(r, &out, tag, verb == "UID SEARCH")
	case "CANCELUPDATE":
		err = cancelUpdate(r)
	default:
		err = badf("", "Unknown command")
	}
	if err != nil {
		out.Reset() // no untagged data for a command that failed
		out.WriteString(err.tagged(tag))
	} else {
		a.OK = true
		out.WriteString(tag + " OK " + verb + " completed\r\n")
	}
	a.Reply = out.Bytes()
	return a
}

// commandHead reads a command's tag and verb ("UID SORT" for UID commands).
func commandHead(r *cmdReader) (tag, verb string) {
	tag = r.atom()
	if r.sp() {
		verb = strings.ToUpper(r.atom())
		if verb == "UID" && r.sp() {
			verb += " " + strings.ToUpper(r.atom())
		}
	}
	return tag, verb
}

// extError is a tagged NO or BAD with its response code.
type extError struct {
	typ, code, text string
}

func (e *extError) tagged(tag string) string {
	line := tag + " " + e.typ + " "
	if e.code != "" {
		line += "[" + e.code + "] "
	}
	return line + e.text + "\r\n"
}

func badf(code, text string) *extError { return &extError{typ: "BAD", code: code, text: text} }
func nof(code, text string) *extError  { return &extError{typ: "NO", code: code, text: text} }

// serverID is what ID says of this server (RFC 2971 §3.3 field names).
const serverID = `("name" "mailtutor" "version" "1.0" "vendor" "mailtutor (a simulated mail world for learning)")`

// id answers ID (RFC 2971): the client's parameters, a list of up to 30
// field and value pairs or NIL, and the server's own in "* ID". It returns
// how the client named itself.
func (s *session) id(r *cmdReader, out *bytes.Buffer) (string, *extError) {
	if !r.sp() {
		return "", badf("CLIENTBUG", `ID takes a list of field-value pairs or NIL, e.g. ID ("name" "myclient" "version" "1.0") (RFC 2971 §3.1)`)
	}
	var fields []string
	if !r.nil() {
		if !r.special('(') {
			return "", badf("CLIENTBUG", `ID takes a list of field-value pairs or NIL, e.g. ID ("name" "myclient") (RFC 2971 §3.1)`)
		}
		for !r.special(')') {
			if len(fields) > 0 && !r.sp() {
				return "", badf("CLIENTBUG", "ID: the pairs are separated by single spaces (RFC 2971 §4)")
			}
			key, ok := r.str()
			if !ok || !r.sp() {
				return "", badf("CLIENTBUG", "ID: every field name is a quoted string followed by its value (RFC 2971 §4)")
			}
			value, isNil := "", r.nil()
			if !isNil {
				if value, ok = r.str(); !ok {
					return "", badf("CLIENTBUG", "ID: a value is a quoted string or NIL (RFC 2971 §4)")
				}
			}
			switch {
			case len(key) > 30:
				return "", badf("CLIENTBUG", "ID: a field name is at most 30 octets (RFC 2971 §3.3)")
			case len(value) > 1024:
				return "", badf("CLIENTBUG", "ID: a value is at most 1024 octets (RFC 2971 §3.3)")
			case len(fields) >= 60:
				return "", badf("CLIENTBUG", "ID: at most 30 field-value pairs (RFC 2971 §3.3)")
			}
			fields = append(fields, key, value)
		}
	}
	if !r.crlf() {
		return "", badf("CLIENTBUG", "ID: nothing may follow the list")
	}
	out.WriteString("* ID " + serverID + "\r\n")
	return describeClient(fields), nil
}

// describeClient puts a client's ID fields into a few words for the
// watch screen: "name version (os os-version)", or the pairs as they came.
func describeClient(fields []string) string {
	get := func(k string) string {
		for i := 0; i+1 < len(fields); i += 2 {
			if strings.EqualFold(fields[i], k) {
				return fields[i+1]
			}
		}
		return ""
	}
	if name := get("name"); name != "" {
		who := strings.TrimSpace(name + " " + get("version"))
		if os := strings.TrimSpace(get("os") + " " + get("os-version")); os != "" {
			who += " (" + os + ")"
		}
		return who
	}
	var parts []string
	for i := 0; i+1 < len(fields); i += 2 {
		parts = append(parts, fields[i]+"="+strconv.Quote(fields[i+1]))
	}
	if len(parts) == 0 {
		return "(ID NIL: the client gave no details)"
	}
	return strings.Join(parts, " ")
}

// cancelUpdate answers CANCELUPDATE (RFC 5267 §4.3): this server declines
// every UPDATE (NOUPDATE), so there is never an update to cancel.
func cancelUpdate(r *cmdReader) *extError {
	n := 0
	for r.sp() {
		if _, ok := r.str(); !ok {
			return badf("CLIENTBUG", `CANCELUPDATE takes the quoted tags of the searches, e.g. CANCELUPDATE "a1" (RFC 5267 §4.3)`)
		}
		n++
	}
	if n == 0 || !r.crlf() {
		return badf("CLIENTBUG", `CANCELUPDATE takes the quoted tags of the searches, e.g. CANCELUPDATE "a1" (RFC 5267 §4.3)`)
	}
	return nil
}

// ExtendCapabilities adds the extensions answered here to a capability
// list go-imap wrote ("* CAPABILITY ...", or a [CAPABILITY ...] response
// code in the greeting or a LOGIN/AUTHENTICATE OK): go-imap lists only
// the capabilities it knows itself. A list that still offers a login
// (AUTH=, LOGINDISABLED) is the one before login, which gets ID only. It
// returns nil when line holds no capability list.
func ExtendCapabilities(line []byte) []byte {
	var end int
	switch {
	case bytes.HasPrefix(line, []byte("* CAPABILITY ")):
		end = len(bytes.TrimRight(line, "\r\n"))
	default:
		// Near the start or not at all ("* OK [CAPABILITY", "a1 OK
		// [CAPABILITY"): a long FETCH line is not searched through.
		i := bytes.Index(line[:min(len(line), 64)], []byte(" [CAPABILITY "))
		if i < 0 {
			return nil
		}
		j := bytes.IndexByte(line[i:], ']')
		if j < 0 {
			return nil
		}
		end = i + j
	}
	list := line[:end]
	for _, w := range bytes.Fields(list) {
		if string(w) == "ID" {
			return nil // already extended
		}
	}
	caps := loggedInCaps
	if bytes.Contains(list, []byte(" AUTH=")) || bytes.Contains(list, []byte(" LOGINDISABLED")) {
		caps = preLoginCaps
	}
	out := make([]byte, 0, len(line)+80)
	out = append(out, list...)
	for _, c := range caps {
		out = append(append(out, ' '), c...)
	}
	return append(out, line[end:]...)
}
