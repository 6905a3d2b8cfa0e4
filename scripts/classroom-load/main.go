// Command classroom-load puts a class on `mailtutor classroom`: N learners
// connect over SSH at once (Go's SSH client, a 100×34 terminal each), open
// "Your first SMTP conversation" and type its solution a key at a time,
// paced like a person (about 6 keys a second, a pause to read each reply).
// It reports the server's memory per learner (RSS of the classroom process,
// with everyone in the lesson, minus the RSS before anyone came), the time
// from each keystroke to the next frame the learner's terminal receives
// (p50, p99, max), and whether every learner finished (nothing dropped).
//
//	go run ./scripts/classroom-load -learners 100
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/crypto/ssh"

	"github.com/mailtutor/mailtutor/lessons"
)

func main() {
	n := flag.Int("learners", 100, "learners at once")
	bin := flag.String("bin", "", "mailtutor binary (default: go build one)")
	keyGap := flag.Duration("key", 160*time.Millisecond, "mean time between two keys")
	think := flag.Duration("think", 800*time.Millisecond, "pause after each reply, reading it")
	lessonID := flag.String("lesson", "smtp-first-conversation", "lesson whose solution is typed")
	flag.Parse()
	if err := run(*n, *bin, *keyGap, *think, *lessonID); err != nil {
		fmt.Fprintln(os.Stderr, "classroom-load:", err)
		os.Exit(1)
	}
}

// typed is one line of the solution and whether a reply is awaited after
// it (not inside a message body).
type typed struct {
	line string
	wait bool
}

func script(lessonID string) ([]typed, error) {
	cat, _ := lessons.Load(true)
	l, ok := cat.Lesson(lessonID)
	if !ok {
		return nil, fmt.Errorf("no lesson %q", lessonID)
	}
	var out []typed
	for _, st := range l.Steps {
		if st.Kind == lessons.Question {
			out = append(out, typed{strconv.Itoa(st.Answer + 1), false})
			continue
		}
		for _, s := range st.Solution {
			if s.Action != "" {
				return nil, fmt.Errorf("lesson %s: step %q needs %q, which this script does not play", lessonID, st.Title, s.Action)
			}
			for i, line := range s.Lines {
				out = append(out, typed{line, i == len(s.Lines)-1})
			}
		}
	}
	return out, nil
}

func run(n int, bin string, keyGap, think time.Duration, lessonID string) error {
	lines, err := script(lessonID)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "classroom-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "mailtutor")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "classroom", "--listen", "127.0.0.1:0", "--state-dir", filepath.Join(dir, "state"),
		"--max-learners", strconv.Itoa(n))
	srv.Env = append(os.Environ(), "MAILTUTOR_CLASS_CODE=load")
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdout)
	addr := ""
	for addr == "" && sc.Scan() {
		addr, _ = strings.CutPrefix(sc.Text(), "mailtutor classroom on ")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if addr == "" {
		return fmt.Errorf("the classroom printed no address")
	}
	time.Sleep(500 * time.Millisecond) // the idle process settles
	rss0 := rssKB(srv.Process.Pid)
	cpu0 := cpuTicks(srv.Process.Pid)
	fmt.Printf("classroom pid %d on %s, RSS before anyone came: %.1f MB; %d learners, %d lines each\n",
		srv.Process.Pid, addr, float64(rss0)/1024, n, len(lines))

	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  []string
		inLesson  sync.WaitGroup
		done      sync.WaitGroup
	)
	fail := func(who, why string) {
		mu.Lock()
		failures = append(failures, who+": "+why)
		mu.Unlock()
	}
	inLesson.Add(n)
	done.Add(n)
	peak := make(chan struct{})
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			defer done.Done()
			name := fmt.Sprintf("learner%03d", i)
			entered := false
			defer func() {
				if !entered {
					inLesson.Done()
				}
			}()
			// Arrivals spread over the first seconds, as a class sits down.
			time.Sleep(time.Duration(rand.Int64N(int64(5 * time.Second))))
			tm, err := connect(addr, name)
			if err != nil {
				fail(name, err.Error())
				return
			}
			defer tm.client.Close()
			if !tm.waitFor(0, 60*time.Second, "Your first SMTP conversation") {
				fail(name, "no home screen")
				return
			}
			m := tm.mark()
			tm.keys("\x1b[B") // down to the first SMTP lesson
			tm.keys("\r")
			if !tm.waitFor(m, 60*time.Second, "S: 220") {
				fail(name, "the lesson did not open")
				return
			}
			entered = true
			inLesson.Done()
			<-peak // everyone in the lesson: the memory is read
			var mine []time.Duration
			for _, l := range lines {
				for _, r := range l.line {
					time.Sleep(time.Duration(float64(keyGap) * (0.5 + rand.Float64())))
					if d, ok := tm.keyToFrame(string(r), 5*time.Second); ok {
						mine = append(mine, d)
					} else {
						fail(name, fmt.Sprintf("no frame after typing %q", r))
						if os.Getenv("LOADDEBUG") != "" {
							fmt.Println(name, "no frame after", string(r), tm.tail())
						}
					}
				}
				m := tm.mark()
				tm.keys("\r")
				if l.wait && !tm.waitFor(m, 30*time.Second, "S: ") {
					fail(name, "no reply to "+l.line)
					return
				}
				time.Sleep(time.Duration(float64(think) * (0.5 + rand.Float64())))
			}
			if !tm.waitFor(0, 30*time.Second, "Lesson complete") {
				fail(name, "the lesson was not completed: "+tm.tail())
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	inLesson.Wait()
	time.Sleep(time.Second)
	rssPeak := rssKB(srv.Process.Pid)
	fmt.Printf("everyone in the lesson after %.1fs: RSS %.1f MB, %.2f MB per learner\n", time.Since(start).Seconds(),
		float64(rssPeak)/1024, float64(rssPeak-rss0)/1024/float64(n))
	typingStart := time.Now()
	close(peak)
	done.Wait()
	rssEnd := rssKB(srv.Process.Pid)
	cpu := float64(cpuTicks(srv.Process.Pid)-cpu0) / 100 // USER_HZ
	wall := time.Since(typingStart).Seconds()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	q := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Printf("typing took %.1fs; server CPU %.1fs (%.0f%% of one core); RSS at the end %.1f MB\n", wall, cpu, 100*cpu/wall,
		float64(rssEnd)/1024)
	fmt.Printf("keystroke to frame over %d keys: p50 %s, p99 %s, max %s\n", len(latencies), q(0.5).Round(100*time.Microsecond),
		q(0.99).Round(100*time.Microsecond), q(1).Round(100*time.Microsecond))
	fmt.Printf("learners who did not finish or lost a frame: %d\n", len(failures))
	for i, f := range failures {
		if i == 10 {
			fmt.Printf("  … %d more\n", len(failures)-10)
			break
		}
		fmt.Println("  " + f)
	}
	srv.Process.Signal(os.Interrupt)
	srv.Wait()
	if len(failures) > 0 {
		return fmt.Errorf("%d failures", len(failures))
	}
	return nil
}

