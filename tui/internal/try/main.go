// Command try runs the TUI alone, for trying it in a terminal (or tmux)
// before main.go wires it: go run ./tui/internal/try
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mailtutor/mailtutor/tui"
)

func main() {
	opts := tui.Options{}
	if len(os.Args) > 1 {
		opts.ReplayFile = os.Args[1]
	}
	if err := tui.Run(context.Background(), opts); err != nil {
		fmt.Fprintln(os.Stderr, "mailtutor:", err)
		os.Exit(1)
	}
}
