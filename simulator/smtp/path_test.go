package smtp

import "testing"

func TestPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"alice@example.com":          "alice@example.com",
		"first.last+tag@example.com": "first.last+tag@example.com",
		"jürgen@example.de":          "jürgen@example.de",
		"john doe@example.com":       `"john doe"@example.com`,
		`a"b\c@example.com`:          `"a\"b\\c"@example.com`,
		"a..b@example.com":           `"a..b"@example.com`,
		".a@example.com":             `".a"@example.com`,
		"postmaster":                 "postmaster",
	} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}
