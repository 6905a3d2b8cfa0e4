package tui

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/findings"
)

// watchScreen shows every session of a world as it happens, read only:
// real mail programs pointed at it and the relay hops they cause, each in a
// tab from its first line. Nothing is typed. Beside the sessions, the
// findings tell what each program did; the set-up card, the trainer's
// faults and the export are one key away.
type watchScreen struct {
	ws     *workspace
	intro  string   // cache key of the introduction shown before any session
	aside  sidePane // the optional pane beside the sessions, or nil
	follow sessionFollower
	keys   watchKeys

	// introMD and say, when set, replace the introduction and the row
	// under the conversation (a projector's view of a learner's world).
	introMD, say string

	src      watchSource   // nil: a world that tells no findings, card or faults
	feed     *findingsFeed // works the findings out, off the UI goroutine
	findings *findingsPane // the aside, when the screen made it
	snap     *findingsSnapshot
	connect  [2]string // the ports and users line: long and short forms

	putAway      int    // closed sessions whose tabs were taken down (maxWatchTabs)
	putAwayLines int    // the lines those sessions held
	followNewest bool   // a session that connects becomes the active one
	filter       string // the Key of the only program shown; "" every one
	filterName   string
	saveDir      string

	overlay  int // watchNoOverlay, watchCard or watchFaults
	card     []string
	cardTop  int
	faultSel int
}

// The watch screen's overlays.
const (
	watchNoOverlay = iota
	watchCard      // the set-up card, a scrollable page
	watchFaults    // the trainer's faults, a small list
)

// maxWatchTabs bounds the tabs a watch screen keeps: past it the oldest
// closed sessions are put away (their findings stay, and the screen says
// how many), so fifty programs polling for an afternoon neither fill the
// memory nor slow every frame down.
const maxWatchTabs = 200

// watchOptions configure a watch screen.
type watchOptions struct {
	// SaveDir is where ctrl+s writes transcripts and F5 exports a program
	// (into its "exports" folder).
	SaveDir string
	// Aside is an extra side tab shown beside the sessions, after Explain
	// and Mailbox, and shown first. If it is a sessionFollower it is told
	// which session is active before every frame. nil: the findings pane,
	// when the world can tell findings (a watchSource).
	Aside sidePane
}

// sessionFollower is a side pane that shows something about the active
// session; the screen tells it which one that is (nil: none yet).
type sessionFollower interface {
	followSession(id wire.SessionID, s *session)
}

// keyHold is how long the programs' connections pause while the screen
// answers a key: the key's Update and View and the frame that shows them
// (watchFPS), on two cores that fifty programs may keep busy; a pause
// that short no mail program notices.
const keyHold = 20 * time.Millisecond

func newWatch(c Common, w world, opts watchOptions) *watchScreen {
	v := &watchScreen{intro: "watch", keys: defaultWatchKeys(), followNewest: true, saveDir: opts.SaveDir}
	v.src, _ = w.(watchSource)
	if opts.Aside == nil && v.src != nil {
		v.findings = &findingsPane{c: c}
		opts.Aside = v.findings
	}
	wo := workspaceOptions{Title: "Watch", SaveDir: opts.SaveDir, Claim: claimEvery}
	if opts.Aside != nil {
		wo.Panes, wo.Show = []sidePane{opts.Aside}, opts.Aside
	}
	v.ws, v.aside = newWorkspace(c, w, wo), opts.Aside
	v.follow, _ = opts.Aside.(sessionFollower)
	if v.src != nil {
		v.feed = newFindingsFeed(v.src)
		if v.findings != nil {
			v.findings.since = v.feed.since
		}
		v.connect = connectLine(v.src.SetupInfo())
	}
	return v
}

// claimEvery gives every session of the world a tab.
func claimEvery(it item) *session {
	if it.Session == "" {
		return nil
	}
	return newWatchedSession(it)
}

func (v *watchScreen) Init() tea.Cmd {
	if v.feed != nil {
		return tea.Batch(v.ws.init(), v.feed.box.wait())
	}
	return v.ws.init()
}

func (v *watchScreen) SetSize(w, h int) { v.ws.c.SetSize(w, h) }

func (v *watchScreen) close() {
	v.ws.close()
	if v.feed != nil {
		v.feed.stop()
	}
}

