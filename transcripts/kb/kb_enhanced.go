package kb

import "github.com/mailtutor/mailtutor/simulator/wire"

// enhancedCodes are the SMTP enhanced status codes (RFC 3463 and the IANA
// "SMTP Enhanced Status Codes" registry, RFC 5248). The registry lists them by
// subject.detail with the class left open ("X.7.1"); LookupEnhanced re-words
// such an entry for a concrete class. Codes that users meet every day also get
// an exact entry ("5.7.1") written for that class.
func enhancedCodes() []Entry {
	x := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.SMTP, Kind: EnhancedCode, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	withHelp := func(e Entry, client, check string) Entry {
		e.Client, e.Check = client, check
		return e
	}
	return []Entry{
		// Classes and subjects (RFC 3463 §2, §3.1).
		x("2.0.0", "Success, nothing more specific to say", "RFC 3463 §2; §3.1 (X.0.0)",
			"The most common success code: `250 2.0.0 Ok: queued as 4F2A1…` after DATA means the server accepted "+
				"the message and queued it for delivery. The text often carries the queue ID, useful for tracing."),
		x("X.0.0", "Other or undefined status", "RFC 3463 §3.1 (X.0.0)",
			"No more specific code applies. Read the human text of the reply for the reason; servers use it when "+
				"they have nothing better (e.g. `554 5.0.0` for a generic refusal)."),

		// X.1 Addressing status (RFC 3463 §3.2).
		x("X.1.0", "Other address status", "RFC 3463 §3.2 (X.1.0)",
			"Something is wrong with an address (sender or recipient) that none of the specific codes describe."),
		withHelp(x("X.1.1", "Bad destination mailbox address: no such user here", "RFC 3463 §3.2 (X.1.1)",
			"The part before the @ does not exist at the destination: typically a typo, or someone who left the "+
				"organisation. The domain itself is fine (its server answered)."),
			"Bounce: \"The email account that you tried to reach does not exist\" / \"User unknown\".",
			"Check the spelling of the recipient's address, character by character; ask the recipient for the current one."),
		x("X.1.2", "Bad destination system address: that domain does not take mail", "RFC 3463 §3.2 (X.1.2)",
			"The part after the @ is wrong: the domain does not exist, has no mail server, or this server does not "+
				"accept mail for it. Often a misspelt domain (`gmial.com`)."),
		x("X.1.3", "Bad destination mailbox address syntax", "RFC 3463 §3.2 (X.1.3)",
			"The recipient address is not a valid address at all (spaces, two @, missing brackets)."),
		x("X.1.4", "Destination mailbox address ambiguous", "RFC 3463 §3.2 (X.1.4)",
			"The address matches several mailboxes at the destination, so the server cannot choose."),
		x("X.1.5", "Destination address valid", "RFC 3463 §3.2 (X.1.5)",
			"Success code for a recipient: `250 2.1.5 Ok` after RCPT means this recipient is accepted."),
		x("X.1.6", "Mailbox has moved, no forwarding address", "RFC 3463 §3.2 (X.1.6)",
			"The recipient used to be here but has left and no new address is known."),
		x("X.1.7", "Bad sender's mailbox address syntax", "RFC 3463 §3.2 (X.1.7)",
			"The MAIL FROM address is malformed, or (as many servers use it) the sender address is not acceptable."),
		x("X.1.8", "Bad sender's system address: sender domain not valid", "RFC 3463 §3.2 (X.1.8)",
			"The sender's domain does not exist in DNS or cannot receive replies, so the server refuses the mail: "+
				"bounces could not be returned."),
		x("X.1.9", "Message relayed to a non-compliant mailer", "RFC 3886 §3.3.2 (X.1.9)",
			"Success with a caveat: the message was passed to a system that cannot give delivery reports (DSN)."),
		x("X.1.10", "Recipient address has null MX: that domain accepts no mail", "RFC 7505 §3 (X.1.10)",
			"The recipient's domain publishes a \"null MX\" record (`MX 0 .`) saying it never receives email, so "+
				"delivery is impossible. Usually seen with reply code 556."),

		// X.2 Mailbox status (RFC 3463 §3.3).
		x("X.2.0", "Other or undefined mailbox status", "RFC 3463 §3.3 (X.2.0)",
			"The mailbox exists but something about it prevented delivery."),
		x("X.2.1", "Mailbox disabled, not accepting messages", "RFC 3463 §3.3 (X.2.1)",
			"The account exists but is switched off (suspended, closed, or blocked by the owner)."),
		withHelp(x("X.2.2", "Mailbox full (over quota)", "RFC 3463 §3.3 (X.2.2)",
			"The recipient's mailbox has used all its storage quota. RFC 3463 §3.3 says this code should be a "+
				"*persistent transient* failure, `452 4.2.2`: the recipient can make room, so the sender's server "+
				"keeps the message and retries for a while (a bounce comes only if the mailbox stays full). Some "+
				"servers answer `552 5.2.2` instead, and then the message bounces at once."),
			"Bounce or delay notice: \"mailbox full\" / \"recipient's mailbox is over quota\".",
			"Only the recipient can fix this (delete mail, empty Trash, buy storage). Tell the sender to try again later or reach them another way."),
		x("X.2.3", "Message length exceeds administrative limit", "RFC 3463 §3.3 (X.2.3)",
			"The message is bigger than this mailbox's (per-user) size limit."),
		x("X.2.4", "Mailing list expansion problem", "RFC 3463 §3.3 (X.2.4)",
			"The recipient is a mailing list and the list could not be expanded to its members."),

		// X.3 Mail system status (RFC 3463 §3.4).
		x("X.3.0", "Other or undefined mail system status", "RFC 3463 §3.4 (X.3.0)",
			"The receiving system has a problem not covered by the specific codes."),
		x("X.3.1", "Mail system full (disk space)", "RFC 3463 §3.4 (X.3.1)",
			"The server itself is out of storage, not just one mailbox. Usually temporary (`452 4.3.1`)."),
		x("X.3.2", "System not accepting network messages", "RFC 3463 §3.4 (X.3.2)",
			"The host does not accept mail right now, e.g. it is shutting down or in maintenance."),
		x("X.3.3", "System not capable of selected features", "RFC 3463 §3.4 (X.3.3)",
			"The message asks for a feature (an extension) that this system cannot provide."),
		withHelp(x("X.3.4", "Message too big for system", "RFC 3463 §3.4 (X.3.4)",
			"The message is larger than the server's limit for any message (the SIZE value in EHLO). Attachments "+
				"grow by about a third when encoded in base64, so a 20 MB file makes a ~27 MB message."),
			"Bounce: \"Message size exceeds fixed maximum message size\".",
			"Send large files as a share link, or split/compress them; compare the size to the SIZE limit in EHLO."),
		x("X.3.5", "System incorrectly configured", "RFC 3463 §3.4 (X.3.5)",
			"The server's own configuration is broken (e.g. it would loop mail to itself); only its admin can fix it."),
		x("X.3.6", "Requested priority was changed", "RFC 6710 §4 (X.3.6)",
			"With MT-PRIORITY: the message was accepted, but at a different priority than requested."),

		// X.4 Network and routing status (RFC 3463 §3.5).
		x("X.4.0", "Other or undefined network or routing status", "RFC 3463 §3.5 (X.4.0)",
			"A network or routing problem not covered by the specific codes."),
		x("X.4.1", "No answer from host", "RFC 3463 §3.5 (X.4.1)",
			"The destination server could not be reached: connection refused or timed out."),
		x("X.4.2", "Bad connection", "RFC 3463 §3.5 (X.4.2)",
			"A connection was made but broke or misbehaved during the exchange."),
		x("X.4.3", "Directory server failure (DNS)", "RFC 3463 §3.5 (X.4.3)",
			"Looking something up failed, typically DNS (MX records) or a user directory. Usually temporary."),
		x("X.4.4", "Unable to route", "RFC 3463 §3.5 (X.4.4)",
			"No route to the destination: the domain has no usable MX or address records."),
		x("X.4.5", "Mail system congestion", "RFC 3463 §3.5 (X.4.5)",
			"The system is overloaded; try later."),
		x("X.4.6", "Routing loop detected", "RFC 3463 §3.5 (X.4.6)",
			"The message has passed through too many servers (too many `Received:` headers), usually because "+
				"forwarding rules send it around in a circle."),
		x("X.4.7", "Delivery time expired", "RFC 3463 §3.5 (X.4.7)",
			"The sending server kept retrying a temporary failure until its limit (often 5 days) and gave up. "+
				"The bounce contains the last temporary error, which is the real cause. Seen as `550 4.4.7` (Microsoft "+
				"365's `QUEUE.Expired`): the 5xx reply says the message is given up for good, the class 4 says why, "+
				"a temporary condition that lasted too long (RFC 3463 §2)."),

		// X.5 Mail delivery protocol status (RFC 3463 §3.6).
		x("X.5.0", "Other or undefined protocol status", "RFC 3463 §3.6 (X.5.0)",
			"A protocol problem not covered by the specific codes."),
		x("X.5.1", "Invalid command", "RFC 3463 §3.6 (X.5.1)",
			"The command is not valid here: unknown, or (as go-smtp uses it) out of sequence."),
		x("X.5.2", "Syntax error", "RFC 3463 §3.6 (X.5.2)",
			"The command could not be parsed."),
		x("X.5.3", "Too many recipients", "RFC 3463 §3.6 (X.5.3)",
			"More recipients than the server allows in one message. As `452 4.5.3` the client should send the "+
				"remaining recipients in a new transaction."),
		x("X.5.4", "Invalid command arguments", "RFC 3463 §3.6 (X.5.4)",
			"The command is valid but an argument is not (e.g. an unsupported AUTH mechanism, `504 5.5.4`)."),
		x("X.5.5", "Wrong protocol version", "RFC 3463 §3.6 (X.5.5)",
			"The two sides speak incompatible protocol versions."),
		x("X.5.6", "Authentication exchange line is too long", "RFC 4954 §6 (X.5.6)",
			"A base64 line sent during AUTH was longer than the server accepts (`500 5.5.6`)."),

		// X.6 Message content or media status (RFC 3463 §3.7).
		x("X.6.0", "Other or undefined media error", "RFC 3463 §3.7 (X.6.0)",
			"Something in the message content caused a failure (often used for content-filter rejections)."),
		x("X.6.1", "Media not supported", "RFC 3463 §3.7 (X.6.1)",
			"The message contains a type of content the destination does not accept."),
		x("X.6.2", "Conversion required and prohibited", "RFC 3463 §3.7 (X.6.2)",
			"The content would have to be converted to be delivered, but the sender forbade conversion."),
		x("X.6.3", "Conversion required but not supported", "RFC 3463 §3.7 (X.6.3)",
			"The content would have to be converted (e.g. 8-bit to 7-bit) and this server cannot do it."),
		x("X.6.4", "Conversion with loss performed", "RFC 3463 §3.7 (X.6.4)",
			"Delivered, but converting the content lost some information."),
		x("X.6.5", "Conversion failed", "RFC 3463 §3.7 (X.6.5)",
			"A needed conversion of the content was attempted and failed."),
		x("X.6.6", "Message content not available", "RFC 4468 §5 (X.6.6)",
			"BURL: the server could not fetch the message body from the IMAP URL it was given."),
		x("X.6.7", "Non-ASCII address not permitted for that sender or recipient", "RFC 6531 §3.5 (X.6.7)",
			"An address contains non-ASCII characters but the message was not sent with SMTPUTF8, or the "+
				"destination cannot handle internationalised addresses: `553 5.6.7` to RCPT, `550 5.6.7` to MAIL."),
		x("X.6.8", "UTF-8 reply required, but the client does not allow it", "RFC 6531 §3.7.4.2 (X.6.8)",
			"The server would need to answer with UTF-8 text (e.g. a VRFY result) but the client did not enable SMTPUTF8."),
		x("X.6.9", "UTF-8 header message cannot be passed on; must be rejected", "RFC 6531 §3.5 (X.6.9)",
			"The message has UTF-8 header fields (it needs SMTPUTF8) and a recipient's server cannot take them, so "+
				"it cannot be delivered: `554 5.6.9` after the final dot of DATA. Non-ASCII *addresses* get 5.6.7 instead."),
		x("X.6.10", "Duplicate of X.6.8 (deprecated)", "RFC 6531 §4.2 (X.6.10; IANA marks it deprecated)",
			"Registered by mistake as a duplicate of X.6.8; treat it like X.6.8 (UTF-8 reply not permitted)."),

		// X.7 Security or policy status (RFC 3463 §3.8 and later RFCs).
		withHelp(x("X.7.0", "Other or undefined security status (often: authentication needed)", "RFC 3463 §3.8 (X.7.0); RFC 4954 §6",
			"A security or policy problem without a more specific code. RFC 4954 uses it for `530 5.7.0 "+
				"Authentication required` and `454 4.7.0 Temporary authentication failure`; many servers also say "+
				"`530 5.7.0 Must issue a STARTTLS command first`."),
			"\"Authentication required\" or \"secure connection required\" when sending.",
			"Turn on \"outgoing server requires authentication\" and STARTTLS/SSL in the account settings."),
		withHelp(x("X.7.1", "Delivery not authorized, message refused (policy)", "RFC 3463 §3.8 (X.7.1)",
			"The server refuses on purpose. The commonest reasons: **relaying denied** (the client sent to "+
				"another domain without logging in), the sender or its IP is on a block list, the message looks "+
				"like spam, or SPF/DMARC failed. As `4.7.1` it is a temporary policy refusal, very often greylisting."),
			"Bounce: \"Relay access denied\", \"Message rejected due to local policy\", \"Access denied\".",
			"Is the app authenticating to its outgoing server? Otherwise check the reply text for the block list or policy named, and the domain's SPF/DKIM/DMARC."),
		x("X.7.2", "Mailing list expansion prohibited", "RFC 3463 §3.8 (X.7.2)",
			"The sender is not allowed to post to this mailing list."),
		x("X.7.3", "Security conversion required but not possible", "RFC 3463 §3.8 (X.7.3)",
			"The message would need a security conversion (e.g. re-encryption) that cannot be done."),
		x("X.7.4", "Security features not supported", "RFC 3463 §3.8 (X.7.4)",
			"The message asks for security features the destination does not support."),
		x("X.7.5", "Cryptographic failure", "RFC 3463 §3.8 (X.7.5)",
			"A cryptographic operation (e.g. decrypting or checking a signature) failed."),
		x("X.7.6", "Cryptographic algorithm not supported", "RFC 3463 §3.8 (X.7.6)",
			"The message uses an encryption or signature algorithm the destination does not support."),
		x("X.7.7", "Message integrity failure", "RFC 3463 §3.8 (X.7.7)",
			"The message was changed in transit (integrity check failed)."),
		withHelp(x("X.7.8", "Authentication credentials invalid", "RFC 4954 §6 (X.7.8)",
			"The user name or password given with AUTH is wrong (`535 5.7.8`). Also appears when the provider "+
				"disabled password login and wants OAuth2 or an app password."),
			"The password dialog appears again: \"Authentication failed\".",
			"Log in with the full address as user name; re-type the password; check for account lock-out and whether an app password is required."),
		x("X.7.9", "Authentication mechanism is too weak", "RFC 4954 §6 (X.7.9)",
			"The server's policy does not allow this AUTH mechanism (`534 5.7.9`)."),
		x("X.7.10", "Encryption needed", "RFC 5248 §2.4 (X.7.10)",
			"A strong security layer such as TLS is needed before this (clear-text) authentication mechanism can be used."),
		x("X.7.11", "Encryption required for requested authentication mechanism", "RFC 4954 §6 (X.7.11)",
			"This AUTH mechanism is only allowed inside TLS (`538 5.7.11`); send STARTTLS first."),
		x("X.7.12", "A password transition is needed", "RFC 4954 §6 (X.7.12)",
			"The user must change or set up the password another way before this mechanism works (`432 4.7.12`)."),
		x("X.7.13", "User account disabled", "RFC 5248 §2.4 (X.7.13)",
			"The login worked but the account is disabled (unpaid, abuse, suspected break-in)."),
		x("X.7.14", "Trust relationship required", "RFC 5248 §2.4 (X.7.14)",
			"The submission server needs a configured trust with a third-party server (BURL) to get the content."),
		x("X.7.15", "Priority level is too low", "RFC 6710 §4 (X.7.15)",
			"MT-PRIORITY: the message's priority is too low to be accepted now."),
		x("X.7.16", "Message is too big for the specified priority", "RFC 6710 §4 (X.7.16)",
			"MT-PRIORITY: at this priority only smaller messages are accepted."),
		x("X.7.17", "Mailbox owner has changed", "RFC 7293 §3.3 (X.7.17)",
			"RRVS: the address now belongs to someone else than when the sender last knew it."),
		x("X.7.18", "Domain owner has changed", "RFC 7293 §3.3 (X.7.18)",
			"RRVS: the whole domain has changed hands since the given date."),
		x("X.7.19", "RRVS test cannot be completed", "RFC 7293 §3.3 (X.7.19)",
			"RRVS: the server cannot check whether the mailbox changed owner."),
		x("X.7.20", "No passing DKIM signature found", "RFC 7372 §3.1 (X.7.20)",
			"The receiver requires a valid DKIM signature and found none that verifies."),
		x("X.7.21", "No acceptable DKIM signature found", "RFC 7372 §3.1 (X.7.21)",
			"DKIM signatures verified but none met the receiver's policy (e.g. weak key)."),
		x("X.7.22", "No valid author-matched DKIM signature found", "RFC 7372 §3.1 (X.7.22)",
			"No verified DKIM signature from the domain in the `From:` header."),
		withHelp(x("X.7.23", "SPF validation failed", "RFC 7372 §3.2 (X.7.23)",
			"The sending server's IP is not allowed to send for the sender's domain according to that domain's "+
				"SPF record. Common after changing email providers or using a new sending service."),
			"Bounce mentioning SPF.",
			"Add the sending service to the domain's SPF TXT record (`include:`), or send through the right server."),
		x("X.7.24", "SPF validation error", "RFC 7372 §3.2 (X.7.24)",
			"The SPF check could not be completed (DNS error or a broken SPF record); often temporary as 4.7.24."),
		x("X.7.25", "Reverse DNS validation failed", "RFC 7372 §3.3 (X.7.25)",
			"The sending IP has no matching reverse DNS (PTR) name, which many receivers require."),
		x("X.7.26", "Multiple authentication checks failed", "RFC 7372 §3.4 (X.7.26)",
			"Several of SPF, DKIM, reverse DNS failed together; Gmail uses it for DMARC-style rejections."),
		x("X.7.27", "Sender address has null MX", "RFC 7505 §3 (X.7.27)",
			"The sender's domain says it receives no mail (null MX), so replies and bounces could not be "+
				"delivered; the receiver refuses the message."),
		x("X.7.28", "Mail flood detected", "IANA SMTP Enhanced Status Codes registry (X.7.28)",
			"The message looks like part of a flood of similar messages (rate limiting against abuse)."),
		x("X.7.29", "ARC validation failure", "RFC 8617 §7.2.2 (X.7.29)",
			"The message's ARC chain (authentication results kept across forwarders) did not validate."),
		x("X.7.30", "REQUIRETLS support required", "RFC 8689 §5 (X.7.30)",
			"The message was sent with REQUIRETLS but the next server does not support it, so it is returned "+
				"rather than sent without guaranteed TLS."),

		// Exact codes that users meet every day, written for their class.
		withHelp(x("2.1.5", "Recipient address accepted", "RFC 3463 §3.2 (X.1.5)",
			"`250 2.1.5 Ok` after RCPT: the server will take mail for this recipient. Nothing is delivered yet; "+
				"that happens after DATA."),
			"Nothing visible.", ""),
		x("2.1.0", "Sender address accepted", "RFC 3463 §3.2 (X.1.0)",
			"`250 2.1.0 Ok` after MAIL FROM: the envelope sender is accepted and the transaction is open. RFC 3463 "+
				"calls X.1.0 \"other address status\"; servers use 2.1.0 for a good sender."),
		x("2.6.0", "Message accepted (content fine)", "RFC 3463 §3.7 (X.6.0)",
			"Used by some servers (Microsoft) after DATA: `250 2.6.0 <message-id> Queued mail for delivery`."),
		x("2.7.0", "Authentication succeeded", "RFC 4954 §6",
			"`235 2.7.0 Authentication successful`: the AUTH exchange worked and the client is logged in."),
		withHelp(x("4.7.0", "Temporary security failure (e.g. authentication back end down)", "RFC 4954 §6; RFC 3463 §3.8",
			"A temporary security-related refusal: `454 4.7.0 Temporary authentication failure`, `454 4.7.0 TLS "+
				"not available`, or a temporary block (rate limit, reputation). Retry later."),
			"\"Temporary error\", or sending delayed.",
			"Retry later; if persistent, check the server (TLS certificate, auth back end) or whether the IP is rate-limited."),
		withHelp(x("4.7.1", "Temporarily refused by policy (often greylisting)", "RFC 3463 §3.8 (X.7.1)",
			"A temporary policy refusal. Most often **greylisting**: the server refuses the first attempt from an "+
				"unknown sender/IP/recipient triple and accepts a retry that comes later, after a minimum delay, "+
				"from the sending server's queue on a new connection (RFC 5321 §4.5.4.1). Also used for temporary "+
				"reputation blocks and rate limits, and by Postfix to refuse a relay: `454 4.7.1 <x@gmail.com>: "+
				"Relay access denied` means the client did not log in and asked for another domain, which no "+
				"retry fixes. Read the text to tell them apart."),
			"Usually nothing; a \"delivery delayed\" warning if it lasts hours. For Relay access denied, an error when sending to an outside address.",
			"Relay access denied: set the outgoing server to port 587 with STARTTLS and authentication. Otherwise wait for the retry; if it lasts, read the text: rate limit or reputation problems of the sending IP."),
		withHelp(x("5.7.1", "Refused by policy: relaying denied, blocked or rejected as spam", "RFC 3463 §3.8 (X.7.1)",
			"A permanent, deliberate refusal. If it answers RCPT for another domain, it is usually **relay access "+
				"denied**: the client did not log in, and an open server must not forward mail for strangers. "+
				"Otherwise the sender, its IP or the content is blocked by policy (block list, spam score, "+
				"DMARC, a recipient who accepts mail only from certain senders). **SPF fail** is refused with it too "+
				"(Postfix's policy-spf: `550 5.7.1 <a@example.com>: Sender address rejected: SPF fail - not "+
				"authorized`; RFC 7372 registered 5.7.23 for it, which Microsoft uses): the sending server's IP is "+
				"not in the TXT record (`v=spf1 ...`) of the MAIL FROM domain (RFC 7208 §8.4)."),
			"Bounce: \"Relay access denied\", \"Delivery not authorized\", \"Message rejected\".",
			"Relaying: turn on SMTP authentication in the app. SPF fail: add the sending server to the domain's SPF record (`ip4:`, `include:`), or send through the server the record names. Otherwise read the text for the block list or policy and check the sender domain's SPF/DKIM/DMARC."),
		withHelp(x("5.1.1", "No such user: the recipient address does not exist", "RFC 3463 §3.2 (X.1.1)",
			"The destination server answered and says this mailbox does not exist: a typo in the part before the "+
				"@, or an account that was closed. Retrying will not help."),
			"Bounce: \"Address not found\" / \"The email account that you tried to reach does not exist\".",
			"Check the recipient's spelling; ask for the current address; remove it from lists if it keeps bouncing."),
		withHelp(x("5.2.2", "Recipient's mailbox is full", "RFC 3463 §3.3 (X.2.2)",
			"The recipient is over their storage quota and this server decided to bounce at once rather than retry. "+
				"RFC 3463 §3.3 would have a full mailbox be a persistent transient failure (`452 4.2.2`), retried "+
				"until the recipient makes room; `552 5.2.2` is the permanent form many servers use anyway."),
			"Bounce: \"mailbox full\" / \"quota exceeded\".",
			"The recipient must free space; the sender can resend later or contact them another way."),
		withHelp(x("5.3.4", "Message too big for the system", "RFC 3463 §3.4 (X.3.4)",
			"The message exceeds the server's maximum message size (announced as SIZE in EHLO). Base64 makes "+
				"attachments about 37% larger than the files."),
			"Bounce: \"message size exceeds fixed maximum message size\".",
			"Send a cloud link instead of the attachment, or compress/split it."),
		withHelp(x("5.7.0", "Security policy refusal (often: authentication required)", "RFC 3463 §3.8 (X.7.0); RFC 4954 §6",
			"`530 5.7.0 Authentication required` or `530 5.7.0 Must issue a STARTTLS command first`: the server "+
				"will not go on until the client logs in or encrypts. Also a generic policy refusal."),
			"\"Authentication required\" / \"Server requires a secure connection\".",
			"Enable authentication and STARTTLS/SSL for the outgoing server in the account settings."),
		withHelp(x("5.7.8", "Authentication credentials invalid (wrong user or password)", "RFC 4954 §6 (X.7.8)",
			"`535 5.7.8`: the login failed. Wrong password or user name, a locked account, or a provider that "+
				"no longer accepts plain passwords."),
			"Password prompt again: \"Login to server failed\".",
			"Re-enter the password; use the full address as user; check lock-out; Gmail needs an app password (with 2-Step Verification) or OAuth2, Microsoft 365 OAuth2 where the tenant has basic authentication off."),

		// Microsoft Exchange and Exchange Online (Microsoft 365) use detail
		// numbers of their own, outside the IANA registry; these are the
		// ones help desks meet most. The reply's text names the product.
		withHelp(x("5.1.10", "Exchange: recipient not found (in the registry: null MX)", "Microsoft Exchange NDR documentation; RFC 7505 §3 (X.1.10)",
			"The registry gives X.1.10 to a domain that publishes a null MX (`MX 0 .`) and takes no mail at all. "+
				"Microsoft Exchange and Exchange Online use 5.1.10 for `RESOLVER.ADR.RecipientNotFound`: the address "+
				"does not exist in the organisation, the same news as 5.1.1 elsewhere. The reply's text tells which."),
			"Bounce from Outlook/Microsoft 365: \"Recipient not found by SMTP address lookup\".",
			"Check the recipient's address; if it is right, the recipient's administrator checks the mailbox or its aliases."),
		withHelp(x("5.7.57", "Exchange Online: client not authenticated to send mail", "Microsoft Exchange Online NDR documentation (not in the IANA registry)",
			"Microsoft 365 refused MAIL FROM from a program that had not logged in: mail to any address needs AUTH "+
				"on smtp.office365.com, port 587, after STARTTLS."),
			"A device or app (a scanner, a web form) cannot send through Microsoft 365.",
			"Set the program to port 587, STARTTLS, and a mailbox's user name and password (or use a connector)."),
		withHelp(x("5.7.139", "Exchange Online: SMTP AUTH is disabled (or basic authentication blocked)", "Microsoft Exchange Online NDR documentation (not in the IANA registry)",
			"`535 5.7.139 Authentication unsuccessful`: the login itself may be right, but Microsoft 365 has SMTP AUTH "+
				"switched off for the organisation or the mailbox, or a security policy blocks password logins."),
			"The mail program keeps asking for the password although it is right.",
			"An administrator enables SMTP AUTH for the mailbox, or the program signs in with OAuth 2.0."),
		withHelp(x("5.7.708", "Exchange Online: traffic not accepted from this IP", "Microsoft Exchange Online NDR documentation (not in the IANA registry)",
			"Microsoft 365 refuses mail from the sending server's IP address, which has a poor reputation (5.7.606 "+
				"to 5.7.649 and 5.7.708 are such blocks)."),
			"Bounce: \"Access denied, traffic not accepted from this IP\".",
			"The sending server's administrator asks for delisting (sender.office.com) or sends through a reputable relay."),
	}
}
