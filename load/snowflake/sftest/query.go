package sftest

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Statement type ids (gosnowflake decides DML results by the 0x3000 range).
const (
	stSelect = 0x1000
	stInsert = 0x3100
	stUpdate = 0x3200
	stDelete = 0x3300
	stMerge  = 0x3400
	stCopy   = 0x3600
	stSCL    = 0x4000
	stTCL    = 0x5000
	stDDL    = 0x6000
	stMulti  = 0xA000
	stPut    = 0x7000 // outside 0x3000-0x3500; the real id is undocumented (unconfirmed)
)

type queryRequest struct {
	SQLText    string                     `json:"sqlText"`
	AsyncExec  bool                       `json:"asyncExec"`
	Parameters map[string]any             `json:"parameters"`
	Bindings   map[string]json.RawMessage `json:"bindings"`
}

type binding struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type rowType struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Precision int    `json:"precision"`
	Scale     int    `json:"scale"`
	Nullable  bool   `json:"nullable"`
	Length    *int   `json:"length"`
}

type queryResult struct {
	data map[string]any
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	se := s.session(w, r)
	if se == nil {
		return
	}
	var req queryRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad query body", http.StatusBadRequest)
		return
	}
	qid := s.nextID()
	args, err := bindArgs(req.Bindings)
	if err != nil {
		writeError(w, &Error{Code: "002049", State: "22000", Message: err.Error()}, qid)
		return
	}
	toks, err := lex(req.SQLText)
	if err != nil {
		writeError(w, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsyntax error: " + err.Error()}, qid)
		return
	}
	stmts := splitStatements(toks)
	if len(stmts) == 0 {
		writeError(w, &Error{Code: "000900", State: "42000", Message: "SQL compilation error:\nEmpty SQL statement."}, qid)
		return
	}
	want := 1
	if v, ok := req.Parameters["MULTI_STATEMENT_COUNT"]; ok {
		n, _ := strconv.Atoi(fmt.Sprint(v))
		want = n
	}
	if want != 0 && want != len(stmts) {
		writeError(w, &Error{Code: "000008", State: "0A000",
			Message: fmt.Sprintf("Actual statement count %d did not match the desired statement count %d.", len(stmts), want)}, qid)
		return
	}
	se.mu.Lock()
	defer se.mu.Unlock()
	if se.conn == nil {
		writeError(w, &Error{Code: "390104", State: "08001", Message: "User must login again to access the service."}, qid)
		return
	}
	ctx := r.Context()
	if len(stmts) == 1 && want != 0 {
		data, err := s.execute(ctx, se, stmts[0], args, qid, req.SQLText)
		if err != nil {
			writeError(w, asError(err), qid)
			return
		}
		if req.AsyncExec || s.pending(req.SQLText) {
			// A long query: the reply says it is still running and the
			// driver fetches the result from getResultUrl.
			s.mu.Lock()
			s.res[qid] = &queryResult{data: data}
			s.mu.Unlock()
			writeJSON(w, envelope{Success: true, Code: "333334", Message: "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
				Data: map[string]any{"queryId": qid, "getResultUrl": "/queries/" + qid + "/result", "queryAbortsAfterSecs": 300, "progressDesc": nil}})
			return
		}
		writeJSON(w, envelope{Success: true, Data: data})
		return
	}
	if len(args) > 0 {
		writeError(w, &Error{Code: "000008", State: "0A000", Message: "Binding parameters are not supported in multi-statement requests."}, qid)
		return
	}
	var ids, types []string
	for _, st := range stmts {
		cid := s.nextID()
		data, err := s.execute(ctx, se, st, nil, cid, "")
		if err != nil {
			writeError(w, asError(err), cid)
			return
		}
		s.mu.Lock()
		s.res[cid] = &queryResult{data: data}
		s.mu.Unlock()
		ids = append(ids, cid)
		types = append(types, strconv.Itoa(data["statementTypeId"].(int)))
	}
	one := "Multiple statements executed successfully."
	writeJSON(w, envelope{Success: true, Data: map[string]any{
		"queryId": qid, "statementTypeId": stMulti, "queryResultFormat": "json",
		"rowtype": []rowType{{Name: "multiple statement execution", Type: "text", Nullable: true}},
		"rowset":  [][]*string{{&one}}, "total": 1, "returned": 1,
		"resultIds": strings.Join(ids, ","), "resultTypes": strings.Join(types, ","),
	}})
}

