package snowflake

import (
	"context"
	"fmt"
	"strings"

	"github.com/revops/revops/load"
)

// History is kept as in load/duckdb: <history>_versions holds every
// version a later landing replaced or a deletion closed, with its
// _valid_from and _valid_to, and <history> is a view of those versions
// plus the current rows that are not deleted. The main table's
// _valid_from holds the start of each row's current version. Tables and
// the view are created or evolved before the landing's transaction (DDL
// commits in Snowflake); the versions are copied and the rows merged
// inside it.

var validType = colType{k: kTZ}

func (l *landing) versionsTable() load.Table {
	h := l.opts.History
	return load.Table{Schema: h.Table.Schema, Name: h.Table.Name + "_versions"}
}

// mainColumns lists the main table's columns after evolution, in order.
func (l *landing) mainColumns() []batchColumn {
	var out []batchColumn
	seen := map[string]bool{}
	for _, name := range l.order {
		low := strings.ToLower(name)
		seen[low] = true
		out = append(out, batchColumn{name: name, typ: l.target[low]})
	}
	for _, c := range l.cols {
		if low := strings.ToLower(c.name); !seen[low] {
			seen[low] = true
			out = append(out, batchColumn{name: c.name, typ: l.target[low]})
		}
	}
	if !seen[load.ValidFromColumn] {
		out = append(out, batchColumn{name: load.ValidFromColumn, typ: validType})
	}
	return out
}

