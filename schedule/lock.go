package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// Holder is what a lock file says about the process that holds it.
type Holder struct {
	PID  int    `json:"pid"`
	Host string `json:"host"`
	// Token tells two processes with the same pid apart (a pid reused
	// after a restart, as pid 1 in a container is).
	Token     string    `json:"token"`
	StartedAt time.Time `json:"started_at"`
	// Command is what the holder is doing ("revops run --every 15m").
	Command string `json:"command,omitempty"`
}

func (h Holder) String() string {
	return fmt.Sprintf("pid %d on %s since %s", h.PID, h.Host, h.StartedAt.Local().Format(time.RFC3339))
}

// Lock is a held lock file. Only one process holds the lock of a
// warehouse at a time; Release removes the file.
type Lock struct {
	path string
	me   Holder
}

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// LockedError is returned by Acquire when a live process holds the lock
// (or one on another host, whose liveness cannot be checked from here).
type LockedError struct {
	Path   string
	Holder Holder
	// OtherHost: the holder runs on another host; it may be gone, but
	// revops cannot tell.
	OtherHost bool
}

func (e *LockedError) Error() string {
	what := e.Holder.Command
	if what == "" {
		what = "revops"
	}
	if e.OtherHost {
		return fmt.Sprintf("the warehouse is locked by %s (%s), on another host, so revops cannot tell whether it still runs; "+
			"if it does not, remove %s", what, e.Holder, e.Path)
	}
	return fmt.Sprintf("the warehouse is locked by %s (%s), which is still running; wait for it to finish or stop it (lock file %s)",
		what, e.Holder, e.Path)
}

// Acquire takes the lock file at path for me. When the file names a
// process that is gone (a revops killed with kill -9, a crash, a power
// cut), the lock is stale: Acquire takes it over and returns the dead
// holder in stale. A live holder is a *LockedError.
func Acquire(path string, me Holder) (l *Lock, stale *Holder, err error) {
	if me.StartedAt.IsZero() {
		me.StartedAt = time.Now().UTC()
	}
	body, err := json.Marshal(me)
	if err != nil {
		return nil, nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Two tries: the second after removing a stale file (another
	// process may take it in between: then it is live and refuses us).
	for try := 0; try < 2; try++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.Write(append(body, '\n'))
			cerr := f.Close()
			if werr != nil || cerr != nil {
				_ = os.Remove(path)
				return nil, nil, fmt.Errorf("lock %s: write: %w", path, errors.Join(werr, cerr))
			}
			return &Lock{path: path, me: me}, stale, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, nil, fmt.Errorf("lock %s: %w", path, err)
		}
		h, rerr := readHolder(path)
		if errors.Is(rerr, fs.ErrNotExist) {
			continue // released meanwhile
		}
		if rerr != nil {
			// An unreadable or half-written file: written by a process
			// that died while writing it, or not ours at all. Treat as
			// stale only when it is old enough that no writer is still
			// at it.
			if info, serr := os.Stat(path); serr == nil && time.Since(info.ModTime()) > 5*time.Second {
				stale = &Holder{}
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, nil, fmt.Errorf("lock %s: remove unreadable lock: %w", path, err)
				}
				continue
			}
			return nil, nil, fmt.Errorf("lock %s: %w", path, rerr)
		}
		switch {
		case h.Host != me.Host:
			return nil, nil, &LockedError{Path: path, Holder: h, OtherHost: true}
		case h.PID == me.PID && h.Token == me.Token:
			return nil, nil, fmt.Errorf("lock %s: already held by this process", path)
		case h.PID != me.PID && alive(h.PID):
			return nil, nil, &LockedError{Path: path, Holder: h}
		}
		// Same host, and the pid is gone (or is ours: an earlier process
		// whose pid we were given).
		stale = &h
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("lock %s: remove stale lock of %s: %w", path, h, err)
		}
	}
	return nil, nil, fmt.Errorf("lock %s: another process took the lock while a stale one was being replaced", path)
}

// Release removes the lock file if it is still this lock's.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	h, err := readHolder(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && (h.PID != l.me.PID || h.Token != l.me.Token) {
		return fmt.Errorf("lock %s: held by %s now, not this process; left in place", l.path, h)
	}
	if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lock %s: release: %w", l.path, err)
	}
	return nil
}

func readHolder(path string) (Holder, error) {
	var h Holder
	data, err := os.ReadFile(path)
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(data))), &h); err != nil || h.PID <= 0 {
		return h, fmt.Errorf("lock file %s is not a revops lock (%d bytes)", path, len(data))
	}
	return h, nil
}

// alive reports whether a process with pid exists on this host. A
// process we may not signal (EPERM) exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
