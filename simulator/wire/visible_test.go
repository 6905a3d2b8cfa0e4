package wire

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestVisible(t *testing.T) {
	cases := []struct{ in, one, lines string }{
		{"plain text", "plain text", "plain text"},
		{"héllo wörld ✓ 日本", "héllo wörld ✓ 日本", "héllo wörld ✓ 日本"},
		{"\x1b]52;c;cHduZWQ=\x07", `\x1b]52;c;cHduZWQ=\x07`, `\x1b]52;c;cHduZWQ=\x07`},
		{"\x1b[2J", `\x1b[2J`, `\x1b[2J`},
		{"a\tb\nc\r\n", `a\tb\nc\r\n`, "a\tb\nc\\r\n"},
		{"\x00\x7f", `\x00\x7f`, `\x00\x7f`},
		{"raw C1 \x9b2J", `raw C1 \x9b2J`, `raw C1 \x9b2J`},
		{"rune C1 \u009b2J \u0085", `rune C1 \u009b2J \u0085`, `rune C1 \u009b2J \u0085`},
		{"invoice\u202Efdp.exe", `invoice\u202efdp.exe`, `invoice\u202efdp.exe`},
		{"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069", `\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069`, `\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069`},
		{"cut \xe2\x80", `cut \xe2\x80`, `cut \xe2\x80`},
		{"\xff\xfe", `\xff\xfe`, `\xff\xfe`},
		{"nbsp\u00a0ok", "nbsp\u00a0ok", "nbsp\u00a0ok"},
	}
	for _, c := range cases {
		if got := Visible(c.in); got != c.one {
			t.Errorf("Visible(%q) = %q, want %q", c.in, got, c.one)
		}
		if got := VisibleLines(c.in); got != c.lines {
			t.Errorf("VisibleLines(%q) = %q, want %q", c.in, got, c.lines)
		}
		if got := string(AppendVisible([]byte("> "), []byte(c.in))); got != "> "+c.one {
			t.Errorf("AppendVisible(%q) = %q, want %q", c.in, got, "> "+c.one)
		}
		if VisibleBytes([]byte(c.in)) != (c.in == c.one) {
			t.Errorf("VisibleBytes(%q) = %v", c.in, !(c.in == c.one))
		}
		// Escaping twice changes nothing: the marks are printable ASCII.
		if again := Visible(c.one); again != c.one {
			t.Errorf("Visible is not idempotent on %q: %q", c.one, again)
		}
	}
}

// FuzzVisible holds the escaper to its promise: nothing that a terminal
// obeys survives, and clean text comes out unchanged.
func FuzzVisible(f *testing.F) {
	f.Add("\x1b]52;c;Zm9v\x07\x1b[2J\x9b\u202e")
	f.Add("\xe0\x80\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x9f\x98\x80 \xc0\xaf \xe2\x82")
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			r, n := decodeRune(s[i:])
			wr, wn := utf8.DecodeRuneInString(s[i:])
			br, bn := decodeRune([]byte(s[i:]))
			if r != wr || n != wn || br != wr || bn != wn {
				t.Fatalf("decodeRune(%q) = %U %d, want %U %d", s[i:], r, n, wr, wn)
			}
		}
		for _, keep := range []bool{false, true} {
			out := Visible(s)
			if keep {
				out = VisibleLines(s)
			}
			if !visibleAlready(out, keep) {
				t.Fatalf("escaped %q still needs escaping: %q", s, out)
			}
			if strings.ContainsAny(out, "\r\x1b\x07\u009b\u202e") {
				t.Fatalf("control left in %q", out)
			}
		}
	})
}

func BenchmarkAppendVisibleClean(b *testing.B) {
	line := []byte("a1 FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])")
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendVisible(buf[:0], line)
	}
}

func BenchmarkVisibleUTF8(b *testing.B) {
	s := strings.Repeat("Grüße aus Köln ✓ ", 8)
	b.ReportAllocs()
	for b.Loop() {
		_ = Visible(s)
	}
}
