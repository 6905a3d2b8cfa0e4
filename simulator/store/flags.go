package store

import "strings"

// The IMAP system flags, spelled as RFC 3501 §2.3.2 spells them.
const (
	Seen     = `\Seen`
	Answered = `\Answered`
	Flagged  = `\Flagged`
	Deleted  = `\Deleted`
	Draft    = `\Draft`
	Recent   = `\Recent`
)

var systemFlags = []string{Seen, Answered, Flagged, Deleted, Draft, Recent}

// CanonicalFlag returns a system flag in its canonical case (`\SEEN` →
// `\Seen`) and any other flag or keyword unchanged (keywords keep the case
// they were first given, but compare case-insensitively).
func CanonicalFlag(f string) string {
	for _, sf := range systemFlags {
		if strings.EqualFold(f, sf) {
			return sf
		}
	}
	return f
}

// IsSystemFlag reports whether f is one of RFC 3501's system flags, in any case.
func IsSystemFlag(f string) bool {
	for _, sf := range systemFlags {
		if strings.EqualFold(f, sf) {
			return true
		}
	}
	return false
}

func hasFlag(flags []string, f string) bool {
	for _, have := range flags {
		if strings.EqualFold(have, f) {
			return true
		}
	}
	return false
}

func sameFlags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, f := range a {
		if !hasFlag(b, f) {
			return false
		}
	}
	return true
}