// storedNameRE finds names in DuckDB's messages that carry encodeName's
// marks, to show them as Snowflake spells them.
var storedNameRE = regexp.MustCompile(`[^\s"'.(),]*~[^\s"'.(),]*`)

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	msg := storedNameRE.ReplaceAllStringFunc(err.Error(), decodeName)
	switch {
	case strings.Contains(msg, "Catalog Error") && strings.Contains(msg, "does not exist"):
		return &Error{Code: "002003", State: "42S02", Message: "SQL compilation error:\n" + msg}
	case strings.Contains(msg, "Parser Error"):
		return &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\n" + msg}
	case strings.Contains(msg, "Binder Error"):
		return &Error{Code: "000904", State: "42000", Message: "SQL compilation error:\n" + msg}
	case strings.Contains(msg, "Conversion Error"):
		return &Error{Code: "100038", State: "22018", Message: msg}
	case strings.Contains(msg, "Constraint Error"):
		return &Error{Code: "100072", State: "22000", Message: msg}
	}
	return &Error{Code: "100132", State: "P0000", Message: msg}
}

// bindArgs turns the driver's bindings ("1", "2", ...) into DuckDB arguments.
func bindArgs(raw map[string]json.RawMessage) ([]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	args := make([]any, len(raw))
	for k, v := range raw {
		i, err := strconv.Atoi(k)
		if err != nil || i < 1 || i > len(raw) {
			return nil, fmt.Errorf("binding %q: only positional bindings 1..%d are emulated", k, len(raw))
		}
		var b binding
		if err := json.Unmarshal(v, &b); err != nil {
			return nil, fmt.Errorf("binding %s: %w", k, err)
		}
		if b.Value == nil {
			args[i-1] = nil
			continue
		}
		str, ok := b.Value.(string)
		if !ok {
			return nil, fmt.Errorf("binding %s: array bindings are not emulated", k)
		}
		switch strings.ToUpper(b.Type) {
		case "FIXED":
			if n, err := strconv.ParseInt(str, 10, 64); err == nil {
				args[i-1] = n
			} else {
				args[i-1] = str
			}
		case "REAL":
			f, err := strconv.ParseFloat(str, 64)
			if err != nil {
				return nil, fmt.Errorf("binding %s: %w", k, err)
			}
			args[i-1] = f
		case "BOOLEAN":
			args[i-1] = str == "true" || str == "1"
		case "TIMESTAMP_NTZ", "TIMESTAMP_LTZ":
			ns, err := strconv.ParseInt(str, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("binding %s: %w", k, err)
			}
			args[i-1] = time.Unix(0, ns).UTC()
		case "TIMESTAMP_TZ":
			f := strings.Fields(str)
			ns, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("binding %s: %w", k, err)
			}
			args[i-1] = time.Unix(0, ns).UTC()
		case "DATE":
			ms, err := strconv.ParseInt(str, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("binding %s: %w", k, err)
			}
			args[i-1] = time.UnixMilli(ms).UTC()
		default:
			args[i-1] = str
		}
	}
	return args, nil
}

// statementKind is the statement's first keyword, upper-case.
func statementKind(sig []token) string {
	if len(sig) == 0 {
		return ""
	}
	if sig[0].punct("(") {
		return "SELECT"
	}
	return strings.ToUpper(sig[0].text)
}

