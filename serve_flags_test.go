package main

import (
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
