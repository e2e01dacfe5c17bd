//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/load"
)

var _ load.Materializer = (*Warehouse)(nil)

// newSuffix names the table a rebuild is written to before the swap.
const newSuffix = "__revops_new"

// Materialize builds m as a view, a table (written beside the old one and
// swapped in one transaction) or an incremental table (merged on its
// unique key in one transaction). The model's SELECT runs once.
func (w *Warehouse) Materialize(ctx context.Context, m load.Model) (st load.ModelStats, err error) {
	start := time.Now()
	defer func() { st.Duration = time.Since(start) }()
	t := m.Table()
	if err := t.Validate(); err != nil {
		return st, fmt.Errorf("duckdb: materialize: %w: %w", load.ErrBadModel, err)
	}
	switch m.Kind {
	case load.ModelView, load.ModelTable:
	case load.ModelIncremental:
		if len(m.UniqueKey) == 0 {
			return st, fmt.Errorf("duckdb: materialize %s: %w: an incremental model needs a unique_key", t, load.ErrBadModel)
		}
	default:
		return st, fmt.Errorf("duckdb: materialize %s: %w: kind %q (want view, table or incremental)", t, load.ErrBadModel, m.Kind)
	}

	lock := w.tableLock(t)
	lock.Lock()
	defer lock.Unlock()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return st, fmt.Errorf("duckdb: materialize %s: %w", t, err)
	}
	defer conn.Close()
	if err := w.createSchema(ctx, conn, t.Schema); err != nil {
		return st, fmt.Errorf("duckdb: materialize %s: %w", t, err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return st, fmt.Errorf("duckdb: materialize %s: begin: %w", t, err)
	}
	committed := false
	defer func() {
		if !committed {
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil && err == nil {
				err = fmt.Errorf("duckdb: materialize %s: rollback: %w", t, rerr)
			}
		}
	}()
	existing, err := relationKind(ctx, conn, t)
	if err != nil {
		return st, fmt.Errorf("duckdb: materialize %s: %w", t, err)
	}
	mat := &materializing{conn: conn, t: t, m: m, existing: existing}
	switch {
	case m.Kind == load.ModelView:
		err = mat.view(ctx)
	case m.Kind == load.ModelTable, existing != "BASE TABLE", m.FullRefresh:
		err = mat.table(ctx)
	default:
		err = mat.merge(ctx)
	}
	if err != nil {
		return st, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return st, fmt.Errorf("duckdb: materialize %s: commit: %w", t, err)
	}
	committed = true
	st.Rows = mat.rows
	return st, nil
}

// materializing is the state of one Materialize call, inside its transaction.
type materializing struct {
	conn     *sql.Conn
	t        load.Table
	m        load.Model
	existing string // "", "VIEW" or "BASE TABLE"
	rows     int64
}

func (x *materializing) exec(ctx context.Context, what, q string) error {
	if _, err := x.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("duckdb: materialize %s: %s: %w", x.t, what, err)
	}
	return nil
}

// dropOther drops the relation when it is of another kind than want.
func (x *materializing) dropOther(ctx context.Context, want string) error {
	switch {
	case x.existing == "" || x.existing == want:
		return nil
	case x.existing == "VIEW":
		return x.exec(ctx, "drop the old view", "DROP VIEW "+qualified(x.t))
	default:
		return x.exec(ctx, "drop the old table", "DROP TABLE "+qualified(x.t))
	}
}

func (x *materializing) view(ctx context.Context) error {
	if err := x.dropOther(ctx, "VIEW"); err != nil {
		return err
	}
	return x.exec(ctx, "create view", "CREATE OR REPLACE VIEW "+qualified(x.t)+" AS\n"+x.m.SQL+"\n")
}

// table writes the SELECT into <name>__revops_new, then drops the old
// relation and renames the new table, all in the caller's transaction.
func (x *materializing) table(ctx context.Context) error {
	nt := load.Table{Schema: x.t.Schema, Name: x.t.Name + newSuffix}
	if err := x.exec(ctx, "build", "CREATE OR REPLACE TABLE "+qualified(nt)+" AS\n"+x.m.SQL+"\n"); err != nil {
		return err
	}
	if err := x.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+qualified(nt)).Scan(&x.rows); err != nil {
		return fmt.Errorf("duckdb: materialize %s: count rows: %w", x.t, err)
	}
	switch x.existing {
	case "VIEW":
		if err := x.exec(ctx, "drop the old view", "DROP VIEW "+qualified(x.t)); err != nil {
			return err
		}
	case "BASE TABLE":
		if err := x.exec(ctx, "drop the old table", "DROP TABLE "+qualified(x.t)); err != nil {
			return err
		}
	}
	return x.exec(ctx, "swap in the new table", "ALTER TABLE "+qualified(nt)+" RENAME TO "+quoteIdent(x.t.Name))
}

