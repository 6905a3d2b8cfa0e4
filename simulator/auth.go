package simulator

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/dns"
	"github.com/mailtutor/mailtutor/simulator/smtp"
)

// The world's DNS and DKIM keys (issue 24): every domain gets dns.Defaults
// (MX and A on loopback, SPF that passes for loopback, DMARC p=reject, a
// DKIM key made at start), then Options.DNS changes them. The receiving MX
// checks incoming mail against them; the submission server signs with the
// keys. Nothing is ever looked up outside the simulator.

// buildDNS makes a DKIM key per domain and the zone.
func (s *Simulator) buildDNS() error {
	s.zone = dns.NewZone()
	s.dkimKeys = map[string]ed25519.PrivateKey{}
	for _, d := range s.store.Domains() {
		// Ed25519 (RFC 8463): made in microseconds, where an RSA key
		// would cost every simulator (one per test, per learner) tens of
		// milliseconds.
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return fmt.Errorf("DKIM key for %s: %w", d, err)
		}
		s.dkimKeys[strings.ToLower(d)] = priv
		for _, r := range dns.Defaults(d, "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub)) {
			s.zone.Add(r)
		}
	}
	for _, line := range s.opts.DNS {
		if err := s.zone.Apply(line); err != nil {
			return err
		}
	}
	s.clock.setAdvanced(s.expireQueue)
	s.watchQueue()
	return nil
}

// dkimKey is the submission servers' signing key for a domain.
func (s *Simulator) dkimKey(domain string) (smtp.DKIMKey, bool) {
	k, ok := s.dkimKeys[strings.ToLower(domain)]
	if !ok {
		return smtp.DKIMKey{}, false
	}
	return smtp.DKIMKey{Selector: dns.DefaultSelector, Signer: k}, true
}

// DNS returns the world's DNS zone: read it with Records or Lookup, change
// it with SetDNS (which tells watchers).
func (s *Simulator) DNS() *dns.Zone { return s.zone }

// SetDNS changes one record of the world's DNS, as Options.DNS does:
// `example.com TXT "v=spf1 ip4:192.0.2.1 -all"` replaces example.com's SPF
// record, `-example.com TXT` removes its TXT records. The next message the
// MX receives is checked against it.
func (s *Simulator) SetDNS(line string) error {
	if err := s.zone.Apply(line); err != nil {
		return err
	}
	s.notify()
	return nil
}

// queueLifetime is Options.QueueLifetime with its default; 0 means never.
func (s *Simulator) queueLifetime() time.Duration {
	switch {
	case s.opts.QueueLifetime < 0:
		return 0
	case s.opts.QueueLifetime == 0:
		return smtp.DefaultQueueLifetime
	}
	return s.opts.QueueLifetime
}

// expireQueue bounces the outbound mail that has waited longer than the
// queue lifetime: the world has no way out, so mail for a domain outside
// it is never delivered, and like any server it gives up in the end and
// tells the sender (RFC 3464 Action: failed, Status 4.4.7 "delivery time
// expired": the 4 says each try failed only for now). It runs when the
// manual clock moves, and on a timer with the real clock.
func (s *Simulator) expireQueue() {
	life := s.queueLifetime()
	if life == 0 {
		return
	}
	now := s.clock.Now()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	var expired, kept []smtp.Envelope
	for _, env := range s.outbound {
		if now.Sub(env.Received) >= life {
			expired = append(expired, env)
		} else {
			kept = append(kept, env)
		}
	}
	s.outbound = kept
	s.mu.Unlock()
	if len(expired) == 0 {
		return
	}
	for i, env := range expired {
		var rcpts []smtp.ReportRcpt
		for _, to := range env.To {
			if !env.DSN.Wants(to, gosmtp.DSNNotifyFailure) {
				continue
			}
			rcpts = append(rcpts, smtp.ReportRcpt{Rcpt: to, ORCPT: env.DSN.ORCPT[strings.ToLower(to)], Status: "4.4.7",
				Note: fmt.Sprintf("delivery time expired: the message waited %s in the queue and no server for %s could be reached (the simulated world has no way out)", life, domainOf(to))})
		}
		if env.From == "" || len(rcpts) == 0 {
			continue // a bounce is never bounced; or the sender said NOTIFY=NEVER
		}
		r := smtp.Report{ReportingMTA: s.hostname, To: env.From, EnvID: env.DSN.EnvID, Arrival: env.Received, Date: now,
			Action: "failed", Rcpts: rcpts, Ret: env.DSN.Ret, Original: env.Data, ID: fmt.Sprintf("Q%d%d", now.Unix(), i)}
		_ = smtp.DeliverReport(s.store, s.enqueue, env.From, r.Bytes(), now)
	}
	s.notify()
}

// watchQueue expires the queue on a ticker while the clock is real (a
// manual clock expires it as it moves): a quarter of the lifetime, at most
// a minute, so a bounce comes at most that late.
func (s *Simulator) watchQueue() {
	life := s.queueLifetime()
	if life == 0 || s.clock.Manual() {
		return
	}
	tick := min(max(life/4, time.Millisecond), time.Minute)
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.expireQueue()
			case <-s.queueStop:
				return
			}
		}
	}()
}
