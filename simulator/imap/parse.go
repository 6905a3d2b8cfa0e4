package imap

import (
	"bufio"
	"bytes"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// parsedMessage is what FETCH and SEARCH need from a message, computed once
// per stored body and cached by the server. It holds offsets into the stored
// raw bytes, never copies of them: sections are served by slicing Body.Raw.
type parsedMessage struct {
	root     *part
	envelope *imap.Envelope
	// wireEnvelope is the envelope FETCH writes: envelope, or, when an
	// address has a source route, a copy that carries it for the relay
	// (routedEnvelope).
	wireEnvelope *imap.Envelope
	structure    imap.BodyStructure // with extension data
	sent         time.Time          // the Date: header (zero if missing or unparseable)
	refs         []string           // the message IDs of References, or In-Reply-To's first (THREAD REFERENCES)
}

// part is one MIME entity: its header is raw[start:bodyStart] (including the
// blank line), its body raw[bodyStart:end].
type part struct {
	start, bodyStart, end int
	header                textproto.Header
	mediaType, subtype    string            // lower case, "text", "plain"
	params                map[string]string // Content-Type parameters
	children              []*part           // multipart/*
	inner                 *part             // message/rfc822: the enclosed message
	innerEnvelope         *imap.Envelope
}

func (p *part) multipart() bool { return p.mediaType == "multipart" }

// maxDepth bounds nesting so a hostile message cannot exhaust the stack.
const maxDepth = 20

func parseMessage(raw []byte, headerLen int) *parsedMessage {
	root := parsePart(raw, 0, headerLen, len(raw), "", 0)
	pm := &parsedMessage{root: root, envelope: envelopeOf(root.header)}
	pm.wireEnvelope = routedEnvelope(root.header, pm.envelope)
	pm.sent = pm.envelope.Date
	pm.refs = refIDs(root.header)
	pm.structure = root.bodyStructure(raw)
	return pm
}

// parsePart parses the entity at raw[start:end] whose header ends at bodyStart.
func parsePart(raw []byte, start, bodyStart, end int, parentType string, depth int) *part {
	p := &part{start: start, bodyStart: bodyStart, end: end}
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw[start:bodyStart])))
	if err == nil {
		p.header = h
	}
	p.mediaType, p.subtype = "text", "plain"
	if parentType == "multipart/digest" {
		p.mediaType, p.subtype = "message", "rfc822"
	}
	if p.header.Has("Content-Type") {
		mh := gomessage.Header{Header: p.header}
		mt, params, err := mh.ContentType()
		if typ, sub, ok := strings.Cut(strings.ToLower(mt), "/"); err == nil && ok && typ != "" && sub != "" {
			p.mediaType, p.subtype, p.params = typ, sub, params
		}
	}
	if p.mediaType == "text" && p.params["charset"] == "" {
		if p.params == nil {
			p.params = map[string]string{}
		}
		p.params["charset"] = "us-ascii" // RFC 2045 §5.2 default
	}
	if depth >= maxDepth {
		return p
	}
	switch {
	case p.multipart() && p.params["boundary"] != "":
		for _, span := range splitMultipart(raw, bodyStart, end, p.params["boundary"]) {
			hdrEnd := headerEnd(raw, span[0], span[1])
			p.children = append(p.children, parsePart(raw, span[0], hdrEnd, span[1], p.mediaType+"/"+p.subtype, depth+1))
		}
	case p.mediaType == "message" && (p.subtype == "rfc822" || p.subtype == "global"):
		hdrEnd := headerEnd(raw, bodyStart, end)
		p.inner = parsePart(raw, bodyStart, hdrEnd, end, "", depth+1)
		p.innerEnvelope = envelopeOf(p.inner.header)
	}
	return p
}

// headerEnd returns the offset just past the blank line ending the header
// that starts at start (or end when there is none).
func headerEnd(raw []byte, start, end int) int {
	b := raw[start:end]
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return start + 2
	}
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		return start + i + 4
	}
	return end
}

// splitMultipart finds the body parts between boundary delimiter lines
// (RFC 2046 §5.1.1). The CRLF before a delimiter belongs to the delimiter.
func splitMultipart(raw []byte, start, end int, boundary string) [][2]int {
	delimiter := []byte("--" + boundary)
	var spans [][2]int
	partStart := -1
	for pos := start; pos < end; {
		lineEnd := end
		if i := bytes.Index(raw[pos:end], []byte("\r\n")); i >= 0 {
			lineEnd = pos + i
		}
		line := raw[pos:lineEnd]
		if bytes.HasPrefix(line, delimiter) {
			rest := line[len(delimiter):]
			closing := bytes.HasPrefix(rest, []byte("--"))
			if closing {
				rest = rest[2:]
			}
			if len(bytes.TrimRight(rest, " \t")) == 0 {
				if partStart >= 0 {
					spans = append(spans, [2]int{partStart, max(partStart, pos-2)})
				}
				if closing {
					return spans
				}
				partStart = min(lineEnd+2, end)
			}
		}
		pos = lineEnd + 2
	}
	if partStart >= 0 { // no closing delimiter: the last part runs to the end
		spans = append(spans, [2]int{partStart, end})
	}
	return spans
}

