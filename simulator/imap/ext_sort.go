package imap

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"golang.org/x/text/unicode/norm"
)

// found is one message matching a SORT, THREAD or SEARCH: the number the
// client knows it by (sequence number or UID) and what sorting needs.
type found struct {
	seq, uid uint32
	msg      *parsedMessage
	arrival  time.Time
	size     int
}

// num is the number the reply gives: the UID for UID SORT and the like.
func (f found) num(uid bool) uint32 {
	if uid {
		return f.uid
	}
	return f.seq
}

// sent is the DATE sort key (RFC 5256 §3): the Date: header, or the
// internal date when there is none that parses.
func (f found) sent() time.Time {
	if f.msg.sent.IsZero() {
		return f.arrival.UTC()
	}
	return f.msg.sent.UTC()
}

// search returns the messages of the selected mailbox that match c, in
// mailbox order, as SEARCH sees them.
func (s *session) search(c *imap.SearchCriteria) []found {
	v := s.snapshot()
	var out []found
	for i, m := range v.msgs {
		seq := v.clientSeq[i]
		if seq == 0 || !s.matches(v, m, seq, c) {
			continue
		}
		out = append(out, found{seq: seq, uid: m.UID, msg: s.srv.parsed(m.Body), arrival: m.InternalDate, size: m.Body.Size()})
	}
	return out
}

// selectedState refuses a command that needs a selected mailbox.
func (s *session) selectedState(verb string) *extError {
	switch {
	case s.user == nil:
		return badf("", verb+" needs a login first (LOGIN, then SELECT a mailbox)")
	case s.sel == nil:
		return badf("", verb+" works on the selected mailbox: SELECT one first (RFC 5256 §3)")
	}
	return nil
}

// sortCriterion is one SORT key, perhaps REVERSE.
type sortCriterion struct {
	key     string
	reverse bool
}

var sortKeys = map[string]bool{"ARRIVAL": true, "CC": true, "DATE": true, "FROM": true, "SIZE": true,
	"SUBJECT": true, "TO": true, "DISPLAYFROM": true, "DISPLAYTO": true}

// sort answers SORT and UID SORT (RFC 5256 §3), and their RETURN form
// (ESORT, RFC 5267 §3):
//
//	SORT [RETURN (options)] (sort-criteria) charset search-keys
func (s *session) sort(r *cmdReader, out *bytes.Buffer, tag string, uid bool) *extError {
	opts, esort, err := r.returnOpts()
	if err != nil {
		return err
	}
	if !r.sp() || !r.special('(') {
		return badf("CLIENTBUG", "SORT takes a list of sort keys in parentheses, a charset and search keys, e.g. SORT (REVERSE DATE) UTF-8 ALL (RFC 5256 §3)")
	}
	var criteria []sortCriterion
	for first := true; !r.special(')'); first = false {
		if !first && !r.sp() {
			return badf("CLIENTBUG", "Sort keys are separated by single spaces (RFC 5256 §3)")
		}
		word := strings.ToUpper(r.atom())
		c := sortCriterion{key: word}
		if word == "REVERSE" {
			if !r.sp() {
				return badf("CLIENTBUG", "REVERSE goes before a sort key, e.g. (REVERSE DATE) (RFC 5256 §3)")
			}
			c = sortCriterion{key: strings.ToUpper(r.atom()), reverse: true}
		}
		if !sortKeys[c.key] {
			return badf("CLIENTBUG", "Unknown sort key "+shortText(c.key, 30)+": the keys are ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO (RFC 5256 §3), DISPLAYFROM, DISPLAYTO (RFC 5957), each perhaps after REVERSE")
		}
		criteria = append(criteria, c)
	}
	if len(criteria) == 0 {
		return badf("CLIENTBUG", "SORT needs at least one sort key, e.g. (DATE) (RFC 5256 §3)")
	}
	if !r.sp() {
		return badf("CLIENTBUG", "A charset is missing: SORT names one before the search keys, e.g. UTF-8 (RFC 5256 §3)")
	}
	if err := r.charset(); err != nil {
		return err
	}
	keys, err := r.searchKeys()
	if err != nil {
		return err
	}
	if err := s.selectedState("SORT"); err != nil {
		return err
	}
	msgs := s.search(keys)
	sortFound(msgs, criteria)
	if esort {
		s.writeESearch(out, tag, uid, msgs, opts, true)
		return nil
	}
	out.WriteString("* SORT")
	for _, f := range msgs {
		out.WriteString(" " + strconv.FormatUint(uint64(f.num(uid)), 10))
	}
	out.WriteString("\r\n")
	return nil
}

// sortFound orders messages by the criteria, the first deciding first;
// messages equal by all of them stay in mailbox order (RFC 5256 §3: the
// sequence number breaks the tie, whatever REVERSE says).
func sortFound(msgs []found, criteria []sortCriterion) {
	sort.SliceStable(msgs, func(i, j int) bool {
		for _, c := range criteria {
			d := compareBy(c.key, msgs[i], msgs[j])
			if c.reverse {
				d = -d
			}
			if d != 0 {
				return d < 0
			}
		}
		return false
	})
}

