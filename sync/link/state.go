package link

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

// Warehouse is what the link engine needs of a warehouse; load/duckdb's
// Warehouse satisfies it (and its DB gives the transactions that record
// each API answer together with the run's counts).
type Warehouse interface {
	Exec(ctx context.Context, query string, args ...any) error
	Query(ctx context.Context, query string, args ...any) (array.RecordReader, error)
}

// stateDDL creates the link engine's tables in the _revops schema.
var stateDDL = []string{
	`CREATE SCHEMA IF NOT EXISTS _revops`,
	// The last value both sides agreed on, per pair and field, in the
	// field's canonical form ("" for empty).
	`CREATE TABLE IF NOT EXISTS _revops.link_values (
		link VARCHAR NOT NULL, left_id VARCHAR NOT NULL, right_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
		value VARCHAR NOT NULL, agreed_at TIMESTAMP WITH TIME ZONE NOT NULL,
		PRIMARY KEY (link, left_id, right_id, field))`,
	// Conflicts (both sides changed a field to different values) and how
	// the owner rule decided them; one row per distinct conflict.
	`CREATE TABLE IF NOT EXISTS _revops.link_conflicts (
		link VARCHAR NOT NULL, left_id VARCHAR NOT NULL, right_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
		base VARCHAR NOT NULL, left_value VARCHAR NOT NULL, right_value VARCHAR NOT NULL,
		left_changed_at TIMESTAMP WITH TIME ZONE, right_changed_at TIMESTAMP WITH TIME ZONE,
		winner VARCHAR NOT NULL, rule VARCHAR NOT NULL, reason VARCHAR, run_id VARCHAR, decided_at TIMESTAMP WITH TIME ZONE NOT NULL,
		PRIMARY KEY (link, left_id, right_id, field, base, left_value, right_value))`,
	// Writes sent whose answer is not recorded yet (a killed run).
	`CREATE TABLE IF NOT EXISTS _revops.link_inflight (
		link VARCHAR NOT NULL, side BIGINT NOT NULL, record_id VARCHAR NOT NULL, left_id VARCHAR NOT NULL, right_id VARCHAR NOT NULL,
		run_id VARCHAR NOT NULL, sent_values VARCHAR NOT NULL, agreed VARCHAR NOT NULL, sent_at TIMESTAMP WITH TIME ZONE NOT NULL,
		PRIMARY KEY (link, side, record_id))`,
	// The last confirmed write per record: what was sent and when (the
	// extract of that side is stale until it is newer than answered_at;
	// the record's next modified time measures the system's clock).
	`CREATE TABLE IF NOT EXISTS _revops.link_writes (
		link VARCHAR NOT NULL, side BIGINT NOT NULL, record_id VARCHAR NOT NULL, sent_at TIMESTAMP WITH TIME ZONE NOT NULL,
		answered_at TIMESTAMP WITH TIME ZONE NOT NULL, agreed VARCHAR NOT NULL,
		PRIMARY KEY (link, side, record_id))`,
	// The values each link last wrote to a record, by source, object and
	// field API name: another link reading that record from an extract
	// older than the write takes these as its current values.
	`CREATE TABLE IF NOT EXISTS _revops.link_written_values (
		link VARCHAR NOT NULL, source VARCHAR NOT NULL, object VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
		answered_at TIMESTAMP WITH TIME ZONE NOT NULL, vals VARCHAR NOT NULL,
		PRIMARY KEY (link, source, object, record_id))`,
	// Each source's measured clock offset (its time minus revops's).
	`CREATE TABLE IF NOT EXISTS _revops.link_clocks (
		source VARCHAR NOT NULL PRIMARY KEY, offset_ms BIGINT NOT NULL, samples BIGINT NOT NULL, measured_at TIMESTAMP WITH TIME ZONE NOT NULL)`,
	// Pairs and fields that could not be compared or written.
	`CREATE TABLE IF NOT EXISTS _revops.link_failures (
		link VARCHAR NOT NULL, left_id VARCHAR NOT NULL, right_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
		side VARCHAR, code VARCHAR NOT NULL, message VARCHAR, run_id VARCHAR, attempts BIGINT NOT NULL,
		first_seen TIMESTAMP WITH TIME ZONE NOT NULL, last_seen TIMESTAMP WITH TIME ZONE NOT NULL,
		PRIMARY KEY (link, left_id, right_id, field))`,
	// Each side's mandatory fields when the link last ran.
	`CREATE TABLE IF NOT EXISTS _revops.link_metadata (
		link VARCHAR NOT NULL, side BIGINT NOT NULL, required VARCHAR NOT NULL, recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
		PRIMARY KEY (link, side))`,
	// Transitions: the value each record's field had when revops last
	// looked, and every transition seen with its state (pending, sending,
	// fired, baseline).
	`CREATE TABLE IF NOT EXISTS _revops.link_seen (
		link VARCHAR NOT NULL, transition VARCHAR NOT NULL, record_id VARCHAR NOT NULL, value VARCHAR NOT NULL,
		seen_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (link, transition, record_id))`,
	`CREATE TABLE IF NOT EXISTS _revops.link_transitions (
		link VARCHAR NOT NULL, transition VARCHAR NOT NULL, record_id VARCHAR NOT NULL, from_value VARCHAR NOT NULL,
		to_value VARCHAR NOT NULL, changed_at TIMESTAMP WITH TIME ZONE NOT NULL, target_id VARCHAR, state VARCHAR NOT NULL,
		run_id VARCHAR, error VARCHAR, detected_at TIMESTAMP WITH TIME ZONE NOT NULL, fired_at TIMESTAMP WITH TIME ZONE,
		PRIMARY KEY (link, transition, record_id, from_value, to_value, changed_at))`,
	`CREATE TABLE IF NOT EXISTS _revops.link_runs (
		id VARCHAR NOT NULL, link VARCHAR NOT NULL, kind VARCHAR NOT NULL, started_at TIMESTAMP WITH TIME ZONE NOT NULL,
		finished_at TIMESTAMP WITH TIME ZONE, status VARCHAR NOT NULL, process VARCHAR,
		pairs BIGINT, unchanged BIGINT, created BIGINT, updated BIGINT, failed BIGINT, conflicts BIGINT, recovered BIGINT,
		agreed BIGINT, transitions BIGINT, api_calls BIGINT, sides VARCHAR, seconds DOUBLE, error VARCHAR)`,
}

