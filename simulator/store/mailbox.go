package store

import (
	"bytes"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailtutor/mailtutor/simulator/internal/linedot"
)

// Body is a message's content: raw RFC 5322 bytes with CRLF line endings.
// It is immutable once stored, shared by every copy of the message, and safe
// to read without any lock. Servers may cache parsed forms keyed by *Body.
type Body struct {
	ID        uint64 // unique per store, in delivery order
	Raw       []byte // the whole message, CRLF line endings
	HeaderLen int    // bytes of the header, including the blank line that ends it
	// dotLines caches whether a line of Raw starts with a dot (0: not
	// looked yet, 1: none, 2: some); see DotLines.
	dotLines atomic.Int32
}

// DotLines reports whether a line of the message starts with a dot, so
// that POP3 must dot-stuff it (RFC 1939 §3). A message is read many times
// and never changes: the answer is found once, on first use.
func (b *Body) DotLines() bool {
	switch b.dotLines.Load() {
	case 1:
		return false
	case 2:
		return true
	}
	some := len(b.Raw) > 0 && b.Raw[0] == '.' || linedot.Index(b.Raw) >= 0
	if some {
		b.dotLines.Store(2)
	} else {
		b.dotLines.Store(1)
	}
	return some
}

// Size is the message size in octets as IMAP RFC822.SIZE and POP3 count it.
func (b *Body) Size() int { return len(b.Raw) }

// Header returns the header section, including the blank line.
func (b *Body) Header() []byte { return b.Raw[:b.HeaderLen] }

// Text returns the body section after the header.
func (b *Body) Text() []byte { return b.Raw[b.HeaderLen:] }

// NormalizeCRLF turns bare LF and bare CR line endings into CRLF, so that
// sizes and POP3/IMAP framing are right however a message was injected.
func NormalizeCRLF(raw []byte) []byte {
	// As many CRs as LFs as CRLF pairs means every line ends in CRLF; the
	// counts are vectorised, a byte-by-byte check is not.
	lf := bytes.Count(raw, []byte{'\n'})
	if bytes.Count(raw, []byte{'\r'}) == lf && bytes.Count(raw, []byte("\r\n")) == lf {
		return raw
	}
	out := make([]byte, 0, len(raw)+len(raw)/40)
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	return out
}

func headerLen(raw []byte) int {
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		return 2
	}
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	return len(raw)
}

// message is one message in one mailbox.
type message struct {
	uid          uint32
	flags        []string
	internalDate time.Time
	body         *Body
	recent       bool // not yet seen by any IMAP session that selected the mailbox
}

// Message is a copy of one message's state, safe to keep and read.
type Message struct {
	UID          uint32
	SeqNum       uint32 // position in the mailbox when the copy was taken
	Flags        []string
	InternalDate time.Time
	Recent       bool // IMAP \Recent: no IMAP session has selected the mailbox since it arrived
	Body         *Body
}

// Has reports whether the message carries a flag (case-insensitive).
func (m Message) Has(flag string) bool { return hasFlag(m.Flags, flag) }

// Mailbox is one folder of one user.
type Mailbox struct {
	user        *User
	name        string
	SpecialUse  string // immutable after creation
	uidValidity uint32
	uidNext     uint32
	msgs        []*message // sorted by UID; sequence number = index+1
	deleted     bool
	keywords    []string // every keyword ever set here, for IMAP FLAGS
}

// Name returns the mailbox's current name.
func (mb *Mailbox) Name() string {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	return mb.name
}

// User returns the mailbox owner.
func (mb *Mailbox) User() *User { return mb.user }

// Status summarises a mailbox.
type Status struct {
	Name        string
	Messages    uint32
	Recent      uint32
	Unseen      uint32 // messages without \Seen
	Deleted     uint32 // messages with \Deleted
	UIDNext     uint32
	UIDValidity uint32
	Size        int64 // total octets
	Keywords    []string
	// FirstUnseen is the sequence number of the first message without \Seen, or 0.
	FirstUnseen uint32
}

