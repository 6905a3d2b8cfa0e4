//go:build !linux

package main

import "errors"

// serveLoop needs epoll: Linux only.
func serveLoop(addr, message string) error {
	return errors.New("pop3-loop: only on Linux (it uses epoll); pass -pop3-loop \"\"")
}
