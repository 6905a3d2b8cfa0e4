package kb

import "github.com/mailtutor/mailtutor/simulator/wire"

// POP3 session states (RFC 1939 §3): a session starts in AUTHORIZATION, moves
// to TRANSACTION after a successful login, and to UPDATE on QUIT, where the
// messages marked with DELE are really removed.
const (
	pop3Auth   = "AUTHORIZATION"
	pop3Trans  = "TRANSACTION"
	pop3Update = "UPDATE"
)

// pop3Entries covers RFC 1939 with RFC 2449 (CAPA, response codes), RFC 2595
// (STLS), RFC 3206 (more response codes), RFC 5034 (AUTH) and RFC 6856 (UTF8, LANG).
func pop3Entries() []Entry {
	var all []Entry
	all = append(all, pop3Commands()...)
	all = append(all, pop3CapaTags()...)
	all = append(all, pop3Codes()...)
	return all
}

func pop3Commands() []Entry {
	cmd := func(key, summary, rfc, syntax string, states []string, explain string) Entry {
		return Entry{Proto: wire.POP3, Kind: Command, Key: key, Summary: summary, RFC: rfc, Syntax: syntax,
			States: states, Explain: explain}
	}
	auth := []string{pop3Auth}
	trans := []string{pop3Trans}
	return []Entry{
		cmd("USER", "Give the user name (first half of a plain login)", "RFC 1939 §7", "USER SP name", auth,
			"Starts the simplest login: the user name now, the password with PASS next. Many servers answer "+
				"+OK even for an unknown user so that nobody can probe which accounts exist. Without TLS the name "+
				"travels in clear; servers often refuse it until STLS (`-ERR [AUTH] … STLS first`)."),
		cmd("PASS", "Give the password; on success the mailbox is opened and locked", "RFC 1939 §7", "PASS SP string", auth,
			"Completes USER/PASS. On +OK the session enters TRANSACTION state and the server **locks the "+
				"maildrop** so no other POP3 session can change it (a second login gets `-ERR [IN-USE]`). The "+
				"password is sent in clear text unless the connection is encrypted (STLS or port 995)."),
		cmd("APOP", "Log in with an MD5 digest of the greeting's timestamp and the password", "RFC 1939 §7",
			"APOP SP name SP digest", auth,
			"The greeting may contain a unique string like `<1896.697170952@host>`. The client sends the MD5 of "+
				"that string followed by the password, so the password never crosses the network. MD5 is broken "+
				"for this purpose today; use TLS with USER/PASS or SASL instead."),
		cmd("AUTH", "Log in with a SASL mechanism (PLAIN, SCRAM, XOAUTH2 …)", "RFC 5034 §4",
			"AUTH SP mechanism [SP initial-response]", auth,
			"Like SMTP AUTH: the server sends `+ <base64 challenge>` lines and the client answers with base64 "+
				"lines until +OK or -ERR. `*` cancels. `AUTH` alone (no mechanism) lists the mechanisms on some "+
				"servers; the standard way to see them is the SASL line of CAPA."),
		cmd("STLS", "Switch the connection to TLS encryption", "RFC 2595 §4",
			"STLS", auth,
			"POP3's STARTTLS. After `+OK Begin TLS negotiation` both sides do the TLS handshake and the session "+
				"continues encrypted, still in AUTHORIZATION state. The client should send CAPA again, since "+
				"the capabilities may change (e.g. USER and SASL PLAIN appear only after TLS)."),
		cmd("CAPA", "List the server's capabilities (one per line, ending with a dot)", "RFC 2449 §5",
			"CAPA", []string{pop3Auth, pop3Trans},
			"Answered with +OK and a multi-line list: TOP, UIDL, USER, SASL PLAIN, STLS, PIPELINING, "+
				"RESP-CODES… ending with a line holding a single `.`. Clients send it first to learn what they may use."),
		cmd("STAT", "Number of messages and total size of the mailbox", "RFC 1939 §5", "STAT", trans,
			"Answers `+OK 2 320`: two messages, 320 bytes in total. Messages marked deleted are not counted. "+
				"Sizes are in octets as the message would be sent (with CRLF line ends)."),
		cmd("LIST", "Size of each message (or of one message)", "RFC 1939 §5", "LIST [SP msg]", trans,
			"Without argument: a multi-line list `1 120`, `2 200`, … ending with `.`. With a number: the single "+
				"line `+OK 2 200`. Messages are numbered from 1 in this session only; the numbers do not survive "+
				"to the next session (use UIDL for that)."),
		cmd("UIDL", "Unique, permanent ID of each message", "RFC 1939 §7", "UIDL [SP msg]", trans,
			"Gives each message an ID that stays the same across sessions (`1 whqtswO00WBw418f9t5JxYwZ`). This is "+
				"how \"leave messages on server\" works: the client remembers which UIDs it already downloaded "+
				"and fetches only new ones."),
		cmd("RETR", "Download one whole message", "RFC 1939 §5", "RETR SP msg", trans,
			"Sends `+OK` then the full message (headers and body) and a final line with a single dot. Lines of "+
				"the message starting with a dot get an extra dot (byte-stuffing), which the client removes. "+
				"RETR does not delete the message: that needs DELE, and QUIT."),
		cmd("TOP", "Download the headers and the first n lines of a message", "RFC 1939 §7", "TOP SP msg SP n", trans,
			"`TOP 1 0` gives only the headers: clients use it to show a preview or filter spam before "+
				"downloading large messages. Optional command; CAPA lists TOP when it is supported."),
		cmd("DELE", "Mark a message for deletion (done at QUIT)", "RFC 1939 §5", "DELE SP msg", trans,
			"The message is only **marked**: it disappears from STAT/LIST, but is removed for real only when the "+
				"session ends properly with QUIT (UPDATE state). If the connection drops, or RSET is sent, "+
				"nothing is deleted."),
		cmd("RSET", "Unmark all messages marked for deletion", "RFC 1939 §5", "RSET", trans,
			"Undoes every DELE of this session. Nothing else changes."),
		cmd("NOOP", "Do nothing; the server answers +OK", "RFC 1939 §5", "NOOP", trans,
			"Keeps the connection alive. Note: POP3 has no way to learn about new mail during a session; the "+
				"mailbox is a snapshot taken at login."),
		cmd("QUIT", "End the session; in TRANSACTION state, really delete the marked messages", "RFC 1939 §6",
			"QUIT", []string{pop3Auth, pop3Trans},
			"In TRANSACTION state, QUIT moves the session to UPDATE: messages marked with DELE are removed, the "+
				"lock is released, and the server says +OK and closes. If removing fails the answer is -ERR "+
				"(and some messages may remain). In AUTHORIZATION state it just closes."),
		cmd("UTF8", "Switch the session to UTF-8 (internationalised user names and mail)", "RFC 6856 §2",
			"UTF8", auth,
			"Enables UTF-8 in user names, passwords and message content (messages may have UTF-8 headers). "+
				"Allowed only if CAPA lists UTF8."),
		cmd("LANG", "Choose the language of the server's human-readable text", "RFC 6856 §3",
			"LANG [SP lang-range]", []string{pop3Auth, pop3Trans},
			"`LANG` alone lists the languages; `LANG fr` switches -ERR/+OK texts to French. Only if CAPA lists LANG."),
	}
}

