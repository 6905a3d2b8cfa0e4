// Package fault holds the named faults a lesson or a teacher switches on to
// reproduce what goes wrong in real mail systems. Every fault is
// deterministic: the same commands give the same replies, run after run.
package fault

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Name identifies a fault.
type Name string

// The faults the simulator knows, with the reply each one causes.
const (
	// Greylist answers the first RCPT of each (client IP, sender, recipient)
	// triplet with 451 4.7.1 and accepts the same triplet when it comes back.
	Greylist Name = "greylist"
	// MailboxFull answers RCPT for local recipients with 452 4.2.2, as a
	// mailbox over its quota does (RFC 3463 X.2.2, a transient failure).
	MailboxFull Name = "mailbox-full"
	// RelayDenied refuses every non-local recipient, even after AUTH, with 554 5.7.1.
	RelayDenied Name = "relay-denied"
	// AuthFail rejects every login on every protocol (535 5.7.8, -ERR [AUTH], NO [AUTHENTICATIONFAILED]).
	AuthFail Name = "auth-fail"
	// TLSRequired refuses AUTH/LOGIN/USER before STARTTLS (530 5.7.0, -ERR, NO [PRIVACYREQUIRED]).
	// SMTP submission does so already by default; the fault adds POP3 and
	// IMAP, and outranks PlainAuth.
	TLSRequired Name = "tls-required"
	// PlainAuth makes the plaintext SMTP submission listener offer and
	// accept AUTH before STARTTLS, as servers did before RFC 8314: the
	// password crosses the network in clear (Base64 is no encryption).
	PlainAuth Name = "plain-auth"
	// TooManyConnections greets every new connection with 421 4.7.0 (SMTP),
	// -ERR [SYS/TEMP] (POP3) or * BYE (IMAP) and closes it.
	TooManyConnections Name = "too-many-connections"
	// Slow delays every server reply line by one second.
	Slow Name = "slow"
	// DropConnection makes the server hang up without a word in the middle of
	// the session: SMTP when the message body arrives after DATA (nothing is
	// delivered), POP3 and IMAP at the first command after a successful login.
	DropConnection Name = "drop-connection"
	// PolicyReject refuses every message at the end of DATA with 550 5.7.1,
	// as a receiving server's content filter does ("rejected as spam"):
	// permanent, nothing is delivered, the sender gets a bounce.
	PolicyReject Name = "policy-reject"
	// TooBig refuses every message at the end of DATA with 552 5.3.4, as a
	// server whose size limit is lower than the message does.
	TooBig Name = "too-big"
	// DNSDown makes every lookup in the world's DNS time out, as when a
	// domain's name servers are down: the MX's SPF and DMARC checks give
	// temperror and it answers 451 4.7.24 / 451 4.7.1 (try again later).
	DNSDown Name = "dns-down"
)

// Info describes a fault for help screens and the CLI.
type Info struct {
	Name    Name
	Summary string
}

// All lists every fault in a stable order.
func All() []Info {
	return []Info{
		{Greylist, "SMTP: first RCPT from a new (IP, sender, recipient) gets 451 4.7.1, a retry is accepted"},
		{MailboxFull, "SMTP: local recipients refused with 452 4.2.2 mailbox full (over quota), retried later"},
		{RelayDenied, "SMTP: every non-local recipient refused with 554 5.7.1, even after AUTH"},
		{AuthFail, "all protocols: every login fails (535 5.7.8 / -ERR [AUTH] / NO [AUTHENTICATIONFAILED])"},
		{TLSRequired, "all protocols: AUTH/LOGIN/USER refused before STARTTLS (530 5.7.0 / -ERR / NO [PRIVACYREQUIRED])"},
		{PlainAuth, "SMTP: submission offers and accepts AUTH before STARTTLS (the old way: the password travels in clear)"},
		{TooManyConnections, "all protocols: new connections refused (421 4.7.0 / -ERR [SYS/TEMP] / * BYE) and closed"},
		{Slow, "all protocols: every server line delayed by one second"},
		{DropConnection, "all protocols: the server hangs up without a word in the middle of the session"},
		{PolicyReject, "SMTP: every message refused after DATA with 550 5.7.1 (a content filter: rejected as spam), nothing delivered"},
		{TooBig, "SMTP: every message refused after DATA with 552 5.3.4 message size exceeds the limit, nothing delivered"},
		{DNSDown, "SMTP: the world's DNS times out, so the MX's SPF/DMARC checks answer 451 4.7.24 (temperror), try again later"},
	}
}

// Parse checks a fault name.
func Parse(s string) (Name, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, f := range All() {
		if string(f.Name) == s {
			return f.Name, nil
		}
	}
	var names []string
	for _, f := range All() {
		names = append(names, string(f.Name))
	}
	return "", fmt.Errorf("unknown fault %q (known: %s)", s, strings.Join(names, ", "))
}

// Set is the faults switched on in one simulator, plus the memory some of
// them need (greylisting remembers the triplets it has seen).
type Set struct {
	// count is how many faults are on. On is asked several times per
	// command, and nearly always with every fault off: then it needs no lock.
	count atomic.Int32

	mu         sync.Mutex
	on         map[Name]bool
	greylisted map[string]bool
}

// NewSet returns a set with no fault on.
func NewSet() *Set { return &Set{on: map[Name]bool{}, greylisted: map[string]bool{}} }

// Enable switches a fault on or off.
func (s *Set) Enable(n Name, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case on && !s.on[n]:
		s.count.Add(1)
	case !on && s.on[n]:
		s.count.Add(-1)
	}
	s.on[n] = on
	if n == Greylist && !on {
		s.greylisted = map[string]bool{}
	}
}

// On reports whether a fault is on. A nil set has none on.
func (s *Set) On(n Name) bool {
	if s == nil || s.count.Load() == 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.on[n]
}

// Active lists the faults that are on, sorted.
func (s *Set) Active() []Name {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Name
	for n, on := range s.on {
		if on {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// GreylistFirstTry reports whether the triplet is new, remembering it: the
// caller answers 451 4.7.1 when it is (and the greylist fault is on).
func (s *Set) GreylistFirstTry(clientIP, from, rcpt string) bool {
	if !s.On(Greylist) {
		return false
	}
	key := strings.ToLower(clientIP + "\x00" + from + "\x00" + rcpt)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.greylisted[key] {
		return false
	}
	s.greylisted[key] = true
	return true
}
