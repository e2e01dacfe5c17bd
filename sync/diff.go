package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
)

// removedHash marks a snapshot whose row left the model and whose record
// was archived (mirror mode): a row that comes back counts as changed.
const removedHash = "-"

// unknownHash marks a snapshot whose record was sent a write with an
// unknown outcome (the answer lost, the run killed) that the destination
// was not seen to hold: no model row hashes to it, so the row is sent
// again, whatever the model holds by then.
const unknownHash = "?"

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
	// Changes are the added and changed rows, read into Go (with
	// DiffOptions.Full, the unchanged rows too, of Kind "unchanged").
	Changes []Change
	// Removed are keys written before that left the model (mirror mode).
	Removed []Change
	// Stale are keys with a recorded failure that nothing is left to send
	// for: the key left the model (and, in mirror mode, has no record
	// left to remove), or its row is what was last written (unchanged).
	// Failures of duplicated keys are not stale while they are.
	Stale []string
	// Unlinked are the model's keys whose record was deleted by someone
	// else and that on_deleted: unlink took out of the sync.
	Unlinked []string
	// Seconds is how long the diff took in the warehouse.
	Seconds float64
}

// Change is one row to send.
type Change struct {
	Key    string
	Hash   string
	DestID string
	// DestObject is the object of DestID when it is not the sync's.
	DestObject string
	// Kind is "added", "changed" or "removed" ("unchanged" with
	// DiffOptions.Full: a row the snapshot holds as written).
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
	// Full reads every row into Go, the unchanged ones too (Kind
	// "unchanged"), for a full resync that compares them with the
	// destination instead of trusting the snapshot.
	Full bool
	// Schema is the destination's metadata: the picklist table of a
	// multi-select field is hashed as a whole (an edit of the table
	// resends every row), that of a single-value field per row (an edit
	// resends only the rows whose value it maps differently). Nil takes
	// every field as single-valued.
	Schema *Schema
	// Picklists are the spec's picklist maps (see loadPicklists); nil
	// reads them.
	Picklists map[string]map[string]string
}

// picklistTable is where a picklist table keeps its pairs.
type picklistTable struct {
	rel, from, to string // quoted relation and columns
}

// picklistTableOf finds the columns of a picklist table: `from` and `to`,
// else its last two columns.
func picklistTableOf(ctx context.Context, w Warehouse, s *Spec, field, table string) (picklistTable, error) {
	parts := strings.Split(table, ".")
	rel := quoteIdent(parts[0]) + "." + quoteIdent(parts[1])
	r, err := w.Query(ctx, "SELECT * FROM "+rel+" LIMIT 0")
	if err != nil {
		return picklistTable{}, &SpecError{Sync: s.Name, Field: field, Reason: fmt.Sprintf("picklist table %s: %v", table, err)}
	}
	var cols []string
	for _, f := range r.Schema().Fields() {
		cols = append(cols, f.Name)
	}
	r.Release()
	from, to := -1, -1
	for i, c := range cols {
		switch strings.ToLower(c) {
		case "from":
			from = i
		case "to":
			to = i
		}
	}
	if from < 0 || to < 0 {
		if len(cols) < 2 {
			return picklistTable{}, &SpecError{Sync: s.Name, Field: field, Reason: fmt.Sprintf("picklist table %s: needs columns from and to (or two columns)", table)}
		}
		from, to = len(cols)-2, len(cols)-1
	}
	return picklistTable{rel: rel, from: quoteIdent(cols[from]), to: quoteIdent(cols[to])}, nil
}

// picklistDigest is a fingerprint of a picklist map's pairs.
func picklistDigest(m map[string]string) string {
	keys := sortedKeys(m)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(m[k])
		b.WriteByte(1)
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:8])
}

