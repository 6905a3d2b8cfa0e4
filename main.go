// Command mailtutor teaches how email really works: it runs a small mail
// world (SMTP, POP3, IMAP) inside the binary and lets a learner talk to it,
// with every line explained.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/glamour"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/dns"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
	"github.com/mailtutor/mailtutor/transcripts/kb"
	"github.com/mailtutor/mailtutor/transcripts/logs"
	"github.com/mailtutor/mailtutor/tui"
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
	var tuiOpts tui.Options
	root := &cobra.Command{
		Use:   "mailtutor",
		Short: "Learn SMTP, POP3 and IMAP by talking to a real (simulated) mail system",
		Long: `mailtutor runs a small mail world inside this program (SMTP, POP3 and IMAP
servers on loopback) and opens a guided terminal in which you type real
protocol commands and see every command and reply explained.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return tui.Run(cmd.Context(), tuiOpts)
		},
	}
	root.PersistentFlags().StringArrayVar(&tuiOpts.LessonDirs, "lessons", nil, "add a teacher's directory of lesson files (repeatable)")
	root.Flags().StringVar(&tuiOpts.Theme, "theme", "", "colour theme: dark or light (default: from $COLORFGBG, else dark)")
	root.Flags().StringVar(&tuiOpts.LogFile, "log", "", "write the mail servers' logs to this file (never to the screen)")
	root.AddCommand(newServeCmd(), newWatchCmd(), newExplainCmd(), newAnnotateCmd(), newExportCmd(), newReplayCmd(&tuiOpts), newLessonsCmd(&tuiOpts), newClassroomCmd(&tuiOpts))
	return root
}

// serveFlags are the flags of `mailtutor serve`.
type serveFlags struct {
	listen                 map[wire.Role]*string
	users, domains, faults []string
	tlsCert, tlsKey        string
	requireTLS, plainAuth  bool
	quiet                  bool
	startClock             string
	mailboxQuota, worldCap string // sizes: "50M", "1G", "0" for no limit

	dns      []string // records of the world's DNS to set (`NAME TYPE VALUE`) or remove (`-NAME TYPE`)
	printDNS bool     // list the world's DNS records in the banner

	transcript string // record what is served to this file (JSON Lines), as it goes
}

func newServeCmd() *cobra.Command {
	cmd, _ := serveCommand()
	return cmd
}

// serveCommand builds serve's command and returns its flags too: watch
// shares them.
func serveCommand() (*cobra.Command, *serveFlags) {
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
	fl.BoolVar(&f.requireTLS, "require-tls", false, "refuse login before STARTTLS/STLS on every listener, POP3 and IMAP too (submission does so by default)")
	fl.BoolVar(&f.plainAuth, "plain-auth", false, "let submission offer and accept AUTH before STARTTLS, as old servers did (passwords travel in clear)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the banner, not every line")
	fl.StringVar(&f.startClock, "clock", "", "start a manual clock at this RFC 3339 time (repeatable runs)")
	fl.StringVar(&f.mailboxQuota, "mailbox-quota", "50M", "most mail one user may hold, all folders together (K, M, G suffixes; 0: no limit); then SMTP 452 4.2.2, IMAP NO [OVERQUOTA]")
	fl.StringVar(&f.worldCap, "world-cap", "1G", "most mail the whole world may hold, to bound memory (K, M, G suffixes; 0: no limit); then SMTP 452 4.3.1")
	fl.StringArrayVar(&f.dns, "dns", nil, `set a record of the world's DNS, NAME TYPE VALUE (A, MX, TXT), e.g. 'example.com TXT "v=spf1 -all"' (replaces that SPF record); '-NAME TYPE' removes (repeatable)`)
	fl.BoolVar(&f.printDNS, "print-dns", false, "list the world's DNS records (MX, A, SPF, DMARC, DKIM keys) in the banner")
	fl.StringVar(&f.transcript, "transcript", "", "record every session served to FILE as a transcript (JSON Lines, passwords masked) for `export` and `replay`")
	return cmd, f
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
	opts := simulator.Options{Listen: map[wire.Role]string{}, TLSCertFile: f.tlsCert, TLSKeyFile: f.tlsKey,
		RequireTLSForAuth: f.requireTLS, PlainAuth: f.plainAuth}
	if f.requireTLS && f.plainAuth {
		return opts, nil, fmt.Errorf("--plain-auth and --require-tls contradict each other: choose one")
	}
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
	for _, l := range []struct {
		flag, value string
		opt         *int64
	}{{"mailbox-quota", f.mailboxQuota, &opts.MailboxQuotaBytes}, {"world-cap", f.worldCap, &opts.WorldBytes}} {
		n, err := parseBytes(l.value)
		if err != nil {
			return opts, nil, fmt.Errorf("--%s %q: %v", l.flag, l.value, err)
		}
		*l.opt = n
		if n == 0 {
			*l.opt = -1 // the simulator's "no limit"; its 0 is the default
		}
	}
	for _, line := range f.dns {
		if err := dns.NewZone().Apply(line); err != nil {
			return opts, nil, fmt.Errorf("--dns: %v", err)
		}
	}
	opts.DNS = f.dns
	if f.startClock != "" {
		t, err := time.Parse(time.RFC3339, f.startClock)
		if err != nil {
			return opts, nil, fmt.Errorf("--clock: %v", err)
		}
		opts.Start = t
	}
	return opts, warnings, nil
}

