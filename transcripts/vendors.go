package transcripts

import (
	"encoding/base64"
	"strings"
	"unicode/utf16"
)

// Microsoft Exchange greets IMAP and POP3 clients with its server's name
// hidden at the end, base64 of the name in UTF-16:
//
//	* OK The Microsoft Exchange IMAP4 service is ready. [TQBOADIAUABSADAA...]
//
// The name tells a help desk which server answered, and a name under
// outlook.com says the server is Exchange Online (Microsoft 365 or
// Outlook.com), whose IMAP and POP no longer take passwords.

// exchangeServerName returns the server name hidden in an Exchange
// greeting, and false when the text holds none.
func exchangeServerName(greeting string) (string, bool) {
	if !strings.Contains(greeting, "Microsoft Exchange") {
		return "", false
	}
	open, end := strings.LastIndexByte(greeting, '['), strings.LastIndexByte(greeting, ']')
	if open < 0 || end < open+8 || end-open > 400 {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(greeting[open+1 : end])
	if err != nil || len(raw)%2 != 0 {
		return "", false
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	name := string(utf16.Decode(units))
	for _, r := range name {
		if r <= ' ' || r > '~' {
			return "", false
		}
	}
	return name, name != ""
}

// exchangeGreetingNote is what to add to an Exchange greeting's note.
func exchangeGreetingNote(greeting string) string {
	name, ok := exchangeServerName(greeting)
	if !ok {
		return ""
	}
	note := "; the bracketed code is the name of the Exchange server that answered, in base64 of UTF-16: " + name
	if exchangeOnline(name) {
		note += " (Exchange Online: Microsoft 365 or Outlook.com)"
	}
	return note
}

func exchangeOnline(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".outlook.com")
}

// exchangeLoginHint explains a refused password login to an Exchange server.
func exchangeLoginHint(greeting string) string {
	name, ok := exchangeServerName(greeting)
	if !ok {
		return ""
	}
	if exchangeOnline(name) {
		return "; this is Exchange Online, which no longer accepts passwords over IMAP and POP (Microsoft switched basic authentication off tenant by tenant for Microsoft 365 from October 2022, and for Outlook.com in 2024): a mail program must sign in with OAuth 2.0 (XOAUTH2), so even the right password is refused"
	}
	return "; Exchange refuses a password login when the account or the server has basic authentication switched off, even with the right password: ask the administrator, or use OAuth 2.0 (XOAUTH2)"
}
