// Package dns is the DNS of mailtutor's simulated world: the zone data of
// its domains (MX, A, TXT records for SPF, DMARC and DKIM keys) held in
// memory and answered from memory. Nothing here ever asks the network: a
// name the zone does not hold does not exist, as far as the world knows.
//
// The receiving MX reads it through Resolver (the method set of
// *net.Resolver that SPF libraries take), go-msgauth through TXT.
package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Type is a record type the world's DNS holds.
type Type string

// The record types. AAAA is kept for completeness of SPF's ip6 and a/mx
// mechanisms; the world itself lives on IPv4 loopback.
const (
	A    Type = "A"
	AAAA Type = "AAAA"
	MX   Type = "MX"
	TXT  Type = "TXT"
)

// Record is one resource record. Value is written as in a zone file:
// "127.0.0.1" for A, "10 mx.example.org" for MX, the text itself (without
// quotes) for TXT.
type Record struct {
	Name  string // lower case, without the final dot: "_dmarc.example.org"
	Type  Type
	Value string
}

// String writes the record the way Parse reads it (a zone-file line,
// without TTL and class): `example.org. TXT "v=spf1 ip4:127.0.0.0/8 -all"`.
func (r Record) String() string {
	v := r.Value
	if r.Type == TXT {
		v = quote(v)
	}
	return r.Name + ". " + string(r.Type) + " " + v
}

// quote writes a TXT value as one or more quoted strings of at most 255
// octets each (RFC 1035 §3.3.14; DKIM keys are longer than one string).
func quote(v string) string {
	var parts []string
	for len(v) > 255 {
		parts = append(parts, strconv.Quote(v[:255]))
		v = v[255:]
	}
	parts = append(parts, strconv.Quote(v))
	return strings.Join(parts, " ")
}

// Parse reads one record: NAME TYPE VALUE, as in a zone file without TTL
// and class. A TXT value may be one or more double-quoted strings, which
// are joined (as resolvers join them), or bare text. Examples:
//
//	example.com TXT "v=spf1 -all"
//	_dmarc.example.com. TXT "v=DMARC1; p=none"
//	example.com MX 10 mx.example.com
//	mx.example.com A 127.0.0.1
func Parse(line string) (Record, error) {
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return Record{}, fmt.Errorf("dns record %q: want NAME TYPE VALUE, e.g. example.com TXT \"v=spf1 -all\"", line)
	}
	name, typ := normalName(fields[0]), Type(strings.ToUpper(fields[1]))
	if name == "" {
		return Record{}, fmt.Errorf("dns record %q: empty name", line)
	}
	// The value is the rest of the line after the type, as written.
	rest := strings.TrimSpace(line)
	for range 2 {
		rest = strings.TrimSpace(rest[len(strings.Fields(rest)[0]):])
	}
	switch typ {
	case A, AAAA:
		ip := net.ParseIP(rest)
		if ip == nil || (typ == A) != (ip.To4() != nil) {
			return Record{}, fmt.Errorf("dns record %q: %s wants an IPv%s address", line, typ, map[Type]string{A: "4", AAAA: "6"}[typ])
		}
		return Record{Name: name, Type: typ, Value: ip.String()}, nil
	case MX:
		f := strings.Fields(rest)
		pref, err := strconv.ParseUint(f[0], 10, 16)
		if len(f) != 2 || err != nil {
			return Record{}, fmt.Errorf("dns record %q: MX wants PREFERENCE HOST, e.g. 10 mx.example.org", line)
		}
		return Record{Name: name, Type: MX, Value: strconv.FormatUint(pref, 10) + " " + normalName(f[1])}, nil
	case TXT:
		v, err := unquote(rest)
		if err != nil {
			return Record{}, fmt.Errorf("dns record %q: %v", line, err)
		}
		return Record{Name: name, Type: TXT, Value: v}, nil
	}
	return Record{}, fmt.Errorf("dns record %q: type %q is not one the world holds (A, AAAA, MX, TXT)", line, fields[1])
}

// unquote joins a TXT value's quoted strings; text without quotes is taken
// as it is.
func unquote(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) {
		return s, nil
	}
	var b strings.Builder
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] != '"' {
			return "", errors.New("TXT: text between quoted strings")
		}
		prefix, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", errors.New("TXT: unterminated quoted string")
		}
		part, _ := strconv.Unquote(prefix)
		b.WriteString(part)
		s = s[len(prefix):]
	}
	return b.String(), nil
}

