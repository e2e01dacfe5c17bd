package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
)

// removedHash marks a snapshot whose row left the model and whose record
// was archived (mirror mode): a row that comes back counts as changed.
const removedHash = "-"

// Diff is what a sync model holds compared with what was last written.
type Diff struct {
	// Rows is the number of model rows; NullKeys of them have a NULL key.
	Rows, NullKeys int64
	// Duplicates lists keys held by more than one row (none of them is
	// synced); DuplicateRows counts their rows.
	Duplicates    []string
	DuplicateRows int64
	// Added and Changed count rows new since the last write and rows whose
	// mapped values changed; Unchanged the rest.
	Added, Changed, Unchanged int64
	// Changes are the added and changed rows, read into Go.
	Changes []Change
	// Removed are keys written before that left the model (mirror mode).
	Removed []Change
	// Seconds is how long the diff took in the warehouse.
	Seconds float64
}

// Change is one row to send.
type Change struct {
	Key    string
	Hash   string
	DestID string
	// Kind is "added", "changed" or "removed".
	Kind string
	// Values holds the mapped fields' warehouse values (Spec.Fields
	// order; nil for constants); LookupKeys the raw keys of lookups.
	Values     []any
	LookupKeys []any
}

// modelSQL returns the SELECT the sync reads.
func (s *Spec) modelSQL() string {
	if s.SQL != "" {
		return strings.TrimRight(strings.TrimSpace(s.SQL), ";")
	}
	parts := strings.Split(s.Model, ".")
	for i, p := range parts {
		parts[i] = quoteIdent(p)
	}
	return "SELECT * FROM " + strings.Join(parts, ".")
}

var unsafeRE = regexp.MustCompile(`[^A-Za-z0-9_]`)

