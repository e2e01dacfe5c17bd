//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/revops/revops/load"
)

// History is kept as two relations: <history>_versions holds every
// version that a later landing replaced or a deletion closed, with its
// _valid_from and _valid_to, and <history> is a view of those versions
// plus the current rows that are not deleted (open-ended). A first
// landing therefore writes nothing twice, and later ones copy only the
// rows they change. The main table's _valid_from holds the start of each
// row's current version (see load.History for how versions start).

// validType is the type of _valid_from and _valid_to.
const validType = "TIMESTAMP WITH TIME ZONE"

func (l *landing) versionsTable() (load.Table, string) {
	h := l.opts.History
	t := load.Table{Schema: h.Table.Schema, Name: h.Table.Name + "_versions"}
	return t, quoteIdent(t.Schema) + "." + quoteIdent(t.Name)
}

// prepareHistory gives an existing main table its _valid_from column.
// A table landed before the column existed is repaired once, when it is
// added (see repairHistory); rows a landing without history added since
// get their first version's start.
func (l *landing) prepareHistory(ctx context.Context, existing map[string]colType) error {
	vf := quoteIdent(load.ValidFromColumn)
	if _, ok := existing[load.ValidFromColumn]; !ok {
		if _, err := l.conn.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", l.qualified(), vf, validType)); err != nil {
			return fmt.Errorf("duckdb: land %s: history: add %s: %w", l.t, load.ValidFromColumn, err)
		}
		if err := l.repairHistory(ctx); err != nil {
			return fmt.Errorf("duckdb: land %s: history %s: repair versions landed before %s: %w",
				l.t, l.opts.History.Table, load.ValidFromColumn, err)
		}
	}
	if _, err := l.conn.ExecContext(ctx, fmt.Sprintf("UPDATE %s AS m SET %s = %s WHERE m.%s IS NULL",
		l.qualified(), vf, l.firstFromOf("m"), vf)); err != nil {
		return fmt.Errorf("duckdb: land %s: history: start versions: %w", l.t, err)
	}
	return nil
}

// seenOf is when row alias a was seen: its SeenAt column, else the landing's start.
func (l *landing) seenOf(a string) string {
	if h := l.opts.History; h.SeenAt != "" {
		return fmt.Sprintf("coalesce(TRY_CAST(%s.%s AS TIMESTAMPTZ), %s)", a, quoteIdent(h.SeenAt), l.nowSQL())
	}
	return l.nowSQL()
}

// firstFromOf is the _valid_from of a table row alias a with no version
// before it: its deletion time if deleted, else its modified time, else
// when it was seen.
func (l *landing) firstFromOf(a string) string {
	h := l.opts.History
	deleted := ""
	if l.opts.Tombstone != "" {
		tomb := a + "." + quoteIdent(l.opts.Tombstone)
		deleted = fmt.Sprintf("WHEN %s IS NOT NULL THEN coalesce(TRY_CAST(%s AS TIMESTAMPTZ), %s) ", tomb, tomb, l.seenOf(a))
	}
	live := fmt.Sprintf("coalesce(TRY_CAST(%s.%s AS TIMESTAMPTZ), %s)", a, quoteIdent(h.ValidFrom), l.seenOf(a))
	if deleted == "" {
		return live
	}
	return fmt.Sprintf("CASE %sELSE %s END", deleted, live)
}

// archiveVersions copies the live rows this landing changes or deletes
// into the versions table, closed where the next version starts.
func (l *landing) archiveVersions(ctx context.Context, m *merge) error {
	h := l.opts.History
	vt, versions := l.versionsTable()
	fail := func(what string, err error) error {
		return fmt.Errorf("duckdb: land %s: history %s: %s: %w", l.t, h.Table, what, err)
	}
	if err := l.evolveVersions(ctx, vt, versions); err != nil {
		return fail("prepare", err)
	}
	live := "true"
	if l.opts.Tombstone != "" {
		live = m.tTomb + " IS NULL" // a deleted row has no open version
	}
	q := fmt.Sprintf(`INSERT INTO %s BY NAME SELECT t.*, %s AS %s
		FROM %s AS t JOIN %s AS s ON %s WHERE %s AND %s`,
		versions, m.start, quoteIdent(load.ValidToColumn), l.qualified(), m.src, m.on, live, m.changed)
	if _, err := l.conn.ExecContext(ctx, q); err != nil {
		return fail("keep replaced versions", err)
	}
	return nil
}

