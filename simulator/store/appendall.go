package store

import "time"

// NewMessage is one message for AppendAll.
type NewMessage struct {
	Raw   []byte    // the message; normalised to CRLF and copied, like Append's
	Flags []string  // its flags
	Date  time.Time // its internal date; zero means now
}

// AppendAll stores several messages at once, in order, and returns their
// UIDs: all of them or none (IMAP MULTIAPPEND, RFC 3502 §6.3.11: "If the
// server is unable to append all of the messages, it MUST NOT append any").
// They must fit the owner's quota and the store's limit together, checked
// under the same lock as the adding; otherwise nothing is stored and the
// error is ErrOverQuota or ErrStoreFull. A deleted mailbox is
// ErrNoSuchMailbox. origin identifies the caller in the Changes it causes.
func (mb *Mailbox) AppendAll(msgs []NewMessage, origin any) ([]uint32, error) {
	bodies := make([][]byte, len(msgs))
	var size int64
	for i, m := range msgs {
		raw := NormalizeCRLF(m.Raw)
		if len(raw) == len(m.Raw) {
			// The store keeps the bytes for ever: never alias the caller's buffer.
			raw = append(make([]byte, 0, len(raw)), raw...)
		}
		bodies[i] = raw
		size += int64(len(raw))
	}
	s := mb.user.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if mb.deleted {
		return nil, ErrNoSuchMailbox
	}
	if err := s.roomLocked(mb.user, size); err != nil {
		return nil, err
	}
	uids := make([]uint32, len(msgs))
	for i, m := range msgs {
		date := m.Date
		if date.IsZero() {
			date = s.now()
		}
		s.nextMessageID++
		body := &Body{ID: s.nextMessageID, Raw: bodies[i], HeaderLen: headerLen(bodies[i])}
		uids[i] = mb.appendLocked(body, m.Flags, date, origin)
	}
	return uids, nil
}
