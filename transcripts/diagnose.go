package transcripts

import (
	"strings"
)

// A help desk reading a pasted refusal wants one line first: what most
// likely happened and what to do about it. Reply codes alone mislead
// (Postfix refuses a relay with "454 4.7.1", the code greylisting uses as
// well), so the words decide first and the codes only when no words
// match: a refusal is matched by its words across the whole table before
// any code is tried.

// refusal is one common reason a server refuses, with what to do.
type refusal struct {
	// name is what a help desk calls it ("relay denied"), for tests and logs.
	name string
	// words are lower-case pieces of reply text; any one matches.
	words []string
	// codes are SMTP enhanced codes ("5.1.1"), SMTP reply codes ("535")
	// or POP3/IMAP response codes in brackets ("[IN-USE]"); any one
	// matches when no refusal's words did.
	codes []string
	// cause and fix make the one line: "Likely cause: cause. What to do: fix."
	cause, fix string
}

// refusals is ordered: the specific before the general (a Microsoft 365
// "5.7.139 basic authentication is disabled" is not a wrong password).
var refusals = []refusal{
	{name: "basic auth disabled",
		words: []string{"basic authentication is disabled", "basicauthblocked", "basic auth is disabled", "smtpclientauthentication is disabled"},
		codes: []string{"5.7.139"},
		cause: "the provider has switched off password logins for this protocol (the password itself may be right)",
		fix:   "log in with OAuth 2.0 (modern authentication), or have an administrator allow SMTP AUTH/basic authentication for the mailbox"},
	{name: "relay denied",
		words: []string{"relay access denied", "relaying denied", "relay not permitted", "relaying not permitted", "unable to relay", "we do not relay",
			"not permitted to relay", "relay denied", "relaying not allowed", "relay not allowed", "not allowed to relay", "client not authenticated to send mail", "5.7.57"},
		cause: "the server will not relay: it takes mail for other domains only from a client that has logged in",
		fix:   "send through your own provider's submission server: port 587, STARTTLS, then log in (AUTH) before MAIL FROM"},
	{name: "TLS required",
		words: []string{"must issue a starttls", "starttls first", "tls required", "tls is required", "requires tls", "must use tls", "encryption required",
			"requires encryption", "privacyrequired", "logindisabled", "plaintext authentication disallowed", "use stls first", "tls needed"},
		codes: []string{"5.7.11", "[PRIVACYREQUIRED]"},
		cause: "the server accepts a login (or mail) only over an encrypted connection",
		fix:   "switch on TLS in the mail program: STARTTLS on port 587 (SMTP), 143 (IMAP) or 110 (POP3), or implicit TLS on 465, 993 or 995"},
	{name: "auth required",
		words: []string{"authentication required", "authentication is required", "must authenticate", "not logged in", "auth required", "please authenticate"},
		codes: []string{"530"},
		cause: "the server wants the client to log in before it sends mail",
		fix:   "turn on \"my outgoing server requires authentication\" in the mail program (AUTH after STARTTLS, before MAIL FROM)"},
	{name: "auth failed",
		words: []string{"authentication failed", "authentication credentials invalid", "invalid credentials", "username and password not accepted",
			"bad credentials", "invalid login", "login failed", "authentication unsuccessful", "invalid password", "wrong password",
			"incorrect password", "authenticationfailed", "invalid user or password", "incorrect username or password"},
		codes: []string{"5.7.8", "535", "[AUTH]", "[AUTHENTICATIONFAILED]"},
		cause: "the server refused the user name or the password",
		fix:   "check both (the user name is often the whole address); with 2-step verification on, use an app password or OAuth instead of the account's own password"},
	{name: "blocklist",
		words: []string{"blocked using", "listed at", "spamhaus", "blacklist", "blocklist", "dnsbl", "barracuda", "spamcop", "banned sending ip",
			"5.7.606", "5.7.708", "traffic not accepted from this ip"},
		cause: "the sending server's IP address is on a blocklist this server consults",
		fix:   "look the IP address up on the list the reply names and follow its delisting steps (and find out why it was listed); changing the message will not help"},
	{name: "SPF/DMARC fail",
		words: []string{"dmarc", "spf", "dkim", "sender policy framework", "unauthenticated email"},
		codes: []string{"5.7.23", "5.7.26", "5.7.27", "5.7.20", "5.7.21", "5.7.22", "5.7.25"},
		cause: "the message failed the sender domain's authentication checks (SPF, DKIM, DMARC)",
		fix:   "the sending domain's administrator must fix its DNS: list this sending server in the SPF record and sign with DKIM for the From: domain; resending will not help"},
	{name: "too many connections",
		words: []string{"too many connections", "too many concurrent", "too many simultaneous", "connection limit", "too many sessions",
			"maximum number of connections", "too many open connections", "connection rate limit", "too many login"},
		cause: "this client (or its IP address) has more connections open than the server allows",
		fix:   "close the mail program on the other devices or lower its number of parallel connections, then retry in a few minutes"},
	{name: "rate limited",
		words: []string{"receiving mail at a rate", "rate limit", "rate that prevents", "too many messages", "too many recipients", "too many errors", "sending limit"},
		codes: []string{"4.7.28", "5.4.5"},
		cause: "a sending limit was reached (messages or recipients in a short time)",
		fix:   "send less at once (fewer recipients per message, fewer messages per hour) and retry later"},
	{name: "mailbox full",
		words: []string{"mailbox full", "mailbox is full", "over quota", "overquota", "quota exceeded", "exceeded storage", "insufficient system storage",
			"out of storage", "mailbox size limit", "quota"},
		codes: []string{"5.2.2", "4.2.2", "[OVERQUOTA]"},
		cause: "the recipient's mailbox is full",
		fix:   "the recipient must delete or archive mail; a 4xx is retried by the sending server for a few days, a 5xx bounces now (tell the recipient another way)"},
	{name: "message too big",
		words: []string{"message size exceeds", "message too big", "message too large", "exceeds fixed maximum message size", "size limit", "too large",
			"message size", "exceeds the maximum"},
		codes: []string{"5.3.4", "5.2.3", "4.3.4"},
		cause: "the message is bigger than this server accepts (its EHLO SIZE line gives the limit)",
		fix:   "send large attachments as a link (a file-sharing service) or shrink them; remember that attachments grow by a third in base64"},
	{name: "greylisting",
		words: []string{"greylist", "graylist", "try again later", "please retry later", "temporarily deferred", "try again in", "retry later", "come back later"},
		cause: "greylisting: the server refuses a new sender once, on purpose, and accepts the same message when it is sent again later",
		fix:   "nothing for a real mail server, which retries and gets through within minutes to an hour; a test tool must simply send again after a few minutes"},
	{name: "mailbox in use",
		words: []string{"maildrop locked", "mailbox is locked", "mailbox locked", "unable to lock", "already locked", "in use by another"},
		codes: []string{"[IN-USE]"},
		cause: "another session holds the mailbox (a mail program on another device, or one that never logged out)",
		fix:   "close the mail program on the other devices, or wait a few minutes for the old session to time out, then retry; set POP3 programs not to check at the same time"},
	{name: "folder missing",
		words: []string{"mailbox doesn't exist", "mailbox does not exist", "no such mailbox", "no such folder", "folder not found"},
		codes: []string{"[TRYCREATE]", "[NONEXISTENT]"},
		cause: "the IMAP folder named in the command does not exist",
		fix:   "create the folder (CREATE, or New Folder in the mail program) and retry; check the folder's name and its parent's separator (\"Sent\" vs \"INBOX.Sent\")"},
	{name: "unknown user",
		words: []string{"user unknown", "unknown user", "no such user", "user not found", "recipient not found", "recipientnotfound", "address not found",
			"no such recipient", "invalid recipient", "unknown recipient", "no mailbox here", "mailbox unavailable", "does not exist"},
		codes: []string{"5.1.1", "4.1.1", "5.1.10"},
		cause: "the receiving server has no mailbox with that address",
		fix:   "check the spelling of the address (the part before @) or ask the recipient for the right one"},
}

