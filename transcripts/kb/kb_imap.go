package kb

import "github.com/mailtutor/mailtutor/simulator/wire"

// IMAP connection states (RFC 9051 §3). Commands are only valid in some of them.
const (
	imapNotAuth  = "not authenticated"
	imapAuth     = "authenticated"
	imapSelected = "selected"
	imapAny      = "any state"
)

// imapCommands covers RFC 9051 (IMAP4rev2), RFC 3501 (IMAP4rev1) and the
// extensions a learner meets in other servers' logs.
func imapCommands() []Entry {
	cmd := func(key, summary, rfc, syntax string, states []string, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: Command, Key: key, Summary: summary, RFC: rfc, Syntax: syntax,
			States: states, Explain: explain}
	}
	anyState := []string{imapAny}
	notAuth := []string{imapNotAuth}
	authSel := []string{imapAuth, imapSelected}
	sel := []string{imapSelected}
	return []Entry{
		cmd("CAPABILITY", "Ask which capabilities (extensions) the server supports", "RFC 9051 §6.1.1",
			"tag CAPABILITY", anyState,
			"The server answers `* CAPABILITY IMAP4rev1 IMAP4rev2 IDLE MOVE …` then `tag OK`. Many servers send "+
				"the list unasked in the greeting or in the OK of LOGIN as a `[CAPABILITY …]` response code. The "+
				"list can change after STARTTLS and after login."),
		cmd("NOOP", "Do nothing, but give the server a chance to report changes", "RFC 9051 §6.1.2",
			"tag NOOP", anyState,
			"Besides keeping the connection alive, NOOP is the simplest way to poll: the server sends any "+
				"pending untagged updates (new messages as `* n EXISTS`, flag changes, expunges) before `tag OK`."),
		cmd("LOGOUT", "End the session: the server says * BYE, then tag OK, and closes", "RFC 9051 §6.1.3",
			"tag LOGOUT", anyState,
			"The clean way to leave. Unlike POP3, nothing is deleted at logout: deletions happen at EXPUNGE or CLOSE."),
		cmd("STARTTLS", "Switch the connection to TLS before logging in", "RFC 9051 §6.2.1",
			"tag STARTTLS", notAuth,
			"After `tag OK Begin TLS negotiation now` the TLS handshake starts; the session continues encrypted, "+
				"still not authenticated. The client must ask CAPABILITY again: LOGINDISABLED usually disappears "+
				"and AUTH=PLAIN appears."),
		cmd("AUTHENTICATE", "Log in with a SASL mechanism (PLAIN, SCRAM, XOAUTH2 …)", "RFC 9051 §6.2.2",
			"tag AUTHENTICATE mechanism [initial-response]", notAuth,
			"The server sends `+ <base64 challenge>` continuation lines and the client answers in base64 until "+
				"the tagged OK/NO. With SASL-IR the first answer can be on the command line. `*` cancels. "+
				"Mechanisms are listed as `AUTH=…` capabilities."),
		cmd("LOGIN", "Log in with user name and password (plain text)", "RFC 9051 §6.2.3",
			"tag LOGIN user password", notAuth,
			"The simplest login; arguments with spaces or special characters must be quoted or sent as "+
				"literals. The password travels as written, so servers refuse LOGIN without TLS (capability "+
				"LOGINDISABLED, answer `NO [PRIVACYREQUIRED]`). Wrong credentials: `NO [AUTHENTICATIONFAILED]`. "+
				"Forgetting the tag (`LOGIN bob pw`) makes the word LOGIN the tag and `bob` the command: an "+
				"unknown command before login, which some servers (go-imap) answer with BYE and hang up."),
		cmd("ENABLE", "Turn on extensions that change how the server talks (CONDSTORE, UTF8=ACCEPT …)", "RFC 9051 §6.3.1; RFC 5161",
			"tag ENABLE capability…", []string{imapAuth},
			"Some extensions change the server's responses, so the server uses them only when the client asks. "+
				"The answer `* ENABLED …` lists what was actually turned on."),
		cmd("SELECT", "Open a mailbox for reading and changing", "RFC 9051 §6.3.2",
			"tag SELECT mailbox", authSel,
			"Makes the mailbox current. The server reports its state: `* n EXISTS` (number of messages), "+
				"`* FLAGS (…)`, `* OK [UIDVALIDITY v]`, `* OK [UIDNEXT u]`, `* OK [PERMANENTFLAGS (…)]`, then "+
				"`tag OK [READ-WRITE]`. Message numbers used afterwards refer to this mailbox. Selecting another "+
				"mailbox closes this one (without expunging)."),
		cmd("EXAMINE", "Open a mailbox read-only", "RFC 9051 §6.3.3",
			"tag EXAMINE mailbox", authSel,
			"Like SELECT, but nothing can be changed: no flags are set (even reading does not set \\Seen) and "+
				"the OK carries `[READ-ONLY]`."),
		cmd("CREATE", "Create a new mailbox (folder)", "RFC 9051 §6.3.4",
			"tag CREATE mailbox", authSel,
			"`CREATE Archive/2024` creates the folder, and any missing parents if the hierarchy separator is "+
				"used. Fails with `NO [ALREADYEXISTS]` if it exists."),
		cmd("DELETE", "Delete a mailbox and all its messages", "RFC 9051 §6.3.5",
			"tag DELETE mailbox", authSel,
			"Permanently removes the folder and its messages. INBOX cannot be deleted. A folder with "+
				"sub-folders may be refused (`NO [HASCHILDREN]`) or turned into a \\Noselect placeholder."),
		cmd("RENAME", "Rename a mailbox", "RFC 9051 §6.3.6",
			"tag RENAME old new", authSel,
			"Renames the folder (and its sub-folders). Renaming INBOX is special: it moves all INBOX messages "+
				"to the new folder and leaves INBOX empty."),
		cmd("SUBSCRIBE", "Add a mailbox to the subscription list (folders the app shows)", "RFC 9051 §6.3.7",
			"tag SUBSCRIBE mailbox", authSel,
			"Subscriptions are a per-user list of \"folders I want to see\"; clients that show only subscribed "+
				"folders hide the others."),
		cmd("UNSUBSCRIBE", "Remove a mailbox from the subscription list", "RFC 9051 §6.3.8",
			"tag UNSUBSCRIBE mailbox", authSel,
			"The folder still exists; it just disappears from clients that show subscribed folders only."),
		cmd("LIST", "List mailboxes matching a pattern (* all, % one level)", "RFC 9051 §6.3.9",
			"tag LIST reference pattern [RETURN (…)]", authSel,
			"`LIST \"\" \"*\"` lists every folder as `* LIST (\\HasNoChildren) \"/\" INBOX`: attributes, hierarchy "+
				"separator, name. `LIST \"\" \"\"` returns just the separator. Extended forms select subscribed "+
				"or special-use folders and can return STATUS data (LIST-EXTENDED, LIST-STATUS)."),
		cmd("LSUB", "List subscribed mailboxes (IMAP4rev1; replaced by LIST (SUBSCRIBED))", "RFC 3501 §6.3.9",
			"tag LSUB reference pattern", authSel,
			"Like LIST but only for subscribed folders. IMAP4rev2 deprecates it in favour of "+
				"`LIST (SUBSCRIBED) \"\" \"*\"`."),
		cmd("NAMESPACE", "Ask where personal, other users' and shared folders live", "RFC 9051 §6.3.10; RFC 2342",
			"tag NAMESPACE", authSel,
			"The answer gives three lists (personal, other users, shared), each with a prefix and separator, "+
				"e.g. `* NAMESPACE ((\"\" \"/\")) NIL NIL`."),
		cmd("STATUS", "Get counts for a mailbox without selecting it", "RFC 9051 §6.3.11",
			"tag STATUS mailbox (MESSAGES UIDNEXT UNSEEN …)", authSel,
			"Returns `* STATUS INBOX (MESSAGES 3 UNSEEN 1)`; clients use it to show unread counts for every "+
				"folder. Items: MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, DELETED, SIZE (and RECENT in IMAP4rev1). "+
				"Should not be used on the selected mailbox."),
		cmd("APPEND", "Upload a message into a mailbox (how Sent and Drafts are saved)", "RFC 9051 §6.3.12",
			"tag APPEND mailbox [(flags)] [date-time] {size}", authSel,
			"The message is sent as a literal: `{310}` announces 310 bytes, the server answers `+` (go ahead), and "+
				"the client sends exactly that many bytes. With UIDPLUS the OK carries `[APPENDUID v uid]`. A "+
				"missing folder gives `NO [TRYCREATE]`. This is how a mail app stores a copy in Sent after SMTP. "+
				"With MULTIAPPEND (RFC 3502 §6.3.11) more messages follow on the same command line, each with its "+
				"own flags, date and literal: `a1 APPEND Sent (\\Seen) {310}`, the message, then ` (\\Seen) {290}` "+
				"and the next, then the line end. Each synchronising literal waits for its own `+`. The server "+
				"stores all of them or none: if one fails (over quota, a bad flag, the folder missing) nothing is "+
				"stored, and one tagged reply answers the whole command, `a1 OK [APPENDUID 38505 7:9] APPEND "+
				"completed` with the UIDs of every new message as a set. Only send one to a server that lists "+
				"MULTIAPPEND (mailtutor does, once you are logged in)."),
		cmd("IDLE", "Wait for the server to push changes in real time (ended by DONE)", "RFC 9051 §6.3.13; RFC 2177",
			"tag IDLE … DONE", authSel,
			"After `+ idling` the server sends untagged updates as they happen (`* 4 EXISTS` for new mail) with no "+
				"polling. The client ends it by sending `DONE`, then gets `tag OK`. Servers drop idle connections "+
				"after ~30 minutes, so clients re-issue IDLE regularly. This is how \"push\" mail works."),
		cmd("DONE", "Ends IDLE (not a command: sent without a tag)", "RFC 9051 §6.3.13",
			"DONE", sel,
			"The only line in IMAP sent without a tag: it tells the server to stop IDLE. The server then completes "+
				"the IDLE command with `tag OK`."),
		cmd("CHECK", "Checkpoint the mailbox (IMAP4rev1; removed in IMAP4rev2)", "RFC 3501 §6.4.1",
			"tag CHECK", sel,
			"Asked the server to do housekeeping such as flushing to disk. Removed in IMAP4rev2, where NOOP does the job."),
		cmd("CLOSE", "Close the mailbox and silently expunge messages marked \\Deleted", "RFC 9051 §6.4.1",
			"tag CLOSE", sel,
			"Leaves the selected state. Messages flagged \\Deleted are removed, without `* EXPUNGE` responses. "+
				"Use UNSELECT to close without removing anything."),
		cmd("UNSELECT", "Close the mailbox without expunging", "RFC 9051 §6.4.2; RFC 3691",
			"tag UNSELECT", sel,
			"Like CLOSE but messages marked \\Deleted stay. Returns to authenticated state."),
		cmd("EXPUNGE", "Permanently remove all messages flagged \\Deleted", "RFC 9051 §6.4.3",
			"tag EXPUNGE", sel,
			"Deleting in IMAP is two steps: STORE +FLAGS (\\Deleted) marks, EXPUNGE removes. The server sends "+
				"`* n EXPUNGE` for each removed message; note each one renumbers the messages after it, so "+
				"numbers go down as you read them (`* 3 EXPUNGE`, `* 3 EXPUNGE` removes messages 3 and 4)."),
		cmd("SEARCH", "Find messages matching criteria; returns their numbers", "RFC 9051 §6.4.4",
			"tag [UID] SEARCH [RETURN (…)] [CHARSET x] criteria…", sel,
			"`SEARCH UNSEEN FROM \"bob\"` returns `* SEARCH 2 5` (IMAP4rev1) or `* ESEARCH (TAG \"a1\") ALL 2,5` "+
				"(IMAP4rev2). Criteria are ANDed; use OR and NOT for others. Message numbers change when messages "+
				"are expunged, so clients usually say UID SEARCH."),
		cmd("FETCH", "Read data about messages: flags, headers, body parts, size …", "RFC 9051 §6.4.5",
			"tag FETCH sequence-set (items…)", sel,
			"`FETCH 1:* (FLAGS ENVELOPE)` returns one `* n FETCH (…)` per message. Items include FLAGS, UID, "+
				"ENVELOPE, BODYSTRUCTURE, RFC822.SIZE, BODY[section]. Reading a body with `BODY[]` sets \\Seen; "+
				"`BODY.PEEK[]` does not. Large bodies come as literals `{n}` followed by n bytes."),
		cmd("STORE", "Change the flags of messages (read, flagged, deleted …)", "RFC 9051 §6.4.6",
			"tag STORE sequence-set [+|-]FLAGS[.SILENT] (flags)", sel,
			"`+FLAGS (\\Seen)` adds, `-FLAGS` removes, `FLAGS` replaces. The server answers with the new flags in "+
				"`* n FETCH (FLAGS (…))` unless `.SILENT` is used. Marking as read, starring and deleting are all STORE."),
		cmd("COPY", "Copy messages to another mailbox", "RFC 9051 §6.4.7",
			"tag COPY sequence-set mailbox", sel,
			"The originals stay. With UIDPLUS the OK carries `[COPYUID v old-uids new-uids]`. A missing target "+
				"gives `NO [TRYCREATE]`."),
		cmd("MOVE", "Move messages to another mailbox in one step", "RFC 9051 §6.4.8; RFC 6851",
			"tag MOVE sequence-set mailbox", sel,
			"Copy + delete + expunge as one atomic operation: the server sends `* OK [COPYUID …]` and `* n EXPUNGE` "+
				"for each moved message. Without MOVE, clients do COPY, STORE \\Deleted, EXPUNGE."),
		cmd("UID", "Prefix: use permanent UIDs instead of message numbers", "RFC 9051 §6.4.9",
			"tag UID (FETCH|STORE|COPY|MOVE|SEARCH|EXPUNGE) …", sel,
			"Message numbers (1, 2, 3 …) shift when messages are expunged; UIDs never change while UIDVALIDITY "+
				"stays the same. Clients that keep a local cache use UID commands almost exclusively."),
		cmd("UID FETCH", "FETCH by UID; the response always includes the UID", "RFC 9051 §6.4.9",
			"tag UID FETCH uid-set (items…)", sel,
			"Same as FETCH but the set means UIDs (`UID FETCH 100:*` = every message with UID ≥ 100, or the last "+
				"message if none). Each `* n FETCH` response includes `UID`."),
		cmd("UID STORE", "STORE by UID", "RFC 9051 §6.4.9",
			"tag UID STORE uid-set [+|-]FLAGS[.SILENT] (flags)", sel,
			"Same as STORE with UIDs; safe even if other clients expunge meanwhile."),
		cmd("UID COPY", "COPY by UID", "RFC 9051 §6.4.9",
			"tag UID COPY uid-set mailbox", sel, "Same as COPY with UIDs."),
		cmd("UID MOVE", "MOVE by UID", "RFC 9051 §6.4.9; RFC 6851",
			"tag UID MOVE uid-set mailbox", sel,
			"Same as MOVE with UIDs. The `* n EXPUNGE` responses still use message numbers."),
		cmd("UID SEARCH", "SEARCH that returns UIDs instead of message numbers", "RFC 9051 §6.4.9",
			"tag UID SEARCH criteria…", sel, "Same criteria as SEARCH; results are UIDs."),
		cmd("UID EXPUNGE", "Expunge only the given UIDs (if they are \\Deleted)", "RFC 9051 §6.4.9; RFC 4315 §2.1",
			"tag UID EXPUNGE uid-set", sel,
			"Safer than EXPUNGE when several clients share a mailbox: only the listed messages are removed, not "+
				"others that another client marked \\Deleted."),
		cmd("X", "Experimental command (name starting with X)", "RFC 9051 §6.5.1",
			"tag X<atom> …", anyState,
			"Commands starting with X are private extensions of a particular server (e.g. XLIST of Gmail). A "+
				"server that does not know one answers BAD."),
		cmd("ID", "Exchange client and server names/versions (for logs and support)", "RFC 2971 §3.1",
			"tag ID (\"name\" \"Thunderbird\" …) | NIL", anyState,
			"Both sides say what software they are: the client sends field-value pairs (name, version, os, vendor "+
				"…; at most 30) or NIL, the server answers `* ID (\"name\" \"mailtutor\" …)` then `tag OK`. "+
				"Allowed before login. Thunderbird, Apple Mail and phone apps send it; the watch screen shows "+
				"what the client said. Useful for troubleshooting; must not change behaviour. Some servers (e.g. "+
				"163.com) require it before access."),
		cmd("COMPRESS", "Compress the rest of the connection with DEFLATE", "RFC 4978 §3",
			"tag COMPRESS DEFLATE", authSel,
			"After OK, everything in both directions is zlib-compressed: saves bandwidth on phones. A tap after "+
				"this point sees binary, like after TLS."),
		cmd("GETQUOTA", "Get usage and limits of a quota root", "RFC 9208 §4.1.1",
			"tag GETQUOTA quota-root", authSel,
			"`* QUOTA \"\" (STORAGE 512 1024)` means 512 KiB used of 1024 KiB."),
		cmd("GETQUOTAROOT", "Which quota applies to a mailbox, and its usage", "RFC 9208 §4.1.2",
			"tag GETQUOTAROOT mailbox", authSel,
			"Returns `* QUOTAROOT INBOX \"\"` and the matching `* QUOTA` line: how clients show \"80% full\"."),
		cmd("SETQUOTA", "Set quota limits (administrators)", "RFC 9208 §4.1.3",
			"tag SETQUOTA quota-root (resource limit …)", authSel,
			"Usually refused for ordinary users (`NO [NOPERM]`)."),
		cmd("SORT", "Search and return the results sorted (by date, subject, from …)", "RFC 5256 §3",
			"tag [UID] SORT [RETURN (…)] (criteria) charset search-keys…", sel,
			"The server sorts, so a phone can show page 1 of a huge folder without downloading every header. "+
				"Keys: ARRIVAL (internal date), DATE (the Date: header), FROM, TO, CC (the first address's "+
				"mailbox part), SUBJECT (the base subject: Re:, Fwd:, [list] tags and (fwd) taken off, RFC 5256 "+
				"§2.1), SIZE, and with SORT=DISPLAY DISPLAYFROM and DISPLAYTO (the name shown, RFC 5957); REVERSE "+
				"before a key turns it round. `SORT (REVERSE DATE) UTF-8 UNSEEN` answers `* SORT 7 3 5`: newest "+
				"unread first; ties stay in mailbox order. The charset is required (UTF-8 or US-ASCII here; "+
				"others `NO [BADCHARSET (UTF-8 US-ASCII)]`); an unknown key is BAD. With ESORT, `SORT RETURN "+
				"(MIN MAX COUNT ALL)` answers `* ESEARCH (TAG \"a1\") MIN 7 MAX 5 COUNT 3 ALL 7,3,5` in sort "+
				"order, and `RETURN (PARTIAL 1:50)` the first fifty (CONTEXT=SEARCH)."),
		cmd("UID SORT", "SORT that returns UIDs instead of message numbers", "RFC 5256 §3",
			"tag UID SORT (criteria) charset search-keys…", sel,
			"The answer `* SORT 42 40 41` lists UIDs, which stay valid when other messages are expunged."),
		cmd("THREAD", "Search and return the results grouped into conversations", "RFC 5256 §3",
			"tag [UID] THREAD algorithm charset search-keys…", sel,
			"How webmail and phones show conversations without reading every header. ORDEREDSUBJECT groups "+
				"by base subject (Re: and Fwd: taken off), the first message the parent of the others; "+
				"REFERENCES follows Message-ID, References and In-Reply-To (Jamie Zawinski's algorithm), then "+
				"gathers threads with the same subject. The answer `* THREAD (2)(3 6 (4 23)(44 7 96))` is one "+
				"thread per parenthesis: 3, then its reply 6, whose replies are 4 (answered by 23) and 44 (7, then "+
				"96); `((3)(5))` is two replies to a message that is not in the mailbox."),
		cmd("UID THREAD", "THREAD that returns UIDs instead of message numbers", "RFC 5256 §3",
			"tag UID THREAD algorithm charset search-keys…", sel, "Same nesting, with UIDs."),
		cmd("CANCELUPDATE", "Stop the updates of a search kept up to date (CONTEXT=SEARCH)", "RFC 5267 §4.3",
			"tag CANCELUPDATE \"search-tag\"…", sel,
			"Ends `SEARCH RETURN (UPDATE)` notifications. A server may decline updates in the first place with "+
				"`* NO [NOUPDATE \"tag\"]`, as mailtutor does; CANCELUPDATE is then simply OK."),
		cmd("GETMETADATA", "Read server or mailbox annotations (comments, colours …)", "RFC 5464 §4.2",
			"tag GETMETADATA [options] mailbox (entries)", authSel,
			"Entries are paths like `/private/comment` or `/shared/vendor/…`."),
		cmd("SETMETADATA", "Write server or mailbox annotations", "RFC 5464 §4.3",
			"tag SETMETADATA mailbox (entry value …)", authSel,
			"May fail with `NO [METADATA TOOMANY]` or `[METADATA MAXSIZE n]`."),
		cmd("XLIST", "Gmail's old LIST variant showing special folders (deprecated)", "Gmail IMAP extensions (not an RFC; superseded by RFC 6154)",
			"tag XLIST reference pattern", authSel,
			"Returned Gmail's folder roles (\\Inbox, \\AllMail, \\Sent …). Replaced by SPECIAL-USE attributes in LIST."),
		cmd("GETACL", "Get a mailbox's access control list", "RFC 4314 §3.3",
			"tag GETACL mailbox", authSel, "Shows who may do what with a shared mailbox (rights letters like lrswipkxtea)."),
		cmd("SETACL", "Grant rights on a mailbox to a user", "RFC 4314 §3.1",
			"tag SETACL mailbox identifier rights", authSel, "How mailboxes are shared between users."),
		cmd("DELETEACL", "Remove a user's rights on a mailbox", "RFC 4314 §3.2",
			"tag DELETEACL mailbox identifier", authSel, "Stops sharing the mailbox with that user."),
		cmd("LISTRIGHTS", "List the rights that may be granted to a user", "RFC 4314 §3.4",
			"tag LISTRIGHTS mailbox identifier", authSel, "Shows which rights are always granted and which are optional."),
		cmd("MYRIGHTS", "Show my own rights on a mailbox", "RFC 4314 §3.5",
			"tag MYRIGHTS mailbox", authSel, "For example `* MYRIGHTS INBOX lrswipkxte`."),
		cmd("UNAUTHENTICATE", "Log out but keep the connection, back to not authenticated", "RFC 8437 §2",
			"tag UNAUTHENTICATE", authSel, "Lets a proxy reuse one connection for another user."),
		cmd("REPLACE", "Replace a message with a new version in one step (drafts)", "RFC 8508 §3",
			"tag [UID] REPLACE seq mailbox [(flags)] {size}", sel,
			"APPEND of the new version + removal of the old one, atomically."),
	}
}

