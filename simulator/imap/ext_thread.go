package imap

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"
)

// thread answers THREAD and UID THREAD (RFC 5256 §3):
//
//	THREAD algorithm charset search-keys
//
// with the ORDEREDSUBJECT and REFERENCES algorithms.
func (s *session) thread(r *cmdReader, out *bytes.Buffer, uid bool) *extError {
	if !r.sp() {
		return badf("CLIENTBUG", "THREAD takes an algorithm, a charset and search keys, e.g. THREAD REFERENCES UTF-8 ALL (RFC 5256 §3)")
	}
	alg := strings.ToUpper(r.atom())
	if alg != "REFERENCES" && alg != "ORDEREDSUBJECT" {
		return badf("CLIENTBUG", "Unknown threading algorithm "+shortText(alg, 30)+": this server offers REFERENCES and ORDEREDSUBJECT (RFC 5256 §3)")
	}
	if !r.sp() {
		return badf("CLIENTBUG", "A charset is missing: THREAD names one before the search keys, e.g. UTF-8 (RFC 5256 §3)")
	}
	if err := r.charset(); err != nil {
		return err
	}
	keys, err := r.searchKeys()
	if err != nil {
		return err
	}
	if err := s.selectedState("THREAD"); err != nil {
		return err
	}
	msgs := s.search(keys)
	var roots []*node
	if alg == "ORDEREDSUBJECT" {
		roots = orderedSubject(msgs)
	} else {
		roots = references(msgs)
	}
	out.WriteString("* THREAD ")
	for _, n := range roots {
		out.WriteByte('(')
		writeMembers(out, n, uid)
		out.WriteByte(')')
	}
	out.Truncate(len(bytes.TrimRight(out.Bytes(), " ")))
	out.WriteString("\r\n")
	return nil
}

// node is a message in a thread tree, or a dummy standing for a message
// that is referred to but not among the results (RFC 5256 §3, step 1).
type node struct {
	f        *found // nil for a dummy
	parent   *node
	children []*node
}

// date is a node's sent date for sorting: a dummy takes its first
// child's (RFC 5256 §3, REFERENCES step 4).
func (n *node) date() (time.Time, uint32) {
	for n.f == nil {
		if len(n.children) == 0 {
			return time.Time{}, 0
		}
		n = n.children[0]
	}
	return n.f.sent(), n.f.seq
}

// sortNodes orders siblings by sent date, then by sequence number.
func sortNodes(nodes []*node) {
	sort.SliceStable(nodes, func(i, j int) bool {
		di, si := nodes[i].date()
		dj, sj := nodes[j].date()
		if c := di.Compare(dj); c != 0 {
			return c < 0
		}
		return si < sj
	})
}

// writeMembers writes a thread (RFC 5256 §4, thread-members and
// thread-nested): a message followed by its only child on the same level,
// or by its children each in parentheses.
func writeMembers(out *bytes.Buffer, n *node, uid bool) {
	for {
		if n.f != nil {
			if last := out.Bytes(); len(last) > 0 && last[len(last)-1] != '(' {
				out.WriteByte(' ')
			}
			out.WriteString(strconv.FormatUint(uint64(n.f.num(uid)), 10))
		}
		switch len(n.children) {
		case 0:
			return
		case 1:
			if n.f != nil {
				n = n.children[0]
				continue
			}
		}
		if n.f != nil {
			out.WriteByte(' ')
		}
		for _, c := range n.children {
			out.WriteByte('(')
			writeMembers(out, c, uid)
			out.WriteByte(')')
		}
		return
	}
}

// orderedSubject is ORDEREDSUBJECT (RFC 5256 §3): messages grouped by base
// subject; in each group, ordered by sent date, the first is the root and
// the others its children; groups ordered by their first message's date.
func orderedSubject(msgs []found) []*node {
	sorted := append([]found(nil), msgs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, _ := baseSubject(sorted[i].msg.envelope.Subject)
		b, _ := baseSubject(sorted[j].msg.envelope.Subject)
		if c := strings.Compare(asciiFold(a), asciiFold(b)); c != 0 {
			return c < 0
		}
		if c := sorted[i].sent().Compare(sorted[j].sent()); c != 0 {
			return c < 0
		}
		return sorted[i].seq < sorted[j].seq
	})
	var roots []*node
	last := ""
	for i := range sorted {
		subj, _ := baseSubject(sorted[i].msg.envelope.Subject)
		n := &node{f: &sorted[i]}
		if len(roots) > 0 && asciiFold(subj) == last {
			root := roots[len(roots)-1]
			n.parent = root
			root.children = append(root.children, n)
			continue
		}
		last = asciiFold(subj)
		roots = append(roots, n)
	}
	sortNodes(roots)
	return roots
}

