package kb

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// registry ties a list under testdata/ to the entries that must cover it.
type registry struct {
	file  string
	proto wire.Proto
	kind  Kind
}

func readList(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keys = append(keys, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatalf("%s: empty list", name)
	}
	return keys
}

// TestRegistriesComplete fails for every registry line that has no entry.
func TestRegistriesComplete(t *testing.T) {
	ix := theIndex()
	exact := []registry{
		{"smtp-reply-codes.txt", wire.SMTP, ReplyCode},
		{"smtp-commands.txt", wire.SMTP, Command},
		{"ehlo-keywords.txt", wire.SMTP, Capability},
		{"pop3-commands.txt", wire.POP3, Command},
		{"pop3-capa-tags.txt", wire.POP3, Capability},
		{"pop3-response-codes.txt", wire.POP3, ResponseCode},
		{"imap-commands.txt", wire.IMAP, Command},
		{"imap-response-codes.txt", wire.IMAP, ResponseCode},
	}
	for _, r := range exact {
		for _, key := range readList(t, r.file) {
			if _, ok := ix.exact(r.proto, r.kind, NormalizeKey(key)); !ok {
				t.Errorf("%s: no %s %s entry for %q", r.file, r.proto, r.kind, key)
			}
		}
	}
	// Capabilities with values ("AUTH=PLAIN") are covered by their "AUTH=" entry.
	for _, key := range readList(t, "imap-capabilities.txt") {
		if _, ok := Lookup(wire.IMAP, Capability, key); !ok {
			t.Errorf("imap-capabilities.txt: no entry for %q", key)
		}
	}
	// Enhanced codes: an exact entry, or for a concrete class its registry "X.s.d" entry.
	for _, code := range readList(t, "smtp-enhanced-codes.txt") {
		class, subject, detail, ok := splitEnhanced(code)
		if !ok {
			t.Errorf("smtp-enhanced-codes.txt: %q is not an enhanced code", code)
			continue
		}
		_, exactOK := ix.exact(wire.SMTP, EnhancedCode, code)
		_, xOK := ix.exact(wire.SMTP, EnhancedCode, "X."+subject+"."+detail)
		if !exactOK && (class == "X" || !xOK) {
			t.Errorf("smtp-enhanced-codes.txt: no entry for %q", code)
		}
	}
}

func TestEntriesWellFormed(t *testing.T) {
	all := All()
	if len(all) < 400 {
		t.Errorf("only %d entries", len(all))
	}
	for _, e := range all {
		name := string(e.Proto) + "/" + string(e.Kind) + "/" + e.Key
		if e.Proto == "" || e.Kind == "" || e.Key == "" {
			t.Errorf("%s: missing proto, kind or key", name)
		}
		if e.Key != NormalizeKey(e.Key) {
			t.Errorf("%s: key is not in canonical form %q", name, NormalizeKey(e.Key))
		}
		if strings.TrimSpace(e.Summary) == "" || strings.TrimSpace(e.Explain) == "" || strings.TrimSpace(e.RFC) == "" {
			t.Errorf("%s: empty Summary, Explain or RFC", name)
		}
		if n := utf8.RuneCountInString(e.Summary); n >= 80 {
			t.Errorf("%s: summary is %d characters (limit 79)", name, n)
		}
		if strings.HasSuffix(e.Summary, ".") {
			t.Errorf("%s: summary ends with a period", name)
		}
		if e.Kind == Command && e.Syntax == "" {
			t.Errorf("%s: command without Syntax", name)
		}
		if e.Kind == Command && len(e.States) == 0 {
			t.Errorf("%s: command without States", name)
		}
	}
}

func TestNoDuplicates(t *testing.T) {
	seen := map[entryID]bool{}
	for _, e := range allEntries() {
		id := entryID{e.Proto, e.Kind, e.Key}
		if seen[id] {
			t.Errorf("duplicate entry %s/%s/%s", e.Proto, e.Kind, e.Key)
		}
		seen[id] = true
	}
}

