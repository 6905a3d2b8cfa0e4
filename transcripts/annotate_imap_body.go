package transcripts

import (
	"strconv"
	"strings"
)

// ival is one value of an IMAP response, parsed: a parenthesised list, or a
// string (an atom, a quoted string unquoted, a number, a literal's
// placeholder); NIL is neither.
type ival struct {
	list   []ival
	isList bool
	s      string
	isNil  bool
}

// ivalLimits bound what ivalParser builds from a hostile line: nesting and
// the values of one list.
const (
	ivalMaxDepth = 16
	ivalMaxList  = 64
)

// ivalParser parses IMAP values into one arena of ivals, reused from one
// response to the next: an ENVELOPE is some twenty lists, and allocating
// each was most of the cost of explaining it. The values are valid until
// the next parse.
type ivalParser struct {
	arena []ival
}

// parse reads one value at the start of s, forgetting the last parse.
func (p *ivalParser) parse(s string) ival {
	if p.arena == nil {
		p.arena = make([]ival, 0, 64) // an ENVELOPE's some fifty values
	}
	p.arena = p.arena[:0]
	v, _ := p.value(s, 0)
	return v
}

// value reads one value at the start of s and returns the rest.
func (p *ivalParser) value(s string, depth int) (v ival, rest string) {
	s = strings.TrimLeft(s, " ")
	switch {
	case s == "":
		return ival{isNil: true}, ""
	case s[0] == '(':
		return p.list(s[1:], depth+1)
	case s[0] == '"':
		end := min(skipQuoted(s, 0), len(s))
		q := s[1:end] // unclosed: what there is
		if end >= 2 && s[end-1] == '"' {
			q = s[1 : end-1]
		}
		return ival{s: unquoteIMAP(q)}, s[end:]
	}
	end := skipValue(s, 0)
	if end == 0 {
		end = 1 // a stray ")" or "(": step over it
	}
	word := s[:end]
	if strings.EqualFold(word, "NIL") {
		return ival{isNil: true}, s[end:]
	}
	return ival{s: word}, s[end:]
}

// unquoteIMAP undoes a quoted string's escapes (\" and \\); most
// strings have none, and come back as they are.
func unquoteIMAP(q string) string {
	if strings.IndexByte(q, '\\') < 0 {
		return q
	}
	b := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		if q[i] == '\\' && i+1 < len(q) {
			i++
		}
		b = append(b, q[i])
	}
	return string(b)
}

// list reads the values of a list whose "(" has been read, up to its ")".
// Its items are gathered on the stack and copied to the arena at its end,
// so that each list's items lie together.
func (p *ivalParser) list(s string, depth int) (v ival, rest string) {
	v.isList = true
	items := make([]ival, 0, 16)
	defer func() {
		start := len(p.arena)
		p.arena = append(p.arena, items...)
		v.list = p.arena[start:len(p.arena):len(p.arena)]
	}()
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return v, ""
		}
		if s[0] == ')' {
			return v, s[1:]
		}
		if depth > ivalMaxDepth || len(items) >= ivalMaxList {
			// Too deep or too long to explain: skip to the list's end.
			end := skipValue("("+s, 0)
			return v, s[min(max(end-1, 0), len(s)):]
		}
		var item ival
		item, s = p.value(s, depth)
		items = append(items, item)
	}
}

// at returns the i-th value of a list, NIL past its end.
func (v ival) at(i int) ival {
	if i < len(v.list) {
		return v.list[i]
	}
	return ival{isNil: true}
}

// envelopeFields are the ENVELOPE's values in order (RFC 9051 §7.5.2).
var envelopeFields = [...]string{"date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id"}

// envelopeNote explains an ENVELOPE: the header fields it holds, by
// name. Sender and Reply-To are named only where they differ from From
// (servers repeat From in them when the header has none; the knowledge
// base's ENVELOPE entry says so, and what the fields are).
func (a *IMAPAnnotator) envelopeNote(value string) string {
	env := a.imap.ivals.parse(value)
	var n strings.Builder
	n.Grow(len(value) + 64)
	n.WriteString("envelope, the message's header fields (not the SMTP envelope): ")
	empty := n.Len()
	for i, name := range envelopeFields {
		v := env.at(i)
		if v.isNil || (name == "sender" || name == "reply-to") && sameIVal(v, env.at(2)) {
			continue
		}
		if n.Len() > empty {
			n.WriteString(", ")
		}
		n.WriteString(name)
		n.WriteString(" ")
		if i >= 2 && i <= 7 {
			a.writeAddresses(&n, v)
			continue
		}
		n.WriteString("\"")
		n.WriteString(a.show(v.s))
		n.WriteString("\"")
	}
	if n.Len() == empty {
		n.WriteString("all empty")
	}
	return n.String()
}

