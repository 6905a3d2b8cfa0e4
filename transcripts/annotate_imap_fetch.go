package transcripts

import (
	"strconv"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// fetchItem is one "NAME value" pair of a FETCH response.
type fetchItem struct {
	name  string // "FLAGS", "BODY[HEADER.FIELDS (FROM)]<0>"
	value string // "(\Seen)", "{342}", "NIL"
	end   int    // where the value ends in the string fetchItems read
}

// imapFetch explains "* n FETCH (...)" item by item.
func (a *IMAPAnnotator) imapFetch(l *Line, n int, rest string, cur *imapCmd) {
	l.RFC = "RFC 9051 §7.5.2"
	items := fetchItems(rest)
	who := "message " + strconv.Itoa(n)
	l.Note, l.Detail = a.fetchItemsNote(items)
	l.Note = who + ": " + l.Note
	if len(items) == 0 {
		l.Note = who + ": data follows"
	}
	if cur == nil || !strings.HasSuffix(cur.verb, "FETCH") && !strings.HasSuffix(cur.verb, "STORE") {
		switch {
		case a.imap.idling:
			l.Note += " (changed by another session while the client idles)"
		case cur == nil && a.imap.midway:
			l.Note += " (the answer to a command sent before this log begins, or an update the server reports unasked)"
		case cur == nil || cur.verb != "SELECT":
			l.Note += " (an update the server reports unasked: another session changed it)"
		}
	}
}

// fetchItemsNote explains the items of a FETCH response: a note naming
// each, a detail listing them, with an ENVELOPE's fields and a
// BODYSTRUCTURE's tree after the list.
func (a *IMAPAnnotator) fetchItemsNote(items []fetchItem) (note, detail string) {
	if len(items) == 0 {
		return "", ""
	}
	var n, b strings.Builder
	var more [64]string // fetchItems returns at most 64 items
	nmore := 0
	b.Grow(64 * (len(items) + 1))
	b.WriteString("Data items in this FETCH response:\n\n")
	for _, it := range items {
		note, d := a.fetchItemNote(it)
		if note != "" {
			if n.Len() > 0 {
				n.WriteString("; ")
			}
			n.WriteString(note)
		}
		b.WriteString("- `")
		b.WriteString(mdCode(a.show(it.name)))
		b.WriteString("`: ")
		b.WriteString(note)
		b.WriteString("\n")
		if d != "" {
			more[nmore] = d
			nmore++
		}
	}
	for _, d := range more[:nmore] {
		b.WriteString("\n")
		b.WriteString(d)
	}
	return n.String(), b.String()
}

// fetchItemNote explains one item; detail is set for the items whose
// value is a structure (ENVELOPE, BODYSTRUCTURE).
func (a *IMAPAnnotator) fetchItemNote(it fetchItem) (note, detail string) {
	if n, d := a.fetchStructureNote(it); n != "" {
		return n, d
	}
	return a.fetchValueNote(it), ""
}

// fetchStructureNote explains ENVELOPE and BODYSTRUCTURE (and BODY
// without a section, its short form); "" for other items.
func (a *IMAPAnnotator) fetchStructureNote(it fetchItem) (note, detail string) {
	name := strings.ToUpper(it.name)
	if _, _, literal := wire.LiteralSize(it.value); literal && strings.HasPrefix(it.value, "{") {
		return "", ""
	} else if literal && (name == "ENVELOPE" || name == "BODYSTRUCTURE") {
		// A string inside it comes as a literal: it is explained on
		// the line that completes it.
		return strings.ToLower(name) + ": continues after the literal", ""
	}
	switch name {
	case "ENVELOPE":
		a.want(kb.FetchItem, name)
		return a.envelopeNote(it.value), ""
	case "BODYSTRUCTURE", "BODY":
		a.want(kb.FetchItem, name)
		return a.bodyStructureNote(it.value)
	}
	return "", ""
}

// fetchValueNote explains an item whose value is a flag list, a number,
// a date or message content.
func (a *IMAPAnnotator) fetchValueNote(it fetchItem) string {
	name := strings.ToUpper(it.name)
	base := name
	if i := strings.IndexAny(base, "[<"); i >= 0 {
		base = base[:i]
	}
	a.want(kb.FetchItem, name)
	v := it.value
	literal := ""
	if n, _, ok := wire.LiteralSize(v); ok && strings.HasPrefix(v, "{") {
		literal = plural(n, "byte") + ", sent as a literal on the following lines"
		if n == 0 {
			literal = "empty (a literal of 0 bytes)"
		}
	}
	switch base {
	case "FLAGS":
		f := strings.Trim(v, "()")
		if strings.TrimSpace(f) == "" {
			return "no flags (unread, not answered, not flagged)"
		}
		return "flags " + a.show(f) + flagMeaning(f)
	case "UID":
		return "UID " + a.show(v) + " (its permanent number in this mailbox)"
	case "INTERNALDATE":
		return "arrived at the server " + a.show(strings.Trim(v, "\""))
	case "RFC822.SIZE":
		n, err := strconv.Atoi(v)
		if err != nil {
			return "size " + a.show(v)
		}
		return "size " + plural(n, "byte")
	case "BODY", "BINARY", "BINARY.SIZE", "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		section := ""
		if i := strings.IndexByte(name, '['); i >= 0 {
			if j := strings.IndexByte(name[i:], ']'); j >= 0 {
				section = name[i+1 : i+j]
			}
		}
		what := sectionMeaning(base, section)
		if i := strings.IndexByte(name, '<'); i >= 0 {
			what += ", starting at byte " + strings.Trim(name[i:], "<>")
		}
		switch {
		case literal != "":
			return what + ": " + literal
		case strings.EqualFold(v, "NIL"):
			return what + ": empty (NIL)"
		case base == "BINARY.SIZE":
			return what + " size " + a.show(v)
		default:
			return what + ": " + a.show(v)
		}
	case "MODSEQ":
		return "modification sequence " + a.show(strings.Trim(v, "()"))
	case "EMAILID":
		return "EMAILID " + a.show(strings.Trim(v, "()")) + ": an id for this message that stays the same in every mailbox it is copied or moved to (RFC 8474)"
	case "THREADID":
		return "THREADID " + a.show(strings.Trim(v, "()")) + ": the conversation this message belongs to (RFC 8474)"
	case "PREVIEW", "SNIPPET":
		return "a short preview of the text, for the message list: " + a.show(v) + " (RFC 8970)"
	case "SAVEDATE":
		return "saved in this mailbox at " + a.show(strings.Trim(v, `"`)) + " (RFC 8514)"
	case "X-GM-MSGID":
		return "Gmail's permanent id of the message " + a.show(v) + ", the same in every folder"
	case "X-GM-THRID":
		return "Gmail's conversation (thread) id " + a.show(v)
	case "X-GM-LABELS":
		return "Gmail labels " + a.show(v) + ": Gmail's folders are labels, and one message can carry several"
	}
	return a.show(it.name) + " " + a.show(v)
}

// flagMeaning explains the system flags in a flag list.
func flagMeaning(f string) string {
	var m []string
	up := strings.ToUpper(f)
	for _, p := range [...]struct{ flag, meaning string }{
		{`\SEEN`, "read"}, {`\ANSWERED`, "replied to"}, {`\FLAGGED`, "starred"},
		{`\DELETED`, "marked for deletion at the next EXPUNGE"}, {`\DRAFT`, "a draft"}, {`\RECENT`, "this session is the first to be told about it"},
	} {
		if strings.Contains(up, p.flag) {
			m = append(m, p.meaning)
		}
	}
	if len(m) == 0 {
		return ""
	}
	return " (" + strings.Join(m, ", ") + ")"
}

// sectionMeaning names a BODY[section].
func sectionMeaning(base, section string) string {
	switch {
	case base == "RFC822":
		return "the whole message"
	case base == "RFC822.HEADER":
		return "the header section"
	case base == "RFC822.TEXT":
		return "the body"
	case section == "":
		return "the whole message (BODY[])"
	case section == "HEADER":
		return "the header section (BODY[HEADER])"
	case strings.HasPrefix(section, "HEADER.FIELDS.NOT"):
		return "the headers except " + strings.TrimSpace(section[len("HEADER.FIELDS.NOT"):])
	case strings.HasPrefix(section, "HEADER.FIELDS"):
		return "the headers " + strings.TrimSpace(section[len("HEADER.FIELDS"):])
	case section == "TEXT":
		return "the body without headers (BODY[TEXT])"
	case strings.HasSuffix(section, ".MIME"):
		return "the MIME headers of part " + strings.TrimSuffix(section, ".MIME")
	}
	return "MIME part " + section
}

// fetchItems splits "(NAME value NAME value ...)" at depth 1.
func fetchItems(s string) []fetchItem {
	// off is how much of the start is cut, so that end counts in the
	// string given.
	trimmed := strings.TrimPrefix(strings.TrimLeft(s, " "), "(")
	off := len(s) - len(trimmed)
	s = strings.TrimRight(trimmed, " ")
	var items []fetchItem
	for i := 0; i < len(s) && len(items) < 64; {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || s[i] == ')' {
			break
		}
		start := i
		depth := 0
		for i < len(s) {
			c := s[i]
			if c == '[' {
				depth++
			} else if c == ']' && depth > 0 {
				depth--
			} else if depth == 0 && (c == ' ' || c == '(' || c == ')') {
				break
			}
			i++
		}
		name := s[start:i]
		for i < len(s) && s[i] == ' ' {
			i++
		}
		vstart := i
		i = skipValue(s, i)
		items = append(items, fetchItem{name: name, value: s[vstart:i], end: off + i})
		if i == vstart && (i >= len(s) || s[i] != ' ') {
			// No progress: stop rather than loop on malformed input.
			if i < len(s) && s[i] != ')' {
				i++
				continue
			}
			break
		}
	}
	return items
}

// skipValue returns the index just after one IMAP value starting at i: a
// parenthesised list, a quoted string, a literal marker or an atom.
func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '(':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = skipQuoted(s, i)
				continue
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	case '"':
		return skipQuoted(s, i)
	case '{':
		if j := strings.IndexByte(s[i:], '}'); j >= 0 {
			return i + j + 1
		}
		return len(s)
	}
	for i < len(s) && s[i] != ' ' && s[i] != ')' && s[i] != '(' {
		i++
	}
	return i
}

// skipQuoted returns the index after a quoted string starting at i.
func skipQuoted(s string, i int) int {
	i++
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case '"':
			return i + 1
		}
		i++
	}
	return len(s)
}
