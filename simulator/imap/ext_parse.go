package imap

import (
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// cmdReader reads the arguments of an extension command: atoms, quoted
// strings and literals (RFC 9051 §4.3: "{N}" or "{N+}", CRLF, N octets;
// the relay has already answered a synchronising one with "+"), lists.
type cmdReader struct {
	b []byte
	i int
}

func (r *cmdReader) peek() byte {
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// sp reads one space.
func (r *cmdReader) sp() bool { return r.special(' ') }

// special reads the byte c.
func (r *cmdReader) special(c byte) bool {
	if r.peek() == c && r.i < len(r.b) {
		r.i++
		return true
	}
	return false
}

// crlf reads the end of the command.
func (r *cmdReader) crlf() bool {
	rest := string(r.b[r.i:])
	if rest == "\r\n" || rest == "\n" {
		r.i = len(r.b)
		return true
	}
	return false
}

// atom reads the characters up to a space, a parenthesis, a quote or the
// line end: an atom, a number, a sequence set.
func (r *cmdReader) atom() string {
	start := r.i
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '(', ')', '"', '\r', '\n', '{':
			return string(r.b[start:r.i])
		}
		r.i++
	}
	return string(r.b[start:r.i])
}

// nil reads the atom NIL.
func (r *cmdReader) nil() bool {
	if r.i+3 <= len(r.b) && strings.EqualFold(string(r.b[r.i:r.i+3]), "NIL") {
		if r.i+3 == len(r.b) || strings.IndexByte(" )\r\n", r.b[r.i+3]) >= 0 {
			r.i += 3
			return true
		}
	}
	return false
}

// str reads a quoted string or a literal.
func (r *cmdReader) str() (string, bool) {
	switch r.peek() {
	case '"':
		r.i++
		var b strings.Builder
		for r.i < len(r.b) {
			c := r.b[r.i]
			r.i++
			switch c {
			case '"':
				return b.String(), true
			case '\\':
				if r.i >= len(r.b) {
					return "", false
				}
				c = r.b[r.i]
				r.i++
			case '\r', '\n':
				return "", false
			}
			b.WriteByte(c)
		}
		return "", false
	case '{':
		end := strings.Index(string(r.b[r.i:]), "}\r\n")
		if end < 0 {
			return "", false
		}
		n, _, ok := extLiteralSize(string(r.b[r.i : r.i+end+1]))
		start := r.i + end + 3
		if !ok || start+n > len(r.b) {
			return "", false
		}
		r.i = start + n
		return string(r.b[start:r.i]), true
	}
	return "", false
}

// extLiteralSize reads "{N}", "{N+}" or "{N-}".
func extLiteralSize(s string) (int, bool, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	sync := true
	if strings.HasSuffix(s, "+") || strings.HasSuffix(s, "-") {
		s, sync = s[:len(s)-1], false
	}
	n, err := strconv.Atoi(s)
	return n, sync, err == nil && n >= 0
}

// astring reads an atom, a quoted string or a literal.
func (r *cmdReader) astring() (string, bool) {
	if c := r.peek(); c == '"' || c == '{' {
		return r.str()
	}
	a := r.atom()
	return a, a != ""
}

// charset reads the charset argument of SORT, THREAD or SEARCH CHARSET:
// UTF-8 and US-ASCII are the ones this server (and every RFC 5256 server)
// knows; any other is NO [BADCHARSET] with the list (RFC 9051 §7.1).
func (r *cmdReader) charset() *extError {
	cs, ok := r.astring()
	if !ok {
		return badf("CLIENTBUG", "A charset is missing: SORT and THREAD name one before the search keys, e.g. UTF-8 (RFC 5256 §3)")
	}
	switch strings.ToUpper(cs) {
	case "UTF-8", "US-ASCII":
		return nil
	}
	return nof("BADCHARSET (UTF-8 US-ASCII)", "Unknown charset "+shortText(cs, 40)+": this server knows UTF-8 and US-ASCII")
}

// searchKeys reads 1*(SP search-key) up to the end of the command, as
// SEARCH does (RFC 9051 §6.4.4), ANDed.
func (r *cmdReader) searchKeys() (*imap.SearchCriteria, *extError) {
	var c imap.SearchCriteria
	n := 0
	for r.sp() {
		if err := r.searchKey(&c, 0); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		return nil, badf("CLIENTBUG", "Search keys are missing: ALL matches every message (RFC 9051 §6.4.4)")
	}
	if !r.crlf() {
		return nil, badf("CLIENTBUG", "Syntax error in the search keys: one space between keys, strings quoted (RFC 9051 §6.4.4)")
	}
	return &c, nil
}

