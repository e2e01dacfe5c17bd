//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal: the master (what a terminal emulator
// reads) and the slave (what a program writes to, a terminal for
// term.IsTerminal).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	unlock := int32(0)
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Skipf("unlock pty: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Skipf("pty number: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pty slave: %v", err)
	}
	// A terminal 100 columns wide (a new one is 0 by 0).
	ws := [4]uint16{40, 100, 0, 0}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, s.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); e != 0 {
		m.Close()
		s.Close()
		t.Skipf("pty size: %v", e)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// drain reads what the terminal shows until stop is called.
type drain struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (d *drain) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.buf.Write(p)
}

func (d *drain) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.buf.String()
}

// TestProgressOnlyWhenStdoutIsATerminal: with stderr a terminal but
// stdout piped (revops extract > file), no bar, spinner or escape code
// is drawn anywhere; with both a terminal the bars are drawn (so the
// check above can see them) and cleared when done.
func TestProgressOnlyWhenStdoutIsATerminal(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "200", "--write-config", cfg)
	env := func(string) (string, bool) { return "", false }

	extract := func(stdout io.Writer, stderr *os.File, master *os.File) string {
		t.Helper()
		var screen drain
		done := make(chan struct{})
		go func() { _, _ = io.Copy(&screen, master); close(done) }()
		code := run(t.Context(), []string{"extract", "-c", cfg, "--full-refresh"}, stdout, stderr, env)
		if code != 0 {
			t.Fatalf("extract: exit %d\n%s", code, screen.String())
		}
		// Let the terminal deliver what was written.
		time.Sleep(300 * time.Millisecond)
		stderr.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		return screen.String()
	}

	master, slave := openPTY(t)
	var out bytes.Buffer
	screen := extract(&out, slave, master)
	if strings.Contains(screen, "\x1b[") || strings.Contains(screen, "records") || strings.Contains(out.String(), "\x1b[") {
		t.Errorf("stdout piped: progress drawn on stderr's terminal:\n%q\nstdout:\n%q", screen, out.String())
	}
	if !strings.Contains(out.String(), "extracted ") {
		t.Errorf("stdout lacks the summary:\n%s", out.String())
	}

	// Both a terminal: bars are drawn (and the summary follows them).
	master, slave = openPTY(t)
	screen = extract(slave, slave, master)
	if !strings.Contains(screen, "\x1b[") {
		t.Errorf("stdout and stderr a terminal: no progress drawn:\n%q", screen)
	}
	if i := strings.LastIndex(screen, "extracted "); i < 0 || strings.Contains(screen[i:], "records") {
		t.Errorf("the summary should come last, after the bars were cleared:\n%q", screen)
	}
}
