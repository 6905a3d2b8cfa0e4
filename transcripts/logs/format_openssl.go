package logs

import (
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// openssl s_client (OpenSSL 1.1.1 and 3.x) prints the handshake, the
// certificate and a session summary, then copies the server's bytes to the
// terminal while what the user types is echoed by the terminal: neither side
// has a prefix. The parser drops openssl's own output and tells the sides
// apart by protocol syntax (server replies start with a code, "+OK"/"-ERR",
// "*" or a tag and OK/NO/BAD) and by protocol state (a DATA body, a POP3
// multi-line answer, an IMAP literal). Lines it cannot place are Problems.
var (
	opensslCipher = regexp.MustCompile(`^New, (TLSv[\d.]+|SSLv\d|\(NONE\)), Cipher is (\S+)`)
	opensslError  = regexp.MustCompile(`^[0-9A-Fa-f]{6,}:error:|^\d+:error:`)
	opensslNoise  = regexp.MustCompile(`^(---|CONNECTED\(|depth=|verify (error|return)|Can't use SSL_get_servername|` +
		`Certificate chain|Server certificate|subject=|issuer=|No client certificate|Acceptable client certificate|` +
		`Client Certificate Types|Requested Signature|Shared Requested|Peer signing digest|Peer signature type|` +
		`Server Temp Key|Negotiated TLS1.3 group|SSL handshake has read|Verification( error)?:|Verify return code|` +
		`Server public key|Secure Renegotiation|Compression:|Expansion:|No ALPN|ALPN protocol|Early data|` +
		`SSL-Session:|Post-Handshake New Session Ticket|read R BLOCK|read:errno|DONE$|closed$|` +
		`didn't find starttls|STARTTLS not supported)`)
)

// opensslLine is a line that is not openssl's own output, or the end of
// the connection (closed), kept in log order.
type opensslLine struct {
	n      int
	text   string
	closed bool
}

func parseOpenSSL(p *parser, lines []string) {
	header := false // inside the handshake report printed before the dialogue
	for _, l := range lines {
		if strings.HasPrefix(l, "CONNECTED(") || strings.HasPrefix(l, "SSL handshake has read") {
			header = true
			break
		}
	}
	seenVerify := false
	inBlock := false // a session-ticket dump, until the next "---"
	inCert := false
	var dialogue []opensslLine
	for i, l := range lines {
		line := i + 1
		switch {
		case inCert:
			inCert = !strings.HasPrefix(l, "-----END")
		case strings.HasPrefix(l, "-----BEGIN"):
			inCert = true
		case inBlock:
			inBlock = l != "---"
		case strings.HasPrefix(l, "SSL-Session:") || strings.HasPrefix(l, "Post-Handshake New Session Ticket"):
			inBlock = true
		case opensslCipher.MatchString(l):
			m := opensslCipher.FindStringSubmatch(l)
			p.tls("", tlsNote(m[1], m[2]), line)
		case header:
			if strings.HasPrefix(l, "Verify return code") || strings.HasPrefix(l, "Verification") {
				seenVerify = true
			}
			if l == "---" && seenVerify {
				header = false
			}
		case l == "RENEGOTIATING" || l == "KEYUPDATE":
			// s_client read the typed line as its own command (a line
			// starting with "R" renegotiates, "K"/"k" updates keys) and
			// did not send it: it must not be shown as sent.
			if last := len(dialogue) - 1; last >= 0 && startsWithAny(dialogue[last].text, "RKk") {
				p.problem(dialogue[last].n, dialogue[last].text, "openssl s_client did not send this line: it took it as its own command")
				dialogue = dialogue[:last]
			}
			p.problem(line, l, "openssl s_client took a typed line starting with R (or K) as a command and did not send it: "+
				"type \"rcpt to:\" in lower case, or start s_client with -nocommands (or -ign_eof)")
		case l == "DONE" || l == "closed":
			dialogue = append(dialogue, opensslLine{n: line, closed: true})
		case opensslNoise.MatchString(l) || opensslError.MatchString(l):
		default:
			dialogue = append(dialogue, opensslLine{n: line, text: l})
		}
	}
	proto := p.forced
	if proto == "" {
		var texts []string
		for _, d := range dialogue {
			texts = append(texts, d.text)
		}
		proto, _ = guessProto(texts)
	}
	p.setProto("", proto)
	sides := directions{proto: proto}
	for _, d := range dialogue {
		if d.closed {
			p.close("", "openssl s_client ended", d.n)
			continue
		}
		if strings.TrimSpace(d.text) == "" && sides.literal <= 0 && !sides.body {
			continue // a blank line outside a body is the terminal's, not the protocol's
		}
		dir, ok := sides.place(d.text)
		if !ok {
			p.problem(d.n, d.text, "could not tell whether the client or the server sent this line")
			continue
		}
		p.send("", dir, crlf(d.text), d.n)
	}
}

// directions tells client lines from server lines in a dialogue without
// prefixes, following just enough protocol state to read message bodies,
// multi-line answers and literals as the side that sent them.
type directions struct {
	proto wire.Proto
	// lastVerb is the client's most recent command verb.
	lastVerb string
	// body: an SMTP DATA body (client) or a POP3 multi-line answer (server)
	// runs until a line holding a single ".".
	body    bool
	bodyDir wire.Dir
	// literal counts the bytes still due in an IMAP literal sent by litDir.
	literal int
	litDir  wire.Dir
	// rest: a literal just ended; the line that follows finishes the line
	// the literal interrupted, from the same side.
	rest    bool
	restDir wire.Dir
	// pendingLit is a synchronising literal the client announced; it
	// starts after the server's "+".
	pendingLit int
	// authNext: the server sent an AUTH challenge; the client answers next.
	authNext bool
}

func (s *directions) place(text string) (wire.Dir, bool) {
	if s.literal > 0 {
		s.literal -= len(text) + 2
		if s.literal <= 0 {
			s.rest, s.restDir = true, s.litDir
		}
		return s.litDir, true
	}
	if s.rest {
		s.rest = false
		if s.restDir == wire.FromServer {
			s.server(text)
		} else {
			s.client(text)
		}
		return s.restDir, true
	}
	if s.body {
		if text == "." {
			s.body = false
		}
		return s.bodyDir, true
	}
	if isServerLine(s.proto, text) {
		s.server(text)
		return wire.FromServer, true
	}
	if s.authNext {
		s.authNext = false
		return wire.FromClient, true
	}
	if !looksLikeCommand(s.proto, text) {
		return 0, false
	}
	s.client(text)
	return wire.FromClient, true
}

func (s *directions) server(text string) {
	s.authNext = false
	switch s.proto {
	case wire.SMTP:
		switch {
		case strings.HasPrefix(text, "334"):
			s.authNext = true
		case strings.HasPrefix(text, "354") && s.lastVerb == "DATA":
			s.body, s.bodyDir = true, wire.FromClient
		}
	case wire.POP3:
		switch {
		case strings.HasPrefix(text, "+ ") || text == "+":
			s.authNext = true
		case strings.HasPrefix(text, "+OK"):
			switch s.lastVerb {
			case "CAPA", "LIST", "UIDL", "RETR", "TOP":
				s.body, s.bodyDir = true, wire.FromServer
			}
		}
		s.lastVerb = ""
	case wire.IMAP:
		if strings.HasPrefix(text, "+") {
			if s.pendingLit > 0 {
				s.literal, s.litDir, s.pendingLit = s.pendingLit, wire.FromClient, 0
			} else {
				s.authNext = true // AUTHENTICATE challenge
			}
			return
		}
		if n, _, ok := imapLiteral(text); ok && n > 0 {
			s.literal, s.litDir = n, wire.FromServer
		}
	}
}

func (s *directions) client(text string) {
	verb, _, _ := strings.Cut(text, " ")
	switch s.proto {
	case wire.SMTP:
		s.lastVerb = strings.ToUpper(verb)
	case wire.POP3:
		s.lastVerb = strings.ToUpper(verb)
		if fields := strings.Fields(text); len(fields) > 1 && (s.lastVerb == "LIST" || s.lastVerb == "UIDL") {
			s.lastVerb += " n" // with an argument the answer is one line
		}
	case wire.IMAP:
		if n, sync, ok := imapLiteral(text); ok && n > 0 {
			if sync {
				s.pendingLit = n
			} else {
				s.literal, s.litDir = n, wire.FromClient
			}
		}
	}
}

var (
	smtpVerbLine = regexp.MustCompile(`^[A-Za-z]{4}( |$)`)
	popVerbLine  = regexp.MustCompile(`^[A-Za-z]{3,4}( |$)`)
	imapCmdLine  = regexp.MustCompile(`^[A-Za-z0-9.]+ [A-Za-z]+( |$)`)
)

// looksLikeCommand accepts what a user could have typed as a command.
func looksLikeCommand(proto wire.Proto, text string) bool {
	switch proto {
	case wire.SMTP:
		return smtpVerbLine.MatchString(text)
	case wire.POP3:
		return popVerbLine.MatchString(text)
	case wire.IMAP:
		return imapCmdLine.MatchString(text)
	}
	return false
}

// startsWithAny reports whether text begins with one of the bytes in set.
func startsWithAny(text, set string) bool {
	return text != "" && strings.IndexByte(set, text[0]) >= 0
}
