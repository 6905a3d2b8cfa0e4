package transcripts

import (
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// Knowledge is where annotators find the general explanation of a protocol
// element (the Detail of a line, and its RFC reference when the annotator's
// own context note does not name one). Package kb is the real source; tests
// may pass their own.
type Knowledge interface {
	// Lookup finds the entry for a command, reply code, capability... of proto.
	Lookup(proto wire.Proto, kind kb.Kind, key string) (kb.Entry, bool)
	// LookupEnhanced finds an SMTP enhanced status code ("5.7.1").
	LookupEnhanced(code string) (kb.Entry, bool)
}

// kbKnowledge is the default Knowledge: package kb.
type kbKnowledge struct{}

func (kbKnowledge) Lookup(proto wire.Proto, kind kb.Kind, key string) (kb.Entry, bool) {
	return kb.Lookup(proto, kind, key)
}

func (kbKnowledge) LookupEnhanced(code string) (kb.Entry, bool) {
	return kb.LookupEnhanced(code)
}