// stageTable is the warehouse table holding the sync's hashed model rows
// during a run.
func (s *Spec) stageTable() string {
	name := unsafeRE.ReplaceAllString(s.Name, "_")
	if name != s.Name {
		h := sha256.Sum256([]byte(s.Name))
		name += "_" + hex.EncodeToString(h[:3])
	}
	return "_revops." + quoteIdent("sync_stage_"+name)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// hashExpr renders a stable hash of exprs in the warehouse's dialect
// (NULL differs from the empty string).
func hashExpr(dialect, seed string, exprs []string) string {
	parts := []string{quoteString(seed)}
	for _, e := range exprs {
		parts = append(parts, fmt.Sprintf("coalesce(CAST(%s AS VARCHAR), chr(0))", e))
	}
	switch dialect {
	case "bigquery":
		return fmt.Sprintf("TO_HEX(MD5(ARRAY_TO_STRING([%s], CHR(31))))", strings.Join(parts, ", "))
	}
	return fmt.Sprintf("md5(concat_ws(chr(31), %s))", strings.Join(parts, ", "))
}

// ModelSchema returns the model's columns (a query returning no rows).
func ModelSchema(ctx context.Context, w Warehouse, s *Spec) (*arrow.Schema, error) {
	r, err := w.Query(ctx, "SELECT * FROM ("+s.modelSQL()+") AS m LIMIT 0")
	if err != nil {
		return nil, fmt.Errorf("sync %s: read model %s: %w", s.Name, s.source(), err)
	}
	defer r.Release()
	for r.Next() {
	}
	return r.Schema(), nil
}

func (s *Spec) source() string {
	if s.Model != "" {
		return s.Model
	}
	return "(inline sql)"
}

// DiffOptions narrow a diff.
type DiffOptions struct {
	// OnlyFailed keeps only rows recorded in _revops.sync_failures.
	OnlyFailed bool
	// OnlyAdded keeps only rows never written (insert mode).
	OnlyAdded bool
	// Removed also lists written keys that left the model.
	Removed bool
}

// ComputeDiff hashes the model's mapped columns per key in the warehouse,
// compares them with _revops.sync_snapshots and reads only the added and
// changed rows (and, with opts.Removed, the removed keys) into Go.
func ComputeDiff(ctx context.Context, w Warehouse, s *Spec, opts DiffOptions) (*Diff, error) {
	start := time.Now()
	fields := s.Fields()
	var sel, hashed, joins []string
	for i, f := range fields {
		m := s.Mapping[f]
		col := fmt.Sprintf("f%d", i)
		switch {
		case m.Column != "":
			sel = append(sel, "src."+quoteIdent(m.Column)+" AS "+col)
			hashed = append(hashed, col)
		case m.Lookup != nil:
			alias := fmt.Sprintf("l%d", i)
			sel = append(sel, alias+".destination_id AS "+col, fmt.Sprintf("CAST(src.%s AS VARCHAR) AS k%d", quoteIdent(m.Lookup.Column), i))
			joins = append(joins, fmt.Sprintf("LEFT JOIN _revops.sync_snapshots %s ON %s.sync = %s AND %s.key = CAST(src.%s AS VARCHAR)",
				alias, alias, quoteString(m.Lookup.Sync), alias, quoteIdent(m.Lookup.Column)))
			hashed = append(hashed, col, fmt.Sprintf("k%d", i))
		default:
			sel = append(sel, "NULL AS "+col)
		}
	}
	stage := s.stageTable()
	inner := fmt.Sprintf("SELECT CAST(src.%s AS VARCHAR) AS _key, %s FROM (%s) AS src %s",
		quoteIdent(s.Key), strings.Join(sel, ", "), s.modelSQL(), strings.Join(joins, " "))
	q := fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT *, %s AS _hash FROM (%s) AS t",
		stage, hashExpr(w.Dialect(), s.Fingerprint(), hashed), inner)
	if err := w.Exec(ctx, q); err != nil {
		return nil, fmt.Errorf("sync %s: run model %s: %w", s.Name, s.source(), err)
	}
	d := &Diff{}
	rows, err := queryRows(ctx, w, "SELECT count(*), count(*) FILTER (WHERE _key IS NULL) FROM "+stage)
	if err != nil {
		return nil, fmt.Errorf("sync %s: count model rows: %w", s.Name, err)
	}
	d.Rows, d.NullKeys = num(rows[0][0]), num(rows[0][1])
	dups, err := queryRows(ctx, w, "SELECT _key, count(*) AS n FROM "+stage+" WHERE _key IS NOT NULL GROUP BY _key HAVING count(*) > 1 ORDER BY _key")
	if err != nil {
		return nil, fmt.Errorf("sync %s: find duplicate keys: %w", s.Name, err)
	}
	for _, r := range dups {
		d.Duplicates = append(d.Duplicates, str(r[0]))
		d.DuplicateRows += num(r[1])
	}

	where := []string{"st._key IS NOT NULL", "(s.row_hash IS NULL OR s.row_hash <> st._hash)"}
	if len(d.Duplicates) > 0 {
		where = append(where, "st._key NOT IN (SELECT _key FROM "+stage+" WHERE _key IS NOT NULL GROUP BY _key HAVING count(*) > 1)")
	}
	if opts.OnlyFailed {
		where = append(where, "st._key IN (SELECT key FROM _revops.sync_failures WHERE sync = "+quoteString(s.Name)+")")
	}
	if opts.OnlyAdded {
		where = append(where, "s.key IS NULL")
	}
	var cols []string
	for i, f := range fields {
		cols = append(cols, fmt.Sprintf("st.f%d", i))
		if s.Mapping[f].Lookup != nil {
			cols = append(cols, fmt.Sprintf("st.k%d", i))
		}
	}
	q = fmt.Sprintf(`SELECT st._key, st._hash, s.destination_id, s.key IS NULL AS _added, s.row_hash = %s AS _was_removed, %s
		FROM %s st LEFT JOIN _revops.sync_snapshots s ON s.sync = ? AND s.key = st._key
		WHERE %s ORDER BY st._key`, quoteString(removedHash), strings.Join(cols, ", "), stage, strings.Join(where, " AND "))
	rdr, err := w.Query(ctx, q, s.Name)
	if err != nil {
		return nil, fmt.Errorf("sync %s: diff: %w", s.Name, err)
	}
	err = func() error {
		defer rdr.Release()
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				c := Change{Key: str(load.Value(rec.Column(0), i)), Hash: str(load.Value(rec.Column(1), i)),
					DestID: str(load.Value(rec.Column(2), i)), Kind: "changed",
					Values: make([]any, len(fields)), LookupKeys: make([]any, len(fields))}
				if load.Value(rec.Column(3), i) == true {
					c.Kind = "added"
					d.Added++
				} else {
					d.Changed++
				}
				col := 5
				for j, f := range fields {
					c.Values[j] = load.Value(rec.Column(col), i)
					col++
					if s.Mapping[f].Lookup != nil {
						c.LookupKeys[j] = load.Value(rec.Column(col), i)
						col++
					}
				}
				d.Changes = append(d.Changes, c)
			}
		}
		return rdr.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("sync %s: diff: %w", s.Name, err)
	}
	if !opts.OnlyFailed {
		d.Unchanged = d.Rows - d.NullKeys - d.DuplicateRows - d.Added - d.Changed
	}
	if opts.Removed {
		rows, err := queryRows(ctx, w, `SELECT s.key, s.destination_id FROM _revops.sync_snapshots s
			WHERE s.sync = ? AND s.row_hash <> ? AND NOT EXISTS (SELECT 1 FROM `+stage+` st WHERE st._key = s.key)
			ORDER BY s.key`, s.Name, removedHash)
		if err != nil {
			return nil, fmt.Errorf("sync %s: find removed rows: %w", s.Name, err)
		}
		for _, r := range rows {
			d.Removed = append(d.Removed, Change{Key: str(r[0]), DestID: str(r[1]), Kind: "removed"})
		}
	}
	d.Seconds = time.Since(start).Seconds()
	return d, nil
}

// dropStage removes the run's stage table.
func dropStage(ctx context.Context, w Warehouse, s *Spec) {
	_ = w.Exec(ctx, "DROP TABLE IF EXISTS "+s.stageTable())
}
