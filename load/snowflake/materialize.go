package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/load"
)

// Materialize builds m as a view (CREATE OR REPLACE VIEW), a table
// (CREATE OR REPLACE TABLE ... AS, which Snowflake swaps in atomically: a
// failed build leaves the old table) or an incremental table (the SELECT
// run once into a temporary table, then its keys replaced and inserted in
// one transaction).
func (w *Warehouse) Materialize(ctx context.Context, m load.Model) (st load.ModelStats, err error) {
	start := time.Now()
	defer func() { st.Duration = time.Since(start) }()
	t := m.Table()
	if err := t.Validate(); err != nil {
		return st, fmt.Errorf("snowflake: materialize: %w: %w", load.ErrBadModel, err)
	}
	switch m.Kind {
	case load.ModelView, load.ModelTable:
	case load.ModelIncremental:
		if len(m.UniqueKey) == 0 {
			return st, fmt.Errorf("snowflake: materialize %s: %w: an incremental model needs a unique_key", t, load.ErrBadModel)
		}
	default:
		return st, fmt.Errorf("snowflake: materialize %s: %w: kind %q (want view, table or incremental)", t, load.ErrBadModel, m.Kind)
	}
	if m.SQL, err = w.render(m.SQL); err != nil {
		return st, fmt.Errorf("snowflake: materialize %s: %w", t, err)
	}
	lock := w.tableLock(t)
	lock.Lock()
	defer lock.Unlock()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return st, fmt.Errorf("snowflake: materialize %s: %w", t, w.describe(err))
	}
	defer conn.Close()
	if _, err := w.createSchema(ctx, conn, t.Schema); err != nil {
		return st, fmt.Errorf("snowflake: materialize %s: %w", t, err)
	}
	existing, err := relationKind(ctx, conn, t)
	if err != nil {
		return st, fmt.Errorf("snowflake: materialize %s: %w", t, w.describe(err))
	}
	x := &materializing{w: w, conn: conn, t: t, m: m, existing: existing}
	switch {
	case m.Kind == load.ModelView:
		err = x.view(ctx)
	case m.Kind == load.ModelTable, existing != "BASE TABLE", m.FullRefresh:
		err = x.table(ctx)
	default:
		err = x.merge(ctx)
	}
	st.Rows = x.rows
	return st, err
}

type materializing struct {
	w        *Warehouse
	conn     *sql.Conn
	t        load.Table
	m        load.Model
	existing string
	rows     int64
}

func (x *materializing) exec(ctx context.Context, what, q string) error {
	if _, err := x.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("snowflake: materialize %s: %s: %w", x.t, what, x.w.describe(err))
	}
	return nil
}

func qualified(t load.Table) string { return quoteIdent(t.Schema) + "." + quoteIdent(t.Name) }

func (x *materializing) view(ctx context.Context) error {
	if x.existing == "BASE TABLE" {
		if err := x.exec(ctx, "drop the old table", "DROP TABLE "+qualified(x.t)); err != nil {
			return err
		}
	}
	return x.exec(ctx, "create view", "CREATE OR REPLACE VIEW "+qualified(x.t)+" COPY GRANTS AS\n"+x.m.SQL+"\n")
}

func (x *materializing) table(ctx context.Context) error {
	if x.existing == "VIEW" {
		// A view and a table cannot replace each other in one statement.
		nt := load.Table{Schema: x.t.Schema, Name: x.t.Name + "__revops_new"}
		if err := x.exec(ctx, "build", "CREATE OR REPLACE TABLE "+qualified(nt)+" AS\n"+x.m.SQL+"\n"); err != nil {
			return err
		}
		if err := x.exec(ctx, "drop the old view", "DROP VIEW "+qualified(x.t)); err != nil {
			return err
		}
		if err := x.exec(ctx, "swap in the new table", "ALTER TABLE "+qualified(nt)+" RENAME TO "+qualified(x.t)); err != nil {
			return err
		}
	} else if err := x.exec(ctx, "build", "CREATE OR REPLACE TABLE "+qualified(x.t)+" COPY GRANTS AS\n"+x.m.SQL+"\n"); err != nil {
		return err
	}
	if err := x.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+qualified(x.t)).Scan(&x.rows); err != nil {
		return fmt.Errorf("snowflake: materialize %s: count rows: %w", x.t, x.w.describe(err))
	}
	return nil
}

