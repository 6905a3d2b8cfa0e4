package smtp

import (
	"bytes"
	"context"
	"crypto"
	"net"
	"net/mail"
	"strings"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
	gosmtp "github.com/emersion/go-smtp"
	"golang.org/x/net/publicsuffix"

	"github.com/mailtutor/mailtutor/simulator/dns"
	"github.com/mailtutor/mailtutor/simulator/fault"
)

// What the receiving MX checks before it takes a message in, as the big
// mailbox providers do: SPF (RFC 7208) of the connecting host for the MAIL
// FROM domain, at MAIL; DKIM signatures (RFC 6376) and the From: domain's
// DMARC policy (RFC 7489) after DATA. The verdicts go into the delivered
// copy as an Authentication-Results header (RFC 8601). Every lookup goes to
// Options.DNS, the world's own DNS: never to the network.
//
// Libraries: blitiri.com.ar/go/spf evaluates SPF records,
// github.com/emersion/go-msgauth verifies and makes DKIM signatures, parses
// DMARC records and writes Authentication-Results. Alignment (RFC 7489
// §3.1) is decided here.

// spfVerdict is the SPF check of one transaction (MAIL FROM).
type spfVerdict struct {
	checked bool
	result  spf.Result
	domain  string // the domain checked: MAIL FROM's, or the HELO name for the null sender
	from    string // MAIL FROM as given (smtp.mailfrom)
	reason  string
}

// resolver is the DNS the checks ask: the world's, or one that times out
// while the dns-down fault is on.
func (s *Server) resolver() dns.Resolver {
	if s.opts.Faults.On(fault.DNSDown) {
		return dns.Unreachable{}
	}
	return s.opts.DNS
}

// txt adapts a resolver to go-msgauth's lookups.
func txt(r dns.Resolver) func(string) ([]string, error) {
	return func(name string) ([]string, error) { return r.LookupTXT(context.Background(), name) }
}

// checkSPF evaluates the SPF record of MAIL FROM's domain (the HELO name
// for the null sender, RFC 7208 §2.4) for the client's address.
func (se *session) checkSPF(from string) spfVerdict {
	helo := se.conn.Hostname()
	v := spfVerdict{checked: true, from: from, domain: domainOf(from)}
	if from == "" {
		v.domain = helo
	}
	ip := net.ParseIP(se.clientIP)
	if ip == nil {
		v.result = spf.None
		return v
	}
	// A client sends one transaction after another for the same sender:
	// the verdict holds until the world's DNS changes.
	key := spfKey{helo: helo, from: from, version: se.srv.dnsVersion()}
	if se.spfMemo.valid && se.spfMemo.key == key {
		return se.spfMemo.v
	}
	res, err := spf.CheckHostWithSender(ip, helo, from, spf.WithResolver(se.srv.resolver()))
	v.result = res
	if err != nil && res != spf.Pass && res != spf.None {
		v.reason = err.Error()
	}
	se.spfMemo = spfMemo{valid: true, key: key, v: v}
	return v
}

// spfMemo is a session's last SPF verdict, for the next transaction.
type spfMemo struct {
	valid bool
	key   spfKey
	v     spfVerdict
}

// spfKey is what an SPF verdict depends on in one session (the client's
// address is the session's).
type spfKey struct {
	helo, from string
	version    uint64 // dnsVersion
}

// dnsVersion names the state of the world's DNS: it changes with any
// record, and while the dns-down fault is on (every lookup fails).
func (s *Server) dnsVersion() uint64 {
	if s.opts.Faults.On(fault.DNSDown) {
		return ^uint64(0)
	}
	if z, ok := s.opts.DNS.(interface{ Version() uint64 }); ok {
		return z.Version()
	}
	return 0
}

