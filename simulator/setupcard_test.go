package simulator

import (
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

func TestSetupCard(t *testing.T) {
	sim := newSim(t, Options{})
	info := sim.SetupInfo()
	card := SetupCard(info)
	_, imaps, _ := strings.Cut(sim.Addr(wire.RoleIMAPS), ":")
	_, subs, _ := strings.Cut(sim.Addr(wire.RoleSubmissions), ":")
	for _, want := range []string{"Thunderbird", "Outlook", "Apple Mail", "Android", "Any other program",
		"Server (incoming and outgoing): 127.0.0.1", "alice@example.com", "password wonderland", "bob@example.org",
		"SHA-256 " + Fingerprint(sim.Certificate()), "incoming IMAP: port " + imaps + ", connection security: SSL/TLS",
		"outgoing SMTP: port " + subs + ", connection security: SSL/TLS", "authentication method: Normal password",
		"Confirm Security Exception", "SMTP takes a password only after STARTTLS"} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}
	info.PlainAuth = true
	info.Addrs[wire.RoleIMAPS] = "0.0.0.0:2993"
	card = SetupCard(info)
	if !strings.Contains(card, "(SMTP, plain-auth is on)") || !strings.Contains(card, "Server (incoming and outgoing): this computer's address") {
		t.Errorf("plain-auth, any address:\n%s", card)
	}
}