func normalName(n string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(n), "."))
}

// Zone is the world's DNS data. Safe for concurrent use.
type Zone struct {
	mu      sync.RWMutex
	records []Record
	// version counts the changes, so that a checker may keep what it
	// worked out from the records until they change (Version).
	version atomic.Uint64
}

// Version changes whenever a record is added, set or removed.
func (z *Zone) Version() uint64 { return z.version.Load() }

// NewZone returns a zone holding the records given.
func NewZone(records ...Record) *Zone {
	z := &Zone{}
	for _, r := range records {
		z.Add(r)
	}
	return z
}

// Add adds a record (a name may hold several of one type).
func (z *Zone) Add(r Record) {
	r.Name = normalName(r.Name)
	z.mu.Lock()
	defer z.mu.Unlock()
	defer z.version.Add(1)
	for _, have := range z.records {
		if have == r {
			return
		}
	}
	z.records = append(z.records, r)
}

// Set replaces every record of r's name and type by r: the usual way to
// change a record (a domain has one SPF record, one DMARC record).
// For TXT, only the records of the same kind are replaced: a "v=spf1"
// record replaces the name's SPF record and leaves its other TXT records.
func (z *Zone) Set(r Record) {
	r.Name = normalName(r.Name)
	z.mu.Lock()
	defer z.mu.Unlock()
	defer z.version.Add(1)
	kept := z.records[:0]
	for _, have := range z.records {
		if have.Name == r.Name && have.Type == r.Type && sameKind(have, r) {
			continue
		}
		kept = append(kept, have)
	}
	z.records = append(kept, r)
}

// Remove deletes every record of a name and type; for TXT, when value is
// not empty, only the TXT records of the same kind as value ("v=spf1...").
func (z *Zone) Remove(name string, typ Type, value string) {
	name = normalName(name)
	z.mu.Lock()
	defer z.mu.Unlock()
	defer z.version.Add(1)
	probe := Record{Name: name, Type: typ, Value: value}
	kept := z.records[:0]
	for _, have := range z.records {
		if have.Name == name && have.Type == typ && (value == "" || sameKind(have, probe)) {
			continue
		}
		kept = append(kept, have)
	}
	z.records = kept
}

// Apply changes the zone by one line: a record as Parse reads it sets it
// (see Set); "-NAME TYPE" removes the name's records of that type.
func (z *Zone) Apply(line string) error {
	if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-"); ok {
		f := strings.Fields(rest)
		if len(f) != 2 {
			return fmt.Errorf("dns removal %q: want -NAME TYPE, e.g. -example.com TXT", line)
		}
		z.Remove(f[0], Type(strings.ToUpper(f[1])), "")
		return nil
	}
	r, err := Parse(line)
	if err != nil {
		return err
	}
	z.Set(r)
	return nil
}

// sameKind tells whether two records of one name and type replace each
// other: TXT records do when they are of one kind (their "v=" tag, or
// both without one); other types always do.
func sameKind(a, b Record) bool {
	if a.Type != TXT {
		return true
	}
	return txtKind(a.Value) == txtKind(b.Value)
}

func txtKind(v string) string {
	tag, _, _ := strings.Cut(strings.TrimSpace(v), " ")
	tag, _, _ = strings.Cut(tag, ";")
	if strings.HasPrefix(strings.ToLower(tag), "v=") {
		return strings.ToLower(tag)
	}
	return ""
}

// Records lists every record, sorted by name, type and value.
func (z *Zone) Records() []Record {
	z.mu.RLock()
	out := append([]Record(nil), z.records...)
	z.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Value < b.Value
	})
	return out
}