// headerValue returns a field's raw value, unfolded.
func headerValue(h textproto.Header, key string) string {
	v := h.Get(key)
	v = strings.ReplaceAll(v, "\r\n", "")
	return strings.TrimSpace(strings.ReplaceAll(v, "\n", ""))
}

// envelopeOf builds an ENVELOPE (RFC 3501 §7.4.2) from the raw header
// text: subject, display names and message IDs are passed as they stand,
// encoded words and all (a client decodes them; the server must not).
// Addresses keep group syntax.
//
// Two fields go-imap v2.0.0-beta.8's encoder only takes in parsed form: the
// date is a time.Time it re-formats (a Date: header it cannot parse becomes
// NIL), and In-Reply-To / Message-ID are written as "<" + value + ">". For
// the IDs the raw text is handed over without its outer angle brackets, so
// the encoder puts back exactly the header's text.
func envelopeOf(h textproto.Header) *imap.Envelope {
	mh := mail.Header{Header: gomessage.Header{Header: h}}
	env := &imap.Envelope{
		Subject: headerValue(h, "Subject"),
		From:    addressList(headerValue(h, "From")),
		Sender:  addressList(headerValue(h, "Sender")),
		ReplyTo: addressList(headerValue(h, "Reply-To")),
		To:      addressList(headerValue(h, "To")),
		Cc:      addressList(headerValue(h, "Cc")),
		Bcc:     addressList(headerValue(h, "Bcc")),
	}
	env.Date, _ = mh.Date()
	if raw, ok := bracketed(headerValue(h, "In-Reply-To")); ok {
		env.InReplyTo = []string{raw}
	} else {
		env.InReplyTo, _ = mh.MsgIDList("In-Reply-To")
	}
	if raw, ok := bracketed(headerValue(h, "Message-Id")); ok {
		env.MessageID = raw
	} else {
		env.MessageID, _ = mh.MessageID()
	}
	return env
}

// bracketed returns v without its first "<" and last ">" when it has both.
func bracketed(v string) (string, bool) {
	if len(v) > 2 && v[0] == '<' && v[len(v)-1] == '>' {
		return v[1 : len(v)-1], true
	}
	return "", false
}

// addressList parses an address header into ENVELOPE addresses, keeping RFC
// 5322 groups as RFC 3501 encodes them: a start marker (NIL NIL "name" NIL),
// the members, and an end marker (NIL NIL NIL NIL). net/mail would flatten
// groups, so the top level is split here and each member parsed alone.
func addressList(value string) []imap.Address { return addresses(value, false) }

// addresses is addressList; with routes set, an address's obsolete source
// route is kept in its mailbox (see routedEnvelope).
func addresses(value string, routes bool) []imap.Address {
	if value == "" {
		return nil
	}
	var out []imap.Address
	var buf strings.Builder
	inGroup := false
	quoted, escaped := false, false
	comment, angle := 0, 0
	flush := func() {
		s := strings.TrimSpace(buf.String())
		buf.Reset()
		if s == "" {
			return
		}
		if a, ok := parseOneAddress(s, routes); ok {
			out = append(out, a)
		}
	}
	for _, r := range value {
		switch {
		case escaped:
			escaped = false
		case quoted:
			switch r {
			case '\\':
				escaped = true
			case '"':
				quoted = false
			}
		case r == '"':
			quoted = true
		case r == '(':
			comment++
		case r == ')' && comment > 0:
			comment--
		case comment > 0:
		case r == '<':
			angle++
		case r == '>' && angle > 0:
			angle--
		case angle > 0:
		case r == ':' && !inGroup:
			name := decodePhrase(strings.TrimSpace(buf.String()))
			buf.Reset()
			out = append(out, imap.Address{Mailbox: name})
			inGroup = true
			continue
		case r == ';' && inGroup:
			flush()
			out = append(out, imap.Address{})
			inGroup = false
			continue
		case r == ',':
			flush()
			continue
		}
		buf.WriteRune(r)
	}
	flush()
	if inGroup { // unterminated group: close it so the list stays well formed
		out = append(out, imap.Address{})
	}
	return out
}

// parseOneAddress splits one mailbox (RFC 5322 §3.4) into ENVELOPE parts,
// keeping the display name raw: quotes and quoted-pairs removed, encoded
// words left encoded. With no display name a comment stands in for it, as
// in "bob@example.org (Bob Smith)" (what Dovecot does too).
func parseOneAddress(s string, routes bool) (imap.Address, bool) {
	stripped, comment := stripComments(s)
	var name, spec string
	if i := indexUnquoted(stripped, '<'); i >= 0 {
		name = unquotePhrase(stripped[:i])
		spec = stripped[i+1:]
		if j := strings.LastIndexByte(spec, '>'); j >= 0 {
			spec = spec[:j]
		}
	} else {
		spec = stripped
	}
	spec = dropUnquotedSpace(spec) // "user (desk)@ (office) host" once comments are gone
	if name == "" {
		name = strings.Join(strings.Fields(comment), " ")
	}
	route := ""
	if i := strings.LastIndexByte(spec, ':'); i >= 0 && strings.HasPrefix(spec, "@") {
		route, spec = spec[:i], spec[i+1:] // an obsolete source route (@a,@b:user@host)
	}
	if spec == "" {
		return imap.Address{}, false
	}
	mailbox, host := spec, ""
	if i := strings.LastIndexByte(spec, '@'); i >= 0 {
		mailbox, host = spec[:i], spec[i+1:]
	}
	if host == "" {
		// A NIL host would read as a group marker: say what is missing instead.
		host = "MISSING_DOMAIN"
	}
	if routes && route != "" && mailbox != "" && printableASCII(route+mailbox) {
		mailbox = route + ":" + mailbox // see routedEnvelope
	}
	return imap.Address{Name: name, Mailbox: mailbox, Host: host}, true
}

