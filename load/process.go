package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RunKilled is the status of a run whose process ended without finishing
// it (kill -9, a crash, a power cut): set by ReapRuns, never by the run
// itself.
const RunKilled = "killed"

// Process identifies the revops process that owns a run: the host, the
// process id and a token drawn at start, so that a later process with the
// same id (pids are reused) is not taken for it.
type Process struct {
	Host  string
	PID   int
	Token string
}

// String renders the process as host:pid:token, the form stored in the
// state tables' process column.
func (p Process) String() string {
	return p.Host + ":" + strconv.Itoa(p.PID) + ":" + p.Token
}

// ParseProcess reads the host:pid:token form back; ok is false for
// anything else (rows written before processes were recorded).
func ParseProcess(s string) (p Process, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return p, false
	}
	j := strings.LastIndexByte(s[:i], ':')
	if j < 0 {
		return p, false
	}
	pid, err := strconv.Atoi(s[j+1 : i])
	if err != nil || pid <= 0 {
		return p, false
	}
	return Process{Host: s[:j], PID: pid, Token: s[i+1:]}, true
}

var self = func() Process {
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return Process{Host: host, PID: os.Getpid(), Token: hex.EncodeToString(b[:])}
}()

// Self is this process.
func Self() Process { return self }

// Gone reports whether the process p has certainly ended: it is not this
// process, and it ran on this host with a pid that no longer exists. A
// process on another host is never reported gone (it cannot be checked
// from here); with an exclusive warehouse (a DuckDB file, which one
// process holds at a time) every process but this one is gone, and
// callers pass exclusive.
func (p Process) Gone(exclusive bool) bool {
	if p == self {
		return false
	}
	if exclusive {
		return true
	}
	if p.Host != self.Host {
		return false
	}
	if p.PID == self.PID {
		// Same pid, other token: an earlier process whose pid was reused by us.
		return true
	}
	err := syscall.Kill(p.PID, 0)
	return errors.Is(err, syscall.ESRCH)
}

// Reaped is one run ReapRuns marked as killed.
type Reaped struct {
	ID      string
	Stage   string
	Target  string
	Process string
}

// ReapRuns marks every run still `running` whose process is gone (see
// Process.Gone) as killed, finished now, with an error saying so, and
// returns them. Runs recorded before processes were (no process column
// value) are taken as gone when exclusive. Callers run it when they open
// the warehouse, before starting runs of their own.
func ReapRuns(ctx context.Context, s StateStore, exclusive bool) ([]Reaped, error) {
	rdr, err := s.Query(ctx, `SELECT id, stage, target, process FROM _revops.runs WHERE status = ?`, RunRunning)
	if err != nil {
		return nil, fmt.Errorf("reap killed runs: %w", err)
	}
	_, rows, err := ReadAll(rdr)
	if err != nil {
		return nil, fmt.Errorf("reap killed runs: %w", err)
	}
	var out []Reaped
	now := time.Now().UTC()
	for _, row := range rows {
		r := Reaped{ID: asString(row[0]), Stage: asString(row[1]), Target: asString(row[2]), Process: asString(row[3])}
		p, ok := ParseProcess(r.Process)
		if ok && !p.Gone(exclusive) || !ok && !exclusive {
			continue
		}
		msg := "killed: the process running it ended before it finished"
		if ok {
			msg = fmt.Sprintf("killed: process %d on %s ended before the run finished", p.PID, p.Host)
		}
		if err := s.Exec(ctx, `UPDATE _revops.runs SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = ?`,
			RunKilled, now, msg, r.ID, RunRunning); err != nil {
			return out, fmt.Errorf("reap killed run %s: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}
