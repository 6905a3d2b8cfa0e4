package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"runtime"
	"syscall"
)

// serveLoop answers POP3 on addr from one epoll loop on one locked thread:
// level-triggered, non-blocking sockets, one read and one write per ready
// connection. It returns only if the listener cannot be set up.
func serveLoop(addr, message string) error {
	runtime.LockOSThread()
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Is4() || !ap.Addr().IsLoopback() {
		return fmt.Errorf("pop3-loop: want a loopback IPv4 address and port, not %q", addr)
	}
	lfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	syscall.SetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err := syscall.Bind(lfd, &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}); err != nil {
		return fmt.Errorf("pop3-loop: %w", err)
	}
	if err := syscall.Listen(lfd, 128); err != nil {
		return err
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	watch := func(fd int) error {
		return syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)})
	}
	if err := watch(lfd); err != nil {
		return err
	}

	partial := map[int][]byte{} // bytes of an unfinished command line, per connection
	events := make([]syscall.EpollEvent, 64)
	in := make([]byte, 4096)
	var out []byte
	for {
		n, err := syscall.EpollWait(ep, events, -1)
		if err != nil {
			continue // EINTR
		}
		for _, ev := range events[:n] {
			fd := int(ev.Fd)
			if fd == lfd {
				for {
					c, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
					if err != nil {
						break // EAGAIN: no more waiting
					}
					syscall.SetsockoptInt(c, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
					if watch(c) != nil {
						syscall.Close(c)
						continue
					}
					syscall.Write(c, []byte("+OK ceiling loop\r\n"))
				}
				continue
			}
			k, err := syscall.Read(fd, in)
			if err == syscall.EAGAIN {
				continue
			}
			if k <= 0 {
				syscall.Close(fd) // also leaves the epoll set
				delete(partial, fd)
				continue
			}
			lines := append(partial[fd], in[:k]...)
			out = out[:0]
			quit := false
			for !quit {
				i := bytes.IndexByte(lines, '\n')
				if i < 0 {
					break
				}
				var answer string
				answer, quit = pop3Answer(string(lines[:i+1]), message)
				out = append(out, answer...)
				lines = lines[i+1:]
			}
			partial[fd] = append(partial[fd][:0], lines...)
			// A short write is not retried: a load generator waits for
			// each answer, and one answer fits the socket buffer.
			syscall.Write(fd, out)
			if quit {
				syscall.Close(fd)
				delete(partial, fd)
			}
		}
	}
}
