package sync

import (
	"context"
	"database/sql"
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
	// Writes sent but whose answer is not recorded yet (see
	// Runner.resolveInflight).
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
	// Columns added after the first release (kept apart so that older
	// warehouses gain them): the values a snapshot's write sent, per
	// field (JSON), so a plan knows what revops itself wrote since the
	// destination's last extract; the process that ran a sync run (to
	// tell killed runs); rows a run found written by an earlier, stopped
	// run (recovered) and rows apply refused because the destination
	// changed since the plan (refused, counted in failed too).
	`ALTER TABLE _revops.sync_snapshots ADD COLUMN IF NOT EXISTS written_values VARCHAR`,
	`ALTER TABLE _revops.sync_runs ADD COLUMN IF NOT EXISTS process VARCHAR`,
	`ALTER TABLE _revops.sync_runs ADD COLUMN IF NOT EXISTS recovered BIGINT`,
	`ALTER TABLE _revops.sync_runs ADD COLUMN IF NOT EXISTS refused BIGINT`,
	// An in-flight write's record id (updates, deletes, and upserts of
	// known records) and the field values it sent (JSON; none for a
	// delete), to tell after a lost answer whether the destination holds
	// them.
	`ALTER TABLE _revops.sync_inflight ADD COLUMN IF NOT EXISTS destination_id VARCHAR`,
	`ALTER TABLE _revops.sync_inflight ADD COLUMN IF NOT EXISTS sent_values VARCHAR`,
	// The object a snapshot's (or an in-flight write's, or a planned
	// row's) record lives in when it is not the sync's own: a Lead sync's
	// row written to the Contact its lead became (NULL: the sync's object).
	`ALTER TABLE _revops.sync_snapshots ADD COLUMN IF NOT EXISTS destination_object VARCHAR`,
	`ALTER TABLE _revops.sync_inflight ADD COLUMN IF NOT EXISTS destination_object VARCHAR`,
	// Rows unlinked from a deleted record, recreated, and sent to review
	// (several matching records), per run.
	`ALTER TABLE _revops.sync_runs ADD COLUMN IF NOT EXISTS unlinked BIGINT`,
	`ALTER TABLE _revops.sync_runs ADD COLUMN IF NOT EXISTS recreated BIGINT`,
	`ALTER TABLE _revops.sync_runs ADD COLUMN IF NOT EXISTS review BIGINT`,
	// Rows whose duplicate-check values match several records: they are
	// not written until one record is left (someone merges or deletes the
	// others, or the row changes); each run tries them again.
	`CREATE TABLE IF NOT EXISTS _revops.sync_review (
		sync VARCHAR NOT NULL,
		key VARCHAR NOT NULL,
		candidates VARCHAR NOT NULL,
		row_values VARCHAR,
		message VARCHAR,
		attempts BIGINT NOT NULL,
		first_seen TIMESTAMP WITH TIME ZONE NOT NULL,
		last_seen TIMESTAMP WITH TIME ZONE NOT NULL,
		run_id VARCHAR,
		PRIMARY KEY (sync, key))`,
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
	`ALTER TABLE _revops.sync_plans ADD COLUMN IF NOT EXISTS destination_object VARCHAR`,
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

// stmt is one statement and its arguments.
type stmt struct {
	q    string
	args []any
}

// batch collects statements that record one outcome (an API answer and
// the run's counts) and runs them in one transaction when the warehouse
// offers one, so that a killed run leaves either all of them or none.
type batch struct {
	stmts []stmt
}

func (b *batch) add(q string, args ...any) { b.stmts = append(b.stmts, stmt{q, args}) }

// txExecer is a warehouse that runs statements in one transaction itself
// (load/bigquery: one script job).
type txExecer interface {
	ExecTx(ctx context.Context, queries []string, args [][]any) error
}

// txer is a warehouse whose database handle runs transactions
// (load/duckdb's Warehouse).
type txer interface {
	DB() *sql.DB
}

// exec runs the statements in one transaction when w is a txExecer or a
// txer, else one after the other.
func (b *batch) exec(ctx context.Context, w Warehouse) error {
	if len(b.stmts) == 0 {
		return nil
	}
	if x, ok := w.(txExecer); ok {
		qs, args := make([]string, len(b.stmts)), make([][]any, len(b.stmts))
		for i, s := range b.stmts {
			qs[i], args[i] = s.q, s.args
		}
		return x.ExecTx(ctx, qs, args)
	}
	t, ok := w.(txer)
	if !ok || t.DB() == nil {
		for _, s := range b.stmts {
			if err := w.Exec(ctx, s.q, s.args...); err != nil {
				return err
			}
		}
		return nil
	}
	tx, err := t.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	for _, s := range b.stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insertRows adds one INSERT ... VALUES statement per chunk of rows. head
// is the statement up to VALUES, tail what follows the rows (an ON
// CONFLICT clause).
func (b *batch) insertRows(head, tail string, rows [][]any) {
	for start := 0; start < len(rows); start += chunk {
		end := min(start+chunk, len(rows))
		var q strings.Builder
		q.WriteString(head)
		q.WriteString(" VALUES ")
		var args []any
		for i, r := range rows[start:end] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString("?")
			}
			q.WriteString(")")
			args = append(args, r...)
		}
		q.WriteString(" ")
		q.WriteString(tail)
		b.add(q.String(), args...)
	}
}