// evolveVersions creates the versions table or gives it the main table's
// columns and types.
func (l *landing) evolveVersions(ctx context.Context, vt load.Table, versions string) error {
	if err := l.w.createSchema(ctx, l.conn, vt.Schema); err != nil {
		return err
	}
	main, err := orderedColumns(ctx, l.conn, l.t)
	if err != nil {
		return err
	}
	have, err := tableColumns(ctx, l.conn, vt)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		q := fmt.Sprintf("CREATE TABLE %s AS SELECT *, CAST(NULL AS %s) AS %s FROM %s LIMIT 0",
			versions, validType, quoteIdent(load.ValidToColumn), l.qualified())
		_, err := l.conn.ExecContext(ctx, q)
		return err
	}
	main = append(main, batchColumn{name: load.ValidToColumn, typ: parseType(validType)})
	for _, c := range main {
		cur, ok := have[strings.ToLower(c.name)]
		var q string
		switch {
		case !ok:
			q = fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", versions, quoteIdent(c.name), c.typ.sql)
		case cur.key != c.typ.key:
			q = fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s", versions, quoteIdent(c.name), c.typ.sql)
		default:
			continue
		}
		if _, err := l.conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// historyView (re)creates the history view: kept versions plus the
// current rows that are not deleted.
func (l *landing) historyView(ctx context.Context) error {
	h := l.opts.History
	vt, versions := l.versionsTable()
	fail := func(err error) error {
		return fmt.Errorf("duckdb: land %s: history %s: %w", l.t, h.Table, err)
	}
	if err := l.evolveVersions(ctx, vt, versions); err != nil {
		return fail(err)
	}
	where := ""
	if l.opts.Tombstone != "" {
		where = " WHERE " + quoteIdent(l.opts.Tombstone) + " IS NULL"
	}
	q := fmt.Sprintf(`CREATE OR REPLACE VIEW %s.%s AS
		SELECT * FROM %s
		UNION ALL BY NAME
		SELECT *, CAST(NULL AS %s) AS %s FROM %s%s`,
		quoteIdent(h.Table.Schema), quoteIdent(h.Table.Name), versions, validType, quoteIdent(load.ValidToColumn), l.qualified(), where)
	if _, err := l.conn.ExecContext(ctx, q); err != nil {
		return fail(err)
	}
	return nil
}

// repairHistory runs once, when the main table gets its _valid_from
// column, and mends what landings before it may have left in the versions
// table:
//   - a deletion reported by id alone wiped the row's values (its
//     unversioned columns defeated the tombstone test) and kept the last
//     live version open (_valid_to NULL): the row gets those values back;
//   - versions of one key that share a _valid_from (a change seen without
//     its modified time moving) or are left open: every key's versions,
//     in the order they were kept, then its live row, get starts that
//     strictly increase (the recorded start when it moved forward, else
//     when the version was seen), each closed where the next starts; the
//     last version of a deleted row keeps its recorded end, or ends at
//     the deletion when it was left open.
func (l *landing) repairHistory(ctx context.Context) error {
	vt, versions := l.versionsTable()
	have, err := tableColumns(ctx, l.conn, vt)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		return nil // history starts now: prepareHistory fills _valid_from
	}
	if err := l.evolveVersions(ctx, vt, versions); err != nil {
		return err
	}
	main, err := orderedColumns(ctx, l.conn, l.t)
	if err != nil {
		return err
	}
	keyOf := map[string]bool{}
	var keys, on, onM []string
	for _, k := range l.opts.Key {
		keyOf[strings.ToLower(k)] = true
		keys = append(keys, quoteIdent(k))
		on = append(on, "t."+quoteIdent(k)+" = v."+quoteIdent(k))
		onM = append(onM, "c."+quoteIdent(k)+" = m."+quoteIdent(k))
	}
	h := l.opts.History
	exec := func(q string) error {
		_, err := l.conn.ExecContext(ctx, q)
		return err
	}
	tombSQL := "NULL"
	if l.opts.Tombstone != "" {
		tomb := quoteIdent(l.opts.Tombstone)
		tombSQL = "m." + tomb
		skip := map[string]bool{strings.ToLower(l.opts.Tombstone): true, load.ValidFromColumn: true}
		for _, c := range l.opts.Unversioned {
			skip[strings.ToLower(c)] = true
		}
		var sets []string
		for _, c := range main {
			if low := strings.ToLower(c.name); !keyOf[low] && !skip[low] {
				sets = append(sets, quoteIdent(c.name)+" = v."+quoteIdent(c.name))
			}
		}
		if len(sets) > 0 {
			if err := exec(fmt.Sprintf(`UPDATE %s AS t SET %s FROM (
				SELECT * FROM %s WHERE %s IS NULL QUALIFY row_number() OVER (PARTITION BY %s ORDER BY rowid DESC) = 1
			) AS v WHERE %s AND t.%s IS NOT NULL AND t.%s IS NULL`,
				l.qualified(), strings.Join(sets, ", "), versions, quoteIdent(load.ValidToColumn), strings.Join(keys, ", "),
				strings.Join(on, " AND "), tomb, quoteIdent(h.ValidFrom))); err != nil {
				return fmt.Errorf("restore values a deletion wiped: %w", err)
			}
		}
	}

	seenV, seenM := "CAST(NULL AS TIMESTAMPTZ)", "CAST(NULL AS TIMESTAMPTZ)"
	if h.SeenAt != "" {
		seenV = fmt.Sprintf("TRY_CAST(%s AS TIMESTAMPTZ)", quoteIdent(h.SeenAt))
		seenM = seenV
	}
	live := ""
	if l.opts.Tombstone != "" {
		live = " WHERE " + quoteIdent(l.opts.Tombstone) + " IS NULL"
	}
	part := "PARTITION BY " + strings.Join(keys, ", ") + " ORDER BY cur, rid"
	chain := quoteIdent(l.w.nextName(stagePrefix))
	if err := exec(fmt.Sprintf(`CREATE TEMP TABLE %[1]s AS
		WITH c AS (
			SELECT %[2]s, rowid AS rid, 0 AS cur, TRY_CAST(%[3]s AS TIMESTAMPTZ) AS f, TRY_CAST(%[4]s AS TIMESTAMPTZ) AS t0, %[5]s AS seen FROM %[6]s
			UNION ALL
			SELECT %[2]s, rowid, 1, TRY_CAST(%[7]s AS TIMESTAMPTZ), NULL, %[8]s FROM %[9]s%[10]s
		), o AS (
			SELECT *, row_number() OVER (%[11]s) AS r, lag(f) OVER (%[11]s) AS pf FROM c
		), h AS (
			SELECT *, CASE WHEN f IS NOT NULL AND (pf IS NULL OR f > pf) THEN f ELSE coalesce(seen, f, pf, %[12]s) END AS hint FROM o
		), s AS (
			SELECT *, max(hint - to_microseconds(r)) OVER (%[11]s ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) + to_microseconds(r) AS start FROM h
		)
		SELECT %[2]s, rid, cur, t0, start, lead(start) OVER (%[11]s) AS next_start FROM s`,
		chain, strings.Join(keys, ", "), quoteIdent(load.ValidFromColumn), quoteIdent(load.ValidToColumn), seenV, versions,
		quoteIdent(h.ValidFrom), seenM, l.qualified(), live, part, l.nowSQL())); err != nil {
		return fmt.Errorf("order versions: %w", err)
	}
	defer func() { _ = exec("DROP TABLE IF EXISTS " + chain) }()
	if err := exec(fmt.Sprintf(`UPDATE %s AS v SET %s = c.start,
		%s = coalesce(c.next_start, greatest(coalesce(c.t0, c.del), c.start + INTERVAL 1 MICROSECOND))
		FROM (SELECT c.*, TRY_CAST(%s AS TIMESTAMPTZ) AS del FROM %s AS c LEFT JOIN %s AS m ON %s) AS c
		WHERE v.rowid = c.rid AND c.cur = 0`,
		versions, quoteIdent(load.ValidFromColumn), quoteIdent(load.ValidToColumn),
		tombSQL, chain, l.qualified(), strings.Join(onM, " AND "))); err != nil {
		return fmt.Errorf("renumber versions: %w", err)
	}
	if err := exec(fmt.Sprintf(`UPDATE %s AS m SET %s = c.start FROM %s AS c WHERE m.rowid = c.rid AND c.cur = 1`,
		l.qualified(), quoteIdent(load.ValidFromColumn), chain)); err != nil {
		return fmt.Errorf("start current versions: %w", err)
	}
	// A deleted row: when its last version was closed.
	var onV []string
	for _, k := range keys {
		onV = append(onV, "m."+k+" = v."+k)
	}
	if err := exec(fmt.Sprintf(`UPDATE %s AS m SET %s = v.closed
		FROM (SELECT %s, max(%s) AS closed FROM %s GROUP BY ALL) AS v WHERE %s AND m.%s IS NULL`,
		l.qualified(), quoteIdent(load.ValidFromColumn), strings.Join(keys, ", "), quoteIdent(load.ValidToColumn), versions,
		strings.Join(onV, " AND "), quoteIdent(load.ValidFromColumn))); err != nil {
		return fmt.Errorf("close deleted rows: %w", err)
	}
	return nil
}

// orderedColumns lists a table's columns in order.
func orderedColumns(ctx context.Context, conn *sql.Conn, t load.Table) ([]batchColumn, error) {
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_catalog = current_database() AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?)
		ORDER BY ordinal_position`, t.Schema, t.Name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []batchColumn
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		out = append(out, batchColumn{name: name, typ: parseType(typ)})
	}
	return out, rows.Err()
}
