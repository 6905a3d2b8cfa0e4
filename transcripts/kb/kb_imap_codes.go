package kb

import "github.com/mailtutor/mailtutor/simulator/wire"

// imapResponses are the status responses (RFC 9051 §7.1), the untagged data
// responses (§7.2–§7.5) and the continuation request (§7.6).
func imapResponses() []Entry {
	resp := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: Response, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	ok := resp("OK", "Success (tagged), or information (untagged * OK)", "RFC 9051 §7.1.1",
		"`a1 OK …` completes command a1 successfully. `* OK …` is information: the greeting, or a response "+
			"code such as `[UIDVALIDITY …]` or `[ALERT]`. The text after OK is for people; the bracketed code is for programs.")
	no := resp("NO", "Failure: the command was understood but could not be done", "RFC 9051 §7.1.2",
		"A valid command that failed: wrong password, folder does not exist, no permission, over quota. The "+
			"bracketed response code (`[AUTHENTICATIONFAILED]`, `[TRYCREATE]`, `[OVERQUOTA]` …) says why. The "+
			"session goes on. An untagged `* NO` is a warning.")
	no.Client = "\"The IMAP server reported an error\" or a specific message (wrong password, folder missing)."
	no.Check = "Read the bracketed code: AUTHENTICATIONFAILED = credentials; TRYCREATE = folder missing; OVERQUOTA = mailbox full; NOPERM = rights."
	bad := resp("BAD", "Protocol error: the command was not understood", "RFC 9051 §7.1.3",
		"The command is unknown, malformed, or not allowed in this state (e.g. FETCH before SELECT, a missing "+
			"argument, a quoting mistake). It indicates a client bug or a typo, not a server problem. An untagged "+
			"`* BAD` reports a line the server could not tie to a command (often a missing tag); RFC 9051 §7.1.3 "+
			"answers such a line with BAD, before login too. Hanging up instead (go-imap does, on an unknown "+
			"command before login) is that server's own defence, not the RFC's rule.")
	bad.Client = "Rare: \"The server could not understand the command\"; points at a client bug or an incompatible proxy."
	bad.Check = "Check the exact command: tag present, arguments quoted, right state (logged in? mailbox selected?)."
	bye := resp("BYE", "The server is closing the connection", "RFC 9051 §7.1.5",
		"Sent before the server hangs up: after LOGOUT (normal), at shutdown, after an idle timeout (typically "+
			"30 minutes), or as a defence — go-imap closes the connection after an unknown command before login, "+
			"to stop cross-protocol attacks (e.g. a web page making a browser talk to the IMAP port). In the "+
			"greeting it means the server refuses the connection.")
	bye.Client = "\"Connection to server lost\"; apps reconnect silently after a timeout."
	bye.Check = "If not after LOGOUT: read the text (timeout, shutdown, too many connections); frequent BYEs can mean a firewall cutting idle connections."
	return []Entry{
		ok, no, bad, bye,
		resp("PREAUTH", "Greeting: you are already logged in (no LOGIN needed)", "RFC 9051 §7.1.4",
			"The connection is pre-authenticated (e.g. over a local pipe or by a TLS client certificate); the "+
				"session starts in authenticated state."),
		resp("+", "Continuation request: the server is ready for more data", "RFC 9051 §7.6",
			"Sent when the server waits for the client: the bytes of a literal `{n}` (APPEND, a quoted-unsafe "+
				"password), the next base64 line of AUTHENTICATE, or while IDLE (`+ idling`)."),
		resp("CAPABILITY", "Untagged list of the server's capabilities", "RFC 9051 §7.2.2",
			"`* CAPABILITY IMAP4rev1 IMAP4rev2 IDLE …`: answer to CAPABILITY; also sent after login when it changes."),
		resp("ENABLED", "Untagged list of extensions turned on by ENABLE", "RFC 9051 §7.2.1", "Only what is listed is active."),
		resp("LIST", "One mailbox: attributes, hierarchy separator, name", "RFC 9051 §7.3.1",
			"`* LIST (\\HasNoChildren \\Sent) \"/\" Sent`: the Sent folder, no sub-folders, \"/\" separates levels."),
		resp("LSUB", "One subscribed mailbox (IMAP4rev1)", "RFC 3501 §7.2.3", "Same shape as LIST, answer to LSUB."),
		resp("NAMESPACE", "The personal, other-users and shared namespaces", "RFC 9051 §7.3.2", "Answer to NAMESPACE."),
		resp("STATUS", "Counters of a mailbox (MESSAGES, UNSEEN, UIDNEXT …)", "RFC 9051 §7.3.3",
			"`* STATUS INBOX (MESSAGES 3 UNSEEN 1)`: answer to STATUS or LIST-STATUS."),
		resp("ESEARCH", "Extended SEARCH result (ALL, MIN, MAX, COUNT)", "RFC 9051 §7.3.4; RFC 4731",
			"`* ESEARCH (TAG \"a5\") UID ALL 4:7,9`: compact ranges instead of a list of numbers."),
		resp("SEARCH", "SEARCH result: matching message numbers or UIDs (IMAP4rev1)", "RFC 3501 §7.2.5",
			"`* SEARCH 2 5 8`; an empty `* SEARCH` means nothing matched."),
		resp("SORT", "SORT result: the matching messages in the order asked for", "RFC 5256 §4",
			"`* SORT 5 3 4 1 2`: message 5 comes first. Numbers are UIDs after UID SORT; an empty `* SORT` means "+
				"nothing matched. After `SORT RETURN (…)` (ESORT) the answer is an ESEARCH line instead."),
		resp("THREAD", "THREAD result: the matching messages grouped into conversations", "RFC 5256 §4",
			"One parenthesis per thread: `(3 6 (4 23)(44 7 96))` is 3, its reply 6, and two branches under 6, "+
				"(4 23) and (44 7 96). Numbers in a row are a chain of replies; a list of parentheses is a fork; "+
				"`((3)(5))` has no parent in the mailbox. An empty `* THREAD` means nothing matched."),
		resp("ID", "The server's name and version, answering ID", "RFC 2971 §3.2",
			"`* ID (\"name\" \"mailtutor\" \"version\" \"1.0\")`, or `* ID NIL` from a server that says nothing."),
		resp("FLAGS", "The flags that exist in the selected mailbox", "RFC 9051 §7.3.5",
			"Sent on SELECT: which flags are defined here. Which ones can be changed is in `[PERMANENTFLAGS …]`."),
		resp("EXISTS", "Number of messages in the mailbox (new mail if it grew)", "RFC 9051 §7.4.1",
			"`* 4 EXISTS`: the mailbox now holds 4 messages. Sent on SELECT, and whenever new mail arrives "+
				"(after NOOP, during IDLE): this is how a client learns about new mail."),
		resp("RECENT", "Number of messages with \\Recent (IMAP4rev1 only)", "RFC 3501 §7.3.2",
			"`* 1 RECENT`: how many messages in the mailbox have \\Recent, that is, how many this session is the "+
				"first to be told about (RFC 3501 §2.3.2). Removed in IMAP4rev2."),
		resp("EXPUNGE", "A message was removed; the numbers after it shift down", "RFC 9051 §7.5.1",
			"`* 3 EXPUNGE`: message 3 is gone, message 4 becomes 3, and so on. Sent after EXPUNGE, CLOSE is silent, "+
				"MOVE sends one per moved message. A client must never see `* 0 EXPUNGE` (numbers start at 1)."),
		resp("FETCH", "Data about one message (answer to FETCH, or a flag change)", "RFC 9051 §7.5.2",
			"`* 2 FETCH (FLAGS (\\Seen) UID 7)`: the number is the message sequence number. Also sent unasked when "+
				"another client changes flags."),
		resp("VANISHED", "UIDs of messages removed (QRESYNC replacement for EXPUNGE)", "RFC 7162 §3.2.10",
			"`* VANISHED (EARLIER) 300:310`: used after ENABLE QRESYNC; lists UIDs instead of renumbering one by one."),
		resp("QUOTA", "Usage and limits of a quota root", "RFC 9208 §4.2.1", "`* QUOTA \"\" (STORAGE 512 1024)` in KiB."),
		resp("QUOTAROOT", "Which quota roots apply to a mailbox", "RFC 9208 §4.2.2", "Answer to GETQUOTAROOT."),
		resp("METADATA", "Annotation values (answer to GETMETADATA)", "RFC 5464 §4.4", "Entry names and their values."),
	}
}