// deleteKeys adds the deletion of the rows of table for sync whose key is
// in keys.
func (b *batch) deleteKeys(table, sync string, keys []string) {
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		ph := strings.TrimSuffix(strings.Repeat("?, ", end-start), ", ")
		args := []any{sync}
		for _, k := range keys[start:end] {
			args = append(args, k)
		}
		b.add("DELETE FROM _revops."+table+" WHERE sync = ? AND key IN ("+ph+")", args...)
	}
}

// insertRows runs one INSERT ... VALUES statement per chunk of rows.
func insertRows(ctx context.Context, w Warehouse, head, tail string, rows [][]any) error {
	var b batch
	b.insertRows(head, tail, rows)
	return b.exec(ctx, w)
}

// snapshotRow is one written row. Values are the field values the write
// sent (nil: not known, the snapshot keeps what it held). Object is the
// record's object when it is not the sync's.
type snapshotRow struct {
	Key, Hash, DestID, Object string
	Values                    map[string]any
}

// unlinkedHash marks a snapshot whose record was deleted by someone else
// under on_deleted: unlink: the row is no longer written (the diff skips
// it) until `revops sync reset` forgets the decision.
const unlinkedHash = "~"

// unlink adds the marking of keys as unlinked (no record, not written).
func (b *batch) unlink(sync string, keys []string, at time.Time) {
	vals := make([][]any, len(keys))
	for i, k := range keys {
		vals[i] = []any{sync, k, unlinkedHash, nil, nil, at, nil}
	}
	b.insertRows(`INSERT INTO _revops.sync_snapshots (sync, key, row_hash, destination_id, destination_object, written_at, written_values)`,
		`ON CONFLICT (sync, key) DO UPDATE SET row_hash = excluded.row_hash, destination_id = NULL, destination_object = NULL,
			written_at = excluded.written_at, written_values = NULL`, vals)
}

// reviewRow is a row whose values match several records.
type reviewRow struct {
	Key        string
	Candidates []Candidate
	Values     map[string]any
	Message    string
}

// clearFailures adds the removal of the recorded failures (and review
// entries) of keys.
func (b *batch) clearFailures(sync string, keys []string) {
	b.deleteKeys("sync_failures", sync, keys)
	b.deleteKeys("sync_review", sync, keys)
}

// reviewRows adds the recording of rows sent to review: in
// _revops.sync_review with their candidates, and as failures with code
// AMBIGUOUS_MATCH (retried every run, cleared like any failure), so that
// `revops sync failures` and --retry-failed see them too.
func (b *batch) reviewRows(sync, runID string, rows []reviewRow, at time.Time) {
	if len(rows) == 0 {
		return
	}
	b.review(sync, runID, rows, at)
	f := make([]failureRow, len(rows))
	for i, r := range rows {
		f[i] = failureRow{Key: r.Key, Err: &RowError{Code: CodeAmbiguousMatch, Message: r.Message, Retryable: true}}
	}
	b.failures(sync, runID, f, at)
}

// review adds the recording of rows sent to review.
func (b *batch) review(sync, runID string, rows []reviewRow, at time.Time) {
	if len(rows) == 0 {
		return
	}
	vals := make([][]any, len(rows))
	for i, r := range rows {
		vals[i] = []any{sync, r.Key, toJSON(r.Candidates), toJSON(r.Values), r.Message, int64(1), at, at, runID}
	}
	b.insertRows(`INSERT INTO _revops.sync_review (sync, key, candidates, row_values, message, attempts, first_seen, last_seen, run_id)`,
		`ON CONFLICT (sync, key) DO UPDATE SET candidates = excluded.candidates, row_values = excluded.row_values,
			message = excluded.message, attempts = sync_review.attempts + 1, last_seen = excluded.last_seen, run_id = excluded.run_id`, vals)
}

// markUnknown adds the marking of the snapshots of keys as holding
// unknownHash: a write to their records has an unknown outcome, so the
// next diff sends them again whatever the model holds. The destination
// id and the values of the last confirmed write stay.
func (b *batch) markUnknown(sync string, keys []string) {
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		ph := strings.TrimSuffix(strings.Repeat("?, ", end-start), ", ")
		args := []any{unknownHash, sync}
		for _, k := range keys[start:end] {
			args = append(args, k)
		}
		b.add("UPDATE _revops.sync_snapshots SET row_hash = ? WHERE sync = ? AND key IN ("+ph+")", args...)
	}
}