// refuseSPF is the reply to MAIL FROM when SPF says no, or nil. A fail is
// refused for good, as Postfix's policy-spf and the big providers do; a
// softfail and neutral are taken in and left to DMARC; a temperror asks
// the client to come back (RFC 7208 §8.6).
func refuseSPF(v spfVerdict, ip string) error {
	switch v.result {
	case spf.Fail:
		return errSPFFail(v.from, v.domain, ip)
	case spf.TempError:
		return errSPFTemp(v.domain)
	}
	return nil
}

// authVerdict is everything the MX found out about one message.
type authVerdict struct {
	header     string // the Authentication-Results field, CRLF-terminated
	refusal    error  // DMARC reject, or a temporary error
	quarantine bool   // DMARC p=quarantine failed: into Junk
	sampled    bool   // a pct= below 100 chose the policy: the next message may differ
}

// authenticate verifies the message's DKIM signatures and applies the
// From: domain's DMARC policy, with the SPF verdict of MAIL FROM.
func (se *session) authenticate(body []byte, v spfVerdict) authVerdict {
	// A message without a DKIM signature is judged by its SPF verdict and
	// its From: domain alone: the next one from the same sender and domain
	// gets the same verdict, until the world's DNS changes.
	signed := containsFold(headerOf(body), "dkim-signature:")
	key := verdictKey{spf: v, fromDomain: headerFromDomain(body), version: se.srv.dnsVersion()}
	if m := se.verdictMemo; !signed && m.valid && m.key == key {
		return m.out
	}
	out := se.judge(body, v, signed, key.fromDomain)
	if !signed && !out.sampled {
		se.verdictMemo = verdictMemo{valid: true, key: key, out: out}
	}
	return out
}

// verdictMemo is a session's last verdict on an unsigned message.
type verdictMemo struct {
	valid bool
	key   verdictKey
	out   authVerdict
}

// verdictKey is what the verdict on an unsigned message depends on.
type verdictKey struct {
	spf        spfVerdict
	fromDomain string
	version    uint64 // dnsVersion
}

// judge is authenticate without the memo.
func (se *session) judge(body []byte, v spfVerdict, signed bool, fromDomain string) authVerdict {
	res := se.srv.resolver()
	results := []authres.Result{}
	if v.checked {
		results = append(results, &authres.SPFResult{Value: authres.ResultValue(v.result), From: mailfromParam(v.from), Helo: heloParam(v.from, se.conn.Hostname()), Reason: v.reason})
	}

	// DKIM: every signature is verified (go-msgauth runs them in parallel);
	// a message without one is dkim=none.
	var verified []*dkim.Verification
	dkimTemp := false
	if signed {
		verified, _ = dkim.VerifyWithOptions(bytes.NewReader(body), &dkim.VerifyOptions{LookupTXT: txt(res), MaxVerifications: 5})
	}
	if len(verified) == 0 {
		results = append(results, &authres.DKIMResult{Value: authres.ResultNone})
	}
	for _, ver := range verified {
		r := &authres.DKIMResult{Value: authres.ResultPass, Domain: ver.Domain, Identifier: ver.Identifier}
		switch {
		case ver.Err == nil:
		case dkim.IsTempFail(ver.Err):
			r.Value, r.Reason, dkimTemp = authres.ResultTempError, ver.Err.Error(), true
		case dkim.IsPermFail(ver.Err):
			r.Value, r.Reason = authres.ResultPermError, ver.Err.Error()
		default:
			r.Value, r.Reason = authres.ResultFail, ver.Err.Error()
		}
		results = append(results, r)
	}

	// DMARC (RFC 7489 §6.6): the policy of the From: domain (or of its
	// organizational domain), and whether SPF or DKIM passed for a domain
	// aligned with it.
	out := authVerdict{}
	var rec *dmarc.Record
	var err error
	if fromDomain != "" {
		rec, err = se.dmarcPolicy(fromDomain, res)
	}
	dm := &authres.DMARCResult{From: fromDomain}
	switch {
	case fromDomain == "":
		dm.Value, dm.Reason = authres.ResultNone, "no From: domain"
	case dmarc.IsTempFail(err):
		dm.Value, dm.Reason = authres.ResultTempError, "DNS lookup of _dmarc."+fromDomain+" failed"
		out.refusal = errDMARCTemp(fromDomain)
	case err == dmarc.ErrNoPolicy:
		dm.Value = authres.ResultNone
	case err != nil:
		dm.Value, dm.Reason = authres.ResultPermError, err.Error()
	default:
		spfOK := v.result == spf.Pass && aligned(v.domain, fromDomain, rec.SPFAlignment)
		dkimOK := false
		for _, ver := range verified {
			if ver.Err == nil && aligned(ver.Domain, fromDomain, rec.DKIMAlignment) {
				dkimOK = true
			}
		}
		policy := rec.Policy
		if rec.SubdomainPolicy != "" && !strings.EqualFold(fromDomain, orgDomain(fromDomain)) {
			policy = rec.SubdomainPolicy
		}
		switch {
		case spfOK || dkimOK:
			dm.Value = authres.ResultPass
		case dkimTemp || v.result == spf.TempError:
			dm.Value, dm.Reason = authres.ResultTempError, "a check DMARC depends on could not be made"
			out.refusal = errDMARCTemp(fromDomain)
		default:
			dm.Value = authres.ResultFail
			policy = se.srv.sampledPolicy(policy, rec.Percent)
			out.sampled = rec.Percent != nil && *rec.Percent < 100
			dm.Reason = "p=" + string(policy) + ": neither SPF (" + string(v.result) + " for " + v.domain + ") nor a valid DKIM signature is aligned with From: " + fromDomain
			switch policy {
			case dmarc.PolicyReject:
				out.refusal = errDMARCReject(fromDomain)
			case dmarc.PolicyQuarantine:
				out.quarantine = true
			}
		}
	}
	results = append(results, dm)
	out.header = "Authentication-Results: " + foldAuthres(authres.Format(se.srv.opts.Hostname, results)) + "\r\n"
	return out
}

