// Package store is mailtutor's one in-memory mail store: users, mailboxes and
// messages, shared by the SMTP, POP3 and IMAP servers. Every change is
// announced to watchers (IMAP sessions, the TUI's mailbox pane) in the order it
// happened, whichever protocol made it.
//
// All methods are safe for concurrent use. A single mutex guards the whole
// store: operations are short (message bytes are immutable and read outside
// the lock), and one lock makes the order of changes obvious.
package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Errors with a meaning each protocol translates into its own reply.
var (
	ErrNoSuchUser        = errors.New("no such user")
	ErrAuthFailed        = errors.New("invalid user name or password")
	ErrNoSuchMailbox     = errors.New("no such mailbox")
	ErrMailboxExists     = errors.New("mailbox already exists")
	ErrInvalidName       = errors.New("invalid mailbox name")
	ErrCannotDeleteInbox = errors.New("INBOX cannot be deleted")
	ErrMaildropInUse     = errors.New("maildrop already locked by another session")
	ErrNoSuchMessage     = errors.New("no such message")
)

// Delimiter separates the levels of a mailbox name ("Archive/2026").
const Delimiter = '/'

// Options configure a Store.
type Options struct {
	// Now is the clock used for internal dates when none is given. Nil means
	// time.Now; the simulator passes its advanceable clock so runs repeat.
	Now func() time.Time
	// FirstUIDValidity is the UIDVALIDITY given to the first mailbox created;
	// each later mailbox gets the next number, so values are unique and
	// deterministic. Zero means 1.
	FirstUIDValidity uint32
	// MailboxQuotaBytes limits the octets of one user's mail, every
	// mailbox together (see User.Quota); adding more fails with
	// ErrOverQuota. Zero means no limit.
	MailboxQuotaBytes int64
	// WorldBytes limits the octets of mail in the whole store, so that
	// memory stays bounded however much mail arrives; adding more fails
	// with ErrStoreFull. Zero means no limit.
	WorldBytes int64
}

// Store holds every user's mail.
type Store struct {
	mu            sync.Mutex
	now           func() time.Time
	nextValidity  uint32
	nextMessageID uint64
	domains       []string
	users         map[string]*User // by lower-case address
	userOrder     []*User
	watchers      map[int]func(Change)
	nextWatcher   int
	quota         int64 // Options.MailboxQuotaBytes
	worldLimit    int64 // Options.WorldBytes
	used          int64 // octets of every message copy in the store
}

// New returns an empty store.
func New(opts Options) *Store {
	s := &Store{
		now:          opts.Now,
		nextValidity: opts.FirstUIDValidity,
		users:        make(map[string]*User),
		watchers:     make(map[int]func(Change)),
		quota:        max(opts.MailboxQuotaBytes, 0),
		worldLimit:   max(opts.WorldBytes, 0),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.nextValidity == 0 {
		s.nextValidity = 1
	}
	return s
}

// Now returns the store's current time.
func (s *Store) Now() time.Time { return s.now() }

// AddDomain makes a domain local: mail for it is delivered here.
func (s *Store) AddDomain(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	domain = strings.ToLower(domain)
	for _, d := range s.domains {
		if d == domain {
			return
		}
	}
	s.domains = append(s.domains, domain)
}

// Domains returns the local domains in the order they were added.
func (s *Store) Domains() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.domains...)
}

// IsLocalDomain reports whether mail for the domain is delivered in this store.
func (s *Store) IsLocalDomain(domain string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isLocalDomain(domain)
}

func (s *Store) isLocalDomain(domain string) bool {
	domain = strings.ToLower(domain)
	for _, d := range s.domains {
		if d == domain {
			return true
		}
	}
	return false
}

// AddUser creates a user with the standard mailboxes (INBOX, Sent, Drafts,
// Trash, Junk, Archive). The address's domain is made local if it was not.
func (s *Store) AddUser(address, password string) (*User, error) {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" || domain == "" {
		return nil, fmt.Errorf("user address %q: want NAME@DOMAIN", address)
	}
	s.AddDomain(domain)
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(address)
	if _, exists := s.users[key]; exists {
		return nil, fmt.Errorf("user %q already exists", address)
	}
	u := &User{store: s, Address: strings.ToLower(local) + "@" + strings.ToLower(domain), Name: strings.ToLower(local), password: password, mailboxes: make(map[string]*Mailbox), subscribed: make(map[string]bool)}
	s.users[key] = u
	s.userOrder = append(s.userOrder, u)
	for _, special := range []struct{ name, use string }{
		{"INBOX", ""}, {"Sent", `\Sent`}, {"Drafts", `\Drafts`}, {"Trash", `\Trash`}, {"Junk", `\Junk`}, {"Archive", `\Archive`},
	} {
		u.newMailbox(special.name, special.use)
		u.subscribed[special.name] = true
	}
	return u, nil
}

// Users returns every user in the order they were added.
func (s *Store) Users() []*User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*User(nil), s.userOrder...)
}

