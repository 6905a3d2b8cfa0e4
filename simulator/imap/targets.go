package imap

import (
	"sort"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// target is one message a command names, with the sequence number the client
// knows it by.
type target struct {
	seq uint32
	msg store.Message
}

// resolve returns the messages a sequence or UID set names, ascending and
// without duplicates, "*" and "$" resolved. gone reports that a sequence set
// named a message the client still knows but another session (or POP3) has
// expunged: there is no data left for it (RFC 2180 §4.1.2).
//
// Most commands name a few messages (FETCH 7, UID STORE 42), so those are
// looked up one by one; only a set naming a good share of the mailbox pays
// for one copy of it. Either way the reads are retried until no change
// slipped in, so the numbers agree with what the tracker has told the client.
func (s *session) resolve(numSet imap.NumSet) (targets []target, gone bool) {
	s.consistently(func(count uint32) { targets, gone = s.lookup(numSet, count) })
	return targets, gone
}

// consistently runs read with the selected mailbox's message count, again
// until no change slipped in while it ran, so that what read saw of the
// mailbox and of the tracker agree.
func (s *session) consistently(read func(count uint32)) {
	sel, srv := s.sel, s.srv
	for {
		srv.mu.Lock()
		version, count := sel.box.version, sel.box.count
		srv.mu.Unlock()

		read(count)

		srv.mu.Lock()
		same := sel.box.version == version
		srv.mu.Unlock()
		if same {
			return
		}
	}
}

// beyondClient checks a sequence set against the messages the client knows
// of: a number past the last of them, or "*" when it knows none, is the
// client's error, answered BAD (RFC 9051 §9, seq-number), not the NO
// [EXPUNGEISSUED] of a message that was there and has gone. The client
// still counts the expunges it has not been told of, so only a number
// past those as well is surely beyond; in between, the answer stays
// EXPUNGEISSUED.
func (s *session) beyondClient(numSet imap.NumSet) error {
	set, ok := numSet.(imap.SeqSet)
	if !ok {
		return nil // UIDs that name nothing simply match nothing
	}
	var known uint64
	s.consistently(func(count uint32) {
		s.srv.mu.Lock()
		pending := s.sel.box.expunges - s.sel.expungesSeen.Load()
		s.srv.mu.Unlock()
		known = uint64(s.clientMax(count)) + pending
	})
	for _, r := range set {
		if r.Start == 0 || r.Stop == 0 { // "*"
			if known == 0 {
				return errNoMessages
			}
			continue
		}
		if uint64(max(r.Start, r.Stop)) > known {
			return errBeyond(known)
		}
	}
	return nil
}

// directLimit: up to this many numbers (or a quarter of the mailbox) are
// looked up one by one rather than by copying the whole mailbox.
const directLimit = 16

func direct(n, count uint64) bool { return n <= directLimit || n*4 <= count }

func (s *session) lookup(numSet imap.NumSet, count uint32) ([]target, bool) {
	tr := s.sel.tracker
	switch set := numSet.(type) {
	case imap.SeqSet:
		clientMax := s.clientMax(count)
		set = staticSeqSet(set, clientMax)
		want := countSeqs(set, clientMax)
		if !direct(want, uint64(count)) {
			break
		}
		var out []target
		for _, r := range set {
			for seq := r.Start; seq <= min(r.Stop, clientMax) && seq != 0; seq++ {
				if n := tr.DecodeSeqNum(seq); n != 0 {
					if m, ok := s.sel.mb.BySeq(n); ok {
						out = append(out, target{seq: seq, msg: m})
					}
				}
			}
		}
		out = sortTargets(out)
		return out, uint64(len(out)) < want
	case imap.UIDSet:
		if imap.IsSearchRes(set) {
			set = s.sel.saved
		}
		n, dynamic := countUIDs(set)
		if dynamic || !direct(n, uint64(count)) {
			break
		}
		var out []target
		for _, r := range set {
			start, stop := min(r.Start, r.Stop), max(r.Start, r.Stop)
			for uid := uint64(start); uid <= uint64(stop); uid++ {
				m, ok := s.sel.mb.ByUID(uint32(uid))
				if !ok {
					continue
				}
				if seq := tr.EncodeSeqNum(m.SeqNum); seq != 0 {
					out = append(out, target{seq: seq, msg: m})
				}
			}
		}
		return sortTargets(out), false
	}
	// A large set: one copy of the mailbox.
	v := s.snapshot()
	var out []target
	for _, i := range s.pick(v, numSet) {
		out = append(out, target{seq: v.clientSeq[i], msg: v.msgs[i]})
	}
	gone := false
	if set, ok := numSet.(imap.SeqSet); ok {
		gone = uint64(len(out)) < countSeqs(staticSeqSet(set, v.maxSeq), v.maxSeq)
	}
	return out, gone
}

// clientMax is the client's "*": the highest sequence number it knows for a
// message still here. Messages the client has not been told about yet sit at
// the end of the mailbox, so it is found walking down from the last.
func (s *session) clientMax(count uint32) uint32 {
	for n := count; n > 0; n-- {
		if seq := s.sel.tracker.EncodeSeqNum(n); seq != 0 {
			return seq
		}
	}
	return 0
}

// countSeqs counts the distinct numbers of a static set up to max.
func countSeqs(set imap.SeqSet, max uint32) uint64 {
	var merged imap.SeqSet
	for _, r := range set {
		if r.Start > max {
			continue
		}
		merged.AddRange(r.Start, min(r.Stop, max))
	}
	var n uint64
	for _, r := range merged {
		n += uint64(r.Stop) - uint64(r.Start) + 1
	}
	return n
}

// countUIDs counts the numbers of a UID set; dynamic means it holds "*",
// whose value needs the whole mailbox.
func countUIDs(set imap.UIDSet) (n uint64, dynamic bool) {
	for _, r := range set {
		if r.Start == 0 || r.Stop == 0 {
			return 0, true
		}
		start, stop := r.Start, r.Stop
		if start > stop {
			start, stop = stop, start
		}
		n += uint64(stop) - uint64(start) + 1
	}
	return n, false
}

// sortTargets orders by sequence number and drops repeats ("FETCH 2,1:3").
func sortTargets(in []target) []target {
	if len(in) < 2 {
		return in
	}
	sort.Slice(in, func(i, j int) bool { return in[i].seq < in[j].seq })
	out := in[:1]
	for _, t := range in[1:] {
		if t.seq != out[len(out)-1].seq {
			out = append(out, t)
		}
	}
	return out
}
