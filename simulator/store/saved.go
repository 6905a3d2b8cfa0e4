package store

// Saved is the mail of a store at one moment (Store.Save), to put back with
// Store.Restore: a lesson redoes a step from the world as it was when the
// step began. It holds the mailboxes' state, not the message bytes, which
// are immutable and shared.
type Saved struct {
	nextValidity uint32
	used         int64
	users        []savedUser
}

type savedUser struct {
	user       *User
	used       int64
	mailboxes  []savedMailbox
	subscribed map[string]bool
}

type savedMailbox struct {
	box         *Mailbox // the same handle comes back, so a name keeps its identity
	name        string
	uidValidity uint32
	uidNext     uint32
	msgs        []message // copies: flags slices are copied too
	keywords    []string
}

// Save copies the state of every user's mailboxes.
func (s *Store) Save() *Saved {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := &Saved{nextValidity: s.nextValidity, used: s.used}
	for _, u := range s.userOrder {
		su := savedUser{user: u, used: u.used, subscribed: map[string]bool{}}
		for name, on := range u.subscribed {
			su.subscribed[name] = on
		}
		for _, mb := range u.mailboxes {
			sm := savedMailbox{box: mb, name: mb.name, uidValidity: mb.uidValidity, uidNext: mb.uidNext,
				keywords: append([]string(nil), mb.keywords...)}
			for _, m := range mb.msgs {
				c := *m
				c.flags = append([]string(nil), m.flags...)
				sm.msgs = append(sm.msgs, c)
			}
			su.mailboxes = append(su.mailboxes, sm)
		}
		sv.users = append(sv.users, su)
	}
	return sv
}

// Restore puts the mailboxes back as Save found them: messages, flags,
// UIDs, UIDNEXT and UIDVALIDITY, folders created since are gone and folders
// deleted since are back. Users added since stay. It refuses with
// ErrMaildropInUse while a POP3 session holds a maildrop (its message list
// would no longer match the INBOX): end the sessions first. IMAP sessions
// still open see a mailbox change under them without being told: end them
// first too. Watchers get one MailboxCreated change per restored mailbox,
// so that whoever shows the store reads it again.
func (s *Store) Restore(sv *Saved) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, su := range sv.users {
		if su.user.maildrop != nil {
			return ErrMaildropInUse
		}
	}
	s.nextValidity = max(s.nextValidity, sv.nextValidity)
	s.used = sv.used
	var restored []*Mailbox
	for _, su := range sv.users {
		u := su.user
		for _, mb := range u.mailboxes {
			mb.deleted = true
		}
		u.mailboxes = make(map[string]*Mailbox)
		for _, sm := range su.mailboxes {
			mb := sm.box
			mb.name, mb.uidValidity, mb.uidNext, mb.deleted = sm.name, sm.uidValidity, sm.uidNext, false
			mb.keywords = append([]string(nil), sm.keywords...)
			mb.msgs = make([]*message, len(sm.msgs))
			for i := range sm.msgs {
				c := sm.msgs[i]
				c.flags = append([]string(nil), c.flags...)
				mb.msgs[i] = &c
			}
			u.mailboxes[sm.name] = mb
			restored = append(restored, mb)
		}
		u.subscribed = make(map[string]bool)
		for name, on := range su.subscribed {
			u.subscribed[name] = on
		}
		u.used = su.used
	}
	// Users added after Save keep their mail; count it again.
	for _, u := range s.userOrder {
		if !sv.has(u) {
			s.used += u.used
		}
	}
	for _, mb := range restored {
		s.notify(Change{Kind: MailboxCreated, User: mb.user.Address, Mailbox: mb.name, Box: mb, NumMessages: uint32(len(mb.msgs))})
	}
	return nil
}

func (sv *Saved) has(u *User) bool {
	for _, su := range sv.users {
		if su.user == u {
			return true
		}
	}
	return false
}