// sameIVal reports whether two parsed values are the same.
func sameIVal(x, y ival) bool {
	if x.isList != y.isList || x.isNil != y.isNil || x.s != y.s || len(x.list) != len(y.list) {
		return false
	}
	for i := range x.list {
		if !sameIVal(x.list[i], y.list[i]) {
			return false
		}
	}
	return true
}

// writeAddresses shows ((name adl mailbox host) ...) as "Name" <mailbox@host>,
// with RFC 5322 groups as "group:".
func (a *IMAPAnnotator) writeAddresses(b *strings.Builder, v ival) {
	start := b.Len()
	for _, ad := range v.list {
		name, mailbox, host := ad.at(0), ad.at(2), ad.at(3)
		if mailbox.isNil && host.isNil {
			continue // the end of a group
		}
		if b.Len() > start {
			b.WriteString(", ")
		}
		if host.isNil {
			b.WriteString(a.show(mailbox.s))
			b.WriteString(":")
			continue
		}
		if !name.isNil && name.s != "" {
			b.WriteString("\"")
			b.WriteString(a.show(name.s))
			b.WriteString("\" ")
		}
		b.WriteString("<")
		b.WriteString(a.show(mailbox.s))
		b.WriteString("@")
		b.WriteString(a.show(host.s))
		b.WriteString(">")
	}
	if b.Len() == start {
		b.WriteString("NIL")
	}
}

// mimePart is one node of a BODYSTRUCTURE.
type mimePart struct {
	number   string // "1", "1.2"; "" for the message itself
	mime     string // "text/plain", "multipart/mixed"
	params   string // "charset=utf-8"
	encoding string // "base64"
	size     int    // bytes as sent, -1 for a multipart
	lines    int    // text parts and messages: lines; -1 otherwise
	disp     string // "attachment", "inline"
	filename string
	parts    []mimePart
}

// parseBodyStructure reads a BODYSTRUCTURE (or BODY) value into its tree.
func parseBodyStructure(p *ivalParser, value string) mimePart {
	return mimeNode(p.parse(value), "", 0)
}

// mimeNode reads one body (RFC 9051 §7.5.2's body-type-mpart or
// body-type-1part) numbered number.
func mimeNode(v ival, number string, depth int) mimePart {
	p := mimePart{number: number, size: -1, lines: -1}
	if depth > ivalMaxDepth {
		return p
	}
	if len(v.list) > 0 && v.list[0].isList {
		return mimeMultipart(v, p, depth)
	}
	p.mime = strings.ToLower(v.at(0).s + "/" + v.at(1).s)
	p.params = mimeParams(v.at(2))
	p.encoding = strings.ToLower(v.at(5).s)
	p.size, _ = strconv.Atoi(v.at(6).s)
	next := 7
	switch {
	case strings.HasPrefix(p.mime, "text/"):
		p.lines, _ = strconv.Atoi(v.at(7).s)
		next = 8
	case p.mime == "message/rfc822" || p.mime == "message/global":
		inner := number + "."
		if number == "" {
			inner = ""
		}
		child := mimeNode(v.at(8), strings.TrimSuffix(inner, "."), depth+1)
		if child.mime != "" && !strings.HasPrefix(child.mime, "multipart/") {
			child.number = inner + "1"
		}
		p.parts = []mimePart{child}
		p.lines, _ = strconv.Atoi(v.at(9).s)
		next = 10
	}
	p.disp, p.filename = mimeDisposition(v.at(next + 1))
	if p.filename == "" {
		p.filename = mimeParam(v.at(2), "name")
	}
	return p
}

// mimeMultipart reads a multipart body: its parts, then its subtype and
// extension data.
func mimeMultipart(v ival, p mimePart, depth int) mimePart {
	prefix := p.number + "."
	if p.number == "" {
		prefix = ""
	}
	i := 0
	for ; i < len(v.list) && v.list[i].isList; i++ {
		p.parts = append(p.parts, mimeNode(v.list[i], prefix+strconv.Itoa(i+1), depth+1))
	}
	p.mime = "multipart/" + strings.ToLower(v.at(i).s)
	p.params = mimeParams(v.at(i + 1))
	p.disp, p.filename = mimeDisposition(v.at(i + 2))
	return p
}