func (v *watchScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m, ok := msg.(inboxMsg); ok && v.feed != nil && m.from == v.feed.box {
		v.fromFeed(m.msgs)
		return v, v.feed.box.wait()
	}
	before := len(v.ws.sessions.list)
	if cmd, ok := v.ws.background(msg); ok {
		v.newSessions(before)
		v.putAwayOld()
		return v, cmd
	}
	switch msg := msg.(type) {
	case tea.MouseMsg:
		if v.overlay == watchNoOverlay {
			v.ws.mouse(msg)
		}
	case tea.KeyMsg:
		if v.src != nil {
			v.src.HoldRelays(keyHold)
		}
		v.ws.status = ""
		return v, v.key(msg)
	}
	if v.aside != nil {
		// Messages for the aside pane (its own background results).
		_, cmd := v.aside.Update(msg)
		return v, cmd
	}
	return v, nil
}

// fromFeed takes the findings feed's messages: new findings, an export's
// result.
func (v *watchScreen) fromFeed(msgs []tea.Msg) {
	for _, m := range msgs {
		switch m := m.(type) {
		case findingsMsg:
			v.snap = m.snap
			if v.findings != nil {
				v.findings.setSnapshot(m.snap)
			}
			v.label()
		case exportedMsg:
			if m.err != nil {
				v.ws.setStatus("could not export: "+m.err.Error(), true)
			} else {
				v.ws.setStatus("exported to "+m.path+" and "+strings.TrimSuffix(m.path, ".md")+".html", false)
			}
		}
	}
}

// newSessions makes the newest session (of the program filtered for) the
// active one while following.
func (v *watchScreen) newSessions(before int) {
	ss := &v.ws.sessions
	if !v.followNewest || len(ss.list) == before {
		return
	}
	for i := len(ss.list) - 1; i >= before; i-- {
		if v.shown(ss.list[i]) {
			ss.active = i
			return
		}
	}
}

// putAwayOld takes down the tabs of the oldest closed sessions while
// there are more than maxWatchTabs; the active session stays.
func (v *watchScreen) putAwayOld() {
	ss := &v.ws.sessions
	extra := len(ss.list) - maxWatchTabs
	if extra <= 0 {
		return
	}
	active := ss.current()
	kept := ss.list[:0]
	for _, s := range ss.list {
		if extra > 0 && s.closed && s != active {
			extra--
			v.putAway++
			v.putAwayLines += len(s.convo.items)
			delete(ss.byID, s.id)
			continue
		}
		kept = append(kept, s)
	}
	for i := len(kept); i < len(ss.list); i++ {
		ss.list[i] = nil // let the put-away sessions go
	}
	ss.list = kept
	for i, s := range ss.list {
		if s == active {
			ss.active = i
		}
	}
	if v.findings != nil {
		v.findings.putAway = v.putAway
	}
}

// shown reports whether the filter lets s through. A session whose
// program is not known yet passes: it may be the program's.
func (v *watchScreen) shown(s *session) bool {
	if v.filter == "" || v.snap == nil {
		return true
	}
	p, ok := v.snap.programOf(s.id)
	return !ok || p.Key() == v.filter
}

// label names each watched session's tab with its user, once known, and
// tells why a session's TLS handshake failed, in the findings' words (the
// status row shows it under that session).
func (v *watchScreen) label() {
	for _, s := range v.ws.sessions.list {
		p, ok := v.snap.programOf(s.id)
		if !ok {
			continue
		}
		if p.User != "" {
			s.label = string(s.id) + " " + string(s.role) + " " + printable(shorten(p.User, 20))
		}
		if s.problem == "" && tlsFailed(s) {
			s.problem = tlsReason(p, s.id)
		}
	}
}

// tlsFailed reports whether the session ended with a failed TLS handshake
// (its last lines: the failure, then the close).
func tlsFailed(s *session) bool {
	its := s.convo.items
	for i := len(its) - 1; i >= 0 && i >= len(its)-3; i-- {
		if its[i].Kind == wire.TLSFailed {
			return true
		}
	}
	return false
}

// tlsReason is the program's finding about a failed handshake: the one
// this session shows, else the first.
func tlsReason(p findings.Program, id wire.SessionID) string {
	reason := ""
	for _, f := range p.Findings {
		if f.Rule != "tls-failed" {
			continue
		}
		if len(f.Lines) > 0 && f.Lines[0].Session == id {
			return printable(f.Text)
		}
		if reason == "" {
			reason = printable(f.Text)
		}
	}
	return reason
}

