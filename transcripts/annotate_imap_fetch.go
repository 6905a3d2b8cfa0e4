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
}

// imapFetch explains "* n FETCH (...)" item by item.
func (a *IMAPAnnotator) imapFetch(l *Line, n int, rest string, cur *imapCmd) {
	l.RFC = "RFC 9051 §7.5.2"
	items := fetchItems(rest)
	var notes [64]string // fetchItems returns at most 64 items
	parts := make([]string, 0, len(items))
	for i, it := range items {
		notes[i] = a.fetchItemNote(it)
		if notes[i] != "" {
			parts = append(parts, notes[i])
		}
	}
	who := "message " + strconv.Itoa(n)
	l.Note = who + ": " + strings.Join(parts, "; ")
	if len(parts) == 0 {
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
	if len(items) > 0 {
		var b strings.Builder
		b.WriteString("Data items in this FETCH response:\n\n")
		for i, it := range items {
			b.WriteString("- `" + mdCode(a.display([]byte(it.name))) + "`: " + notes[i] + "\n")
		}
		l.Detail = b.String()
	}
}

// fetchItemNote explains one item.
func (a *IMAPAnnotator) fetchItemNote(it fetchItem) string {
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
	}
	switch base {
	case "FLAGS":
		f := strings.Trim(v, "()")
		if strings.TrimSpace(f) == "" {
			return "no flags (unread, not answered, not flagged)"
		}
		return "flags " + a.display([]byte(f)) + flagMeaning(f)
	case "UID":
		return "UID " + a.display([]byte(v)) + " (its permanent number in this mailbox)"
	case "INTERNALDATE":
		return "arrived at the server " + a.display([]byte(strings.Trim(v, "\"")))
	case "RFC822.SIZE":
		n, err := strconv.Atoi(v)
		if err != nil {
			return "size " + a.display([]byte(v))
		}
		return "size " + plural(n, "byte")
	case "ENVELOPE":
		return "envelope (parsed headers): " + a.envelope(v)
	case "BODYSTRUCTURE", "BODY", "BINARY", "BINARY.SIZE", "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		if base == "BODY" && !strings.Contains(name, "[") || base == "BODYSTRUCTURE" {
			return "MIME structure: " + bodyStructure(v)
		}
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
			return what + " size " + a.display([]byte(v))
		default:
			return what + ": " + a.display([]byte(v))
		}
	case "MODSEQ":
		return "modification sequence " + a.display([]byte(strings.Trim(v, "()")))
	case "EMAILID":
		return "EMAILID " + a.display([]byte(strings.Trim(v, "()"))) + ": an id for this message that stays the same in every mailbox it is copied or moved to (RFC 8474)"
	case "THREADID":
		return "THREADID " + a.display([]byte(strings.Trim(v, "()"))) + ": the conversation this message belongs to (RFC 8474)"
	case "PREVIEW", "SNIPPET":
		return "a short preview of the text, for the message list: " + a.display([]byte(v)) + " (RFC 8970)"
	case "SAVEDATE":
		return "saved in this mailbox at " + a.display([]byte(strings.Trim(v, `"`))) + " (RFC 8514)"
	case "X-GM-MSGID":
		return "Gmail's permanent id of the message " + a.display([]byte(v)) + ", the same in every folder"
	case "X-GM-THRID":
		return "Gmail's conversation (thread) id " + a.display([]byte(v))
	case "X-GM-LABELS":
		return "Gmail labels " + a.display([]byte(v)) + ": Gmail's folders are labels, and one message can carry several"
	}
	return a.display([]byte(it.name)) + " " + a.display([]byte(v))
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

// envelope picks date, subject and from out of an ENVELOPE list.
func (a *IMAPAnnotator) envelope(v string) string {
	toks := imapTokens(strings.TrimSuffix(strings.TrimPrefix(v, "("), ")"), 3)
	var parts []string
	if len(toks) > 1 && toks[1] != "NIL" {
		parts = append(parts, "subject "+a.display([]byte(toks[1])))
	}
	if len(toks) > 0 && toks[0] != "NIL" {
		parts = append(parts, "date "+a.display([]byte(toks[0])))
	}
	if len(toks) > 2 {
		if addr := envelopeAddress(toks[2]); addr != "" {
			parts = append(parts, "from "+a.display([]byte(addr)))
		}
	}
	if len(parts) == 0 {
		return "date, subject, from, to... as parsed by the server"
	}
	return strings.Join(parts, ", ")
}

// envelopeAddress turns ((name adl mailbox host)) into mailbox@host.
func envelopeAddress(list string) string {
	inner := strings.TrimSpace(list)
	inner = strings.TrimPrefix(inner, "(")
	inner = strings.TrimPrefix(inner, "(")
	inner = strings.TrimSuffix(inner, ")")
	inner = strings.TrimSuffix(inner, ")")
	t := imapTokens(inner, 4)
	if len(t) < 4 {
		return ""
	}
	return strings.Trim(t[2], "\"") + "@" + strings.Trim(t[3], "\"")
}

// bodyStructure names the top-level MIME type of a BODYSTRUCTURE.
func bodyStructure(v string) string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "(") {
		return v
	}
	inner := v[1:]
	if strings.HasPrefix(inner, "(") {
		// multipart: (part)(part) "SUBTYPE" ...
		toks := imapTokens(strings.TrimSuffix(inner, ")"), 16)
		parts := 0
		for _, t := range toks {
			if strings.HasPrefix(t, "(") {
				parts++
				continue
			}
			return "multipart/" + strings.ToLower(strings.Trim(t, "\"")) + " with " + plural(parts, "part")
		}
		return "multipart"
	}
	toks := imapTokens(strings.TrimSuffix(inner, ")"), 2)
	if len(toks) == 2 {
		return strings.ToLower(strings.Trim(toks[0], "\"") + "/" + strings.Trim(toks[1], "\""))
	}
	return "a single part"
}

// fetchItems splits "(NAME value NAME value ...)" at depth 1.
func fetchItems(s string) []fetchItem {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "(")
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
		items = append(items, fetchItem{name: name, value: s[vstart:i]})
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

// imapTokens splits a space-separated IMAP value list into at most max
// values, keeping lists and quoted strings whole (quotes are removed from
// quoted strings).
func imapTokens(s string, max int) []string {
	var out []string
	for i := 0; i < len(s) && len(out) < max; {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		j := skipValue(s, i)
		if j <= i {
			j = i + 1
		}
		tok := s[i:j]
		if strings.HasPrefix(tok, "\"") && strings.HasSuffix(tok, "\"") && len(tok) >= 2 {
			tok = tok[1 : len(tok)-1]
		}
		out = append(out, tok)
		i = j
	}
	return out
}
