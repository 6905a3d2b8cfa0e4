package dns

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
)

func TestParseAndString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`example.com TXT "v=spf1 -all"`, `example.com. TXT "v=spf1 -all"`},
		{`_dmarc.Example.COM. txt "v=DMARC1; " "p=none"`, `_dmarc.example.com. TXT "v=DMARC1; p=none"`},
		{`example.com TXT v=spf1 ~all`, `example.com. TXT "v=spf1 ~all"`},
		{`example.org MX 10 mx.example.org.`, `example.org. MX 10 mx.example.org`},
		{`mx.example.org A 127.0.0.1`, `mx.example.org. A 127.0.0.1`},
	} {
		r, err := Parse(tc.in)
		if err != nil || r.String() != tc.want {
			t.Errorf("Parse(%q) = %s, %v; want %s", tc.in, r, err, tc.want)
		}
		if again, err := Parse(r.String()); err != nil || again != r {
			t.Errorf("Parse(String()) of %q = %v, %v", tc.in, again, err)
		}
	}
	for _, bad := range []string{`example.com`, `example.com TXT`, `x A 300.1.1.1`, `x A ::1`, `x MX mx`, `x SRV 1 2 3 y`, `x TXT "open`} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	// A DKIM key is longer than one TXT string (255 octets).
	long := Record{Name: "k", Type: TXT, Value: strings.Repeat("p", 600)}
	if s := long.String(); strings.Count(s, `"`) != 6 {
		t.Errorf("a 600-octet TXT value as %d quoted strings: %s", strings.Count(s, `"`)/2, s)
	}
}

func TestZoneSetKeepsOtherKindsOfTXT(t *testing.T) {
	z := NewZone(Defaults("example.com", "v=DKIM1; k=ed25519; p=AAAA")...)
	z.Add(Record{Name: "example.com", Type: TXT, Value: "google-site-verification=x"})
	if err := z.Apply(`example.com TXT "v=spf1 ip4:192.0.2.1 -all"`); err != nil {
		t.Fatal(err)
	}
	txt, err := z.LookupTXT(context.Background(), "EXAMPLE.com.")
	if err != nil || len(txt) != 2 || !strings.Contains(strings.Join(txt, "|"), "v=spf1 ip4:192.0.2.1 -all") {
		t.Fatalf("TXT after replacing SPF: %q, %v", txt, err)
	}
	if err := z.Apply("-example.com TXT"); err != nil {
		t.Fatal(err)
	}
	_, err = z.LookupTXT(context.Background(), "example.com")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Fatalf("after removal: %v, want not found", err)
	}
	mx, err := z.LookupMX(context.Background(), "example.com")
	if err != nil || len(mx) != 1 || mx[0].Host != "mx.example.com." {
		t.Errorf("MX: %v %v", mx, err)
	}
	ips, err := z.LookupIPAddr(context.Background(), "mx.example.com")
	if err != nil || len(ips) != 1 || !ips[0].IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("A: %v %v", ips, err)
	}
	if _, err := (Unreachable{}).LookupTXT(context.Background(), "example.com"); !errors.As(err, &de) || !de.IsTemporary {
		t.Errorf("Unreachable: %v", err)
	}
}
