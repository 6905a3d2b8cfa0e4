package kb

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Scores order the results of Explain: the most specific element of a query
// comes first ("5.7.1" says more than "550", "[IN-USE]" more than "-ERR").
const (
	scoreWhole    = 100 // the whole query is a key: "UID FETCH", "X.7.1", "BODY[]"
	scoreSpecific = 90  // enhanced codes and bracketed response codes
	scorePhrase   = 85  // a two-word command: "UID FETCH 1:* FLAGS"
	scoreArgument = 80  // an argument explained in context: AUTH's mechanism, MAIL's parameter
	scoreCommand  = 70  // the command verb of a command line
	scoreWord     = 60  // a single word in any protocol and kind
	scoreReply    = 50  // an SMTP basic reply code
	scoreStatus   = 40  // +OK / -ERR / OK / NO / BAD / BYE
)

// kindRank orders entries of equal score: commands before the rest.
func kindRank(k Kind) int {
	for i, x := range allKinds(nil) {
		if x == k {
			return i
		}
	}
	return len(allKinds(nil)) // ReplyCode, EnhancedCode: last
}

// found collects matches without duplicates, remembering the best score of each.
type found struct {
	ix     *index
	score  map[entryID]int
	order  map[entryID]int // position in the index, for a stable order
	byID   map[entryID]Entry
	idList []entryID
}

func newFound(ix *index) *found {
	return &found{ix: ix, score: map[entryID]int{}, order: map[entryID]int{}, byID: map[entryID]Entry{}}
}

func (f *found) add(e Entry, score int) {
	id := entryID{e.Proto, e.Kind, e.Key}
	if old, ok := f.score[id]; ok {
		if score > old {
			f.score[id] = score
		}
		return
	}
	f.score[id] = score
	f.byID[id] = e
	pos, ok := f.ix.byID[id]
	if !ok {
		pos = len(f.ix.entries) // class-specific enhanced codes are not in the index
	}
	f.order[id] = pos
	f.idList = append(f.idList, id)
}

// addExact adds every entry whose key is exactly key, of the given kinds.
func (f *found) addExact(key string, score int, kinds ...Kind) bool {
	hit := false
	for _, i := range f.ix.byKey[NormalizeKey(key)] {
		e := f.ix.entries[i]
		if matches(e, nil, kinds) {
			f.add(e, score)
			hit = true
		}
	}
	return hit
}

// addKey adds every entry whose key is key (or an on-the-wire form of it),
// optionally only of the given kinds and protocols.
func (f *found) addKey(key string, score int, protos []wire.Proto, kinds ...Kind) bool {
	key = NormalizeKey(key)
	if key == "" {
		return false
	}
	hit := false
	for _, i := range f.ix.byKey[key] {
		e := f.ix.entries[i]
		if matches(e, protos, kinds) {
			f.add(e, score)
			hit = true
		}
	}
	if hit {
		return true
	}
	// Wire forms: "AUTH=PLAIN", "BODY[1]<0.10>", "SIZE=1000", "SYS/TEMP/X".
	// The most specific form wins; FetchItem's list is the longest.
	for _, alt := range alternativeKeys(FetchItem, key) {
		for _, i := range f.ix.byKey[alt] {
			e := f.ix.entries[i]
			if matches(e, protos, kinds) && (e.Kind == FetchItem || !strings.Contains(key, "[")) {
				f.add(e, score)
				hit = true
			}
		}
		if hit {
			return true
		}
	}
	return false
}

func matches(e Entry, protos []wire.Proto, kinds []Kind) bool {
	if len(protos) > 0 && !containsProto(protos, e.Proto) {
		return false
	}
	if len(kinds) > 0 && !containsKind(kinds, e.Kind) {
		return false
	}
	return true
}

func containsProto(list []wire.Proto, p wire.Proto) bool {
	for _, x := range list {
		if x == p {
			return true
		}
	}
	return false
}

func containsKind(list []Kind, k Kind) bool {
	for _, x := range list {
		if x == k {
			return true
		}
	}
	return false
}

func allKinds(kinds []Kind) []Kind {
	if len(kinds) > 0 {
		return kinds
	}
	return []Kind{Command, Mechanism, ResponseCode, Capability, Parameter, FetchItem, SearchKey, Flag, MailboxAttr, Response, HeaderField}
}

