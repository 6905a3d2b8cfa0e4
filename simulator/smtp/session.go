package smtp

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// route says where an accepted recipient's copy goes after DATA.
type route int

const (
	routeLocal route = iota // straight into the user's INBOX on this server
	routeRelay              // another domain of the world: Options.Relay
	routeQueue              // outside the world: Options.Queue
)

type recipient struct {
	addr   string
	route  route
	user   *store.User        // for routeLocal and routeRelay
	notify []gosmtp.DSNNotify // RCPT's NOTIFY= (RFC 3461), nil when not given
	orcpt  string             // RCPT's ORCPT=, "" when not given
}

// session is one SMTP conversation, from EHLO (go-smtp creates it then) to
// QUIT, a dropped connection or STARTTLS (which starts a fresh session).
type session struct {
	// spfMemo and dmarcMemo keep the last checks for the next
	// transaction of the same sender (authcheck.go).
	spfMemo     spfMemo
	dmarcMemo   dmarcMemo
	verdictMemo verdictMemo
	srv         *Server
	conn        *gosmtp.Conn
	clientIP    string
	ipLiteral   string // clientIP as the Received header writes it (addressLiteral)

	// mu guards everything below: with BDAT, go-smtp runs Data in its own
	// goroutine while Reset or Logout may arrive from the connection's.
	mu     sync.Mutex
	user   *store.User // logged in with AUTH; nil before
	from   string
	utf8   bool             // MAIL FROM carried SMTPUTF8
	size   int64            // MAIL FROM's SIZE= (RFC 1870), 0 when not given
	ret    gosmtp.DSNReturn // MAIL FROM's RET= (RFC 3461), "" when not given
	envID  string           // MAIL FROM's ENVID=, "" when not given
	spf    spfVerdict       // the MX's SPF check of this MAIL FROM
	rcpts  []recipient
	inTxn  bool // MAIL accepted, transaction not yet ended
	inData bool // Data is running
	held   bool // counted in srv.busy
	ended  bool // Logout has run: no new transaction may start

	failedLogins int // on this connection (since its STARTTLS), for store.FailedLoginDelay
}

// loginFailed waits as real servers do once a connection has failed to log
// in three times (store.FailedLoginDelay), then gives the 535.
func (se *session) loginFailed() error {
	se.mu.Lock()
	se.failedLogins++
	n := se.failedLogins
	se.mu.Unlock()
	se.srv.opts.Pause(store.FailedLoginDelay(n))
	return errAuthFailed
}

// helloProblem says what is wrong with the name a client gives in HELO or
// EHLO, or "" when nothing is: it goes into Received headers and replies.
func helloProblem(name string) string {
	if !utf8.ValidString(name) {
		return "not valid UTF-8"
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "control characters are not allowed"
		}
	}
	return ""
}

// HelloRefusal returns the reply line to a HELO or EHLO whose name this
// server refuses, or "" when the name is fine. go-smtp runs newSession only
// at the first greeting and takes any name after that, so the simulator's
// relay asks for every greeting.
func HelloRefusal(name string) string {
	why := helloProblem(name)
	if why == "" {
		return ""
	}
	e := errBadHelo(why)
	return fmt.Sprintf("%d %d.%d.%d %s\r\n", e.Code, e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2], e.Message)
}

// newSession is go-smtp's Backend: it runs at the first HELO/EHLO.
func (s *Server) newSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	helo := c.Hostname()
	if why := helloProblem(helo); why != "" {
		return nil, errBadHelo(why)
	}
	ip := c.Conn().RemoteAddr().String()
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return &session{srv: s, conn: c, clientIP: ip, ipLiteral: addressLiteral(ip)}, nil
}

// encrypted reports whether the session runs over TLS (implicit, or after
// STARTTLS): go-smtp and this package decide it only by the *tls.Conn.
func (se *session) encrypted() bool {
	_, ok := se.conn.TLSConnectionState()
	return ok
}