// merge stages the SELECT's rows once, then replaces the rows of keys it
// holds and inserts the others. New columns are added to the table.
func (x *materializing) merge(ctx context.Context) error {
	stage := quoteIdent("_revops_model_" + x.t.Schema + "_" + x.t.Name)
	if err := x.exec(ctx, "run the select", "CREATE OR REPLACE TEMP TABLE "+stage+" AS\n"+x.m.SQL+"\n"); err != nil {
		return err
	}
	defer func() {
		_, _ = x.conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+stage)
	}()
	staged, err := columnTypes(ctx, x.conn, stage)
	if err != nil {
		return fmt.Errorf("duckdb: materialize %s: %w", x.t, err)
	}
	target, err := columnTypes(ctx, x.conn, qualified(x.t))
	if err != nil {
		return fmt.Errorf("duckdb: materialize %s: %w", x.t, err)
	}
	have := map[string]bool{}
	for _, c := range staged {
		have[strings.ToLower(c[0])] = true
	}
	keys := make([]string, len(x.m.UniqueKey))
	var nullConds, on []string
	for i, k := range x.m.UniqueKey {
		if !have[strings.ToLower(k)] {
			return fmt.Errorf("duckdb: materialize %s: unique_key column %s is not in the model's columns", x.t, k)
		}
		keys[i] = quoteIdent(k)
		nullConds = append(nullConds, keys[i]+" IS NULL")
		on = append(on, "t."+keys[i]+" = s."+keys[i])
	}
	var total, distinct, nulls int64
	q := fmt.Sprintf("SELECT count(*), count(DISTINCT (%s)), count(*) FILTER (WHERE %s) FROM %s",
		strings.Join(keys, ", "), strings.Join(nullConds, " OR "), stage)
	if err := x.conn.QueryRowContext(ctx, q).Scan(&total, &distinct, &nulls); err != nil {
		return fmt.Errorf("duckdb: materialize %s: check unique_key: %w", x.t, err)
	}
	if nulls > 0 {
		return fmt.Errorf("duckdb: materialize %s: %d rows have a NULL in unique_key (%s): %w",
			x.t, nulls, strings.Join(x.m.UniqueKey, ", "), load.ErrNullKey)
	}
	if distinct < total {
		return fmt.Errorf("duckdb: materialize %s: %d rows share a unique_key (%s) with another row; an incremental model's SELECT must return each key once",
			x.t, total-distinct, strings.Join(x.m.UniqueKey, ", "))
	}
	known := map[string]bool{}
	for _, c := range target {
		known[strings.ToLower(c[0])] = true
	}
	for _, c := range staged {
		if !known[strings.ToLower(c[0])] {
			if err := x.exec(ctx, "add column "+c[0], fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", qualified(x.t), quoteIdent(c[0]), c[1])); err != nil {
				return err
			}
		}
	}
	q = fmt.Sprintf("DELETE FROM %s AS t WHERE EXISTS (SELECT 1 FROM %s AS s WHERE %s)", qualified(x.t), stage, strings.Join(on, " AND "))
	if err := x.exec(ctx, "replace existing keys", q); err != nil {
		return err
	}
	if err := x.exec(ctx, "insert", fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", qualified(x.t), stage)); err != nil {
		return err
	}
	x.rows = total
	return nil
}

// qualified renders "schema"."name".
func qualified(t load.Table) string { return quoteIdent(t.Schema) + "." + quoteIdent(t.Name) }

// relationKind returns "VIEW", "BASE TABLE" or "" when t does not exist.
func relationKind(ctx context.Context, conn *sql.Conn, t load.Table) (string, error) {
	var kind string
	err := conn.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables
		WHERE table_catalog = current_database() AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?)`,
		t.Schema, t.Name).Scan(&kind)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up the relation: %w", err)
	}
	return kind, nil
}

// columnTypes returns the (name, type) pairs of a relation in order.
func columnTypes(ctx context.Context, conn *sql.Conn, rel string) ([][2]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+rel+")")
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", rel, err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", rel, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", rel, err)
	}
	return out, nil
}

// Relations lists every table and view outside DuckDB's internal schemas
// and revops's own state schema.
func (w *Warehouse) Relations(ctx context.Context) ([]load.Relation, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT table_schema, table_name, table_type FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog', ?)
		ORDER BY table_schema, table_name`, load.StateSchema)
	if err != nil {
		return nil, fmt.Errorf("duckdb: list relations: %w", err)
	}
	defer rows.Close()
	var out []load.Relation
	for rows.Next() {
		var r load.Relation
		var kind string
		if err := rows.Scan(&r.Schema, &r.Name, &kind); err != nil {
			return nil, fmt.Errorf("duckdb: list relations: %w", err)
		}
		r.View = kind == "VIEW"
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: list relations: %w", err)
	}
	return out, nil
}