// EnsureState creates the link engine's tables when missing.
func EnsureState(ctx context.Context, w Warehouse) error {
	for _, s := range stateDDL {
		if err := w.Exec(ctx, s); err != nil {
			return fmt.Errorf("link: create state tables: %w", err)
		}
	}
	return nil
}

const chunk = 400

type stmt struct {
	q    string
	args []any
}

// batch collects the statements recording one outcome; exec runs them in
// one transaction when the warehouse has a database handle.
type batch struct{ stmts []stmt }

func (b *batch) add(q string, args ...any) { b.stmts = append(b.stmts, stmt{q, args}) }

type txer interface{ DB() *sql.DB }

// txExecer is a warehouse that runs statements in one transaction itself
// (load/bigquery: one script job).
type txExecer interface {
	ExecTx(ctx context.Context, queries []string, args [][]any) error
}

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

// insert adds INSERT statements of rows (chunked); tail follows VALUES.
func (b *batch) insert(head, tail string, rows [][]any) {
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		var q strings.Builder
		q.WriteString(head)
		q.WriteString(" VALUES ")
		var args []any
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(r)), ", ") + ")")
			args = append(args, r...)
		}
		q.WriteString(" " + tail)
		b.add(q.String(), args...)
	}
}

// agree adds the recording of agreed values.
func (b *batch) agree(link string, rows []agreement, at time.Time) {
	vals := make([][]any, len(rows))
	for i, a := range rows {
		vals[i] = []any{link, a.Left, a.Right, a.Field, a.Value, at}
	}
	b.insert(`INSERT INTO _revops.link_values (link, left_id, right_id, field, value, agreed_at)`,
		`ON CONFLICT (link, left_id, right_id, field) DO UPDATE SET value = excluded.value, agreed_at = excluded.agreed_at`, vals)
}

// agreement is one agreed value of a pair's field.
type agreement struct {
	Left, Right, Field, Value string
}

// failure is a pair's field that could not be compared or written.
type failure struct {
	Left, Right, Field, Side, Code, Message string
}

func (b *batch) failures(link, runID string, rows []failure, at time.Time) {
	vals := make([][]any, len(rows))
	for i, f := range rows {
		vals[i] = []any{link, f.Left, f.Right, f.Field, f.Side, f.Code, f.Message, runID, int64(1), at, at}
	}
	b.insert(`INSERT INTO _revops.link_failures (link, left_id, right_id, field, side, code, message, run_id, attempts, first_seen, last_seen)`,
		`ON CONFLICT (link, left_id, right_id, field) DO UPDATE SET side = excluded.side, code = excluded.code, message = excluded.message,
			run_id = excluded.run_id, attempts = link_failures.attempts + 1, last_seen = excluded.last_seen`, vals)
}

// clearFailures removes the recorded failures of pairs' fields.
func (b *batch) clearFailures(link string, keys []agreement) {
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		var cond []string
		args := []any{link}
		for _, k := range part {
			cond = append(cond, "(left_id = ? AND right_id = ? AND field = ?)")
			args = append(args, k.Left, k.Right, k.Field)
		}
		b.add(`DELETE FROM _revops.link_failures WHERE link = ? AND (`+strings.Join(cond, " OR ")+`)`, args...)
	}
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
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
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

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