// foldAuthres puts each method's result on its own line, as receivers do
// ("; " becomes ";\r\n\t").
func foldAuthres(v string) string {
	v = strings.ReplaceAll(strings.Join(strings.Fields(v), " "), " ;", ";")
	return strings.ReplaceAll(v, "; ", ";\r\n\t")
}

// mailfromParam is smtp.mailfrom: the MAIL FROM address (RFC 8601 §2.7.2),
// empty for the null sender (then smtp.helo says who was checked).
func mailfromParam(from string) string { return from }

func heloParam(from, helo string) string {
	if from == "" {
		return helo
	}
	return ""
}

// aligned decides identifier alignment (RFC 7489 §3.1): strict wants the
// same domain; relaxed, the same organizational domain.
func aligned(domain, from string, mode dmarc.AlignmentMode) bool {
	if domain == "" {
		return false
	}
	if mode == dmarc.AlignmentStrict {
		return strings.EqualFold(domain, from)
	}
	return strings.EqualFold(orgDomain(domain), orgDomain(from))
}

// orgDomain is the organizational domain (RFC 7489 §3.2): the public
// suffix (from the Public Suffix List compiled into x/net) plus one label,
// so mail.example.co.uk belongs to example.co.uk, not to co.uk. A name
// with no known suffix (a world's own "example.test") is its own.
func orgDomain(d string) string {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	if org, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return org
	}
	return d
}

// sampledPolicy applies a DMARC record's pct= (RFC 7489 §6.6.4): the policy
// holds for that share of failing messages, and the others get the next
// milder one (reject becomes quarantine, quarantine becomes none). The
// share is counted, not drawn at random, so a lesson sees the same thing
// every run: with pct=50, every second failing message; with pct=10,
// every tenth.
func (srv *Server) sampledPolicy(p dmarc.Policy, pct *int) dmarc.Policy {
	if pct == nil || *pct >= 100 || p == dmarc.PolicyNone {
		return p
	}
	// The policy applies to the n-th failing message when the running count
	// of applications, n*pct/100 rounded down, goes up: spread evenly.
	n := srv.dmarcFailures.Add(1)
	if pct := uint64(max(*pct, 0)); n*pct/100 > (n-1)*pct/100 {
		return p
	}
	if p == dmarc.PolicyReject {
		return dmarc.PolicyQuarantine
	}
	return dmarc.PolicyNone
}