// imapCapabilities are IMAP capability names (IANA "IMAP Capabilities" registry
// plus common vendor ones). Keys ending in "=" match any value: "AUTH=PLAIN".
func imapCapabilities() []Entry {
	capa := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: Capability, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	return []Entry{
		capa("IMAP4REV1", "Server speaks IMAP version 4 revision 1", "RFC 3501 §6.1.1",
			"The base protocol almost every client uses. Every server lists it (or IMAP4rev2)."),
		capa("IMAP4REV2", "Server speaks IMAP4rev2, the 2021 revision", "RFC 9051 §6.1.1",
			"IMAP4rev2 folds many extensions into the base (IDLE, MOVE, UIDPLUS, ESEARCH, NAMESPACE, UNSELECT, "+
				"ENABLE, LIST-EXTENDED, SPECIAL-USE …) and drops RECENT, LSUB and CHECK. A client must ENABLE it to use it."),
		capa("AUTH=", "Server accepts this SASL mechanism with AUTHENTICATE (e.g. AUTH=PLAIN)", "RFC 9051 §6.2.2",
			"Each `AUTH=<mechanism>` names a login method the client may use with AUTHENTICATE. Often listed only after STARTTLS."),
		capa("STARTTLS", "Server can switch the connection to TLS", "RFC 9051 §6.2.1",
			"The client may send STARTTLS before logging in."),
		capa("LOGINDISABLED", "LOGIN is refused here (usually until TLS is on)", "RFC 9051 §6.2.3",
			"Plain-text LOGIN is disabled on this connection, normally because it is not encrypted. Send STARTTLS first."),
		capa("IDLE", "Server supports IDLE (push notification of new mail)", "RFC 2177; RFC 9051 §6.3.13",
			"Clients can wait for changes instead of polling."),
		capa("MOVE", "Server supports MOVE / UID MOVE", "RFC 6851",
			"Atomic move of messages between folders."),
		capa("UIDPLUS", "Server reports new UIDs on APPEND/COPY and supports UID EXPUNGE", "RFC 4315",
			"Adds APPENDUID and COPYUID response codes, so a client knows the UIDs of the messages it created."),
		capa("ESEARCH", "SEARCH can return compact results (MIN, MAX, COUNT, ALL as ranges)", "RFC 4731",
			"`SEARCH RETURN (COUNT) UNSEEN` gives just the number, without a long list of message numbers."),
		capa("SEARCHRES", "A SEARCH result can be saved and referred to as $", "RFC 5182",
			"`SEARCH RETURN (SAVE) …` then `FETCH $ …`: saves a round trip."),
		capa("NAMESPACE", "Server supports the NAMESPACE command", "RFC 2342",
			"The client can ask where personal and shared folders live."),
		capa("ENABLE", "Server supports the ENABLE command", "RFC 5161",
			"Needed for extensions that change server behaviour (CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4rev2)."),
		capa("UNSELECT", "Server supports UNSELECT (close without expunge)", "RFC 3691", "See the UNSELECT command."),
		capa("LIST-EXTENDED", "LIST accepts selection and return options", "RFC 5258",
			"For example `LIST (SUBSCRIBED) \"\" \"*\" RETURN (CHILDREN)`."),
		capa("LIST-STATUS", "LIST can return STATUS data for each folder", "RFC 5819",
			"`LIST \"\" \"*\" RETURN (STATUS (UNSEEN))`: unread counts for all folders in one command."),
		capa("LIST-MYRIGHTS", "LIST can return the user's rights for each folder", "RFC 8440", "Saves MYRIGHTS round trips."),
		capa("STATUS=SIZE", "STATUS can return the total size of a mailbox", "RFC 8438", "`STATUS INBOX (SIZE)`."),
		capa("CHILDREN", "LIST marks folders \\HasChildren / \\HasNoChildren", "RFC 3348",
			"Clients know whether to draw an expand arrow without listing sub-folders."),
		capa("SPECIAL-USE", "LIST marks folders for Sent, Drafts, Trash, Junk, Archive …", "RFC 6154 §2",
			"Clients find the right Sent or Trash folder whatever its name or language."),
		capa("CREATE-SPECIAL-USE", "CREATE can give a new folder a special-use role", "RFC 6154 §3",
			"`CREATE MySent (USE (\\Sent))`."),
		capa("LITERAL+", "Client may send literals without waiting for + ({n+})", "RFC 7888",
			"A literal `{310+}` is sent right away with no continuation round trip."),
		capa("LITERAL-", "Non-synchronising literals allowed only up to 4096 bytes", "RFC 7888",
			"Like LITERAL+ but limited to small literals."),
		capa("SASL-IR", "AUTHENTICATE may include the first response on the command line", "RFC 4959",
			"`AUTHENTICATE PLAIN <base64>` in one line saves a round trip."),
		capa("ID", "Server supports the ID command", "RFC 2971",
			"Client and server can tell each other their names and versions; mailtutor offers it before login too."),
		capa("COMPRESS=DEFLATE", "Server supports COMPRESS DEFLATE", "RFC 4978", "The connection can be compressed."),
		capa("CONDSTORE", "Per-message modification sequences (MODSEQ) for fast sync", "RFC 7162 §3.1",
			"Each change gets a number, so a client asks \"what changed since MODSEQ n?\" instead of re-reading all flags."),
		capa("QRESYNC", "Quick resynchronisation: changes and expunges since last time", "RFC 7162 §3.2",
			"With SELECT … (QRESYNC …) the server reports only what changed, including `* VANISHED` for removed messages."),
		capa("QUOTA", "Server supports quota commands (GETQUOTA, GETQUOTAROOT …)", "RFC 9208",
			"Clients can show how full the mailbox is."),
		capa("QUOTA=RES-", "Quota resource type supported (e.g. QUOTA=RES-STORAGE)", "RFC 9208 §3.1",
			"Names a resource the server can limit: STORAGE, MESSAGE, MAILBOX, ANNOTATION-STORAGE."),
		capa("QUOTASET", "SETQUOTA is allowed", "RFC 9208 §3.2", "The server supports changing quotas with SETQUOTA."),
		capa("SORT", "Server supports the SORT command", "RFC 5256",
			"Server-side sorting: the client asks for the order instead of fetching every header to sort it."),
		capa("SORT=DISPLAY", "SORT can use display names (DISPLAYFROM, DISPLAYTO)", "RFC 5957", "Sorts by the name shown, not the address."),
		capa("THREAD=", "Server supports THREAD with this algorithm (REFERENCES, ORDEREDSUBJECT)", "RFC 5256",
			"Server-side conversation threading."),
		capa("BINARY", "Server can decode MIME parts itself (FETCH BINARY[], APPEND binary)", "RFC 3516",
			"The client receives attachment bytes already decoded from base64, saving bandwidth: `FETCH 3 "+
				"BINARY[2]` answers `* 3 FETCH (BINARY[2] ~{5120}` and the raw bytes (a literal8, `~`, may hold any "+
				"byte); a partial `BINARY[2]<0.1024>` comes back as `BINARY[2]<0>`."),
		capa("CATENATE", "APPEND can build a message from pieces of existing ones", "RFC 4469",
			"Forward an attachment without downloading and re-uploading it."),
		capa("MULTIAPPEND", "APPEND can upload several messages at once", "RFC 3502",
			"Several messages in one APPEND, stored all or none: an offline mail program uploading its outbox "+
				"of drafts, or a migration tool, saves a round trip per message, and never leaves half a batch "+
				"behind when the quota runs out. The OK's `[APPENDUID v 7:9]` lists every new UID."),
		capa("UTF8=ACCEPT", "Server accepts UTF-8 in mailbox names and headers after ENABLE", "RFC 6855 §3",
			"Internationalised email for IMAP."),
		capa("UTF8=ONLY", "Server requires UTF8=ACCEPT to be enabled", "RFC 6855 §3", "Clients must ENABLE UTF8=ACCEPT."),
		capa("APPENDLIMIT", "Maximum message size accepted by APPEND", "RFC 7889",
			"`APPENDLIMIT=35651584`: bigger uploads are refused with `NO [TOOBIG]`."),
		capa("OBJECTID", "Stable IDs for mailboxes, messages and threads (MAILBOXID, EMAILID)", "RFC 8474",
			"IDs survive renames and moves, helping sync."),
		capa("SAVEDATE", "Server records when each message was saved to its folder", "RFC 8514", "FETCH SAVEDATE, SEARCH SAVEDBEFORE …"),
		capa("METADATA", "Server supports mailbox and server annotations", "RFC 5464", "GETMETADATA/SETMETADATA on mailboxes."),
		capa("METADATA-SERVER", "Server supports server-level annotations only", "RFC 5464", "GETMETADATA/SETMETADATA with the empty mailbox name."),
		capa("NOTIFY", "Client can ask to be notified about changes in other mailboxes", "RFC 5465", "Like IDLE, for several folders."),
		capa("WITHIN", "SEARCH accepts YOUNGER / OLDER (age in seconds)", "RFC 5032", "`SEARCH YOUNGER 86400`: the last day."),
		capa("ACL", "Server supports access control lists (shared folders)", "RFC 4314", "GETACL, SETACL, MYRIGHTS …"),
		capa("RIGHTS=", "Extra ACL rights the server supports (e.g. RIGHTS=TEKX)", "RFC 4314 §2.1", "Lists rights letters beyond the base set."),
		capa("ESORT", "SORT can return compact ESEARCH-style results", "RFC 5267", "Sorted results with MIN, MAX, COUNT, PARTIAL."),
		capa("CONTEXT=SEARCH", "Search results can be kept up to date", "RFC 5267", "The server updates a saved search as mail arrives."),
		capa("CONTEXT=SORT", "Sorted results can be kept up to date", "RFC 5267", "Like CONTEXT=SEARCH for SORT."),
		capa("I18NLEVEL=", "Internationalised searching and sorting level (1 or 2)", "RFC 5255", "Language-aware comparison."),
		capa("LANGUAGE", "Server texts can be in other languages (LANGUAGE command)", "RFC 5255", "Localised server responses."),
		capa("SEARCH=FUZZY", "SEARCH accepts FUZZY for approximate matching", "RFC 6203", "Relevance-ranked search."),
		capa("URLAUTH", "Server can create authorised IMAP URLs to messages", "RFC 4467", "Used with SMTP BURL to send without re-uploading."),
		capa("CONVERT", "Server can convert message parts on FETCH", "RFC 5259", "Media conversion on the server."),
		capa("FILTERS", "Named search filters stored on the server", "RFC 5466", "SEARCH FILTER name."),
		capa("MULTISEARCH", "SEARCH across several mailboxes at once", "RFC 7377", "ESEARCH IN (mailboxes)."),
		capa("REPLACE", "Server supports REPLACE", "RFC 8508", "Atomic message replacement."),
		capa("PREVIEW", "FETCH PREVIEW returns a short text preview of a message", "RFC 8970", "The snippet shown under the subject."),
		capa("UNAUTHENTICATE", "Server supports UNAUTHENTICATE", "RFC 8437", "Reuse a connection for another login."),
		capa("LOGIN-REFERRALS", "Server may redirect a login to another server", "RFC 2221", "`NO [REFERRAL imap://…]`."),
		capa("MAILBOX-REFERRALS", "Server may redirect mailbox commands to another server", "RFC 2193", "For distributed mail stores."),
		capa("X-GM-EXT-1", "Gmail extensions: labels, thread IDs, Gmail search syntax", "Gmail IMAP extensions (not an RFC)",
			"Adds FETCH X-GM-LABELS, X-GM-MSGID, X-GM-THRID and SEARCH X-GM-RAW. Seen only on imap.gmail.com."),
		capa("XLIST", "Gmail's deprecated XLIST command is available", "Gmail IMAP extensions (not an RFC)", "Use SPECIAL-USE instead."),
	}
}