// parseBytes reads a size flag: a number of octets, or with a K, M or G
// suffix (KiB, MiB, GiB; "50M", "1G"). "" means 0.
func parseBytes(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	shift := 0
	switch strings.ToUpper(v[len(v)-1:]) {
	case "K":
		shift = 10
	case "M":
		shift = 20
	case "G":
		shift = 30
	}
	if shift > 0 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("want a size in octets, or with K, M or G (e.g. 50M)")
	}
	return n << shift, nil
}

// printBacklog bounds the events waiting to be printed by serve, and
// printBacklogBytes their bytes: a client looping over FETCHes of large
// messages must not make serve hold every message it sent (a printer that
// fell behind held gigabytes).
const (
	printBacklog      = 8192
	printBacklogBytes = 8 << 20
)

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
	if f.transcript != "" {
		stop, err := startRecording(sim, f.transcript)
		if err != nil {
			return err
		}
		defer func() {
			if serr := stop(); serr != nil {
				fmt.Fprintln(errOut, "mailtutor:", serr)
			}
		}()
	}
	var sub *wire.Subscription
	if !f.quiet {
		// Lossy on purpose: a slow terminal must never slow the mail world;
		// missed lines are reported as such.
		sub = sim.Subscribe(wire.SubscribeOptions{Buffer: printBacklog, MaxBytes: printBacklogBytes, Batches: true})
	}
	printBanner(out, sim, opts)
	if f.printDNS {
		fmt.Fprintln(out, "the world's DNS (the MX checks SPF, DKIM and DMARC against it; change it with --dns):")
		for _, r := range sim.DNS().Records() {
			fmt.Fprintf(out, "  %s\n", r)
		}
	}
	if sub == nil {
		<-ctx.Done()
		return nil
	}
	// One annotator per session, so each line is explained in context.
	annotators := transcripts.NewAnnotators(transcripts.AnnotateOptions{})
	w := bufio.NewWriterSize(out, 64*1024)
	defer w.Flush()
	// The printer must not take the CPU the mail servers need: it works at
	// most a twentieth of the time, on average (at a tenth, a load test of
	// 8 IMAP sessions lost a fifth of its FETCHes to the printer on a
	// 2-core machine). A learner's lines come out at once, since a burst of
	// printBurst is allowed; under a load no one can read line by line,
	// the lines it cannot reach are counted and reported by the
	// subscription, never dropped silently.
	budget := newDutyCycle(printShare, printBurst, time.Now())
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(w, "mailtutor: shutting down")
			sim.Close() // ends every session, then the subscription
			printRest(w, sub, annotators)
			return nil
		case batch, ok := <-sub.Batches():
			if !ok {
				return nil
			}
			began := time.Now()
			for _, e := range batch {
				printEvent(w, e, annotators)
			}
			w.Flush()
			budget.rest(ctx, began)
		}
	}
}

// printRest prints what was still waiting when serve was stopped (the
// sessions' last lines and their closing), for as long as printLast allows,
// and counts the rest, so that stopping drops nothing silently either.
func printRest(w io.Writer, sub *wire.Subscription, annotators *transcripts.Annotators) {
	deadline := time.Now().Add(printLast)
	missed := 0
	for batch := range sub.Batches() {
		for _, e := range batch {
			switch {
			case time.Now().Before(deadline):
				printEvent(w, e, annotators)
			case e.Kind == wire.Dropped:
				missed += e.N
			default:
				missed++
			}
		}
	}
	if missed > 0 {
		fmt.Fprintf(w, "[output] %d lines not shown: mailtutor stopped before it could print them\n", missed)
	}
}

const (
	// printLast bounds the time serve spends printing when it is stopped.
	printLast = 200 * time.Millisecond
	// printShare is the fraction of one core serve's printer may use.
	printShare = 0.05
	// printBurst is how much work the printer may do at once before its
	// share applies: a learner's bursts (a client syncing a folder) print
	// without delay.
	printBurst = 20 * time.Millisecond
)