// LookupAddress finds the user who receives mail for an address (case-insensitive).
func (s *Store) LookupAddress(address string) (*User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(address)]
	return u, ok
}

// LookupLogin finds a user by login name: the full address, or the local part
// alone when exactly one user has it (so "alice" works as well as
// "alice@example.com").
func (s *Store) LookupLogin(login string) (*User, bool) {
	if strings.Contains(login, "@") {
		return s.LookupAddress(login)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *User
	for _, u := range s.userOrder {
		if strings.EqualFold(u.Name, login) {
			if found != nil {
				return nil, false // ambiguous: two domains have this name
			}
			found = u
		}
	}
	return found, found != nil
}

// Authenticate checks a login and password.
func (s *Store) Authenticate(login, password string) (*User, error) {
	u, ok := s.LookupLogin(login)
	if !ok || u.Password() != password {
		return nil, ErrAuthFailed
	}
	if u.PasswordLoginRefused() {
		// Only after the right password: a wrong one says nothing about
		// the account's settings.
		return nil, ErrPasswordLoginDisabled
	}
	return u, nil
}

// Watch calls fn for every change, in order, until cancel is called. fn runs
// while the store is locked: it must be quick and must not call the store.
func (s *Store) Watch(fn func(Change)) (cancel func()) {
	s.mu.Lock()
	id := s.nextWatcher
	s.nextWatcher++
	s.watchers[id] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.watchers, id)
		s.mu.Unlock()
	}
}

func (s *Store) notify(c Change) {
	for _, fn := range s.watchers {
		fn(c)
	}
}

// ChangeKind says what changed.
type ChangeKind int

const (
	MessageAdded   ChangeKind = iota // a message was delivered, appended, copied or moved in
	FlagsChanged                     // a message's flags changed
	MessageRemoved                   // a message was expunged (IMAP), deleted (POP3) or moved out
	MailboxCreated
	MailboxDeleted
	MailboxRenamed
	MaildropChanged // a POP3 session locked, unlocked or marked messages in a maildrop
)

// Change describes one change to the store.
type Change struct {
	Kind    ChangeKind
	User    string // address of the mailbox owner
	Mailbox string // mailbox name (the new name for MailboxRenamed)
	OldName string // the previous name, for MailboxRenamed
	// Mailbox handle, for changes to messages (nil for MailboxDeleted).
	Box         *Mailbox
	UID         uint32
	SeqNum      uint32   // sequence number of the message at the time of the change (for a removal: before it)
	NumMessages uint32   // messages in the mailbox after the change
	Flags       []string // the message's flags after a FlagsChanged
	// Origin is whatever the caller passed to identify itself (an IMAP
	// session, say), so that it can ignore the echo of its own changes.
	Origin any
}

// User is one account.
type User struct {
	store     *Store
	Address   string // alice@example.com (immutable)
	Name      string // alice (immutable)
	password  string
	mailboxes map[string]*Mailbox // by canonical name (INBOX upper-case, others as created)
	// subscribed is the subscription list: names, not mailboxes, so a name
	// outlives its mailbox (RFC 3501 §6.3.6 forbids dropping it on DELETE).
	subscribed  map[string]bool
	maildrop    *Maildrop // the POP3 session holding the INBOX lock, if any
	used        int64     // octets of every message copy in the user's mailboxes (quota.go)
	token       string    // OAuth 2.0 access token the world issued ("" none; oauth.go)
	passwordOff bool      // password logins refused: only the token logs in (oauth.go)
}

// Password returns the user's password (the simulator documents them; they are not secret here).
func (u *User) Password() string {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	return u.password
}

// Domain returns the domain part of the user's address.
func (u *User) Domain() string {
	_, d, _ := strings.Cut(u.Address, "@")
	return d
}

// canonicalName maps any case of "inbox" to "INBOX" (RFC 3501 §5.1: INBOX is case-insensitive).
func canonicalName(name string) string {
	if strings.EqualFold(name, "INBOX") {
		return "INBOX"
	}
	if len(name) > 6 && strings.EqualFold(name[:6], "INBOX/") {
		return "INBOX" + name[5:]
	}
	return name
}

func validName(name string) bool {
	if name == "" || strings.HasPrefix(name, string(Delimiter)) || strings.HasSuffix(name, string(Delimiter)) || strings.Contains(name, "//") {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '*' || r == '%' {
			return false
		}
	}
	return true
}

func (u *User) newMailbox(name, specialUse string) *Mailbox {
	mb := &Mailbox{user: u, name: name, SpecialUse: specialUse, uidValidity: u.store.nextValidity, uidNext: 1}
	u.store.nextValidity++
	u.mailboxes[name] = mb
	return mb
}

// Mailbox returns the named mailbox.
func (u *User) Mailbox(name string) (*Mailbox, error) {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	mb, ok := u.mailboxes[canonicalName(name)]
	if !ok {
		return nil, ErrNoSuchMailbox
	}
	return mb, nil
}