// references is REFERENCES (RFC 5256 §3), the algorithm of Jamie
// Zawinski's threader: messages linked by Message-ID, References and
// In-Reply-To, then roots with the same base subject gathered.
func references(msgs []found) []*node {
	// Step 1: a container per message ID, linked along each References.
	byID := make(map[string]*node)
	var all []*node
	container := func(id string) *node {
		n := byID[id]
		if n == nil {
			n = &node{}
			byID[id] = n
			all = append(all, n)
		}
		return n
	}
	for i := range msgs {
		f := &msgs[i]
		id := msgID(f.msg.envelope.MessageID)
		n := byID[id]
		if id == "" || (n != nil && n.f != nil) {
			// No ID, or one seen already: a container of its own (1A).
			n = &node{}
			all = append(all, n)
		} else if n == nil {
			n = container(id)
		}
		n.f = f
		refs := f.msg.refs
		// 1B: link each reference to the next, where neither is
		// linked already and no loop results.
		var prev *node
		for _, ref := range refs {
			c := container(ref)
			if prev != nil && c.parent == nil && !reaches(c, prev) && c != prev {
				link(prev, c)
			}
			prev = c
		}
		// 1C: the message's parent is the last reference, whatever it
		// had before, unless that makes a loop.
		if prev != nil && (prev == n || reaches(n, prev)) {
			prev = nil
		}
		if n.parent != nil {
			unlink(n)
		}
		if prev != nil {
			link(prev, n)
		}
	}
	// Step 2: the root set.
	var roots []*node
	for _, n := range all {
		if n.parent == nil {
			roots = append(roots, n)
		}
	}
	// Step 3: prune dummies.
	roots = prune(roots, true)
	// Step 4: sort the roots by date.
	sortNodes(roots)
	// Step 5: gather roots by base subject.
	roots = groupBySubject(roots)
	// Step 6: sort every level by date.
	var sortAll func(nodes []*node)
	sortAll = func(nodes []*node) {
		for _, n := range nodes {
			sortAll(n.children)
		}
		sortNodes(nodes)
	}
	sortAll(roots)
	return roots
}

// msgID is a message ID without its angle brackets and white space.
func msgID(s string) string {
	return strings.Trim(strings.TrimSpace(s), "<>")
}

// reaches reports whether to is from itself or one of its descendants.
func reaches(from, to *node) bool {
	if from == to {
		return true
	}
	for _, c := range from.children {
		if reaches(c, to) {
			return true
		}
	}
	return false
}

func link(parent, child *node) {
	child.parent = parent
	parent.children = append(parent.children, child)
}

func unlink(n *node) {
	p := n.parent
	for i, c := range p.children {
		if c == n {
			p.children = append(p.children[:i:i], p.children[i+1:]...)
			break
		}
	}
	n.parent = nil
}

// prune is step 3: a dummy without children goes; a dummy with children
// gives them its place, except at the root, where only a single child is
// promoted.
func prune(nodes []*node, root bool) []*node {
	var out []*node
	for _, n := range nodes {
		n.children = prune(n.children, false)
		for _, c := range n.children {
			c.parent = n
		}
		switch {
		case n.f == nil && len(n.children) == 0:
			continue
		case n.f == nil && (!root || len(n.children) == 1):
			for _, c := range n.children {
				c.parent = n.parent
			}
			out = append(out, n.children...)
			continue
		}
		out = append(out, n)
	}
	return out
}

// groupBySubject is step 5: roots whose threads have the same base
// subject are gathered under one root.
func groupBySubject(roots []*node) []*node {
	subjectOf := func(n *node) (string, bool) {
		m := n
		if m.f == nil && len(m.children) > 0 {
			m = m.children[0]
		}
		if m.f == nil {
			return "", false
		}
		s, reply := baseSubject(m.f.msg.envelope.Subject)
		return asciiFold(s), reply
	}
	isReply := func(n *node) bool {
		if n.f == nil {
			return false
		}
		_, reply := baseSubject(n.f.msg.envelope.Subject)
		return reply
	}
	table := make(map[string]*node)
	for _, n := range roots {
		subj, _ := subjectOf(n)
		if subj == "" {
			continue
		}
		old := table[subj]
		if old == nil || (n.f == nil && old.f != nil) || (isReply(old) && !isReply(n) && n.f != nil && old.f != nil) {
			table[subj] = n
		}
	}
	var out []*node
	for _, n := range roots {
		subj, _ := subjectOf(n)
		other := table[subj]
		if subj == "" || other == n {
			out = append(out, n)
			continue
		}
		switch {
		case other.f == nil && n.f == nil:
			for _, c := range n.children {
				link(other, c)
			}
		case other.f == nil:
			link(other, n)
		case isReply(n) && !isReply(other):
			link(other, n)
		default:
			// A new dummy holds both; it takes other's place.
			d := &node{}
			for i, r := range out {
				if r == other {
					out[i] = d
				}
			}
			replaced := false
			for _, r := range out {
				replaced = replaced || r == d
			}
			if !replaced {
				// other comes later among the roots: put the dummy there.
				for i, r := range roots {
					if r == other {
						roots[i] = d
					}
				}
			}
			other.parent = nil
			link(d, other)
			link(d, n)
			table[subj] = d
		}
	}
	return out
}
