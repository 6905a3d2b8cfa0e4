package tui

import (
	"io"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// world is what the screens need from a running mail world. live.go adapts
// the simulator and the transcripts recorder to it; keeping it this small
// means a screen can be driven by anything that speaks real TCP.
type world interface {
	// Roles lists the listeners running, for the sandbox's role picker.
	Roles() []wire.Role
	// Addr is the address a role listens on ("127.0.0.1:41234").
	Addr(role wire.Role) string
	// Users are the world's users and their passwords, as the world was
	// set up (the sandbox's picker lists them; ctrl+g builds AUTH PLAIN).
	Users() []worldUser
	// Dial opens a client connection to a role, as the TUI's own client.
	Dial(role wire.Role) (clientConn, error)
	// WatchLines calls fn with every annotated line from now on, in order,
	// from another goroutine. fn must not block.
	WatchLines(fn func(item)) (cancel func())
	// OnChange calls fn after any change to the world (mail, flags, POP3
	// marks). fn must be quick and must not block.
	OnChange(fn func()) (cancel func())
	// Mail copies what the servers hold right now.
	Mail() mailState
	// SaveTranscript writes what the world recorded as a transcript file.
	SaveTranscript(w io.Writer) error
	// Close stops the world.
	Close() error
}

// clientConn is the TUI's connection to one server. *simulator.Conn is one.
// Reading is not part of it: what the server says arrives annotated through
// WatchLines, the one source of truth.
type clientConn interface {
	Session() wire.SessionID
	Role() wire.Role
	Write(p []byte) (int, error)
	StartTLS() error
	Encrypted() bool
	Done() <-chan struct{}
	Close() error
}

// worldUser is one user of the world and the password it logs in with.
type worldUser struct {
	Address  string
	Password string
}

// mailState is the mailbox pane's copy of the store.
type mailState struct {
	Users    []mailUser
	Outbound int // messages queued for domains outside the world
}

// mailUser is one user's mailboxes.
type mailUser struct {
	Address string
	Boxes   []mailBox
}

// mailBox is one mailbox.
type mailBox struct {
	Name     string
	UIDNext  uint32
	Messages []mailMessage
}

// mailMessage is one message as the pane lists it.
type mailMessage struct {
	UID           uint32
	Flags         []string
	Subject       string
	From          string
	Size          int
	MarkedDeleted bool // a POP3 session marked it with DELE; it goes at QUIT
}

// inbox is a queue of messages from other goroutines (the recorder, the
// store watcher, connection writers) into Bubble Tea. Pushing never blocks,
// so a busy screen can never slow a mail session down; the program takes
// everything queued in one message (the realtime pattern of bubbletea's
// examples, batched, so a 10,000-line burst costs one redraw).
type inbox struct {
	mu     sync.Mutex
	queue  []tea.Msg
	signal chan struct{} // has a value when queue is not empty
	done   chan struct{} // closed by stop
	once   sync.Once
	last   time.Time // when wait last handed a batch over (wait's goroutine only)
}

// inboxGap is the least time between two batches an inbox hands over: one
// frame at watchFPS. A world flooded by fifty programs would otherwise
// send a batch, and cost a View, for every few lines, and a key would
// queue behind them; lines held for a frame show in the same frame.
const inboxGap = time.Second / watchFPS

func newInbox() *inbox {
	return &inbox{signal: make(chan struct{}, 1), done: make(chan struct{})}
}

// push queues a message; safe from any goroutine.
func (b *inbox) push(m tea.Msg) {
	b.mu.Lock()
	b.queue = append(b.queue, m)
	b.mu.Unlock()
	select {
	case b.signal <- struct{}{}:
	default:
	}
}

// stop ends the waiting command for good.
func (b *inbox) stop() { b.once.Do(func() { close(b.done) }) }

// inboxMsg carries everything queued at one moment.
type inboxMsg struct {
	from *inbox
	msgs []tea.Msg
}

// wait is the command that delivers the next batch; the receiver re-issues
// it after handling each batch.
func (b *inbox) wait() tea.Cmd {
	return func() tea.Msg {
		select {
		case <-b.signal:
		case <-b.done:
			return nil
		}
		if wait := inboxGap - time.Since(b.last); wait > 0 {
			select {
			case <-time.After(wait):
			case <-b.done:
				return nil
			}
		}
		b.last = time.Now()
		b.mu.Lock()
		msgs := b.queue
		b.queue = nil
		b.mu.Unlock()
		return inboxMsg{from: b, msgs: msgs}
	}
}