// Status returns the mailbox's counters.
func (mb *Mailbox) Status() Status {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	st := Status{Name: mb.name, Messages: uint32(len(mb.msgs)), UIDNext: mb.uidNext, UIDValidity: mb.uidValidity, Keywords: append([]string(nil), mb.keywords...)}
	for i, m := range mb.msgs {
		if m.recent {
			st.Recent++
		}
		if !hasFlag(m.flags, Seen) {
			st.Unseen++
			if st.FirstUnseen == 0 {
				st.FirstUnseen = uint32(i + 1)
			}
		}
		if hasFlag(m.flags, Deleted) {
			st.Deleted++
		}
		st.Size += int64(m.body.Size())
	}
	return st
}

// Exists reports whether the mailbox has not been deleted.
func (mb *Mailbox) Exists() bool {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	return !mb.deleted
}

func (mb *Mailbox) copyOut(i int) Message {
	m := mb.msgs[i]
	return Message{UID: m.uid, SeqNum: uint32(i + 1), Flags: append([]string(nil), m.flags...), InternalDate: m.internalDate, Recent: m.recent, Body: m.body}
}

// Messages returns a copy of every message, in sequence order.
func (mb *Mailbox) Messages() []Message {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	out := make([]Message, len(mb.msgs))
	for i := range mb.msgs {
		out[i] = mb.copyOut(i)
	}
	return out
}

// indexOfUID finds a UID; messages are kept sorted by UID. Until the first
// expunge, UIDs run without gaps from the first one, so the position is
// a subtraction; otherwise a binary search.
func (mb *Mailbox) indexOfUID(uid uint32) int {
	msgs := mb.msgs
	if len(msgs) == 0 || uid < msgs[0].uid {
		return -1
	}
	if d := uid - msgs[0].uid; d < uint32(len(msgs)) && msgs[d].uid == uid {
		return int(d)
	}
	lo, hi := 0, len(msgs) // the first index whose UID is >= uid lies in [lo, hi]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if msgs[mid].uid < uid {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(msgs) && msgs[lo].uid == uid {
		return lo
	}
	return -1
}

// ByUID returns the message with the given UID.
func (mb *Mailbox) ByUID(uid uint32) (Message, bool) {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	i := mb.indexOfUID(uid)
	if i < 0 {
		return Message{}, false
	}
	return mb.copyOut(i), true
}

// BySeq returns the message at a sequence number (1-based).
func (mb *Mailbox) BySeq(seq uint32) (Message, bool) {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	if seq == 0 || int(seq) > len(mb.msgs) {
		return Message{}, false
	}
	return mb.copyOut(int(seq) - 1), true
}

// SeqOfUID returns the current sequence number of a UID, or 0.
func (mb *Mailbox) SeqOfUID(uid uint32) uint32 {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	return uint32(mb.indexOfUID(uid) + 1)
}

// Append stores a new message and returns its UID. raw is normalised to CRLF.
// A zero date means now. origin identifies the caller in the Change it causes.
func (mb *Mailbox) Append(raw []byte, flags []string, date time.Time, origin any) (uint32, error) {
	if norm := NormalizeCRLF(raw); len(norm) != len(raw) {
		raw = norm
	} else {
		// The store keeps the bytes for ever: never alias the caller's buffer.
		raw = append(make([]byte, 0, len(norm)), norm...)
	}
	return mb.AppendOwned(raw, flags, date, origin)
}

// AppendOwned is Append for a caller that hands the bytes over: raw must
// already end its lines in CRLF, and the caller must never touch it again
// (the SMTP server builds each delivered copy in a buffer of its own).
func (mb *Mailbox) AppendOwned(raw []byte, flags []string, date time.Time, origin any) (uint32, error) {
	s := mb.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if mb.deleted {
		return 0, ErrNoSuchMailbox
	}
	if err := s.roomLocked(mb.user, int64(len(raw))); err != nil {
		return 0, err
	}
	if date.IsZero() {
		date = s.now()
	}
	s.nextMessageID++
	body := &Body{ID: s.nextMessageID, Raw: raw, HeaderLen: headerLen(raw)}
	return mb.appendLocked(body, flags, date, origin), nil
}

