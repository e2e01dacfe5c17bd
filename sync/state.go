package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/load"
)

// Warehouse is what the engine needs of a warehouse: statements and Arrow
// results. load/duckdb's Warehouse satisfies it.
type Warehouse interface {
	Dialect() string
	Exec(ctx context.Context, query string, args ...any) error
	Query(ctx context.Context, query string, args ...any) (array.RecordReader, error)
}

// stateDDL creates the engine's tables in the _revops schema.
var stateDDL = []string{
	`CREATE SCHEMA IF NOT EXISTS _revops`,
	// What was last written, per sync and key.
	`CREATE TABLE IF NOT EXISTS _revops.sync_snapshots (
		sync VARCHAR NOT NULL,
		key VARCHAR NOT NULL,
		row_hash VARCHAR NOT NULL,
		destination_id VARCHAR,
		written_at TIMESTAMP WITH TIME ZONE NOT NULL,
		PRIMARY KEY (sync, key))`,
	// Rows the destination refused (or the engine could not send).
	`CREATE TABLE IF NOT EXISTS _revops.sync_failures (
		sync VARCHAR NOT NULL,
		key VARCHAR NOT NULL,
		code VARCHAR NOT NULL,
		message VARCHAR,
		fields VARCHAR,
		retryable BOOLEAN,
		attempts BIGINT NOT NULL,
		first_seen TIMESTAMP WITH TIME ZONE NOT NULL,
		last_seen TIMESTAMP WITH TIME ZONE NOT NULL,
		run_id VARCHAR,
		PRIMARY KEY (sync, key))`,
	// Creates sent but whose answer is not recorded yet.
	`CREATE TABLE IF NOT EXISTS _revops.sync_inflight (
		sync VARCHAR NOT NULL,
		key VARCHAR NOT NULL,
		run_id VARCHAR NOT NULL,
		op VARCHAR NOT NULL,
		row_hash VARCHAR NOT NULL,
		match_values VARCHAR,
		sent_at TIMESTAMP WITH TIME ZONE NOT NULL,
		PRIMARY KEY (sync, key))`,
	`CREATE TABLE IF NOT EXISTS _revops.sync_runs (
		id VARCHAR NOT NULL,
		sync VARCHAR NOT NULL,
		kind VARCHAR NOT NULL,
		plan_id VARCHAR,
		started_at TIMESTAMP WITH TIME ZONE NOT NULL,
		finished_at TIMESTAMP WITH TIME ZONE,
		status VARCHAR NOT NULL,
		planned BIGINT, added BIGINT, changed BIGINT, removed BIGINT,
		succeeded BIGINT, failed BIGINT, skipped BIGINT,
		api_calls BIGINT, seconds DOUBLE,
		error VARCHAR)`,
	// One row per planned row: the operation and, per field, before/after.
	`CREATE TABLE IF NOT EXISTS _revops.sync_plans (
		plan_id VARCHAR NOT NULL,
		sync VARCHAR NOT NULL,
		created_at TIMESTAMP WITH TIME ZONE NOT NULL,
		seq BIGINT NOT NULL,
		key VARCHAR NOT NULL,
		change VARCHAR NOT NULL,
		op VARCHAR NOT NULL,
		destination_id VARCHAR,
		row_hash VARCHAR,
		fields VARCHAR,
		applied_run VARCHAR)`,
}

// EnsureState creates the engine's _revops tables when missing.
func EnsureState(ctx context.Context, w Warehouse) error {
	for _, s := range stateDDL {
		if err := w.Exec(ctx, s); err != nil {
			return fmt.Errorf("sync: create state tables: %w", err)
		}
	}
	return nil
}

// chunk bounds the rows of one multi-row statement.
const chunk = 500

