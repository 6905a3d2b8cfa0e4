package kb

import (
	"strings"
	"sync"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// entryID identifies an entry in the index: the same key can mean different
// things in different protocols ("AUTH") or kinds ("SIZE" keyword vs SIZE= parameter).
type entryID struct {
	proto wire.Proto
	kind  Kind
	key   string
}

// index is the read-only lookup structure built once from the data files.
type index struct {
	entries []Entry          // every entry, in the order of the data files
	byID    map[entryID]int  // exact (proto, kind, key) → position in entries
	byKey   map[string][]int // key alone → positions, across protocols and kinds (for Explain)
}

// theIndex is built on first use and never changes afterwards, so sharing it
// between goroutines (one annotator per session) is safe.
var theIndex = sync.OnceValue(buildIndex)

// allEntries lists the data of every file in a fixed order: SMTP, POP3, IMAP.
func allEntries() []Entry {
	var all []Entry
	all = append(all, smtpCommands()...)
	all = append(all, smtpKeywords()...)
	all = append(all, smtpParameters()...)
	all = append(all, saslMechanisms()...)
	all = append(all, smtpReplyCodes()...)
	all = append(all, enhancedCodes()...)
	all = append(all, authEntries()...)
	all = append(all, pop3Entries()...)
	all = append(all, imapCommands()...)
	all = append(all, imapCapabilities()...)
	all = append(all, imapResponses()...)
	all = append(all, imapResponseCodes()...)
	all = append(all, imapFetchItems()...)
	all = append(all, imapFlagsAndAttrs()...)
	all = append(all, imapSearchKeys()...)
	return all
}

func buildIndex() *index {
	ix := &index{
		entries: allEntries(),
		byID:    make(map[entryID]int),
		byKey:   make(map[string][]int),
	}
	for i, e := range ix.entries {
		id := entryID{e.Proto, e.Kind, e.Key}
		if _, dup := ix.byID[id]; dup {
			continue // the first one wins; TestNoDuplicates reports the second
		}
		ix.byID[id] = i
		ix.byKey[e.Key] = append(ix.byKey[e.Key], i)
	}
	return ix
}

// exact finds an entry by its canonical (already normalised) key, nothing else.
func (ix *index) exact(p wire.Proto, k Kind, key string) (Entry, bool) {
	i, ok := ix.byID[entryID{p, k, key}]
	if !ok {
		return Entry{}, false
	}
	return ix.entries[i], true
}

// All returns every entry in a stable order (SMTP, then POP3, then IMAP; within
// a protocol, the order of the data files). The slice is the caller's to keep.
func All() []Entry {
	ix := theIndex()
	out := make([]Entry, len(ix.entries))
	copy(out, ix.entries)
	return out
}

// Lookup finds the entry for key in protocol p. The key is normalised with
// NormalizeKey. When there is no exact entry, Lookup tries the forms the key
// takes on the wire, so annotators can pass what they saw:
//   - arguments after the name: "SIZE 10240000", "UIDVALIDITY 3857529045", "AUTH PLAIN LOGIN";
//   - a value after "=": "AUTH=PLAIN" finds "AUTH=", "SIZE=1000" finds "SIZE";
//   - FETCH sections and partials: "BODY[1.2]<0.100>" finds "BODY[]", "BODY.PEEK[HEADER]" finds "BODY.PEEK";
//   - hierarchical POP3 codes: "SYS/FOO" finds "SYS";
//   - enhanced status codes go through LookupEnhanced ("4.2.2" finds "X.2.2");
//   - SASL mechanisms of POP3 and IMAP find the shared entries kept under SMTP.
//
// The hit path is one map access and no allocation for keys already upper case.
func Lookup(p wire.Proto, k Kind, key string) (Entry, bool) {
	ix := theIndex()
	key = NormalizeKey(key)
	if e, ok := ix.exact(p, k, key); ok {
		return e, true
	}
	if k == EnhancedCode {
		return LookupEnhanced(key)
	}
	for _, alt := range alternativeKeys(k, key) {
		if e, ok := ix.exact(p, k, alt); ok {
			return e, true
		}
	}
	if k == Mechanism && p != wire.SMTP {
		// SASL mechanisms are the same in every protocol (RFC 4422); the
		// data lists them once, under SMTP.
		if e, ok := ix.exact(wire.SMTP, k, key); ok {
			e.Proto = p
			return e, true
		}
	}
	return Entry{}, false
}

// alternativeKeys lists, most specific first, the shorter keys an on-the-wire
// form may stand for. Only called after an exact miss.
func alternativeKeys(k Kind, key string) []string {
	var alts []string
	// Arguments: "UID FETCH 1:* FLAGS" → "UID FETCH", then "UID".
	if fields := strings.Fields(key); len(fields) > 1 {
		alts = append(alts, fields[0]+" "+fields[1], fields[0])
		key = fields[0]
	}
	if k == FetchItem {
		// "BODY[1.2]<0.100>" → "BODY[]", "BODY"; "BINARY.SIZE[2]" → "BINARY.SIZE[]".
		if i := strings.IndexByte(key, '<'); i > 0 {
			key = key[:i]
			alts = append(alts, key)
		}
		if i := strings.IndexByte(key, '['); i > 0 {
			alts = append(alts, key[:i]+"[]", key[:i])
		}
	}
	if i := strings.IndexByte(key, '='); i > 0 {
		alts = append(alts, key[:i+1], key[:i])
	}
	if i := strings.IndexByte(key, '/'); i > 0 {
		alts = append(alts, key[:i])
	}
	return alts
}

// LookupEnhanced finds an SMTP enhanced status code (RFC 3463). An exact entry
// ("5.7.1") wins; otherwise the subject.detail entry shared by every class
// ("X.7.1") is returned, re-worded for the class the code carries (2 success,
// 4 temporary, 5 permanent). A detail the registry does not list gets an entry
// that explains the subject group only (RFC 3463 §2: clients that do not know
// a detail can still act on class and subject).
func LookupEnhanced(code string) (Entry, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	class, subject, detail, ok := splitEnhanced(code)
	if !ok {
		return Entry{}, false
	}
	ix := theIndex()
	if e, ok := ix.exact(wire.SMTP, EnhancedCode, code); ok {
		return e, true
	}
	if class == "X" {
		return Entry{}, false // "X.9.9": no such entry, and no class to explain
	}
	if e, ok := ix.exact(wire.SMTP, EnhancedCode, "X."+subject+"."+detail); ok {
		return forClass(e, class, code), true
	}
	if e, ok := ix.exact(wire.SMTP, EnhancedCode, "X."+subject+".0"); ok {
		e = forClass(e, class, code)
		e.Summary = "Unlisted detail code in group X." + subject + " (" + classWord(class) + ")"
		e.Explain = classExplain(class, subject) + "\n\nThe detail number " + detail +
			" is not in the IANA registry (perhaps a private or newer code). The subject group " +
			subject + " still tells you the area: " + subjectArea(subject) + "."
		return e, true
	}
	return Entry{}, false
}

// splitEnhanced checks the form class.subject.detail (RFC 3463 §2: class is 2,
// 4 or 5, subject and detail are 1–3 digits) and returns its parts. Class "X"
// is accepted so registry keys ("X.7.1") can be looked up too.
func splitEnhanced(code string) (class, subject, detail string, ok bool) {
	parts := strings.Split(code, ".")
	if len(parts) != 3 {
		return "", "", "", false
	}
	switch parts[0] {
	case "2", "4", "5", "X":
	default:
		return "", "", "", false
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 {
			return "", "", "", false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return "", "", "", false
			}
		}
	}
	// "5.07.1" and "5.7.01" are not canonical; drop leading zeros so they still match.
	return parts[0], trimZeros(parts[1]), trimZeros(parts[2]), true
}

