package logs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// addSamples seeds a fuzz target with every sample log; the corpus under
// testdata/fuzz adds short hostile inputs (huge literals, cut reprs).
func addSamples(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.log"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParse checks that no input makes Parse panic or hang, that memory
// stays bounded by the size limit, and that every event is well formed.
func FuzzParse(f *testing.F) {
	addSamples(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range append(Formats(), "") {
			res, err := Parse(bytes.NewReader(data), Options{Format: format, MaxBytes: 1 << 16})
			if err != nil {
				if len(data) <= 1<<16 {
					t.Fatalf("format %q: %v", format, err)
				}
				continue
			}
			var n int
			for _, s := range res.Sessions {
				for _, e := range s.Events {
					n++
					if e.Secret.Start < 0 || e.Secret.End > len(e.Data) {
						t.Fatalf("secret %+v outside %d bytes", e.Secret, len(e.Data))
					}
				}
			}
			// Every event holds at least one input byte or is a meta event,
			// and there are at most a handful of meta events per line.
			if n > 4*len(data)+8 {
				t.Fatalf("%d events from %d bytes", n, len(data))
			}
		}
	})
}

// FuzzDetect checks Detect never panics and always names a known format.
func FuzzDetect(f *testing.F) {
	addSamples(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		format, proto := Detect(data)
		known := format == FormatUnknown
		for _, k := range Formats() {
			known = known || k == format
		}
		if !known || proto == "" {
			t.Fatalf("Detect = %q, %q", format, proto)
		}
	})
}
