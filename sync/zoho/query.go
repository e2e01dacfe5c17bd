package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	revsync "github.com/revops/revops/sync"
)

// COQL caps (reference sheet §2.8): values in one in (…) list, and plain
// columns in one select.
const (
	coqlInValues = 50
	coqlColumns  = 50
)

// Find returns, for each key, the id of the record of module a write with
// m would have written: with m.By "duplicate_check", the record of the
// module itself that MatchRecords finds (the oldest when several; records
// of other modules, such as the contact a Leads row matched, are not
// looked at: a write to those is an update, resolved by reading it back);
// with m.By "external_id" or no match, the first of m.Field or the
// module's system duplicate-check field whose value in the key a record
// holds (compared case-insensitively; the oldest record when several do);
// with m.By "id", key["id"] when that record exists; "" when none. It runs
// COQL select id, <field> from <module> where <field> in (…), 50 values
// per query. COQL needs the ZohoCRM.coql.READ scope.
func (d *Destination) Find(ctx context.Context, module string, m revsync.Match, keys []map[string]any) ([]string, error) {
	out := make([]string, len(keys))
	if m.By == revsync.MatchID {
		ids := make([]string, 0, len(keys))
		for _, k := range keys {
			if id, ok := k["id"].(string); ok && id != "" {
				ids = append(ids, id)
			}
		}
		live, err := d.existing(ctx, module, ids)
		if err != nil {
			return nil, fmt.Errorf("zoho: find %s by id: %w", module, err)
		}
		for i, k := range keys {
			if id, _ := k["id"].(string); live[id] {
				out[i] = id
			}
		}
		return out, nil
	}
	if m.By == revsync.MatchDuplicateCheck {
		cands, err := d.matchIn(ctx, module, []string{module}, m, keys)
		if err != nil {
			return nil, fmt.Errorf("zoho: find %s: %w", module, err)
		}
		for i, cs := range cands {
			for _, c := range cs {
				if strings.EqualFold(c.Object, module) && (out[i] == "" || older(c.ID, out[i])) {
					out[i] = c.ID
				}
			}
		}
		return out, nil
	}
	fields, err := dupFields(m)
	if err != nil {
		return nil, fmt.Errorf("zoho: find %s: %w", module, err)
	}
	if len(fields) == 0 {
		f, ok := systemDupField[strings.ToLower(module)]
		if !ok {
			f = "Name"
		}
		fields = []string{f}
	}
	for _, f := range fields {
		var vals []any
		seen := map[string]bool{}
		for i, k := range keys {
			v := k[f]
			if out[i] != "" || isEmpty(v) || seen[norm(v)] {
				continue
			}
			seen[norm(v)] = true
			vals = append(vals, v)
		}
		found := map[string]string{}
		for start := 0; start < len(vals); start += coqlInValues {
			chunk := vals[start:min(start+coqlInValues, len(vals))]
			q := fmt.Sprintf("select id, %s from %s where %s in (%s) limit 2000", f, module, f, literals(chunk))
			res, err := d.c.COQL(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("zoho: find %s by %s: %w", module, f, err)
			}
			for _, r := range res.Data {
				id := idString(r["id"])
				k := norm(r[f])
				if old := found[k]; old == "" || older(id, old) {
					found[k] = id
				}
			}
		}
		for i, k := range keys {
			if out[i] == "" && !isEmpty(k[f]) {
				out[i] = found[norm(k[f])]
			}
		}
	}
	return out, nil
}

// Read returns the current values of fields for the records ids, keyed by
// id; records that do not exist are absent. Values come as the engine's
// types: lookups as id strings, multi-select values as []string, numbers
// as int64 (integer fields) or float64, datetimes as RFC 3339 in UTC. It
// runs COQL select … from <module> where id in (…), 50 ids and up to 49
// fields per query.
func (d *Destination) Read(ctx context.Context, module string, ids []string, fields []string) (map[string]map[string]any, error) {
	sc, err := d.schemaOf(ctx, module)
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, f := range fields {
		if f != "id" {
			cols = append(cols, f)
		}
	}
	want := numericIDs(ids)
	out := map[string]map[string]any{}
	for start := 0; start < len(want); start += coqlInValues {
		chunk := want[start:min(start+coqlInValues, len(want))]
		for cs := 0; cs < len(cols) || cs == 0; cs += coqlColumns - 1 {
			group := cols[cs:min(cs+coqlColumns-1, len(cols))]
			q := fmt.Sprintf("select %s from %s where id in (%s) limit %d",
				strings.Join(append([]string{"id"}, group...), ", "), module, strings.Join(chunk, ", "), len(chunk))
			res, err := d.c.COQL(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("zoho: read %s: %w", module, err)
			}
			for _, r := range res.Data {
				id := idString(r["id"])
				vals := out[id]
				if vals == nil {
					vals = make(map[string]any, len(fields))
					out[id] = vals
				}
				for _, f := range group {
					vals[f] = readValue(sc.dataType[f], r[f])
				}
			}
			if len(cols) == 0 {
				break
			}
		}
	}
	return out, nil
}

// existing reports which of ids are live records of module.
func (d *Destination) existing(ctx context.Context, module string, ids []string) (map[string]bool, error) {
	live := map[string]bool{}
	want := numericIDs(ids)
	for start := 0; start < len(want); start += coqlInValues {
		chunk := want[start:min(start+coqlInValues, len(want))]
		q := fmt.Sprintf("select id from %s where id in (%s) limit %d", module, strings.Join(chunk, ", "), len(chunk))
		res, err := d.c.COQL(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range res.Data {
			live[idString(r["id"])] = true
		}
	}
	return live, nil
}

// numericIDs keeps the distinct ids that are Zoho ids (digits only); others
// cannot exist and must not reach a query.
func numericIDs(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// readValue converts a COQL value to the engine's types.
func readValue(dt string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["id"]; ok {
			return idString(id)
		}
		return nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			if m, ok := e.(map[string]any); ok {
				out[i] = idString(m["id"])
				continue
			}
			out[i] = fmt.Sprint(e)
		}
		return out
	case json.Number:
		if dt == "integer" || dt == "bigint" {
			if n, err := x.Int64(); err == nil {
				return n
			}
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case string:
		if dt == "datetime" {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.UTC().Format(time.RFC3339Nano)
			}
		}
		return x
	}
	return v
}

// idString renders an id value (string or number) as a string.
func idString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// older reports whether Zoho id a was issued before b.
func older(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// norm is the case-insensitive comparison form of a key value.
func norm(v any) string {
	if m, ok := v.(map[string]any); ok {
		return idString(m["id"])
	}
	return strings.ToLower(strings.TrimSpace(fmt.Sprint(v)))
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// literals renders values as COQL literals: numbers and booleans bare,
// everything else as a quoted string.
func literals(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case int, int64, float64, json.Number, bool:
			parts[i] = fmt.Sprint(x)
		default:
			s := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(fmt.Sprint(v))
			parts[i] = "'" + s + "'"
		}
	}
	return strings.Join(parts, ", ")
}