// Diagnose returns the one line a help desk can act on for a refusal a
// user pasted ("Likely cause: …. What to do: …."), decided by its words
// first and its codes after, or "" when it knows nothing useful to say.
// name is the refusal's short name ("relay denied"), for tests.
func Diagnose(text string) (line, name string) {
	lower := strings.ToLower(text)
	for _, r := range refusals {
		for _, w := range r.words {
			if strings.Contains(lower, w) {
				return diagnosis(r), r.name
			}
		}
	}
	codes := replyCodes(text)
	// The most specific code decides: "552 5.3.4" is about size, whatever
	// 552 alone might mean.
	for _, have := range codes {
		for _, r := range refusals {
			for _, c := range r.codes {
				if strings.EqualFold(c, have) {
					return diagnosis(r), r.name
				}
			}
		}
	}
	if line := classDiagnosis(codes); line != "" {
		return line, "by class"
	}
	return "", ""
}

func diagnosis(r refusal) string {
	return "Likely cause: " + r.cause + ". What to do: " + r.fix + "."
}

// replyCodes picks the codes out of a reply, most specific first: the
// enhanced code and the bracketed response code before the basic reply
// code or status word. "454 4.7.1 …" gives [4.7.1 454]; "a1 NO
// [TRYCREATE] …" gives [[TRYCREATE] NO]; "-ERR [IN-USE] …" gives
// [[IN-USE] -ERR].
func replyCodes(text string) []string {
	tok := strings.Fields(text)
	if len(tok) > 6 {
		tok = tok[:6]
	}
	var specific, basic []string
	for i, t := range tok {
		up := strings.ToUpper(t)
		switch {
		case i == 0 && len(t) >= 3 && t[0] >= '2' && t[0] <= '5' && isDigits(t[1:3]) && (len(t) == 3 || t[3] == '-' || t[3] == ' '):
			basic = append(basic, t[:3])
			if len(t) > 4 && isEnhancedCode(t[4:]) {
				specific = append(specific, t[4:]) // "550-5.1.1"
			}
		case isEnhancedCode(strings.TrimRight(t, ":,;")):
			specific = append(specific, strings.TrimRight(t, ":,;"))
		case strings.HasPrefix(t, "["):
			code := strings.TrimPrefix(up, "[")
			if j := strings.IndexByte(code, ']'); j >= 0 {
				code = code[:j]
			}
			specific = append(specific, "["+code+"]")
		case up == "-ERR" || up == "NO" || up == "BAD" || up == "BYE":
			basic = append(basic, up)
		}
	}
	return append(specific, basic...)
}