// pop3CapaTags are the CAPA tags of the IANA "POP3 Extension Mechanism" registry.
func pop3CapaTags() []Entry {
	tag := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.POP3, Kind: Capability, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	return []Entry{
		tag("TOP", "The server supports the TOP command", "RFC 2449 §6.1",
			"Clients may fetch only headers and the first lines of a message."),
		tag("USER", "The server supports USER/PASS login", "RFC 2449 §6.2",
			"Plain user name and password login is offered (often only after STLS)."),
		tag("SASL", "The server supports AUTH; lists its SASL mechanisms", "RFC 2449 §6.3; RFC 5034 §4",
			"`SASL PLAIN SCRAM-SHA-256` names the mechanisms the client may use with AUTH."),
		tag("RESP-CODES", "-ERR replies may carry a [CODE] in brackets", "RFC 2449 §6.4",
			"The server uses response codes such as `[IN-USE]`, `[LOGIN-DELAY]`, `[SYS/TEMP]`, `[AUTH]` to tell "+
				"the client precisely what went wrong, so it can show a useful message."),
		tag("AUTH-RESP-CODE", "A failed login says [AUTH] when the credentials are wrong", "RFC 3206 §6",
			"The server marks a refused login with `-ERR [AUTH]` when the user name or password is wrong, "+
				"so the mail program can ask for the password again instead of retrying a temporary failure "+
				"(`[SYS/TEMP]`) or a locked maildrop (`[IN-USE]`)."),
		tag("LOGIN-DELAY", "Minimum seconds between logins; clients should not check more often", "RFC 2449 §6.5",
			"`LOGIN-DELAY 900` asks clients to wait 15 minutes between logins. Checking sooner can be refused "+
				"with `-ERR [LOGIN-DELAY]`."),
		tag("PIPELINING", "The client may send several commands without waiting", "RFC 2449 §6.6",
			"For example all RETR commands at once; the replies come back in order."),
		tag("EXPIRE", "How long the server keeps messages after they have been read", "RFC 2449 §6.7",
			"RFC 1939 lets a server delete mail by its own policy, without any DELE; EXPIRE announces that policy: "+
				"the number of days a message is kept at least after the client first downloaded it. `EXPIRE 30`: "+
				"the server may delete it 30 days after download; `EXPIRE 0`: the client may not leave mail on the "+
				"server at all (\"leave a copy on the server\" will not work); `EXPIRE NEVER`: the server deletes "+
				"nothing by itself, only DELE and QUIT remove a message."),
		tag("UIDL", "The server supports UIDL (permanent message IDs)", "RFC 2449 §6.8",
			"Needed for \"leave messages on server\"."),
		tag("IMPLEMENTATION", "Name/version of the server software (informational)", "RFC 2449 §6.9",
			"Free text, for troubleshooting only; clients must not change behaviour based on it."),
		tag("STLS", "The server supports STLS (upgrade to TLS)", "RFC 2595 §4",
			"The client can encrypt the connection before logging in."),
		tag("UTF8", "The server supports the UTF8 command", "RFC 6856 §2",
			"`UTF8 USER` additionally means UTF-8 user names and passwords are accepted with USER/PASS."),
		tag("LANG", "The server can send its texts in other languages (LANG command)", "RFC 6856 §3",
			"Lets the user pick the language of server messages."),
	}
}