func (s *Server) execute(ctx context.Context, se *session, stmt []token, args []any, qid, text string) (map[string]any, error) {
	sig := significant(stmt)
	kind := statementKind(sig)
	raw := strings.ToLower(strings.ReplaceAll(render(sig), " . ", "."))
	s.mu.Lock()
	s.stats.Statements++
	s.stats.ByKind[kind]++
	var fault *Error
	for i := range s.queryFaults {
		f := &s.queryFaults[i]
		if f.times > 0 && strings.Contains(raw, f.contains) {
			f.times--
			e := f.err
			fault = &e
			break
		}
	}
	s.mu.Unlock()
	if fault != nil {
		return nil, fault
	}
	base := map[string]any{"queryId": qid, "queryResultFormat": "json", "finalDatabaseName": se.database,
		"finalSchemaName": se.schema, "finalWarehouseName": se.wh, "finalRoleName": se.role}
	status := func(typ int, msg string) (map[string]any, error) {
		base["statementTypeId"] = typ
		base["rowtype"] = []rowType{{Name: "status", Type: "text", Nullable: true}}
		base["rowset"] = [][]*string{{&msg}}
		base["total"], base["returned"] = 1, 1
		return base, nil
	}
	switch kind {
	case "PUT":
		return s.put(se, text, base)
	case "COPY":
		return s.copyInto(ctx, se, sig, base)
	case "BEGIN", "START":
		if !se.inTxn {
			if _, err := se.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
				return nil, err
			}
			se.inTxn = true
		}
		return status(stTCL, "Statement executed successfully.")
	case "COMMIT", "ROLLBACK":
		if se.inTxn {
			se.inTxn = false
			if _, err := se.conn.ExecContext(ctx, kind); err != nil {
				return nil, err
			}
		}
		return status(stTCL, "Statement executed successfully.")
	case "USE":
		if len(sig) >= 3 && sig[1].is("schema") {
			se.schema = strings.ToUpper(sig[2].text)
		}
		return status(stSCL+0x300, "Statement executed successfully.")
	case "REMOVE", "RM":
		return s.remove(sig, base)
	case "SHOW", "DESCRIBE", "DESC", "GET", "LIST", "LS", "CALL", "EXECUTE", "GRANT", "REVOKE", "UNDROP":
		return nil, &Error{Code: "001003", State: "42000", Message: fmt.Sprintf("SQL compilation error:\n%s statements are not emulated by sftest", kind)}
	case "ALTER":
		if len(sig) > 1 && sig[1].is("session") {
			for i := 2; i+2 < len(sig); i++ {
				if sig[i].is("go_query_result_format") && sig[i+1].punct("=") {
					se.arrow = strings.EqualFold(strings.Trim(sig[i+2].text, "'"), "arrow")
				}
			}
			return status(stSCL+0x100, "Statement executed successfully.")
		}
	}
	isDDL := kind == "CREATE" || kind == "DROP" || kind == "ALTER" || kind == "TRUNCATE" || kind == "COMMENT"
	if isDDL {
		// DDL commits an open transaction first and runs on its own.
		if se.inTxn {
			se.inTxn = false
			if _, err := se.conn.ExecContext(ctx, "COMMIT"); err != nil {
				return nil, err
			}
		}
		sig = s.temporary(se, sig)
		// Grants are not emulated: CREATE OR REPLACE ... COPY GRANTS keeps
		// nothing to keep.
		for i := 0; i+1 < len(sig); i++ {
			if sig[i].is("copy") && sig[i+1].is("grants") {
				sig = append(sig[:i:i], sig[i+2:]...)
				break
			}
		}
	}
	q, err := translate(sig)
	if err != nil {
		return nil, err
	}
	q = rewriteCatalog(q)
	// Snowflake's RENAME TO takes a qualified name, DuckDB's the bare one.
	q = renameRE.ReplaceAllString(q, "RENAME TO $1")
	switch kind {
	case "SELECT", "WITH", "VALUES", "FROM":
		return s.selectRows(ctx, se, q, args, base)
	case "INSERT", "UPDATE", "DELETE", "MERGE":
		return s.dml(ctx, se, kind, q, args, base)
	case "CREATE", "DROP", "ALTER", "TRUNCATE", "COMMENT":
		if _, err := se.conn.ExecContext(ctx, q, args...); err != nil {
			return nil, err
		}
		return status(stDDL, "Statement executed successfully.")
	}
	return nil, &Error{Code: "001003", State: "42000", Message: fmt.Sprintf("SQL compilation error:\nsyntax error: unexpected '%s' (sftest emulates SELECT, WITH, INSERT, UPDATE, DELETE, MERGE, CREATE, DROP, ALTER, TRUNCATE, BEGIN, COMMIT, ROLLBACK, USE, ALTER SESSION, PUT and COPY INTO)", kind)}
}

// render joins tokens back into text (for fault matching and messages).
func render(sig []token) string {
	parts := make([]string, len(sig))
	for i, t := range sig {
		switch t.kind {
		case tString:
			parts[i] = "'" + t.text + "'"
		case tQuoted:
			parts[i] = `"` + t.text + `"`
		default:
			parts[i] = t.text
		}
	}
	return strings.Join(parts, " ")
}