// dutyCycle is a token bucket of working time: credit accrues at share of
// the wall clock, up to burst, and work spends it. When the credit runs
// out, the worker rests until it is earned back, so over any long stretch
// it works at most share of the time (plus one burst).
type dutyCycle struct {
	share  float64
	burst  time.Duration
	credit time.Duration
	last   time.Time // when credit was last brought up to date
}

func newDutyCycle(share float64, burst time.Duration, now time.Time) *dutyCycle {
	return &dutyCycle{share: share, burst: burst, credit: burst, last: now}
}

// spend records work that has just ended at now and returns how long to
// rest before working again (0: carry on).
func (d *dutyCycle) spend(work time.Duration, now time.Time) time.Duration {
	d.credit += time.Duration(float64(now.Sub(d.last)) * d.share)
	d.credit = min(d.credit, d.burst)
	d.last = now
	d.credit -= work
	if d.credit >= 0 {
		return 0
	}
	return time.Duration(float64(-d.credit) / d.share)
}

// rest waits, after work that began at began and has just ended, until
// the share is earned back (or ctx ends).
func (d *dutyCycle) rest(ctx context.Context, began time.Time) {
	now := time.Now()
	if rest := d.spend(now.Sub(began), now); rest > 0 {
		select {
		case <-time.After(rest):
		case <-ctx.Done():
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
	switch {
	case opts.RequireTLSForAuth:
		fmt.Fprintln(w, "login: only after STARTTLS/STLS on every listener (--require-tls), or on the TLS ports")
	case opts.PlainAuth || sim.Faults().On(fault.PlainAuth):
		fmt.Fprintln(w, "login: submission offers AUTH before STARTTLS too (plain-auth): passwords may travel in clear")
	default:
		fmt.Fprintln(w, "login: submission offers AUTH only after STARTTLS (or on --smtps); POP3 and IMAP also in clear")
	}
	fmt.Fprintf(w, "TLS certificate SHA-256 fingerprint: %s\n", simulator.Fingerprint(sim.Certificate()))
	if active := sim.Faults().Active(); len(active) > 0 {
		fmt.Fprintf(w, "faults on: %v\n", active)
	}
}

// printEvent writes one wire event as a C:/S: line with its annotation,
// secrets masked.
func printEvent(w io.Writer, e wire.Event, as *transcripts.Annotators) {
	if e.Kind == wire.Dropped {
		fmt.Fprintf(w, "[output] %d lines not shown: more than the printer can annotate in its twentieth of a core (the mail servers come first)\n", e.N)
		return
	}
	transcripts.WriteTextLine(w, as.Annotate(e), serveStyle)
}

// serveStyle prints a line of serve or watch: which session, then the line
// as the client or server sent it, then its note.
var serveStyle = transcripts.TextStyle{Session: true, Meta: "*", NoteIndent: "    ", MaxBytes: terminalLineMax}

// terminalLineMax is the most of one line printed to a terminal: a 1 MB
// command line would otherwise scroll a classroom's screen for minutes.
// Transcripts keep every byte.
const terminalLineMax = 2000

// terminal makes s safe to print (wire.Visible: no escape sequence, no
// bidi control reaches the terminal), cuts it to terminalLineMax bytes
// (on a character boundary) and says how much was left out.
func terminal(s string) string { return transcripts.VisibleCut(s, terminalLineMax) }

func newExplainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "explain [--plain] CODE|COMMAND|REPLY...",
		Short: "Explain a reply code, response code or command",
		Long: `explain takes a reply as it was pasted (a leading "-" included) and starts
with one line a help desk can act on: the likely cause and what to do.`,
		Example: `  mailtutor explain 550 5.7.1
  mailtutor explain -ERR [IN-USE] Unable to lock maildrop
  mailtutor explain NO [TRYCREATE]
  mailtutor explain UIDL
  mailtutor explain "454 4.7.1 <x@gmail.com>: Relay access denied"`,
		// A pasted POP3 reply starts with "-ERR", which a flag parser takes
		// for -E -R -R: the arguments are read here, as they are.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			plain := false
			for len(args) > 0 {
				switch args[0] {
				case "-h", "--help":
					return cmd.Help()
				case "--plain":
					plain = true
					args = args[1:]
					continue
				case "--":
					args = args[1:]
				}
				break
			}
			if len(args) == 0 {
				return fmt.Errorf("explain needs something to explain: a reply (550 5.7.1, -ERR [IN-USE]), a command (UIDL) or a code")
			}
			text := strings.Join(args, " ")
			entries, err := kb.Explain(text)
			words := transcripts.ServerMeaning(text)
			verdict, _ := transcripts.Diagnose(text)
			if err != nil && words == "" && verdict == "" {
				return err
			}
			// The line to act on first; then what the words say; then the codes.
			md := ""
			if verdict != "" {
				md = verdict + "\n\n"
			}
			if words != "" {
				// A whole reply pasted in: its words can say more than its codes.
				md += "## What the server's words mean\n\n> " + text + "\n\n" + strings.ToUpper(words[:1]) + words[1:] + ".\n"
			}
			if len(entries) > 0 {
				if words != "" {
					md += "\n---\n\n"
				}
				md += kb.Markdown(entries)
			}
			return printMarkdown(cmd.OutOrStdout(), md, plain)
		},
	}
	return cmd
}