// planHistory adds the DDL history needs: _valid_from on the main table,
// the versions table with the main table's columns, and the view.
func (l *landing) planHistory(ctx context.Context) error {
	h := l.opts.History
	if len(l.existing) > 0 {
		if _, ok := l.existing[load.ValidFromColumn]; !ok {
			l.ddl = append(l.ddl, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", l.qualified(), quoteIdent(load.ValidFromColumn), validType.sql()))
		}
	}
	sent, err := l.w.createSchema(ctx, l.conn, h.Table.Schema)
	if sent {
		l.statements++
	}
	if err != nil {
		return fmt.Errorf("snowflake: land %s: history: %w", l.t, err)
	}
	vt := l.versionsTable()
	have, order, err := l.columns(ctx, vt)
	if err != nil {
		return fmt.Errorf("snowflake: land %s: history: %w", l.t, err)
	}
	main := append(l.mainColumns(), batchColumn{name: load.ValidToColumn, typ: validType})
	if len(have) == 0 {
		defs := make([]string, len(main))
		for i, c := range main {
			defs[i] = quoteIdent(c.name) + " " + c.typ.sql()
		}
		l.ddl = append(l.ddl, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s)", qualified(vt), strings.Join(defs, ", ")))
		l.undo = append(l.undo, "DROP TABLE IF EXISTS "+qualified(vt), "DROP VIEW IF EXISTS "+qualified(h.Table))
	} else {
		widened := map[string]colType{}
		for _, c := range main {
			cur, ok := have[strings.ToLower(c.name)]
			switch {
			case !ok:
				l.ddl = append(l.ddl, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", qualified(vt), quoteIdent(c.name), c.typ.sql()))
			case !cur.same(c.typ):
				widened[strings.ToLower(c.name)] = c.typ
			}
		}
		if len(widened) > 0 {
			sel := make([]string, len(order))
			for i, name := range order {
				q := quoteStored(name)
				if to, ok := widened[strings.ToLower(name)]; ok {
					q = fmt.Sprintf("CAST(%s AS %s) AS %s", q, to.sql(), q)
				}
				sel[i] = q
			}
			l.ddl = append(l.ddl, fmt.Sprintf("CREATE OR REPLACE TABLE %s COPY GRANTS AS SELECT %s FROM %s", qualified(vt), strings.Join(sel, ", "), qualified(vt)))
		}
	}
	cols := make([]string, 0, len(main))
	for _, c := range main[:len(main)-1] {
		cols = append(cols, quoteIdent(c.name))
	}
	list := strings.Join(cols, ", ")
	where := ""
	if l.opts.Tombstone != "" {
		where = " WHERE " + quoteIdent(l.opts.Tombstone) + " IS NULL"
	}
	l.ddl = append(l.ddl, fmt.Sprintf("CREATE OR REPLACE VIEW %s COPY GRANTS AS SELECT %s, %s FROM %s UNION ALL SELECT %s, CAST(NULL AS %s) AS %s FROM %s%s",
		qualified(h.Table), list, quoteIdent(load.ValidToColumn), qualified(vt), list, validType.sql(), quoteIdent(load.ValidToColumn), l.qualified(), where))
	return nil
}

// columns reads a table's columns (by lower-case name, and in order).
func (l *landing) columns(ctx context.Context, t load.Table) (map[string]colType, []string, error) {
	got, err := columnsOf(ctx, l.conn, t)
	l.statements++
	if err != nil {
		return nil, nil, err
	}
	out := map[string]colType{}
	var order []string
	for _, c := range got {
		out[strings.ToLower(c.name)] = c.typ
		order = append(order, c.name)
	}
	return out, order, nil
}

// nowSQL is the landing's start as a TIMESTAMP_TZ.
func (l *landing) nowSQL() string {
	return "CAST(" + quoteString(l.now.UTC().Format("2006-01-02T15:04:05.000000Z")) + " AS TIMESTAMP_TZ)"
}

func (l *landing) tsOf(a, col string) string {
	return fmt.Sprintf("CAST(%s.%s AS TIMESTAMP_TZ)", a, quoteIdent(col))
}

// seenOf is when row alias a was seen: its SeenAt column, else the landing's start.
func (l *landing) seenOf(a string) string {
	if h := l.opts.History; h.SeenAt != "" {
		return fmt.Sprintf("coalesce(%s, %s)", l.tsOf(a, h.SeenAt), l.nowSQL())
	}
	return l.nowSQL()
}

// firstFromOf is the _valid_from of row alias a with no version before
// it: its deletion time if deleted, else its modified time, else when it
// was seen.
func (l *landing) firstFromOf(a string) string {
	h := l.opts.History
	live := fmt.Sprintf("coalesce(%s, %s)", l.tsOf(a, h.ValidFrom), l.seenOf(a))
	if l.opts.Tombstone == "" {
		return live
	}
	tomb := l.tsOf(a, l.opts.Tombstone)
	return fmt.Sprintf("CASE WHEN %s IS NOT NULL THEN coalesce(%s, %s) ELSE %s END", tomb, tomb, l.seenOf(a), live)
}

// startOf is when the version s brings begins (or, for a deletion, when
// t's version ends): the record's modified time when it moved past t's,
// else when the change was seen; never at or before t's version's start.
func (l *landing) startOf() string {
	h := l.opts.History
	sv, tv := l.tsOf("s", h.ValidFrom), l.tsOf("t", h.ValidFrom)
	deleted := ""
	if l.opts.Tombstone != "" {
		st := l.tsOf("s", l.opts.Tombstone)
		deleted = fmt.Sprintf("WHEN %s IS NOT NULL THEN coalesce(%s, %s) ", st, st, l.seenOf("s"))
	}
	return fmt.Sprintf("greatest(CASE %sWHEN %s > %s OR (%s IS NULL AND %s IS NOT NULL) THEN %s ELSE %s END, DATEADD(microsecond, 1, t.%s))",
		deleted, sv, tv, tv, sv, sv, l.seenOf("s"), quoteIdent(load.ValidFromColumn))
}

// archive runs inside the transaction, before the MERGE: rows without a
// version start get one, and the live rows this landing changes or
// deletes are copied to the versions table, closed where the next
// version starts.
func (l *landing) archive(ctx context.Context, src, on, changed, live string) error {
	vf := quoteIdent(load.ValidFromColumn)
	if _, err := l.exec(ctx, fmt.Sprintf("UPDATE %s AS m SET %s = %s WHERE m.%s IS NULL", l.qualified(), vf, l.firstFromOf("m"), vf)); err != nil {
		return fmt.Errorf("snowflake: land %s: history: start versions: %w", l.t, err)
	}
	main := l.mainColumns()
	cols := make([]string, len(main))
	vals := make([]string, len(main))
	for i, c := range main {
		cols[i] = quoteIdent(c.name)
		vals[i] = "t." + quoteIdent(c.name)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s, %s) SELECT %s, %s FROM %s AS t JOIN %s AS s ON %s WHERE %s AND %s",
		qualified(l.versionsTable()), strings.Join(cols, ", "), quoteIdent(load.ValidToColumn), strings.Join(vals, ", "), l.startOf(),
		l.qualified(), src, on, live, changed)
	if _, err := l.exec(ctx, q); err != nil {
		return fmt.Errorf("snowflake: land %s: history %s: keep replaced versions: %w", l.t, l.opts.History.Table, err)
	}
	return nil
}