// pop3Codes are the status indicators, the "+ " continuation and the response
// codes of the IANA "POP3 Response Codes" registry.
func pop3Codes() []Entry {
	return []Entry{
		{
			Proto: wire.POP3, Kind: Response, Key: "+OK",
			Summary: "Positive reply: the command worked",
			Explain: "Every POP3 reply starts with `+OK` or `-ERR`; the rest of the line is free text for people. " +
				"For RETR, TOP, and LIST/UIDL without argument, a multi-line body follows and ends with a line " +
				"holding only `.`.",
			RFC: "RFC 1939 §3",
		},
		{
			Proto: wire.POP3, Kind: Response, Key: "-ERR",
			Summary: "Negative reply: the command failed",
			Explain: "The command did not work. The text after it explains why, and with RESP-CODES a bracketed " +
				"code like `[IN-USE]` says precisely. A -ERR to PASS usually means the login failed; the client may " +
				"try again (servers often slow down or close after a few failures). Not every -ERR to PASS is about " +
				"the password, though: `-ERR send USER first, then PASS` answers a PASS that did not come right after " +
				"an accepted USER (RFC 1939 §7: a failed PASS needs a new USER), a mistake in the order of commands.",
			RFC:    "RFC 1939 §3",
			Client: "\"Login failed\" or \"the server responded with an error\", quoting the text.",
			Check:  "Read the bracketed code if any; without one, the text. For login failures: user name (often the full address), password, and whether the server wants TLS first.",
		},
		{
			Proto: wire.POP3, Kind: Response, Key: "+",
			Summary: "SASL continuation: the server sends a challenge, answer in base64",
			Explain: "During AUTH the server sends `+ ` followed by a base64 challenge (possibly empty). The client " +
				"answers with one base64 line, or `*` to cancel.",
			RFC: "RFC 5034 §4",
		},
		{
			Proto: wire.POP3, Kind: ResponseCode, Key: "IN-USE",
			Summary: "Mailbox is locked by another POP3 session",
			Explain: "Login worked, but another session (another device, or a stuck earlier connection) already " +
				"holds the mailbox lock, so this one cannot open it. POP3 allows only one session per mailbox " +
				"because message numbers and deletions must not change under a client's feet. The lock is " +
				"released when the other session QUITs or its connection times out.",
			RFC:    "RFC 2449 §8.1.2",
			Client: "\"Mailbox in use\" or \"Unable to lock maildrop\"; mail check fails for a while.",
			Check:  "Is the same account checked by two devices/apps at once (phone and PC)? Close one, or wait a few minutes for the old session to time out. Consider IMAP for multiple devices.",
		},
		{
			Proto: wire.POP3, Kind: ResponseCode, Key: "LOGIN-DELAY",
			Summary: "Logged in too soon after the last login; wait and retry",
			Explain: "The server enforces a minimum interval between logins (announced by the LOGIN-DELAY CAPA tag), " +
				"and this login came too early. The credentials were fine.",
			RFC:    "RFC 2449 §8.1.1",
			Client: "Intermittent \"login failed\" when checking mail very often.",
			Check:  "Set the app's check interval to at least the LOGIN-DELAY value.",
		},
		{
			Proto: wire.POP3, Kind: ResponseCode, Key: "SYS/TEMP",
			Summary: "Temporary server-side problem; try again later",
			Explain: "The failure is not the user's fault and is expected to go away (e.g. the storage is " +
				"unavailable). The credentials are not the problem.",
			RFC:    "RFC 3206 §4",
			Client: "\"Server error, try again later\".",
			Check:  "Retry later; if it lasts, it is for the server's administrator.",
		},
		{
			Proto: wire.POP3, Kind: ResponseCode, Key: "SYS/PERM",
			Summary: "Permanent server-side problem; retrying will not help",
			Explain: "The server has a problem that needs an administrator (e.g. a broken mailbox). It is not about " +
				"the credentials.",
			RFC:    "RFC 3206 §4",
			Client: "\"Server error\" every time.",
			Check:  "Escalate to the mail administrator; the user cannot fix it.",
		},
		{
			Proto: wire.POP3, Kind: ResponseCode, Key: "SYS",
			Summary: "Server-side problem (hierarchy for SYS/TEMP and SYS/PERM)",
			Explain: "A failure caused by the server system, not by the user. The sub-code TEMP or PERM says " +
				"whether retrying may help.",
			RFC: "RFC 3206 §4",
		},
		{
			Proto: wire.POP3, Kind: ResponseCode, Key: "AUTH",
			Summary: "Authentication failed: the credentials (or the login method) are the problem",
			Explain: "The failure is about the credentials: wrong user or password, or this way of logging in is " +
				"not allowed (e.g. plain USER/PASS before STLS). Other causes (lock, server error) would carry " +
				"another code. After a few failures servers slow down their answers (mailtutor waits 1 s after the " +
				"fourth failure on a connection, then 2, 4, up to 8 s), which makes guessing passwords slow.",
			RFC:    "RFC 3206 §5",
			Client: "Password prompt appears again.",
			Check:  "Re-enter the password; check the user name format; enable SSL/TLS (port 995) or STARTTLS in the account settings.",
		},
		{
			Proto: wire.POP3, Kind: ResponseCode, Key: "UTF8",
			Summary: "This mailbox or message needs UTF-8; enable it with the UTF8 command",
			Explain: "The server cannot answer in plain ASCII (e.g. a message has UTF-8 headers) and the client " +
				"has not sent UTF8.",
			RFC: "RFC 6856 §2",
		},
	}
}
