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
//
// kb's lookup functions are being written in parallel with this package;
// until kb.Lookup and kb.LookupEnhanced exist this finds nothing, and the
// annotators' own context notes (which carry their RFC sections) stand alone.
type kbKnowledge struct{}

func (kbKnowledge) Lookup(proto wire.Proto, kind kb.Kind, key string) (kb.Entry, bool) {
	return kb.Entry{}, false
}

func (kbKnowledge) LookupEnhanced(code string) (kb.Entry, bool) {
	return kb.Entry{}, false
}
