package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
	"github.com/mailtutor/mailtutor/transcripts/findings"
	"github.com/mailtutor/mailtutor/tui"
)

// watchFlags are the flags of `mailtutor watch`: serve's, and its own.
type watchFlags struct {
	serve *serveFlags
	// listen puts every listener on this address (a lab network), each
	// keeping its port.
	listen string
	// plain prints sessions and findings as lines instead of opening the
	// watch screen.
	plain bool
	// setup prints the set-up card and exits.
	setup bool
	// export is a directory where each program's sessions and findings
	// are written (Markdown and HTML) whenever one of its sessions ends.
	export string
}

// roleFlag is the flag that sets a role's address (serve's names).
func roleFlag(r wire.Role) string {
	switch r {
	case wire.RoleMX:
		return "smtp"
	case wire.RoleSubmissions:
		return "smtps"
	default:
		return string(r)
	}
}

// watchTLSDefaults are the implicit-TLS listeners watch adds to serve's
// defaults (2525, 2587, 2110, 2143), at stable ports beside them.
func watchTLSDefaults() map[wire.Role]string {
	return map[wire.Role]string{
		wire.RoleSubmissions: "127.0.0.1:2465",
		wire.RolePOP3S:       "127.0.0.1:2995",
		wire.RoleIMAPS:       "127.0.0.1:2993",
	}
}

func newWatchCmd() *cobra.Command {
	cmd, sf := serveCommand()
	f := &watchFlags{serve: sf}
	cmd.Use = "watch"
	cmd.Short = "Watch a real mail program: its sessions explained, and what it did in plain words"
	cmd.Long = `watch runs the simulated mail world on stable ports for real mail programs
(Thunderbird, Outlook, Apple Mail, a phone, fetchmail) and tells what each
program did, in plain words, with the lines that show it: "uses POP3 and
deletes each message after downloading it", "logged in without encryption",
"waits with IDLE", "the program did not trust the certificate".

Ports (127.0.0.1 unless --listen or a listener's own flag says otherwise):
  SMTP submission  2587 (STARTTLS)   2465 (SSL/TLS)
  POP3             2110 (STARTTLS)   2995 (SSL/TLS)
  IMAP             2143 (STARTTLS)   2993 (SSL/TLS)
  SMTP relay/MX    2525
On the STARTTLS ports a program may also choose no encryption: POP3 and IMAP
then take the password in clear (a finding says so); SMTP submission only
with --plain-auth.

mailtutor watch --setup prints what to enter in each program.`
	fl := cmd.Flags()
	for role, addr := range watchTLSDefaults() {
		*sf.listen[role] = addr
		fl.Lookup(roleFlag(role)).DefValue = addr
	}
	fl.StringVar(&f.listen, "listen", "", "listen on this address instead of 127.0.0.1 (e.g. a lab network's 192.168.1.10), every port kept: anyone on that network can then read the simulated mail and its passwords")
	fl.BoolVar(&f.plain, "plain", false, "print sessions and their findings as lines instead of opening the watch screen (for a log, a pipe or a script)")
	fl.BoolVar(&f.setup, "setup", false, "print the set-up card (what to enter in Thunderbird, Outlook, Apple Mail, Android, any program) and exit")
	fl.StringVar(&f.export, "export", "", "write each program's sessions and findings to this directory (Markdown and HTML) whenever one of its sessions ends")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return runWatch(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, func(name string) bool { return fl.Changed(name) })
	}
	return cmd
}

// applyListen moves every listener whose address was not given by its
// own flag to host, keeping its port.
func applyListen(f *watchFlags, changed func(string) bool) error {
	if f.listen == "" {
		return nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(f.listen, "["), "]")
	if _, _, err := net.SplitHostPort(f.listen); err == nil {
		return fmt.Errorf("--listen %q: give an address without a port (each listener keeps its own)", f.listen)
	}
	for _, role := range simulator.AllRoles {
		cur := *f.serve.listen[role]
		if cur == "" || changed(roleFlag(role)) {
			continue
		}
		_, port, err := net.SplitHostPort(cur)
		if err != nil {
			return fmt.Errorf("--%s %q: %v", roleFlag(role), cur, err)
		}
		*f.serve.listen[role] = net.JoinHostPort(host, port)
	}
	return nil
}

