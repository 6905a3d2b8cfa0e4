package pop3

import (
	"bufio"
	"fmt"
	"net"
	"strings"
)

// concurrentSession is one of TestHundredConcurrentConnections's clients:
// even numbers read their own user's maildrop, odd numbers try alice's,
// which another session holds, and must get [IN-USE]. It returns an error
// rather than calling t.Fatal, which must not run outside the test goroutine.
func concurrentSession(addr string, i int) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	expect := func(cmd, prefix string) (string, error) {
		if cmd != "" {
			if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
				return "", err
			}
		}
		l, err := r.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("client %d %s: %v", i, cmd, err)
		}
		if !strings.HasPrefix(l, prefix) {
			return "", fmt.Errorf("client %d %s: got %q, want %q", i, cmd, l, prefix)
		}
		return l, nil
	}
	steps := [][2]string{{"", "+OK"}}
	if i%2 == 0 {
		want := fmt.Sprintf("body %d\r\n", i/2)
		steps = append(steps, [2]string{"USER user" + fmt.Sprint(i/2), "+OK"}, [2]string{"PASS pw", "+OK"},
			[2]string{"STAT", "+OK 1 "}, [2]string{"RETR 1", "+OK"})
		for _, s := range steps {
			if _, err := expect(s[0], s[1]); err != nil {
				return err
			}
		}
		var got strings.Builder
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return err
			}
			if l == ".\r\n" {
				break
			}
			got.WriteString(l)
		}
		if !strings.HasSuffix(got.String(), want) {
			return fmt.Errorf("client %d RETR got %q", i, got.String())
		}
		_, err := expect("QUIT", "+OK")
		return err
	}
	steps = append(steps, [2]string{"USER alice", "+OK"}, [2]string{"PASS wonderland", "-ERR [IN-USE]"}, [2]string{"QUIT", "+OK"})
	for _, s := range steps {
		if _, err := expect(s[0], s[1]); err != nil {
			return err
		}
	}
	return nil
}
