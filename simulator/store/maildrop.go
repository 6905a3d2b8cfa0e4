package store

import "sort"

// Maildrop is a POP3 session's exclusive hold on a user's INBOX (RFC 1939 §8:
// the server acquires an exclusive-access lock on the maildrop). It sees the
// messages that were there when it was opened; deletions are only marks until
// Commit, so a session that ends any other way deletes nothing.
type Maildrop struct {
	user     *User
	owner    any
	msgs     []Message // numbered from 1 as POP3 numbers them, fixed for the session
	deleted  map[uint32]bool
	released bool
}

// OpenMaildrop locks the user's INBOX for one POP3 session. It fails with
// ErrMaildropInUse when another session holds it.
func (u *User) OpenMaildrop(owner any) (*Maildrop, error) {
	s := u.store
	inbox := u.Inbox()
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.maildrop != nil {
		return nil, ErrMaildropInUse
	}
	md := &Maildrop{user: u, owner: owner, deleted: make(map[uint32]bool)}
	for i := range inbox.msgs {
		md.msgs = append(md.msgs, inbox.copyOut(i))
	}
	u.maildrop = md
	s.notify(Change{Kind: MaildropChanged, User: u.Address, Mailbox: "INBOX", Box: inbox, Origin: owner})
	return md, nil
}

// Messages returns the maildrop's messages, numbered from 1 (index+1),
// including those marked deleted.
func (md *Maildrop) Messages() []Message { return md.msgs }

// Message returns message n (1-based).
func (md *Maildrop) Message(n int) (Message, bool) {
	if n < 1 || n > len(md.msgs) {
		return Message{}, false
	}
	return md.msgs[n-1], true
}

// IsDeleted reports whether message n is marked deleted.
func (md *Maildrop) IsDeleted(n int) bool {
	m, ok := md.Message(n)
	if !ok {
		return false
	}
	md.user.store.mu.Lock()
	defer md.user.store.mu.Unlock()
	return md.deleted[m.UID]
}

// MarkDeleted marks message n for deletion at Commit.
func (md *Maildrop) MarkDeleted(n int) error {
	m, ok := md.Message(n)
	if !ok {
		return ErrNoSuchMessage
	}
	s := md.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	md.deleted[m.UID] = true
	s.notify(Change{Kind: MaildropChanged, User: md.user.Address, Mailbox: "INBOX", UID: m.UID, Origin: md.owner})
	return nil
}

// Reset unmarks every message (POP3 RSET).
func (md *Maildrop) Reset() {
	s := md.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	md.deleted = make(map[uint32]bool)
	s.notify(Change{Kind: MaildropChanged, User: md.user.Address, Mailbox: "INBOX", Origin: md.owner})
}

// MarkedDeleted returns the UIDs marked for deletion, ascending.
func (md *Maildrop) MarkedDeleted() []uint32 {
	md.user.store.mu.Lock()
	defer md.user.store.mu.Unlock()
	return md.markedLocked()
}

func (md *Maildrop) markedLocked() []uint32 {
	var out []uint32
	for uid := range md.deleted {
		out = append(out, uid)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Commit removes the marked messages and releases the lock (the POP3 UPDATE
// state, entered on QUIT). It returns how many messages were removed.
func (md *Maildrop) Commit() int {
	inbox := md.user.Inbox()
	removed := inbox.Expunge(md.MarkedDeleted(), md.owner)
	md.Release()
	return len(removed)
}

// Release gives up the lock without deleting anything (a dropped connection,
// a QUIT in the AUTHORIZATION state). Safe to call more than once.
func (md *Maildrop) Release() {
	s := md.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if md.released {
		return
	}
	md.released = true
	if md.user.maildrop == md {
		md.user.maildrop = nil
	}
	s.notify(Change{Kind: MaildropChanged, User: md.user.Address, Mailbox: "INBOX", Origin: md.owner})
}

// MaildropLock describes a held POP3 lock for a snapshot.
type MaildropLock struct {
	User          string
	MarkedDeleted []uint32
}

// MaildropLocks lists the maildrops held right now.
func (s *Store) MaildropLocks() []MaildropLock {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []MaildropLock
	for _, u := range s.userOrder {
		if u.maildrop != nil {
			out = append(out, MaildropLock{User: u.Address, MarkedDeleted: u.maildrop.markedLocked()})
		}
	}
	return out
}
