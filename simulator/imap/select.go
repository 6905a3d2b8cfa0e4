package imap

import (
	"sync/atomic"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// selected is the session's view of its selected mailbox.
type selected struct {
	mb       *store.Mailbox
	box      *boxState
	tracker  *imapserver.SessionTracker
	wake     chan struct{}   // poked by the server after each update (see boxState.wake)
	readOnly bool            // EXAMINE
	recent   map[uint32]bool // UIDs this session holds as \Recent (RFC 3501 §2.3.2)
	saved    imap.UIDSet     // SEARCH RETURN (SAVE) result, the "$" of RFC 5182
	// echo holds the FETCH replies of a STORE that brought a new keyword:
	// they are written by Poll, after the FLAGS update that announces it.
	echo []storeEcho
	// expungesSeen is box.expunges as of this session's last poll that
	// told the client of expunges: the difference is how many messages
	// the client still counts although they are gone (see resolve).
	expungesSeen atomic.Uint64
}

// recentCount is how many messages this session holds as \Recent. A UID
// whose message has been expunged no longer counts, and is forgotten.
func (sel *selected) recentCount() uint32 {
	for uid := range sel.recent {
		if sel.mb.SeqOfUID(uid) == 0 {
			delete(sel.recent, uid)
		}
	}
	return uint32(len(sel.recent))
}

// storeEcho is one deferred STORE reply.
type storeEcho struct {
	uid     uint32
	withUID bool // UID STORE: the reply carries UID (RFC 3501 §6.4.8)
}

// systemFlags are the flags every mailbox supports, in RFC 3501 spelling.
var systemFlags = []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}

func (s *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	mb, err := s.user.Mailbox(name)
	if err != nil {
		return nil, storeErr(err)
	}
	s.Unselect() // the library unselects first; be safe anyway
	sel := &selected{mb: mb, readOnly: options.ReadOnly, recent: make(map[uint32]bool), wake: make(chan struct{}, 1)}
	var st store.Status
	var msgs []store.Message
	srv := s.srv
	// Read the store, then register with the tracker, and retry if a change
	// slipped in between: the tracker must start from exactly the count the
	// client is told (it panics on an expunge beyond its count).
	for {
		srv.mu.Lock()
		before := srv.stateLocked(mb, s.user.Address, name).version
		srv.mu.Unlock()

		if !sel.readOnly && !s.rev2() {
			for _, uid := range mb.ClaimRecent() {
				sel.recent[uid] = true
			}
		}
		st = mb.Status()
		msgs = mb.Messages()

		srv.mu.Lock()
		box := srv.stateLocked(mb, s.user.Address, st.Name)
		if box.version == before && uint32(len(msgs)) == st.Messages {
			if box.tracker == nil {
				box.tracker = imapserver.NewMailboxTracker(uint32(len(msgs)))
			}
			box.count = uint32(len(msgs))
			box.keywords = st.Keywords
			sel.box = box
			sel.tracker = box.tracker.NewSession()
			sel.expungesSeen.Store(box.expunges)
			box.wake[sel.wake] = struct{}{}
			srv.mu.Unlock()
			break
		}
		srv.mu.Unlock()
	}
	s.idleMu.Lock()
	s.sel = sel
	s.idleMu.Unlock()

	flags := append([]imap.Flag(nil), systemFlags...)
	flags = append(flags, toFlags(st.Keywords)...)
	var perm []imap.Flag
	if !sel.readOnly {
		// RFC 3501 §7.1: "\*" says new keywords may be created too.
		perm = append(append(perm, flags...), imap.FlagWildcard)
	}
	data := &imap.SelectData{
		Flags:             flags,
		PermanentFlags:    perm,
		NumMessages:       uint32(len(msgs)),
		FirstUnseenSeqNum: st.FirstUnseen,
		UIDNext:           imap.UID(st.UIDNext),
		UIDValidity:       st.UIDValidity,
	}
	if s.rev2() {
		data.List = s.selectList(st.Name)
	}
	if sel.readOnly {
		data.NumRecent = st.Recent // EXAMINE looks without claiming
	} else {
		data.NumRecent = uint32(len(sel.recent))
	}
	return data, nil
}

