package tui

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// timedModel wraps the program's Model to time, inside the Bubble Tea
// goroutine, each key's Update and the View that follows it, and to
// answer probes about what the screen holds.
type timedModel struct {
	m *Model
	// lock pins the event loop to its thread, so that threadCPU tells
	// its CPU time; it costs wall time (a pinned goroutine waits for its
	// own thread), so the wall-time runs leave it off.
	lock bool

	mu       sync.Mutex
	keyCost  []time.Duration // Update of a key + the next View, wall time
	keyCPU   []time.Duration // the same, CPU time of the thread
	pending  time.Duration   // a key's Update, waiting for its View
	pendCPU  time.Duration
	hasKey   bool
	updateAt []time.Time // when each key's Update began, by key number
	viewedAt []time.Time // when each key's View was produced
	changed  []bool      // whether that View differed from the one before
	lastView string
	nKeys    int           // keys updated so far
	uiCPU    time.Duration // CPU time of every Update and View
	uiWall   time.Duration // their wall time
}

// keyMsgN is a key with its number, so its View can be matched.
type keyMsgN struct {
	tea.KeyMsg
	n int
}

// probeMsg asks, from the Bubble Tea goroutine, what the watch screen
// took in: sessions and lines (those put away from the tabs included),
// and the events the findings missed.
type probeMsg struct{ reply chan probed }

type probed struct{ sessions, lines, missed int }

// Init runs on the goroutine that runs the event loop: locking it to its
// thread lets threadCPU tell the CPU time Update and View took from the
// wall time they spent waiting for a core (the machine has two).
func (t *timedModel) Init() tea.Cmd {
	if t.lock {
		runtime.LockOSThread()
	}
	return t.m.Init()
}

// threadCPU is the CPU time the calling thread has used.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3 /* CLOCK_THREAD_CPUTIME_ID */, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

func (t *timedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case probeMsg:
		var r probed
		if w := t.m.watch; w != nil {
			if w.snap != nil {
				r.missed = w.snap.missed
			}
			r.sessions, r.lines = len(w.ws.sessions.list)+w.putAway, w.putAwayLines
			for _, s := range w.ws.sessions.list {
				r.lines += len(s.convo.items)
			}
		}
		msg.reply <- r
		return t, nil
	case keyMsgN:
		start, cpu := time.Now(), threadCPU()
		t.mu.Lock()
		t.updateAt = append(t.updateAt, start)
		t.mu.Unlock()
		_, cmd := t.m.Update(msg.KeyMsg)
		t.mu.Lock()
		t.pending, t.pendCPU, t.hasKey, t.nKeys = time.Since(start), threadCPU()-cpu, true, msg.n+1
		t.mu.Unlock()
		return t, cmd
	}
	start, cpu := time.Now(), threadCPU()
	_, cmd := t.m.Update(msg)
	t.mu.Lock()
	t.uiCPU += threadCPU() - cpu
	t.uiWall += time.Since(start)
	t.mu.Unlock()
	return t, cmd
}

func (t *timedModel) View() string {
	start, cpu := time.Now(), threadCPU()
	v := t.m.View()
	now, cpuNow := time.Now(), threadCPU()
	t.mu.Lock()
	t.uiCPU += cpuNow - cpu
	t.uiWall += now.Sub(start)
	if t.hasKey {
		t.keyCost = append(t.keyCost, t.pending+now.Sub(start))
		t.keyCPU = append(t.keyCPU, t.pendCPU+cpuNow-cpu)
		t.viewedAt = append(t.viewedAt, now)
		t.changed = append(t.changed, v != t.lastView)
		t.hasKey = false
	}
	t.lastView = v
	t.mu.Unlock()
	return v
}

// writeClock records when the renderer wrote to the terminal.
type writeClock struct {
	mu     sync.Mutex
	writes []time.Time
	bytes  int
}

func (w *writeClock) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, time.Now())
	w.bytes += len(p)
	w.mu.Unlock()
	return len(p), nil
}

