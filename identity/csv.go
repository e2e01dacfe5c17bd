package identity

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// RoleSource is the --map role naming the column that says which file
// or system a record comes from (febrl4a / febrl4b, zoho_crm, ...).
const RoleSource = "source"

// CSVRoles are the roles `revops identity match --map` accepts.
func CSVRoles() []string { return append([]string{RoleSource}, Roles...) }

// RoleMap maps roles to CSV columns; a role read from several columns
// joins their values with a space (address=street_number+address_1).
type RoleMap map[string][]string

// ParseRoleMap reads "role=column,role=col1+col2" (repeatable pieces
// are joined by the caller with commas). Roles are case-insensitive;
// columns are taken as written (trimmed).
func ParseRoleMap(s string) (RoleMap, error) {
	m := RoleMap{}
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("--map: no roles (want role=column,...; roles: %s)", strings.Join(CSVRoles(), ", "))
	}
	for _, part := range splitMap(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, cols, ok := strings.Cut(part, "=")
		role = strings.ToLower(strings.TrimSpace(role))
		if !ok || role == "" {
			return nil, fmt.Errorf("--map: %q is not role=column", part)
		}
		if !slices.Contains(CSVRoles(), role) {
			return nil, fmt.Errorf("--map: unknown role %q (roles: %s)", role, strings.Join(CSVRoles(), ", "))
		}
		if _, dup := m[role]; dup {
			return nil, fmt.Errorf("--map: role %s is mapped twice (join columns with +: %s=a+b)", role, role)
		}
		var list []string
		for _, c := range strings.Split(cols, "+") {
			c = strings.TrimSpace(c)
			if c == "" {
				return nil, fmt.Errorf("--map: %s: empty column name in %q", role, part)
			}
			list = append(list, c)
		}
		m[role] = list
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("--map: no roles (want role=column,...)")
	}
	return m, nil
}

// splitMap splits on commas outside double quotes (a column name may
// hold a comma when quoted: company="Site, name").
func splitMap(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

// String renders the map as ParseRoleMap reads it, roles sorted.
func (m RoleMap) String() string {
	var parts []string
	for _, r := range sortedKeys(m) {
		parts = append(parts, r+"="+strings.Join(m[r], "+"))
	}
	return strings.Join(parts, ",")
}

// Kind guesses the kind of entity the mapped roles describe: people when
// a person's name or date of birth is mapped, else companies.
func (m RoleMap) Kind() Kind {
	for _, r := range []string{"first_name", "last_name", "full_name", "date_of_birth"} {
		if _, ok := m[r]; ok {
			return KindPerson
		}
	}
	if _, ok := m["company"]; ok {
		return KindCompany
	}
	return KindPerson
}

// CSVData is a CSV file read for matching.
type CSVData struct {
	// IDs are the record ids in file order.
	IDs []string
	// Values per role (Roles and RoleSource), in file order.
	Values map[string][]string
	// Extra holds the columns asked for besides the roles (a truth
	// column), in file order.
	Extra map[string][]string
	// Warnings say what was missing or repaired: mapped columns the file
	// lacks, columns empty in every row, text that was not UTF-8.
	Warnings []string
	// Lines is the line each record starts on.
	Lines []int
}

// ReadCSV reads a CSV file (a header line, RFC 4180 quoting) whose
// idColumn holds unique record ids, with the roles of m and the extra
// columns. A mapped column the file lacks or that is empty in every row
// is a warning (matching uses what is there); a missing id column, an
// empty or repeated id, a row with another number of fields than the
// header, or a missing extra column is an error naming the line.
// Text that is not UTF-8 has its bad bytes dropped, with a warning naming
// the first line.
func ReadCSV(r io.Reader, name, idColumn string, m RoleMap, extra ...string) (*CSVData, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: the file is empty (want a header line)", name)
	}
	if err != nil {
		return nil, csvErr(name, err)
	}
	index := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if !utf8.ValidString(h) {
			h = strings.ToValidUTF8(h, "")
		}
		if _, dup := index[h]; !dup {
			index[h] = i
		}
	}
	d := &CSVData{Values: map[string][]string{}, Extra: map[string][]string{}}
	idIdx, ok := index[idColumn]
	if !ok {
		return nil, fmt.Errorf("%s:1: no column %q for the record ids (columns: %s)", name, idColumn, headList(head))
	}
	roleCols := map[string][]int{}
	var missing []string
	for _, role := range sortedKeys(m) {
		for _, c := range m[role] {
			i, ok := index[c]
			if !ok {
				missing = append(missing, fmt.Sprintf("%s=%s", role, c))
				continue
			}
			roleCols[role] = append(roleCols[role], i)
		}
	}
	if len(missing) > 0 {
		d.Warnings = append(d.Warnings, fmt.Sprintf("%s: no column for %s: matching without it (columns: %s)", name, strings.Join(missing, ", "), headList(head)))
	}
	extraIdx := map[string]int{}
	for _, e := range extra {
		i, ok := index[e]
		if !ok {
			return nil, fmt.Errorf("%s:1: no column %q (columns: %s)", name, e, headList(head))
		}
		extraIdx[e] = i
	}
	filled := map[string]int{}
	seen := map[string]int{}
	badUTF8 := 0
	clean := func(s string) string {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "")
			if badUTF8 == 0 {
				badUTF8 = -1
			}
		}
		return strings.TrimSpace(s)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(head) > 1 {
			continue // a blank line
		}
		badUTF8Before := badUTF8
		id := clean(rec[idIdx])
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty record id in column %s", name, line, idColumn)
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s:%d: record id %q repeats line %d (ids must be unique)", name, line, id, prev)
		}
		seen[id] = line
		d.IDs = append(d.IDs, id)
		d.Lines = append(d.Lines, line)
		for _, role := range CSVRoles() {
			cols, ok := roleCols[role]
			if !ok {
				continue
			}
			var parts []string
			for _, i := range cols {
				if v := clean(rec[i]); v != "" {
					parts = append(parts, v)
				}
			}
			v := strings.Join(parts, " ")
			if v != "" {
				filled[role]++
			}
			d.Values[role] = append(d.Values[role], v)
		}
		for e, i := range extraIdx {
			d.Extra[e] = append(d.Extra[e], clean(rec[i]))
		}
		if badUTF8 == -1 && badUTF8Before == 0 {
			badUTF8 = line
		}
	}
	if badUTF8 > 0 {
		d.Warnings = append(d.Warnings, fmt.Sprintf("%s:%d: text that is not UTF-8 (first on this line): its bad bytes were dropped", name, badUTF8))
	}
	for _, role := range sortedKeys(roleCols) {
		if filled[role] == 0 && len(d.IDs) > 0 {
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s: %s (%s) is empty in every row: matching without it", name, role, strings.Join(m[role], "+")))
		}
	}
	if len(d.IDs) == 0 {
		d.Warnings = append(d.Warnings, fmt.Sprintf("%s: no records after the header", name))
	}
	return d, nil
}