// headerOf is the message's header section (up to the empty line).
func headerOf(msg []byte) []byte {
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		return msg[:i+2]
	}
	return msg
}

// headerFromDomain is the domain of the message's From: author (RFC 7489
// §6.6.1: the RFC5322.From domain), or "" when there is none to read.
func headerFromDomain(msg []byte) string {
	from := headerField(headerOf(msg), "from")
	if from == "" {
		return ""
	}
	if list, err := mail.ParseAddressList(from); err == nil && len(list) > 0 {
		return strings.ToLower(domainOf(list[0].Address))
	}
	// An unparseable From: still names a domain after its last "@".
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		d := strings.TrimRight(from[i+1:], "> \t")
		return strings.ToLower(d)
	}
	return ""
}

// DKIMKey is the key the submission server signs a domain's outgoing mail
// with, published at Selector._domainkey.Domain in the world's DNS.
type DKIMKey struct {
	Selector string
	Signer   crypto.Signer
}

// signedHeaders are the header fields a DKIM signature covers (RFC 6376
// §5.4.1's list); an absent field is signed as absent, so adding one later
// breaks the signature.
var signedHeaders = []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
	"In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}

// sign returns the message with a DKIM-Signature for the logged-in user's
// domain on top, or the message as it is when the domain has no key or the
// message cannot be signed (it has no From: field, RFC 6376 §5.4).
func (se *session) sign(body []byte, domain string) []byte {
	if se.srv.opts.DKIMKey == nil {
		return body
	}
	key, ok := se.srv.opts.DKIMKey(domain)
	if !ok || headerFromDomain(body) == "" {
		return body
	}
	signer, err := dkim.NewSigner(&dkim.SignOptions{Domain: domain, Selector: key.Selector, Signer: key.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: signedHeaders})
	if err != nil {
		return body
	}
	if _, err := signer.Write(body); err != nil {
		signer.Close()
		return body
	}
	if err := signer.Close(); err != nil {
		return body
	}
	sig := signer.Signature()
	out := make([]byte, 0, len(sig)+len(body))
	return append(append(out, sig...), body...)
}

// errSPFFail: SPF says the client may not send for MAIL FROM's domain
// (RFC 7208 §8.4: "reject the message", 550 5.7.1 as Postfix's policy-spf
// and most receivers answer; RFC 7372 also registered 5.7.23).
func errSPFFail(from, domain, ip string) *gosmtp.SMTPError {
	who := "<" + from + ">"
	if from == "" {
		who = "HELO " + domain
	}
	return smtpErr(550, gosmtp.EnhancedCode{5, 7, 1},
		"%s: Sender address rejected: SPF fail - %s is not allowed to send mail for %s (see the TXT record of %s, RFC 7208)", who, ip, domain, domain)
}

// errSPFTemp: the SPF record could not be looked up (RFC 7208 §8.6
// temperror): try again later (RFC 7372 X.7.24 "SPF validation error").
func errSPFTemp(domain string) *gosmtp.SMTPError {
	return smtpErr(451, gosmtp.EnhancedCode{4, 7, 24},
		"Temporary SPF validation error: DNS lookup of %s failed, try again later (RFC 7208 §8.6 temperror)", domain)
}

// errDMARCReject: the From: domain publishes p=reject and neither SPF nor
// DKIM passed for an aligned domain (RFC 7489 §6.6.4): 5.7.26 "multiple
// authentication checks failed" (RFC 7372), the code Gmail and Yahoo answer.
func errDMARCReject(domain string) *gosmtp.SMTPError {
	return smtpErr(550, gosmtp.EnhancedCode{5, 7, 26},
		"Unauthenticated email from %s is not accepted due to the domain's DMARC policy (p=reject): SPF and DKIM did not pass for a domain aligned with From: (RFC 7489)", domain)
}