// Inbox returns the user's INBOX, which always exists.
func (u *User) Inbox() *Mailbox {
	mb, _ := u.Mailbox("INBOX")
	return mb
}

// MailboxInfo describes a mailbox for listing.
type MailboxInfo struct {
	Name        string
	SpecialUse  string // \Sent, \Drafts, \Trash, \Junk, \Archive or ""
	Subscribed  bool
	HasChildren bool
}

// Mailboxes lists the user's mailboxes sorted by name, INBOX first.
func (u *User) Mailboxes() []MailboxInfo {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	var out []MailboxInfo
	for name, mb := range u.mailboxes {
		out = append(out, MailboxInfo{Name: name, SpecialUse: mb.SpecialUse, Subscribed: u.subscribed[name], HasChildren: u.hasChildren(name)})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == "INBOX") != (out[j].Name == "INBOX") {
			return out[i].Name == "INBOX"
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Subscriptions lists subscribed names; a name may outlive its mailbox (RFC 3501 §6.3.6).
func (u *User) Subscriptions() []string {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	var out []string
	for name := range u.subscribed {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func (u *User) hasChildren(name string) bool {
	prefix := name + string(Delimiter)
	for other := range u.mailboxes {
		if strings.HasPrefix(other, prefix) {
			return true
		}
	}
	return false
}

// CreateMailbox creates a mailbox. specialUse may be "" or one of the RFC 6154 attributes.
func (u *User) CreateMailbox(name, specialUse string) error {
	name = canonicalName(name)
	if !validName(name) {
		return ErrInvalidName
	}
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	if _, ok := u.mailboxes[name]; ok {
		return ErrMailboxExists
	}
	mb := u.newMailbox(name, specialUse)
	u.store.notify(Change{Kind: MailboxCreated, User: u.Address, Mailbox: name, Box: mb})
	return nil
}

// DeleteMailbox deletes a mailbox and its messages. INBOX cannot be deleted.
// A mailbox with children goes too, and its children stay (RFC 3501
// §6.3.4: DELETE "MUST NOT remove inferior hierarchical names"); its name
// lives on only as their parent, which LIST shows \Noselect. Deleting that
// name again is an error, as the RFC requires: there is no mailbox left.
func (u *User) DeleteMailbox(name string) error {
	name = canonicalName(name)
	if name == "INBOX" {
		return ErrCannotDeleteInbox
	}
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	mb, ok := u.mailboxes[name]
	if !ok {
		return ErrNoSuchMailbox
	}
	delete(u.mailboxes, name)
	mb.deleted = true
	for _, m := range mb.msgs {
		u.store.account(u, -int64(m.body.Size()))
	}
	u.store.notify(Change{Kind: MailboxDeleted, User: u.Address, Mailbox: name})
	return nil
}

// RenameMailbox renames a mailbox and its children. Renaming INBOX moves its
// messages into a new mailbox and leaves INBOX empty (RFC 3501 §6.3.5).
func (u *User) RenameMailbox(oldName, newName string) error {
	oldName, newName = canonicalName(oldName), canonicalName(newName)
	if !validName(newName) {
		return ErrInvalidName
	}
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	mb, ok := u.mailboxes[oldName]
	if !ok {
		return ErrNoSuchMailbox
	}
	if _, exists := u.mailboxes[newName]; exists {
		return ErrMailboxExists
	}
	if oldName == "INBOX" {
		dest := u.newMailbox(newName, "")
		for _, m := range mb.msgs {
			dest.appendLocked(m.body, m.flags, m.internalDate, nil)
		}
		for len(mb.msgs) > 0 {
			mb.removeAtLocked(len(mb.msgs)-1, nil)
		}
		u.store.notify(Change{Kind: MailboxCreated, User: u.Address, Mailbox: newName, Box: dest})
		return nil
	}
	prefix := oldName + string(Delimiter)
	for name, child := range u.mailboxes {
		if name == oldName || strings.HasPrefix(name, prefix) {
			renamed := newName + name[len(oldName):]
			delete(u.mailboxes, name)
			child.name = renamed
			u.mailboxes[renamed] = child
			if u.subscribed[name] {
				delete(u.subscribed, name)
				u.subscribed[renamed] = true
			}
			u.store.notify(Change{Kind: MailboxRenamed, User: u.Address, Mailbox: renamed, OldName: name, Box: child})
		}
	}
	return nil
}

// SetSubscribed subscribes or unsubscribes a name. Subscribing needs an
// existing mailbox; unsubscribing works for any name on the list.
func (u *User) SetSubscribed(name string, subscribed bool) error {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	name = canonicalName(name)
	if !subscribed {
		delete(u.subscribed, name)
		return nil
	}
	if _, ok := u.mailboxes[name]; !ok {
		return ErrNoSuchMailbox
	}
	u.subscribed[name] = true
	return nil
}