// The codes support staff meet most must tell the user's view and what to check.
func TestCommonCodesHaveHelp(t *testing.T) {
	for _, key := range []string{"250", "251", "421", "450", "451", "452", "500", "501", "502", "503", "504",
		"530", "535", "550", "551", "552", "553", "554"} {
		e, ok := Lookup(wire.SMTP, ReplyCode, key)
		if !ok || e.Client == "" || e.Check == "" {
			t.Errorf("reply %s: missing entry, Client or Check", key)
		}
	}
	for _, code := range []string{"4.7.1", "5.7.1", "5.1.1", "5.2.2", "5.7.8", "5.7.0", "5.3.4", "4.2.2"} {
		e, ok := LookupEnhanced(code)
		if !ok || e.Client == "" || e.Check == "" {
			t.Errorf("enhanced %s: missing entry, Client or Check", code)
		}
	}
}

func TestLookup(t *testing.T) {
	cases := []struct {
		proto   wire.Proto
		kind    Kind
		query   string
		wantKey string
	}{
		{wire.SMTP, Command, "ehlo", "EHLO"},
		{wire.SMTP, ReplyCode, " 550 ", "550"},
		{wire.SMTP, Capability, "SIZE 10240000", "SIZE"},
		{wire.SMTP, Capability, "AUTH PLAIN LOGIN", "AUTH"},
		{wire.SMTP, Parameter, "BODY=8BITMIME", "BODY"},
		{wire.POP3, ResponseCode, "[in-use]", "IN-USE"},
		{wire.POP3, ResponseCode, "SYS/TEMP", "SYS/TEMP"},
		{wire.POP3, ResponseCode, "SYS/OTHER", "SYS"},
		{wire.IMAP, ResponseCode, "[UIDVALIDITY 3857529045]", "UIDVALIDITY"},
		{wire.IMAP, Capability, "AUTH=PLAIN", "AUTH="},
		{wire.IMAP, Capability, "THREAD=REFERENCES", "THREAD="},
		{wire.IMAP, Command, "uid fetch", "UID FETCH"},
		{wire.IMAP, FetchItem, "BODY[]", "BODY[]"},
		{wire.IMAP, FetchItem, "BODY[1.2]<0.100>", "BODY[]"},
		{wire.IMAP, FetchItem, "BODY.PEEK[HEADER.FIELDS (SUBJECT)]", "BODY.PEEK"},
		{wire.IMAP, FetchItem, "BINARY.SIZE[2]", "BINARY.SIZE[]"},
		{wire.IMAP, Flag, `\Seen`, `\SEEN`},
		{wire.IMAP, MailboxAttr, `\HasNoChildren`, `\HASNOCHILDREN`},
		{wire.IMAP, SearchKey, "unseen", "UNSEEN"},
		{wire.SMTP, EnhancedCode, "5.7.1", "5.7.1"},
		{wire.SMTP, EnhancedCode, "4.4.7", "4.4.7"},
	}
	for _, c := range cases {
		e, ok := Lookup(c.proto, c.kind, c.query)
		if !ok || e.Key != c.wantKey {
			t.Errorf("Lookup(%s, %s, %q) = %q, %v; want %q", c.proto, c.kind, c.query, e.Key, ok, c.wantKey)
		}
	}
	for _, miss := range []string{"", "[", "ZZZ", "BODY[", "=", "/"} {
		if e, ok := Lookup(wire.IMAP, Command, miss); ok {
			t.Errorf("Lookup(IMAP, command, %q) found %q", miss, e.Key)
		}
	}
}

func TestLookupEnhanced(t *testing.T) {
	e, ok := LookupEnhanced("5.7.1")
	if !ok || e.Key != "5.7.1" || !strings.Contains(e.Summary, "policy") {
		t.Errorf("5.7.1: %+v", e)
	}
	// No exact entry: the X.2.2 entry, worded for class 4.
	e, ok = LookupEnhanced("4.2.2")
	if !ok || e.Key != "4.2.2" || !strings.Contains(e.Summary, "temporary") || !strings.Contains(e.Explain, "retries") {
		t.Errorf("4.2.2: %+v", e)
	}
	e, ok = LookupEnhanced("2.1.5")
	if !ok || !strings.Contains(e.Summary, "accepted") {
		t.Errorf("2.1.5: %+v", e)
	}
	e, ok = LookupEnhanced("5.4.7")
	if !ok || !strings.Contains(e.Summary, "permanent") {
		t.Errorf("5.4.7: %+v", e)
	}
	// A detail the registry does not list still explains its group.
	e, ok = LookupEnhanced("5.7.99")
	if !ok || !strings.Contains(e.Summary, "Unlisted") {
		t.Errorf("5.7.99: %+v", e)
	}
	for _, bad := range []string{"", "5", "5.7", "3.7.1", "5.a.1", "5.7.1.2", "5.7.1234", "X.9.9", "5.9.1"} {
		if e, ok := LookupEnhanced(bad); ok {
			t.Errorf("LookupEnhanced(%q) found %q", bad, e.Key)
		}
	}
}