func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// forClass turns a class-independent "X.s.d" entry into one for a concrete code.
func forClass(e Entry, class, code string) Entry {
	_, subject, _, _ := splitEnhanced(code)
	e.Key = code
	e.Summary = e.Summary + " (" + classWord(class) + ")"
	e.Explain = classExplain(class, subject) + "\n\n" + e.Explain
	return e
}

func classWord(class string) string {
	switch class {
	case "2":
		return "success"
	case "4":
		return "temporary failure"
	default:
		return "permanent failure"
	}
}

// classExplain is the meaning of the first digit (RFC 3463 §2). subject
// matters for class 5: a refused command of the protocol itself (X.5.x,
// "500 5.5.2" for a typo) is answered in the session and bounces nothing.
func classExplain(class, subject string) string {
	switch class {
	case "2":
		return "**Class 2 (success, RFC 3463 §2):** the action worked. The rest of the code says what it concerned."
	case "4":
		return "**Class 4 (persistent transient failure, RFC 3463 §2):** the message is fine as it is, " +
			"but a temporary condition stopped it. In a live SMTP reply (4xx) the sending server keeps the message " +
			"and retries later. In a bounce, or after a 5xx reply, it means the condition lasted until the sender " +
			"gave up: the message is not delivered, though sending it again later may work."
	}
	if subject == "5" {
		return "**Class 5 (permanent failure, RFC 3463 §2):** this command, as sent, will not work. An X.5.x " +
			"code is about the SMTP exchange itself (a mistyped or malformed command, one out of order): the " +
			"server refused that one line and the session goes on. Nothing bounces; correct the command and " +
			"send it again."
	}
	return "**Class 5 (permanent failure, RFC 3463 §2):** sending the same message again will not work " +
		"unless something is changed (the address, the message, the account or the server's policy). " +
		"The sender gets a bounce (non-delivery report)."
}

