package transcripts

import (
	"strings"
	"sync"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// kbCache remembers what the knowledge base said about a (kind, key), with
// the Markdown piece of Detail already built and made safe: a session
// repeats the same reply codes and commands, and building a Detail from
// scratch for each line used to be most of the annotation cost. One cache
// serves every annotator of a Recorder (they all run on its goroutine); an
// Annotator made alone gets its own. Not safe for concurrent use.
type kbCache struct {
	entries map[cacheKey]kbPiece
}

// cacheKey is a lookup in one protocol (the same key means different
// things in SMTP and POP3).
type cacheKey struct {
	proto string
	lookup
}

// kbPiece is one looked-up entry, ready to use.
type kbPiece struct {
	found   bool
	rfc     string
	summary string
	detail  string // "**KEY**: explanation" (+ what a mail program shows), sanitised; "" when the entry explains nothing
}

// maxCached bounds the cache: keys come from the wire (a server may
// advertise any number of invented capabilities), so misses must not grow
// it forever.
const maxCached = 4096

func newKBCache() *kbCache { return &kbCache{entries: map[cacheKey]kbPiece{}} }

// entryID names one entry of package kb.
type entryID struct {
	proto wire.Proto
	kind  kb.Kind
	key   string
}

// kbDetails holds the Detail piece of every entry of package kb, built once
// on first use and never changed afterwards (like kb's own index), so every
// annotator of every recorder shares it without locking.
var kbDetails = sync.OnceValue(func() map[entryID]string {
	all := kb.All()
	m := make(map[entryID]string, len(all))
	var scratch base // for safe's escaping buffer
	for _, e := range all {
		m[entryID{e.Proto, e.Kind, e.Key}] = scratch.safe(formatDetail(e), true)
	}
	return m
})

// formatDetail is an entry's piece of a line's Detail.
func formatDetail(ent kb.Entry) string {
	if ent.Explain == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(ent.Key) + len(ent.Explain) + len(ent.Client) + 40)
	b.WriteString("**" + ent.Key + "**: " + ent.Explain)
	if ent.Client != "" {
		b.WriteString("\n\n*What a mail program shows:* " + ent.Client)
	}
	return b.String()
}

// piece looks lk up: in package kb's prebuilt pieces when the knowledge is
// package kb, else (enhanced codes, which kb rewords per class; a test's
// own Knowledge) through the cache.
func (a *base) piece(lk lookup) kbPiece {
	if _, isKB := a.know.(kbKnowledge); isKB && lk.kind != kb.EnhancedCode {
		ent, ok := kb.Lookup(a.proto, lk.kind, lk.key)
		if !ok {
			return kbPiece{}
		}
		if d, ok := kbDetails()[entryID{ent.Proto, ent.Kind, ent.Key}]; ok {
			return kbPiece{found: true, rfc: ent.RFC, summary: ent.Summary, detail: d}
		}
	}
	ck := cacheKey{string(a.proto), lk}
	if p, ok := a.cache.entries[ck]; ok {
		return p
	}
	var ent kb.Entry
	var ok bool
	if lk.kind == kb.EnhancedCode {
		ent, ok = a.know.LookupEnhanced(lk.key)
	} else {
		ent, ok = a.know.Lookup(a.proto, lk.kind, lk.key)
	}
	p := kbPiece{found: ok}
	if ok {
		p.rfc, p.summary = ent.RFC, ent.Summary
		p.detail = a.safe(formatDetail(ent), true)
	}
	if len(a.cache.entries) < maxCached {
		a.cache.entries[ck] = p
	}
	return p
}

// rfcOf is the knowledge base's reference for an entry: the one place the
// RFC sections of commands are kept. Commands are read from kbCommandRFCs,
// built once: notes ask for them on every line.
func (a *base) rfcOf(kind kb.Kind, key string) string {
	if _, isKB := a.know.(kbKnowledge); isKB && kind == kb.Command {
		return kbCommandRFCs()[entryID{a.proto, kind, key}]
	}
	return a.piece(lookup{kind, key}).rfc
}

// kbCommandRFCs holds the RFC reference of every command in package kb,
// built once and never changed afterwards, like kbDetails.
var kbCommandRFCs = sync.OnceValue(func() map[entryID]string {
	m := map[entryID]string{}
	for _, e := range kb.All() {
		if e.Kind == kb.Command {
			m[entryID{e.Proto, e.Kind, strings.ToUpper(e.Key)}] = e.RFC
		}
	}
	return m
})