// loadProgram is one of the fifty mail programs: it speaks its protocol
// in a loop, a new connection each round, until ctx ends.
func loadProgram(ctx context.Context, addr string, proto wire.Proto, n int, pause time.Duration, sessions *atomic.Int64) {
	var script string
	switch proto {
	case wire.POP3:
		script = "CAPA\r\nUSER bob\r\nPASS builder\r\nSTAT\r\nUIDL\r\nLIST\r\nQUIT\r\n"
	case wire.IMAP:
		script = fmt.Sprintf("a ID (\"name\" \"loadclient-%d\")\r\nb LOGIN alice wonderland\r\nc SELECT INBOX\r\nd FETCH 1:3 (FLAGS RFC822.SIZE)\r\ne UID FETCH 1 (BODY.PEEK[HEADER])\r\nf LOGOUT\r\n", n)
	case wire.SMTP:
		script = fmt.Sprintf("EHLO load%d.example.net\r\nMAIL FROM:<load%d@example.net>\r\nRCPT TO:<nobody%d@example.com>\r\nRSET\r\nNOOP\r\nQUIT\r\n", n, n, n)
	}
	for ctx.Err() == nil {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			continue
		}
		sessions.Add(1)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, script)
		io.Copy(io.Discard, c)
		c.Close()
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

// loadHere runs the fifty programs as goroutines of this process; the
// function returned stops them and says how many sessions they opened.
func loadHere(wld world, pause time.Duration) (stop func() int64) {
	ctx, cancel := context.WithCancel(context.Background())
	var sessions atomic.Int64
	var wg sync.WaitGroup
	addrs := map[wire.Role]string{}
	for _, r := range []wire.Role{wire.RolePOP3, wire.RoleIMAP, wire.RoleMX} {
		addrs[r] = wld.Addr(r)
	}
	runFifty(ctx, &wg, addrs, pause, &sessions)
	return func() int64 {
		cancel()
		wg.Wait()
		return sessions.Load()
	}
}

// runFifty starts the fifty programs: a third each POP3, IMAP, SMTP.
func runFifty(ctx context.Context, wg *sync.WaitGroup, addrs map[wire.Role]string, pause time.Duration, sessions *atomic.Int64) {
	for i := range 50 {
		proto, role := wire.POP3, wire.RolePOP3
		switch i % 3 {
		case 1:
			proto, role = wire.IMAP, wire.RoleIMAP
		case 2:
			proto, role = wire.SMTP, wire.RoleMX
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			loadProgram(ctx, addrs[role], proto, i, pause, sessions)
		}()
	}
}

// loadEnv carries the load generator's orders to the child process.
const loadEnv = "MAILTUTOR_WATCH_LOADGEN"

// loadProcess runs the fifty programs in a child process (this test
// binary, TestLoadGenerator) for runFor; the function returned waits for
// it and says how many sessions they opened.
func loadProcess(b *testing.B, wld world, pause, runFor time.Duration) (wait func() int64) {
	orders := fmt.Sprintf("%s %s %s %s %s", wld.Addr(wire.RolePOP3), wld.Addr(wire.RoleIMAP), wld.Addr(wire.RoleMX), pause, runFor)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadGenerator$", "-test.count=1")
	cmd.Env = append(os.Environ(), loadEnv+"="+orders)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return func() int64 {
		if err := cmd.Wait(); err != nil {
			b.Fatalf("load generator: %v\n%s", err, out.String())
		}
		var n int64
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(l, "sessions ") {
				n, _ = strconv.ParseInt(strings.TrimPrefix(l, "sessions "), 10, 64)
			}
		}
		return n
	}
}

