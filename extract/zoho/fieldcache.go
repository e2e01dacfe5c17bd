package zoho

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/zoho"
)

// Field metadata without a call per run.
//
// The fields API has no conditional form in the reference sheet (no
// If-Modified-Since, no ETag), so each read's fields travel in its cursor
// (saved in _revops.cursors in the same transaction as the rows they
// describe) with the module's modified_time from the modules API at the
// time. An incremental read reuses them, without calling the fields API,
// while the modules API, which Objects reads on every run anyway, shows
// the same modified_time for the module. The fields are read again:
//
//   - when the module's modified_time moved (a field added, changed or
//     removed moves it in the emulator; whether it does on Zoho is
//     unconfirmed, hence the next point), or lies in the second the
//     fields were read (it has whole seconds: a change in that second
//     may have come after the read);
//   - on every full read: the first one and then every formula_refresh
//     (default 24 h), so a change the modified_time misses shows within
//     that time;
//   - when the cursor holds none (cursors of earlier revops versions) or
//     Objects did not run (the module's modified_time is unknown).

// fieldCache is a module's fields as a cursor keeps them.
type fieldCache struct {
	// Module is the module's modified_time when the fields were read.
	Module string `json:"module_modified"`
	// Read is the server time of the fields call.
	Read string `json:"read"`
	// Fields are the fields, compactly (see encodeFields).
	Fields string `json:"fields"`
}

// typeCodes shorten the common data types in a cursor.
var typeCodes = map[string]string{
	"text": "t", "textarea": "a", "email": "e", "phone": "p", "website": "w", "picklist": "k",
	"multiselectpicklist": "m", "date": "d", "datetime": "T", "integer": "i", "bigint": "b", "double": "D",
	"currency": "c", "percent": "P", "decimal": "x", "boolean": "B", "lookup": "l", "ownerlookup": "o",
	"userlookup": "u", "autonumber": "n", "formula": "f",
}

var typeNames = func() map[string]string {
	out := make(map[string]string, len(typeCodes))
	for n, c := range typeCodes {
		out[c] = n
	}
	return out
}()

// encodeFields writes fields as "Name:type[/extra]…[#id]" joined by
// commas: type as a typeCodes letter (else its name), extras
// "/dN" (decimal_place), "/fT" (formula return type), "/jT" (json_type
// of a formula), "/lM" (lookup module), and the field id only where
// columnNames needs it (a name that differs from another only by case, or
// is a reserved column's). API names, types and module names hold no
// ":", "/", "#" or ",".
func encodeFields(fields []zoho.Field) string {
	lower := map[string]int{}
	for _, r := range reservedColumns {
		lower[r]++
	}
	for _, f := range fields {
		lower[strings.ToLower(f.APIName)]++
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.APIName)
		b.WriteByte(':')
		t := strings.ToLower(f.DataType)
		if c, ok := typeCodes[t]; ok {
			b.WriteString(c)
		} else {
			b.WriteString(t)
		}
		if f.DecimalPlace != nil {
			b.WriteString("/d" + strconv.Itoa(*f.DecimalPlace))
		}
		if f.Formula != nil && f.Formula.ReturnType != "" {
			b.WriteString("/f" + f.Formula.ReturnType)
		}
		if t == "formula" && f.JSONType != "" {
			b.WriteString("/j" + f.JSONType)
		}
		if m := f.LookupModule(); m != "" {
			b.WriteString("/l" + m)
		}
		if lower[strings.ToLower(f.APIName)] > 1 && f.ID != "" {
			b.WriteString("#" + f.ID)
		}
	}
	return b.String()
}

// decodeFields reads what encodeFields wrote.
func decodeFields(s string) ([]zoho.Field, error) {
	if s == "" {
		return nil, errors.New("no fields")
	}
	parts := strings.Split(s, ",")
	out := make([]zoho.Field, 0, len(parts))
	for _, p := range parts {
		name, rest, ok := strings.Cut(p, ":")
		if !ok || name == "" || rest == "" {
			return nil, fmt.Errorf("field %q is not Name:type", p)
		}
		f := zoho.Field{APIName: name}
		rest, f.ID, _ = strings.Cut(rest, "#")
		attrs := strings.Split(rest, "/")
		if n, ok := typeNames[attrs[0]]; ok {
			f.DataType = n
		} else {
			f.DataType = attrs[0]
		}
		for _, a := range attrs[1:] {
			if a == "" {
				return nil, fmt.Errorf("field %q: an empty attribute", p)
			}
			v := a[1:]
			switch a[0] {
			case 'd':
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("field %q: decimal place %q", p, v)
				}
				f.DecimalPlace = &n
			case 'f':
				f.Formula = &zoho.Formula{ReturnType: v}
			case 'j':
				f.JSONType = v
			case 'l':
				f.Lookup = &zoho.Lookup{Module: &struct {
					APIName string `json:"api_name"`
					ID      string `json:"id"`
				}{APIName: v}}
			default:
				return nil, fmt.Errorf("field %q: unknown attribute %q", p, a)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// cacheFields keeps fields read at (server time) for the cursor.
func cacheFields(fields []zoho.Field, moduleModified string, read time.Time) *fieldCache {
	return &fieldCache{Module: moduleModified, Read: read.UTC().Format(time.RFC3339), Fields: encodeFields(fields)}
}

// holds reports whether the kept fields are still the module's when the
// modules API says modified: the same modified_time, and one from before
// the second the fields were read (a change in that very second may have
// come after the read: modified_time has whole seconds).
func (c *fieldCache) holds(modified string) bool {
	if c == nil || modified == "" || c.Module != modified {
		return false
	}
	m, read := at(modified), at(c.Read)
	return !m.IsZero() && !read.IsZero() && m.Truncate(time.Second).Before(read.Truncate(time.Second))
}

// decode returns the kept fields.
func (c *fieldCache) decode() ([]zoho.Field, error) { return decodeFields(c.Fields) }

// moduleSeen is what the last modules call said of a module.
type moduleSeen struct {
	modified string    // its modified_time
	at       time.Time // the server's clock then (zero: no Date header)
	local    time.Time // the local clock then
}

// seen returns what Objects last learnt of a module.
func (e *Extractor) seen(module string) (moduleSeen, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.modules[module]
	return m, ok
}

// clock estimates the server's clock from the last modules call (its
// Date plus the time gone by since), else the local clock.
func (m moduleSeen) clock() time.Time {
	if m.at.IsZero() {
		return time.Now()
	}
	return m.at.Add(time.Since(m.local))
}

// moduleFields returns the fields of a module for a read of plan p from
// cursor cur: the cursor's when they still hold (see the comment at the
// top of this file), else the fields API's. fresh reports a fields call,
// whose server time (zero when unknown) is then returned.
func (e *Extractor) moduleFields(ctx context.Context, module string, cur cursor, full bool) (
	fields []zoho.Field, cache *fieldCache, fresh bool, serverNow time.Time, err error) {
	seen, known := e.seen(module)
	if c := cur.Schema; !full && known && c.holds(seen.modified) {
		if fields, err = c.decode(); err == nil {
			return fields, c, false, time.Time{}, nil
		}
		e.log.Warn("zoho extract: the cursor's fields do not decode; reading the fields API", "source", e.name,
			"object", module, "error", err)
	}
	fields, serverNow, err = e.c.FieldsAt(ctx, module)
	if err != nil {
		return nil, nil, false, time.Time{}, err
	}
	read := serverNow
	if read.IsZero() {
		read = time.Now()
	}
	return fields, cacheFields(fields, seen.modified, read), true, serverNow, nil
}
