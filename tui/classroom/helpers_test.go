package classroom

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// testClass starts a classroom on 127.0.0.1:0 with the TUI's test lesson
// and the class code "letmein"; change adjusts the options first.
func testClass(t testing.TB, change func(*Options)) (*Server, string) {
	t.Helper()
	dark := true
	opts := Options{
		StateDir:         t.TempDir(),
		ClassCode:        "letmein",
		NoBuiltinLessons: true,
		LessonDirs:       []string{"../testdata/lessons"},
		Dark:             &dark,
		IdleTimeout:      time.Minute,
	}
	if change != nil {
		change(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-served
	})
	return s, ln.Addr().String()
}

// dialCode logs in with the class code by password.
func dialCode(addr, user, code string) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.Password(code)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
}

// dialKey logs in with a key.
func dialKey(addr, user string, key gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
}

// newKey makes a key pair; with file set, its public half is appended
// there in authorized_keys form.
func newKey(t testing.TB, file string) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if file != "" {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(gossh.MarshalAuthorizedKey(signer.PublicKey()))
		f.Close()
	}
	return signer
}

// term is one SSH session with a terminal: what the program drew (escape
// sequences removed) and a way to type.
type term struct {
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser

	mu     sync.Mutex
	raw    bytes.Buffer
	stderr bytes.Buffer
	ended  chan struct{} // the server closed the session
}

// openTerm asks for a w×h terminal and a shell on client.
func openTerm(t testing.TB, client *gossh.Client, w, h int) *term {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{client: client, sess: sess, ended: make(chan struct{})}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out, _ := sess.StdoutPipe()
	errOut, _ := sess.StderrPipe()
	tm.in, _ = sess.StdinPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	for _, r := range []struct {
		from io.Reader
		to   *bytes.Buffer
	}{{out, &tm.raw}, {errOut, &tm.stderr}} {
		go func() {
			defer wg.Done()
			buf := make([]byte, 32<<10)
			for {
				n, err := r.from.Read(buf)
				tm.mu.Lock()
				r.to.Write(buf[:n])
				tm.mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(tm.ended)
	}()
	t.Cleanup(func() { client.Close() })
	return tm
}

// screen is everything drawn so far, as text.
func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(tm.raw.String())
}

func (tm *term) errText() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.stderr.String()
}

// since is what was drawn after mark (a length of screen's raw bytes).
func (tm *term) mark() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.raw.Len()
}

func (tm *term) since(mark int) string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(tm.raw.String()[mark:])
}

// typ sends keys as a terminal would ("\r" is Enter).
func (tm *term) typ(t testing.TB, keys string) {
	t.Helper()
	if _, err := tm.in.Write([]byte(keys)); err != nil {
		t.Fatalf("typing %q: %v", keys, err)
	}
}

// line types a line and Enter, a key at a time as a person would.
func (tm *term) line(t testing.TB, s string) {
	t.Helper()
	for _, r := range s {
		tm.typ(t, string(r))
	}
	tm.typ(t, "\r")
}

// waitFor waits until everything drawn after mark contains every string.
func (tm *term) waitFor(t testing.TB, mark int, want ...string) {
	t.Helper()
	waitUntil(t, 30*time.Second, func() bool {
		s := tm.since(mark)
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, func() string { return "screen never showed " + strings.Join(want, ", ") + ":\n" + tm.since(mark) })
}

// waitUntil polls cond until it holds or the time is up.
func waitUntil(t testing.TB, limit time.Duration, cond func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(why())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// learner is a class member at the test lesson's home screen.
func enterClass(t testing.TB, addr, name string) *term {
	t.Helper()
	c, err := dialCode(addr, name, "letmein")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	tm := openTerm(t, c, 100, 34)
	tm.waitFor(t, 0, "mailtutor classroom · "+name, "Say hello to a server")
	return tm
}

// openLesson opens the test lesson from the home screen.
func (tm *term) openLesson(t testing.TB) {
	t.Helper()
	m := tm.mark()
	tm.typ(t, "\r")
	tm.waitFor(t, m, "220 ", "server>")
}

// learnerFiles lists the files under a learner's directory.
func learnerFiles(t testing.TB, s *Server, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := filepath.Join(s.opts.StateDir, "learners", name)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return nil
	})
	return out
}

// isAuthError reports whether err is SSH refusing to authenticate.
func isAuthError(err error) bool {
	var se *gossh.ServerAuthError
	return err != nil && (errors.As(err, &se) || strings.Contains(err.Error(), "unable to authenticate"))
}