// imapFetchItems are the FETCH data items (RFC 9051 §6.4.5 in requests, §7.5.2 in responses).
func imapFetchItems() []Entry {
	item := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: FetchItem, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	return []Entry{
		item("FLAGS", "The message's flags (\\Seen, \\Flagged … and keywords)", "RFC 9051 §6.4.5; §7.5.2",
			"What the app shows as read/unread, starred, replied, deleted."),
		item("UID", "The message's unique identifier in this mailbox", "RFC 9051 §6.4.5; §7.5.2",
			"Stays the same while UIDVALIDITY does; used to sync a local cache."),
		item("INTERNALDATE", "When the server received (or APPEND stored) the message", "RFC 9051 §6.4.5; §2.3.3",
			"Not the Date: header written by the sender; the server's own arrival time. Clients may sort by it."),
		item("RFC822.SIZE", "The message size in bytes (as it would be sent, with CRLF)", "RFC 9051 §6.4.5; §2.3.4",
			"Shown as the size column; lets a client decide whether to download large messages."),
		item("ENVELOPE", "Parsed main headers: date, subject, from, to, cc, message-id …", "RFC 9051 §7.5.2",
			"A structured summary of the header fields (Date, Subject, From, Sender, Reply-To, To, Cc, Bcc, "+
				"In-Reply-To, Message-ID), parsed by the server, so the message list can be drawn without "+
				"downloading the headers. Despite its name it is not the SMTP envelope (MAIL FROM, RCPT TO): a Bcc "+
				"recipient who was only in RCPT TO appears nowhere in it. Addresses come as (name adl mailbox host) "+
				"lists; missing fields are NIL, except Sender and Reply-To, which repeat From when the message has "+
				"no such header. adl is the source route of the obsolete form "+
				"`<@relay.example:bob@example.org>` (RFC 5322 §4.4), `(NIL \"@relay.example\" \"bob\" "+
				"\"example.org\")`; nearly always NIL."),
		item("BODYSTRUCTURE", "The MIME tree of the message: parts, types, sizes, encodings", "RFC 9051 §7.5.2",
			"Lets a client show attachments (name, type, size) and fetch only the part it needs, e.g. `BODY[2]` "+
				"for the PDF, instead of the whole message."),
		item("BODY", "BODYSTRUCTURE without extension data (when sent without [section])", "RFC 9051 §6.4.5; §7.5.2",
			"`FETCH 1 BODY` (no brackets) is the short form of BODYSTRUCTURE. With brackets it means content: see BODY[]."),
		item("BODY[]", "Content of the message or one part: BODY[section]<offset.length>", "RFC 9051 §6.4.5",
			"`BODY[]` is the whole message, `BODY[HEADER]` the headers, `BODY[TEXT]` the body, `BODY[1]` the "+
				"first MIME part, `BODY[HEADER.FIELDS (SUBJECT FROM)]` selected headers, `<0.1024>` the first 1024 "+
				"bytes. Fetching BODY[…] **sets \\Seen** (the message becomes read); use BODY.PEEK to avoid that."),
		item("BODY.PEEK", "Like BODY[section] but does not mark the message as read", "RFC 9051 §6.4.5",
			"What well-behaved clients use to download messages and previews: the \\Seen flag is not set."),
		item("BINARY[]", "A MIME part already decoded from base64/quoted-printable", "RFC 9051 §6.4.5; RFC 3516",
			"`BINARY[2]` returns the raw bytes of part 2 (e.g. the PDF) instead of its base64 text. Sets \\Seen like BODY[]. "+
				"A partial `BINARY[2]<0.1024>` comes back as `BINARY[2]<0>`, the origin it starts at, in a literal8 `~{n}` "+
				"(RFC 3516 §4.2), which may hold any byte, NUL included."),
		item("BINARY.PEEK", "BINARY[] without setting \\Seen", "RFC 9051 §6.4.5; RFC 3516", "Decoded part content, message stays unread."),
		item("BINARY.SIZE[]", "Size of a MIME part after decoding", "RFC 9051 §6.4.5; RFC 3516",
			"The real size of an attachment, to show before downloading it."),
		item("RFC822", "Whole message (old form of BODY[]); sets \\Seen", "RFC 3501 §6.4.5",
			"IMAP4rev1 form kept for compatibility; removed from IMAP4rev2."),
		item("RFC822.HEADER", "Headers only (old form of BODY.PEEK[HEADER])", "RFC 3501 §6.4.5", "Does not set \\Seen."),
		item("RFC822.TEXT", "Body only (old form of BODY[TEXT]); sets \\Seen", "RFC 3501 §6.4.5", "IMAP4rev1 form."),
		item("ALL", "Macro: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE", "RFC 9051 §6.4.5", "Shorthand for a message-list view."),
		item("FAST", "Macro: FLAGS INTERNALDATE RFC822.SIZE", "RFC 9051 §6.4.5", "Shorthand without the envelope."),
		item("FULL", "Macro: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY", "RFC 9051 §6.4.5", "ALL plus the body structure."),
		item("MODSEQ", "The message's modification sequence number (CONDSTORE)", "RFC 7162 §3.1.4",
			"Grows every time the message's flags change; used for fast sync."),
		item("EMAILID", "Stable message ID across mailboxes (OBJECTID)", "RFC 8474 §5.1", "Same message copied = same EMAILID."),
		item("THREADID", "Stable conversation ID (OBJECTID)", "RFC 8474 §5.2", "Groups messages of the same thread."),
		item("SAVEDATE", "When the message was saved into this mailbox", "RFC 8514 §4", "NIL if the server does not know."),
		item("PREVIEW", "A short plain-text preview of the message", "RFC 8970 §3", "The snippet shown in the message list."),
		item("X-GM-MSGID", "Gmail: permanent message ID across all labels", "Gmail IMAP extensions (not an RFC)", "Unique for the whole account."),
		item("X-GM-THRID", "Gmail: conversation (thread) ID", "Gmail IMAP extensions (not an RFC)", "Groups messages as Gmail shows them."),
		item("X-GM-LABELS", "Gmail: the labels on the message", "Gmail IMAP extensions (not an RFC)",
			"Gmail folders are labels; one message can be in several \"folders\" at once."),
	}
}