func (v *watchScreen) key(msg tea.KeyMsg) tea.Cmd {
	ws, k := v.ws, v.keys
	switch v.overlay {
	case watchCard:
		v.cardKey(msg)
		return nil
	case watchFaults:
		v.faultsKey(msg)
		return nil
	}
	km := ws.c.KeyMap
	switch {
	case key.Matches(msg, k.Card):
		if v.src == nil {
			ws.setStatus("this world has no set-up card", true)
			return nil
		}
		v.overlay, v.cardTop = watchCard, 0
		v.card = strings.Split(strings.TrimRight(simulator.SetupCard(v.src.SetupInfo()), "\n"), "\n")
	case key.Matches(msg, k.Faults):
		if v.src == nil {
			ws.setStatus("this world has no faults to switch", true)
			return nil
		}
		v.overlay = watchFaults
	case key.Matches(msg, k.Export):
		return v.export()
	case key.Matches(msg, k.Pause):
		v.followNewest = !v.followNewest
		if v.followNewest {
			v.newSessions(0)
			ws.setStatus("following: each program that connects is shown as it connects", false)
		} else {
			ws.setStatus("following paused: new sessions get a tab but do not take the screen (F6/p follows again)", false)
		}
	case key.Matches(msg, k.Filter):
		v.cycleFilter()
	case v.filter != "" && key.Matches(msg, km.NextSession, km.PrevSession):
		d := 1
		if key.Matches(msg, km.PrevSession) {
			d = -1
		}
		v.cycleShown(d)
		v.pauseFollowing()
	default:
		cmd, _ := ws.key(msg) // nothing is typed while watching
		if key.Matches(msg, km.NextSession, km.PrevSession) || (msg.Alt && msg.Type == tea.KeyRunes) {
			v.pauseFollowing()
		}
		return cmd
	}
	return nil
}

// pauseFollowing stops following once the watcher picked a session: the
// next program connecting must not take it away.
func (v *watchScreen) pauseFollowing() {
	if v.followNewest {
		v.followNewest = false
		v.ws.setStatus("following paused while you read this session (F6/p follows the newest again)", false)
	}
}

// cycleShown moves to the next session the filter lets through.
func (v *watchScreen) cycleShown(d int) {
	ss := &v.ws.sessions
	n := len(ss.list)
	for i := 1; i <= n; i++ {
		j := ((ss.active+d*i)%n + n) % n
		if v.shown(ss.list[j]) {
			ss.active = j
			return
		}
	}
}

// cycleFilter shows only the next program's sessions, then every program.
func (v *watchScreen) cycleFilter() {
	if v.snap == nil || len(v.snap.programs) == 0 {
		v.ws.setStatus("no program to filter by yet", true)
		return
	}
	next := 0
	for i, p := range v.snap.programs {
		if p.Key() == v.filter {
			next = i + 1
		}
	}
	if v.filter != "" && next >= len(v.snap.programs) {
		v.filter, v.filterName = "", ""
		v.ws.setStatus("showing every program", false)
		return
	}
	p := v.snap.programs[next]
	v.filter, v.filterName = p.Key(), p.Name
	if p.User != "" {
		v.filterName += ", user " + p.User
	}
	if s := v.ws.sessions.current(); s == nil || !v.shown(s) {
		v.cycleShown(1)
	}
	v.ws.setStatus("only "+printable(v.filterName)+" (F7/f: the next program)", false)
}

// export writes the active session's program to the save dir's exports.
func (v *watchScreen) export() tea.Cmd {
	s := v.ws.sessions.current()
	if v.feed == nil || s == nil {
		v.ws.setStatus("no program to export yet", true)
		return nil
	}
	p, ok := v.snap.programOf(s.id)
	if !ok {
		v.ws.setStatus("the findings of "+string(s.id)+" are still being worked out: try again in a second", true)
		return nil
	}
	notes := map[uint64]string{}
	for _, id := range p.Sessions {
		if o := v.ws.sessions.byID[id]; o != nil {
			for _, it := range o.convo.items {
				if it.Note != "" {
					notes[it.Seq] = it.Note
				}
			}
		}
	}
	v.ws.setStatus("exporting "+printable(p.Name)+"…", false)
	return v.feed.requestExport(exportRequest{key: p.Key(), dir: filepath.Join(v.saveDir, "exports"), notes: notes})
}