func (f *found) result() []Entry {
	ids := f.idList
	sort.SliceStable(ids, func(a, b int) bool {
		ia, ib := ids[a], ids[b]
		if f.score[ia] != f.score[ib] {
			return f.score[ia] > f.score[ib]
		}
		if kindRank(ia.kind) != kindRank(ib.kind) {
			return kindRank(ia.kind) < kindRank(ib.kind)
		}
		return f.order[ia] < f.order[ib]
	})
	out := make([]Entry, len(ids))
	for i, id := range ids {
		out[i] = f.byID[id]
	}
	return out
}

// Explain parses a free query — a command, a reply line, a code — and returns
// every matching entry, most specific first. Queries it understands:
//
//	"550 5.7.1 Relay access denied"  SMTP reply: 5.7.1, then 550
//	"250-PIPELINING"                 an EHLO line: the keyword, then 250
//	"-ERR [IN-USE] locked"           POP3: IN-USE, then -ERR
//	"a1 NO [TRYCREATE] no mailbox"   IMAP: TRYCREATE, then NO
//	"* 3 EXISTS"                     IMAP untagged response
//	"AUTH LOGIN", "MAIL FROM:<a> SIZE=10"  command with its argument explained
//	"UID FETCH", "UIDL", "NOOP", "BODYSTRUCTURE", "\Seen", "AUTH=PLAIN"
//
// A word that exists in several protocols ("NOOP", "QUIT", "AUTH") gives one
// entry per protocol. When nothing matches, the error suggests close keys.
func Explain(query string) ([]Entry, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, errors.New("empty query: try a command (EHLO, UIDL, UID FETCH), a reply (550 5.7.1) or a response code ([IN-USE])")
	}
	ix := theIndex()
	f := newFound(ix)
	if len(strings.Fields(q)) == 1 {
		f.addKey(q, scoreWhole, nil)
	} else {
		f.addExact(q, scoreWhole) // "UID FETCH", "SYS/TEMP"; not its first word alone
	}
	if _, _, _, ok := splitEnhanced(strings.ToUpper(q)); ok {
		if e, ok := LookupEnhanced(q); ok {
			f.add(e, scoreWhole)
		}
	}
	explainLine(f, strings.Fields(q))
	if len(f.idList) == 0 {
		return nil, notFound(ix, q)
	}
	return f.result(), nil
}

// explainLine recognises the shape of a protocol line and adds its parts.
func explainLine(f *found, tok []string) {
	if len(tok) == 0 {
		return
	}
	first := tok[0]
	upper := strings.ToUpper(first)
	switch {
	case isReplyCode(first):
		explainSMTPReply(f, tok)
		return
	case isEnhanced(first):
		addEnhanced(f, first)
		return
	case upper == "+OK" || upper == "-ERR":
		f.addKey(upper, scoreStatus, []wire.Proto{wire.POP3}, Response)
		addBracketCode(f, tok[1:], wire.POP3)
		return
	case upper == "+":
		f.addKey("+", scoreStatus, nil, Response)
		return
	case strings.HasPrefix(first, "["):
		addBracketCode(f, tok, "")
		return
	}
	// IMAP responses: "* OK …", "a1 NO …", "* 3 EXISTS", "* CAPABILITY …".
	if explainIMAPResponse(f, tok) {
		return
	}
	explainCommand(f, tok)
}