// routedEnvelope returns env, or, when one of the header's addresses has
// an obsolete source route ("<@route:user@domain>", RFC 5322 §4.4), a copy
// of env whose addresses carry it for FETCH to write. go-imap's Address
// has no field for ENVELOPE's route (the "adl" of RFC 3501 §7.4.2, which
// it always writes NIL): the route rides in the mailbox, as
// "@route:user", and the relay moves it where it belongs
// (CorrectEnvelopeRoute). A mailbox written here never starts with "@"
// otherwise: a quoted local part keeps its quotes.
func routedEnvelope(h textproto.Header, env *imap.Envelope) *imap.Envelope {
	routed := *env
	found := false
	for _, f := range []struct {
		name string
		list *[]imap.Address
	}{{"From", &routed.From}, {"Sender", &routed.Sender}, {"Reply-To", &routed.ReplyTo}, {"To", &routed.To}, {"Cc", &routed.Cc}, {"Bcc", &routed.Bcc}} {
		if v := headerValue(h, f.name); strings.Contains(v, "<@") || strings.HasPrefix(strings.TrimSpace(v), "@") {
			*f.list = addresses(v, true)
			found = true
		}
	}
	if !found {
		return env
	}
	return &routed
}

// dropUnquotedSpace removes the folding white space an addr-spec may have
// between its tokens (RFC 5322 §4.4, obsolete syntax), and keeps that of
// quoted strings.
func dropUnquotedSpace(s string) string {
	var b strings.Builder
	quoted, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quoted:
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ' ' || r == '\t'):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stripComments removes RFC 5322 comments outside quoted strings and
// returns the text of the last one.
func stripComments(s string) (out, comment string) {
	var b, c strings.Builder
	quoted, escaped, depth := false, false, 0
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && (quoted || depth > 0):
			escaped = true
			if depth > 0 {
				continue
			}
		case depth > 0:
			if r == '(' {
				depth++
			} else if r == ')' {
				depth--
				if depth == 0 {
					comment = c.String()
					continue
				}
			}
			c.WriteRune(r)
			continue
		case r == '"':
			quoted = !quoted
		case r == '(' && !quoted:
			depth = 1
			c.Reset()
			b.WriteByte(' ')
			continue
		}
		if depth > 0 {
			c.WriteRune(r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), comment
}

// indexUnquoted finds ch outside quoted strings.
func indexUnquoted(s string, ch byte) int {
	quoted, escaped := false, false
	for i := 0; i < len(s); i++ {
		switch {
		case escaped:
			escaped = false
		case s[i] == '\\' && quoted:
			escaped = true
		case s[i] == '"':
			quoted = !quoted
		case s[i] == ch && !quoted:
			return i
		}
	}
	return -1
}

// unquotePhrase turns a display-name phrase into ENVELOPE text: quoted
// strings lose their quotes and quoted-pairs, whitespace runs become one
// space, encoded words stay as they are.
func unquotePhrase(s string) string {
	var b strings.Builder
	quoted, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
			b.WriteRune(r)
		case r == '\\' && quoted:
			escaped = true
		case r == '"':
			quoted = !quoted
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// decodePhrase turns a group's display name into ENVELOPE form: quotes
// removed, encoded words kept raw.
func decodePhrase(s string) string {
	stripped, _ := stripComments(s)
	return unquotePhrase(stripped)
}

// refIDs returns the message IDs a message refers to, oldest first, for
// THREAD REFERENCES (RFC 5256 §3, step 1): those of References, or when
// it has none, the first of In-Reply-To. Angle brackets are dropped.
func refIDs(h textproto.Header) []string {
	ids := msgIDs(headerValue(h, "References"))
	if len(ids) == 0 {
		if irt := msgIDs(headerValue(h, "In-Reply-To")); len(irt) > 0 {
			ids = irt[:1]
		}
	}
	return ids
}

// msgIDs returns the <...> message IDs in a header value.
func msgIDs(v string) []string {
	var out []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return out
		}
		if id := strings.TrimSpace(v[i+1 : i+j]); id != "" && len(out) < 1000 {
			out = append(out, id)
		}
		v = v[i+j+1:]
	}
}

// printableASCII reports whether s is printable ASCII, which go-imap
// writes as a quoted string (not a literal the relay cannot correct).
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