// temporary turns CREATE TEMPORARY|TEMP|TRANSIENT|VOLATILE TABLE into an
// ordinary table the session drops when it closes.
func (s *Server) temporary(se *session, sig []token) []token {
	if len(sig) < 4 || !sig[0].is("create") {
		return sig
	}
	i := 1
	if sig[i].is("or") && i+1 < len(sig) && sig[i+1].is("replace") {
		i += 2
	}
	if i >= len(sig) || !sig[i].is("temporary", "temp", "transient", "volatile", "local", "global") {
		return sig
	}
	temp := !sig[i].is("transient")
	out := append(append([]token(nil), sig[:i]...), sig[i+1:]...)
	if !temp {
		return out
	}
	// The name follows TABLE [IF NOT EXISTS].
	j := i
	for j < len(out) && !out[j].is("table") {
		j++
	}
	j++
	if j+2 < len(out) && out[j].is("if") {
		j += 3
	}
	var name strings.Builder
	for ; j < len(out) && (out[j].kind == tWord || out[j].kind == tQuoted || out[j].punct(".")); j++ {
		if out[j].is("as", "like", "clone") {
			break
		}
		switch out[j].kind {
		case tQuoted:
			enc, err := encodeName(out[j].text)
			if err != nil {
				enc = out[j].text // translate refuses the statement
			}
			name.WriteString(`"` + strings.ReplaceAll(enc, `"`, `""`) + `"`)
		case tWord:
			name.WriteString(strings.ToUpper(out[j].text))
		default:
			name.WriteString(out[j].text)
		}
	}
	se.temps = append(se.temps, name.String())
	return out
}

var renameRE = regexp.MustCompile(`RENAME TO (?:(?:"(?:[^"]|"")*"|[A-Z_0-9$]+) \. )+("(?:[^"]|"")*"|[A-Z_0-9$]+)`)

var catalogRE = regexp.MustCompile(`(?i)\bINFORMATION_SCHEMA\s*\.\s*(TABLES|COLUMNS)\b`)

// rewriteCatalog points information_schema.tables/columns at views that
// report Snowflake's type names.
func rewriteCatalog(q string) string {
	return catalogRE.ReplaceAllStringFunc(q, func(m string) string {
		return `"__sf".` + strings.ToLower(catalogRE.FindStringSubmatch(m)[1])
	})
}

func (s *Server) dml(ctx context.Context, se *session, kind, q string, args []any, base map[string]any) (map[string]any, error) {
	var counts []int64
	var names []string
	typ := map[string]int{"INSERT": stInsert, "UPDATE": stUpdate, "DELETE": stDelete, "MERGE": stMerge}[kind]
	if kind == "MERGE" {
		// One count per action, as the service reports them.
		rows, err := se.conn.QueryContext(ctx, q+" RETURNING merge_action", args...)
		if err != nil {
			return nil, err
		}
		per := map[string]int64{}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return nil, err
			}
			per[a]++
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, a := range []string{"INSERT", "UPDATE", "DELETE"} {
			if strings.Contains(strings.ToUpper(q), "THEN "+a) {
				names = append(names, map[string]string{"INSERT": "number of rows inserted", "UPDATE": "number of rows updated", "DELETE": "number of rows deleted"}[a])
				counts = append(counts, per[a])
			}
		}
	} else {
		res, err := se.conn.ExecContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		n, _ := res.RowsAffected()
		switch kind {
		case "INSERT":
			names, counts = []string{"number of rows inserted"}, []int64{n}
		case "UPDATE":
			names, counts = []string{"number of rows updated", "number of multi-joined rows updated"}, []int64{n, 0}
		case "DELETE":
			names, counts = []string{"number of rows deleted"}, []int64{n}
		}
	}
	rt := make([]rowType, len(names))
	row := make([]*string, len(names))
	for i := range names {
		rt[i] = rowType{Name: names[i], Type: "fixed", Precision: 19}
		v := strconv.FormatInt(counts[i], 10)
		row[i] = &v
	}
	base["statementTypeId"] = typ
	base["rowtype"] = rt
	base["rowset"] = [][]*string{row}
	base["total"], base["returned"] = 1, 1
	return base, nil
}