// isReplyCode reports whether s starts with an SMTP reply code: "550", "250-SIZE", "550-5.7.1".
func isReplyCode(s string) bool {
	if len(s) < 3 || s[0] < '2' || s[0] > '5' || !isDigit(s[1]) || !isDigit(s[2]) {
		return false
	}
	return len(s) == 3 || s[3] == '-' || s[3] == ' '
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isEnhanced(s string) bool {
	_, _, _, ok := splitEnhanced(strings.ToUpper(s))
	return ok
}

func addEnhanced(f *found, code string) {
	if e, ok := LookupEnhanced(code); ok {
		f.add(e, scoreSpecific)
	}
}

func explainSMTPReply(f *found, tok []string) {
	code := tok[0][:3]
	f.addKey(code, scoreReply, []wire.Proto{wire.SMTP}, ReplyCode)
	var next string
	if len(tok[0]) > 4 {
		next = tok[0][4:] // "250-PIPELINING" or "550-5.7.1"
	} else if len(tok) > 1 {
		next = tok[1]
	}
	switch {
	case next == "":
	case isEnhanced(next):
		// Explained as part of this reply: "550 4.4.7" is a bounce, not a retry.
		if e, ok := LookupEnhanced(next); ok {
			f.add(InReply(e, code), scoreSpecific)
		}
	case code == "250" || code == "220":
		// An EHLO line: "250-SIZE 10240000". Only keywords, not free text.
		f.addKey(next, scoreSpecific, []wire.Proto{wire.SMTP}, Capability)
	}
}

// addBracketCode finds "[CODE args]" at the start of tok and adds the code.
func addBracketCode(f *found, tok []string, p wire.Proto) {
	if len(tok) == 0 || !strings.HasPrefix(tok[0], "[") {
		return
	}
	name := strings.TrimPrefix(tok[0], "[")
	name = strings.TrimSuffix(name, "]")
	if name == "" {
		return
	}
	var protos []wire.Proto
	if p != "" {
		protos = []wire.Proto{p}
	}
	f.addKey(name, scoreSpecific, protos, ResponseCode)
}

// isIMAPStatus reports whether word (upper case) is an IMAP status response.
func isIMAPStatus(word string) bool {
	switch word {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		return true
	}
	return false
}

func explainIMAPResponse(f *found, tok []string) bool {
	imap := []wire.Proto{wire.IMAP}
	rest := tok
	untagged := tok[0] == "*"
	if untagged || (len(tok) > 1 && isIMAPStatus(strings.ToUpper(tok[1]))) {
		rest = tok[1:] // drop "*" or the tag
	}
	if len(rest) == 0 {
		return untagged
	}
	word := strings.ToUpper(rest[0])
	if isIMAPStatus(word) {
		f.addKey(word, scoreStatus, imap, Response)
		addBracketCode(f, rest[1:], wire.IMAP)
		return true
	}
	if !untagged {
		return false
	}
	// "* 3 EXISTS", "* 2 FETCH (FLAGS …)".
	if isNumber(rest[0]) && len(rest) > 1 {
		f.addKey(rest[1], scoreCommand, imap, Response)
		if strings.EqualFold(rest[1], "FETCH") {
			addFetchItems(f, rest[2:])
		}
		return true
	}
	f.addKey(word, scoreCommand, imap, Response)
	return true
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// explainCommand handles a command line, with or without an IMAP tag.
func explainCommand(f *found, tok []string) {
	ix := f.ix
	if len(tok) > 1 && !hasKey(ix, tok[0]) && isIMAPCommand(ix, tok[1]) {
		tok = tok[1:] // "a1 SELECT INBOX": a1 is the tag
	}
	verb := strings.ToUpper(tok[0])
	if i := strings.IndexByte(verb, ':'); i > 0 {
		verb = verb[:i] // "MAIL FROM:<a>" is fine, but so is "RCPT:"
	}
	args := tok[1:]
	if len(args) > 0 {
		phrase := verb + " " + strings.ToUpper(args[0])
		if f.addExact(phrase, scorePhrase, Command) {
			verb, args = phrase, args[1:]
		}
	}
	if len(tok) == 1 {
		// A single word: every meaning in every protocol.
		f.addKey(verb, scoreWord, nil)
		return
	}
	if !f.addKey(verb, scoreCommand, nil, Command) {
		f.addKey(verb, scoreWord, nil)
	}
	explainArguments(f, verb, args)
}

func hasKey(ix *index, s string) bool {
	_, ok := ix.byKey[NormalizeKey(s)]
	return ok
}

func isIMAPCommand(ix *index, s string) bool {
	_, ok := ix.byID[entryID{wire.IMAP, Command, NormalizeKey(s)}]
	return ok
}

// explainArguments explains the arguments that have entries of their own.
func explainArguments(f *found, verb string, args []string) {
	if len(args) == 0 {
		return
	}
	switch verb {
	case "AUTH", "AUTHENTICATE":
		f.addKey(args[0], scoreArgument, nil, Mechanism)
	case "MAIL", "RCPT":
		for _, a := range args {
			if strings.HasPrefix(strings.ToUpper(a), "FROM:") || strings.HasPrefix(strings.ToUpper(a), "TO:") {
				continue
			}
			f.addKey(a, scoreArgument, []wire.Proto{wire.SMTP}, Parameter)
		}
	case "FETCH", "UID FETCH":
		addFetchItems(f, args)
	case "STORE", "UID STORE":
		for _, a := range args {
			a = strings.Trim(a, "()")
			if strings.HasPrefix(a, `\`) || strings.HasPrefix(a, "$") {
				f.addKey(a, scoreArgument, []wire.Proto{wire.IMAP}, Flag)
			}
		}
	case "SEARCH", "UID SEARCH":
		for _, a := range args {
			f.addKey(strings.Trim(a, "()"), scoreArgument, []wire.Proto{wire.IMAP}, SearchKey)
		}
	case "ENABLE":
		for _, a := range args {
			f.addKey(a, scoreArgument, []wire.Proto{wire.IMAP}, Capability)
		}
	}
}

// addFetchItems explains "(FLAGS BODY.PEEK[HEADER] UID)" item by item.
func addFetchItems(f *found, args []string) {
	for _, a := range args {
		a = strings.Trim(a, "()")
		if a == "" || isNumber(a) || strings.ContainsAny(a, ":,*") && !strings.Contains(a, "[") {
			continue // a sequence set like 1:* or a value
		}
		f.addKey(a, scoreArgument, []wire.Proto{wire.IMAP}, FetchItem)
	}
}

// notFound builds the error for an unknown query, suggesting close keys.
func notFound(ix *index, q string) error {
	word := NormalizeKey(strings.Fields(q)[0])
	var close []string
	seen := map[string]bool{}
	for _, e := range ix.entries {
		k := e.Key
		if seen[k] || strings.HasPrefix(k, "X.") {
			continue
		}
		seen[k] = true
		d := distance(word, k, 3)
		if d <= maxDistance(word) || (len(word) >= 3 && strings.HasPrefix(k, word)) {
			close = append(close, k)
		}
	}
	sort.Slice(close, func(a, b int) bool {
		da, db := distance(word, close[a], 10), distance(word, close[b], 10)
		if da != db {
			return da < db
		}
		return close[a] < close[b]
	})
	if len(close) > 5 {
		close = close[:5]
	}
	msg := fmt.Sprintf("nothing known about %q", q)
	if len(close) > 0 {
		return fmt.Errorf("%s; did you mean %s?", msg, strings.Join(close, ", "))
	}
	return fmt.Errorf("%s: try a command (EHLO, RETR, UID FETCH), a reply (550 5.7.1, -ERR [IN-USE], NO [TRYCREATE]) or a capability (PIPELINING, IDLE)", msg)
}

func maxDistance(word string) int {
	switch {
	case len(word) <= 3:
		return 1
	case len(word) <= 8:
		return 2
	default:
		return 3
	}
}

// distance is the Levenshtein edit distance of a and b, or limit+1 when it
// is certainly larger than limit (a quick length check saves work).
func distance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Markdown renders entries as a Markdown document: one section per entry with
// its summary, protocol, RFC reference, syntax, states, explanation, and for
// codes what the user sees and what to check.
func Markdown(entries []Entry) string {
	var b strings.Builder
	for i, e := range entries {
		if i > 0 {
			b.WriteString("\n---\n\n")
		}
		fmt.Fprintf(&b, "## %s — %s\n\n", markdownKey(e.Key), e.Summary)
		fmt.Fprintf(&b, "*%s %s", strings.ToUpper(string(e.Proto)), e.Kind)
		if e.RFC != "" {
			fmt.Fprintf(&b, " · %s", e.RFC)
		}
		b.WriteString("*\n\n")
		if e.Syntax != "" {
			fmt.Fprintf(&b, "**Syntax:** `%s`\n\n", e.Syntax)
		}
		if len(e.States) > 0 {
			fmt.Fprintf(&b, "**Valid in:** %s\n\n", strings.Join(e.States, ", "))
		}
		if e.Explain != "" {
			b.WriteString(e.Explain + "\n\n")
		}
		if e.Client != "" {
			fmt.Fprintf(&b, "**What the user sees:** %s\n\n", e.Client)
		}
		if e.Check != "" {
			fmt.Fprintf(&b, "**What to check:** %s\n\n", e.Check)
		}
	}
	return b.String()
}

// markdownKey puts a key in code style, so Markdown does not eat the
// characters of keys like "\SEEN", "BODY[]" or "*".
func markdownKey(k string) string {
	return "`" + k + "`"
}