// mimeParams shows a ("name" "value" ...) list as name=value pairs; the
// multipart boundary is left out (it says nothing to a reader).
func mimeParams(v ival) string {
	var out []string
	for i := 0; i+1 < len(v.list); i += 2 {
		k := strings.ToLower(v.list[i].s)
		if k == "boundary" || k == "name" {
			continue
		}
		out = append(out, k+"="+v.list[i+1].s)
	}
	return strings.Join(out, "; ")
}

// mimeParam returns the value of one parameter of a ("name" "value" ...) list.
func mimeParam(v ival, name string) string {
	for i := 0; i+1 < len(v.list); i += 2 {
		if strings.EqualFold(v.list[i].s, name) {
			return v.list[i+1].s
		}
	}
	return ""
}

// mimeDisposition reads ("attachment" ("filename" "x.pdf")).
func mimeDisposition(v ival) (disp, filename string) {
	if !v.isList {
		return "", ""
	}
	return strings.ToLower(v.at(0).s), mimeParam(v.at(1), "filename")
}

// bodyStructureNote explains a BODYSTRUCTURE: the note names the parts in
// one line, the detail draws the tree with the part numbers BODY[n] takes.
func (a *IMAPAnnotator) bodyStructureNote(value string) (note, detail string) {
	root := parseBodyStructure(&a.imap.ivals, value)
	if root.mime == "/" || root.mime == "" {
		return "MIME structure: " + a.show(value), ""
	}
	var n, b strings.Builder
	n.Grow(len(value) / 2)
	n.WriteString("MIME structure: ")
	a.writeMimeSummary(&n, root)
	b.Grow(len(value))
	b.WriteString("The message's MIME tree (the numbers are the sections BODY[n] fetches):\n\n")
	a.mimeTree(&b, root, 0)
	return n.String(), b.String()
}

// writeMimeSummary writes one part and its children in a line.
func (a *IMAPAnnotator) writeMimeSummary(b *strings.Builder, p mimePart) {
	a.writeMimeLabel(b, p)
	if len(p.parts) == 0 {
		return
	}
	if strings.HasPrefix(p.mime, "multipart/") {
		b.WriteString(" with " + plural(len(p.parts), "part"))
	}
	b.WriteString(" (")
	for i, c := range p.parts {
		if i > 0 {
			b.WriteString("; ")
		}
		a.writeMimeSummary(b, c)
	}
	b.WriteString(")")
}

// writeMimeLabel names one part: number, type, size, what it is for.
func (a *IMAPAnnotator) writeMimeLabel(b *strings.Builder, p mimePart) {
	if p.number != "" {
		b.WriteString(p.number)
		b.WriteString(" ")
	}
	b.WriteString(a.show(p.mime))
	if p.size >= 0 && !strings.HasPrefix(p.mime, "multipart/") {
		b.WriteString(" ")
		b.WriteString(plural(p.size, "byte"))
	}
	switch {
	case p.filename != "":
		b.WriteString(", ")
		b.WriteString(a.show(orDefault(p.disp, "attachment")))
		b.WriteString(" \"")
		b.WriteString(mdCode(a.show(p.filename))) // no backquote: the tree is Markdown
		b.WriteString("\"")
	case p.disp == "attachment":
		b.WriteString(", an attachment")
	}
}

// mimeTree draws the tree as a Markdown list, one part per line.
func (a *IMAPAnnotator) mimeTree(b *strings.Builder, p mimePart, depth int) {
	for range depth {
		b.WriteString("  ")
	}
	b.WriteString("- ")
	a.writeMimeLabel(b, p)
	sep := " ("
	if p.params != "" {
		b.WriteString(sep + mdCode(a.show(p.params)))
		sep = ", "
	}
	if p.encoding != "" && p.encoding != "7bit" {
		b.WriteString(sep + p.encoding + " transfer encoding")
		sep = ", "
	}
	if p.lines >= 0 {
		b.WriteString(sep + plural(p.lines, "line"))
		sep = ", "
	}
	if sep == ", " {
		b.WriteString(")")
	}
	b.WriteString("\n")
	for _, c := range p.parts {
		a.mimeTree(b, c, depth+1)
	}
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