func (s *Server) selectRows(ctx context.Context, se *session, q string, args []any, base map[string]any) (map[string]any, error) {
	rows, err := se.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	rt := make([]rowType, len(cts))
	for i, ct := range cts {
		rt[i] = snowType(ct)
	}
	var all [][]*string
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			row[i], err = cell(rt[i], v)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", rt[i].Name, err)
			}
		}
		all = append(all, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	base["statementTypeId"] = stSelect
	base["rowtype"] = rt
	base["total"] = len(all)
	// encode renders one part of the result (the first rowset or a chunk).
	encode := func(part [][]*string) (string, error) {
		if se.arrow {
			b, err := arrowStream(rt, part)
			return string(b), err
		}
		var b strings.Builder
		for i, row := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			j, _ := json.Marshal(row)
			b.Write(j)
		}
		return b.String(), nil
	}
	first := all
	if len(all) > s.opts.ChunkRows {
		first = all[:s.opts.ChunkRows]
		var chunks []map[string]any
		qid := base["queryId"].(string)
		for n, off := 0, s.opts.ChunkRows; off < len(all); n, off = n+1, off+s.opts.ChunkRows {
			end := min(off+s.opts.ChunkRows, len(all))
			body, err := encode(all[off:end])
			if err != nil {
				return nil, err
			}
			path := fmt.Sprintf("/chunks/%s/%d", qid, n)
			s.mu.Lock()
			s.chunk[path] = body
			s.mu.Unlock()
			chunks = append(chunks, map[string]any{"url": s.URL + path, "rowCount": end - off,
				"uncompressedSize": len(body), "compressedSize": len(body)})
		}
		base["chunks"] = chunks
		base["chunkHeaders"] = map[string]string{"x-sftest": "1"}
	}
	base["returned"] = len(first)
	s.mu.Lock()
	if se.arrow {
		s.stats.ArrowResults++
	} else {
		s.stats.JSONResults++
	}
	s.mu.Unlock()
	if se.arrow {
		base["queryResultFormat"] = "arrow"
		if len(first) > 0 {
			b, err := encode(first)
			if err != nil {
				return nil, err
			}
			base["rowsetBase64"] = base64.StdEncoding.EncodeToString([]byte(b))
		}
		return base, nil
	}
	if first == nil {
		first = [][]*string{}
	}
	base["rowset"] = first
	return base, nil
}

// snowType reports a DuckDB result column as Snowflake would type it.
func snowType(ct *sql.ColumnType) rowType {
	name := decodeName(ct.Name())
	t := strings.ToUpper(ct.DatabaseTypeName())
	r := rowType{Name: name, Nullable: true}
	switch {
	case t == "BOOLEAN":
		r.Type = "boolean"
	case t == "TINYINT", t == "SMALLINT", t == "INTEGER", t == "BIGINT", t == "HUGEINT", t == "UTINYINT", t == "USMALLINT", t == "UINTEGER", t == "UBIGINT":
		r.Type, r.Precision = "fixed", 38
	case strings.HasPrefix(t, "DECIMAL"):
		// duckdb-go spells the precision and scale in the type name.
		var p, sc int
		if _, err := fmt.Sscanf(t, "DECIMAL(%d,%d)", &p, &sc); err != nil {
			p, sc = 38, 0
		}
		r.Type, r.Precision, r.Scale = "fixed", p, sc
	case t == "FLOAT", t == "DOUBLE":
		r.Type = "real"
	case t == "DATE":
		r.Type = "date"
	case t == "TIMESTAMP", t == "TIMESTAMP_NS", t == "TIMESTAMP_MS", t == "TIMESTAMP_S":
		r.Type, r.Scale = "timestamp_ntz", 9
	case t == "TIMESTAMPTZ", t == "TIMESTAMP WITH TIME ZONE":
		r.Type, r.Scale = "timestamp_tz", 9
	case t == "TIME":
		r.Type, r.Scale = "time", 9
	case t == "BLOB":
		r.Type = "binary"
	case t == "VARCHAR", t == "UUID", t == "INTERVAL", t == "ENUM":
		r.Type = "text"
		n := 16777216
		r.Length = &n
	default: // JSON, lists, structs, maps
		r.Type = "variant"
	}
	return r
}

