package findings

import (
	"bytes"
	"encoding/base64"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// The user name of a SASL login travels inside the credential the model
// marks as secret: PLAIN's response is authzid NUL authcid NUL password
// (RFC 4616), LOGIN's first response is the user name alone. To group a
// program's sessions by user, the user name, and nothing else, is read
// from there; the password is never kept, and every line shown is masked
// as always.

// saslStart notes an AUTH (SMTP, POP3) or AUTHENTICATE (IMAP) command and
// reads the user from its initial response, if any.
func (s *session) saslStart(e wire.Event, l Line, args string) {
	mech, _, _ := strings.Cut(args, " ")
	s.saslMech, s.saslStep = strings.ToUpper(mech), 0
	if !e.Secret.Empty() {
		s.saslResponse(e, l)
	}
}

// saslResponse reads the user from a SASL response, when it is the one
// that carries the user name.
func (s *session) saslResponse(e wire.Event, l Line) {
	s.saslStep++
	if s.user != "" || s.saslStep != 1 || e.Secret.End > len(e.Data) || e.Secret.Start < 0 {
		return
	}
	raw := bytes.TrimRight(e.Data[e.Secret.Start:e.Secret.End], "\r\n")
	if string(raw) == "=" {
		s.saslStep-- // an empty initial response (RFC 4954 §4): the user comes next
		return
	}
	dec, err := base64.StdEncoding.DecodeString(string(raw))
	if err != nil {
		return
	}
	var user string
	switch s.saslMech {
	case "PLAIN":
		parts := bytes.Split(dec, []byte{0})
		if len(parts) != 3 {
			return
		}
		user = string(parts[1])
		if user == "" {
			user = string(parts[0])
		}
	case "LOGIN":
		user = string(dec)
	default:
		return
	}
	if user == "" || len(user) > 256 {
		return
	}
	s.user, s.userLine = wire.Visible(user), l
}
