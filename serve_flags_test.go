package main

import (
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// serve's storage limits: sizes with suffixes, 0 for no limit, nonsense refused.
func TestServeStorageLimitFlags(t *testing.T) {
	flags := func(quota, world string) *serveFlags {
		empty := ""
		f := &serveFlags{listen: map[wire.Role]*string{}, mailboxQuota: quota, worldCap: world}
		for _, r := range simulator.AllRoles {
			f.listen[r] = &empty
		}
		return f
	}
	opts, _, err := serveOptions(flags("50M", "1G"))
	if err != nil || opts.MailboxQuotaBytes != 50<<20 || opts.WorldBytes != 1<<30 {
		t.Errorf("50M, 1G: %d %d %v", opts.MailboxQuotaBytes, opts.WorldBytes, err)
	}
	opts, _, err = serveOptions(flags("4096", "0"))
	if err != nil || opts.MailboxQuotaBytes != 4096 || opts.WorldBytes >= 0 {
		t.Errorf("4096, 0: %d %d %v", opts.MailboxQuotaBytes, opts.WorldBytes, err)
	}
	for _, bad := range []string{"-1", "12X", "M", "99999999999G"} {
		if _, _, err := serveOptions(flags(bad, "1G")); err == nil {
			t.Errorf("--mailbox-quota %q accepted", bad)
		}
	}
}

// serve --dns changes the world's DNS at start; a record it cannot read is
// refused with the flag's name.
func TestServeDNSFlag(t *testing.T) {
	if newServeCmd().Flags().Lookup("dns") == nil {
		t.Fatal("serve has no --dns flag")
	}
	empty, mx := "", "127.0.0.1:0"
	f := &serveFlags{listen: map[wire.Role]*string{}, mailboxQuota: "50M", worldCap: "1G",
		dns: []string{`example.com TXT "v=spf1 ip4:192.0.2.1 -all"`, "-_dmarc.example.org TXT"}}
	for _, r := range simulator.AllRoles {
		f.listen[r] = &empty
	}
	f.listen[wire.RoleMX] = &mx
	opts, _, err := serveOptions(f)
	if err != nil {
		t.Fatal(err)
	}
	opts.StateDir = t.TempDir()
	sim, err := simulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if got := sim.DNS().Lookup("example.com", "TXT"); len(got) != 1 || got[0].Value != "v=spf1 ip4:192.0.2.1 -all" {
		t.Errorf("example.com TXT: %v", got)
	}
	if got := sim.DNS().Lookup("_dmarc.example.org", "TXT"); len(got) != 0 {
		t.Errorf("_dmarc.example.org TXT was not removed: %v", got)
	}
	f.dns = []string{"example.com TXT"}
	if _, _, err := serveOptions(f); err == nil || !strings.Contains(err.Error(), "--dns") {
		t.Errorf("a record without a value: %v", err)
	}
}