// term is a learner's terminal: the frames received (the last 256 KB) and
// when each chunk arrived.
type term struct {
	client *ssh.Client
	in     interface{ Write([]byte) (int, error) }

	mu      sync.Mutex
	buf     []byte
	base    int // bytes dropped from the front of buf
	arrived chan time.Time
}

func connect(addr, name string) (*term, error) {
	c, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: name, Auth: []ssh.AuthMethod{ssh.Password("load")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	sess, err := c.NewSession()
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := sess.RequestPty("xterm-256color", 34, 100, ssh.TerminalModes{}); err != nil {
		c.Close()
		return nil, err
	}
	out, _ := sess.StdoutPipe()
	in, _ := sess.StdinPipe()
	if err := sess.Shell(); err != nil {
		c.Close()
		return nil, err
	}
	tm := &term{client: c, in: in, arrived: make(chan time.Time, 1024)}
	go func() {
		b := make([]byte, 64<<10)
		for {
			k, err := out.Read(b)
			if k > 0 {
				now := time.Now()
				tm.mu.Lock()
				tm.buf = append(tm.buf, b[:k]...)
				if len(tm.buf) > 256<<10 {
					drop := len(tm.buf) - 128<<10
					tm.buf = append(tm.buf[:0:0], tm.buf[drop:]...)
					tm.base += drop
				}
				tm.mu.Unlock()
				select {
				case tm.arrived <- now:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return tm, nil
}

func (tm *term) keys(s string) { tm.in.Write([]byte(s)) }

func (tm *term) mark() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.base + len(tm.buf)
}

// keyToFrame types one key and waits for the next output: the frame that
// shows it.
func (tm *term) keyToFrame(key string, limit time.Duration) (time.Duration, bool) {
	for len(tm.arrived) > 0 { // frames that came before this key
		<-tm.arrived
	}
	t0 := time.Now()
	tm.keys(key)
	timeout := time.After(limit)
	for {
		select {
		case at := <-tm.arrived:
			if at.After(t0) {
				return at.Sub(t0), true
			}
		case <-timeout:
			return 0, false
		}
	}
}

func (tm *term) waitFor(mark int, limit time.Duration, want string) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		from := max(0, mark-tm.base)
		ok := from <= len(tm.buf) && bytes.Contains([]byte(ansi.Strip(string(tm.buf[from:]))), []byte(want))
		tm.mu.Unlock()
		if ok {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func (tm *term) tail() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	s := ansi.Strip(string(tm.buf[max(0, len(tm.buf)-2000):]))
	return strings.Join(strings.Fields(s), " ")
}

// rssKB reads a process's resident set size.
func rssKB(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			k, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return k
		}
	}
	return 0
}

// cpuTicks is a process's user+system CPU time in clock ticks.
func cpuTicks(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		f := strings.Fields(s[i+1:])
		if len(f) > 12 {
			u, _ := strconv.Atoi(f[11])
			k, _ := strconv.Atoi(f[12])
			return u + k
		}
	}
	return 0
}
