package bigquery

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"

	"github.com/revops/revops/load"
)

// Materialize builds m. See load.Materializer.
//
//   - view: CREATE OR REPLACE VIEW;
//   - table: CREATE OR REPLACE TABLE ... AS, which BigQuery swaps in only
//     when the query succeeded;
//   - incremental: the first build (or a full refresh) as a table; later
//     builds put the SELECT's rows in a staging table, check the unique
//     key (no NULLs, no duplicates), add new columns, and MERGE in one
//     transaction.
//
// A relation whose kind changes (a view becoming a table) is dropped
// first: between the drop and the build the name does not resolve.
func (w *Warehouse) Materialize(ctx context.Context, m load.Model) (st load.ModelStats, err error) {
	start := time.Now()
	defer func() { st.Duration = time.Since(start) }()
	t := m.Table()
	if err := t.Validate(); err != nil {
		return st, fmt.Errorf("bigquery: model %s: %w: %w", t, load.ErrBadModel, err)
	}
	switch m.Kind {
	case load.ModelView, load.ModelTable:
	case load.ModelIncremental:
		if len(m.UniqueKey) == 0 {
			return st, fmt.Errorf("bigquery: model %s: %w: an incremental model needs a unique_key", t, load.ErrBadModel)
		}
	default:
		return st, fmt.Errorf("bigquery: model %s: %w: unknown materialization %q (want view, table or incremental)", t, load.ErrBadModel, m.Kind)
	}
	if err := w.ensureDataset(ctx, t.Schema); err != nil {
		return st, fmt.Errorf("bigquery: model %s: %w", t, err)
	}
	lock := w.tableLock(t)
	lock.Lock()
	defer lock.Unlock()
	tbl := w.client.Dataset(w.Dataset(t.Schema)).Table(t.Name)
	md, err := tbl.Metadata(ctx)
	exists := err == nil
	if err != nil && !hasStatus(err, 404) {
		return st, fmt.Errorf("bigquery: model %s: %w", t, err)
	}
	isView := exists && md.Type == bq.ViewTable
	if exists && isView != (m.Kind == load.ModelView) {
		if err := tbl.Delete(ctx); err != nil {
			return st, fmt.Errorf("bigquery: model %s: drop the old %s: %w", t, strings.ToLower(string(md.Type)), err)
		}
		exists = false
	}
	// The portable form (seeds' VALUES lists, DuckDB's type names in
	// casts) is rendered in GoogleSQL; GoogleSQL is left as it is.
	if m.SQL, err = (Macros{Prefix: w.prefix}).State(m.SQL, nil); err != nil {
		return st, fmt.Errorf("bigquery: model %s: %w", t, err)
	}
	rel := w.relation(t)
	body := "(\n" + m.SQL + "\n)"
	switch {
	case m.Kind == load.ModelView:
		if _, _, err := w.run(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS %s", rel, body)); err != nil {
			return st, fmt.Errorf("bigquery: model %s: %w", t, err)
		}
		return st, nil
	case m.Kind == load.ModelTable || !exists || m.FullRefresh:
		if m.Kind == load.ModelIncremental {
			if err := w.checkKey(ctx, t, body, m.UniqueKey); err != nil {
				return st, err
			}
		}
		n, err := w.count(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS %s;\nSELECT COUNT(*) FROM %s;", rel, body, rel))
		if err != nil {
			return st, fmt.Errorf("bigquery: model %s: %w", t, err)
		}
		st.Rows = n
		return st, nil
	}
	return w.mergeModel(ctx, m, md)
}

// count runs a script whose last statement selects one number.
func (w *Warehouse) count(ctx context.Context, script string) (int64, error) {
	job, _, err := w.run(ctx, script)
	if err != nil {
		return 0, err
	}
	it, err := job.Read(ctx)
	if err != nil {
		return 0, err
	}
	var row []bq.Value
	if err := it.Next(&row); err != nil {
		return 0, err
	}
	n, _ := row[0].(int64)
	return n, nil
}

// checkKey fails with load.ErrNullKey or a duplicate-key error when the
// model's rows break its unique key; an unknown key column fails too.
func (w *Warehouse) checkKey(ctx context.Context, t load.Table, body string, key []string) error {
	var nulls []string
	keys := make([]string, len(key))
	for i, k := range key {
		keys[i] = quote(k)
		nulls = append(nulls, quote(k)+" IS NULL")
	}
	q := fmt.Sprintf("SELECT (SELECT COUNTIF(%s) FROM %s AS m), (SELECT COUNT(*) FROM (SELECT 1 FROM %s AS m GROUP BY %s HAVING COUNT(*) > 1) AS d)",
		strings.Join(nulls, " OR "), body, body, strings.Join(keys, ", "))
	it, err := w.client.Query(q).Read(ctx)
	if err != nil {
		return fmt.Errorf("bigquery: model %s: check unique_key (%s): %w", t, strings.Join(key, ", "), err)
	}
	var row []bq.Value
	if err := it.Next(&row); err != nil {
		return fmt.Errorf("bigquery: model %s: check unique_key: %w", t, err)
	}
	if n, _ := row[0].(int64); n > 0 {
		return fmt.Errorf("bigquery: model %s: %d rows have a NULL in unique_key (%s): %w", t, n, strings.Join(key, ", "), load.ErrNullKey)
	}
	if n, _ := row[1].(int64); n > 0 {
		return fmt.Errorf("bigquery: model %s: %d unique_key (%s) values occur more than once", t, n, strings.Join(key, ", "))
	}
	return nil
}

func (w *Warehouse) mergeModel(ctx context.Context, m load.Model, md *bq.TableMetadata) (st load.ModelStats, err error) {
	t := m.Table()
	stage := w.nextName(modelPrefix)
	srel := quote(w.Dataset(t.Schema)) + "." + quote(stage)
	stbl := w.client.Dataset(w.Dataset(t.Schema)).Table(stage)
	defer func() { _ = stbl.Delete(context.WithoutCancel(ctx)) }()
	if _, _, err := w.run(ctx, fmt.Sprintf("CREATE TABLE %s AS (\n%s\n)", srel, m.SQL)); err != nil {
		return st, fmt.Errorf("bigquery: model %s: %w", t, err)
	}
	smd, err := stbl.Metadata(ctx)
	if err != nil {
		return st, fmt.Errorf("bigquery: model %s: %w", t, err)
	}
	have := map[string]bool{}
	for _, f := range smd.Schema {
		have[strings.ToLower(f.Name)] = true
	}
	for _, k := range m.UniqueKey {
		if !have[strings.ToLower(k)] {
			return st, fmt.Errorf("bigquery: model %s: %w: unique_key column %s is not a column of the model", t, load.ErrBadModel, k)
		}
	}
	if err := w.checkKey(ctx, t, srel, m.UniqueKey); err != nil {
		return st, err
	}
	cur := map[string]bool{}
	for _, f := range md.Schema {
		cur[strings.ToLower(f.Name)] = true
	}
	var added bq.Schema
	for _, f := range smd.Schema {
		if !cur[strings.ToLower(f.Name)] {
			nf := *f
			nf.Required = false
			added = append(added, &nf)
		}
	}
	if len(added) > 0 {
		tbl := w.client.Dataset(w.Dataset(t.Schema)).Table(t.Name)
		if _, err := tbl.Update(ctx, bq.TableMetadataToUpdate{Schema: append(append(bq.Schema{}, md.Schema...), added...)}, ""); err != nil {
			return st, fmt.Errorf("bigquery: model %s: add columns: %w", t, err)
		}
	}
	var on, set, cols, vals []string
	for _, f := range smd.Schema {
		c := quote(f.Name)
		cols = append(cols, c)
		vals = append(vals, "S."+c)
		isKey := false
		for _, k := range m.UniqueKey {
			if strings.EqualFold(k, f.Name) {
				isKey = true
			}
		}
		if isKey {
			on = append(on, fmt.Sprintf("T.%s = S.%s", c, c))
		} else {
			set = append(set, fmt.Sprintf("%s = S.%s", c, c))
		}
	}
	rel := w.relation(t)
	q := fmt.Sprintf("BEGIN TRANSACTION;\nMERGE INTO %s AS T USING %s AS S ON %s", rel, srel, strings.Join(on, " AND "))
	if len(set) > 0 {
		q += " WHEN MATCHED THEN UPDATE SET " + strings.Join(set, ", ")
	}
	q += fmt.Sprintf(" WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s);\nCOMMIT TRANSACTION;\nSELECT COUNT(*) FROM %s;", strings.Join(cols, ", "), strings.Join(vals, ", "), srel)
	n, err := w.count(ctx, q)
	if err != nil {
		return st, fmt.Errorf("bigquery: model %s: %w", t, err)
	}
	st.Rows = n
	return st, nil
}

// Relations lists the tables and views of every revops dataset (those
// with the warehouse's prefix), not the _revops state nor a landing's or
// build's own staging tables.
func (w *Warehouse) Relations(ctx context.Context) ([]load.Relation, error) {
	var out []load.Relation
	it := w.client.Datasets(ctx)
	for {
		ds, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bigquery: list datasets: %w", err)
		}
		if !strings.HasPrefix(ds.DatasetID, w.prefix) {
			continue
		}
		schema := strings.TrimPrefix(ds.DatasetID, w.prefix)
		if schema == load.StateSchema {
			continue
		}
		ti := ds.Tables(ctx)
		for {
			tbl, err := ti.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("bigquery: list tables of %s: %w", ds.DatasetID, err)
			}
			if strings.HasPrefix(tbl.TableID, "_revops_") {
				continue
			}
			md, err := tbl.Metadata(ctx)
			if err != nil {
				return nil, fmt.Errorf("bigquery: read %s.%s: %w", ds.DatasetID, tbl.TableID, err)
			}
			out = append(out, load.Relation{Table: load.Table{Schema: schema, Name: tbl.TableID}, View: md.Type == bq.ViewTable})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table.String() < out[j].Table.String() })
	return out, nil
}