// TestLoadGenerator is the child process of BenchmarkWatchFiftyPrograms
// (the fifty programs, apart from the screen's process, as real mail
// programs are). Run as an ordinary test, without its orders in the
// environment, it has nothing to do.
func TestLoadGenerator(t *testing.T) {
	orders := strings.Fields(os.Getenv(loadEnv))
	if len(orders) != 5 {
		return
	}
	pause, err1 := time.ParseDuration(orders[3])
	runFor, err2 := time.ParseDuration(orders[4])
	if err1 != nil || err2 != nil {
		t.Fatalf("orders %q: %v %v", orders, err1, err2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runFor)
	defer cancel()
	var sessions atomic.Int64
	var wg sync.WaitGroup
	runFifty(ctx, &wg, map[wire.Role]string{wire.RolePOP3: orders[0], wire.RoleIMAP: orders[1], wire.RoleMX: orders[2]}, pause, &sessions)
	wg.Wait()
	fmt.Printf("sessions %d\n", sessions.Load())
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkWatchFiftyPrograms runs the whole program on the watch screen
// (120x40, the findings pane shown) while fifty mail programs speak POP3,
// IMAP and SMTP to its world in loops, and a key arrives every 25 ms
// (switching sessions, the side pane, selecting lines). It reports, per
// key, the p99 of Update+View measured inside the Bubble Tea goroutine
// and the p99 from sending the key to the first terminal write after its
// View; then, once the programs stop, how long the screen takes to show
// every session and whether every session got its tab (nothing lost).
//
//	go test ./tui -run '^$' -bench WatchFiftyPrograms -benchtime 1x
func BenchmarkWatchFiftyPrograms(b *testing.B) {
	// flat-out: each program starts its next session at once (hundreds of
	// sessions a second in all); paced: one session a second each, as
	// fifty mail programs polling eagerly would.
	// cpu: flat out again, the event loop pinned to a thread to tell the
	// CPU time of Update+View from the wall time spent waiting for a core.
	// The programs run in a process of their own, except in
	// flat-out-same-process, where their goroutines queue for the same
	// two cores' scheduler as the screen's.
	for _, run := range []struct {
		name          string
		pause         time.Duration
		cpu, separate bool
	}{{"flat-out", 0, false, true}, {"paced", time.Second, false, true}, {"flat-out-cpu", 0, true, true}, {"flat-out-same-process", 0, false, false}} {
		b.Run(run.name, func(b *testing.B) {
			for range b.N {
				runWatchLoad(b, 10*time.Second, run.pause, run.cpu, run.separate)
			}
		})
	}
}

func runWatchLoad(b *testing.B, runFor, pause time.Duration, cpuTime, separate bool) {
	opts := testOptions(b)
	opts.Watch = true
	worlds := make(chan world, 1)
	opts.newWorld = func() (world, error) {
		wld, err := startLiveWorld(opts)
		if err == nil {
			worlds <- wld
		}
		return wld, err
	}
	tm := &timedModel{m: NewModel(opts), lock: cpuTime}
	out := &writeClock{}
	// As Run starts `mailtutor watch`.
	p := tea.NewProgram(tm, tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignalHandler(), tea.WithFPS(watchFPS))
	done := make(chan struct{})
	go func() {
		p.Run()
		close(done)
	}()
	defer func() {
		p.Quit()
		<-done
		tm.m.shutdown()
	}()
	p.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	wld := <-worlds
	probe := func() probed {
		r := make(chan probed, 1)
		p.Send(probeMsg{r})
		return <-r
	}

	// The fifty programs: in a process of their own, as real mail
	// programs are (the test binary again, see TestLoadGenerator), or
	// in this one.
	var stopLoad func() int64
	if separate {
		stopLoad = loadProcess(b, wld, pause, runFor)
	} else {
		stopLoad = loadHere(wld, pause)
	}

	keys := []tea.KeyMsg{{Type: tea.KeyF2}, {Type: tea.KeyCtrlP}, {Type: tea.KeyShiftUp}, {Type: tea.KeyCtrlN}, {Type: tea.KeyF2}, {Type: tea.KeyF2}}
	began := time.Now()
	var sent []time.Time
	var probeLag []time.Duration
	for n := 0; time.Since(began) < runFor; n++ {
		time.Sleep(25 * time.Millisecond)
		sent = append(sent, time.Now())
		p.Send(keyMsgN{keys[n%len(keys)], n})
		if n%20 == 0 {
			t0 := time.Now()
			probe()
			probeLag = append(probeLag, time.Since(t0))
		}
	}
	opened := stopLoad()
	stopped := time.Now()
	recorded := func() int {
		rec := wld.(*liveWorld).rec
		rec.Sync()
		// Every line ever recorded: those the recorder no longer keeps
		// (RecorderOptions.MaxLines) were taken in by the screen before.
		return rec.Dropped() + len(rec.Lines())
	}
	var got probed
	for {
		got = probe()
		if (int64(got.sessions) >= opened && got.lines >= recorded()) || time.Since(stopped) > 30*time.Second {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	catchUp := time.Since(stopped)

	tm.mu.Lock()
	cost := append([]time.Duration(nil), tm.keyCost...)
	cpu := append([]time.Duration(nil), tm.keyCPU...)
	uiCPU, uiWall := tm.uiCPU, tm.uiWall
	viewed := append([]time.Time(nil), tm.viewedAt...)
	updated := append([]time.Time(nil), tm.updateAt...)
	changed := append([]bool(nil), tm.changed...)
	tm.mu.Unlock()
	out.mu.Lock()
	writes := append([]time.Time(nil), out.writes...)
	out.mu.Unlock()
	// The key's way to the terminal in three legs: waiting for the event
	// loop (sent to Update), Update+View (cost), and the View waiting for
	// the renderer's next frame (viewed to written).
	var toWrite, toUpdate, toFrame []time.Duration
	for i, v := range viewed {
		if i >= len(sent) || i >= len(updated) {
			break
		}
		toUpdate = append(toUpdate, updated[i].Sub(sent[i]))
		if !changed[i] {
			// The key changed nothing on screen (a side pane toggled
			// back within a frame, the last tab already chosen): the
			// renderer rightly writes nothing for it.
			continue
		}
		j := sort.Search(len(writes), func(k int) bool { return !writes[k].Before(v) })
		if j < len(writes) {
			toWrite = append(toWrite, writes[j].Sub(sent[i]))
			toFrame = append(toFrame, writes[j].Sub(v))
		}
	}
	missed := got.missed
	b.ReportMetric(float64(percentile(cost, 0.99).Microseconds())/1000, "ms-update+view-p99")
	b.ReportMetric(float64(percentile(cost, 0.5).Microseconds())/1000, "ms-update+view-p50")
	b.ReportMetric(float64(percentile(cost, 0.9).Microseconds())/1000, "ms-update+view-p90")
	if cpuTime {
		b.ReportMetric(float64(percentile(cpu, 0.99).Microseconds())/1000, "ms-update+view-cpu-p99")
		b.ReportMetric(uiCPU.Seconds()/runFor.Seconds()*100, "%-core-ui-cpu")
	}
	b.ReportMetric(float64(percentile(toWrite, 0.99).Microseconds())/1000, "ms-key-to-write-p99")
	b.ReportMetric(float64(percentile(toWrite, 0.5).Microseconds())/1000, "ms-key-to-write-p50")
	b.ReportMetric(float64(percentile(toWrite, 0.9).Microseconds())/1000, "ms-key-to-write-p90")
	b.ReportMetric(float64(percentile(toUpdate, 0.99).Microseconds())/1000, "ms-key-to-update-p99")
	b.ReportMetric(float64(percentile(toFrame, 0.99).Microseconds())/1000, "ms-view-to-write-p99")
	b.ReportMetric(float64(percentile(probeLag, 0.99).Microseconds())/1000, "ms-queue-lag-p99")
	b.ReportMetric(float64(opened), "sessions")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse>>20), "MiB-heap")
	b.ReportMetric(uiWall.Seconds()/runFor.Seconds()*100, "%-time-ui-busy")
	b.ReportMetric(float64(got.lines), "lines-shown")
	b.ReportMetric(float64(catchUp.Milliseconds()), "ms-catch-up")
	b.ReportMetric(float64(missed), "findings-events-missed")
	if int64(got.sessions) < opened {
		b.Errorf("the screen took in %d sessions of %d opened, 30 s after the programs stopped", got.sessions, opened)
	}
	if all := recorded(); got.lines != all {
		b.Errorf("the screen took in %d lines of the %d recorded", got.lines, all)
	}
	b.Logf("%d keys timed (%d written), %d sessions, %d lines taken in, caught up %v after the load stopped, findings missed %d events",
		len(cost), len(toWrite), opened, got.lines, catchUp.Round(time.Millisecond), missed)
}