// keysOf lists "proto/kind/key" of entries, for readable failures.
func keysOf(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Proto)+"/"+string(e.Kind)+"/"+e.Key)
	}
	return out
}

func has(es []Entry, p wire.Proto, k Kind, key string) bool {
	for _, e := range es {
		if e.Proto == p && e.Kind == k && e.Key == key {
			return true
		}
	}
	return false
}

func TestExplain(t *testing.T) {
	type want struct {
		proto wire.Proto
		kind  Kind
		key   string
	}
	cases := []struct {
		query string
		want  []want // all must be present; the first one must come first
	}{
		{"550 5.7.1", []want{{wire.SMTP, EnhancedCode, "5.7.1"}, {wire.SMTP, ReplyCode, "550"}}},
		{"550-5.7.1 Relay access denied", []want{{wire.SMTP, EnhancedCode, "5.7.1"}, {wire.SMTP, ReplyCode, "550"}}},
		{"550", []want{{wire.SMTP, ReplyCode, "550"}}},
		{"5.7.1", []want{{wire.SMTP, EnhancedCode, "5.7.1"}}},
		{"451 4.7.1 greylisted", []want{{wire.SMTP, EnhancedCode, "4.7.1"}, {wire.SMTP, ReplyCode, "451"}}},
		{"-ERR [IN-USE]", []want{{wire.POP3, ResponseCode, "IN-USE"}, {wire.POP3, Response, "-ERR"}}},
		{"[IN-USE]", []want{{wire.POP3, ResponseCode, "IN-USE"}}},
		{"NO [TRYCREATE]", []want{{wire.IMAP, ResponseCode, "TRYCREATE"}, {wire.IMAP, Response, "NO"}}},
		{"a3 NO [AUTHENTICATIONFAILED] Invalid credentials", []want{{wire.IMAP, ResponseCode, "AUTHENTICATIONFAILED"}}},
		{"* OK [UIDVALIDITY 3857529045] UIDs valid", []want{{wire.IMAP, ResponseCode, "UIDVALIDITY"}, {wire.IMAP, Response, "OK"}}},
		{"* 4 EXISTS", []want{{wire.IMAP, Response, "EXISTS"}}},
		{"UIDL", []want{{wire.POP3, Command, "UIDL"}, {wire.POP3, Capability, "UIDL"}}},
		{"uid fetch", []want{{wire.IMAP, Command, "UID FETCH"}}},
		{"a1 UID FETCH 1:* (FLAGS BODY.PEEK[])", []want{{wire.IMAP, Command, "UID FETCH"}, {wire.IMAP, FetchItem, "FLAGS"}, {wire.IMAP, FetchItem, "BODY.PEEK"}}},
		{"EHLO", []want{{wire.SMTP, Command, "EHLO"}}},
		{"EHLO client.example.com", []want{{wire.SMTP, Command, "EHLO"}}},
		{"AUTH LOGIN", []want{{wire.SMTP, Mechanism, "LOGIN"}, {wire.SMTP, Command, "AUTH"}, {wire.POP3, Command, "AUTH"}}},
		{"MAIL FROM:<a@example.com> SIZE=1000", []want{{wire.SMTP, Parameter, "SIZE"}, {wire.SMTP, Command, "MAIL"}}},
		{"250-PIPELINING", []want{{wire.SMTP, Capability, "PIPELINING"}, {wire.SMTP, ReplyCode, "250"}}},
		{"PIPELINING", []want{{wire.SMTP, Capability, "PIPELINING"}, {wire.POP3, Capability, "PIPELINING"}}},
		{"BODYSTRUCTURE", []want{{wire.IMAP, FetchItem, "BODYSTRUCTURE"}}},
		{"NOOP", []want{{wire.SMTP, Command, "NOOP"}, {wire.POP3, Command, "NOOP"}, {wire.IMAP, Command, "NOOP"}}},
		{"QUIT", []want{{wire.SMTP, Command, "QUIT"}, {wire.POP3, Command, "QUIT"}}},
		{"AUTH", []want{{wire.SMTP, Command, "AUTH"}, {wire.POP3, Command, "AUTH"}, {wire.SMTP, Capability, "AUTH"}}},
		{"AUTH=PLAIN", []want{{wire.SMTP, Capability, "AUTH="}, {wire.IMAP, Capability, "AUTH="}}},
		{`\Seen`, []want{{wire.IMAP, Flag, `\SEEN`}}},
		{"X.7.1", []want{{wire.SMTP, EnhancedCode, "X.7.1"}}},
	}
	for _, c := range cases {
		got, err := Explain(c.query)
		if err != nil {
			t.Errorf("Explain(%q): %v", c.query, err)
			continue
		}
		for _, w := range c.want {
			if !has(got, w.proto, w.kind, w.key) {
				t.Errorf("Explain(%q) = %v; missing %s/%s/%s", c.query, keysOf(got), w.proto, w.kind, w.key)
			}
		}
		first := c.want[0]
		if got[0].Proto != first.proto || got[0].Kind != first.kind || got[0].Key != first.key {
			t.Errorf("Explain(%q) = %v; want %s/%s/%s first", c.query, keysOf(got), first.proto, first.kind, first.key)
		}
	}
}

