package wire

import "testing"

func TestIMAPCommandHead(t *testing.T) {
	for _, tc := range []struct {
		line string
		tag  string
		ok   bool
	}{
		{"a1 NOOP\r\n", "a1", true},
		{"a1 uid fetch 1 FLAGS\r\n", "a1", true},
		{"A001 LIST \"\" *\r\n", "A001", true},
		{"a1 NOOP\n", "a1", true},
		{"\r\n", "", false},
		{"NOOP\r\n", "NOOP", false},        // no tag: NOOP is read as the tag
		{"a1\r\n", "a1", false},            // a tag and nothing else
		{"a1 \r\n", "a1", false},           // a space, then the line ends
		{"a1  NOOP\r\n", "a1", false},      // two spaces
		{"LIST \"\" *\r\n", "LIST", false}, // no tag: LIST is the tag, "" no command
		{"a1 UID\r\n", "a1", false},
		{"a1 UID \"x\"\r\n", "a1", false},
		{" a1 NOOP\r\n", "", false},
		{"\"a1\" NOOP\r\n", "", false},
		{"* NOOP\r\n", "", false},
		{"a]1 NOOP\r\n", "a", false},
		{"a1 NO\x85OP\r\n", "a1", true}, // the name is "NO"; the rest is arguments
		{"a1 \x85\r\n", "a1", false},
		{"a1(NOOP\r\n", "a1", false},
	} {
		tag, ok := IMAPCommandHead([]byte(tc.line))
		if tag != tc.tag || ok != tc.ok {
			t.Errorf("IMAPCommandHead(%q) = %q, %v; want %q, %v", tc.line, tag, ok, tc.tag, tc.ok)
		}
	}
}

func TestIMAPQuoteOpen(t *testing.T) {
	for line, open := range map[string]bool{
		"a1 SELECT \"INBOX\"\r\n":       false,
		"a1 SELECT \"INBOX\r\n":         true,
		"a1 LIST \"\" \"*\r\n":          true,
		"a1 LIST \"\" *\r\n":            false,
		"a1 SELECT \"a\\\"b\"\r\n":      false, // an escaped quote inside
		"a1 SELECT \"a\\\\\"\r\n":       false, // an escaped backslash, then the end
		"a1 SELECT \"a\\\"\r\n":         true,
		"a1 LOGIN {5}\r\n":              false,
		"a1 SEARCH SUBJECT \"{5}\r\n":   true,
		"a1 SEARCH SUBJECT \"x\" \"y\n": true,
	} {
		if got := IMAPQuoteOpen([]byte(line)); got != open {
			t.Errorf("IMAPQuoteOpen(%q) = %v, want %v", line, got, open)
		}
	}
}
