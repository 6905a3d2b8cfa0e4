package simulator

import (
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// TestPOP3RefusedSTLSWithPipelinedCommandThenSTLS: "STLS %" (refused: STLS
// takes no argument) with a command behind it in the same write, then a
// real STLS. The pipelined command is answered, STLS then works, and the
// session ends cleanly (the maildrop is not left locked).
func TestPOP3RefusedSTLSWithPipelinedCommandThenSTLS(t *testing.T) {
	sim := newSim(t, Options{})
	c := dial(t, sim, wire.RolePOP3)
	c.conn.SetDeadline(time.Now().Add(5 * time.Second))
	c.line()
	c.write("STLS %\r\nNOOP\r\n")
	first := c.line()
	if !strings.HasPrefix(first, "-ERR") {
		t.Fatalf("STLS %%: %q", first)
	}
	if second := c.line(); !strings.HasPrefix(second, "-ERR") && !strings.HasPrefix(second, "+OK") {
		t.Fatalf("the pipelined command got %q", second)
	}
	c.send("STLS")
	if got := c.line(); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("STLS: %q", got)
	}
	c.startTLS(sim)
	c.send("USER alice")
	c.line()
	c.send("PASS wonderland")
	if got := c.line(); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("PASS: %q", got)
	}
	c.send("QUIT")
	c.line()
	// A second session can take the maildrop: the first released it.
	d := dial(t, sim, wire.RolePOP3S)
	d.conn.SetDeadline(time.Now().Add(5 * time.Second))
	d.line()
	d.send("USER alice")
	d.line()
	d.send("PASS wonderland")
	if got := d.line(); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("second session: %q", got)
	}
}