func (s *session) Unselect() error {
	if s.sel != nil {
		s.srv.mu.Lock()
		delete(s.sel.box.wake, s.sel.wake)
		s.srv.mu.Unlock()
		s.sel.tracker.Close()
		s.idleMu.Lock()
		s.sel = nil
		s.idleMu.Unlock()
	}
	return nil
}

// view is a consistent snapshot of the selected mailbox with the sequence
// number the client knows each message by (0: the client has not been told
// about it yet, so it must not appear in replies).
type view struct {
	msgs      []store.Message
	clientSeq []uint32
	maxSeq    uint32 // the client's "*" for sequence sets
}

func (s *session) snapshot() view {
	sel, srv := s.sel, s.srv
	for {
		srv.mu.Lock()
		before := sel.box.version
		srv.mu.Unlock()

		msgs := sel.mb.Messages()

		srv.mu.Lock()
		if sel.box.version != before {
			srv.mu.Unlock()
			continue
		}
		v := view{msgs: msgs, clientSeq: make([]uint32, len(msgs))}
		for i := range msgs {
			seq := sel.tracker.EncodeSeqNum(uint32(i + 1))
			v.clientSeq[i] = seq
			if seq > v.maxSeq {
				v.maxSeq = seq
			}
		}
		srv.mu.Unlock()
		return v
	}
}

// pick returns the indexes (into v.msgs, ascending) of the messages a
// sequence or UID set names, "*" and "$" resolved.
func (s *session) pick(v view, numSet imap.NumSet) []int {
	var out []int
	switch set := numSet.(type) {
	case imap.SeqSet:
		set = staticSeqSet(set, v.maxSeq)
		for i, seq := range v.clientSeq {
			if seq != 0 && set.Contains(seq) {
				out = append(out, i)
			}
		}
	case imap.UIDSet:
		if imap.IsSearchRes(set) {
			set = s.sel.saved
		}
		var maxUID uint32
		if n := len(v.msgs); n > 0 {
			maxUID = v.msgs[n-1].UID
		}
		set = staticUIDSet(set, imap.UID(maxUID))
		for i, m := range v.msgs {
			if v.clientSeq[i] != 0 && set.Contains(imap.UID(m.UID)) {
				out = append(out, i)
			}
		}
	}
	return out
}

// staticSeqSet replaces "*" (stored as 0) with the largest number.
func staticSeqSet(in imap.SeqSet, max uint32) imap.SeqSet {
	out := make(imap.SeqSet, len(in))
	for i, r := range in {
		out[i] = r
		staticRange(&out[i].Start, &out[i].Stop, max)
	}
	return out
}

func staticUIDSet(in imap.UIDSet, max imap.UID) imap.UIDSet {
	out := make(imap.UIDSet, len(in))
	for i, r := range in {
		start, stop := uint32(r.Start), uint32(r.Stop)
		staticRange(&start, &stop, uint32(max))
		out[i] = imap.UIDRange{Start: imap.UID(start), Stop: imap.UID(stop)}
	}
	return out
}

func staticRange(start, stop *uint32, max uint32) {
	if *start == 0 {
		*start = max
	}
	if *stop == 0 {
		*stop = max
	}
	if *start > *stop { // "5:2" means "2:5" (RFC 3501 §9 seq-range)
		*start, *stop = *stop, *start
	}
}

// flagsOf returns a message's flags as this session shows them (with \Recent
// when the session holds it, IMAP4rev1 only).
func (s *session) flagsOf(m store.Message) []imap.Flag {
	flags := toFlags(m.Flags)
	if s.sel.recent[m.UID] && !s.rev2() {
		flags = append(flags, imap.Flag(store.Recent))
	}
	return flags
}
