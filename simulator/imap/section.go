package imap

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"

	"github.com/emersion/go-imap/v2"
	gomessage "github.com/emersion/go-message"
)

// locate walks a section part path ("1.2.3") down the MIME tree (RFC 3501
// §6.4.5): the parts of a message are its multipart children, or, when it is
// not multipart, part 1 is its body; a message/rfc822 part's sub-parts are
// those of the enclosed message.
func (pm *parsedMessage) locate(path []int) *part {
	node := pm.root
	for depth, k := range path {
		container := node
		if depth > 0 && node.inner != nil {
			container = node.inner
		}
		switch {
		case container.multipart():
			if k < 1 || k > len(container.children) {
				return nil
			}
			node = container.children[k-1]
		case k == 1:
			node = container
		default:
			return nil
		}
	}
	return node
}

// section returns the bytes of a BODY[...] section, sliced from raw without
// copying unless header fields are filtered. ok is false for a part that
// does not exist (the reply is then an empty string, as Dovecot does).
func (pm *parsedMessage) section(raw []byte, sec *imap.FetchItemBodySection) (data []byte, ok bool) {
	node := pm.locate(sec.Part)
	if node == nil {
		return nil, false
	}
	// With a part number, HEADER and TEXT address the enclosed message of a
	// message/rfc822 part; without one, the message itself.
	msg := node
	if len(sec.Part) > 0 && sec.Specifier != imap.PartSpecifierNone && sec.Specifier != imap.PartSpecifierMIME {
		if node.inner == nil {
			return nil, false
		}
		msg = node.inner
	}
	switch sec.Specifier {
	case imap.PartSpecifierNone:
		if len(sec.Part) == 0 {
			data = raw
		} else {
			data = raw[node.bodyStart:node.end]
		}
	case imap.PartSpecifierMIME:
		data = raw[node.start:node.bodyStart]
	case imap.PartSpecifierText:
		data = raw[msg.bodyStart:msg.end]
	case imap.PartSpecifierHeader:
		data = raw[msg.start:msg.bodyStart]
		if len(sec.HeaderFields) > 0 {
			data = filterHeader(data, sec.HeaderFields, true)
		} else if len(sec.HeaderFieldsNot) > 0 {
			data = filterHeader(data, sec.HeaderFieldsNot, false)
		}
	}
	return partial(data, sec.Partial), true
}

func partial(data []byte, p *imap.SectionPartial) []byte {
	if p == nil {
		return data
	}
	if p.Offset >= int64(len(data)) {
		return nil
	}
	end := p.Offset + p.Size
	if end > int64(len(data)) || end < p.Offset {
		end = int64(len(data))
	}
	return data[p.Offset:end]
}

// filterHeader keeps (keep=true) or drops the named fields of a raw header
// and ends the result with the blank line, as HEADER.FIELDS replies do.
func filterHeader(header []byte, names []string, keep bool) []byte {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[strings.ToLower(n)] = true
	}
	var out bytes.Buffer
	include := false
	for _, line := range bytes.SplitAfter(header, []byte("\r\n")) {
		if len(line) == 0 || bytes.Equal(line, []byte("\r\n")) {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' { // a new field, not a continuation
			name, _, _ := bytes.Cut(line, []byte(":"))
			include = want[strings.ToLower(strings.TrimSpace(string(name)))] == keep
		}
		if include {
			out.Write(line)
		}
	}
	out.WriteString("\r\n")
	return out.Bytes()
}

// bodyStructure builds BODYSTRUCTURE (always with extension data; the library
// leaves it out for plain BODY).
func (p *part) bodyStructure(raw []byte) imap.BodyStructure {
	h := gomessage.Header{Header: p.header}
	disposition := func() *imap.BodyStructureDisposition {
		d, params, err := h.ContentDisposition()
		if err != nil || d == "" {
			return nil
		}
		return &imap.BodyStructureDisposition{Value: d, Params: params}
	}
	var language []string
	if v := headerValue(p.header, "Content-Language"); v != "" {
		for _, l := range strings.Split(v, ",") {
			language = append(language, strings.TrimSpace(l))
		}
	}
	location := headerValue(p.header, "Content-Location")

	if p.multipart() {
		bs := &imap.BodyStructureMultiPart{Subtype: p.subtype}
		for _, c := range p.children {
			bs.Children = append(bs.Children, c.bodyStructure(raw))
		}
		if len(bs.Children) == 0 {
			// A multipart with no parts cannot be written (body-type-mpart
			// needs one): show its body as one empty text part.
			bs.Children = append(bs.Children, &imap.BodyStructureSinglePart{Type: "text", Subtype: "plain",
				Params: map[string]string{"charset": "us-ascii"}, Encoding: "7bit", Text: &imap.BodyStructureText{},
				Extended: &imap.BodyStructureSinglePartExt{}})
		}
		bs.Extended = &imap.BodyStructureMultiPartExt{Params: p.params, Disposition: disposition(), Language: language, Location: location}
		return bs
	}
	body := raw[p.bodyStart:p.end]
	encoding := strings.ToLower(headerValue(p.header, "Content-Transfer-Encoding"))
	if encoding == "" {
		encoding = "7bit"
	}
	bs := &imap.BodyStructureSinglePart{
		Type:        p.mediaType,
		Subtype:     p.subtype,
		Params:      p.params,
		ID:          headerValue(p.header, "Content-Id"),
		Description: headerValue(p.header, "Content-Description"),
		Encoding:    encoding,
		Size:        uint32(len(body)),
		Extended:    &imap.BodyStructureSinglePartExt{Disposition: disposition(), Language: language, Location: location},
	}
	lines := int64(bytes.Count(body, []byte("\n")))
	switch {
	case p.inner != nil:
		bs.MessageRFC822 = &imap.BodyStructureMessageRFC822{Envelope: p.innerEnvelope, BodyStructure: p.inner.bodyStructure(raw), NumLines: lines}
	case p.mediaType == "text":
		bs.Text = &imap.BodyStructureText{NumLines: lines}
	}
	return bs
}

// binary returns a part's content with its Content-Transfer-Encoding undone
// (RFC 3516 BINARY). An encoding we do not know is NO [UNKNOWN-CTE].
func (pm *parsedMessage) binary(raw []byte, path []int) ([]byte, error) {
	if len(path) == 0 {
		return raw, nil
	}
	node := pm.locate(path)
	if node == nil {
		return nil, nil
	}
	body := raw[node.bodyStart:node.end]
	switch enc := strings.ToLower(headerValue(node.header, "Content-Transfer-Encoding")); enc {
	case "", "7bit", "8bit", "binary":
		return body, nil
	case "base64":
		return decoded(io.ReadAll(base64.NewDecoder(base64.StdEncoding, &crlfSkipper{r: bytes.NewReader(body)})))
	case "quoted-printable":
		return decoded(io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))))
	default:
		return nil, errNo(imap.ResponseCodeUnknownCTE, "Unknown Content-Transfer-Encoding "+enc)
	}
}

// decoded turns a broken encoding into NO [PARSE] rather than a server bug.
func decoded(data []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, errNo(imap.ResponseCodeParse, "Cannot decode this part: "+err.Error())
	}
	return data, nil
}

// crlfSkipper drops line breaks and spaces, which base64 bodies carry.
type crlfSkipper struct{ r io.Reader }

func (c *crlfSkipper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	out := p[:0]
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' && b != ' ' && b != '\t' {
			out = append(out, b)
		}
	}
	return len(out), err
}