// compareBy compares two messages by one sort key: -1, 0 or 1.
func compareBy(key string, a, b found) int {
	switch key {
	case "ARRIVAL":
		return a.arrival.Compare(b.arrival)
	case "DATE":
		return a.sent().Compare(b.sent())
	case "SIZE":
		return cmpInt(a.size, b.size)
	case "SUBJECT":
		x, _ := baseSubject(a.msg.envelope.Subject)
		y, _ := baseSubject(b.msg.envelope.Subject)
		return strings.Compare(asciiFold(x), asciiFold(y))
	case "FROM":
		return strings.Compare(asciiFold(firstMailbox(a.msg.envelope.From)), asciiFold(firstMailbox(b.msg.envelope.From)))
	case "TO":
		return strings.Compare(asciiFold(firstMailbox(a.msg.envelope.To)), asciiFold(firstMailbox(b.msg.envelope.To)))
	case "CC":
		return strings.Compare(asciiFold(firstMailbox(a.msg.envelope.Cc)), asciiFold(firstMailbox(b.msg.envelope.Cc)))
	case "DISPLAYFROM":
		return strings.Compare(displayName(a.msg.envelope.From), displayName(b.msg.envelope.From))
	case "DISPLAYTO":
		return strings.Compare(displayName(a.msg.envelope.To), displayName(b.msg.envelope.To))
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// asciiFold is the i;ascii-casemap collation RFC 5256 sorts with: ASCII
// letters compare without their case, other octets as they are.
func asciiFold(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// firstAddress is the first address of a list that is a mailbox (group
// markers have no host).
func firstAddress(list []imap.Address) (imap.Address, bool) {
	for _, a := range list {
		if a.Host != "" {
			return a, true
		}
	}
	return imap.Address{}, false
}

// firstMailbox is RFC 5256's key for FROM, TO and CC: the addr-mailbox
// (the part before the @) of the first address; "" when there is none.
func firstMailbox(list []imap.Address) string {
	a, _ := firstAddress(list)
	return a.Mailbox
}

// displayName is RFC 5957's key for DISPLAYFROM and DISPLAYTO: the first
// address's display name, encoded words decoded, or else its addr-spec,
// in the i;unicode-casemap collation (RFC 5051 §2: each character in
// titlecase, then decomposed, NFKD), so that "Émile" sorts beside "Emil".
func displayName(list []imap.Address) string {
	a, ok := firstAddress(list)
	if !ok {
		return ""
	}
	name := strings.TrimSpace(decodeWords(a.Name))
	if name == "" {
		name = a.Mailbox + "@" + a.Host
	}
	return norm.NFKD.String(strings.Map(unicode.ToTitle, name))
}

// baseSubject extracts the base subject of RFC 5256 §2.1, and reports
// whether the extraction took off a reply or forward marker ("Re:",
// "Fwd:", "(fwd)", "[fwd: ...]"), which THREAD needs.
func baseSubject(subject string) (base string, reply bool) {
	// (1) Encoded words decoded, white space collapsed.
	s := strings.Join(strings.FieldsFunc(decodeWords(subject), func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n'
	}), " ")
	for {
		// (2) Trailers: "(fwd)" and white space.
		for {
			t := strings.TrimRight(s, " ")
			if len(t) >= 5 && strings.EqualFold(t[len(t)-5:], "(fwd)") {
				t = t[:len(t)-5]
				reply = true
			}
			if t == s {
				break
			}
			s = t
		}
		// (3)-(5) Leaders: blobs and "re:", "fw:", "fwd:"; a blob alone
		// when something remains.
		for {
			t := strings.TrimLeft(s, " ")
			if rest, ok := cutRefwd(t); ok {
				t, reply = rest, true
			} else if rest, ok := cutBlob(t); ok && strings.TrimSpace(rest) != "" {
				t = rest
			}
			if t == s {
				break
			}
			s = t
		}
		// (6) "[fwd: ...]" around all of it.
		if len(s) >= 6 && strings.EqualFold(s[:5], "[fwd:") && s[len(s)-1] == ']' {
			s, reply = s[5:len(s)-1], true
			continue
		}
		return s, reply
	}
}

// cutBlob removes a leading subj-blob: "[" *BLOBCHAR "]" *WSP.
func cutBlob(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return s, false
	}
	end := strings.IndexAny(s[1:], "[]")
	if end < 0 || s[1+end] != ']' {
		return s, false
	}
	return strings.TrimLeft(s[end+2:], " "), true
}

// cutRefwd removes a leading *subj-blob subj-refwd: blobs, then "re",
// "fw" or "fwd", white space, perhaps a blob, and ":".
func cutRefwd(s string) (string, bool) {
	t := s
	for {
		rest, ok := cutBlob(t)
		if !ok {
			break
		}
		t = rest
	}
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "re"):
		t = t[2:]
	case strings.HasPrefix(lower, "fwd"):
		t = t[3:]
	case strings.HasPrefix(lower, "fw"):
		t = t[2:]
	default:
		return s, false
	}
	t = strings.TrimLeft(t, " ")
	if rest, ok := cutBlob(t); ok {
		t = rest
	}
	if !strings.HasPrefix(t, ":") {
		return s, false
	}
	return t[1:], true
}

