// Command mailtutor teaches how email really works: it runs a small mail
// world (SMTP, POP3, IMAP) inside the binary and lets a learner talk to it,
// with every line explained.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "mailtutor:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "mailtutor",
		Short:         "Learn SMTP, POP3 and IMAP by talking to a real (simulated) mail system",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd())
	return root
}

// serveFlags are the flags of `mailtutor serve`.
type serveFlags struct {
	listen                 map[wire.Role]*string
	users, domains, faults []string
	tlsCert, tlsKey        string
	requireTLS, quiet      bool
	startClock             string
}

func newServeCmd() *cobra.Command {
	f := &serveFlags{listen: map[wire.Role]*string{}}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the mail world headless and print every line that crosses it",
		Long: `serve runs the simulated mail world in the foreground, so real mail programs
(Thunderbird, Outlook, curl, swaks, mutt, a phone) can connect to it, and
prints one line per command and reply. Ctrl-C stops it.

Everything listens on 127.0.0.1 unless an address says otherwise; no mail
ever leaves the simulated world.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	addr := func(role wire.Role, name, def, usage string) { f.listen[role] = fl.String(name, def, usage) }
	addr(wire.RoleMX, "smtp", "127.0.0.1:2525", "address of the SMTP relay/MX listener (port 25's job); \"\" turns it off")
	addr(wire.RoleSubmission, "submission", "127.0.0.1:2587", "address of the SMTP submission listener (port 587's job: AUTH required)")
	addr(wire.RolePOP3, "pop3", "127.0.0.1:2110", "address of the POP3 listener")
	addr(wire.RoleIMAP, "imap", "127.0.0.1:2143", "address of the IMAP listener")
	addr(wire.RoleSubmissions, "smtps", "", "also serve SMTP submission over implicit TLS at ADDR (port 465's job), e.g. 127.0.0.1:2465")
	addr(wire.RolePOP3S, "pop3s", "", "also serve POP3 over implicit TLS at ADDR (port 995's job), e.g. 127.0.0.1:2995")
	addr(wire.RoleIMAPS, "imaps", "", "also serve IMAP over implicit TLS at ADDR (port 993's job), e.g. 127.0.0.1:2993")
	fl.StringArrayVar(&f.users, "user", nil, "a user as NAME:PASSWORD or NAME@DOMAIN:PASSWORD (repeatable; replaces the default users)")
	fl.StringArrayVar(&f.domains, "domain", nil, "a local domain (repeatable; default example.com and example.org)")
	fl.StringArrayVar(&f.faults, "fault", nil, "switch a fault on: "+faultNames()+" (repeatable)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "PEM certificate to use instead of the generated one")
	fl.StringVar(&f.tlsKey, "tls-key", "", "PEM private key for --tls-cert")
	fl.BoolVar(&f.requireTLS, "require-tls", false, "refuse authentication before STARTTLS on every listener")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the banner, not every line")
	fl.StringVar(&f.startClock, "clock", "", "start a manual clock at this RFC 3339 time (repeatable runs)")
	return cmd
}

func faultNames() string {
	var names []string
	for _, f := range fault.All() {
		names = append(names, string(f.Name))
	}
	return strings.Join(names, ", ")
}

// serveOptions turns flags into simulator options.
func serveOptions(f *serveFlags) (simulator.Options, []string, error) {
	opts := simulator.Options{Listen: map[wire.Role]string{}, TLSCertFile: f.tlsCert, TLSKeyFile: f.tlsKey, RequireTLSForAuth: f.requireTLS}
	var warnings []string
	for _, role := range simulator.AllRoles {
		a := *f.listen[role]
		if a == "" {
			continue
		}
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return opts, nil, fmt.Errorf("--%s %q: %v", role, a, err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			warnings = append(warnings, fmt.Sprintf("the %s listener on %s is reachable from other machines: anyone who can reach it can read the simulated mail and see its passwords", role, a))
		}
		opts.Roles = append(opts.Roles, role)
		opts.Listen[role] = a
	}
	if len(f.domains) > 0 {
		opts.Domains = f.domains
	}
	firstDomain := "example.com"
	if len(f.domains) > 0 {
		firstDomain = f.domains[0]
	}
	for _, u := range f.users {
		name, pass, ok := strings.Cut(u, ":")
		if !ok || name == "" {
			return opts, nil, fmt.Errorf("--user %q: want NAME:PASSWORD or NAME@DOMAIN:PASSWORD", u)
		}
		if !strings.Contains(name, "@") {
			name += "@" + firstDomain
		}
		opts.Users = append(opts.Users, simulator.UserSpec{Address: name, Password: pass})
	}
	for _, name := range f.faults {
		n, err := fault.Parse(name)
		if err != nil {
			return opts, nil, err
		}
		opts.Faults = append(opts.Faults, n)
	}
	if f.startClock != "" {
		t, err := time.Parse(time.RFC3339, f.startClock)
		if err != nil {
			return opts, nil, fmt.Errorf("--clock: %v", err)
		}
		opts.Start = t
	}
	return opts, warnings, nil
}

func runServe(ctx context.Context, out, errOut io.Writer, f *serveFlags) error {
	opts, warnings, err := serveOptions(f)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(errOut, "warning:", w)
	}
	sim, err := simulator.New(opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	var sub *wire.Subscription
	if !f.quiet {
		// Lossy on purpose: a slow terminal must never slow the mail world;
		// missed lines are reported as such.
		sub = sim.Subscribe(wire.SubscribeOptions{Buffer: 1 << 16})
	}
	printBanner(out, sim, opts)
	if sub == nil {
		<-ctx.Done()
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "mailtutor: shutting down")
			return nil
		case e, ok := <-sub.Events():
			if !ok {
				return nil
			}
			printEvent(out, e)
		}
	}
}

func printBanner(w io.Writer, sim *simulator.Simulator, opts simulator.Options) {
	fmt.Fprintln(w, "mailtutor: the simulated mail world is running (Ctrl-C stops it)")
	for _, role := range sim.Roles() {
		fmt.Fprintf(w, "  %-12s %s\n", role, sim.Addr(role))
	}
	users := opts.Users
	if users == nil {
		users = simulator.DefaultUsers()
	}
	fmt.Fprintln(w, "users (log in with the full address or the part before @):")
	for _, u := range users {
		fmt.Fprintf(w, "  %-24s password %s\n", u.Address, u.Password)
	}
	fmt.Fprintf(w, "TLS certificate SHA-256 fingerprint: %s\n", simulator.Fingerprint(sim.Certificate()))
	if active := sim.Faults().Active(); len(active) > 0 {
		fmt.Fprintf(w, "faults on: %v\n", active)
	}
}

// printEvent writes one wire event as a C:/S: line, secrets masked.
func printEvent(w io.Writer, e wire.Event) {
	prefix := fmt.Sprintf("[%s %s]", e.Session, e.Role)
	switch e.Kind {
	case wire.Line:
		lock := ""
		if e.Encrypted {
			lock = " (TLS)"
		}
		fmt.Fprintf(w, "%s%s %s: %s\n", prefix, lock, e.Dir, strings.TrimRight(string(e.Masked()), "\r\n"))
	case wire.Payload:
		fmt.Fprintf(w, "%s %s: [%d bytes of data]\n", prefix, e.Dir, len(e.Data))
	case wire.Dropped:
		fmt.Fprintf(w, "[output] %d lines not shown: the terminal could not keep up\n", e.N)
	default:
		fmt.Fprintf(w, "%s * %s: %s\n", prefix, e.Kind, e.Data)
	}
}
