package smtp

import (
	"testing"

	"github.com/emersion/go-msgauth/dmarc"
)

// The organizational domain (RFC 7489 §3.2) comes from the Public Suffix
// List: a sender under mail.example.co.uk aligns with From: example.co.uk,
// and one under other.co.uk does not (taking the last two labels, co.uk,
// would have aligned both).
func TestRelaxedAlignmentUsesPublicSuffixes(t *testing.T) {
	for _, c := range []struct {
		domain, from string
		want         bool
	}{
		{"mail.example.co.uk", "example.co.uk", true},
		{"other.co.uk", "example.co.uk", false},
		{"news.example.com", "example.com", true},
		{"example.org", "example.com", false},
		{"example.test", "example.test", true},
	} {
		if got := aligned(c.domain, c.from, dmarc.AlignmentRelaxed); got != c.want {
			t.Errorf("aligned(%s, %s) = %v, want %v", c.domain, c.from, got, c.want)
		}
	}
}