// snapshots adds the recording of written rows.
func (b *batch) snapshots(sync string, rows []snapshotRow, at time.Time) {
	if len(rows) == 0 {
		return
	}
	vals := make([][]any, len(rows))
	for i, r := range rows {
		var written any
		if r.Values != nil {
			written = toJSON(r.Values)
		}
		vals[i] = []any{sync, r.Key, r.Hash, nullable(r.DestID), nullable(r.Object), at, written}
	}
	b.insertRows(`INSERT INTO _revops.sync_snapshots (sync, key, row_hash, destination_id, destination_object, written_at, written_values)`,
		`ON CONFLICT (sync, key) DO UPDATE SET row_hash = excluded.row_hash,
			destination_id = coalesce(excluded.destination_id, sync_snapshots.destination_id),
			destination_object = CASE WHEN excluded.destination_id IS NULL THEN sync_snapshots.destination_object
				ELSE excluded.destination_object END,
			written_at = excluded.written_at,
			written_values = coalesce(excluded.written_values, sync_snapshots.written_values)`, vals)
}

// failureRow is one row that was not written.
type failureRow struct {
	Key string
	Err *RowError
}

// failures adds the recording of failed rows.
func (b *batch) failures(sync, runID string, rows []failureRow, at time.Time) {
	if len(rows) == 0 {
		return
	}
	vals := make([][]any, len(rows))
	for i, r := range rows {
		vals[i] = []any{sync, r.Key, r.Err.Code, r.Err.Message, strings.Join(r.Err.Fields, ","), r.Err.Retryable, int64(1), at, at, runID}
	}
	b.insertRows(`INSERT INTO _revops.sync_failures (sync, key, code, message, fields, retryable, attempts, first_seen, last_seen, run_id)`,
		`ON CONFLICT (sync, key) DO UPDATE SET code = excluded.code, message = excluded.message, fields = excluded.fields,
			retryable = excluded.retryable, attempts = sync_failures.attempts + 1, last_seen = excluded.last_seen, run_id = excluded.run_id`, vals)
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
	// Process is the process that ran it (load.Process, host:pid:token).
	Process string `json:"process,omitempty"`
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
	// Recovered counts rows an earlier run sent without recording the
	// answer (it stopped or was killed) that this run found written at
	// the destination and recorded, without sending them again.
	Recovered int64 `json:"recovered"`
	// Refused counts rows apply did not send because their destination
	// record changed since the plan (DESTINATION_CHANGED); they are
	// counted in Failed too.
	Refused int64 `json:"refused"`
	// Unlinked counts rows whose record was deleted by someone else and
	// that the run unlinked (on_deleted: unlink): no longer written.
	Unlinked int64 `json:"unlinked"`
	// Recreated counts records deleted by someone else that the run
	// created again (on_deleted: recreate); they are in Succeeded too.
	Recreated int64 `json:"recreated"`
	// Review counts rows whose duplicate-check values matched several
	// records: not written, listed in _revops.sync_review.
	Review int64 `json:"review"`
}

// History lists sync runs of the named syncs (all when empty), newest
// first, at most limit (0 = all).
func History(ctx context.Context, w Warehouse, names []string, limit int) ([]RunRecord, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := whereSyncs(runColumns, []any{}, names)
	q += ` ORDER BY started_at DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	out, err := readRuns(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sync: list runs: %w", err)
	}
	return out, nil
}

const runColumns = `SELECT id, sync, kind, plan_id, started_at, finished_at, status, planned, added, changed, removed,
		succeeded, failed, skipped, api_calls, seconds, error, recovered, refused, process, unlinked, recreated, review FROM _revops.sync_runs`

func readRuns(ctx context.Context, w Warehouse, q string, args ...any) ([]RunRecord, error) {
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, err
	}
	out := make([]RunRecord, len(rows))
	for i, r := range rows {
		sec, _ := r[15].(float64)
		out[i] = RunRecord{ID: str(r[0]), Sync: str(r[1]), Kind: str(r[2]), PlanID: str(r[3]), StartedAt: tm(r[4]),
			FinishedAt: tm(r[5]), Status: str(r[6]),
			Counts: Counts{Planned: num(r[7]), Added: num(r[8]), Changed: num(r[9]), Removed: num(r[10]), Succeeded: num(r[11]),
				Failed: num(r[12]), Skipped: num(r[13]), Recovered: num(r[17]), Refused: num(r[18]),
				Unlinked: num(r[20]), Recreated: num(r[21]), Review: num(r[22])},
			APICalls: num(r[14]), Seconds: sec, Error: str(r[16]), Process: str(r[19])}
	}
	return out, nil
}

func startRunRecord(ctx context.Context, w Warehouse, rec *RunRecord) error {
	rec.Process = load.Self().String()
	err := w.Exec(ctx, `INSERT INTO _revops.sync_runs (id, sync, kind, plan_id, started_at, status, process,
		planned, added, changed, removed, succeeded, failed, skipped, recovered, refused, api_calls, unlinked, recreated, review)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
		rec.ID, rec.Sync, rec.Kind, nullable(rec.PlanID), rec.StartedAt, load.RunRunning, rec.Process)
	if err != nil {
		return fmt.Errorf("sync %s: record run: %w", rec.Sync, err)
	}
	return nil
}