// imapFlagsAndAttrs are message flags (RFC 9051 §2.3.2) and LIST mailbox
// attributes (RFC 9051 §7.3.1, RFC 6154 §2). Keys keep the backslash.
func imapFlagsAndAttrs() []Entry {
	flag := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: Flag, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	attr := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: MailboxAttr, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	return []Entry{
		flag(`\SEEN`, "Message has been read", "RFC 9051 §2.3.2",
			"Set when the body is fetched (not with BODY.PEEK) or by STORE. Unread = no \\Seen."),
		flag(`\ANSWERED`, "Message has been replied to", "RFC 9051 §2.3.2", "Set by the client when the user replies; shown as a reply arrow."),
		flag(`\FLAGGED`, "Message is flagged / starred for attention", "RFC 9051 §2.3.2", "The star or red flag in the app."),
		flag(`\DELETED`, "Message is marked for deletion (removed by EXPUNGE)", "RFC 9051 §2.3.2",
			"Not deleted yet: EXPUNGE, CLOSE or UID EXPUNGE removes it. Some apps show it struck through."),
		flag(`\DRAFT`, "Message is an unfinished draft", "RFC 9051 §2.3.2", "Set on messages saved in Drafts."),
		flag(`\RECENT`, "This session is the first to be told about the message (IMAP4rev1 only)", "RFC 3501 §2.3.2",
			"Set by the server, not the client: the session that is the first to be notified of a message sees "+
				"it with \\Recent, and later sessions do not (if that session is read-write). It says nothing about "+
				"read or unread, nor about when the folder was last opened. Removed in IMAP4rev2 because it was "+
				"unreliable with several clients."),
		flag(`\*`, "In PERMANENTFLAGS: the client may create new keywords", "RFC 9051 §7.1 (PERMANENTFLAGS)",
			"Means custom labels (keywords like $label1 or Important) can be stored permanently."),
		flag("$FORWARDED", "Keyword: message has been forwarded", "RFC 9051 §2.3.2; RFC 5550", "Set by clients when forwarding."),
		flag("$MDNSENT", "Keyword: a read receipt has been sent (or declined)", "RFC 9051 §2.3.2; RFC 3503", "Stops the client asking twice."),
		flag("$JUNK", "Keyword: message is spam", "RFC 9051 §2.3.2", "Set by the user's \"mark as spam\" or a filter."),
		flag("$NOTJUNK", "Keyword: message is definitely not spam", "RFC 9051 §2.3.2", "Set when the user rescues a message from Junk."),
		flag("$PHISHING", "Keyword: message is a phishing attempt", "RFC 9051 §2.3.2", "Clients should warn and disable links."),

		attr(`\NOINFERIORS`, "No sub-folders can be created under this folder", "RFC 9051 §7.3.1", "It is a leaf of the folder tree."),
		attr(`\NOSELECT`, "Folder cannot be opened: it is only a container", "RFC 9051 §7.3.1",
			"A placeholder in the hierarchy (e.g. after deleting a folder that had sub-folders)."),
		attr(`\HASCHILDREN`, "Folder has sub-folders", "RFC 9051 §7.3.1; RFC 3348", "Clients show an expand arrow."),
		attr(`\HASNOCHILDREN`, "Folder has no sub-folders", "RFC 9051 §7.3.1; RFC 3348", "A leaf for now."),
		attr(`\MARKED`, "Folder probably has new messages since last selected", "RFC 9051 §7.3.1", "A hint from the server."),
		attr(`\UNMARKED`, "Folder has no new messages since last selected", "RFC 9051 §7.3.1", "A hint from the server."),
		attr(`\SUBSCRIBED`, "Folder is on the subscription list", "RFC 9051 §7.3.1; RFC 5258", "Returned with LIST (SUBSCRIBED) or RETURN (SUBSCRIBED)."),
		attr(`\REMOTE`, "Folder lives on another server", "RFC 9051 §7.3.1; RFC 5258", "Listed with LIST (REMOTE)."),
		attr(`\NONEXISTENT`, "Folder does not exist (but is listed, e.g. still subscribed)", "RFC 9051 §7.3.1; RFC 5258",
			"Implies \\Noselect. Seen for subscribed folders that were deleted."),
		attr(`\ALL`, "Special use: virtual folder with every message", "RFC 6154 §2", "Gmail's \"All Mail\"."),
		attr(`\ARCHIVE`, "Special use: archive folder", "RFC 6154 §2", "Where the Archive button moves messages."),
		attr(`\DRAFTS`, "Special use: drafts folder", "RFC 6154 §2", "Where unfinished messages are saved."),
		attr(`\FLAGGED`, "Special use: virtual folder of flagged messages", "RFC 6154 §2", "Gmail's \"Starred\"."),
		attr(`\JUNK`, "Special use: spam folder", "RFC 6154 §2", "Where spam is filed."),
		attr(`\SENT`, "Special use: sent messages folder", "RFC 6154 §2",
			"Where the client APPENDs a copy of what it sent by SMTP (SMTP itself does not keep a copy)."),
		attr(`\TRASH`, "Special use: deleted items folder", "RFC 6154 §2", "Where \"delete\" moves messages before they are expunged for good."),
	}
}

