package kb

import "github.com/mailtutor/mailtutor/simulator/wire"

// SMTP session states used in Entry.States. RFC 5321 §4.1.4 fixes the order:
// greeting, EHLO/HELO, then any number of transactions MAIL → RCPT… → DATA.
const (
	smtpGreeted  = "greeted"    // the server sent 220, the client has not said EHLO/HELO yet
	smtpReady    = "after EHLO" // EHLO/HELO done, no transaction open
	smtpMail     = "after MAIL" // MAIL accepted, no recipient yet
	smtpRcpt     = "after RCPT" // at least one recipient accepted
	smtpAnyState = "any state"  // valid at any point of the session
)

// smtpCommands covers RFC 5321 and the extensions a learner meets in logs.
func smtpCommands() []Entry {
	return []Entry{
		{
			Proto: wire.SMTP, Kind: Command, Key: "EHLO",
			Summary: "Extended hello: the client names itself and asks for the server's extensions",
			Explain: "The first thing a modern client says after the 220 greeting. The argument is the client's own " +
				"host name (or an address literal like `[192.0.2.1]`). The server answers with a multi-line 250 " +
				"reply: the first line greets, every further line is one **extension keyword** it supports " +
				"(PIPELINING, SIZE, STARTTLS, AUTH …). The client may only use what is listed. EHLO also resets " +
				"any transaction in progress, and must be sent again after STARTTLS because the list can change.",
			RFC:    "RFC 5321 §4.1.1.1",
			Syntax: "EHLO SP ( Domain / address-literal ) CRLF",
			States: []string{smtpGreeted, smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "HELO",
			Summary: "Old-style hello: names the client, no extensions",
			Explain: "The original greeting from RFC 821. It works like EHLO but the server answers with a single " +
				"250 line and the client may use no extension at all (no AUTH, no STARTTLS, no SIZE). Clients " +
				"fall back to HELO only when a very old server rejects EHLO with 500 or 502.",
			RFC:    "RFC 5321 §4.1.1.1",
			Syntax: "HELO SP Domain CRLF",
			States: []string{smtpGreeted, smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "LHLO",
			Summary: "LMTP hello: like EHLO, for local delivery to a mail store",
			Explain: "LMTP is SMTP's cousin used between a mail server and the program that stores mail (e.g. Postfix " +
				"handing mail to Dovecot). It replaces EHLO with LHLO so the two protocols cannot be confused, and " +
				"after DATA it gives one reply *per recipient*, so one full mailbox does not bounce the others. " +
				"An SMTP server answers LHLO with 500: it is not an SMTP command.",
			RFC:    "RFC 2033 §4.1",
			Syntax: "LHLO SP Domain CRLF",
			States: []string{smtpGreeted, smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "MAIL",
			Summary: "Start a message: gives the envelope sender (where bounces go)",
			Explain: "`MAIL FROM:<address>` opens a mail transaction. The address is the **envelope sender** " +
				"(the reverse-path): bounces and delivery reports go there. It need not match the `From:` header " +
				"the reader sees. An empty path `MAIL FROM:<>` is used by bounces themselves, so they can never " +
				"bounce in a loop. Extension parameters follow the address (`SIZE=`, `BODY=8BITMIME`, `SMTPUTF8`, " +
				"`RET=`, `ENVID=`, `AUTH=`) and are allowed only if EHLO announced them. A second MAIL without " +
				"finishing or RSET gets 503.",
			RFC:    "RFC 5321 §4.1.1.2",
			Syntax: "MAIL FROM:<reverse-path> [SP mail-parameters] CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "RCPT",
			Summary: "Add one recipient to the message (envelope recipient)",
			Explain: "`RCPT TO:<address>` names one **envelope recipient**; repeat it for each one. This is where the " +
				"server decides whether it will take mail for that address: unknown users get 550 5.1.1, relaying " +
				"to another domain without logging in gets 554/550 5.7.1, a full mailbox 452 or 552. Each RCPT " +
				"gets its own reply, so some recipients can be accepted and others refused in the same message. " +
				"The envelope recipients, not the `To:`/`Cc:` headers, decide where the mail goes (that is how Bcc works).",
			RFC:    "RFC 5321 §4.1.1.3",
			Syntax: "RCPT TO:<forward-path> [SP rcpt-parameters] CRLF",
			States: []string{smtpMail, smtpRcpt},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "DATA",
			Summary: "Send the message itself; the server answers 354, end with a lone dot",
			Explain: "After at least one accepted RCPT, DATA asks to send the message (headers, blank line, body). " +
				"The server says `354` and from then on every line is message text, until a line holding only " +
				"`.` (CRLF.CRLF). A text line that starts with a dot is sent with an extra dot (\"dot-stuffing\", " +
				"§4.5.2) so it cannot end the message early. The reply after the final dot (250, or 4xx/5xx) is " +
				"the one that counts: only a 250 there means the server took responsibility for the message.",
			RFC:    "RFC 5321 §4.1.1.4",
			Syntax: "DATA CRLF",
			States: []string{smtpRcpt},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "BDAT",
			Summary: "Send the message in sized binary chunks instead of DATA (CHUNKING)",
			Explain: "`BDAT <size> [LAST]` is followed by exactly *size* raw bytes, with no dot-stuffing and no end " +
				"marker; the chunk ends when the byte count is reached. The last chunk carries `LAST`. Because " +
				"nothing is scanned for a dot, BDAT can carry binary (BINARYMIME). Only allowed if EHLO listed " +
				"CHUNKING, and DATA and BDAT cannot be mixed in one transaction.",
			RFC:    "RFC 3030 §2",
			Syntax: "BDAT SP chunk-size [SP LAST] CRLF <chunk-size octets>",
			States: []string{smtpRcpt},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "RSET",
			Summary: "Abort the current message; keep the connection",
			Explain: "Throws away the sender, recipients and any data of the transaction in progress. The session " +
				"itself stays open and EHLO need not be repeated. Always answered with 250. Clients often send it " +
				"before each new message to start from a clean state.",
			RFC:    "RFC 5321 §4.1.1.5",
			Syntax: "RSET CRLF",
			States: []string{smtpAnyState},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "VRFY",
			Summary: "Ask whether an address is a valid user (usually disabled)",
			Explain: "Asks the server to confirm a user name or mailbox. Spammers used it to harvest addresses, so " +
				"most servers answer `252` (\"cannot verify, but will try to deliver\") or `502` (disabled), which " +
				"RFC 5321 §7.3 explicitly allows.",
			RFC:    "RFC 5321 §4.1.1.6",
			Syntax: "VRFY SP String CRLF",
			States: []string{smtpAnyState},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "EXPN",
			Summary: "Ask the server to list the members of a mailing list (usually disabled)",
			Explain: "Expands a mailing-list name into its member addresses. Like VRFY it leaks addresses, so servers " +
				"normally refuse it with 502 or 550 (RFC 5321 §7.3).",
			RFC:    "RFC 5321 §4.1.1.7",
			Syntax: "EXPN SP String CRLF",
			States: []string{smtpAnyState},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "HELP",
			Summary: "Ask the server for human-readable help (reply 214)",
			Explain: "Returns help text, usually a 214 reply listing commands. Its content is meant for people and " +
				"not defined by the standard; clients never depend on it.",
			RFC:    "RFC 5321 §4.1.1.8",
			Syntax: "HELP [SP String] CRLF",
			States: []string{smtpAnyState},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "NOOP",
			Summary: "Do nothing; the server answers 250 (keeps the connection alive)",
			Explain: "Has no effect on the session or transaction. Used to check the server is still there or to " +
				"stop an idle connection from timing out. Any argument is ignored.",
			RFC:    "RFC 5321 §4.1.1.9",
			Syntax: "NOOP [SP String] CRLF",
			States: []string{smtpAnyState},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "QUIT",
			Summary: "End the session; the server answers 221 and closes",
			Explain: "Asks the server to close the connection. The server must answer 221 before closing. A message " +
				"not yet finished by the final `.` of DATA is discarded; one that already got its 250 is safe.",
			RFC:    "RFC 5321 §4.1.1.10",
			Syntax: "QUIT CRLF",
			States: []string{smtpAnyState},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "STARTTLS",
			Summary: "Switch this connection to encryption (TLS) before going on",
			Explain: "Asks to start TLS on the existing connection. After `220 Ready to start TLS` both sides do the " +
				"TLS handshake; everything after that is encrypted (an eavesdropper sees only ciphertext). The " +
				"session restarts from zero: the client must send EHLO again, and the server may now offer AUTH. " +
				"Only allowed if EHLO listed STARTTLS. Submission servers today demand it before AUTH (RFC 8314): " +
				"before it their EHLO list has no AUTH line and AUTH gets `530 5.7.0 Must issue a STARTTLS command " +
				"first`; after it, EHLO again lists AUTH.",
			RFC:    "RFC 3207 §4",
			Syntax: "STARTTLS CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "AUTH",
			Summary: "Log in with a SASL mechanism (PLAIN, LOGIN, …) before sending",
			Explain: "Authenticates the client so the server will accept mail to other domains (submission). The " +
				"argument is a SASL mechanism from the EHLO `AUTH` line, optionally with an initial response in " +
				"base64. The server may send `334` challenges; each client answer is a base64 line (`*` cancels). " +
				"Success is `235 2.7.0`, wrong credentials `535 5.7.8`. Base64 is an encoding, not encryption: " +
				"without TLS the password is readable by anyone on the path, which is why submission servers offer " +
				"AUTH only after STARTTLS (or on port 465) and answer it before TLS with `530 5.7.0 Must issue a " +
				"STARTTLS command first`.",
			RFC:    "RFC 4954 §4",
			Syntax: "AUTH SP mechanism [SP initial-response] CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "ETRN",
			Summary: "Ask a server to start sending mail queued for a domain",
			Explain: "Used by a site that is not always online: it connects to its backup server and says " +
				"`ETRN example.com`; the backup then opens a *new* connection back and delivers the queued mail. " +
				"Answers are 250 (queuing started), 251/252/253 (variations), 458/459 (cannot start now).",
			RFC:    "RFC 1985 §5",
			Syntax: "ETRN SP [ \"@\" / \"#\" ] domain CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "ATRN",
			Summary: "Authenticated TURN: reverse the connection to receive queued mail",
			Explain: "On-Demand Mail Relay: after AUTH, the client says `ATRN domain` and the roles swap on the same " +
				"connection: the server becomes the client and delivers the mail it queued for that domain. Safe " +
				"replacement for TURN because the caller has proved who it is.",
			RFC:    "RFC 2645 §4",
			Syntax: "ATRN [SP domain *(\",\" domain)] CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "TURN",
			Summary: "Obsolete: swap client and server roles (insecure, never enabled)",
			Explain: "From RFC 821: asked the server to turn around and send its queued mail on the same connection. " +
				"Anyone could claim to be any domain, so it was abandoned; RFC 5321 no longer defines it and a " +
				"server answers 502. ATRN is its authenticated successor.",
			RFC:    "RFC 821 §3.8 (removed in RFC 5321 Appendix F.1)",
			Syntax: "TURN CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "SEND",
			Summary: "Obsolete RFC 821 command: deliver to a user's terminal",
			Explain: "Early SMTP could write a message straight onto a logged-in user's terminal. Nobody implements " +
				"it today; RFC 5321 lists it among removed features and servers answer 502.",
			RFC:    "RFC 821 §3.5 (removed in RFC 5321 Appendix F.6)",
			Syntax: "SEND FROM:<reverse-path> CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "SOML",
			Summary: "Obsolete RFC 821 command: send to terminal or mailbox",
			Explain: "\"Send Or MaiL\": terminal if the user is logged in, mailbox otherwise. Removed by RFC 5321; " +
				"servers answer 502.",
			RFC:    "RFC 821 §3.5 (removed in RFC 5321 Appendix F.6)",
			Syntax: "SOML FROM:<reverse-path> CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "SAML",
			Summary: "Obsolete RFC 821 command: send to terminal and mailbox",
			Explain: "\"Send And MaiL\": both to the terminal and to the mailbox. Removed by RFC 5321; servers answer 502. " +
				"(Unrelated to the SAML single-sign-on standard.)",
			RFC:    "RFC 821 §3.5 (removed in RFC 5321 Appendix F.6)",
			Syntax: "SAML FROM:<reverse-path> CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "XCLIENT",
			Summary: "Postfix extension: a trusted proxy passes the real client's details",
			Explain: "A front-end (a proxy or a test tool) tells Postfix who the *original* client was (`ADDR=`, " +
				"`NAME=`, `HELO=`, `LOGIN=` …) so access rules and logs use those instead of the proxy's address. " +
				"Only hosts listed in Postfix's `smtpd_authorized_xclient_hosts` may use it; others get 550 5.7.0. " +
				"After success the server sends a new 220 greeting and the client starts again with EHLO.",
			RFC:    "Postfix XCLIENT_README (not an RFC)",
			Syntax: "XCLIENT SP attribute=value *(SP attribute=value) CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "XFORWARD",
			Summary: "Postfix extension: pass the original client's details for logging",
			Explain: "Like XCLIENT but for logging only: a content filter hands a message back to Postfix and says " +
				"which client originally sent it (`ADDR=`, `NAME=`, `PROTO=`, `HELO=`, `SOURCE=`, `IDENT=`). Access " +
				"decisions are not changed. Allowed only from `smtpd_authorized_xforward_hosts`.",
			RFC:    "Postfix XFORWARD_README (not an RFC)",
			Syntax: "XFORWARD SP attribute=value *(SP attribute=value) CRLF",
			States: []string{smtpReady},
		},
		{
			Proto: wire.SMTP, Kind: Command, Key: "X-",
			Summary: "Private command (starts with X): a vendor extension, not a standard",
			Explain: "Commands beginning with `X` are reserved for local, private experiments (RFC 5321 §4.1.5). " +
				"Their meaning is defined only by the software that sends them (e.g. XCLIENT, XFORWARD in " +
				"Postfix, XEXCH50 in old Exchange). A server that does not know one answers 500 or 502.",
			RFC:    "RFC 5321 §4.1.5",
			Syntax: "X<name> [SP arguments] CRLF",
			States: []string{smtpAnyState},
		},
	}
}

// smtpKeywords are the EHLO keywords of the IANA "SMTP Service Extensions" registry.
func smtpKeywords() []Entry {
	kw := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.SMTP, Kind: Capability, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	return []Entry{
		kw("PIPELINING", "Client may send several commands without waiting for each reply", "RFC 2920 §3",
			"Normally the client waits for every reply. With PIPELINING it may send a group (MAIL, all RCPTs, "+
				"DATA) in one go and read the replies afterwards, in order. This saves a network round trip per "+
				"command, which matters on slow links. Commands that change the session (EHLO, DATA, QUIT, "+
				"STARTTLS, AUTH) must end a group."),
		kw("SIZE", "Server announces its maximum message size; MAIL may declare SIZE=", "RFC 1870 §4",
			"`SIZE 10485760` means the server accepts messages up to that many bytes (0 or no number means "+
				"no fixed limit announced). A client can declare the size in advance, `MAIL FROM:<a> SIZE=12345`, "+
				"so a too-big message is refused at once (552 5.3.4) instead of after uploading it all."),
		kw("8BITMIME", "Server accepts message text with 8-bit characters (BODY=8BITMIME)", "RFC 6152 §2",
			"Original SMTP was 7-bit ASCII only. With 8BITMIME a client may send text using bytes above 127 (e.g. "+
				"UTF-8 accented letters without encoding) if it says `BODY=8BITMIME` on MAIL. Lines must still "+
				"be short and end with CRLF; raw binary needs BINARYMIME."),
		kw("ENHANCEDSTATUSCODES", "Replies carry an extra code like 5.1.1 after the number", "RFC 2034 §4",
			"The server adds a three-part *enhanced status code* (RFC 3463) after the basic reply code, for example "+
				"`550 5.1.1 User unknown`. The basic code says success/temporary/permanent; the enhanced code says "+
				"precisely what happened (5.1.1 = no such mailbox, 5.7.1 = refused by policy)."),
		kw("SMTPUTF8", "Addresses and headers may use UTF-8 (internationalised email)", "RFC 6531 §3.1",
			"Allows non-ASCII characters in email addresses (`名前@例え.jp`) and headers. The client adds `SMTPUTF8` "+
				"to MAIL to say this message needs it. A server that cannot take a non-ASCII address refuses it with "+
				"5.6.7 (`553` to RCPT, `550` to MAIL); a message whose UTF-8 header fields a recipient's server "+
				"cannot take is refused after DATA with `554 5.6.9` (RFC 6531 §3.5)."),
		kw("UTF8SMTP", "Obsolete experimental name of SMTPUTF8", "RFC 5336 (obsoleted by RFC 6531)",
			"The experimental version of internationalised email. Replaced by SMTPUTF8; seen only on old servers."),
		kw("STARTTLS", "Server can switch the connection to TLS encryption", "RFC 3207 §4",
			"The client may send STARTTLS to encrypt the session. Note that this is opportunistic: a network attacker "+
				"can strip this line (\"STARTTLS stripping\"), which is why MTA-STS and DANE exist and why "+
				"submission clients should insist on TLS."),
		kw("AUTH", "Server accepts login; lists the SASL mechanisms it supports", "RFC 4954 §3",
			"`AUTH PLAIN LOGIN` lists the login methods the client may use with the AUTH command. Submission "+
				"servers today list AUTH only after STARTTLS (RFC 8314), so an unencrypted EHLO with STARTTLS and "+
				"no AUTH is normal on port 587: switch to TLS, say EHLO again, and AUTH appears. "+
				"Some old servers also send the non-standard form `AUTH=LOGIN PLAIN` for very old Outlook versions."),
		kw("AUTH=", "Non-standard early form of the AUTH keyword (for old Outlook)", "RFC 4954 §3 (pre-standard form)",
			"`AUTH=LOGIN PLAIN` with an equals sign is what drafts before RFC 2554 used; some servers still send it "+
				"next to the proper `AUTH` line so that very old clients find it. It means the same thing."),
		kw("CHUNKING", "Server accepts BDAT, sending the message in sized chunks", "RFC 3030 §2",
			"The client may use `BDAT n [LAST]` instead of DATA: each chunk is exactly n bytes, with no dot-stuffing "+
				"and no end-of-data dot. Faster for big messages and needed for BINARYMIME."),
		kw("BINARYMIME", "Server accepts raw binary message bodies (with BDAT only)", "RFC 3030 §3",
			"With `BODY=BINARYMIME` on MAIL the message may contain arbitrary bytes, even NUL or bare line feeds, "+
				"so attachments need no base64 encoding. Requires CHUNKING because DATA cannot carry binary."),
		kw("DSN", "Server supports delivery status notifications (NOTIFY=, RET=, ENVID=, ORCPT=)", "RFC 3461 §4",
			"The client may ask for delivery reports: `NOTIFY=SUCCESS,FAILURE,DELAY` or `NEVER` on RCPT, "+
				"`RET=FULL|HDRS` and `ENVID=` on MAIL, `ORCPT=` to keep the original recipient address. This is how "+
				"\"delivery receipts\" work at the server level."),
		kw("DELIVERBY", "Client may ask for delivery within a deadline (BY= on MAIL)", "RFC 2852 §4",
			"`DELIVERBY 600` says the server honours `BY=<seconds>;R|N` on MAIL: deliver within the time, or Return "+
				"the message (R) or just Notify (N) when the deadline passes."),
		kw("ETRN", "Server accepts ETRN to start delivery of a queue for a domain", "RFC 1985 §5",
			"Lets an intermittently connected site ask this server to flush the mail it holds for that site's domain."),
		kw("ATRN", "Server accepts ATRN (authenticated turn-around, On-Demand Mail Relay)", "RFC 2645 §4",
			"After AUTH the client may reverse roles on the same connection to receive its queued mail."),
		kw("VRFY", "Server says it supports VRFY (address verification)", "RFC 5321 §4.1.1.6",
			"Listed by some servers; even then VRFY usually returns 252 (cannot verify) to avoid leaking user names."),
		kw("EXPN", "Server says it supports EXPN (mailing-list expansion)", "RFC 5321 §4.1.1.7",
			"Rarely offered today because it reveals list members."),
		kw("HELP", "Server supports HELP", "RFC 5321 §4.1.1.8",
			"The HELP command returns human-readable text (214). Informational only."),
		kw("TURN", "Server supports TURN (obsolete, insecure role reversal)", "RFC 821 §3.8",
			"Registered for historical reasons; a modern server should never offer it."),
		kw("SEND", "Server supports SEND (obsolete, deliver to terminal)", "RFC 821 §3.5",
			"Historical keyword; not offered by current servers."),
		kw("SOML", "Server supports SOML (obsolete)", "RFC 821 §3.5",
			"Historical keyword; not offered by current servers."),
		kw("SAML", "Server supports SAML (obsolete)", "RFC 821 §3.5",
			"Historical keyword; not offered by current servers."),
		kw("REQUIRETLS", "Client may demand TLS for every hop of this message", "RFC 8689 §4",
			"With `REQUIRETLS` on MAIL, every server on the path must use verified TLS to pass the message on, or "+
				"return it (5.7.30). Protects sensitive mail against downgrade attacks."),
		kw("MT-PRIORITY", "Client may give the message a priority (MT-PRIORITY= on MAIL)", "RFC 6710 §3",
			"Priorities from -9 to 9 for special networks (e.g. emergency services); the keyword names the policy "+
				"in use (`MIXER`, `STANAG4406`, `NSEP`)."),
		kw("MTRK", "Server supports message tracking requests", "RFC 3885 §3",
			"Extends DSN so a sender can later query where a message is (Message Tracking, `MTRK` on MAIL)."),
		kw("FUTURERELEASE", "Client may ask the server to hold a message until later", "RFC 4865 §3",
			"`MAIL FROM:<a> HOLDFOR=3600` or `HOLDUNTIL=<date>`: the server keeps the message and releases it at "+
				"the given time (scheduled sending). The keyword gives the maximum interval and latest date."),
		kw("LIMITS", "Server announces its limits (recipients, transactions …) up front", "RFC 9422 §3",
			"For example `LIMITS RCPTMAX=100 MAILMAX=1000`: the client can split its work to fit instead of "+
				"discovering the limits through 452/4.5.3 errors."),
		kw("CHECKPOINT", "Server can resume an interrupted transfer", "RFC 1845 §3",
			"Experimental: a client that lost the connection mid-DATA can resume from a checkpoint."),
		kw("NO-SOLICITING", "Server states it refuses solicitations matching given keywords", "RFC 3865 §3",
			"Lists \"solicitation class keywords\"; mail tagged with them is refused. Rare."),
		kw("BURL", "Server can fetch the message body from an IMAP URL", "RFC 4468 §3",
			"Used in Lemonade: the client points at a message already on its IMAP server (URLAUTH) instead of "+
				"uploading it again."),
		kw("CONPERM", "Server supports content conversion permission", "RFC 4141 §4",
			"Lets the sender say whether the content may be converted along the way."),
		kw("CONNEG", "Server supports content negotiation", "RFC 4141 §5",
			"Lets the receiver report the content formats it can accept (mostly for Internet fax)."),
		kw("RRVS", "Server supports Require-Recipient-Valid-Since", "RFC 7293 §3",
			"`RRVS=<date>` on RCPT: deliver only if the mailbox has belonged to the same owner since that date, "+
				"so mail does not reach someone who got a recycled address."),
		kw("XCLIENT", "Postfix: trusted client may pass original client attributes", "Postfix XCLIENT_README",
			"The keyword lists the attributes the server will accept in XCLIENT (ADDR NAME HELO …)."),
		kw("XFORWARD", "Postfix: trusted client may pass original client details for logs", "Postfix XFORWARD_README",
			"The keyword lists the attributes the server will accept in XFORWARD."),
	}
}

// smtpParameters are the MAIL FROM and RCPT TO parameters of the common extensions.
func smtpParameters() []Entry {
	param := func(key, summary, rfc, syntax, explain string) Entry {
		return Entry{Proto: wire.SMTP, Kind: Parameter, Key: key, Summary: summary, RFC: rfc, Syntax: syntax, Explain: explain}
	}
	return []Entry{
		param("SIZE", "MAIL parameter: the client's estimate of the message size in bytes", "RFC 1870 §6",
			"MAIL FROM:<a> SIZE=<bytes>",
			"Lets the server refuse a message that is too big before it is uploaded (552 5.3.4), or one it has no "+
				"room for right now (452 4.3.1)."),
		param("BODY", "MAIL parameter: the body type, 7BIT, 8BITMIME or BINARYMIME", "RFC 6152 §2; RFC 3030 §3",
			"MAIL FROM:<a> BODY=7BIT|8BITMIME|BINARYMIME",
			"`7BIT` is plain ASCII (the default). `8BITMIME` means text may contain bytes above 127 (needs the "+
				"8BITMIME keyword). `BINARYMIME` means arbitrary binary (needs BINARYMIME and BDAT)."),
		param("SMTPUTF8", "MAIL parameter: this message uses UTF-8 addresses or headers", "RFC 6531 §3.4",
			"MAIL FROM:<a> SMTPUTF8",
			"Tells every server on the way that the message needs internationalised email support. A message "+
				"that cannot go on must be refused or bounced, never mangled (RFC 6531 §3.5): 5.6.7 when an "+
				"address is non-ASCII (`553` to RCPT, `550` to MAIL), 5.6.9 when UTF-8 header fields cannot be "+
				"passed on (`554` after DATA)."),
		param("RET", "MAIL parameter (DSN): return the FULL message or only HDRS in a bounce", "RFC 3461 §4.3",
			"MAIL FROM:<a> RET=FULL|HDRS", "Controls how much of the original message a failure report carries."),
		param("ENVID", "MAIL parameter (DSN): the sender's own ID for this message", "RFC 3461 §4.4",
			"MAIL FROM:<a> ENVID=<xtext>",
			"An identifier chosen by the sender that comes back in every delivery report, so the sender can match "+
				"reports to messages."),
		param("NOTIFY", "RCPT parameter (DSN): when to send a delivery report", "RFC 3461 §4.1",
			"RCPT TO:<b> NOTIFY=NEVER|SUCCESS,FAILURE,DELAY",
			"`SUCCESS` asks for a report when delivered, `FAILURE` when it bounces, `DELAY` when it is stuck, "+
				"`NEVER` for no report at all. Without it servers report failures only."),
		param("ORCPT", "RCPT parameter (DSN): the recipient address as originally given", "RFC 3461 §4.2",
			"RCPT TO:<b> ORCPT=rfc822;<address>",
			"Keeps the original address when forwarding or aliasing rewrites the recipient, so the report names "+
				"the address the sender actually used."),
		param("AUTH", "MAIL parameter: the authenticated identity that submitted the message", "RFC 4954 §5",
			"MAIL FROM:<a> AUTH=<addr>|<>",
			"Passes on who originally authenticated (xtext-encoded), or `<>` if unknown. A server that does not "+
				"trust the client treats it as `<>`. Not the same as the AUTH command."),
		param("REQUIRETLS", "MAIL parameter: every hop must use verified TLS", "RFC 8689 §4.1",
			"MAIL FROM:<a> REQUIRETLS",
			"If a later server cannot be reached over verified TLS the message is returned (5.7.30) instead of "+
				"being sent in clear."),
		param("MT-PRIORITY", "MAIL parameter: message priority from -9 to 9", "RFC 6710 §3.2",
			"MAIL FROM:<a> MT-PRIORITY=<-9..9>",
			"Higher numbers are handled first by servers that support it; a server may lower a priority the "+
				"sender is not allowed to use (2.3.6)."),
		param("HOLDFOR", "MAIL parameter (FUTURERELEASE): hold the message this many seconds", "RFC 4865 §3",
			"MAIL FROM:<a> HOLDFOR=<seconds>", "Scheduled sending: the server releases the message after the delay."),
		param("HOLDUNTIL", "MAIL parameter (FUTURERELEASE): hold the message until this date", "RFC 4865 §3",
			"MAIL FROM:<a> HOLDUNTIL=<date-time>", "Scheduled sending: the server releases the message at that time."),
		param("BY", "MAIL parameter (DELIVERBY): deliver within N seconds or return/notify", "RFC 2852 §4",
			"MAIL FROM:<a> BY=<seconds>;R|N[T]",
			"`R` returns the message if the deadline is missed, `N` only notifies; `T` asks for a trace report."),
		param("MTRK", "MAIL parameter: enable message tracking for this message", "RFC 3885 §4",
			"MAIL FROM:<a> MTRK=<authenticator>[:<timeout>]",
			"Lets the sender later ask servers where the message is."),
		param("RRVS", "RCPT parameter: deliver only if the mailbox owner has not changed since", "RFC 7293 §3.1",
			"RCPT TO:<b> RRVS=<date-time>[;C|R]",
			"Protects against recycled addresses: if the account changed owner after the date, refuse (5.7.17)."),
	}
}

// saslMechanisms are the SASL mechanisms seen after AUTH (SMTP, POP3) and
// AUTHENTICATE (IMAP). They are filed under SMTP, where learners meet them
// first; Explain finds them from any protocol.
func saslMechanisms() []Entry {
	mech := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.SMTP, Kind: Mechanism, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	return []Entry{
		mech("PLAIN", "User name and password in one base64 line (needs TLS)", "RFC 4616 §2",
			"The client sends `authzid NUL authcid NUL password`, base64-encoded, either right after `AUTH PLAIN` "+
				"or after an empty `334` prompt. Anyone who sees the line can decode the password (try it: base64 "+
				"is not encryption), so it must only be used inside TLS."),
		mech("LOGIN", "User name and password in two base64 prompts (old, needs TLS)", "draft-murchison-sasl-login-00",
			"Never standardised but universal because early Outlook used it. The server sends `334 VXNlcm5hbWU6` "+
				"(base64 of `Username:`), the client the base64 user name; then `334 UGFzc3dvcmQ6` (`Password:`) "+
				"and the base64 password. Same security as PLAIN: readable without TLS."),
		mech("CRAM-MD5", "Challenge-response: the password itself is never sent (obsolete)", "RFC 2195 §2",
			"The server sends a unique challenge; the client answers with its user name and an HMAC-MD5 of the "+
				"challenge keyed with the password. An eavesdropper cannot replay it, but the server must store the "+
				"password in clear and MD5 is weak; deprecated in favour of SCRAM or PLAIN over TLS."),
		mech("DIGEST-MD5", "Challenge-response based on HTTP Digest (historic)", "RFC 2831 (moved to Historic by RFC 6331)",
			"A complex challenge-response mechanism with known security problems; declared historic. Seen on "+
				"old servers only."),
		mech("XOAUTH2", "Google/Microsoft login with an OAuth 2.0 access token", "Google XOAUTH2 protocol documentation (not an RFC)",
			"Instead of a password the client sends `user=<addr>^Aauth=Bearer <token>^A^A` in base64, with a "+
				"token from the provider's sign-in page. Gmail prefers it but still takes an app password (with "+
				"2-Step Verification on) through PLAIN or LOGIN; Microsoft 365 needs it for IMAP and POP, where it "+
				"switched basic (password) authentication off tenant by tenant, and for SMTP where a tenant or "+
				"mailbox has SMTP AUTH with passwords off. A failure returns a base64 JSON error with a status code."),
		mech("OAUTHBEARER", "Standard login with an OAuth 2.0 bearer token", "RFC 7628 §3.1",
			"The standardised version of XOAUTH2: the client sends a GS2 header, `host=`, `port=` and "+
				"`auth=Bearer <token>`. On failure the server returns a JSON error and the client must send a dummy "+
				"response (`AQ==`) to finish the exchange."),
		mech("SCRAM-SHA-1", "Salted challenge-response; proves the password without sending it", "RFC 5802 §5",
			"Client and server exchange nonces and the server's salt; the client proves it knows the password "+
				"and the server proves it knows the stored key, so both sides are authenticated and the server need "+
				"not store the password itself. SHA-1 variant; prefer SCRAM-SHA-256."),
		mech("SCRAM-SHA-256", "SCRAM with SHA-256: the recommended password mechanism", "RFC 7677 §3",
			"Same exchange as SCRAM-SHA-1 (RFC 5802) with SHA-256. The `-PLUS` variants also bind the login to "+
				"the TLS channel, defeating man-in-the-middle relays."),
		mech("SCRAM-SHA-1-PLUS", "SCRAM-SHA-1 bound to the TLS channel", "RFC 5802 §6",
			"Adds TLS channel binding so a login cannot be relayed through another TLS connection."),
		mech("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256 bound to the TLS channel", "RFC 7677 §3",
			"Adds TLS channel binding so a login cannot be relayed through another TLS connection."),
		mech("EXTERNAL", "Use identity already established outside SASL (e.g. TLS client cert)", "RFC 4422 Appendix A",
			"The client asks to be logged in as the identity the server already knows from the layer below, "+
				"typically a TLS client certificate. No password is exchanged."),
		mech("ANONYMOUS", "Anonymous access; the client may send a trace string", "RFC 4505 §2",
			"For public services: no credentials, just an optional e-mail address or token for the logs."),
		mech("GSSAPI", "Kerberos single sign-on", "RFC 4752 §3",
			"Uses the Kerberos ticket of the logged-in user (common in Active Directory networks); no password is typed."),
		mech("NTLM", "Microsoft NTLM challenge-response (proprietary, legacy)", "Microsoft MS-SMTPX / MS-NLMP (not an RFC)",
			"Windows domain login used by Exchange. Weak by today's standards; being phased out."),
	}
}
