package transcripts

import (
	"strconv"
	"strings"

	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// IMAP extensions that real servers speak, mailtutor's own server among
// them for SORT, THREAD and CANCELUPDATE: a log from Dovecot, Gmail or
// Exchange is full of them, and a support trainee reading one must not be
// told they are mistakes.

// imapExtension is a command an IMAP extension adds.
type imapExtension struct {
	rfc  string   // where it is defined ("" for a vendor's private command)
	caps []string // the capabilities that announce it, any one of them
	note string   // what it does
}

var imapExtensions = map[string]imapExtension{
	"COMPRESS":          {"RFC 4978 §3", []string{"COMPRESS=DEFLATE"}, "asks to compress the rest of the connection with DEFLATE: after the OK both sides send compressed bytes"},
	"GETQUOTA":          {"RFC 9208 §4.1.1", []string{"QUOTA"}, "asks how much of a quota root (a storage allowance) is used"},
	"GETQUOTAROOT":      {"RFC 9208 §4.1.2", []string{"QUOTA"}, "asks which quota roots (storage allowances) cover a mailbox, and how much of each is used"},
	"SETQUOTA":          {"RFC 9208 §4.1.3", []string{"QUOTA"}, "changes the limits of a quota root (usually an administrator's command)"},
	"SORT":              {"RFC 5256 §3", []string{"SORT"}, "searches, and has the server sort the matches (by date, sender, subject...)"},
	"THREAD":            {"RFC 5256 §3", []string{"THREAD=REFERENCES", "THREAD=REFS", "THREAD=ORDEREDSUBJECT"}, "searches, and has the server group the matches into conversations"},
	"CANCELUPDATE":      {"RFC 5267 §4.3", []string{"CONTEXT=SEARCH", "CONTEXT=SORT"}, "stops the updates of a search or sort kept up to date (SEARCH RETURN (UPDATE))"},
	"GETMETADATA":       {"RFC 5464 §4.2", []string{"METADATA", "METADATA-SERVER"}, "reads annotations kept on a mailbox or on the server (comments, settings)"},
	"SETMETADATA":       {"RFC 5464 §4.3", []string{"METADATA", "METADATA-SERVER"}, "stores an annotation on a mailbox or on the server"},
	"NOTIFY":            {"RFC 5465 §3", []string{"NOTIFY"}, "tells the server which changes, in which mailboxes, to push to this session"},
	"XLIST":             {"", []string{"XLIST"}, "Gmail's older, non-standard LIST that marks the special folders (Sent, Trash...); SPECIAL-USE (RFC 6154) replaced it"},
	"GETACL":            {"RFC 4314 §3.3", []string{"ACL"}, "asks who may do what in a mailbox (its access control list)"},
	"SETACL":            {"RFC 4314 §3.1", []string{"ACL"}, "grants a user rights on a mailbox"},
	"DELETEACL":         {"RFC 4314 §3.2", []string{"ACL"}, "takes a user's rights on a mailbox away"},
	"LISTRIGHTS":        {"RFC 4314 §3.4", []string{"ACL"}, "asks which rights a user could be given on a mailbox"},
	"MYRIGHTS":          {"RFC 4314 §3.5", []string{"ACL"}, "asks what the logged-in user may do in a mailbox"},
	"LANGUAGE":          {"RFC 5255 §3.2", []string{"LANGUAGE"}, "asks the server to write its human-readable texts in another language"},
	"UNAUTHENTICATE":    {"RFC 8437 §2", []string{"UNAUTHENTICATE"}, "logs out without closing the connection, so that another user can log in"},
	"REPLACE":           {"RFC 8508 §3", []string{"REPLACE"}, "replaces a message with a new version in one step (as APPEND, then expunging the old one)"},
	"ESEARCH":           {"RFC 7377 §2", []string{"MULTISEARCH"}, "searches several mailboxes at once"},
	"XAPPLEPUSHSERVICE": {"", []string{"XAPPLEPUSHSERVICE"}, "Apple Mail registers the account for Apple's push notifications (a private extension)"},
}

// imapExtensionCommand explains a command from imapExtensions; false when
// verb (without "UID ") is not one.
func (a *IMAPAnnotator) imapExtensionCommand(l *Line, verb, base string) bool {
	ext, ok := imapExtensions[base]
	if !ok {
		return false
	}
	l.RFC = ext.rfc
	l.Note = ext.note
	a.want(kb.Command, base)
	if strings.HasPrefix(verb, "UID ") {
		l.Note += "; the answer gives UIDs, not message numbers"
	}
	caps := a.imap.caps
	switch {
	case caps == nil:
		l.Note += " (an extension: servers that offer it list " + ext.caps[0] + " among their capabilities)"
	case caps.hasAny(ext.caps):
		l.Note += " (an extension this server lists among its capabilities)"
	default:
		l.Note += ". This server did not list " + ext.caps[0] + " among its capabilities, so it will probably answer BAD"
		l.Level = Warning
	}
	return true
}

// imapCaps is a server's capability list, in upper case.
type imapCaps map[string]bool

func (c imapCaps) hasAny(names []string) bool {
	for _, n := range names {
		if c[n] {
			return true
		}
	}
	return false
}

// imapSawCaps remembers the capabilities a server listed (in a CAPABILITY
// response, or a [CAPABILITY ...] code): a later list replaces an earlier
// one, as after login or STARTTLS.
func (a *IMAPAnnotator) imapSawCaps(list string) {
	caps := imapCaps{}
	for _, c := range strings.Fields(list) {
		caps[strings.ToUpper(c)] = true
	}
	a.imap.caps = caps
}

// imapExtensionData explains untagged responses of imapExtensions; false
// for any other.
func (a *IMAPAnnotator) imapExtensionData(l *Line, kind, after string) bool {
	switch kind {
	case "QUOTAROOT":
		mailbox, roots := imapAString(after)
		l.Note = "the quota roots covering mailbox " + a.show(mailbox) + ": " + a.show(strings.TrimSpace(roots))
		if strings.TrimSpace(roots) == "" {
			l.Note = "no quota covers mailbox " + a.show(mailbox)
		}
		l.RFC = "RFC 9208 §4.2.2"
	case "QUOTA":
		root, usage := imapAString(after)
		l.Note = "quota root " + a.show(root) + ": " + imapQuotaUsage(usage)
		l.RFC = "RFC 9208 §4.2.1"
	case "VANISHED":
		set := strings.TrimSpace(after)
		if strings.HasPrefix(strings.ToUpper(set), "(EARLIER)") {
			l.Note = "the messages with UIDs " + a.show(strings.TrimSpace(set[len("(EARLIER)"):])) +
				" were expunged while this client was away: it drops them from its copy, without fetching the whole list again (QRESYNC)"
		} else {
			l.Note = "the messages with UIDs " + a.show(set) + " were just expunged (QRESYNC's form of EXPUNGE: UIDs instead of numbers)"
		}
		l.RFC = "RFC 7162 §3.2.10"
	case "SORT":
		l.Note = "the matches, in the order asked for: " + a.show(strings.TrimSpace(after))
		if strings.TrimSpace(after) == "" {
			l.Note = "no message matched"
		}
		l.RFC = "RFC 5256 §4"
	case "THREAD":
		l.Note = "the matches grouped into conversations, one (...) per thread: " + a.show(strings.TrimSpace(after))
		l.RFC = "RFC 5256 §4"
	case "METADATA":
		l.Note = "annotations: " + a.show(strings.TrimSpace(after)) + " (mailbox, then entry names and values)"
		l.RFC = "RFC 5464 §4.4"
	case "XLIST":
		l.Note = "a mailbox, in Gmail's older XLIST form: " + a.show(after) + " (attributes, hierarchy separator, name)"
	case "ACL":
		l.Note = "who may do what in a mailbox: " + a.show(strings.TrimSpace(after)) + " (user, then rights: l lookup, r read, s keep seen, w write flags, i insert, k create, x delete mailbox, t delete messages, e expunge, a administer)"
		l.RFC = "RFC 4314 §3.6"
	case "MYRIGHTS":
		l.Note = "what this user may do in the mailbox: " + a.show(strings.TrimSpace(after)) + " (l lookup, r read, s keep seen, w write flags, i insert, k create, x delete mailbox, t delete messages, e expunge, a administer)"
		l.RFC = "RFC 4314 §3.8"
	case "LISTRIGHTS":
		l.Note = "the rights that could be given: " + a.show(strings.TrimSpace(after))
		l.RFC = "RFC 4314 §3.7"
	case "LANGUAGE":
		l.Note = "the languages the server can write its texts in: " + a.show(strings.TrimSpace(after))
		l.RFC = "RFC 5255 §3.3"
	default:
		return false
	}
	return true
}

// imapQuotaUsage describes "(STORAGE 10240 1048576 MESSAGE 120 10000)":
// resource, usage, limit; STORAGE counts units of 1024 octets.
func imapQuotaUsage(list string) string {
	f := strings.Fields(strings.Trim(strings.TrimSpace(list), "()"))
	var parts []string
	for i := 0; i+2 < len(f); i += 3 {
		used, err1 := strconv.ParseUint(f[i+1], 10, 64)
		limit, err2 := strconv.ParseUint(f[i+2], 10, 64)
		if err1 != nil || err2 != nil {
			return list
		}
		res := strings.ToUpper(f[i])
		part := res + " " + strconv.FormatUint(used, 10) + " of " + strconv.FormatUint(limit, 10)
		if res == "STORAGE" {
			part += " KiB"
		}
		switch pct := (used*100 + limit/2) / max(limit, 1); {
		case limit == 0:
		case pct == 0 && used > 0:
			part += " (under 1%)"
		default:
			part += " (" + strconv.FormatUint(pct, 10) + "%)"
		}
		parts = append(parts, part+" used")
	}
	if len(parts) == 0 {
		return "no limits"
	}
	return strings.Join(parts, "; ")
}
