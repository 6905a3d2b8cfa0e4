package wire

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// TLSFailure says why a client's TLS handshake failed, as far as the
// server can tell: the relay works it out from the handshake's error once,
// so nobody downstream reads Go's error text again.
type TLSFailure string

const (
	// TLSUntrusted: the client refused the certificate and said so with a
	// TLS alert (bad_certificate, unknown_ca, certificate_unknown, ...).
	// Every program does this with a self-signed certificate it was not
	// told to trust.
	TLSUntrusted TLSFailure = "untrusted-certificate"
	// TLSAbandoned: the client closed the connection during the handshake
	// without an alert (or with user_canceled). Programs that ask the user
	// whether to trust a certificate often hang up while the question is
	// on screen.
	TLSAbandoned TLSFailure = "abandoned"
	// TLSNotTLS: the client's first bytes were not a TLS handshake, so it
	// spoke plaintext to an implicit-TLS port (or STARTTLS was chosen for
	// a port that wants SSL/TLS from the first byte, or the reverse).
	TLSNotTLS TLSFailure = "not-tls"
	// TLSNoCommon: client and server share no TLS version or cipher suite
	// (an old program that speaks only TLS 1.0, say).
	TLSNoCommon TLSFailure = "no-common-version"
	// TLSOther: any other failure; the event's Data holds the error.
	TLSOther TLSFailure = "other"
)

// TLSFailureOf classifies the error of a server-side TLS handshake.
func TLSFailureOf(err error) TLSFailure {
	if err == nil {
		return ""
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "remote error" && opErr.Err != nil {
		// The client sent an alert; crypto/tls keeps its type private, its
		// text is the alert's name.
		switch alert := opErr.Err.Error(); {
		case strings.Contains(alert, "certificate"):
			return TLSUntrusted
		case strings.Contains(alert, "user canceled"), strings.Contains(alert, "close notify"):
			return TLSAbandoned
		case strings.Contains(alert, "protocol version"), strings.Contains(alert, "handshake failure"),
			strings.Contains(alert, "insufficient security"):
			return TLSNoCommon
		}
		return TLSOther
	}
	if errors.As(err, &opErr) && opErr.Op == "local error" && opErr.Err != nil &&
		strings.Contains(opErr.Err.Error(), "bad record MAC") {
		// In TLS 1.3 a client checks the certificate after the server's
		// Finished, when the server already expects encrypted records.
		// OpenSSL-based programs (curl, fetchmail, mutt, ...) that reject
		// the certificate then send their alert unencrypted, which the
		// server can only read as a record that fails its MAC: on a
		// server's handshake this error is a refused certificate.
		return TLSUntrusted
	}
	var rec tls.RecordHeaderError
	if errors.As(err, &rec) {
		return TLSNotTLS
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, net.ErrClosed) {
		return TLSAbandoned
	}
	msg := err.Error()
	if strings.Contains(msg, "unsupported versions") || strings.Contains(msg, "no cipher suite") ||
		strings.Contains(msg, "no mutually supported") {
		return TLSNoCommon
	}
	return TLSOther
}
