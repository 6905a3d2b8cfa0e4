package simulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// StateDir returns mailtutor's per-user state directory:
// $XDG_STATE_HOME/mailtutor, or ~/.local/state/mailtutor.
func StateDir() (string, error) {
	// The XDG spec says a relative path is invalid and must be ignored.
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "mailtutor"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state", "mailtutor"), nil
}

// loadCertificate returns the configured certificate, or the generated one
// kept in the state directory (created on first use, so its fingerprint
// stays the same from run to run and a learner can compare it).
func loadCertificate(certFile, keyFile, stateDir string) (tls.Certificate, error) {
	if certFile != "" || keyFile != "" {
		if certFile == "" || keyFile == "" {
			return tls.Certificate{}, errors.New("--tls-cert and --tls-key go together")
		}
		return tls.LoadX509KeyPair(certFile, keyFile)
	}
	if stateDir == "" {
		d, err := StateDir()
		if err != nil {
			return generateCertificate()
		}
		stateDir = d
	}
	certPath := filepath.Join(stateDir, "tls-cert.pem")
	keyPath := filepath.Join(stateDir, "tls-key.pem")
	if cert, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		return cert, nil
	}
	cert, err := generateCertificate()
	if err != nil {
		return cert, err
	}
	// Keeping the certificate is a convenience: when the directory is not
	// writable, the generated one still serves this run.
	if os.MkdirAll(stateDir, 0o700) == nil {
		key, _ := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
		_ = os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: key}), 0o600)
		_ = os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644)
	}
	return cert, nil
}

// generateCertificate makes an ECDSA P-256 self-signed certificate for the
// names a learner's client will use on loopback.
func generateCertificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtutor simulated mail server", Organization: []string{"mailtutor"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", "mail.example.com", "mail.example.org", "mx.example.com", "mx.example.org"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Fingerprint is the SHA-256 fingerprint of a certificate, as browsers and
// mail clients show it (AA:BB:...).
func Fingerprint(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	hexed := strings.ToUpper(hex.EncodeToString(sum[:]))
	var parts []string
	for i := 0; i < len(hexed); i += 2 {
		parts = append(parts, hexed[i:i+2])
	}
	return strings.Join(parts, ":")
}