// imapResponseCodes are the bracketed codes in status responses (IANA "IMAP
// Response Codes" registry: RFC 9051 §7.1, RFC 3501 §7.1, RFC 5530 and others).
func imapResponseCodes() []Entry {
	code := func(key, summary, rfc, explain string) Entry {
		return Entry{Proto: wire.IMAP, Kind: ResponseCode, Key: key, Summary: summary, RFC: rfc, Explain: explain}
	}
	help := func(e Entry, client, check string) Entry {
		e.Client, e.Check = client, check
		return e
	}
	return []Entry{
		help(code("ALERT", "A message the client must show to the user", "RFC 9051 §7.1",
			"The text is meant for the person, not the program: e.g. \"Your mailbox will be deleted tomorrow\" or "+
				"\"Password expires in 3 days\". Clients must display it."),
			"A pop-up with the server's text.", "Read the alert text: it is the server administrator talking to the user."),
		code("ALREADYEXISTS", "The mailbox (or name) already exists", "RFC 5530 §3",
			"CREATE or RENAME to a name that is taken."),
		code("APPENDUID", "UIDVALIDITY and UID given to the appended message", "RFC 4315 §3; RFC 9051 §7.1",
			"`[APPENDUID 38505 3955]`: the client knows the new message's UID without searching. The first number "+
				"is the folder's UIDVALIDITY: the UID means this message only while it stays the same. After a "+
				"MULTIAPPEND (RFC 3502) the second is a set, one UID per message in the order sent: "+
				"`[APPENDUID 38505 3955:3957]`."),
		help(code("AUTHENTICATIONFAILED", "Login failed: wrong user name or password (or unknown)", "RFC 5530 §3",
			"The credentials were rejected. The server deliberately does not say whether the user or the password "+
				"was wrong. After a few failures servers slow down their answers (mailtutor waits 1 s after the "+
				"fourth failure on a connection, then 2, 4, up to 8 s), which makes guessing passwords slow."),
			"Password prompt: \"Login to server failed\".",
			"User name is often the full address; re-type the password; check lock-out or app-password requirements."),
		code("AUTHORIZATIONFAILED", "Credentials fine, but you may not act as the requested user", "RFC 5530 §3",
			"Authentication worked but the authorization identity (acting on someone else's mailbox) is not permitted."),
		code("BADCHARSET", "SEARCH charset not supported (lists the supported ones)", "RFC 9051 §7.1",
			"`[BADCHARSET (UTF-8 US-ASCII)]`: retry the search (or SORT, THREAD) with one of the listed charsets."),
		code("CANNOT", "The operation violates a server rule and will never work", "RFC 5530 §3",
			"For example a forbidden character in a mailbox name, or renaming INBOX into itself."),
		code("CAPABILITY", "The server's capability list, given inline", "RFC 9051 §7.1",
			"`* OK [CAPABILITY IMAP4rev1 …] ready` saves the client a CAPABILITY command."),
		code("CLIENTBUG", "The server thinks the client did something wrong but carried on", "RFC 5530 §3",
			"E.g. expunging messages that were not \\Deleted; a hint to the client's developers."),
		code("CLOSED", "The previous mailbox was closed (before a new SELECT)", "RFC 7162 §3.2.11; RFC 9051 §7.1",
			"Marks where responses for the old mailbox end and those of the new one begin."),
		code("CONTACTADMIN", "Ask your administrator (account needs attention)", "RFC 5530 §3",
			"The user must contact support, e.g. the account is suspended."),
		code("COPYUID", "UIDs of the source messages and of their copies", "RFC 4315 §3; RFC 9051 §7.1",
			"`[COPYUID 38505 304,319:320 3956:3958]`: old UIDs map to new UIDs in the target folder."),
		code("CORRUPTION", "The server found corrupted data", "RFC 5530 §3", "A server-side problem; the administrator must look."),
		code("EXPIRED", "The password or account has expired", "RFC 5530 §3", "The user must renew it (e.g. change the password)."),
		code("EXPUNGEISSUED", "Another client expunged messages meanwhile", "RFC 5530 §3",
			"The command worked but some messages it referred to vanished; the client should resync."),
		code("HASCHILDREN", "Cannot delete: the mailbox has sub-mailboxes", "RFC 9051 §7.1", "Delete the children first."),
		help(code("INUSE", "The resource is locked by someone else; try again", "RFC 5530 §3",
			"Another process holds a lock on the mailbox. Temporary."),
			"Occasional \"mailbox in use\" errors.", "Retry; if constant, look for another session or a stuck lock."),
		code("LIMIT", "A server limit was hit (too many folders, too big a command …)", "RFC 5530 §3",
			"Reduce the request, e.g. fewer messages per command."),
		code("NONEXISTENT", "The mailbox or item does not exist", "RFC 5530 §3", "Typically SELECT or DELETE of a wrong name."),
		code("NOPERM", "No permission (ACL) for this operation", "RFC 5530 §3", "The user's rights on a shared folder do not allow it."),
		help(code("OVERQUOTA", "Over quota: the mailbox is full", "RFC 5530 §3",
			"APPEND or COPY failed because storage is used up. Sent mail cannot be saved, drafts fail."),
			"\"Quota exceeded\"; sent messages not saved to Sent.", "Empty Trash and Junk, delete large attachments, or raise the quota."),
		code("PARSE", "The server could not parse a message's headers or MIME", "RFC 9051 §7.1",
			"The message is malformed; FETCH of its structure may be incomplete."),
		code("PERMANENTFLAGS", "Flags the client may change permanently (\\* = may create keywords)", "RFC 9051 §7.1",
			"`[PERMANENTFLAGS (\\Seen \\Deleted \\*)]` on SELECT. A flag missing here can be set but will not be saved."),
		code("PRIVACYREQUIRED", "Refused because the connection is not encrypted", "RFC 5530 §3",
			"Use STARTTLS or port 993 first."),
		code("READ-ONLY", "The mailbox is open read-only", "RFC 9051 §7.1", "After EXAMINE, or when the user lacks write rights."),
		code("READ-WRITE", "The mailbox is open for reading and writing", "RFC 9051 §7.1", "The normal result of SELECT."),
		code("SERVERBUG", "The server hit an internal bug", "RFC 5530 §3", "Not the user's fault; report it."),
		help(code("TRYCREATE", "The target mailbox does not exist; create it and retry", "RFC 9051 §7.1",
			"APPEND, COPY or MOVE to a missing folder. A client may CREATE it and try again (e.g. a Sent folder "+
				"named differently on this server)."),
			"\"Could not copy to folder Sent\" / \"folder does not exist\".",
			"Check the special folders settings (Sent, Drafts, Trash) point to existing folders."),
		code("UIDNEXT", "The UID the next new message will get", "RFC 9051 §7.1",
			"`[UIDNEXT 4392]`: if it grew since last time, new mail arrived."),
		code("UIDNOTSTICKY", "UIDs in this mailbox do not persist between sessions", "RFC 4315 §3; RFC 9051 §7.1",
			"The client cannot rely on cached UIDs here."),
		code("UIDVALIDITY", "Identifies this incarnation of the mailbox's UIDs", "RFC 9051 §7.1; §2.3.1.1",
			"`[UIDVALIDITY 3857529045]`. If it changes, all UIDs the client cached are invalid (the folder was "+
				"recreated) and it must download the list again."),
		code("UNAVAILABLE", "Temporary failure (a back end is down); retry later", "RFC 5530 §3",
			"E.g. the authentication database is unreachable. The credentials may be fine."),
		code("UNKNOWN-CTE", "The server cannot decode this part's transfer encoding", "RFC 9051 §7.1; RFC 3516",
			"FETCH BINARY on an unknown Content-Transfer-Encoding; fetch BODY instead."),
		code("UNSEEN", "Number of the first unseen message (IMAP4rev1)", "RFC 3501 §7.1",
			"`[UNSEEN 12]`: message 12 is the first unread one. Removed in IMAP4rev2."),
		code("NOTSAVED", "The search result could not be saved ($ is empty)", "RFC 5182 §2.5", "SEARCHRES."),
		code("HIGHESTMODSEQ", "The highest modification sequence in the mailbox", "RFC 7162 §3.1.2.1",
			"CONDSTORE: if unchanged since the last sync, nothing changed."),
		code("NOMODSEQ", "This mailbox does not support MODSEQ", "RFC 7162 §3.1.2.2", "CONDSTORE is not available here."),
		code("MODIFIED", "Conditional STORE not done for these messages (changed meanwhile)", "RFC 7162 §3.1.3",
			"UNCHANGEDSINCE failed for the listed messages."),
		code("COMPRESSIONACTIVE", "Compression is already on", "RFC 4978 §3", "COMPRESS sent twice."),
		code("USEATTR", "The special-use attribute was refused", "RFC 6154 §3", "CREATE … (USE (\\Sent)) not allowed."),
		code("METADATA", "A metadata limit (LONGENTRIES, MAXSIZE, TOOMANY, NOPRIVATE)", "RFC 5464 §4.2.1; §4.3",
			"Says which metadata limit was hit."),
		code("TOOBIG", "The message is too big (e.g. over APPENDLIMIT)", "RFC 4469 §4; RFC 7889", "Upload refused."),
		code("BADURL", "A URL in CATENATE could not be resolved", "RFC 4469 §4", "CATENATE referred to a missing part."),
		code("URLMECH", "URL authorisation mechanisms supported", "RFC 4467 §7", "URLAUTH."),
		code("REFERRAL", "Go to another server for this", "RFC 2221 §4.1; RFC 2193 §4.1", "`[REFERRAL imap://host/]`."),
		code("BADCOMPARATOR", "Unknown comparator (collation) requested", "RFC 5255 §4.9", "I18NLEVEL."),
		code("ANNOTATE", "Annotation limit reached (ANNOTATE-EXPERIMENT-1)", "RFC 5257 §4.4", "TOOBIG or TOOMANY."),
		code("ANNOTATIONS", "Annotation support in this mailbox", "RFC 5257 §4.3", "NONE, READ-ONLY, or a size."),
		code("TEMPFAIL", "Temporary conversion failure (CONVERT)", "RFC 5259 §9", "Retry later."),
		code("MAXCONVERTMESSAGES", "Too many messages in one CONVERT", "RFC 5259 §9", "Convert fewer at a time."),
		code("MAXCONVERTPARTS", "Too many parts in one CONVERT", "RFC 5259 §9", "Convert fewer at a time."),
		code("NOUPDATE", "The server will not keep this search context updated", "RFC 5267 §4.3",
			"`* NO [NOUPDATE \"a1\"]` after `SEARCH RETURN (UPDATE)`: the result is given once, not kept up to date "+
				"as mail arrives (CONTEXT=SEARCH); mailtutor always declines."),
		code("NOTIFICATIONOVERFLOW", "Too many notifications; NOTIFY turned off", "RFC 5465 §5.8", "The client must resync."),
		code("BADEVENT", "NOTIFY asked for an event the server does not support", "RFC 5465 §5.9", "Lists the supported events."),
		code("UNDEFINED-FILTER", "SEARCH FILTER names a filter that does not exist", "RFC 5466 §3.1", "FILTERS."),
		code("MAILBOXID", "The stable ID of the mailbox (OBJECTID)", "RFC 8474 §4.1", "Returned on CREATE and SELECT."),
		code("INPROGRESS", "Progress report for a long command", "RFC 9585 §3", "`[INPROGRESS (a5 300 1000)]`: 300 of 1000 done."),
		code("UIDREQUIRED", "This command needs UIDs (UIDONLY mode)", "RFC 9586 §3", "Use the UID form of the command."),
	}
}
