package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"
)

// selfSigned returns a certificate no client trusts unless told to.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serverHandshakeError runs a TLS server handshake over a pipe whose other
// end is driven by client, and returns the server's error.
func serverHandshakeError(t *testing.T, cert tls.Certificate, client func(net.Conn)) error {
	t.Helper()
	srv, cli := net.Pipe()
	go func() {
		client(cli)
		cli.Close()
	}()
	err := tls.Server(srv, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
	srv.Close()
	return err
}

func TestTLSFailureOf(t *testing.T) {
	cert := selfSigned(t)
	cases := []struct {
		name   string
		client func(net.Conn)
		want   TLSFailure
	}{
		{"a client that does not trust the certificate", func(c net.Conn) {
			tls.Client(c, &tls.Config{ServerName: "localhost"}).Handshake()
		}, TLSUntrusted},
		{"plaintext on a TLS port", func(c net.Conn) {
			c.Write([]byte("EHLO there\r\n"))
		}, TLSNotTLS},
		{"a client that hangs up at once", func(c net.Conn) {}, TLSAbandoned},
		{"a client that speaks only TLS 1.0", func(c net.Conn) {
			tls.Client(c, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}).Handshake()
		}, TLSNoCommon},
	}
	for _, c := range cases {
		err := serverHandshakeError(t, cert, c.client)
		if got := TLSFailureOf(err); got != c.want {
			t.Errorf("%s: TLSFailureOf(%v) = %q, want %q", c.name, err, got, c.want)
		}
	}
	// What an OpenSSL client's unencrypted alert does to the server's
	// TLS 1.3 handshake (seen with curl; the integration tests drive it).
	if got := TLSFailureOf(&net.OpError{Op: "local error", Err: errors.New("tls: bad record MAC")}); got != TLSUntrusted {
		t.Errorf("bad record MAC in the handshake: %q", got)
	}
	if got := TLSFailureOf(nil); got != "" {
		t.Errorf("TLSFailureOf(nil) = %q", got)
	}
}
