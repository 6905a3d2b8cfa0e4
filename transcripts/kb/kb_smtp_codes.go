package kb

import "github.com/mailtutor/mailtutor/simulator/wire"

// smtpReplyCodes are the basic reply codes of RFC 5321 §4.2.2–§4.2.3 and the
// AUTH replies of RFC 4954 §6. The first digit says how it went (2 done,
// 3 go on, 4 try later, 5 give up), the second the area (RFC 5321 §4.2.1).
func smtpReplyCodes() []Entry {
	return []Entry{
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "211",
			Summary: "System status or help reply",
			Explain: "Information about the server's status, given in answer to a request for it (rarely used).",
			RFC:     "RFC 5321 §4.2.2",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "214",
			Summary: "Help message for a human reader",
			Explain: "The answer to HELP: free text about how to use the server or a command. Not meant for programs.",
			RFC:     "RFC 5321 §4.2.2",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "220",
			Summary: "Service ready: the server's greeting (or: go ahead with TLS)",
			Explain: "The first line of every SMTP session: the server names itself and invites the client to start " +
				"(with EHLO). The same code answers STARTTLS, meaning \"start the TLS handshake now\".",
			RFC: "RFC 5321 §4.2.2; RFC 3207 §4",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "221",
			Summary: "Service closing: goodbye, the server hangs up",
			Explain: "The answer to QUIT. After it the server closes the connection; this is a normal, clean end.",
			RFC:     "RFC 5321 §4.2.2",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "235",
			Summary: "Authentication succeeded: the client is logged in",
			Explain: "AUTH worked (usually `235 2.7.0`). From now on the server knows who the client is and will " +
				"normally relay its mail to any domain.",
			RFC:    "RFC 4954 §6",
			Client: "Nothing visible: the app simply goes on sending.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "250",
			Summary: "Requested action okay, completed",
			Explain: "The all-purpose \"done\". After EHLO it carries the extension list; after MAIL and RCPT it " +
				"means that sender or recipient is accepted; after the final `.` of DATA it is the important one: " +
				"the server has **taken responsibility** for the message (it must deliver it or send a bounce). " +
				"It does not mean the message reached the inbox yet, and it says nothing about spam folders.",
			RFC:    "RFC 5321 §4.2.2",
			Client: "\"Message sent\"; the message moves to the Sent folder.",
			Check:  "A 250 after DATA proves the server accepted it; for \"never arrived\" cases look next at the receiving side (spam folder, filters, later bounces) and the queue ID in the 250 text.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "251",
			Summary: "User not local; the server will forward to another address",
			Explain: "Answer to RCPT: the recipient is accepted but lives elsewhere and the server will forward the " +
				"message to the path given in the text. The client does not have to do anything different.",
			RFC:    "RFC 5321 §4.2.2; §3.4",
			Client: "Nothing visible: the message is sent.",
			Check:  "The mail is being forwarded; if it goes missing, check the forwarding target named in the reply.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "252",
			Summary: "Cannot verify the user, but will accept the message and try",
			Explain: "The usual answer to VRFY on a server that does not reveal which users exist (RFC 5321 §3.5.3). " +
				"It is not an error: it just means \"I will not tell you\".",
			RFC: "RFC 5321 §4.2.2; §3.5.3",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "334",
			Summary: "AUTH challenge: send the next base64 line",
			Explain: "During AUTH the server sends a base64 challenge after `334 ` (possibly empty) and waits for the " +
				"client's base64 answer on a line of its own. With LOGIN the challenges decode to `Username:` " +
				"and `Password:`. A `*` from the client cancels the exchange (501).",
			RFC: "RFC 4954 §4",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "354",
			Summary: "Start mail input; end with <CRLF>.<CRLF>",
			Explain: "The answer to DATA: the server is now reading the message. Everything the client sends is " +
				"message text until a line containing only a dot. Nothing is accepted yet: the real verdict is " +
				"the reply after that dot.",
			RFC: "RFC 5321 §4.2.2; §4.1.1.4",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "421",
			Summary: "Service not available, closing the connection (try again later)",
			Explain: "The server is shutting this session down: overloaded, too many connections from your address, " +
				"a timeout, or going down for maintenance. It may come at any time, even as the greeting. It is " +
				"temporary: a mail server retries later; a mail app shows an error and the user can retry.",
			RFC:    "RFC 5321 §4.2.2; §3.8",
			Client: "\"The connection to the server was lost\" / \"Server unavailable, try again later\". Outlook keeps the message in its Outbox and sends it again later; Thunderbird shows the error and leaves the message in its compose window, to send again by hand.",
			Check:  "Retry in a few minutes. If it persists: too many simultaneous connections from the same network (office NAT), rate limits, or the client's IP is on a block list. Check the text after 421.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "432",
			Summary: "A password transition is needed (AUTH)",
			Explain: "Sent as `432 4.7.12` after AUTH: the user must change or set up their password by another means " +
				"(e.g. webmail) before this mechanism will work.",
			RFC:    "RFC 4954 §6",
			Client: "Login fails with a message asking to change the password.",
			Check:  "Have the user sign in to webmail or the account portal and complete the password change.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "450",
			Summary: "Mailbox unavailable right now (busy, or greylisting); try later",
			Explain: "Temporary refusal, usually to RCPT: the mailbox is locked or busy, or — very commonly — the " +
				"server is **greylisting**: it refuses the first attempt from an unknown sender and accepts when " +
				"the sending server tries again later, from its queue on a new connection, after the greylister's " +
				"minimum delay (spam software often does not retry). A real mail server keeps the message and " +
				"retries (RFC 5321 §4.5.4.1); nothing is lost.",
			RFC:    "RFC 5321 §4.2.2; §4.5.4.1",
			Client: "Usually nothing: the sender's server retries. The sender may get a \"delayed\" warning after hours.",
			Check:  "Wait for the retry (greylisting delays are typically 5–30 minutes). If it lasts hours, check the text (4.2.1, 4.7.1 …) for the real reason.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "451",
			Summary: "Local error in processing; action aborted, try later",
			Explain: "Something went wrong on the server's side (a database or DNS lookup failed, a content scanner " +
				"timed out, or greylisting on some servers). The command did nothing and can be retried later.",
			RFC:    "RFC 5321 §4.2.2",
			Client: "\"Temporary error, try again later\". Outlook keeps the message in its Outbox; Thunderbird shows the error and leaves the message in its compose window.",
			Check:  "The fault is on the server: retry later; if it persists, the server's administrator must look at its logs.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "452",
			Summary: "Insufficient system storage, or too many recipients; try later",
			Explain: "Temporary: the server is out of disk space (4.3.1) or the recipient's mailbox is over quota " +
				"(4.2.2), or — after RCPT — this transaction has reached the recipient limit (4.5.3): the client " +
				"should send the rest of the recipients in another transaction (RFC 5321 §4.5.3.1.10).",
			RFC:    "RFC 5321 §4.2.2; §4.5.3.1.10",
			Client: "\"The server is out of space\" or a delay notice; with many recipients, some are sent later.",
			Check:  "Look at the enhanced code: 4.2.2 recipient's mailbox full (they must clean up), 4.3.1 server disk full (admin), 4.5.3 too many recipients (split the list).",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "454",
			Summary: "Not now: TLS or login unavailable; or (Postfix) relay access denied",
			Explain: "After STARTTLS: the server cannot start TLS at the moment (`454 4.7.0 TLS not available`). After " +
				"AUTH: a temporary problem checking the credentials, e.g. the password database is down " +
				"(`454 4.7.0`); the password is not necessarily wrong. After RCPT: Postfix's relay refusal, " +
				"`454 4.7.1 <x@gmail.com>: Relay access denied` (its default `defer_unauth_destination`): a client " +
				"that has not logged in asked for a recipient outside the server's own domains. That one is no TLS " +
				"or password problem and does not go away by retrying: the mail program must log in on the " +
				"submission port (587, STARTTLS, AUTH) to send to other domains.",
			RFC:    "RFC 3207 §4; RFC 4954 §6; RFC 5321 §4.2.2",
			Client: "\"Cannot connect securely\", \"Login failed, try again later\", or \"Relay access denied\" when sending to an outside address.",
			Check:  "Read the text. Relay access denied: set the outgoing server to port 587 with STARTTLS and authentication. Otherwise a server-side problem (certificate, authentication back end), not the user's password; escalate if it persists.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "455",
			Summary: "Server unable to accommodate the parameters (for now)",
			Explain: "MAIL or RCPT carried an extension parameter the server recognises but cannot honour right now. " +
				"Temporary; the same parameters may work later.",
			RFC: "RFC 5321 §4.2.2",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "500",
			Summary: "Syntax error, command unrecognised (or line too long)",
			Explain: "The server does not know the command at all, e.g. a typo (`HELLO`), a command from another " +
				"protocol, or a line longer than 512 bytes. Also used by RFC 4954 (`500 5.5.6`) when an AUTH answer " +
				"line is too long. Nothing happened and nothing bounces: the server refused that one line, the session " +
				"goes on, and the client may send the corrected command.",
			RFC:    "RFC 5321 §4.2.2; §4.5.3.1.4",
			Client: "Rare in apps; indicates a client/server mismatch.",
			Check:  "Check the command spelling, and that the client speaks SMTP to an SMTP port (not POP3/IMAP or TLS to a plain port).",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "501",
			Summary: "Syntax error in parameters or arguments",
			Explain: "The command is known but its argument is malformed: `MAIL FROM: bob` without angle brackets, " +
				"an invalid address, bad base64 in AUTH, or a `*` cancelling AUTH. Fix the argument and try again.",
			RFC:    "RFC 5321 §4.2.2",
			Client: "\"Invalid address\" for a badly typed recipient or sender.",
			Check:  "Look for typos in the addresses (spaces, missing @, commas, non-ASCII characters).",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "502",
			Summary: "Command not implemented",
			Explain: "The server knows of the command but does not offer it (VRFY, EXPN, TURN are often disabled). " +
				"Some software (go-smtp) also answers 502 for commands in the wrong order, where RFC 5321 says 503.",
			RFC:    "RFC 5321 §4.2.2; §4.2.4",
			Client: "Rare in apps; \"command not implemented\" when a feature (VRFY, an old AUTH method) is off.",
			Check:  "The server does not offer that feature; use what EHLO lists.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "503",
			Summary: "Bad sequence of commands",
			Explain: "The command is valid but not now: RCPT before MAIL, DATA before any accepted RCPT, MAIL twice, " +
				"AUTH when already logged in, or MAIL before EHLO. The order is fixed: EHLO, MAIL, RCPT…, DATA " +
				"(RFC 5321 §4.1.4). Some servers also say 503 for \"authentication required\".",
			RFC:    "RFC 5321 §4.2.2; §4.1.4",
			Client: "Rare; when all recipients were refused, the app may report 503 on DATA.",
			Check:  "Look at the reply to the earlier command: usually a RCPT was refused, so DATA had no recipient.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "504",
			Summary: "Command parameter not implemented (e.g. unknown AUTH mechanism)",
			Explain: "The command is fine but this parameter value is not supported, typically `AUTH CRAM-MD5` on a " +
				"server that offers only PLAIN and LOGIN (`504 5.5.4`).",
			RFC:    "RFC 5321 §4.2.2",
			Client: "\"The server does not support the selected authentication method\".",
			Check:  "In the account settings choose an authentication method the server lists in EHLO (usually \"normal password\" over TLS).",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "530",
			Summary: "Authentication required (or: must issue STARTTLS first)",
			Explain: "The server will not accept this command, usually MAIL, until the client logs in " +
				"(`530 5.7.0 Authentication required`), or until it switches to TLS (`530 5.7.0 Must issue a " +
				"STARTTLS command first`). Typical on the submission port 587.",
			RFC:    "RFC 4954 §6; RFC 3207 §4",
			Client: "\"Sending failed: authentication required\" / \"SMTP server requires authentication\".",
			Check:  "In the outgoing (SMTP) server settings turn on \"requires authentication\" (same user as incoming) and STARTTLS/SSL.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "534",
			Summary: "Authentication mechanism is too weak",
			Explain: "`534 5.7.9`: the server refuses this mechanism under its policy (e.g. PLAIN without TLS, or " +
				"a password login where the provider requires OAuth2 or an app password).",
			RFC:    "RFC 4954 §6",
			Client: "Login fails; Gmail says \"Please log in via your web browser\" or asks for an app password.",
			Check:  "Use TLS, an app password, or an OAuth2-capable client, as the provider requires.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "535",
			Summary: "Authentication credentials invalid (wrong user or password)",
			Explain: "`535 5.7.8`: AUTH failed because the user name or password is wrong, the account is locked, " +
				"or the provider does not accept the account's own password: Gmail takes an app password (with " +
				"2-Step Verification on) or OAuth2; Microsoft 365 switched password (basic) authentication off " +
				"tenant by tenant, and SMTP AUTH is on or off per tenant and per mailbox. After a few failures servers slow down their answers (mailtutor waits 1 s after the " +
				"fourth failure on a connection, then 2, 4, up to 8 s), which makes guessing passwords slow.",
			RFC:    "RFC 4954 §6",
			Client: "Password prompt pops up again: \"Login to server smtp… failed\".",
			Check:  "User name is usually the full address; re-type the password; check caps lock, account lock-out, and whether the provider requires an app password or modern (OAuth) sign-in.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "538",
			Summary: "Encryption required for the requested authentication mechanism",
			Explain: "`538 5.7.11`: this mechanism (e.g. PLAIN, LOGIN) is only allowed inside TLS. Issue STARTTLS " +
				"first, or use the implicit-TLS port 465.",
			RFC:    "RFC 4954 §6",
			Client: "\"Login failed\" or \"server requires a secure connection\".",
			Check:  "Set connection security to STARTTLS (port 587) or SSL/TLS (port 465).",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "550",
			Summary: "Requested action not taken: mailbox unavailable or refused by policy",
			Explain: "Permanent refusal, most often to RCPT. The enhanced code tells which: `5.1.1` no such user " +
				"(typo in the address), `5.7.1` refused by policy (relaying denied because the client is not " +
				"logged in, or the sender is blocked as spam, SPF/DMARC failure), `5.2.1` mailbox disabled. " +
				"The sender gets a bounce; retrying the same thing will not help.",
			RFC:    "RFC 5321 §4.2.2",
			Client: "A bounce message \"Undeliverable\" / \"Delivery Status Notification (Failure)\" quoting 550.",
			Check:  "Read the enhanced code and text. 5.1.1: check the recipient's spelling. 5.7.1 relaying denied: the app must authenticate to its outgoing server. 5.7.x policy/spam: check SPF/DKIM/DMARC and block lists of the sending domain.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "551",
			Summary: "User not local; please try the forward-path given",
			Explain: "The recipient is not here, but the server knows where they went and names the address in the " +
				"text; it refuses to forward itself. The sender should resend to the new address.",
			RFC:    "RFC 5321 §4.2.2; §3.4",
			Client: "Bounce stating the user has moved, with a new address.",
			Check:  "Update the contact to the new address given in the bounce.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "552",
			Summary: "Exceeded storage allocation: message too big or mailbox full",
			Explain: "The message is larger than the server accepts (`552 5.3.4`, compare with the SIZE announced in " +
				"EHLO) or the recipient's mailbox is over quota (`552 5.2.2`; RFC 3463 §3.3 would have a full mailbox " +
				"be temporary, `452 4.2.2`, as mailtutor answers, so that the sender retries). After RCPT, older servers (following RFC 821) said 552 for \"too many " +
				"recipients\": RFC 5321 §4.5.3.1.10 makes that 452 and tells clients to treat such a 552 as " +
				"temporary, sending the remaining recipients in another transaction, not bouncing them.",
			RFC:    "RFC 5321 §4.2.2; §4.5.3.1.10",
			Client: "Bounce: \"message size exceeds fixed maximum\" or \"mailbox full\".",
			Check:  "5.3.4: attachments too large; send a link instead, or compress. 5.2.2: the recipient must empty their mailbox.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "553",
			Summary: "Mailbox name not allowed (bad address syntax or sender not permitted)",
			Explain: "The address itself is unacceptable: invalid syntax, non-ASCII without SMTPUTF8 (5.6.7), or a " +
				"sender address the logged-in user may not use (`553 5.7.1 Sender address rejected: not owned " +
				"by user`).",
			RFC:    "RFC 5321 §4.2.2",
			Client: "\"Sender address rejected\" or \"invalid recipient\".",
			Check:  "Check the From address matches the account that is logged in (aliases may need to be allowed), and look for typos in recipient addresses.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "554",
			Summary: "Transaction failed (or, as a greeting: no SMTP service here)",
			Explain: "A permanent failure without a more precise code: as the greeting it means \"I will not talk to " +
				"you\" (blocked IP); after RCPT it often means relay denied; after DATA the content was refused " +
				"(spam or virus detected, policy). The enhanced code and text say which.",
			RFC:    "RFC 5321 §4.2.2; §3.1",
			Client: "Bounce with 554, often \"message rejected as spam\" or \"blocked\".",
			Check:  "Look up the sending IP on block lists named in the text; check the content (links, attachments) and the domain's SPF/DKIM/DMARC.",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "555",
			Summary: "MAIL FROM/RCPT TO parameters not recognised or not implemented",
			Explain: "The client used an extension parameter (e.g. `SIZE=` or `BODY=8BITMIME`) that the server does " +
				"not know, usually because the client did not check the EHLO list or fell back to HELO.",
			RFC: "RFC 5321 §4.2.2",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "521",
			Summary: "This host does not accept mail at all",
			Explain: "Sent as the greeting (or to any command) by a server that never accepts mail, so senders " +
				"give up at once instead of retrying for days.",
			RFC: "RFC 7504 §3",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "556",
			Summary: "Domain does not accept mail (null MX)",
			Explain: "The recipient's domain publishes a null MX record saying it receives no email " +
				"(`556 5.1.10`). The address cannot work; check it for typos.",
			RFC:    "RFC 7504 §3; RFC 7505 §4.1",
			Client: "Immediate bounce: \"domain does not accept mail\".",
			Check:  "The domain part of the address is probably wrong or the domain is not used for email.",
		},
		// Codes used by ETRN (RFC 1985 §5), seen in logs of store-and-forward sites.
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "253",
			Summary: "ETRN: OK, pending messages for the node are being started",
			Explain: "The server has some messages queued for the domain and starts delivering them.",
			RFC:     "RFC 1985 §5",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "458",
			Summary: "ETRN: unable to queue messages for the node",
			Explain: "The server cannot start delivery for that domain at the moment.",
			RFC:     "RFC 1985 §5",
		},
		{
			Proto: wire.SMTP, Kind: ReplyCode, Key: "459",
			Summary: "ETRN: node not allowed",
			Explain: "The server does not keep mail for that domain, or will not do ETRN for it.",
			RFC:     "RFC 1985 §5",
		},
	}
}