// ComputeDiff hashes the model's mapped columns per key in the warehouse,
// compares them with _revops.sync_snapshots and reads only the added and
// changed rows (and, with opts.Removed, the removed keys) into Go.
//
// The hash covers everything that shapes what is sent: the mapped
// columns, the destination ids of lookups, the spec (Fingerprint: the
// mapping, constants, inline picklist maps, write options) and the
// picklist tables: a row's hash holds the value its table maps it to, so
// editing a table (a seed) resends exactly the rows it maps differently.
// Rows unlinked from a deleted record (on_deleted: unlink) are not sent.
func ComputeDiff(ctx context.Context, w Warehouse, s *Spec, opts DiffOptions) (*Diff, error) {
	start := time.Now()
	fields := s.Fields()
	picklists := opts.Picklists
	var sel, hashed, joins []string
	for i, f := range fields {
		m := s.Mapping[f]
		col := fmt.Sprintf("f%d", i)
		switch {
		case m.Column != "":
			sel = append(sel, "src."+quoteIdent(m.Column)+" AS "+col)
			hashed = append(hashed, col)
			table, ok := m.Picklist.(string)
			if !ok {
				break
			}
			multi := false
			if opts.Schema != nil {
				multi = opts.Schema.Fields[f].Type == TypeMultipicklist
			}
			if multi {
				if picklists == nil {
					var err error
					if picklists, err = loadPicklists(ctx, w, s); err != nil {
						return nil, err
					}
				}
				hashed = append(hashed, quoteString(picklistDigest(picklists[f])))
				break
			}
			pt, err := picklistTableOf(ctx, w, s, f, table)
			if err != nil {
				return nil, err
			}
			alias := fmt.Sprintf("p%d", i)
			sel = append(sel, fmt.Sprintf("%s.pt AS h%d", alias, i))
			joins = append(joins, fmt.Sprintf("LEFT JOIN (SELECT CAST(%s AS VARCHAR) AS pf, max(CAST(%s AS VARCHAR)) AS pt FROM %s GROUP BY 1) %s ON %s.pf = CAST(src.%s AS VARCHAR)",
				pt.from, pt.to, pt.rel, alias, alias, quoteIdent(m.Column)))
			hashed = append(hashed, fmt.Sprintf("h%d", i))
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
	inner := fmt.Sprintf("SELECT CAST(src.%s AS VARCHAR) AS _key, %s FROM (%s) AS src %s",
		quoteIdent(s.Key), strings.Join(sel, ", "), s.modelSQL(), strings.Join(joins, " "))
	unlinked := quoteString(unlinkedHash)
	// One query: the model's rows hashed once (a materialized CTE, kept
	// in memory), compared with the snapshot; it returns a stats row, the
	// duplicate keys, the added and changed rows, the unlinked keys and
	// the removed keys, each tagged in _kind.
	differs := "(snap.row_hash IS NULL OR snap.row_hash <> st._hash)"
	where := []string{"st._key IS NOT NULL", "st._key NOT IN (SELECT _key FROM dup)", "coalesce(snap.row_hash, '') <> " + unlinked}
	if !opts.Full {
		where = append(where, differs)
	}
	if opts.OnlyFailed {
		where = append(where, "st._key IN (SELECT key FROM _revops.sync_failures WHERE sync = "+quoteString(s.Name)+")")
	}
	if opts.OnlyAdded {
		where = append(where, "snap.key IS NULL")
	}
	var cols, nulls []string
	for i, f := range fields {
		cols = append(cols, fmt.Sprintf("st.f%d", i))
		nulls = append(nulls, fmt.Sprintf("NULL AS f%d", i))
		if s.Mapping[f].Lookup != nil {
			cols = append(cols, fmt.Sprintf("st.k%d", i))
			nulls = append(nulls, fmt.Sprintf("NULL AS k%d", i))
		}
	}
	tail := ""
	if len(cols) > 0 {
		tail = ", " + strings.Join(cols, ", ")
	}
	ntail := ""
	if len(nulls) > 0 {
		ntail = ", " + strings.Join(nulls, ", ")
	}
	removed := ""
	if opts.Removed {
		removed = fmt.Sprintf(`UNION ALL
		SELECT 'removed', snap.key, NULL, snap.destination_id, NULL, NULL, snap.destination_object%s FROM snap
		WHERE snap.row_hash <> %s AND snap.row_hash <> %s AND NOT EXISTS (SELECT 1 FROM st WHERE st._key = snap.key)`,
			ntail, quoteString(removedHash), unlinked)
	}
	// Failures of keys the sync has nothing left to send for: not a row
	// it would send (whatever opts.OnlyFailed says), nor a duplicate, nor
	// (mirror) a record still to remove.
	pending := "(snap.row_hash IS NULL OR snap.row_hash <> st._hash) AND coalesce(snap.row_hash, '') <> " + unlinked
	if opts.OnlyAdded {
		pending = "snap.key IS NULL"
	}
	stale := fmt.Sprintf(`UNION ALL
		SELECT 'stale', f.key, NULL, NULL, NULL, NULL, NULL%s FROM _revops.sync_failures f
		WHERE f.sync = %s AND f.key NOT IN (SELECT _key FROM dup)
		AND NOT EXISTS (SELECT 1 FROM st LEFT JOIN snap ON snap.key = st._key WHERE st._key = f.key AND (%s))`,
		ntail, quoteString(s.Name), pending)
	if s.Mode == ModeMirror {
		stale += fmt.Sprintf(`
		AND NOT EXISTS (SELECT 1 FROM snap WHERE snap.key = f.key AND snap.row_hash <> %s AND snap.row_hash <> %s
			AND NOT EXISTS (SELECT 1 FROM st WHERE st._key = snap.key))`,
			quoteString(removedHash), unlinked)
	}
	q := fmt.Sprintf(`WITH st AS MATERIALIZED (SELECT *, %s AS _hash FROM (%s) AS t),
		dup AS MATERIALIZED (SELECT _key, count(*) AS n FROM st WHERE _key IS NOT NULL GROUP BY _key HAVING count(*) > 1),
		snap AS (SELECT key, row_hash, destination_id, destination_object FROM _revops.sync_snapshots WHERE sync = ?)
		SELECT 'stats' AS _kind, NULL AS _key, NULL AS _hash, NULL AS _dest, (SELECT count(*) FROM st) AS _n1,
			(SELECT count(*) FROM st WHERE _key IS NULL) AS _n2, NULL AS _obj%s
		UNION ALL
		SELECT 'dup', _key, NULL, NULL, n, NULL, NULL%s FROM dup
		UNION ALL
		SELECT CASE WHEN snap.key IS NULL THEN 'added' WHEN %s THEN 'changed' ELSE 'unchanged' END,
			st._key, st._hash, snap.destination_id, NULL, NULL, snap.destination_object%s
		FROM st LEFT JOIN snap ON snap.key = st._key
		WHERE %s
		UNION ALL
		SELECT 'unlinked', st._key, NULL, NULL, NULL, NULL, NULL%s FROM st JOIN snap ON snap.key = st._key
		WHERE snap.row_hash = %s AND st._key NOT IN (SELECT _key FROM dup)
		%s
		%s`, hashExpr(w.Dialect(), s.Fingerprint(), hashed), inner, ntail, ntail, differs, tail, strings.Join(where, " AND "),
		ntail, unlinked, removed, stale)
	d := &Diff{}
	rdr, err := w.Query(ctx, q, s.Name)
	if err != nil {
		return nil, fmt.Errorf("sync %s: run model %s and diff: %w", s.Name, s.source(), err)
	}
	err = func() error {
		defer rdr.Release()
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				kind := str(load.Value(rec.Column(0), i))
				key := str(load.Value(rec.Column(1), i))
				switch kind {
				case "stats":
					d.Rows, d.NullKeys = num(load.Value(rec.Column(4), i)), num(load.Value(rec.Column(5), i))
					continue
				case "dup":
					d.Duplicates = append(d.Duplicates, key)
					d.DuplicateRows += num(load.Value(rec.Column(4), i))
					continue
				case "removed":
					d.Removed = append(d.Removed, Change{Key: key, DestID: str(load.Value(rec.Column(3), i)),
						DestObject: str(load.Value(rec.Column(6), i)), Kind: "removed"})
					continue
				case "stale":
					d.Stale = append(d.Stale, key)
					continue
				case "unlinked":
					d.Unlinked = append(d.Unlinked, key)
					continue
				case "added":
					d.Added++
				case "changed":
					d.Changed++
				}
				c := Change{Key: key, Hash: str(load.Value(rec.Column(2), i)), DestID: str(load.Value(rec.Column(3), i)),
					DestObject: str(load.Value(rec.Column(6), i)), Kind: kind,
					Values: make([]any, len(fields)), LookupKeys: make([]any, len(fields))}
				col := 7
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
		return nil, fmt.Errorf("sync %s: run model %s and diff: %w", s.Name, s.source(), err)
	}
	sort.Strings(d.Duplicates)
	sort.Strings(d.Stale)
	sort.Strings(d.Unlinked)
	sort.Slice(d.Changes, func(i, j int) bool { return d.Changes[i].Key < d.Changes[j].Key })
	sort.Slice(d.Removed, func(i, j int) bool { return d.Removed[i].Key < d.Removed[j].Key })
	if !opts.OnlyFailed {
		d.Unchanged = d.Rows - d.NullKeys - d.DuplicateRows - d.Added - d.Changed - int64(len(d.Unlinked))
	}
	d.Seconds = time.Since(start).Seconds()
	return d, nil
}