// Mail handles MAIL FROM. On submission the user must have logged in, and
// may not use an address that belongs to another user of the world.
//
// Why this policy: real submission servers differ. Many accept any MAIL
// FROM after AUTH; Postfix with reject_sender_login_mismatch refuses every
// address the login does not own. mailtutor does what Postfix's
// reject_known_sender_login_mismatch does: an address owned by ANOTHER
// local user is refused with 553 5.7.1 (spoofing a neighbour is the lesson),
// while the user's own address, the null sender <> and addresses nobody
// here owns (aliases, outside addresses) are accepted.
func (se *session) Mail(from string, opts *gosmtp.MailOptions) error {
	if !utf8.ValidString(from) {
		return errBadSender("not valid UTF-8")
	}
	if hasControl(from) {
		return errBadSender(controlsRefused)
	}
	if !isASCII(from) && !opts.UTF8 {
		return errNeedSMTPUTF8(from)
	}
	se.mu.Lock()
	defer se.mu.Unlock()
	if se.ended {
		// The server is closing this connection under our feet (Close):
		// starting a transaction now would keep Close waiting for ever.
		return errClosing
	}
	if se.inTxn {
		return errNestedMail
	}
	if se.srv.submission() {
		if se.user == nil {
			return errAuthRequired
		}
		if owner, ok := se.srv.opts.Store.LookupAddress(from); ok && owner != se.user {
			return errSenderNotOwned(from, se.user.Address)
		}
	}
	var verdict spfVerdict
	if !se.srv.submission() && se.srv.opts.DNS != nil {
		verdict = se.checkSPF(from)
		if err := refuseSPF(verdict, se.clientIP); err != nil {
			return err
		}
	}
	se.from = from
	se.utf8 = opts.UTF8
	se.size = opts.Size
	se.ret, se.envID, se.spf = opts.Return, opts.EnvelopeID, verdict
	se.rcpts = nil
	se.inTxn = true
	se.hold()
	return nil
}

// Rcpt handles RCPT TO. Faults are read now, so switching one on affects
// the very next command.
func (se *session) Rcpt(to string, opts *gosmtp.RcptOptions) error {
	if !utf8.ValidString(to) {
		return errBadRecipient("not valid UTF-8")
	}
	if hasControl(to) {
		return errBadRecipient(controlsRefused)
	}
	se.mu.Lock()
	defer se.mu.Unlock()
	if !isASCII(to) && !se.utf8 {
		return errNeedSMTPUTF8(to)
	}
	rc, err := se.classify(to)
	if err != nil {
		return err
	}
	if opts != nil {
		rc.notify, rc.orcpt = opts.Notify, opts.OriginalRecipient
	}
	for _, have := range se.rcpts {
		if strings.EqualFold(have.addr, to) {
			return nil // the same recipient twice gets one copy, as on real servers
		}
	}
	se.rcpts = append(se.rcpts, rc)
	return nil
}

// classify decides whether a recipient is accepted, and where it goes.
func (se *session) classify(to string) (recipient, error) {
	opts := se.srv.opts
	domain := domainOf(to)
	if !opts.Store.IsLocalDomain(domain) {
		switch {
		case !se.srv.submission():
			return recipient{}, errRelayDenied(to)
		case opts.Faults.On(fault.RelayDenied):
			return recipient{}, errRelayFaultDenied(to)
		case opts.Queue == nil:
			return recipient{}, errNoQueue(to)
		}
		return recipient{addr: to, route: routeQueue}, nil
	}
	u, ok := opts.Store.LookupAddress(to)
	if !ok && strings.EqualFold(localPartOf(to), "postmaster") {
		u, ok = postmasterOf(opts.Store, domain)
	}
	if !ok {
		return recipient{}, errUnknownUser(to)
	}
	if opts.Faults.On(fault.MailboxFull) {
		return recipient{}, errMailboxFull(to)
	}
	if !se.srv.submission() {
		if err := roomFor(opts.Store, u, to, max(se.size, 1)); err != nil {
			return recipient{}, err
		}
		// Greylisting is an inbound (MX) defence against spam bots, which
		// do not retry; logged-in submission users are never greylisted.
		if opts.Faults.GreylistFirstTry(se.clientIP, se.from, to) {
			return recipient{}, errGreylisted(to)
		}
		return recipient{addr: to, route: routeLocal, user: u}, nil
	}
	// Submission: the user's own domain is delivered here; another domain
	// of the world is a hop away, as it would be on the Internet.
	if opts.Relay != nil && !strings.EqualFold(u.Domain(), se.user.Domain()) {
		return recipient{addr: to, route: routeRelay, user: u}, nil // the MX decides on room
	}
	if err := roomFor(opts.Store, u, to, max(se.size, 1)); err != nil {
		return recipient{}, err
	}
	return recipient{addr: to, route: routeLocal, user: u}, nil
}

