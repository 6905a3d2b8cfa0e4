package smtp

import "strings"

// Path returns a mailbox as it must be written in a MAIL FROM, a RCPT TO
// or a Return-Path header: with its local part quoted when it is not a
// dot-string (RFC 5321 §4.1.2: "john doe"@example.com). go-smtp hands the
// session the local part unquoted, so written back as it came it would be
// two words, which no server reads as one address. "" (the null sender)
// stays "".
func Path(mailbox string) string {
	at := strings.LastIndexByte(mailbox, '@')
	local, rest := mailbox, ""
	if at >= 0 {
		local, rest = mailbox[:at], mailbox[at:]
	}
	if mailbox == "" || isDotString(local) {
		return mailbox
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(local); i++ {
		if local[i] == '"' || local[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(local[i])
	}
	b.WriteByte('"')
	return b.String() + rest
}

// isDotString reports whether s is atoms joined by single dots (RFC 5321
// §4.1.2; RFC 6531 lets the atoms hold UTF-8).
func isDotString(s string) bool {
	if s == "" {
		return false
	}
	for _, atom := range strings.Split(s, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			c := atom[i]
			if c < 0x80 && !isAtext(c) {
				return false
			}
		}
	}
	return true
}

// isAtext is RFC 5322's atext for ASCII.
func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}