// errDMARCTemp: the DMARC policy, or a check it needs, could not be looked
// up: try again later (4.7.1, as OpenDMARC answers a temperror).
func errDMARCTemp(domain string) *gosmtp.SMTPError {
	return smtpErr(451, gosmtp.EnhancedCode{4, 7, 1},
		"Temporary DMARC error: DNS lookup for %s failed, try again later (RFC 7489 §6.6.3)", domain)
}

// dropForgedResults removes Authentication-Results fields that claim to
// come from this server (authserv-id = host) from an arriving message: a
// sender could write "spf=pass" itself, and readers trust this server's
// name (RFC 8601 §5). Other servers' fields stay.
func dropForgedResults(msg []byte, host string) []byte {
	head := headerOf(msg)
	if !bytes.Contains(bytes.ToLower(head), []byte("authentication-results:")) {
		return msg
	}
	out := make([]byte, 0, len(msg))
	skipping := false
	rest := msg[:len(head)]
	for len(rest) > 0 {
		line := rest
		if i := bytes.Index(rest, []byte("\r\n")); i >= 0 {
			line = rest[:i+2]
		}
		rest = rest[len(line):]
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if !skipping {
				out = append(out, line...)
			}
			continue
		}
		skipping = false
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(string(bytes.TrimSpace(name)), "Authentication-Results") {
			id, _, _ := strings.Cut(string(value), ";")
			if strings.EqualFold(strings.TrimSpace(id), host) {
				skipping = true
				continue
			}
		}
		out = append(out, line...)
	}
	return append(out, msg[len(head):]...)
}

// dmarcPolicy looks up the DMARC record of a From: domain, or of its
// organizational domain (RFC 7489 §6.6.3); a session keeps the last one
// until the world's DNS changes.
func (se *session) dmarcPolicy(domain string, res dns.Resolver) (*dmarc.Record, error) {
	version := se.srv.dnsVersion()
	if m := se.dmarcMemo; m.valid && m.domain == domain && m.version == version {
		return m.rec, m.err
	}
	rec, err := dmarc.LookupWithOptions(domain, &dmarc.LookupOptions{LookupTXT: txt(res)})
	if err == dmarc.ErrNoPolicy && orgDomain(domain) != domain {
		rec, err = dmarc.LookupWithOptions(orgDomain(domain), &dmarc.LookupOptions{LookupTXT: txt(res)})
	}
	se.dmarcMemo = dmarcMemo{valid: true, domain: domain, version: version, rec: rec, err: err}
	return rec, err
}

// dmarcMemo is a session's last DMARC lookup.
type dmarcMemo struct {
	valid   bool
	domain  string
	version uint64
	rec     *dmarc.Record
	err     error
}

// containsFold reports whether b holds s (lower case ASCII) in any case,
// without copying b.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if (b[i]|0x20) == s[0] && bytes.EqualFold(b[i:i+len(s)], []byte(s)) {
			return true
		}
	}
	return false
}

// headerField returns the value of the first header field named name (lower
// case), unfolded, or "". Every message the MX takes passes here: no
// parsing of the whole header.
func headerField(header []byte, name string) string {
	for len(header) > 0 {
		line, rest, _ := bytes.Cut(header, []byte("\n"))
		header = rest
		if len(line) <= len(name) || line[len(name)] != ':' || !bytes.EqualFold(line[:len(name)], []byte(name)) {
			continue
		}
		value := strings.TrimSpace(string(line[len(name)+1:]))
		// Continuation lines start with a space or a tab (RFC 5322 §2.2.3).
		for len(header) > 0 && (header[0] == ' ' || header[0] == '\t') {
			line, header, _ = bytes.Cut(header, []byte("\n"))
			value += " " + strings.TrimSpace(string(line))
		}
		return value
	}
	return ""
}
