package simulator

import (
	"crypto/sha1"
	"crypto/tls"
	"fmt"
	"net"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// SetupInfo is what a set-up card tells a mail program's user to enter.
type SetupInfo struct {
	// Addrs is the address of each listener, by role ("127.0.0.1:2993").
	Addrs map[wire.Role]string
	// Users are the world's users and their passwords.
	Users []UserSpec
	// Certificate is the certificate the world serves: the card shows its
	// SHA-256 fingerprint (and SHA-1, which Windows shows as Thumbprint)
	// to compare before accepting it.
	Certificate tls.Certificate
	// PlainAuth says the plaintext submission port takes a password
	// before STARTTLS (--plain-auth, or the plain-auth fault).
	PlainAuth bool
	// RequireTLS says every listener refuses a login before TLS.
	RequireTLS bool
}

// SetupInfo returns what the running world's set-up card shows.
func (s *Simulator) SetupInfo() SetupInfo {
	info := SetupInfo{Addrs: map[wire.Role]string{}, Users: s.opts.Users, Certificate: s.cert,
		PlainAuth: s.opts.PlainAuth || s.faults.On(fault.PlainAuth), RequireTLS: s.opts.RequireTLSForAuth}
	if info.Users == nil {
		info.Users = DefaultUsers()
	}
	for _, r := range s.Roles() {
		info.Addrs[r] = s.Addr(r)
	}
	return info
}

// CertificateFor returns the certificate a world started with these
// options would serve (the configured one, or the generated one kept in
// the state directory, created if need be), without starting the world:
// `mailtutor watch --setup` prints its fingerprint while another
// process serves it.
func CertificateFor(certFile, keyFile, stateDir string) (tls.Certificate, error) {
	return loadCertificate(certFile, keyFile, stateDir)
}

// cardProgram is how one mail program names the settings.
type cardProgram struct {
	name     string
	where    string // where the settings are
	security map[string]string
	auth     string // the authentication method to choose
	trust    string // how to accept the certificate
}

var cardPrograms = []cardProgram{
	{
		name:     "Thunderbird",
		where:    "Account Settings → Add Mail Account → Configure manually (or Server Settings of an existing account)",
		security: map[string]string{"tls": "SSL/TLS", "starttls": "STARTTLS", "none": "None"},
		auth:     "Normal password",
		trust:    "Thunderbird shows \"Add Security Exception\": click View, compare the SHA-256 fingerprint, then Confirm Security Exception",
	},
	{
		name:     "Outlook (classic, Windows)",
		where:    "File → Add Account → Advanced options → Let me set up my account manually → IMAP or POP",
		security: map[string]string{"tls": "SSL/TLS", "starttls": "STARTTLS", "none": "None"},
		auth:     "leave \"Require logon using Secure Password Authentication (SPA)\" off; outgoing server: the same user name and password",
		trust:    "Outlook warns that the certificate is not trusted: View Certificate → Details → compare Thumbprint with the SHA-1 fingerprint above, then Yes",
	},
	{
		name:     "Apple Mail (macOS)",
		where:    "Mail → Add Account → Other Mail Account; then Settings → Accounts → Server Settings (untick Automatically manage connection settings)",
		security: map[string]string{"tls": "tick Use TLS/SSL", "starttls": "tick Use TLS/SSL (on these ports Mail starts TLS with STARTTLS)", "none": "untick Use TLS/SSL"},
		auth:     "Password",
		trust:    "Mail says it cannot verify the server's identity: Show Certificate, compare the SHA-256 fingerprint, tick Always trust, then Connect",
	},
	{
		name:     "Android (Thunderbird for Android / K-9 Mail; other apps name it alike)",
		where:    "Add account → enter the address → Manual setup (Advanced) → IMAP or POP3",
		security: map[string]string{"tls": "SSL/TLS", "starttls": "STARTTLS", "none": "None"},
		auth:     "Normal password",
		trust:    "the app shows the certificate: compare the SHA-256 fingerprint, then Accept (an app with no way to accept a certificate cannot connect: use another app)",
	},
	{
		name:     "Any other program (curl, fetchmail, mutt, a script)",
		where:    "its account or server settings",
		security: map[string]string{"tls": "SSL/TLS, also called implicit TLS or SMTPS/IMAPS/POP3S", "starttls": "STARTTLS (STLS for POP3)", "none": "none / plaintext"},
		auth:     "PLAIN or LOGIN (a \"normal\" password)",
		trust:    "trust the certificate after comparing its SHA-256 fingerprint (curl --cacert FILE, or -k only for a test)",
	},
}

// SetupCard tells, for Thunderbird, Outlook, Apple Mail, Android and any
// other program, exactly what to enter to reach the world: server, port,
// connection security, authentication method, user name, password, and
// the certificate's fingerprint to accept.
func SetupCard(info SetupInfo) string {
	var b strings.Builder
	host := func(r wire.Role) string { h, _ := splitHostPort(info.Addrs[r]); return h }
	port := func(r wire.Role) string { _, p := splitHostPort(info.Addrs[r]); return p }
	server := host(wire.RoleIMAPS)
	for _, r := range []wire.Role{wire.RoleIMAP, wire.RolePOP3S, wire.RolePOP3, wire.RoleSubmissions, wire.RoleSubmission} {
		if server == "" {
			server = host(r)
		}
	}
	b.WriteString("SET-UP CARD: what to enter in a mail program to reach the simulated world\n\n")
	fmt.Fprintf(&b, "Server (incoming and outgoing): %s\n", server)
	if server == "127.0.0.1" || server == "localhost" || server == "::1" {
		b.WriteString("  (this computer only: a phone or another computer needs `mailtutor watch --listen` with this computer's address)\n")
	}
	b.WriteString("User name: the full address (the part before @ works too); password as listed:\n")
	for _, u := range info.Users {
		fmt.Fprintf(&b, "  %-24s password %s\n", u.Address, u.Password)
	}
	if fp := Fingerprint(info.Certificate); fp != "" {
		fmt.Fprintf(&b, "Certificate fingerprint (compare it before you accept the certificate):\n  SHA-256 %s\n  SHA-1   %s\n", fp, fingerprintSHA1(info.Certificate))
	}
	b.WriteString("\nPorts:\n")
	type row struct {
		what    string
		role    wire.Role
		sec     string
		comment string
	}
	rows := []row{
		{"incoming IMAP", wire.RoleIMAPS, "tls", "recommended"},
		{"incoming IMAP", wire.RoleIMAP, "starttls", ""},
		{"incoming POP3", wire.RolePOP3S, "tls", ""},
		{"incoming POP3", wire.RolePOP3, "starttls", ""},
		{"outgoing SMTP", wire.RoleSubmissions, "tls", "recommended"},
		{"outgoing SMTP", wire.RoleSubmission, "starttls", ""},
	}
	for _, r := range rows {
		if p := port(r.role); p != "" {
			sec := map[string]string{"tls": "SSL/TLS", "starttls": "STARTTLS"}[r.sec]
			comment := ""
			if r.comment != "" {
				comment = " (" + r.comment + ")"
			}
			fmt.Fprintf(&b, "  %-14s port %-6s %s%s\n", r.what, p, sec, comment)
		}
	}
	switch {
	case info.RequireTLS:
		b.WriteString("  No encryption (\"None\") is refused at login on every port in this world (--require-tls).\n")
	case info.PlainAuth:
		fmt.Fprintf(&b, "  To show a password travelling in clear: \"None\" on ports %s (IMAP), %s (POP3) and %s (SMTP, plain-auth is on).\n",
			orDash(port(wire.RoleIMAP)), orDash(port(wire.RolePOP3)), orDash(port(wire.RoleSubmission)))
	default:
		fmt.Fprintf(&b, "  To show a password travelling in clear: \"None\" on ports %s (IMAP) and %s (POP3); SMTP takes a password only after STARTTLS unless watch runs with --plain-auth.\n",
			orDash(port(wire.RoleIMAP)), orDash(port(wire.RolePOP3)))
	}
	for _, p := range cardPrograms {
		fmt.Fprintf(&b, "\n%s\n  where: %s\n", p.name, p.where)
		fmt.Fprintf(&b, "  server: %s; user name: alice@example.com (or another user above); password: its password\n", server)
		for _, r := range rows {
			if pt := port(r.role); pt != "" && (r.comment != "" || r.role == wire.RolePOP3S) {
				fmt.Fprintf(&b, "  %s: port %s, connection security: %s\n", r.what, pt, p.security[r.sec])
			}
		}
		if pt := port(wire.RoleSubmission); pt != "" {
			fmt.Fprintf(&b, "  or with STARTTLS: incoming IMAP port %s, POP3 port %s, outgoing SMTP port %s; connection security: %s\n",
				orDash(port(wire.RoleIMAP)), orDash(port(wire.RolePOP3)), pt, p.security["starttls"])
		}
		fmt.Fprintf(&b, "  authentication method: %s\n", p.auth)
		fmt.Fprintf(&b, "  certificate: %s\n", p.trust)
	}
	return b.String()
}

func splitHostPort(addr string) (host, port string) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", ""
	}
	if h == "" || h == "0.0.0.0" || h == "::" {
		h = "this computer's address"
	}
	return h, p
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fingerprintSHA1 is the certificate's SHA-1 fingerprint, which Windows'
// certificate dialog shows as Thumbprint (AA:BB:...).
func fingerprintSHA1(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha1.Sum(cert.Certificate[0])
	var parts []string
	for _, c := range sum {
		parts = append(parts, fmt.Sprintf("%02X", c))
	}
	return strings.Join(parts, ":")
}