// classDiagnosis says what the class of a refusal alone tells: retry or not.
func classDiagnosis(codes []string) string {
	for _, c := range codes {
		switch {
		case len(c) == 3 && c[0] == '4' || strings.HasPrefix(c, "4."):
			return "Likely cause: a temporary refusal (4xx): the server may accept the same thing later. What to do: " +
				"a mail server retries by itself for a few days; a person retries in a few minutes, and if it persists reads the server's words after the code."
		case len(c) == 3 && c[0] == '5' || strings.HasPrefix(c, "5."):
			return "Likely cause: a permanent refusal (5xx): sending the same again will fail the same way. What to do: " +
				"read the server's words after the code and change what they point at (the address, the login, the sending server)."
		case c == "-ERR":
			return "Likely cause: the POP3 server refused the last command; RFC 1939 gives -ERR no reason, only the words after it say why. " +
				"What to do: read those words; if they are about the password, check the login, and if the mailbox is locked, close other mail programs."
		case c == "NO":
			return "Likely cause: the IMAP server could not do what the command asked (the command itself was well formed). " +
				"What to do: read the words after NO and the response code in brackets, if any; fix what they name and retry."
		case c == "BAD":
			return "Likely cause: the IMAP server did not understand the command (a syntax error or a command not valid in this state). " +
				"What to do: check the command's spelling, its tag and its arguments; a mail program that says this has a bug or a setting the server does not support."
		}
	}
	return ""
}

// isEnhancedCode reports whether s is an RFC 3463 code: 2, 4 or 5, then
// two numbers of one to three digits.
func isEnhancedCode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || !strings.ContainsAny(parts[0], "245") {
		return false
	}
	return isDigits(parts[1]) && len(parts[1]) <= 3 && isDigits(parts[2]) && len(parts[2]) <= 3
}