// imapSearchKeys are the SEARCH criteria (RFC 9051 §6.4.4).
func imapSearchKeys() []Entry {
	key := func(k, summary, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: SearchKey, Key: k, Summary: summary, RFC: "RFC 9051 §6.4.4", Explain: explain}
	}
	ext := func(k, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: SearchKey, Key: k, Summary: summary, RFC: rfc, Explain: explain}
	}
	return []Entry{
		key("ALL", "All messages in the mailbox", "Matches everything; the default when combined with nothing else."),
		key("ANSWERED", "Messages with \\Answered", "Replied-to messages."),
		key("BCC", "Bcc header contains the string", "`BCC \"bob\"` (substring, case-insensitive)."),
		key("BEFORE", "Internal date earlier than the date (day only)", "`BEFORE 1-Feb-2024`; time and zone are ignored."),
		key("BODY", "Message body contains the string", "Searches the text, not the headers."),
		key("CC", "Cc header contains the string", "Substring match."),
		key("DELETED", "Messages with \\Deleted", "Marked for deletion."),
		key("DRAFT", "Messages with \\Draft", "Drafts."),
		key("FLAGGED", "Messages with \\Flagged", "Starred messages."),
		key("FROM", "From header contains the string", "`FROM \"alice\"` matches name or address."),
		key("HEADER", "The named header contains the string", "`HEADER Message-ID \"<x@y>\"`; empty string = header present."),
		key("KEYWORD", "Messages with the given keyword", "`KEYWORD $Forwarded`."),
		key("LARGER", "RFC822.SIZE larger than n bytes", "`LARGER 1000000` finds messages over ~1 MB."),
		key("NOT", "Messages that do not match the next key", "`NOT SEEN` = unread."),
		key("ON", "Internal date on the given day", "`ON 1-Feb-2024`."),
		key("OR", "Messages matching either of two keys", "`OR FROM alice FROM bob`. Keys are ANDed otherwise."),
		key("SEEN", "Messages with \\Seen", "Read messages."),
		key("SENTBEFORE", "Date: header earlier than the date", "Uses the sender's Date header, not the arrival time."),
		key("SENTON", "Date: header on the given day", "Uses the Date header."),
		key("SENTSINCE", "Date: header on or after the date", "Uses the Date header."),
		key("SINCE", "Internal date on or after the date", "`SINCE 1-Jan-2024`: arrived this year."),
		key("SMALLER", "RFC822.SIZE smaller than n bytes", "Small messages."),
		key("SUBJECT", "Subject contains the string", "Substring, case-insensitive."),
		key("TEXT", "Headers or body contain the string", "The broadest text search."),
		key("TO", "To header contains the string", "Substring match."),
		key("UID", "Messages whose UID is in the set", "`UID 100:200`."),
		key("UNANSWERED", "Messages without \\Answered", "Not replied to."),
		key("UNDELETED", "Messages without \\Deleted", "Not marked for deletion."),
		key("UNDRAFT", "Messages without \\Draft", "Not drafts."),
		key("UNFLAGGED", "Messages without \\Flagged", "Not starred."),
		key("UNKEYWORD", "Messages without the keyword", "`UNKEYWORD $Junk`."),
		key("UNSEEN", "Messages without \\Seen (unread)", "The unread count a client shows."),
		key("NEW", "Recent and unseen (IMAP4rev1 only)", "Equivalent to RECENT UNSEEN; removed in IMAP4rev2."),
		key("OLD", "Not recent (IMAP4rev1 only)", "Removed in IMAP4rev2."),
		key("RECENT", "Messages with \\Recent (IMAP4rev1 only)", "Removed in IMAP4rev2."),
		key("CHARSET", "Names the charset of the search strings", "`SEARCH CHARSET UTF-8 SUBJECT …`; unsupported ones give `NO [BADCHARSET]`."),
		ext("MODSEQ", "Messages changed since a modification sequence (CONDSTORE)", "RFC 7162 §3.1.5",
			"`SEARCH MODSEQ 620162338`: what changed since the client last synced."),
		ext("YOUNGER", "Arrived less than n seconds ago (WITHIN)", "RFC 5032 §3", "`YOUNGER 3600`: the last hour."),
		ext("OLDER", "Arrived more than n seconds ago (WITHIN)", "RFC 5032 §3", "`OLDER 2592000`: older than 30 days."),
		ext("X-GM-RAW", "Gmail: search with Gmail's own query syntax", "Gmail IMAP extensions (not an RFC)",
			"`X-GM-RAW \"has:attachment larger:5M\"` (Gmail only)."),
	}
}