func (mb *Mailbox) appendLocked(body *Body, flags []string, date time.Time, origin any) uint32 {
	m := &message{uid: mb.uidNext, flags: mb.cleanFlags(flags), internalDate: date, body: body, recent: true}
	mb.uidNext++
	mb.msgs = append(mb.msgs, m)
	mb.user.store.account(mb.user, int64(body.Size()))
	mb.user.store.notify(Change{Kind: MessageAdded, User: mb.user.Address, Mailbox: mb.name, Box: mb, UID: m.uid,
		SeqNum: uint32(len(mb.msgs)), NumMessages: uint32(len(mb.msgs)), Flags: append([]string(nil), m.flags...), Origin: origin})
	return m.uid
}

// cleanFlags canonicalises flags, drops duplicates and \Recent (which only the server sets),
// and remembers new keywords.
func (mb *Mailbox) cleanFlags(flags []string) []string {
	var out []string
	for _, f := range flags {
		f = CanonicalFlag(f)
		if f == "" || f == Recent || hasFlag(out, f) {
			continue
		}
		out = append(out, f)
		if !strings.HasPrefix(f, `\`) && !hasFlag(mb.keywords, f) {
			mb.keywords = append(mb.keywords, f)
		}
	}
	return out
}

// FlagOp says how StoreFlags combines the given flags with the current ones.
type FlagOp int

const (
	FlagsAdd     FlagOp = iota // +FLAGS
	FlagsRemove                // -FLAGS
	FlagsReplace               // FLAGS
)

// StoreFlags changes the flags of the messages with the given UIDs (missing
// UIDs are skipped) and returns their new state. Only messages whose flags
// really changed are announced.
func (mb *Mailbox) StoreFlags(uids []uint32, op FlagOp, flags []string, origin any) []Message {
	s := mb.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	flags = mb.cleanFlags(flags)
	var out []Message
	for _, uid := range uids {
		i := mb.indexOfUID(uid)
		if i < 0 {
			continue
		}
		m := mb.msgs[i]
		var next []string
		switch op {
		case FlagsAdd:
			next = append([]string(nil), m.flags...)
			for _, f := range flags {
				if !hasFlag(next, f) {
					next = append(next, f)
				}
			}
		case FlagsRemove:
			for _, f := range m.flags {
				if !hasFlag(flags, f) {
					next = append(next, f)
				}
			}
		case FlagsReplace:
			next = append([]string(nil), flags...)
		}
		changed := !sameFlags(m.flags, next)
		m.flags = next
		if changed {
			s.notify(Change{Kind: FlagsChanged, User: mb.user.Address, Mailbox: mb.name, Box: mb, UID: uid, SeqNum: uint32(i + 1),
				NumMessages: uint32(len(mb.msgs)), Flags: append([]string(nil), next...), Origin: origin})
		}
		out = append(out, mb.copyOut(i))
	}
	return out
}

// AddFlag sets one flag on one message, as StoreFlags with FlagsAdd does,
// without building the messages it would return: POP3 sets \Seen on every
// RETR, and usually it is there already.
func (mb *Mailbox) AddFlag(uid uint32, flag string, origin any) {
	if !mb.HasFlag(uid, flag) {
		mb.StoreFlags([]uint32{uid}, FlagsAdd, []string{flag}, origin)
	}
}

// HasFlag reports whether the message with that UID carries the flag.
func (mb *Mailbox) HasFlag(uid uint32, flag string) bool {
	s := mb.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	i := mb.indexOfUID(uid)
	return i >= 0 && hasFlag(mb.msgs[i].flags, CanonicalFlag(flag))
}

// Expunge removes the given UIDs (all messages flagged \Deleted when uids is
// nil) and returns the UIDs removed, in the order removed.
func (mb *Mailbox) Expunge(uids []uint32, origin any) []uint32 {
	s := mb.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	var want map[uint32]bool
	if uids != nil {
		want = make(map[uint32]bool, len(uids))
		for _, u := range uids {
			want[u] = true
		}
	}
	var removed []uint32
	// Each removal is announced with the sequence number valid at that
	// moment (RFC 3501 §7.4.1), so later numbers shift down as we go.
	for i := 0; i < len(mb.msgs); {
		m := mb.msgs[i]
		if (want == nil && hasFlag(m.flags, Deleted)) || (want != nil && want[m.uid]) {
			removed = append(removed, m.uid)
			mb.removeAtLocked(i, origin)
			continue
		}
		i++
	}
	return removed
}

func (mb *Mailbox) removeAtLocked(i int, origin any) {
	uid := mb.msgs[i].uid
	mb.user.store.account(mb.user, -int64(mb.msgs[i].body.Size()))
	mb.msgs = append(mb.msgs[:i], mb.msgs[i+1:]...)
	mb.user.store.notify(Change{Kind: MessageRemoved, User: mb.user.Address, Mailbox: mb.name, Box: mb, UID: uid, SeqNum: uint32(i + 1),
		NumMessages: uint32(len(mb.msgs)), Origin: origin})
}

// CopyResult pairs a source UID with the UID of its copy.
type CopyResult struct {
	UIDValidity uint32 // of the destination
	SourceUIDs  []uint32
	DestUIDs    []uint32
}

// CopyTo copies messages (by UID, ascending) into dest, keeping flags and
// internal dates; the copies are \Recent in dest. With move set the originals
// are removed afterwards (RFC 6851 MOVE). The copies must fit dest's owner's
// quota and the store's limit before the originals go, as on Dovecot (which
// is why real servers give Trash extra room): otherwise nothing is copied
// and the error is ErrOverQuota or ErrStoreFull.
func (mb *Mailbox) CopyTo(uids []uint32, dest *Mailbox, move bool, origin any) (CopyResult, error) {
	s := mb.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if dest.deleted {
		return CopyResult{}, ErrNoSuchMailbox
	}
	sorted := append([]uint32(nil), uids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	res := CopyResult{UIDValidity: dest.uidValidity}
	var idx []int
	for _, uid := range sorted {
		i := mb.indexOfUID(uid)
		if i < 0 {
			continue
		}
		idx = append(idx, i)
	}
	var size int64
	for _, i := range idx {
		size += int64(mb.msgs[i].body.Size())
	}
	if err := s.roomLocked(dest.user, size); err != nil {
		return CopyResult{}, err
	}
	if move && dest == mb {
		// MOVE into the mailbox itself: the originals go first, then
		// their copies arrive, so that IMAP sessions are told "* n
		// EXPUNGE" and then the "* n EXISTS" that announces the copies
		// with the mailbox's final count, as Dovecot tells them. The other
		// order told an EXISTS that the EXPUNGEs then took back, and a
		// client checking the count after the move saw none for the new
		// messages.
		moved := make([]*message, len(idx))
		for k, i := range idx {
			moved[k] = mb.msgs[i]
		}
		for k := len(idx) - 1; k >= 0; k-- { // idx ascends with the UIDs
			mb.removeAtLocked(idx[k], origin)
		}
		for _, m := range moved {
			res.SourceUIDs = append(res.SourceUIDs, m.uid)
			res.DestUIDs = append(res.DestUIDs, mb.appendLocked(m.body, m.flags, m.internalDate, origin))
		}
		return res, nil
	}
	for _, i := range idx {
		m := mb.msgs[i]
		res.SourceUIDs = append(res.SourceUIDs, m.uid)
		res.DestUIDs = append(res.DestUIDs, dest.appendLocked(m.body, m.flags, m.internalDate, origin))
	}
	if move {
		for k := len(res.SourceUIDs) - 1; k >= 0; k-- {
			if i := mb.indexOfUID(res.SourceUIDs[k]); i >= 0 {
				mb.removeAtLocked(i, origin)
			}
		}
	}
	return res, nil
}

// ClaimRecent is called by an IMAP session that selects the mailbox
// read-write: it returns the UIDs that are \Recent for that session and clears
// the flag so no other session sees them as recent (RFC 3501 §2.3.2).
func (mb *Mailbox) ClaimRecent() []uint32 {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	var out []uint32
	for _, m := range mb.msgs {
		if m.recent {
			out = append(out, m.uid)
			m.recent = false
		}
	}
	return out
}

// UIDValidity returns the mailbox's UIDVALIDITY.
func (mb *Mailbox) UIDValidity() uint32 {
	mb.user.store.mu.Lock()
	defer mb.user.store.mu.Unlock()
	return mb.uidValidity
}