// merge stages the SELECT's rows once, then deletes the rows of keys it
// holds and inserts them, in one transaction. New columns are added first.
func (x *materializing) merge(ctx context.Context) (err error) {
	stage := load.Table{Schema: x.t.Schema, Name: x.w.nextName(modelPrefix)}
	if err := x.exec(ctx, "run the select", "CREATE TEMPORARY TABLE "+qualified(stage)+" AS\n"+x.m.SQL+"\n"); err != nil {
		return err
	}
	defer func() {
		_, _ = x.conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+qualified(stage))
	}()
	staged, err := columnsOf(ctx, x.conn, stage)
	if err != nil {
		return fmt.Errorf("snowflake: materialize %s: %w", x.t, x.w.describe(err))
	}
	target, err := columnsOf(ctx, x.conn, x.t)
	if err != nil {
		return fmt.Errorf("snowflake: materialize %s: %w", x.t, x.w.describe(err))
	}
	byLower := map[string]string{}
	for _, c := range staged {
		byLower[strings.ToLower(c.name)] = c.name
	}
	keys := make([]string, len(x.m.UniqueKey))
	var nullConds, on []string
	for i, k := range x.m.UniqueKey {
		// Unquoted names in the SELECT come back upper-case: the key is
		// matched case-insensitively.
		name, ok := byLower[strings.ToLower(k)]
		if !ok {
			return fmt.Errorf("snowflake: materialize %s: unique_key column %s is not in the model's columns", x.t, k)
		}
		keys[i] = quoteStored(name)
		nullConds = append(nullConds, keys[i]+" IS NULL")
		on = append(on, "t."+keys[i]+" = s."+keys[i])
	}
	var total, nulls, distinct int64
	q := fmt.Sprintf("SELECT count(*), count_if(%s), (SELECT count(*) FROM (SELECT DISTINCT %s FROM %s) AS d) FROM %s",
		strings.Join(nullConds, " OR "), strings.Join(keys, ", "), qualified(stage), qualified(stage))
	if err := x.conn.QueryRowContext(ctx, q).Scan(&total, &nulls, &distinct); err != nil {
		return fmt.Errorf("snowflake: materialize %s: check unique_key: %w", x.t, x.w.describe(err))
	}
	if nulls > 0 {
		return fmt.Errorf("snowflake: materialize %s: %d rows have a NULL in unique_key (%s): %w",
			x.t, nulls, strings.Join(x.m.UniqueKey, ", "), load.ErrNullKey)
	}
	if distinct < total {
		return fmt.Errorf("snowflake: materialize %s: %d rows share a unique_key (%s) with another row; an incremental model's SELECT must return each key once",
			x.t, total-distinct, strings.Join(x.m.UniqueKey, ", "))
	}
	known := map[string]bool{}
	for _, c := range target {
		known[strings.ToLower(c.name)] = true
	}
	cols := make([]string, len(staged))
	for i, c := range staged {
		cols[i] = quoteStored(c.name)
		if !known[strings.ToLower(c.name)] {
			if err := x.exec(ctx, "add column "+c.name, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", qualified(x.t), quoteStored(c.name), c.typ.sql())); err != nil {
				return err
			}
		}
	}
	if err := x.exec(ctx, "begin", "BEGIN"); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_, _ = x.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	q = fmt.Sprintf("DELETE FROM %s AS t USING %s AS s WHERE %s", qualified(x.t), qualified(stage), strings.Join(on, " AND "))
	if err := x.exec(ctx, "replace existing keys", q); err != nil {
		return err
	}
	list := strings.Join(cols, ", ")
	if err := x.exec(ctx, "insert", fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", qualified(x.t), list, list, qualified(stage))); err != nil {
		return err
	}
	if err := x.exec(ctx, "commit", "COMMIT"); err != nil {
		return err
	}
	committed = true
	x.rows = total
	return nil
}

// relationKind returns "VIEW", "BASE TABLE" or "" when t does not exist.
func relationKind(ctx context.Context, conn *sql.Conn, t load.Table) (string, error) {
	var kind string
	err := conn.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`,
		storedName(t.Schema), storedName(t.Name)).Scan(&kind)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up the relation: %w", err)
	}
	return kind, nil
}

// columnsOf returns the columns of a table in order.
func columnsOf(ctx context.Context, conn *sql.Conn, t load.Table) ([]batchColumn, error) {
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns
		WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, storedName(t.Schema), storedName(t.Name))
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", t, err)
	}
	defer rows.Close()
	var out []batchColumn
	for rows.Next() {
		var name, typ string
		var p, s sql.NullInt64
		if err := rows.Scan(&name, &typ, &p, &s); err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", t, err)
		}
		out = append(out, batchColumn{name: name, typ: parseType(typ, int(p.Int64), int(s.Int64))})
	}
	return out, rows.Err()
}
