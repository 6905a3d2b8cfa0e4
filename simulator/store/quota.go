package store

import "errors"

// Storage limits. Each protocol says them its own way: SMTP 452 4.2.2 (the
// mailbox is full, RFC 3463 X.2.2) or 452 4.3.1 (the system is out of
// storage), IMAP NO [OVERQUOTA] (RFC 5530, RFC 9208) or NO [LIMIT].
var (
	// ErrOverQuota: the user's mail would take more than Options.MailboxQuotaBytes.
	ErrOverQuota = errors.New("mailbox over quota")
	// ErrStoreFull: the store would hold more than Options.WorldBytes.
	ErrStoreFull = errors.New("insufficient system storage")
)

// Usage is what some mail takes against its limit, in octets (RFC 9208's
// STORAGE counts kilo-octets; the store counts octets).
type Usage struct {
	Used  int64 // octets of every message copy held (a copy in two mailboxes counts twice, as IMAP QUOTA does)
	Limit int64 // 0: no limit
}

// Left is what may still be added; -1 when there is no limit.
func (u Usage) Left() int64 {
	if u.Limit <= 0 {
		return -1
	}
	return max(u.Limit-u.Used, 0)
}

// Fits reports whether size more octets stay within the limit.
func (u Usage) Fits(size int64) bool { return u.Limit <= 0 || u.Used+size <= u.Limit }

// Quota is the user's mail (every mailbox together: the "mailbox" of
// RFC 5321 and RFC 3463, one quota root in RFC 9208 terms) against
// Options.MailboxQuotaBytes.
func (u *User) Quota() Usage {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	return Usage{Used: u.used, Limit: u.store.quota}
}

// Usage is the whole store against Options.WorldBytes.
func (s *Store) Usage() Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Usage{Used: s.used, Limit: s.worldLimit}
}

// CheckRoom says whether size more octets of mail for u would fit: nil,
// ErrOverQuota or ErrStoreFull. (Adding mail checks again, under the same
// lock as the adding: this is for answering early, at SMTP RCPT or DATA.)
func (s *Store) CheckRoom(u *User, size int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.roomLocked(u, size)
}

func (s *Store) roomLocked(u *User, size int64) error {
	if !(Usage{Used: u.used, Limit: s.quota}).Fits(size) {
		return ErrOverQuota
	}
	if !(Usage{Used: s.used, Limit: s.worldLimit}).Fits(size) {
		return ErrStoreFull
	}
	return nil
}

// account adds (or, negative, takes away) octets of u's mail.
func (s *Store) account(u *User, size int64) {
	u.used += size
	s.used += size
}
