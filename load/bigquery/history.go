package bigquery

import (
	"context"
	"fmt"
	"strings"

	bq "cloud.google.com/go/bigquery"

	"github.com/revops/revops/load"
)

// History is kept as the DuckDB engine keeps it: <history>_versions holds
// every version a later landing replaced or a deletion closed, with its
// _valid_from and _valid_to, and <history> is a view of those versions
// plus the current rows that are not deleted (open-ended). The main
// table's _valid_from holds the start of each row's current version (see
// load.History for how versions start). The versions are copied in the
// landing's transaction, before its MERGE.
//
// Not ported from the DuckDB engine: the one-time repair of versions kept
// by builds older than the _valid_from column (a BigQuery warehouse starts
// with it).

func (l *landing) versionsTable() load.Table {
	h := l.opts.History
	return load.Table{Schema: h.Table.Schema, Name: h.Table.Name + "_versions"}
}

func (l *landing) versionsRel() string { return l.w.relation(l.versionsTable()) }

func quoteAll(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return strings.Join(out, ", ")
}

// prepareHistory reads the main table's columns after evolution, and
// creates or evolves the versions table and the history view.
func (l *landing) prepareHistory(ctx context.Context) error {
	h := l.opts.History
	if h == nil {
		return nil
	}
	fail := func(what string, err error) error {
		return fmt.Errorf("bigquery: land %s: history %s: %s: %w", l.t, h.Table, what, err)
	}
	md, err := l.table().Metadata(ctx)
	if err != nil {
		return fail("read table", err)
	}
	var main bq.Schema
	l.mainCols = nil
	for _, f := range md.Schema {
		if f.Name == load.ValidFromColumn {
			continue
		}
		l.mainCols = append(l.mainCols, f.Name)
		nf := *f
		nf.Required = false
		main = append(main, &nf)
	}
	want := append(append(bq.Schema{}, main...),
		&bq.FieldSchema{Name: load.ValidFromColumn, Type: bq.TimestampFieldType},
		&bq.FieldSchema{Name: load.ValidToColumn, Type: bq.TimestampFieldType})
	vt := l.versionsTable()
	if err := l.w.ensureDataset(ctx, vt.Schema); err != nil {
		return fail("dataset", err)
	}
	vtbl := l.w.client.Dataset(l.w.Dataset(vt.Schema)).Table(vt.Name)
	vmd, err := vtbl.Metadata(ctx)
	switch {
	case hasStatus(err, 404):
		if err := vtbl.Create(ctx, &bq.TableMetadata{Schema: want}); err != nil {
			return fail("create versions table", err)
		}
		l.schemaChanged = true
	case err != nil:
		return fail("read versions table", err)
	default:
		have := map[string]*bq.FieldSchema{}
		for _, f := range vmd.Schema {
			have[strings.ToLower(f.Name)] = f
		}
		var added bq.Schema
		var widened []string
		for _, f := range want {
			cur, ok := have[strings.ToLower(f.Name)]
			switch {
			case !ok:
				added = append(added, f)
			case typeOf(cur).ddl != typeOf(f).ddl:
				widened = append(widened, fmt.Sprintf("CAST(%s AS %s) AS %s", quote(cur.Name), typeOf(f).ddl, quote(cur.Name)))
			}
		}
		rel := l.w.relation(vt)
		if len(widened) > 0 {
			l.fig.Jobs++
			l.fig.Statements++
			q := fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT * REPLACE (%s) FROM %s", rel, strings.Join(widened, ", "), rel)
			if _, _, err := l.w.run(ctx, q); err != nil {
				return fail("widen versions table", err)
			}
			l.schemaChanged = true
		}
		if len(added) > 0 {
			vmd, err := vtbl.Metadata(ctx)
			if err != nil {
				return fail("read versions table", err)
			}
			if _, err := vtbl.Update(ctx, bq.TableMetadataToUpdate{Schema: append(append(bq.Schema{}, vmd.Schema...), added...)}, ""); err != nil {
				return fail("add columns to the versions table", err)
			}
			l.schemaChanged = true
		}
	}
	if !l.schemaChanged {
		return nil
	}
	where := ""
	if tomb := l.opts.Tombstone; tomb != "" {
		where = " WHERE " + quote(tomb) + " IS NULL"
	}
	cols := quoteAll(append(append([]string{}, l.mainCols...), load.ValidFromColumn))
	q := fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT %s, %s FROM %s UNION ALL SELECT %s, CAST(NULL AS TIMESTAMP) AS %s FROM %s%s",
		l.w.relation(h.Table), cols, quote(load.ValidToColumn), l.w.relation(vt), cols, quote(load.ValidToColumn), l.w.relation(l.t), where)
	l.fig.Jobs++
	l.fig.Statements++
	if _, _, err := l.w.run(ctx, q); err != nil {
		return fail("create the view", err)
	}
	return nil
}

// historyFragments are the SQL expressions of a history merge; T is the
// table's row, S the landing's.
type historyFragments struct {
	l *landing
	// start is when the version S brings begins (or, for a deletion, when
	// T's version ends).
	start string
}

func (l *landing) nowSQL() string {
	return "TIMESTAMP " + literal(l.now.UTC().Format("2006-01-02 15:04:05.000000")+"+00:00")
}

func ts(expr string) string { return "CAST(" + expr + " AS TIMESTAMP)" }

// seen is when row alias a was read: its SeenAt column, else the landing's start.
func (l *landing) seen(a string) string {
	if h := l.opts.History; h.SeenAt != "" {
		return fmt.Sprintf("COALESCE(%s, %s)", ts(a+"."+quote(h.SeenAt)), l.nowSQL())
	}
	return l.nowSQL()
}

func (l *landing) historySQL() historyFragments {
	h := l.opts.History
	sv, tv := ts("S."+quote(h.ValidFrom)), ts("T."+quote(h.ValidFrom))
	deleted := ""
	if tomb := l.opts.Tombstone; tomb != "" {
		st := ts("S." + quote(tomb))
		deleted = fmt.Sprintf("WHEN %s IS NOT NULL THEN COALESCE(%s, %s) ", st, st, l.seen("S"))
	}
	start := fmt.Sprintf("GREATEST(CASE %sWHEN %s > %s OR (%s IS NULL AND %s IS NOT NULL) THEN %s ELSE %s END, TIMESTAMP_ADD(T.%s, INTERVAL 1 MICROSECOND))",
		deleted, sv, tv, tv, sv, sv, l.seen("S"), quote(load.ValidFromColumn))
	return historyFragments{l: l, start: start}
}

// firstFrom is the _valid_from of a row of alias a with no version
// before it: its deletion time if deleted, else its modified time, else
// when it was seen.
func (hf historyFragments) firstFrom(a string) string {
	l := hf.l
	live := fmt.Sprintf("COALESCE(%s, %s)", ts(a+"."+quote(l.opts.History.ValidFrom)), l.seen(a))
	if tomb := l.opts.Tombstone; tomb != "" {
		t := ts(a + "." + quote(tomb))
		return fmt.Sprintf("CASE WHEN %s IS NOT NULL THEN COALESCE(%s, %s) ELSE %s END", t, t, l.seen(a), live)
	}
	return live
}