// takenPorts tries every listener's address and says which are in use by
// another program, so watch can name them all instead of failing on the
// first with the system's words.
func takenPorts(opts simulator.Options) error {
	var taken []string
	var example string
	for _, role := range opts.Roles {
		addr := opts.Listen[role]
		l, err := net.Listen("tcp", addr)
		if err == nil {
			l.Close()
			continue
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("the %s listener cannot listen on %s: %v", role, addr, err)
		}
		taken = append(taken, fmt.Sprintf("%s (%s, --%s)", addr, role, roleFlag(role)))
		if example == "" {
			host, port, _ := net.SplitHostPort(addr)
			example = fmt.Sprintf("--%s %s", roleFlag(role), net.JoinHostPort(host, "1"+port))
		}
	}
	if len(taken) == 0 {
		return nil
	}
	return fmt.Errorf("port already in use: %s. Another program listens there (another mailtutor watch or serve?): stop it, or move the listener with its flag, e.g. %s",
		strings.Join(taken, ", "), example)
}

func runWatch(ctx context.Context, out, errOut io.Writer, f *watchFlags, changed func(string) bool) error {
	if err := applyListen(f, changed); err != nil {
		return err
	}
	opts, warnings, err := serveOptions(f.serve)
	if err != nil {
		return err
	}
	if f.setup {
		cert, err := simulator.CertificateFor(opts.TLSCertFile, opts.TLSKeyFile, "")
		if err != nil {
			return err
		}
		info := simulator.SetupInfo{Addrs: opts.Listen, Users: opts.Users, Certificate: cert,
			PlainAuth: opts.PlainAuth, RequireTLS: opts.RequireTLSForAuth}
		for _, n := range opts.Faults {
			info.PlainAuth = info.PlainAuth || n == fault.PlainAuth
		}
		if info.Users == nil {
			info.Users = simulator.DefaultUsers()
		}
		_, err = io.WriteString(out, wire.VisibleLines(simulator.SetupCard(info)))
		return err
	}
	if f.listen != "" && len(warnings) > 0 {
		warnings = []string{fmt.Sprintf("--listen %s: the listeners are reachable from other machines: anyone who can reach them can read the simulated mail and see the passwords typed into it. Use it only on a trusted lab network", f.listen)}
	}
	for _, w := range warnings {
		fmt.Fprintln(errOut, "warning:", w)
	}
	if err := takenPorts(opts); err != nil {
		return err
	}
	if !f.plain && !isTerminal(out) {
		// A pipe or a file cannot show a screen: lines it is.
		fmt.Fprintln(errOut, "mailtutor: the output is not a terminal: printing sessions and findings as lines (--plain)")
		f.plain = true
	}
	if !f.plain {
		if f.serve.transcript != "" || f.export != "" {
			return fmt.Errorf("--transcript and --export go with --plain: on the watch screen ctrl+s saves the transcript and F5 exports a program")
		}
		// The screen's world: the same options, so the same stable ports,
		// users and faults; its logs never reach the terminal.
		return tui.Run(ctx, tui.Options{World: &opts, Watch: true})
	}
	if f.export != "" {
		if err := os.MkdirAll(f.export, 0o700); err != nil {
			return err
		}
	}
	sim, err := simulator.New(opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	if f.serve.transcript != "" {
		stop, err := startRecording(sim, f.serve.transcript)
		if err != nil {
			return err
		}
		defer func() {
			if serr := stop(); serr != nil {
				fmt.Fprintln(errOut, "mailtutor:", serr)
			}
		}()
	}
	sub := sim.Subscribe(wire.SubscribeOptions{Buffer: printBacklog, MaxBytes: printBacklogBytes, Batches: true})
	printBanner(out, sim, opts)
	fmt.Fprintln(out, "set-up card: mailtutor watch --setup (what to enter in Thunderbird, Outlook, Apple Mail, Android)")

	w := bufio.NewWriterSize(out, 64*1024)
	defer w.Flush()
	p := newWatchPrinter(w, f, simulator.Fingerprint(sim.Certificate()))
	budget := newDutyCycle(printShare, printBurst, time.Now())
	// A program that stays connected (an IMAP client idling for hours)
	// has its findings printed as they appear, not only when it leaves.
	tick := time.NewTicker(findingsEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			p.openFindings()
			w.Flush()
		case <-ctx.Done():
			fmt.Fprintln(w, "mailtutor: shutting down")
			sim.Close() // ends every session, then the subscription
			for batch := range sub.Batches() {
				for _, e := range batch {
					p.event(e)
				}
			}
			p.summary()
			return nil
		case batch, ok := <-sub.Batches():
			if !ok {
				return nil
			}
			began := time.Now()
			for _, e := range batch {
				p.event(e)
			}
			w.Flush()
			budget.rest(ctx, began)
		}
	}
}

const (
	// maxNotes bounds the explanations watch keeps for exports.
	maxNotes = 200000
	// findingsEvery is how often the findings of programs still
	// connected are looked at.
	findingsEvery = time.Second
)

