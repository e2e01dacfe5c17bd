package zohotest

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	datetimeLayout = "2006-01-02T15:04:05-07:00"
	dateLayout     = "2006-01-02"
)

// fmtValue renders a scalar slot value as text (for unique keys and names).
func fmtValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, `\u202`...)
				b = append(b, "0123456789abcdef"[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func (s *Server) appendTime(b []byte, unix int64) []byte {
	b = append(b, '"')
	b = time.Unix(unix, 0).In(s.opts.TimeZone).AppendFormat(b, datetimeLayout)
	return append(b, '"')
}

func (s *Server) fmtTime(unix int64) string {
	return time.Unix(unix, 0).In(s.opts.TimeZone).Format(datetimeLayout)
}

func (s *Server) userByID(id uint64) *user {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (s *Server) appendUser(b []byte, id uint64) []byte {
	u := s.userByID(id)
	if u == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"name":`...)
	b = appendString(b, u.name())
	b = append(b, `,"id":"`...)
	b = strconv.AppendUint(b, u.ID, 10)
	b = append(b, `","email":`...)
	b = appendString(b, u.Email)
	return append(b, '}')
}

// displayName is what a lookup to r shows as "name".
func (s *Server) displayName(m *module, r *record) string {
	if m.NameField == "Full_Name" {
		return fullName(m, r)
	}
	if f := m.field(m.NameField); f != nil {
		return fmtValue(m.get(r, f))
	}
	return ""
}

func fullName(m *module, r *record) string {
	fn, _ := m.get(r, m.field("First_Name")).(string)
	ln, _ := m.get(r, m.field("Last_Name")).(string)
	return strings.TrimSpace(fn + " " + ln)
}

func (s *Server) appendRef(b []byte, rf ref) []byte {
	tm := s.modules[strings.ToLower(rf.Module)]
	var tr *record
	if tm != nil {
		tr = tm.recs[rf.ID]
	}
	b = append(b, `{"name":`...)
	if tr != nil {
		b = appendString(b, s.displayName(tm, tr))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"id":"`...)
	b = strconv.AppendUint(b, rf.ID, 10)
	return append(b, `"}`...)
}

// fieldValue returns the value of f in r the way the API computes it,
// including the system and formula fields the record does not store.
func (s *Server) fieldValue(m *module, r *record, f *Field) any {
	switch f.APIName {
	case "Created_Time":
		return r.created
	case "Modified_Time":
		return r.modified
	case "Created_By":
		return userRef(r.creator)
	case "Modified_By":
		return userRef(r.modifier)
	case "Full_Name":
		if n := fullName(m, r); n != "" {
			return n
		}
		return nil
	case "Expected_Revenue":
		if m.APIName == "Deals" {
			a, ok1 := m.get(r, m.field("Amount")).(float64)
			p, ok2 := m.get(r, m.field("Probability")).(float64)
			if ok1 && ok2 {
				return math.Round(a*p) / 100
			}
			return nil
		}
	case "Locked__s":
		return false
	}
	return m.get(r, f)
}

// appendField appends the JSON of one field value.
func (s *Server) appendField(b []byte, m *module, r *record, f *Field) []byte {
	v := s.fieldValue(m, r, f)
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case int64:
		switch f.DataType {
		case "datetime":
			return s.appendTime(b, v)
		case "bigint":
			b = append(b, '"')
			b = strconv.AppendInt(b, v, 10)
			return append(b, '"')
		}
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(b, v)
	case []string:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, x)
		}
		return append(b, ']')
	case userRef:
		return s.appendUser(b, uint64(v))
	case ref:
		return s.appendRef(b, v)
	}
	return append(b, "null"...)
}

// appendRecord appends r as a JSON object with "id" and the given fields.
func (s *Server) appendRecord(b []byte, m *module, r *record, fields []*Field) []byte {
	b = append(b, `{"id":"`...)
	b = strconv.AppendUint(b, r.id, 10)
	b = append(b, '"')
	for _, f := range fields {
		b = append(b, ',')
		b = appendString(b, f.APIName)
		b = append(b, ':')
		b = s.appendField(b, m, r, f)
		if f.APIName == "What_Id" || f.APIName == "Parent_Id" {
			if rf, ok := m.get(r, f).(ref); ok {
				if f.APIName == "What_Id" {
					b = append(b, `,"$se_module":`...)
					b = appendString(b, rf.Module)
				}
			}
		}
	}
	return append(b, '}')
}

// plainValue converts a slot value to what encoding/json (and zql) expect:
// lookups as {"name","id"} maps, datetimes as offset strings.
func (s *Server) plainValue(m *module, r *record, f *Field) any {
	v := s.fieldValue(m, r, f)
	switch v := v.(type) {
	case int64:
		if f.DataType == "datetime" {
			return s.fmtTime(v)
		}
		if f.DataType == "bigint" {
			return strconv.FormatInt(v, 10)
		}
	case userRef:
		u := s.userByID(uint64(v))
		if u == nil {
			return nil
		}
		return map[string]any{"name": u.name(), "id": fmtID(u.ID), "email": u.Email}
	case ref:
		out := map[string]any{"id": fmtID(v.ID), "name": nil}
		if tm := s.modules[strings.ToLower(v.Module)]; tm != nil {
			if tr := tm.recs[v.ID]; tr != nil {
				out["name"] = s.displayName(tm, tr)
			}
		}
		return out
	case []string:
		return append([]string(nil), v...)
	}
	return v
}

// recordMap renders r with all fields as a map (Records, Save).
func (s *Server) recordMap(m *module, r *record) map[string]any {
	out := make(map[string]any, len(m.fields)+1)
	out["id"] = fmtID(r.id)
	for _, f := range m.fields {
		out[f.APIName] = s.plainValue(m, r, f)
		if f.APIName == "What_Id" {
			if rf, ok := m.get(r, f).(ref); ok {
				out["$se_module"] = rf.Module
			}
		}
	}
	return out
}

// coerce validates one input value for f and converts it to its slot form.
// It returns a record-level error element (nil when fine). seModule is the
// record's "$se_module" for What_Id.
func (s *Server) coerce(m *module, f *Field, raw any, path string, seModule string) (any, map[string]any) {
	if raw == nil {
		return nil, nil
	}
	bad := func() (any, map[string]any) {
		return nil, recordError("INVALID_DATA", "invalid data", "expected_data_type", f.DataType,
			"api_name", f.APIName, "json_path", path)
	}
	tooLong := func() (any, map[string]any) {
		return nil, recordError("INVALID_DATA", "invalid data", "maximum_length", f.maxLength(),
			"api_name", f.APIName, "json_path", path)
	}
	switch f.DataType {
	case "text", "textarea", "email", "phone", "website", "picklist", "autonumber":
		str, ok := raw.(string)
		if !ok {
			return bad()
		}
		if utf8.RuneCountInString(str) > f.maxLength() {
			return tooLong()
		}
		if f.DataType == "email" && str != "" && !validEmail(str) {
			return bad()
		}
		if str == "" {
			return nil, nil
		}
		return str, nil
	case "multiselectpicklist":
		arr, ok := raw.([]any)
		if !ok {
			return bad()
		}
		out := make([]string, 0, len(arr))
		for _, x := range arr {
			str, ok := x.(string)
			if !ok {
				return bad()
			}
			out = append(out, str)
		}
		if len(out) == 0 {
			// Stored empty, like "" for text, so that the list API and a
			// bulk read export (whose empty cell is all there is) agree.
			// Whether Zoho's REST API answers [] or null for an empty
			// multi-select is unconfirmed.
			return nil, nil
		}
		return out, nil
	case "integer", "bigint":
		var n int64
		switch x := raw.(type) {
		case json.Number:
			v, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil {
				return bad()
			}
			n = v
		case string:
			if f.DataType != "bigint" {
				return bad()
			}
			v, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return bad()
			}
			n = v
		default:
			return bad()
		}
		if digits(n) > f.maxLength() {
			return tooLong()
		}
		return n, nil
	case "double", "currency", "percent", "decimal":
		x, ok := raw.(json.Number)
		if !ok {
			return bad()
		}
		v, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return bad()
		}
		if math.Abs(v) >= math.Pow10(f.maxLength()) {
			return tooLong()
		}
		if f.APIName == "Probability" && m.APIName == "Deals" && (v < 0 || v > 100) {
			return nil, recordError("INVALID_DATA", "Given Probability is not valid", "api_name", f.APIName, "json_path", path)
		}
		return v, nil
	case "boolean":
		v, ok := raw.(bool)
		if !ok {
			return bad()
		}
		return v, nil
	case "date":
		str, ok := raw.(string)
		if !ok {
			return bad()
		}
		if _, err := time.Parse(dateLayout, str); err != nil {
			return bad()
		}
		return str, nil
	case "datetime":
		str, ok := raw.(string)
		if !ok {
			return bad()
		}
		t, err := time.Parse(datetimeLayout, str)
		if err != nil {
			return bad()
		}
		return t.Unix(), nil
	case "ownerlookup", "userlookup":
		id, ok := lookupID(raw)
		if !ok {
			return bad()
		}
		if s.userByID(id) == nil {
			return nil, recordError("INVALID_DATA", "invalid data", "expected_data_type", f.DataType,
				"api_name", f.APIName, "json_path", path+".id")
		}
		return userRef(id), nil
	case "lookup":
		id, ok := lookupID(raw)
		if !ok {
			return bad()
		}
		target := f.LookupModule
		if f.APIName == "Parent_Id" {
			if obj, ok := raw.(map[string]any); ok {
				if mm, ok := obj["module"].(map[string]any); ok {
					target, _ = mm["api_name"].(string)
				}
			}
		} else if target == "" {
			target = seModule
		}
		tm := s.modules[strings.ToLower(target)]
		if tm == nil || tm.recs[id] == nil {
			return nil, recordError("INVALID_DATA", "the related id given seems to be invalid",
				"api_name", f.APIName, "json_path", path, "id", fmtID(id))
		}
		return ref{Module: tm.APIName, ID: id}, nil
	}
	// formula, rollup_summary, files: not writable.
	return nil, nil
}

func digits(n int64) int {
	if n < 0 {
		n = -n
	}
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n,;<>") {
		return false
	}
	dom := s[at+1:]
	return strings.Contains(dom, ".") && !strings.HasPrefix(dom, ".") && !strings.HasSuffix(dom, ".")
}

// lookupID reads {"id":"…"} (id as string or number) or a bare id.
func lookupID(raw any) (uint64, bool) {
	switch x := raw.(type) {
	case map[string]any:
		return lookupID(x["id"])
	case string:
		return parseID(x)
	case json.Number:
		return parseID(string(x))
	}
	return 0, false
}