// insertRows runs one INSERT ... VALUES statement per chunk of rows.
// head is the statement up to VALUES, tail what follows the rows (an ON
// CONFLICT clause).
func insertRows(ctx context.Context, w Warehouse, head, tail string, rows [][]any) error {
	for start := 0; start < len(rows); start += chunk {
		end := min(start+chunk, len(rows))
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		var args []any
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("?")
			}
			b.WriteString(")")
			args = append(args, r...)
		}
		b.WriteString(" ")
		b.WriteString(tail)
		if err := w.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// deleteKeys deletes the rows of table for sync whose key is in keys.
func deleteKeys(ctx context.Context, w Warehouse, table, sync string, keys []string) error {
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		ph := strings.TrimSuffix(strings.Repeat("?, ", end-start), ", ")
		args := []any{sync}
		for _, k := range keys[start:end] {
			args = append(args, k)
		}
		if err := w.Exec(ctx, "DELETE FROM _revops."+table+" WHERE sync = ? AND key IN ("+ph+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// snapshotRow is one written row.
type snapshotRow struct {
	Key, Hash, DestID string
}

func writeSnapshots(ctx context.Context, w Warehouse, sync string, rows []snapshotRow, at time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	vals := make([][]any, len(rows))
	for i, r := range rows {
		vals[i] = []any{sync, r.Key, r.Hash, nullable(r.DestID), at}
	}
	err := insertRows(ctx, w, `INSERT INTO _revops.sync_snapshots (sync, key, row_hash, destination_id, written_at)`,
		`ON CONFLICT (sync, key) DO UPDATE SET row_hash = excluded.row_hash,
			destination_id = coalesce(excluded.destination_id, sync_snapshots.destination_id), written_at = excluded.written_at`, vals)
	if err != nil {
		return fmt.Errorf("sync %s: record snapshots: %w", sync, err)
	}
	return nil
}

// failureRow is one row that was not written.
type failureRow struct {
	Key string
	Err *RowError
}

func writeFailures(ctx context.Context, w Warehouse, sync, runID string, rows []failureRow, at time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	vals := make([][]any, len(rows))
	for i, r := range rows {
		vals[i] = []any{sync, r.Key, r.Err.Code, r.Err.Message, strings.Join(r.Err.Fields, ","), r.Err.Retryable, int64(1), at, at, runID}
	}
	err := insertRows(ctx, w, `INSERT INTO _revops.sync_failures (sync, key, code, message, fields, retryable, attempts, first_seen, last_seen, run_id)`,
		`ON CONFLICT (sync, key) DO UPDATE SET code = excluded.code, message = excluded.message, fields = excluded.fields,
			retryable = excluded.retryable, attempts = sync_failures.attempts + 1, last_seen = excluded.last_seen, run_id = excluded.run_id`, vals)
	if err != nil {
		return fmt.Errorf("sync %s: record failures: %w", sync, err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Failure is one row of _revops.sync_failures.
type Failure struct {
	Sync      string    `json:"sync"`
	Key       string    `json:"key"`
	Code      string    `json:"code"`
	Message   string    `json:"message"`
	Fields    string    `json:"fields,omitempty"`
	Retryable bool      `json:"retryable"`
	Attempts  int64     `json:"attempts"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	RunID     string    `json:"run_id"`
}

// Failures lists the recorded failures of the named syncs (all when
// names is empty), newest first, at most limit (0 = all).
func Failures(ctx context.Context, w Warehouse, names []string, limit int) ([]Failure, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := `SELECT sync, key, code, message, fields, retryable, attempts, first_seen, last_seen, run_id FROM _revops.sync_failures`, []any{}
	q, args = whereSyncs(q, args, names)
	q += ` ORDER BY last_seen DESC, sync, key`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sync: list failures: %w", err)
	}
	out := make([]Failure, len(rows))
	for i, r := range rows {
		out[i] = Failure{Sync: str(r[0]), Key: str(r[1]), Code: str(r[2]), Message: str(r[3]), Fields: str(r[4]),
			Retryable: r[5] == true, Attempts: num(r[6]), FirstSeen: tm(r[7]), LastSeen: tm(r[8]), RunID: str(r[9])}
	}
	return out, nil
}

// RunRecord is one row of _revops.sync_runs.
type RunRecord struct {
	ID         string    `json:"id"`
	Sync       string    `json:"sync"`
	Kind       string    `json:"kind"`
	PlanID     string    `json:"plan_id,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Status     string    `json:"status"`
	Counts
	// APICalls counts the HTTP requests the destination sent during the
	// run (retries and token refreshes included) when it is a
	// RequestCounter, else the engine's Describe/Find/Read/Write calls.
	APICalls int64   `json:"api_calls"`
	Seconds  float64 `json:"seconds"`
	Error    string  `json:"error,omitempty"`
}

// Counts are a run's row figures.
type Counts struct {
	Planned   int64 `json:"planned"`
	Added     int64 `json:"added"`
	Changed   int64 `json:"changed"`
	Removed   int64 `json:"removed"`
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	Skipped   int64 `json:"skipped"`
}

// History lists sync runs of the named syncs (all when empty), newest
// first, at most limit (0 = all).
func History(ctx context.Context, w Warehouse, names []string, limit int) ([]RunRecord, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := `SELECT id, sync, kind, plan_id, started_at, finished_at, status, planned, added, changed, removed,
		succeeded, failed, skipped, api_calls, seconds, error FROM _revops.sync_runs`, []any{}
	q, args = whereSyncs(q, args, names)
	q += ` ORDER BY started_at DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sync: list runs: %w", err)
	}
	out := make([]RunRecord, len(rows))
	for i, r := range rows {
		sec, _ := r[15].(float64)
		out[i] = RunRecord{ID: str(r[0]), Sync: str(r[1]), Kind: str(r[2]), PlanID: str(r[3]), StartedAt: tm(r[4]),
			FinishedAt: tm(r[5]), Status: str(r[6]),
			Counts:   Counts{Planned: num(r[7]), Added: num(r[8]), Changed: num(r[9]), Removed: num(r[10]), Succeeded: num(r[11]), Failed: num(r[12]), Skipped: num(r[13])},
			APICalls: num(r[14]), Seconds: sec, Error: str(r[16])}
	}
	return out, nil
}

func startRunRecord(ctx context.Context, w Warehouse, rec *RunRecord) error {
	err := w.Exec(ctx, `INSERT INTO _revops.sync_runs (id, sync, kind, plan_id, started_at, status) VALUES (?, ?, ?, ?, ?, ?)`,
		rec.ID, rec.Sync, rec.Kind, nullable(rec.PlanID), rec.StartedAt, load.RunRunning)
	if err != nil {
		return fmt.Errorf("sync %s: record run: %w", rec.Sync, err)
	}
	return nil
}

func finishRunRecord(ctx context.Context, w Warehouse, rec *RunRecord) error {
	c := rec.Counts
	err := w.Exec(ctx, `UPDATE _revops.sync_runs SET finished_at = ?, status = ?, planned = ?, added = ?, changed = ?, removed = ?,
		succeeded = ?, failed = ?, skipped = ?, api_calls = ?, seconds = ?, error = ? WHERE id = ?`,
		rec.FinishedAt, rec.Status, c.Planned, c.Added, c.Changed, c.Removed, c.Succeeded, c.Failed, c.Skipped,
		rec.APICalls, rec.Seconds, nullable(rec.Error), rec.ID)
	if err != nil {
		return fmt.Errorf("sync %s: record run: %w", rec.Sync, err)
	}
	return nil
}

func whereSyncs(q string, args []any, names []string) (string, []any) {
	if len(names) == 0 {
		return q, args
	}
	q += ` WHERE sync IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + `)`
	for _, n := range names {
		args = append(args, n)
	}
	return q, args
}

func queryRows(ctx context.Context, w Warehouse, q string, args ...any) ([][]any, error) {
	r, err := w.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	_, rows, err := load.ReadAll(r)
	return rows, err
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

func tm(v any) time.Time {
	t, _ := v.(time.Time)
	return t
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}