// watchPrinter prints each event as serve does, feeds the findings, and
// prints a program's new findings when one of its sessions ends.
type watchPrinter struct {
	w          io.Writer
	f          *watchFlags
	analyzer   *findings.Analyzer
	annotators *transcripts.Annotators
	notes      map[uint64]string       // explanations by event Seq, for exports
	printed    map[string]bool         // findings already printed, by program key, rule and text
	touched    map[wire.SessionID]bool // open sessions with events since their findings were last looked at
	exported   map[string]struct{}     // files written (their names are stable)
}

func newWatchPrinter(w io.Writer, f *watchFlags, fingerprint string) *watchPrinter {
	return &watchPrinter{w: w, f: f, analyzer: findings.New(findings.Options{Fingerprint: fingerprint}),
		annotators: transcripts.NewAnnotators(transcripts.AnnotateOptions{}), notes: map[uint64]string{},
		printed: map[string]bool{}, touched: map[wire.SessionID]bool{}, exported: map[string]struct{}{}}
}

func (p *watchPrinter) event(e wire.Event) {
	p.analyzer.Add(e)
	if e.Kind == wire.Dropped {
		fmt.Fprintf(p.w, "[output] %d lines not shown: more than the printer can annotate in its twentieth of a core (the mail servers come first); findings may miss them\n", e.N)
		return
	}
	l := p.annotators.Annotate(e)
	if l.Note != "" && len(p.notes) < maxNotes {
		p.notes[e.Seq] = l.Note
	}
	if !p.f.serve.quiet {
		transcripts.WriteTextLine(p.w, l, serveStyle)
	}
	p.touched[e.Session] = true
	if e.Kind == wire.Close {
		delete(p.touched, e.Session)
		if prog, ok := p.analyzer.ProgramOf(e.Session); ok {
			p.findings(prog, false)
			p.export(prog)
		}
	}
}

// openFindings prints the new findings of the programs whose open
// sessions had events since the last look.
func (p *watchPrinter) openFindings() {
	seen := map[string]bool{}
	for id := range p.touched {
		delete(p.touched, id)
		if prog, ok := p.analyzer.ProgramOf(id); ok && !seen[prog.Key()] {
			seen[prog.Key()] = true
			p.findings(prog, false)
		}
	}
}

// findings prints the program's findings not printed before (all of them
// with all).
func (p *watchPrinter) findings(prog findings.Program, all bool) {
	var fresh []findings.Finding
	for _, f := range prog.Findings {
		key := prog.Key() + "\x00" + f.Rule + "\x00" + f.Text
		if all || !p.printed[key] {
			fresh = append(fresh, f)
		}
		p.printed[key] = true
	}
	if len(fresh) == 0 {
		return
	}
	who := prog.Name
	if prog.User != "" {
		who += ", user " + prog.User
	}
	fmt.Fprintf(p.w, "[findings] %s (sessions %s):\n", terminal(who), strings.Join(sessionNames(prog.Sessions), " "))
	for _, f := range fresh {
		mark := "-"
		if f.Warning {
			mark = "!"
		}
		fmt.Fprintf(p.w, "  %s %s\n", mark, terminal(f.Text))
		for _, l := range f.Lines {
			fmt.Fprintf(p.w, "      [%s] %s\n", l.Session, terminal(l.String()))
		}
	}
}

// summary prints what every program did, when watch stops.
func (p *watchPrinter) summary() {
	progs := p.analyzer.Programs()
	if len(progs) == 0 {
		return
	}
	fmt.Fprintln(p.w, "mailtutor: what each program did")
	for _, prog := range progs {
		p.findings(prog, true)
		p.export(prog)
	}
}

// export writes the program's Markdown and HTML to the export directory.
func (p *watchPrinter) export(prog findings.Program) {
	if p.f.export == "" {
		return
	}
	opts := findings.ExportOptions{Note: func(l findings.Line) string { return p.notes[l.Seq] }}
	base := filepath.Join(p.f.export, prog.FileName())
	for ext, text := range map[string]string{".md": p.analyzer.Markdown(prog, opts), ".html": p.analyzer.HTML(prog, opts)} {
		if err := os.WriteFile(base+ext, []byte(text), 0o600); err != nil {
			fmt.Fprintf(p.w, "[export] %v\n", err)
			return
		}
	}
	if _, ok := p.exported[base]; !ok {
		p.exported[base] = struct{}{}
		fmt.Fprintf(p.w, "[export] %s.md and .html\n", terminal(base))
	}
}

// isTerminal reports whether w is a terminal the watch screen can draw on.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func sessionNames(ids []wire.SessionID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