// printMarkdown renders Markdown with glamour on a terminal and prints it as
// is when piped (or with NO_COLOR, or --plain).
func printMarkdown(w io.Writer, md string, plain bool) error {
	md = wire.VisibleLines(md) // it quotes what the user pasted
	f, isFile := w.(*os.File)
	_, noColor := os.LookupEnv("NO_COLOR")
	if plain || noColor || !isFile || !term.IsTerminal(int(f.Fd())) {
		_, err := io.WriteString(w, md)
		return err
	}
	width := 100
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
		width = min(cols, 120) - 2
	}
	style := "dark"
	if lightBackground() {
		style = "light"
	}
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(width))
	if err != nil {
		return err
	}
	out, err := r.Render(md)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, out)
	return err
}

// lightBackground reads $COLORFGBG ("15;0" is light on dark); no terminal query.
func lightBackground() bool {
	v := os.Getenv("COLORFGBG")
	i := strings.LastIndex(v, ";")
	if i < 0 {
		return false
	}
	switch v[i+1:] {
	case "7", "15":
		return true
	}
	return false
}

func newAnnotateCmd() *cobra.Command {
	var f annotateFlags
	cmd := &cobra.Command{
		Use:   "annotate [-f] [FILE|-]",
		Short: "Explain every line of a mail log you already have",
		Long: `annotate reads a log and explains every command and reply in it.

Logs of mail programs and tools: plain C:/S: transcripts, swaks, curl -v,
openssl s_client, the debug output of Python's smtplib, imaplib and poplib,
Thunderbird's protocol logs (MOZ_LOG, or NSPR_LOG before version 55),
fetchmail -v, msmtp -d, mbsync -D, and raw ">"/"<" dialogues.

Logs of mail servers: Postfix's mail.log (its one-line refusals and
bounces, and with debug_peer_list the whole conversations, in and out),
Exim's main log (failures and deferrals), Microsoft Exchange's SMTP Receive
and Send protocol logs, Dovecot's log of logins and logouts; and a bounce
message saved as a file (its RFC 3464 delivery-status part).

A message's source ("show original") is read for its headers: the route its
Received lines trace, with the delay of each hop, the SPF, DKIM and DMARC
checks, and what each header field is for.

The format is detected (--format names it). A log that starts mid-session
is explained as such. Passwords are masked unless --reveal-secrets is given.

Lines are explained as they are read, so a live log can be piped in
(journalctl -fu postfix | mailtutor annotate -) or followed (-f FILE), and
a log of any size is read with the memory of its open sessions. What must
wait: a session whose protocol the log does not name waits for its first
line that shows it; a message body or a literal comes out when it ends;
openssl s_client, msmtp and bounce files are read whole (one session each).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAnnotate(cmd.Context(), cmd.OutOrStdout(), cmd.InOrStdin(), args, f)
		},
	}
	var names []string
	for _, f := range logs.Formats() {
		names = append(names, string(f))
	}
	names = append(names, "message")
	cmd.Flags().StringVar(&f.format, "format", "", "log format, one of "+strings.Join(names, ", ")+" (default: detect)")
	cmd.Flags().StringVar(&f.proto, "proto", "", "protocol: smtp, pop3 or imap (default: detect)")
	cmd.Flags().BoolVar(&f.reveal, "reveal-secrets", false, "show passwords and AUTH data instead of masking them")
	cmd.Flags().StringVar(&f.to, "to", "", "jsonl: write a transcript (JSON Lines, passwords masked) for export and replay instead of annotated text")
	cmd.Flags().BoolVarP(&f.follow, "follow", "f", false, "keep reading FILE as it grows, as tail -f (Ctrl-C stops)")
	return cmd
}

// printHeaders writes a message's header fields, each with its note, then
// the route its Received lines trace.
func printHeaders(w io.Writer, rep transcripts.MessageReport) error {
	fmt.Fprintln(w, "# format: message (its header section)")
	fmt.Fprintln(w)
	for _, h := range rep.Headers {
		fmt.Fprintf(w, "%s: %s\n", terminal(h.Name), terminal(h.Value))
		fmt.Fprintf(w, "     # %s\n", terminal(h.Note))
	}
	if len(rep.Route) > 0 {
		fmt.Fprintf(w, "\n## route, oldest hop first (%d Received lines)\n", len(rep.Route))
		for i, r := range rep.Route {
			fmt.Fprintf(w, "%d. %s\n", i+1, terminal(r))
		}
	}
	return nil
}

// dirMarker is the C:/S: prefix of a line; meta marks what happened to the
// session itself (open, close, TLS).
func dirMarker(d wire.Dir, meta string) string {
	switch d {
	case wire.FromClient:
		return "C:"
	case wire.FromServer:
		return "S:"
	}
	return meta
}

// printLine writes one annotated line: the line itself, then its note.
func printLine(w io.Writer, l transcripts.Line) {
	transcripts.WriteTextLine(w, l, annotateStyle)
}

// annotateStyle prints a line of annotate's output.
var annotateStyle = transcripts.TextStyle{Meta: "**", NoteIndent: "     ", MaxBytes: terminalLineMax}

func newExportCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export [--format md|html|text|jsonl] [-o OUT] TRANSCRIPT.jsonl",
		Short: "Turn a saved transcript into a handout (Markdown, HTML, text) or a copy",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Read session by session from the file, never whole: a
			// transcript of any size exports with the memory of its index.
			in, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			t, err := transcripts.OpenTranscript(in)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			w := cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			switch format {
			case "md", "markdown":
				return transcripts.WriteMarkdown(w, t)
			case "html":
				return transcripts.WriteHTML(w, t)
			case "text", "txt":
				return transcripts.WriteText(w, t)
			case "jsonl", "json":
				return t.Save(w)
			}
			return fmt.Errorf("--format %q: want md, html, text or jsonl", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, html, text or jsonl")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write here instead of standard output")
	return cmd
}

func newReplayCmd(opts *tui.Options) *cobra.Command {
	return &cobra.Command{
		Use:   "replay FILE",
		Short: "Step through a saved transcript, forward and back, with its explanations",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Fail here, with a clear message, rather than inside the
			// full-screen UI (indexed, not loaded: a check, not a copy).
			in, err := os.Open(args[0])
			if err != nil {
				return err
			}
			_, err = transcripts.OpenTranscript(in)
			in.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			o := *opts
			o.ReplayFile = args[0]
			return tui.Run(cmd.Context(), o)
		},
	}
}

func newLessonsCmd(opts *tui.Options) *cobra.Command {
	cmd := &cobra.Command{Use: "lessons", Short: "List, check and play lessons"}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the lessons by group",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, errs := lessons.Load(true, opts.LessonDirs...)
			for _, e := range errs {
				fmt.Fprintln(c.ErrOrStderr(), wire.Visible(e.Error()))
			}
			lessons.List(c.OutOrStdout(), cat)
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "check [DIR]",
		Short: "Validate lesson files and play every solution (and wrong attempt) against a fresh simulator",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dirs := append([]string(nil), opts.LessonDirs...)
			builtin := true
			if len(args) == 1 {
				dirs = append(dirs, args[0])
				builtin = false
			}
			return lessons.Check(c.Context(), c.OutOrStdout(), builtin, dirs...)
		},
	})
	var auto bool
	var pace time.Duration
	play := &cobra.Command{
		Use:   "play ID",
		Short: "Open a lesson in the terminal UI, or play its solution with --auto",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			cat, errs := lessons.Load(true, opts.LessonDirs...)
			for _, e := range errs {
				fmt.Fprintln(c.ErrOrStderr(), wire.Visible(e.Error()))
			}
			l, ok := cat.Lesson(args[0])
			if !ok {
				return fmt.Errorf("no lesson %q (see mailtutor lessons list)", args[0])
			}
			if auto {
				return lessons.Auto(c.Context(), l, c.OutOrStdout(), pace)
			}
			o := *opts
			o.StartLesson = args[0]
			return tui.Run(c.Context(), o)
		},
	}
	play.Flags().BoolVar(&auto, "auto", false, "play the solution with explanations to standard output (for a projector or a handout)")
	play.Flags().DurationVar(&pace, "pace", 800*time.Millisecond, "pause before each command with --auto")
	cmd.AddCommand(play)
	return cmd
}
