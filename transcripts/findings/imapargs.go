package findings

import "strings"

// imapTokens reads up to n IMAP arguments from s: an atom, a quoted string
// (unquoted), or a literal ({N}, whose bytes are on another event: "").
// A parenthesised list is one token, its parentheses kept.
func imapTokens(s string, n int) []string {
	var out []string
	for len(out) < n {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		switch s[0] {
		case '"':
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			out = append(out, b.String())
			s = s[min(i+1, len(s)):]
		case '(':
			depth, i := 0, 0
			inQuote := false
		scan:
			for ; i < len(s); i++ {
				switch c := s[i]; {
				case inQuote && c == '\\':
					i++
				case c == '"':
					inQuote = !inQuote
				case inQuote:
				case c == '(':
					depth++
				case c == ')':
					depth--
					if depth == 0 {
						break scan
					}
				}
			}
			out = append(out, s[:min(i+1, len(s))])
			s = s[min(i+1, len(s)):]
		case '{':
			out = append(out, "")
			i := strings.IndexByte(s, '}')
			if i < 0 {
				return out
			}
			s = s[i+1:]
		default:
			i := strings.IndexAny(s, " (")
			if i < 0 {
				i = len(s)
			}
			if i == 0 {
				i = 1
			}
			out = append(out, s[:i])
			s = s[i:]
		}
	}
	return out
}

// idName reads the "name" and "version" of an IMAP ID command's
// parameter list (RFC 2971): `("name" "imapflow" "version" "1.0.1")`.
func idName(args string) string {
	toks := imapTokens(args, 1)
	if len(toks) == 0 || !strings.HasPrefix(toks[0], "(") {
		return ""
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(toks[0], "("), ")")
	fields := imapTokens(inner, 64)
	var name, version string
	for i := 0; i+1 < len(fields); i += 2 {
		switch strings.ToLower(fields[i]) {
		case "name":
			name = fields[i+1]
		case "version":
			version = fields[i+1]
		}
	}
	if name == "" || strings.EqualFold(name, "NIL") {
		return ""
	}
	if version != "" && !strings.EqualFold(version, "NIL") {
		name += " " + version
	}
	return name
}
