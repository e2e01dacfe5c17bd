package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// StateStore is the part of a Warehouse the state helpers need.
type StateStore interface {
	Exec(ctx context.Context, query string, args ...any) error
	Query(ctx context.Context, query string, args ...any) (array.RecordReader, error)
}

// Cursor is a saved extraction high-water mark.
type Cursor struct {
	Source    string
	Object    string
	Value     string
	UpdatedAt time.Time
}

// GetCursor returns the saved cursor of (source, object); ok is false when
// none was saved. Cursors are written by Land (LandOptions.Cursor), in
// the same transaction as the rows they cover.
func GetCursor(ctx context.Context, s StateStore, source, object string) (c Cursor, ok bool, err error) {
	r, err := s.Query(ctx, `SELECT source, object, value, updated_at FROM _revops.cursors WHERE source = ? AND object = ?`, source, object)
	if err != nil {
		return c, false, fmt.Errorf("read cursor %s/%s: %w", source, object, err)
	}
	_, rows, err := ReadAll(r)
	if err != nil {
		return c, false, fmt.Errorf("read cursor %s/%s: %w", source, object, err)
	}
	if len(rows) == 0 {
		return c, false, nil
	}
	row := rows[0]
	return Cursor{Source: asString(row[0]), Object: asString(row[1]), Value: asString(row[2]), UpdatedAt: asTime(row[3])}, true, nil
}

// Cursors lists every saved cursor, ordered by source and object.
func Cursors(ctx context.Context, s StateStore) ([]Cursor, error) {
	r, err := s.Query(ctx, `SELECT source, object, value, updated_at FROM _revops.cursors ORDER BY source, object`)
	if err != nil {
		return nil, fmt.Errorf("list cursors: %w", err)
	}
	_, rows, err := ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("list cursors: %w", err)
	}
	out := make([]Cursor, len(rows))
	for i, row := range rows {
		out[i] = Cursor{Source: asString(row[0]), Object: asString(row[1]), Value: asString(row[2]), UpdatedAt: asTime(row[3])}
	}
	return out, nil
}

// Run statuses.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	// RunKilled (in process.go) marks a run whose process ended first.
)

// Run is one row of _revops.runs: one stage run (an extract of one
// object, a model build, a sync).
type Run struct {
	ID          string
	Stage       string
	Target      string
	StartedAt   time.Time
	FinishedAt  time.Time
	Status      string
	RowsRead    int64
	RowsWritten int64
	Error       string
	// Process is the process that ran it (Process.String), empty in
	// rows written before processes were recorded.
	Process string
}

// StartRun records a run of stage on target as running and returns it.
func StartRun(ctx context.Context, s StateStore, stage, target string) (*Run, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	r := &Run{
		ID:        time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:4]),
		Stage:     stage,
		Target:    target,
		StartedAt: time.Now().UTC(),
		Status:    RunRunning,
		Process:   Self().String(),
	}
	err := s.Exec(ctx, `INSERT INTO _revops.runs (id, stage, target, started_at, status, process, rows_read, rows_written)
		VALUES (?, ?, ?, ?, ?, ?, 0, 0)`,
		r.ID, r.Stage, r.Target, r.StartedAt, r.Status, r.Process)
	if err != nil {
		return nil, fmt.Errorf("start run %s %s: %w", stage, target, err)
	}
	return r, nil
}

// Finish records the outcome of r: succeeded when runErr is nil, failed
// otherwise with runErr's message (which must hold no secrets: revops's
// errors name files, fields and records, never credentials).
func (r *Run) Finish(ctx context.Context, s StateStore, rowsRead, rowsWritten int64, runErr error) error {
	r.FinishedAt = time.Now().UTC()
	r.RowsRead, r.RowsWritten = rowsRead, rowsWritten
	r.Status = RunSucceeded
	var msg any
	if runErr != nil {
		r.Status = RunFailed
		r.Error = runErr.Error()
		msg = r.Error
	}
	err := s.Exec(ctx, `UPDATE _revops.runs SET finished_at = ?, status = ?, rows_read = ?, rows_written = ?, error = ? WHERE id = ?`,
		r.FinishedAt, r.Status, r.RowsRead, r.RowsWritten, msg, r.ID)
	if err != nil {
		return fmt.Errorf("finish run %s: %w", r.ID, err)
	}
	return nil
}

// Runs lists the newest runs first, at most limit of them (0 = all).
func Runs(ctx context.Context, s StateStore, limit int) ([]Run, error) {
	return listRuns(ctx, s, `SELECT id, stage, target, started_at, finished_at, status, rows_read, rows_written, error, process
		FROM _revops.runs ORDER BY started_at DESC, id DESC`, limit)
}

// LatestRuns lists the newest run of each stage and target (the state
// each object, model and source is in now), those that did not succeed
// first, then by stage and target; at most limit of them (0 = all).
func LatestRuns(ctx context.Context, s StateStore, limit int) ([]Run, error) {
	return listRuns(ctx, s, `SELECT id, stage, target, started_at, finished_at, status, rows_read, rows_written, error, process
		FROM (SELECT *, row_number() OVER (PARTITION BY stage, target ORDER BY started_at DESC, id DESC) AS n FROM _revops.runs) AS r
		WHERE n = 1
		ORDER BY CASE status WHEN 'succeeded' THEN 1 ELSE 0 END, stage, target`, limit)
}

func listRuns(ctx context.Context, s StateStore, q string, limit int) ([]Run, error) {
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rdr, err := s.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	_, rows, err := ReadAll(rdr)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	out := make([]Run, len(rows))
	for i, row := range rows {
		out[i] = Run{
			ID: asString(row[0]), Stage: asString(row[1]), Target: asString(row[2]),
			StartedAt: asTime(row[3]), FinishedAt: asTime(row[4]), Status: asString(row[5]),
			RowsRead: asInt(row[6]), RowsWritten: asInt(row[7]), Error: asString(row[8]),
			Process: asString(row[9]),
		}
	}
	return out, nil
}