// roomFor answers whether a message of size octets (at RCPT: the SIZE the
// client declared, or 1) fits the recipient's mailbox and the world: nil,
// 552 5.3.4 when it is larger than the whole quota, 452 4.2.2 when the
// mailbox is too full for it, 452 4.3.1 when the world is.
func roomFor(st *store.Store, u *store.User, rcpt string, size int64) error {
	if q := u.Quota(); q.Limit > 0 && size > q.Limit {
		return errTooBigForMailbox(rcpt, size, q.Limit)
	}
	return roomError(st.CheckRoom(u, size), rcpt)
}

// roomError turns the store's storage errors into replies; others stay nil.
func roomError(err error, rcpt string) error {
	switch {
	case errors.Is(err, store.ErrOverQuota):
		return errMailboxFull(rcpt)
	case errors.Is(err, store.ErrStoreFull):
		return errWorldFull
	}
	return nil
}

// Reset ends the transaction (RSET, a new EHLO, after DATA).
func (se *session) Reset() {
	se.mu.Lock()
	defer se.mu.Unlock()
	se.endTxn()
}

// Logout runs when the connection closes or STARTTLS starts over.
func (se *session) Logout() error {
	se.mu.Lock()
	defer se.mu.Unlock()
	se.ended = true
	se.endTxn()
	return nil
}

// endTxn forgets the transaction. Called with mu held.
func (se *session) endTxn() {
	se.from = ""
	se.utf8 = false
	se.size = 0
	se.ret, se.envID, se.spf = "", "", spfVerdict{}
	se.rcpts = nil
	se.inTxn = false
	se.release()
}

// hold counts the session as busy in its server (mu held).
func (se *session) hold() {
	if !se.held {
		se.held = true
		se.srv.addBusy(1)
	}
}

// release stops counting it, unless Data is still running: Close must wait
// for Data to finish storing or discarding (mu held).
func (se *session) release() {
	if se.held && !se.inData {
		se.held = false
		se.srv.addBusy(-1)
	}
}

// postmasterOf is who reads postmaster@domain: RFC 5321 §4.5.1 has every
// mail domain accept mail for "postmaster" (case-insensitive), so that
// problems can always be reported. In the simulated world that is the
// domain's first user (alice for example.com, bob for example.org).
func postmasterOf(st *store.Store, domain string) (*store.User, bool) {
	for _, u := range st.Users() {
		if strings.EqualFold(u.Domain(), domain) {
			return u, true
		}
	}
	return nil, false
}

// localPartOf is the part of an address before its last "@".
func localPartOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// controlsRefused says why an address with a control character is refused.
const controlsRefused = "control characters (NUL, CR, LF, TAB...) are not allowed, even quoted (RFC 5321 §4.1.2: qtextSMTP and quoted-pairSMTP are printable)"

// hasControl reports a C0 control or DEL in an address. go-smtp unquotes a
// quoted local part ("a\x00b"@x) and hands it over with the byte inside,
// which would end up in the Return-Path header of the stored message.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
