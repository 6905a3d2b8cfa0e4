package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/smtp"
	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/tap"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

func (s *Simulator) buildWorld() error {
	domains := s.opts.Domains
	if domains == nil {
		domains = []string{"example.com", "example.org"}
	}
	for _, d := range domains {
		s.store.AddDomain(d)
	}
	users := s.opts.Users
	if users == nil {
		users = defaultUsers
	}
	for _, u := range users {
		user, err := s.store.AddUser(u.Address, u.Password)
		if err != nil {
			return err
		}
		user.SetToken(u.Token)
		user.SetPasswordLogin(!u.PasswordLoginOff)
	}
	if len(s.store.Domains()) == 0 {
		return errors.New("the world needs at least one domain")
	}
	if s.opts.NoSeed {
		return nil
	}
	return s.seed()
}

// AddUser creates a user at run time.
func (s *Simulator) AddUser(address, password string) error {
	_, err := s.store.AddUser(address, password)
	s.notify()
	return err
}

// Deliver puts a message straight into a local user's INBOX, as if it had
// arrived earlier. No wire events: nothing crossed a connection.
func (s *Simulator) Deliver(to string, raw []byte) error {
	u, ok := s.store.LookupAddress(to)
	if !ok {
		return fmt.Errorf("no local user %q", to)
	}
	_, err := u.Inbox().Append(raw, nil, time.Time{}, nil)
	return err
}

// relayHop carries mail for another domain of the world to its MX listener
// over SMTP, as a tapped session of its own, so the learner sees the hop.
// Recipients the MX refuses for good (5xx, at MAIL, RCPT or after DATA)
// come back as *smtp.Undeliverable: the submission server has accepted
// the message and bounces them. A temporary refusal (4xx) fails the whole
// hop, and the submission server refuses the message in turn: the world
// keeps no retry queue between its own servers, so the client's retry is
// the retry (and nothing was delivered twice).
func (s *Simulator) relayHop(env smtp.Envelope) error {
	r, ok := s.relays[wire.RoleMX]
	if !ok {
		s.enqueue(env)
		return nil
	}
	near, far := net.Pipe()
	peer := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
	go r.Serve(tap.WithAddrs(far, r.Addr(), peer), "relay hop from "+s.hostname)
	c := gosmtp.NewClient(tap.WithAddrs(near, peer, r.Addr()))
	defer c.Close()
	if err := c.Hello(s.hostname); err != nil {
		return err
	}
	mx := s.mxHostname()
	// refused turns a permanent refusal of the recipients given into
	// failures to bounce; any other error stays as it is.
	refused := func(err error, rcpts []string, command string) error {
		var se *gosmtp.SMTPError
		if !errors.As(err, &se) || se.Code < 500 {
			return err
		}
		und := &smtp.Undeliverable{}
		for _, rcpt := range rcpts {
			und.Failures = append(und.Failures, smtp.Failure{Rcpt: rcpt, Reply: se, RemoteMTA: mx, Command: command})
		}
		return und
	}
	if err := c.Mail(smtp.Path(env.From), env.MailOptions()); err != nil {
		return refused(err, env.To, "MAIL FROM")
	}
	var failed []smtp.Failure
	var accepted []string
	for _, rcpt := range env.To {
		err := c.Rcpt(smtp.Path(rcpt), env.RcptOptions(rcpt))
		if err == nil {
			accepted = append(accepted, rcpt)
			continue
		}
		var und *smtp.Undeliverable
		if err := refused(err, []string{rcpt}, "RCPT TO"); !errors.As(err, &und) {
			return err
		}
		failed = append(failed, und.Failures...)
	}
	if len(accepted) > 0 {
		w, err := c.Data()
		if err != nil {
			return refused(err, accepted, "DATA")
		}
		if _, err := w.Write(env.Data); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			var und *smtp.Undeliverable
			if err := refused(err, accepted, "end of DATA"); !errors.As(err, &und) {
				return err
			}
			failed = append(failed, und.Failures...)
		}
	}
	if err := c.Quit(); err != nil && len(failed) == 0 {
		return err
	}
	if len(failed) > 0 {
		return &smtp.Undeliverable{Failures: failed}
	}
	return nil
}

// mxHostname is the MX listener's name in its greeting: the receiving side
// of the journey, in the default world example.org's (bob's) server.
func (s *Simulator) mxHostname() string {
	domains := s.store.Domains()
	return "mx." + domains[len(domains)-1]
}

func (s *Simulator) enqueue(env smtp.Envelope) {
	s.mu.Lock()
	for id, sess := range s.sessions {
		// The submitting session: the one from that address on a
		// submission listener.
		if info := sess.Info(); env.Peer != "" && info.Addr == env.Peer && info.Role.Proto() == wire.SMTP && info.Role != wire.RoleMX {
			env.Session = string(id)
		}
	}
	s.outbound = append(s.outbound, env)
	s.mu.Unlock()
	s.notify()
}