// cardKey scrolls the set-up card; esc or its own key closes it.
func (v *watchScreen) cardKey(msg tea.KeyMsg) {
	km := v.ws.c.KeyMap
	page := max(1, v.ws.c.Height-3)
	switch {
	case key.Matches(msg, km.Back, v.keys.Card), msg.String() == "q":
		v.overlay = watchNoOverlay
	case msg.Type == tea.KeyUp || msg.String() == "k":
		v.cardTop--
	case msg.Type == tea.KeyDown || msg.String() == "j":
		v.cardTop++
	case msg.Type == tea.KeyPgUp:
		v.cardTop -= page
	case msg.Type == tea.KeyPgDown || msg.Type == tea.KeySpace:
		v.cardTop += page
	case msg.Type == tea.KeyHome:
		v.cardTop = 0
	}
	v.cardTop = max(0, v.cardTop)
}

// faultsKey moves through the faults and switches one on or off.
func (v *watchScreen) faultsKey(msg tea.KeyMsg) {
	km := v.ws.c.KeyMap
	all := fault.All()
	switch {
	case key.Matches(msg, km.Back, v.keys.Faults), msg.String() == "q":
		v.overlay = watchNoOverlay
	case msg.Type == tea.KeyUp || msg.String() == "k":
		v.faultSel = (v.faultSel + len(all) - 1) % len(all)
	case msg.Type == tea.KeyDown || msg.String() == "j":
		v.faultSel = (v.faultSel + 1) % len(all)
	case msg.Type == tea.KeyEnter || msg.Type == tea.KeySpace:
		f := all[v.faultSel]
		on := !v.faultOn(f.Name)
		v.src.SetFault(f.Name, on)
		if on {
			v.ws.setStatus("fault "+string(f.Name)+" on: the next reply shows it ("+f.Summary+")", false)
		} else {
			v.ws.setStatus("fault "+string(f.Name)+" off", false)
		}
	}
}

func (v *watchScreen) faultOn(n fault.Name) bool {
	for _, a := range v.src.ActiveFaults() {
		if a == n {
			return true
		}
	}
	return false
}

func (v *watchScreen) View() string {
	ws := v.ws
	if v.overlay == watchCard {
		return v.cardView()
	}
	if v.follow != nil {
		s := ws.sessions.current()
		var id wire.SessionID
		if s != nil {
			id = s.id
		}
		v.follow.followSession(id, s)
	}
	var center []string
	cw, ch, _, _, _ := ws.layout()
	switch {
	case v.overlay == watchFaults:
		center = v.faultsView(cw, ch)
	case len(ws.sessions.list) == 0:
		center, _ = ws.c.markdown.peek(v.intro, cw, v.introText)
	}
	ws.input.say(v.sayLine())
	return ws.view(center, v.ShortHelp())
}

// introText is the Markdown shown before any session.
func (v *watchScreen) introText() string {
	if v.introMD != "" {
		return v.introMD
	}
	return watchMarkdown(v.ws.world)
}

// sayLine is the row where a screen's input would be: where to connect
// and who to log in as, always in sight; the filter when one is set.
func (v *watchScreen) sayLine() string {
	st, w := &v.ws.c.Styles, v.ws.c.Width
	if v.say != "" {
		return st.Accent.Render(ansi.Truncate(v.say, w, "…"))
	}
	if v.filter != "" {
		return st.Accent.Render(ansi.Truncate("only: "+printable(v.filterName)+" · F7/f next program", w, "…"))
	}
	if v.src == nil {
		return st.Faint.Render(ansi.Truncate("Watching: mail programs talk, you read. ctrl+n/ctrl+p switch sessions, shift+↑/↓ selects a line.", w, "…"))
	}
	line := v.connect[0]
	if ansi.StringWidth(line) > w {
		line = v.connect[1]
	}
	return st.Subtle.Render(ansi.Truncate(line, w, "…"))
}