func headList(head []string) string {
	out := make([]string, len(head))
	for i, h := range head {
		out[i] = fmt.Sprintf("%q", strings.ToValidUTF8(h, ""))
	}
	if len(out) > 40 {
		out = append(out[:40], "...")
	}
	return strings.Join(out, ", ")
}

func csvErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("%s:%d: the row has another number of fields than the header (a ragged row)", name, pe.StartLine)
		}
		return fmt.Errorf("%s:%d: %v", name, pe.StartLine, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// Records returns the data as the rows of an input model: record_id,
// source, object, source_id and every role (NULL when unmapped or empty).
func (d *CSVData) Records(object string) (array.RecordReader, error) {
	cols := append([]string{"record_id", "source", "object", "source_id"}, Roles...)
	fs := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fs[i] = arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: c != "record_id"}
	}
	schema := arrow.NewSchema(fs, nil)
	var recs []arrow.RecordBatch
	const batch = 64 * 1024
	for start := 0; start < len(d.IDs) || start == 0; start += batch {
		end := min(start+batch, len(d.IDs))
		b := array.NewRecordBuilder(alloc, schema)
		for i := start; i < end; i++ {
			b.Field(0).(*array.StringBuilder).Append(d.IDs[i])
			src := ""
			if v := d.Values[RoleSource]; v != nil {
				src = v[i]
			}
			appendStr(b.Field(1).(*array.StringBuilder), src)
			b.Field(2).(*array.StringBuilder).Append(object)
			b.Field(3).(*array.StringBuilder).Append(d.IDs[i])
			for j, role := range Roles {
				v := ""
				if vals := d.Values[role]; vals != nil {
					v = vals[i]
				}
				appendStr(b.Field(4+j).(*array.StringBuilder), v)
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
		if end >= len(d.IDs) {
			break
		}
	}
	r, err := array.NewRecordReader(schema, recs)
	for _, rec := range recs {
		rec.Release()
	}
	return r, err
}