var errSearchSyntax = badf("CLIENTBUG", "Syntax error in the search criteria: a search key this server does not know, a message number 0, or a date not written like 2-Mar-2026 (RFC 9051 §6.4.4)")

// searchKey reads one search key into c (RFC 9051 §6.4.4, RFC 3501's NEW,
// OLD and RECENT too), the way go-imap reads SEARCH's.
func (r *cmdReader) searchKey(c *imap.SearchCriteria, depth int) *extError {
	if depth > 50 {
		return badf("CLIENTBUG", "Search keys nested too deep")
	}
	if r.special('(') {
		var inner imap.SearchCriteria
		for {
			if err := r.searchKey(&inner, depth+1); err != nil {
				return err
			}
			if r.special(')') {
				break
			}
			if !r.sp() {
				return errSearchSyntax
			}
		}
		c.And(&inner)
		return nil
	}
	if c := r.peek(); c == '"' || c == '{' {
		return errSearchSyntax
	}
	word := r.atom()
	key := strings.ToUpper(word)
	arg := func() (string, bool) {
		if !r.sp() {
			return "", false
		}
		return r.astring()
	}
	date := func() (time.Time, bool) {
		s, ok := arg()
		if !ok {
			return time.Time{}, false
		}
		t, err := time.Parse("2-Jan-2006", s)
		return t, err == nil
	}
	switch key {
	case "ALL":
	case "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "SEEN", "RECENT":
		c.Flag = append(c.Flag, imap.Flag(`\`+titleCase(key)))
	case "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN":
		c.NotFlag = append(c.NotFlag, imap.Flag(`\`+titleCase(key[2:])))
	case "NEW":
		c.Flag = append(c.Flag, imap.Flag(store.Recent))
		c.NotFlag = append(c.NotFlag, imap.FlagSeen)
	case "OLD":
		c.NotFlag = append(c.NotFlag, imap.Flag(store.Recent))
	case "KEYWORD", "UNKEYWORD":
		k, ok := arg()
		if !ok {
			return errSearchSyntax
		}
		if key == "KEYWORD" {
			c.Flag = append(c.Flag, imap.Flag(k))
		} else {
			c.NotFlag = append(c.NotFlag, imap.Flag(k))
		}
	case "BCC", "CC", "FROM", "SUBJECT", "TO":
		v, ok := arg()
		if !ok {
			return errSearchSyntax
		}
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: titleCase(key), Value: v})
	case "HEADER":
		k, ok := arg()
		if !ok {
			return errSearchSyntax
		}
		v, ok := arg()
		if !ok {
			return errSearchSyntax
		}
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: k, Value: v})
	case "BODY", "TEXT":
		v, ok := arg()
		if !ok {
			return errSearchSyntax
		}
		if key == "BODY" {
			c.Body = append(c.Body, v)
		} else {
			c.Text = append(c.Text, v)
		}
	case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE":
		t, ok := date()
		if !ok {
			return errSearchSyntax
		}
		var d imap.SearchCriteria
		switch key {
		case "BEFORE":
			d.Before = t
		case "ON":
			d.Since, d.Before = t, t.AddDate(0, 0, 1)
		case "SINCE":
			d.Since = t
		case "SENTBEFORE":
			d.SentBefore = t
		case "SENTON":
			d.SentSince, d.SentBefore = t, t.AddDate(0, 0, 1)
		case "SENTSINCE":
			d.SentSince = t
		}
		c.And(&d)
	case "LARGER", "SMALLER":
		v, ok := arg()
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || n < 0 {
			return errSearchSyntax
		}
		var d imap.SearchCriteria
		if key == "LARGER" {
			d.Larger = n
		} else {
			d.Smaller = n
		}
		c.And(&d)
	case "NOT":
		var not imap.SearchCriteria
		if !r.sp() {
			return errSearchSyntax
		}
		if err := r.searchKey(&not, depth+1); err != nil {
			return err
		}
		c.Not = append(c.Not, not)
	case "OR":
		var or [2]imap.SearchCriteria
		for i := range or {
			if !r.sp() {
				return errSearchSyntax
			}
			if err := r.searchKey(&or[i], depth+1); err != nil {
				return err
			}
		}
		c.Or = append(c.Or, or)
	case "UID":
		if !r.sp() {
			return errSearchSyntax
		}
		set, ok := parseNumSet(r.atom())
		if !ok {
			return errSearchSyntax
		}
		c.UID = append(c.UID, imap.UIDSet(set))
	case "$":
		c.UID = append(c.UID, imap.SearchRes())
	default:
		set, ok := parseNumSet(word)
		if !ok {
			return errSearchSyntax
		}
		seq := make(imap.SeqSet, len(set))
		for i, r := range set {
			seq[i] = imap.SeqRange{Start: uint32(r.Start), Stop: uint32(r.Stop)}
		}
		c.SeqNum = append(c.SeqNum, seq)
	}
	return nil
}

// titleCase writes "ANSWERED" as "Answered".
func titleCase(s string) string {
	return s[:1] + strings.ToLower(s[1:])
}

// parseNumSet reads a sequence set ("1,3:5,7:*"; "*" is 0 as go-imap
// stores it); "$" is the saved search result.
func parseNumSet(s string) (imap.UIDSet, bool) {
	if s == "$" {
		return imap.SearchRes(), true
	}
	if s == "" {
		return nil, false
	}
	num := func(t string) (uint32, bool) {
		if t == "*" {
			return 0, true
		}
		n, err := strconv.ParseUint(t, 10, 32)
		return uint32(n), err == nil && n > 0
	}
	var set imap.UIDSet
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, ":")
		start, ok := num(a)
		if !ok {
			return nil, false
		}
		stop := start
		if isRange {
			if stop, ok = num(b); !ok {
				return nil, false
			}
		}
		set = append(set, imap.UIDRange{Start: imap.UID(start), Stop: imap.UID(stop)})
	}
	return set, true
}

// returnOptions are ESEARCH's RETURN options (RFC 4731, RFC 5267).
type returnOptions struct {
	min, max, all, count, save bool
	partial                    *[2]uint32 // PARTIAL first:last, 1-based positions in the result
	update                     bool       // UPDATE: declined with NOUPDATE
}

// returnOpts reads "RETURN (...)" when it comes next (after a space).
// present is false when there is no RETURN.
func (r *cmdReader) returnOpts() (opts returnOptions, present bool, err *extError) {
	save := r.i
	if !r.sp() || !strings.EqualFold(r.atom(), "RETURN") {
		r.i = save
		return opts, false, nil
	}
	bad := badf("CLIENTBUG", "RETURN takes a list of MIN, MAX, COUNT, ALL, SAVE, PARTIAL first:last, CONTEXT, UPDATE (RFC 4731, RFC 5267)")
	if !r.sp() || !r.special('(') {
		return opts, true, bad
	}
	for first := true; !r.special(')'); first = false {
		if !first && !r.sp() {
			return opts, true, bad
		}
		switch strings.ToUpper(r.atom()) {
		case "MIN":
			opts.min = true
		case "MAX":
			opts.max = true
		case "ALL":
			opts.all = true
		case "COUNT":
			opts.count = true
		case "SAVE":
			opts.save = true
		case "CONTEXT":
			// A hint that the client may ask again (RFC 5267 §4.2): noted.
		case "UPDATE":
			opts.update = true
		case "PARTIAL":
			if !r.sp() {
				return opts, true, bad
			}
			a, b, ok := strings.Cut(r.atom(), ":")
			x, err1 := strconv.ParseUint(a, 10, 32)
			y, err2 := strconv.ParseUint(b, 10, 32)
			if !ok || err1 != nil || err2 != nil || x == 0 || y == 0 {
				return opts, true, badf("CLIENTBUG", "PARTIAL takes a range of positions in the result, e.g. PARTIAL 1:50 (RFC 5267 §4.4)")
			}
			opts.partial = &[2]uint32{uint32(min(x, y)), uint32(max(x, y))}
		default:
			return opts, true, bad
		}
	}
	if !opts.min && !opts.max && !opts.count && !opts.save && opts.partial == nil {
		opts.all = true // "RETURN ()" means ALL (RFC 4731 §3.1)
	}
	return opts, true, nil
}