// Outbound returns the mail queued for domains outside the world. It never
// leaves the simulator.
func (s *Simulator) Outbound() []smtp.Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtp.Envelope(nil), s.outbound...)
}

// Snapshot is what the world holds at one moment.
type Snapshot struct {
	Users    []UserState
	Maildrop []store.MaildropLock // POP3 locks held now, with the UIDs marked deleted
	Outbound []smtp.Envelope
	Faults   []fault.Name
	Sessions []SessionInfo
}

// UserState is one user's mailboxes.
type UserState struct {
	Address   string
	Mailboxes []MailboxState
}

// MailboxState is one mailbox's messages.
type MailboxState struct {
	Name        string
	SpecialUse  string
	UIDValidity uint32
	UIDNext     uint32
	Messages    []MessageState
}

// MessageState is one message as the mailbox pane shows it.
type MessageState struct {
	UID           uint32
	Flags         []string
	Subject       string
	From          string
	To            string
	Size          int
	Date          time.Time
	MarkedDeleted bool // a POP3 session marked it with DELE; it goes at that session's QUIT
	// Text is the message after the header's empty line, as stored (CRLF,
	// not MIME-decoded). It shares the store's immutable bytes: read it,
	// never change it.
	Text []byte
	// Header is the message's header, up to its empty line, as stored.
	Header []byte
}

// Has reports whether the message carries a flag.
func (m MessageState) Has(flag string) bool {
	for _, f := range m.Flags {
		if strings.EqualFold(f, flag) {
			return true
		}
	}
	return false
}

// User finds a user's state by address.
func (sn Snapshot) User(address string) (UserState, bool) {
	for _, u := range sn.Users {
		if strings.EqualFold(u.Address, address) {
			return u, true
		}
	}
	return UserState{}, false
}

// Mailbox finds a mailbox by name (INBOX case-insensitively).
func (u UserState) Mailbox(name string) (MailboxState, bool) {
	for _, mb := range u.Mailboxes {
		if mb.Name == name || (strings.EqualFold(name, "INBOX") && mb.Name == "INBOX") {
			return mb, true
		}
	}
	return MailboxState{}, false
}

// Snapshot copies the world's current state.
func (s *Simulator) Snapshot() Snapshot {
	sn := Snapshot{Maildrop: s.store.MaildropLocks(), Outbound: s.Outbound(), Faults: s.faults.Active(), Sessions: s.openSessions()}
	marked := map[string]map[uint32]bool{}
	for _, l := range sn.Maildrop {
		marked[l.User] = map[uint32]bool{}
		for _, uid := range l.MarkedDeleted {
			marked[l.User][uid] = true
		}
	}
	for _, u := range s.store.Users() {
		us := UserState{Address: u.Address}
		for _, info := range u.Mailboxes() {
			mb, err := u.Mailbox(info.Name)
			if err != nil {
				continue
			}
			st := mb.Status()
			ms := MailboxState{Name: info.Name, SpecialUse: info.SpecialUse, UIDValidity: st.UIDValidity, UIDNext: st.UIDNext}
			for _, m := range mb.Messages() {
				h := s.summary(m.Body)
				ms.Messages = append(ms.Messages, MessageState{UID: m.UID, Flags: m.Flags, Subject: h.subject, From: h.from, To: h.to,
					Size: m.Body.Size(), Date: m.InternalDate, MarkedDeleted: info.Name == "INBOX" && marked[u.Address][m.UID], Text: m.Body.Text(), Header: m.Body.Header()})
			}
			us.Mailboxes = append(us.Mailboxes, ms)
		}
		sn.Users = append(sn.Users, us)
	}
	return sn
}

type headerSummary struct{ subject, from, to string }

// summary returns a message's header summary, parsed once per message body
// (bodies are immutable; the mailbox pane asks again after every change).
func (s *Simulator) summary(b *store.Body) headerSummary {
	if h, ok := s.summaries.Load(b.ID); ok {
		return h.(headerSummary)
	}
	h := summarize(b)
	s.summaries.Store(b.ID, h)
	return h
}

var wordDecoder = &mime.WordDecoder{}

// summarize reads the few header fields the mailbox pane shows.
func summarize(b *store.Body) headerSummary {
	msg, err := mail.ReadMessage(bytes.NewReader(b.Header()))
	if err != nil {
		return headerSummary{subject: "(unreadable header)"}
	}
	dec := func(v string) string {
		if d, err := wordDecoder.DecodeHeader(v); err == nil {
			return d
		}
		return v
	}
	return headerSummary{subject: dec(msg.Header.Get("Subject")), from: dec(msg.Header.Get("From")), to: dec(msg.Header.Get("To"))}
}