// contextSearch answers a SEARCH whose RETURN options go-imap does not
// know (RFC 5267 §4: PARTIAL, CONTEXT, UPDATE):
//
//	SEARCH RETURN (options) [CHARSET charset] search-keys
func (s *session) contextSearch(r *cmdReader, out *bytes.Buffer, tag string, uid bool) *extError {
	opts, _, err := r.returnOpts()
	if err != nil {
		return err
	}
	save := r.i
	if r.sp() && strings.EqualFold(r.atom(), "CHARSET") {
		if !r.sp() {
			return badf("CLIENTBUG", "CHARSET needs a charset, e.g. CHARSET UTF-8")
		}
		if err := r.charset(); err != nil {
			return err
		}
	} else {
		r.i = save
	}
	keys, err := r.searchKeys()
	if err != nil {
		return err
	}
	if err := s.selectedState("SEARCH"); err != nil {
		return err
	}
	s.writeESearch(out, tag, uid, s.search(keys), opts, false)
	return nil
}

// writeESearch writes the ESEARCH response (RFC 4731 §3.1) to a SEARCH or
// SORT with RETURN options. For SORT (ordered) MIN and MAX are the first
// and last in sort order and ALL lists the numbers in that order (RFC 5267
// §3); PARTIAL takes positions in the result's order (RFC 5267 §4.4).
// UPDATE is declined: "* NO [NOUPDATE "tag"]" (RFC 5267 §4.3).
func (s *session) writeESearch(out *bytes.Buffer, tag string, uid bool, msgs []found, opts returnOptions, ordered bool) {
	if opts.update {
		out.WriteString(`* NO [NOUPDATE "` + tag + `"] This server does not send updates of search results` + "\r\n")
	}
	if opts.save {
		var saved imap.UIDSet
		for _, f := range msgs {
			saved.AddNum(imap.UID(f.uid))
		}
		s.sel.saved = saved
	}
	if opts.save && !opts.min && !opts.max && !opts.count && !opts.all && opts.partial == nil {
		return // SAVE alone: no ESEARCH (RFC 5182 §2.4)
	}
	nums := make([]uint32, len(msgs))
	for i, f := range msgs {
		nums[i] = f.num(uid)
	}
	out.WriteString(`* ESEARCH (TAG "` + tag + `")`)
	if uid {
		out.WriteString(" UID")
	}
	if len(nums) > 0 {
		lo, hi := nums[0], nums[len(nums)-1]
		if !ordered {
			lo, hi = slicesMin(nums), slicesMax(nums)
		}
		if opts.min {
			out.WriteString(" MIN " + strconv.FormatUint(uint64(lo), 10))
		}
		if opts.max {
			out.WriteString(" MAX " + strconv.FormatUint(uint64(hi), 10))
		}
	}
	if opts.count {
		out.WriteString(" COUNT " + strconv.Itoa(len(nums)))
	}
	if opts.all && len(nums) > 0 {
		out.WriteString(" ALL " + numList(nums, ordered))
	}
	if p := opts.partial; p != nil {
		out.WriteString(" PARTIAL (" + strconv.FormatUint(uint64(p[0]), 10) + ":" + strconv.FormatUint(uint64(p[1]), 10) + " ")
		if int(p[0]) > len(nums) {
			out.WriteString("NIL")
		} else {
			out.WriteString(numList(nums[p[0]-1:min(int(p[1]), len(nums))], ordered))
		}
		out.WriteString(")")
	}
	out.WriteString("\r\n")
}

func slicesMin(n []uint32) uint32 {
	m := n[0]
	for _, x := range n {
		m = min(m, x)
	}
	return m
}

func slicesMax(n []uint32) uint32 {
	m := n[0]
	for _, x := range n {
		m = max(m, x)
	}
	return m
}

// numList writes numbers as a sequence set: in their order when ordered
// (a range only for numbers that follow each other upwards), else sorted
// and merged.
func numList(nums []uint32, ordered bool) string {
	if !ordered {
		nums = append([]uint32(nil), nums...)
		sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	}
	var b strings.Builder
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(nums[i]), 10))
		if j > i {
			b.WriteString(":" + strconv.FormatUint(uint64(nums[j]), 10))
		}
		i = j + 1
	}
	return b.String()
}