// InReply explains an enhanced code as part of a whole SMTP reply: when its
// class disagrees with the reply code ("550 4.4.7", Microsoft 365's
// QUEUE.Expired), the reply code says what happened to the message and the
// class why, and the class's own wording alone would mislead.
func InReply(e Entry, reply string) Entry {
	if len(reply) != 3 || len(e.Key) < 1 || e.Key[0] == reply[0] {
		return e
	}
	var whole string
	switch {
	case reply[0] == '5' && e.Key[0] == '4':
		whole = "**The whole reply, " + reply + " " + e.Key + ":** the basic code 5xx says the message is given up " +
			"for good and will not be retried (a bounce); the enhanced class 4 says why: a temporary condition " +
			"that lasted too long (RFC 3463 §2, persistent transient failure). The sender may send it again later."
		e.Summary = strings.TrimSuffix(e.Summary, " ("+classWord("4")+")") + " (in a " + reply + ": a temporary cause, given up)"
	case reply[0] == '4' && e.Key[0] == '5':
		whole = "**The whole reply, " + reply + " " + e.Key + ":** the basic code 4xx decides: the command failed " +
			"for now and the sending server retries later (RFC 5321 §4.2.1). The enhanced class 5 does not match " +
			"it; read the text for what the server meant."
	default:
		whole = "**The whole reply, " + reply + " " + e.Key + ":** the basic reply code decides what happens " +
			"(RFC 5321 §4.2.1); the enhanced code's class does not match it."
	}
	e.Explain = whole + "\n\n" + e.Explain
	return e
}

// subjectArea names the subject groups of RFC 3463 §3.
func subjectArea(subject string) string {
	switch subject {
	case "0":
		return "other or undefined status"
	case "1":
		return "addressing (the sender or recipient address)"
	case "2":
		return "the recipient's mailbox"
	case "3":
		return "the receiving mail system"
	case "4":
		return "the network and routing"
	case "5":
		return "the SMTP protocol exchange itself"
	case "6":
		return "the message content or media"
	case "7":
		return "security or policy"
	}
	return "unknown"
}