// connectLine tells where to connect and the users' passwords: the long
// form for a wide window, the short one for 80 columns.
func connectLine(info simulator.SetupInfo) [2]string {
	host := ""
	port := func(r wire.Role) string {
		h, p, err := net.SplitHostPort(info.Addrs[r])
		if err != nil {
			return "-"
		}
		host = h
		return p
	}
	pairs := []struct {
		name        string
		plain, tlsR wire.Role
	}{{"IMAP", wire.RoleIMAP, wire.RoleIMAPS}, {"POP3", wire.RolePOP3, wire.RolePOP3S}, {"SMTP", wire.RoleSubmission, wire.RoleSubmissions}}
	var long, short []string
	for _, p := range pairs {
		pl, tl := port(p.plain), port(p.tlsR)
		long = append(long, fmt.Sprintf("%s %s, TLS %s", p.name, pl, tl))
		short = append(short, fmt.Sprintf("%s %s/%s", p.name, pl, tl))
	}
	var ul, us []string
	for _, u := range info.Users {
		ul = append(ul, u.Address+" "+u.Password)
		local, _, _ := strings.Cut(u.Address, "@")
		us = append(us, local+":"+u.Password)
	}
	where := ""
	if ip := net.ParseIP(host); host != "" && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		// --listen: say it where it is always in sight.
		where = "open to the network at " + host + ": "
	}
	return [2]string{
		printable(where + strings.Join(long, " · ") + " · " + strings.Join(ul, " · ") + " · F3 set-up card"),
		printable(where + strings.Join(short, " ") + " · " + strings.Join(us, " ")),
	}
}

// faultsView lists the trainer's faults in the conversation's place.
func (v *watchScreen) faultsView(w, h int) []string {
	st := &v.ws.c.Styles
	out := []string{st.Accent.Render(ansi.Truncate("Trainer's faults: enter switches one on or off, esc closes", w, "…"))}
	for i, f := range fault.All() {
		box := "[ ] "
		if v.faultOn(f.Name) {
			box = "[x] "
		}
		line := ansi.Truncate(box+fmt.Sprintf("%-21s", f.Name)+" "+f.Summary, w-2, "…")
		if i == v.faultSel {
			out = append(out, st.Accent.Render("▸ "+line))
		} else {
			out = append(out, "  "+line)
		}
	}
	// Keep the selected fault in sight in a short box.
	if len(out) > h && h > 1 {
		first := min(v.faultSel+1, len(out)-h+1)
		out = append(out[:1], out[max(1, first-(h-2)):]...)
	}
	return out
}

// cardView shows the set-up card as a page of its own.
func (v *watchScreen) cardView() string {
	st, w, h := &v.ws.c.Styles, v.ws.c.Width, v.ws.c.Height
	var lines []string
	for _, l := range v.card {
		// Wrapped lines keep their line's indent (a user, a port).
		body := strings.TrimLeft(l, " ")
		indent := strings.Repeat(" ", min(len(l)-len(body)+2, w/3))
		for i, part := range wrapText(printable(body), w-len(indent)) {
			if i == 0 {
				part = l[:len(l)-len(body)] + part
			} else {
				part = indent + part
			}
			lines = append(lines, part)
		}
	}
	body := max(1, h-2)
	v.cardTop = min(v.cardTop, max(0, len(lines)-body))
	out := []string{st.Title.Render("mailtutor") + " " + st.Subtle.Render("Set-up card: what to enter in a mail program")}
	out = append(out, fit(lines[v.cardTop:], w, body)...)
	help := []key.Binding{
		key.NewBinding(key.WithKeys("down"), key.WithHelp("↑/↓ pgup/pgdn", "scroll")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc/F3", "close")),
	}
	out = append(out, v.ws.c.helpLine(help, w))
	return strings.Join(fit(out, w, h), "\n")
}

// markdownCmd renders the introduction until a session shows, then what
// the side panel shows.
func (v *watchScreen) markdownCmd() tea.Cmd {
	ws := v.ws
	if len(ws.sessions.list) == 0 {
		cw, _, _, _, _ := ws.layout()
		_, cmd := ws.c.markdown.get(v.intro, v.introText(), ws.c.GlamourStyle, cw)
		return cmd
	}
	return ws.markdownCmd()
}

func (v *watchScreen) ShortHelp() []key.Binding {
	if v.src == nil {
		return v.ws.c.KeyMap.WatchShortHelp()
	}
	km, k := v.ws.c.KeyMap, v.keys
	return []key.Binding{k.Card, k.Faults, k.Pause, k.Filter, k.Export, km.NextSession, km.Pane, km.Help, km.Back}
}

func (v *watchScreen) FullHelp() [][]key.Binding {
	km, k := v.ws.c.KeyMap, v.keys
	return [][]key.Binding{{km.NextSession, km.PrevSession, km.SelectUp, km.PageUp, km.Follow},
		{k.Card, k.Faults, k.Export, k.Pause, k.Filter},
		{km.Split, km.Pane, km.SideUp, km.SideDown, km.Save, km.Back}}
}