// cell renders one value as the JSON result text Snowflake sends.
func cell(rt rowType, v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	var s string
	switch rt.Type {
	case "boolean":
		if b, _ := v.(bool); b {
			s = "1"
		} else {
			s = "0"
		}
	case "fixed":
		switch x := v.(type) {
		case duckdb.Decimal:
			s = decimalText(x.Value, int(x.Scale))
		case *big.Int:
			s = x.String()
		default:
			s = fmt.Sprint(x)
		}
	case "real":
		switch x := v.(type) {
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		case float32:
			s = strconv.FormatFloat(float64(x), 'g', -1, 32)
		default:
			s = fmt.Sprint(x)
		}
	case "date":
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("date value %T", v)
		}
		s = strconv.FormatInt(t.Unix()/86400, 10)
		if t.Unix() < 0 && t.Unix()%86400 != 0 {
			s = strconv.FormatInt(t.Unix()/86400-1, 10)
		}
	case "timestamp_ntz", "timestamp_tz", "timestamp_ltz":
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("timestamp value %T", v)
		}
		sec := t.Unix()
		ns := t.Nanosecond()
		s = fmt.Sprintf("%d.%09d", sec, ns)
		if sec < 0 && ns > 0 {
			s = fmt.Sprintf("-%d.%09d", -sec-1, 1e9-ns)
		}
		if rt.Type == "timestamp_tz" {
			s += " 1440"
		}
	case "time":
		switch x := v.(type) {
		case time.Time:
			s = fmt.Sprintf("%d.%09d", x.Hour()*3600+x.Minute()*60+x.Second(), x.Nanosecond())
		default:
			s = fmt.Sprint(x)
		}
	case "binary":
		b, _ := v.([]byte)
		s = fmt.Sprintf("%x", b)
	case "variant":
		switch x := v.(type) {
		case string:
			s = x
		default:
			j, err := json.Marshal(x)
			if err != nil {
				return nil, err
			}
			s = string(j)
		}
	default:
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		default:
			s = fmt.Sprint(x)
		}
	}
	return &s, nil
}