// Lookup returns the records of one name and type.
func (z *Zone) Lookup(name string, typ Type) []Record {
	name = normalName(name)
	z.mu.RLock()
	defer z.mu.RUnlock()
	var out []Record
	for _, r := range z.records {
		if r.Name == name && r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// notFound is the resolver's NXDOMAIN (or no data): the zone has nothing
// for the name. SPF and DMARC libraries read IsNotFound.
func notFound(name string) error {
	return &net.DNSError{Err: "no such host (the simulated world's DNS holds no such record)", Name: name, IsNotFound: true}
}

// TXT returns the TXT records of a name, the form go-msgauth's DKIM and
// DMARC lookups take.
func (z *Zone) TXT(name string) ([]string, error) { return z.LookupTXT(context.Background(), name) }

// LookupTXT answers as net.Resolver does, from the zone.
func (z *Zone) LookupTXT(_ context.Context, name string) ([]string, error) {
	var out []string
	for _, r := range z.Lookup(name, TXT) {
		out = append(out, r.Value)
	}
	if len(out) == 0 {
		return nil, notFound(name)
	}
	return out, nil
}

// LookupMX answers as net.Resolver does, sorted by preference.
func (z *Zone) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	var out []*net.MX
	for _, r := range z.Lookup(name, MX) {
		pref, host, _ := strings.Cut(r.Value, " ")
		p, _ := strconv.ParseUint(pref, 10, 16)
		out = append(out, &net.MX{Host: host + ".", Pref: uint16(p)})
	}
	if len(out) == 0 {
		return nil, notFound(name)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pref < out[j].Pref })
	return out, nil
}

// LookupIPAddr answers A and AAAA queries as net.Resolver does.
func (z *Zone) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	for _, typ := range []Type{A, AAAA} {
		for _, r := range z.Lookup(host, typ) {
			out = append(out, net.IPAddr{IP: net.ParseIP(r.Value)})
		}
	}
	if len(out) == 0 {
		return nil, notFound(host)
	}
	return out, nil
}

// LookupAddr answers a reverse (PTR) query from the zone's A and AAAA
// records: every name whose address is addr.
func (z *Zone) LookupAddr(_ context.Context, addr string) ([]string, error) {
	ip := net.ParseIP(addr)
	var out []string
	for _, r := range z.Records() {
		if (r.Type == A || r.Type == AAAA) && ip != nil && ip.Equal(net.ParseIP(r.Value)) {
			out = append(out, r.Name+".")
		}
	}
	if len(out) == 0 {
		return nil, notFound(addr)
	}
	return out, nil
}

// Resolver is what the receiving server looks names up with: the method
// set of *net.Resolver that SPF libraries take. *Zone is one; Unreachable
// is another.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Unreachable is a resolver whose every query times out, as when the DNS
// servers of a domain are down: SPF and DMARC then give temperror, and a
// receiver answers 451 (try again later).
type Unreachable struct{}

func timeout(name string) error {
	return &net.DNSError{Err: "i/o timeout (the simulated world's DNS is down: dns-down fault)", Name: name, IsTimeout: true, IsTemporary: true}
}

// LookupTXT times out.
func (Unreachable) LookupTXT(_ context.Context, name string) ([]string, error) {
	return nil, timeout(name)
}

// LookupMX times out.
func (Unreachable) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return nil, timeout(name)
}

// LookupIPAddr times out.
func (Unreachable) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	return nil, timeout(host)
}

// LookupAddr times out.
func (Unreachable) LookupAddr(_ context.Context, addr string) ([]string, error) {
	return nil, timeout(addr)
}

// TXT times out (go-msgauth's form).
func (Unreachable) TXT(name string) ([]string, error) { return nil, timeout(name) }

// DefaultSelector is the DKIM selector the world's keys are published
// under: mail._domainkey.example.com.
const DefaultSelector = "mail"

// Defaults are the records of one domain of the world: its MX and the
// servers' A records on loopback, SPF allowing loopback (the world's relay
// hop and every client of the simulator connect from 127.0.0.1), DMARC
// with p=reject as the big mailbox providers publish it, and the DKIM key
// (a "v=DKIM1; k=...; p=..." value, or "" for none) under DefaultSelector.
func Defaults(domain, dkimKey string) []Record {
	d := normalName(domain)
	recs := []Record{
		{Name: d, Type: MX, Value: "10 mx." + d},
		{Name: "mx." + d, Type: A, Value: "127.0.0.1"},
		{Name: "mail." + d, Type: A, Value: "127.0.0.1"},
		{Name: d, Type: TXT, Value: "v=spf1 ip4:127.0.0.0/8 -all"},
		{Name: "_dmarc." + d, Type: TXT, Value: "v=DMARC1; p=reject"},
	}
	if dkimKey != "" {
		recs = append(recs, Record{Name: DefaultSelector + "._domainkey." + d, Type: TXT, Value: dkimKey})
	}
	return recs
}
