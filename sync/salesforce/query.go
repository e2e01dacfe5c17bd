package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/crm/salesforce"
	revsync "github.com/revops/revops/sync"
)

// queryChunk bounds the values of one IN (…) list, keeping query URLs short.
const queryChunk = 100

// Find returns, for each key, the id of the record whose external id
// field (m.Field, matched case-insensitively, as Salesforce does) holds
// key[m.Field], or, with m.By == "id", key["Id"] when that record exists,
// or, with m.By == "duplicate_check", the one record MatchRecords finds
// (a Contact's id for a person who is one); "" when there is none (or
// several). It runs SELECT Id, <field> FROM <object> WHERE
// <field> IN (…) in chunks of 100 values.
func (d *Destination) Find(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([]string, error) {
	field := ""
	switch m.By {
	case revsync.MatchDuplicateCheck:
		cands, err := d.MatchRecords(ctx, object, m, keys)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(keys))
		for i, c := range cands {
			if len(c) == 1 {
				out[i] = c[0].ID
			}
		}
		return out, nil
	case revsync.MatchExternalID:
		field = m.Field
	case revsync.MatchID:
		field = "Id"
	default:
		return nil, fmt.Errorf("salesforce: find %s: cannot match by %q (want external_id or id)", object, m.By)
	}
	if field == "" {
		return nil, fmt.Errorf("salesforce: find %s: no external id field", object)
	}
	vals := make([]string, len(keys))
	var want []string
	seen := map[string]bool{}
	for i, k := range keys {
		v := lookup(k, field)
		if isEmpty(v) {
			continue
		}
		vals[i] = fmt.Sprint(v)
		if nk := normKey(field, vals[i]); !seen[nk] {
			seen[nk] = true
			want = append(want, vals[i])
		}
	}
	found := map[string]string{}
	for start := 0; start < len(want); start += queryChunk {
		chunk := want[start:min(start+queryChunk, len(want))]
		cols := "Id"
		if field != "Id" {
			cols += ", " + field
		}
		soql := fmt.Sprintf("SELECT %s FROM %s WHERE %s IN (%s)", cols, object, field, quoteList(chunk))
		err := d.c.Query(ctx, soql, false, 0, func(recs []map[string]any) error {
			for _, r := range recs {
				id, _ := r["Id"].(string)
				v := fmt.Sprint(lookup(r, field))
				if nk := normKey(field, v); found[nk] == "" {
					found[nk] = id
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("salesforce: find %s by %s: %w", object, field, err)
		}
	}
	out := make([]string, len(keys))
	for i, v := range vals {
		if v != "" {
			out[i] = found[normKey(field, v)]
		}
	}
	return out, nil
}

// Read returns the current values of fields for the records ids (15- or
// 18-character), keyed by the ids as given; records that do not exist are
// absent. Values come as the engine's types: numbers as int64 (int
// fields) or float64, datetimes as RFC 3339 in UTC, multi-select values
// as []string, references as id strings. It runs SELECT Id, <fields> FROM
// <object> WHERE Id IN (…) in chunks of 100 ids.
func (d *Destination) Read(ctx context.Context, object string, ids []string, fields []string) (map[string]map[string]any, error) {
	sc, err := d.schema(ctx, object)
	if err != nil {
		return nil, err
	}
	cols := []string{"Id"}
	for _, f := range fields {
		if !strings.EqualFold(f, "Id") {
			cols = append(cols, f)
		}
	}
	given := map[string]string{} // 15-char id → id as given
	var want []string
	for _, id := range ids {
		if id == "" {
			continue
		}
		if k := normKey("Id", id); given[k] == "" {
			given[k] = id
			want = append(want, id)
		}
	}
	out := map[string]map[string]any{}
	for start := 0; start < len(want); start += queryChunk {
		chunk := want[start:min(start+queryChunk, len(want))]
		soql := fmt.Sprintf("SELECT %s FROM %s WHERE Id IN (%s)", strings.Join(cols, ", "), object, quoteList(chunk))
		err := d.c.Query(ctx, soql, false, 0, func(recs []map[string]any) error {
			for _, r := range recs {
				id, _ := r["Id"].(string)
				vals := make(map[string]any, len(fields))
				for _, f := range fields {
					vals[f] = readValue(sc.Fields[canonical(sc, f)].Type, lookup(r, f))
				}
				out[given[normKey("Id", id)]] = vals
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("salesforce: read %s: %w", object, err)
		}
	}
	return out, nil
}

// canonical returns the schema's spelling of a field name.
func canonical(sc *revsync.Schema, name string) string {
	if _, ok := sc.Fields[name]; ok {
		return name
	}
	for k := range sc.Fields {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// readValue converts a REST value to the engine's types.
func readValue(t revsync.FieldType, v any) any {
	switch x := v.(type) {
	case json.Number:
		if t == revsync.TypeInt {
			if n, err := x.Int64(); err == nil {
				return n
			}
		}
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case string:
		switch t {
		case revsync.TypeDatetime:
			if tm, err := salesforce.ParseTime(x); err == nil {
				return tm.UTC().Format(time.RFC3339Nano)
			}
		case revsync.TypeMultipicklist:
			if x == "" {
				return []string{}
			}
			return strings.Split(x, ";")
		}
		return x
	case map[string]any:
		return nil // a relationship, which sync does not read
	}
	return v
}

// normKey normalizes a key value: ids by their 15-character form,
// external ids case-insensitively.
func normKey(field, v string) string {
	if strings.EqualFold(field, "Id") {
		if len(v) > 15 {
			return v[:15]
		}
		return v
	}
	return strings.ToLower(v)
}

// quoteList renders values as SOQL string literals separated by commas.
func quoteList(vals []string) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(v))
	}
	return b.String()
}

// quote renders a SOQL string literal.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return "'" + r.Replace(s) + "'"
}