func decimalText(v *big.Int, scale int) string {
	if v == nil {
		return "0"
	}
	neg := v.Sign() < 0
	digits := new(big.Int).Abs(v).String()
	if scale > 0 {
		for len(digits) <= scale {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// put answers PUT file://<path> @<stage>[/<prefix>] [OVERWRITE=TRUE] with
// an upload instruction for a local-filesystem stage: the driver copies
// the files into the stage directory itself.
func (s *Server) put(se *session, text string, base map[string]any) (map[string]any, error) {
	text = strings.TrimSpace(text)
	m := putRE.FindStringSubmatch(text)
	if m == nil {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: PUT must read file://<path> @<stage>[/<path>]"}
	}
	src := strings.Trim(m[1], "'")
	src = strings.TrimPrefix(src, "file://")
	if !filepath.IsAbs(src) {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: PUT needs an absolute file:// path"}
	}
	stage, prefix, _ := strings.Cut(m[2], "/")
	dir, err := s.stageDir(stage)
	if err != nil {
		return nil, &Error{Code: "002003", State: "02000", Message: "SQL compilation error:\nStage '" + stage + "' does not exist or not authorized."}
	}
	loc := filepath.Join(dir, filepath.FromSlash(strings.Trim(prefix, "/")))
	if err := os.MkdirAll(loc, 0o755); err != nil {
		return nil, err
	}
	overwrite := regexp.MustCompile(`(?i)OVERWRITE\s*=\s*TRUE`).MatchString(text)
	files, _ := filepath.Glob(src)
	if overwrite {
		// The driver writes over a file without truncating it: remove the
		// old ones first.
		for _, f := range files {
			_ = os.Remove(filepath.Join(loc, filepath.Base(f)))
		}
	}
	s.mu.Lock()
	s.stats.PutFiles += len(files)
	s.mu.Unlock()
	base["statementTypeId"] = stPut
	base["command"] = "UPLOAD"
	base["src_locations"] = []string{src}
	base["parallel"] = 4
	base["autoCompress"] = false
	base["sourceCompression"] = "auto_detect"
	base["overwrite"] = overwrite
	base["stageInfo"] = map[string]any{"locationType": "LOCAL_FS", "location": loc, "path": prefix}
	base["rowtype"] = []rowType{}
	base["rowset"] = [][]*string{}
	return base, nil
}

var putRE = regexp.MustCompile(`(?is)^PUT\s+('file://[^']+'|file://\S+)\s+(@\S+)`)

// copyInto loads Parquet files from a stage into a table, matching
// columns by name (MATCH_BY_COLUMN_NAME=CASE_INSENSITIVE is required).
// Files loaded into the table before are skipped unless FORCE=TRUE.
func (s *Server) copyInto(ctx context.Context, se *session, sig []token, base map[string]any) (map[string]any, error) {
	// The table name is the tokens between INTO and FROM.
	if len(sig) < 5 || !sig[1].is("into") {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: COPY must be COPY INTO <table> FROM @<stage>"}
	}
	j := 2
	for j < len(sig) && !sig[j].is("from") {
		j++
	}
	if j >= len(sig)-1 || j == 2 {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: COPY INTO needs FROM @<stage>"}
	}
	tableSQL, err := translate(sig[2:j])
	if err != nil {
		return nil, err
	}
	stage, prefix, k := stageRefAt(sig, j+1)
	rest := render(sig[k:])
	if !strings.HasPrefix(stage, "@") {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: COPY INTO needs FROM @<stage>[/<path>/]"}
	}
	m := []string{"", "", "", rest}
	opts := strings.ToUpper(m[3])
	if !regexp.MustCompile(`TYPE\s*=\s*'?PARQUET'?`).MatchString(opts) {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: COPY INTO emulates FILE_FORMAT=(TYPE=PARQUET) only"}
	}
	if !regexp.MustCompile(`MATCH_BY_COLUMN_NAME\s*=\s*'?CASE_INSENSITIVE'?`).MatchString(opts) {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: COPY INTO emulates MATCH_BY_COLUMN_NAME=CASE_INSENSITIVE only"}
	}
	force := regexp.MustCompile(`FORCE\s*=\s*TRUE`).MatchString(opts)
	purge := regexp.MustCompile(`PURGE\s*=\s*TRUE`).MatchString(opts)
	var only map[string]bool
	if fm := regexp.MustCompile(`(?is)FILES\s*=\s*\(([^)]*)\)`).FindStringSubmatch(m[3]); fm != nil {
		only = map[string]bool{}
		for _, f := range strings.Split(fm[1], ",") {
			only[strings.Trim(strings.TrimSpace(f), "'")] = true
		}
	}
	dir, err := s.stageDir(stage)
	if err != nil {
		return nil, &Error{Code: "002003", State: "02000", Message: "SQL compilation error:\nStage '" + stage + "' does not exist or not authorized."}
	}
	loc := filepath.Join(dir, filepath.FromSlash(prefix))
	entries, _ := os.ReadDir(loc)
	// The table's columns and types.
	cols, err := tableColumns(ctx, se.conn, tableSQL)
	if err != nil {
		return nil, err
	}
	tableKey := strings.ToUpper(tableSQL)
	rt := []rowType{{Name: "file", Type: "text"}, {Name: "status", Type: "text"}, {Name: "rows_parsed", Type: "fixed", Precision: 19},
		{Name: "rows_loaded", Type: "fixed", Precision: 19}, {Name: "error_limit", Type: "fixed", Precision: 19},
		{Name: "errors_seen", Type: "fixed", Precision: 19}, {Name: "first_error", Type: "text"}, {Name: "first_error_line", Type: "fixed", Precision: 19},
		{Name: "first_error_character", Type: "fixed", Precision: 19}, {Name: "first_error_column_name", Type: "text"}}
	var rowset [][]*string
	str := func(v string) *string { return &v }
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		rel := strings.TrimPrefix(prefix+"/"+name, "/")
		if only != nil && !only[name] && !only[rel] {
			continue
		}
		s.mu.Lock()
		done := s.loaded[tableKey][rel]
		s.mu.Unlock()
		if done && !force {
			continue
		}
		path := filepath.Join(loc, name)
		fileCols, err := parquetColumns(ctx, se.conn, path)
		if err != nil {
			return nil, &Error{Code: "100071", State: "22000", Message: fmt.Sprintf("Failed to read file %s: %v", rel, err)}
		}
		var names, sel []string
		for _, c := range cols {
			// CASE_INSENSITIVE: the file's names against the table's as
			// Snowflake spells them.
			fc, ok := fileCols[strings.ToLower(decodeName(c[0]))]
			if !ok {
				continue
			}
			q := `"` + strings.ReplaceAll(c[0], `"`, `""`) + `"`
			names = append(names, q)
			sel = append(sel, fmt.Sprintf(`CAST("%s" AS %s)`, strings.ReplaceAll(fc, `"`, `""`), c[1]))
		}
		var n int64
		if len(names) > 0 {
			q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM read_parquet('%s')", tableSQL, strings.Join(names, ", "),
				strings.Join(sel, ", "), strings.ReplaceAll(path, "'", "''"))
			res, err := se.conn.ExecContext(ctx, q)
			if err != nil {
				return nil, &Error{Code: "100038", State: "22018", Message: fmt.Sprintf("COPY INTO %s from %s: %v", tableSQL, rel, err)}
			}
			n, _ = res.RowsAffected()
		}
		st, _ := os.Stat(path)
		s.mu.Lock()
		if s.loaded[tableKey] == nil {
			s.loaded[tableKey] = map[string]bool{}
		}
		s.loaded[tableKey][rel] = true
		s.stats.CopyFiles++
		s.stats.CopyRows += n
		if st != nil {
			s.stats.CopyBytes += st.Size()
		}
		s.mu.Unlock()
		if purge {
			_ = os.Remove(path)
		}
		ns := strconv.FormatInt(n, 10)
		rowset = append(rowset, []*string{str(rel), str("LOADED"), str(ns), str(ns), str("1"), str("0"), nil, nil, nil, nil})
	}
	base["statementTypeId"] = stCopy
	if len(rowset) == 0 {
		base["rowtype"] = []rowType{{Name: "status", Type: "text"}}
		base["rowset"] = [][]*string{{str("Copy executed with 0 files processed.")}}
	} else {
		sort.Slice(rowset, func(i, j int) bool { return *rowset[i][0] < *rowset[j][0] })
		base["rowtype"] = rt
		base["rowset"] = rowset
	}
	base["total"] = len(base["rowset"].([][]*string))
	base["returned"] = base["total"]
	return base, nil
}

// stageRefAt reads the stage reference starting at sig[k] (it runs up to
// the first option, NAME = ...): the stage, the path under it, and the
// index after it.
func stageRefAt(sig []token, k int) (stage, prefix string, next int) {
	var ref strings.Builder
	for ; k < len(sig); k++ {
		t := sig[k]
		if t.kind == tWord && k+1 < len(sig) && sig[k+1].punct("=") {
			break
		}
		if t.kind != tWord && t.kind != tQuoted && t.kind != tNumber && !t.punct("/") && !t.punct(".") && !t.punct("-") {
			break
		}
		ref.WriteString(t.text)
	}
	stage, prefix, _ = strings.Cut(ref.String(), "/")
	return stage, strings.Trim(prefix, "/"), k
}

// remove answers REMOVE @<stage>[/<path>]: the stage's files under path
// are deleted, one row per file.
func (s *Server) remove(sig []token, base map[string]any) (map[string]any, error) {
	stage, prefix, _ := stageRefAt(sig, 1)
	if !strings.HasPrefix(stage, "@") {
		return nil, &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: REMOVE needs @<stage>[/<path>]"}
	}
	dir, err := s.stageDir(stage)
	if err != nil {
		return nil, &Error{Code: "002003", State: "02000", Message: "SQL compilation error:\nStage '" + stage + "' does not exist or not authorized."}
	}
	var rowset [][]*string
	root := filepath.Join(dir, filepath.FromSlash(prefix))
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if os.Remove(p) == nil {
			name, res := filepath.ToSlash(rel), "removed"
			rowset = append(rowset, []*string{&name, &res})
		}
		return nil
	})
	base["statementTypeId"] = stSCL
	base["rowtype"] = []rowType{{Name: "name", Type: "text"}, {Name: "result", Type: "text"}}
	if rowset == nil {
		rowset = [][]*string{}
	}
	base["rowset"] = rowset
	base["total"], base["returned"] = len(rowset), len(rowset)
	return base, nil
}

// tableColumns lists a table's (name, DuckDB type) in order.
func tableColumns(ctx context.Context, conn *sql.Conn, table string) ([][2]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+table+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// parquetColumns maps a Parquet file's column names, lower-cased, to their spelling.
func parquetColumns(ctx context.Context, conn *sql.Conn, path string) (map[string]string, error) {
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('%s'))", strings.ReplaceAll(path, "'", "''")))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[strings.ToLower(n)] = n
	}
	return out, rows.Err()
}