func TestExplainUnknown(t *testing.T) {
	if _, err := Explain(""); err == nil {
		t.Error("Explain(\"\"): no error")
	}
	_, err := Explain("zzqqxx")
	if err == nil || !strings.Contains(err.Error(), "zzqqxx") {
		t.Errorf("Explain(zzqqxx) error = %v", err)
	}
	_, err = Explain("EHLOO")
	if err == nil || !strings.Contains(err.Error(), "EHLO") {
		t.Errorf("Explain(EHLOO) should suggest EHLO, got %v", err)
	}
	_, err = Explain("UIDLL")
	if err == nil || !strings.Contains(err.Error(), "UIDL") {
		t.Errorf("Explain(UIDLL) should suggest UIDL, got %v", err)
	}
}

func TestMarkdown(t *testing.T) {
	es, err := Explain("550 5.7.1")
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(es)
	for _, want := range []string{"## `5.7.1`", "## `550`", "RFC 5321 §4.2.2", "**What to check:**", "---"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if Markdown(nil) != "" {
		t.Error("Markdown(nil) is not empty")
	}
}

func TestAllIsStableAndCopied(t *testing.T) {
	a, b := All(), All()
	if len(a) != len(b) {
		t.Fatal("All changes length")
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Proto != b[i].Proto || a[i].Kind != b[i].Kind {
			t.Fatalf("All order differs at %d", i)
		}
	}
	a[0].Key = "CHANGED"
	if All()[0].Key == "CHANGED" {
		t.Error("All exposes the index's own slice")
	}
}

func FuzzExplain(f *testing.F) {
	for _, s := range []string{"550 5.7.1", "-ERR [IN-USE]", "NO [TRYCREATE]", "UIDL", "uid fetch", "AUTH=PLAIN", "[", "]", "* ", "5.7.", "250-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		es, err := Explain(q)
		if err == nil && len(es) == 0 {
			t.Errorf("Explain(%q): no error and no entries", q)
		}
		_ = Markdown(es)
		for _, p := range []wire.Proto{wire.SMTP, wire.POP3, wire.IMAP} {
			for _, k := range allKinds(nil) {
				Lookup(p, k, q)
			}
		}
		LookupEnhanced(q)
	})
}

// BenchmarkLookup measures the annotator's per-line cost on hits and misses.
func BenchmarkLookup(b *testing.B) {
	theIndex()
	b.ReportAllocs()
	for b.Loop() {
		Lookup(wire.SMTP, ReplyCode, "250")
		Lookup(wire.IMAP, Command, "UID FETCH")
		Lookup(wire.IMAP, FetchItem, "BODY[1.2]<0.100>")
		LookupEnhanced("4.2.2")
	}
}
