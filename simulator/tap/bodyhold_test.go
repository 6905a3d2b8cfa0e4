package tap

import (
	"strings"
	"testing"
)

func newHold() *bodyHold { return &bodyHold{maxLine: 2000, maxSize: 10 << 20} }

// feedHold gives h the wire bytes in chunks of size k and returns the
// verdict that ended it and the bytes add returned with it.
func feedHold(h *bodyHold, wireBytes []byte, k int) (holdVerdict, []byte) {
	h.start()
	for len(wireBytes) > 0 {
		n := min(k, len(wireBytes))
		rest, v := h.add(wireBytes[:n])
		wireBytes = wireBytes[n:]
		if v != holdMore {
			return v, append(append([]byte(nil), rest...), wireBytes...)
		}
	}
	return holdMore, nil
}

// A plain body, however the reads cut it, is held whole; the library gets
// the ".\r\n" that ends it and whatever the client sent after it.
func TestBodyHoldTakesPlainBodies(t *testing.T) {
	long := strings.Repeat("x", 1990)
	bodies := []string{
		"Subject: hi\r\n\r\nHello.\r\n",
		"\r\n",
		"a\r\n\r\n\r\nb\r\n",
		"Subject: dots.\r\n\r\nend with a dot.\r\nx.\r\n",
		long + "\r\n",
		"8-bit: \xc3\xa9t\xc3\xa9, NUL \x00 and tab \t\r\n",
	}
	for _, body := range bodies {
		for k := 1; k <= len(body)+8; k++ {
			h := newHold()
			v, rest := feedHold(h, []byte(body+".\r\nQUIT\r\n"), k)
			if v != holdDone {
				t.Fatalf("body %q in chunks of %d: verdict %v, want done", body, k, v)
			}
			got, ok := h.take()
			if !ok || string(got) != body {
				t.Fatalf("body %q in chunks of %d: took %q, %v", body, k, got, ok)
			}
			if string(rest) != ".\r\nQUIT\r\n" {
				t.Fatalf("body %q in chunks of %d: library gets %q", body, k, rest)
			}
		}
	}
}

// An empty body is the terminator alone: nothing is held or taken.
func TestBodyHoldEmptyBody(t *testing.T) {
	h := newHold()
	v, rest := feedHold(h, []byte(".\r\n"), 1)
	if _, ok := h.take(); v != holdDone || ok || string(rest) != ".\r\n" {
		t.Fatalf("verdict %v, rest %q, took %v", v, rest, ok)
	}
}

// Anything go-smtp would change or refuse goes back to it as it came.
func TestBodyHoldFallsBack(t *testing.T) {
	cases := map[string]string{
		"a stuffed line":              "a\r\n..b\r\n.\r\n",
		"a stuffed first line":        "..a\r\n.\r\n",
		"a dot line that is not last": "a\r\n.x\r\n.\r\n",
		"a bare LF":                   "a\nb\r\n.\r\n",
		"a dot after a bare LF":       "a\n.\r\n",
		"a bare CR":                   "a\rb\r\n.\r\n",
		"CR CR LF":                    "a\r\r\n.\r\n",
		"a long line":                 strings.Repeat("y", 1999) + "\r\n.\r\n",
		"a long line, unfinished":     strings.Repeat("y", 3000),
	}
	for name, in := range cases {
		for _, k := range []int{1, 3, 7, len(in)} {
			h := newHold()
			v, rest := feedHold(h, []byte(in), k)
			if v != holdFallBack {
				t.Errorf("%s in chunks of %d: verdict %v, want fall-back", name, k, v)
				continue
			}
			if string(rest) != in {
				t.Errorf("%s in chunks of %d: library gets %q, want every byte as sent", name, k, rest)
			}
			if _, ok := h.take(); ok {
				t.Errorf("%s: a body was left to take after a fall-back", name)
			}
		}
	}
	h := &bodyHold{maxLine: 2000, maxSize: 100}
	big := strings.Repeat("0123456789abcdefghi\r\n", 10) + ".\r\n"
	if v, rest := feedHold(h, []byte(big), 50); v != holdFallBack || string(rest) != big {
		t.Errorf("a body over the size limit: verdict %v", v)
	}
}

func (v holdVerdict) String() string {
	return [...]string{"more", "done", "fall-back"}[v]
}