// counts adds the update of a running run's counts to the batch: it goes
// with every recorded answer, so that a run killed at any point has
// counts that match what its snapshots and failures hold.
func (b *batch) counts(rep *Report) {
	if rep.ID == "" || rep.Kind == "plan" {
		return
	}
	c := rep.Counts
	b.add(`UPDATE _revops.sync_runs SET planned = ?, added = ?, changed = ?, removed = ?, succeeded = ?, failed = ?, skipped = ?,
		recovered = ?, refused = ?, api_calls = ?, unlinked = ?, recreated = ?, review = ? WHERE id = ?`,
		c.Planned, c.Added, c.Changed, c.Removed, c.Succeeded, c.Failed, c.Skipped, c.Recovered, c.Refused, rep.calls(),
		c.Unlinked, c.Recreated, c.Review, rep.ID)
}

func finishRunRecord(ctx context.Context, w Warehouse, rec *RunRecord) error {
	c := rec.Counts
	err := w.Exec(ctx, `UPDATE _revops.sync_runs SET finished_at = ?, status = ?, planned = ?, added = ?, changed = ?, removed = ?,
		succeeded = ?, failed = ?, skipped = ?, recovered = ?, refused = ?, api_calls = ?, seconds = ?, error = ?,
		unlinked = ?, recreated = ?, review = ? WHERE id = ?`,
		rec.FinishedAt, rec.Status, c.Planned, c.Added, c.Changed, c.Removed, c.Succeeded, c.Failed, c.Skipped, c.Recovered, c.Refused,
		rec.APICalls, rec.Seconds, nullable(rec.Error), c.Unlinked, c.Recreated, c.Review, rec.ID)
	if err != nil {
		return fmt.Errorf("sync %s: record run: %w", rec.Sync, err)
	}
	return nil
}

// ReapRuns marks every sync run still `running` whose process is gone
// (see load.Process.Gone; pass exclusive for a warehouse one process holds
// at a time, such as a DuckDB file) as killed (load.RunKilled), finished
// now, with an error saying so, and returns them. Runs recorded before
// processes were (no process) are taken as gone when exclusive. A killed
// run's counts are what it had recorded: each API answer was recorded
// with them in one transaction. Writes it sent without recording the
// answer stay in _revops.sync_inflight; the sync's next run resolves
// them (see Runner.resolveInflight) and counts those it finds written as
// recovered. The CLI calls ReapRuns
// after opening the warehouse, before starting runs of its own.
func ReapRuns(ctx context.Context, w Warehouse, exclusive bool) ([]RunRecord, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, w, `SELECT r.id, r.process, (SELECT count(*) FROM _revops.sync_inflight i WHERE i.run_id = r.id)
		FROM _revops.sync_runs r WHERE r.status = ? ORDER BY r.started_at, r.id`, load.RunRunning)
	if err != nil {
		return nil, fmt.Errorf("sync: reap killed runs: %w", err)
	}
	var out []RunRecord
	now := time.Now().UTC()
	for _, row := range rows {
		id, proc := str(row[0]), str(row[1])
		p, ok := load.ParseProcess(proc)
		if ok && !p.Gone(exclusive) || !ok && !exclusive {
			continue
		}
		msg := "killed: the process running it ended before it finished"
		if ok {
			msg = fmt.Sprintf("killed: process %d on %s ended before the run finished", p.PID, p.Host)
		}
		if n := num(row[2]); n > 0 {
			msg += fmt.Sprintf("; %d writes it sent have an unknown outcome and are resolved by the sync's next run", n)
		}
		if err := w.Exec(ctx, `UPDATE _revops.sync_runs SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = ?`,
			load.RunKilled, now, msg, id, load.RunRunning); err != nil {
			return out, fmt.Errorf("sync: reap killed run %s: %w", id, err)
		}
		runs, err := readRuns(ctx, w, runColumns+` WHERE id = ?`, id)
		if err != nil {
			return out, fmt.Errorf("sync: reap killed run %s: %w", id, err)
		}
		out = append(out, runs...)
	}
	return out, nil
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
