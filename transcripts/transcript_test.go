package transcripts

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

func sampleTranscript(reveal bool) *Transcript {
	opts := AnnotateOptions{RevealSecrets: reveal}
	var lines []Line
	lines = append(lines, annotateAll(wire.SMTP, opts, withSession("s1", smtpSubmission()))...)
	lines = append(lines, annotateAll(wire.POP3, opts, withSession("s2", pop3Session()))...)
	lines = append(lines, annotateAll(wire.IMAP, opts, withSession("s3", imapSession()))...)
	// A line with bytes that are not UTF-8 must survive too.
	lines = append(lines, NewAnnotator(wire.SMTP, opts).Annotate(wire.Event{Session: "s1", Proto: wire.SMTP, Dir: wire.FromClient, Kind: wire.Line, Data: []byte("X\xff\xfe\r\n")}))
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	return &Transcript{
		Version: FormatVersion, Title: "Lesson <1> & \"more\"", Created: t0,
		Sessions: []SessionInfo{
			{ID: "s1", Proto: wire.SMTP, Role: wire.RoleSubmission, Peer: "127.0.0.1:40000", Opened: t0, Closed: t0.Add(time.Second)},
			{ID: "s2", Proto: wire.POP3, Role: wire.RolePOP3, Peer: "127.0.0.1:40001", Opened: t0},
			{ID: "s3", Proto: wire.IMAP, Role: wire.RoleIMAP},
		},
		Lines: lines,
	}
}

// normal strips what JSON cannot carry (time zones as pointers, the unexported masked copy).
func normal(t *Transcript) *Transcript {
	c := *t
	c.Created = c.Created.UTC()
	c.Lines = nil
	for _, l := range t.Lines {
		l = l.Masked()
		l.masked = nil
		l.Time = l.Time.UTC()
		c.Lines = append(c.Lines, l)
	}
	c.Sessions = nil
	for _, s := range t.Sessions {
		s.Opened, s.Closed = s.Opened.UTC(), s.Closed.UTC()
		c.Sessions = append(c.Sessions, s)
	}
	return &c
}

func TestSaveLoadRoundTrip(t *testing.T) {
	tr := sampleTranscript(false)
	var buf bytes.Buffer
	if err := tr.Save(&buf); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	if !strings.Contains(first, `"format":"mailtutor-transcript"`) || !strings.Contains(first, `"version":1`) {
		t.Fatalf("header %s", first)
	}
	got, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := normal(tr)
	got = normal(got)
	if len(got.Lines) != len(want.Lines) {
		t.Fatalf("%d lines, want %d", len(got.Lines), len(want.Lines))
	}
	for i := range want.Lines {
		if !reflect.DeepEqual(got.Lines[i], want.Lines[i]) {
			t.Fatalf("line %d differs:\n got %+v\nwant %+v", i, got.Lines[i], want.Lines[i])
		}
	}
	if !reflect.DeepEqual(got.Sessions, want.Sessions) || got.Title != want.Title || !got.Created.Equal(want.Created) {
		t.Fatalf("header differs: %+v", got)
	}
}

func TestSaveMasksRevealedSecrets(t *testing.T) {
	tr := sampleTranscript(true)
	var masked, revealed bytes.Buffer
	if err := tr.Save(&masked); err != nil {
		t.Fatal(err)
	}
	if err := tr.SaveWith(&revealed, SaveOptions{RevealSecrets: true}); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"wonderland", "builder", "AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ="} {
		if strings.Contains(masked.String(), secret) {
			t.Errorf("masked save contains %q", secret)
		}
		if !strings.Contains(revealed.String(), secret) {
			t.Errorf("revealed save lacks %q", secret)
		}
	}
}

func TestLoadCorruptFiles(t *testing.T) {
	var good bytes.Buffer
	if err := sampleTranscript(false).Save(&good); err != nil {
		t.Fatal(err)
	}
	goodLines := strings.Split(good.String(), "\n")
	cases := map[string]struct {
		file string
		want string
	}{
		"empty":        {"", "line 1: empty file"},
		"not json":     {"hello\n", "line 1: not a mailtutor transcript"},
		"wrong format": {`{"format":"other","version":1}` + "\n", `format "other"`},
		"future":       {`{"format":"mailtutor-transcript","version":9}` + "\n", "version 9 is not supported"},
		"bad line":     {goodLines[0] + "\n" + goodLines[1] + "\n{\"seq\":\n", "transcript line 3: invalid JSON"},
		"bad dir":      {goodLines[0] + "\n" + `{"seq":1,"dir":"X","kind":"line","time":"2026-01-02T10:00:00Z","text":""}` + "\n", "line 2: unknown direction"},
		"bad kind":     {goodLines[0] + "\n" + `{"seq":1,"dir":"C","kind":"blob","time":"2026-01-02T10:00:00Z","text":""}` + "\n", "line 2: unknown kind"},
		"unknown key":  {goodLines[0] + "\n" + `{"seq":1,"dir":"C","kind":"line","time":"2026-01-02T10:00:00Z","text":"","zzz":1}` + "\n", "line 2: invalid JSON"},
		"truncated":    {good.String()[:len(good.String())/2], "invalid JSON"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(strings.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestPlayer(t *testing.T) {
	tr := &Transcript{Lines: []Line{{Seq: 1}, {Seq: 2}, {Seq: 3}}}
	p := NewPlayer(tr)
	if _, ok := p.Current(); ok || p.Len() != 3 || p.Pos() != -1 {
		t.Fatal("player must start before the first line")
	}
	if _, ok := p.Prev(); ok {
		t.Fatal("Prev before the start moved")
	}
	for want := uint64(1); want <= 3; want++ {
		if l, ok := p.Next(); !ok || l.Seq != want {
			t.Fatalf("Next = %v %v, want %d", l.Seq, ok, want)
		}
	}
	if _, ok := p.Next(); ok || p.Pos() != 2 {
		t.Fatal("Next past the end moved")
	}
	if l, ok := p.Prev(); !ok || l.Seq != 2 || len(p.Shown()) != 2 {
		t.Fatalf("Prev = %v", l.Seq)
	}
	p.Seek(99)
	if l, _ := p.Current(); l.Seq != 3 {
		t.Fatalf("Seek clamps to the last line")
	}
	p.Seek(-5)
	if p.Pos() != -1 || len(p.Shown()) != 0 {
		t.Fatalf("Seek clamps to before the first")
	}
	if NewPlayer(nil).Len() != 0 {
		t.Fatal("nil transcript")
	}
}
