package imap

import (
	"bufio"
	"bytes"
	"mime"
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
	root      *part
	envelope  *imap.Envelope
	structure imap.BodyStructure // with extension data
	sent      time.Time          // the Date: header (zero if missing or unparseable)
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
	pm.sent = pm.envelope.Date
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

// envelopeOf builds an ENVELOPE (RFC 3501 §7.4.2). The subject is kept raw
// (encoded words and all), as the RFC wants; addresses keep group syntax.
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
	env.InReplyTo, _ = mh.MsgIDList("In-Reply-To")
	env.MessageID, _ = mh.MessageID()
	return env
}

// addressList parses an address header into ENVELOPE addresses, keeping RFC
// 5322 groups as RFC 3501 encodes them: a start marker (NIL NIL "name" NIL),
// the members, and an end marker (NIL NIL NIL NIL). net/mail would flatten
// groups, so the top level is split here and each member parsed alone.
func addressList(value string) []imap.Address {
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
		if a, ok := parseOneAddress(s); ok {
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

func parseOneAddress(s string) (imap.Address, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return imap.Address{}, false
	}
	mailbox, host, ok := strings.Cut(a.Address, "@")
	if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
		mailbox, host, ok = a.Address[:i], a.Address[i+1:], true
	}
	if !ok || host == "" {
		// A NIL host would read as a group marker: say what is missing instead.
		host = "MISSING_DOMAIN"
	}
	return imap.Address{Name: a.Name, Mailbox: mailbox, Host: host}, true
}

// decodePhrase turns a group's display name into text (quotes and encoded
// words removed).
func decodePhrase(s string) string {
	s = strings.Trim(s, `"`)
	if dec, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return dec
	}
	return s
}
