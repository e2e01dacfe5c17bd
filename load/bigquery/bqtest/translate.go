package bqtest

import (
	"strconv"
	"strings"
)

// The translator turns the GoogleSQL revops emits into DuckDB SQL, token
// by token. It covers exactly that subset and refuses the rest with a
// clear invalidQuery error, so a construct revops starts emitting is
// noticed here instead of silently meaning something else:
//
//   - backtick-quoted names (`p.d.t`, `d`.`t`, `t`) become "d"."t"; the
//     project part, which must be the emulator's, is dropped;
//   - 'strings' and "strings" (GoogleSQL's double quotes are string
//     literals) with backslash escapes become DuckDB '' strings;
//   - types INT64 FLOAT64 STRING BOOL BYTES NUMERIC DATETIME TIMESTAMP JSON
//     DATE become BIGINT DOUBLE VARCHAR BOOLEAN BLOB DECIMAL(38,9)
//     TIMESTAMP TIMESTAMPTZ JSON DATE;
//   - functions on an allow-list pass through or are renamed
//     (SAFE_CAST → TRY_CAST, CURRENT_TIMESTAMP() → current_timestamp,
//     TO_JSON_STRING and COUNTIF are macros the emulator defines);
//   - calls whose DuckDB form differs in its arguments are rewritten
//     (rewriteCalls: DATE_DIFF, TIMESTAMP_DIFF, TIMESTAMP_TRUNC,
//     ARRAY_TO_STRING over an array literal, TO_HEX(MD5(...)),
//     REGEXP_REPLACE, APPROX_QUANTILES(x, n)[OFFSET(k)]);
//   - DuckDB's own type names (VARCHAR, BIGINT, ...), ON CONFLICT and AS
//     MATERIALIZED are refused: revops must render its portable
//     statements before they reach BigQuery;
//   - `* EXCEPT (c)` becomes `* EXCLUDE (c)`; `@name` parameters `$name`;
//   - d.INFORMATION_SCHEMA.COLUMNS / TABLES and
//     `region-x`.INFORMATION_SCHEMA.TABLES read DuckDB's information_schema
//     (DuckDB's column types, not BigQuery's, in data_type);
//   - scripts split at ';' into statements; BEGIN/COMMIT/ROLLBACK
//     [TRANSACTION] keep their meaning.
//
// Known differences left as they are (revops does not depend on them):
// numeric literals with a point are DECIMAL in DuckDB and FLOAT64 in
// BigQuery; GREATEST/LEAST ignore NULLs in DuckDB; x/0 is an error in
// BigQuery; names compare case-insensitively.

type tokKind int

const (
	tIdent tokKind = iota
	tQuoted
	tString
	tNumber
	tPunct
	tParam
	tSpace
	tRaw // DuckDB text the translator wrote itself
)

type token struct {
	kind tokKind
	text string // for tQuoted and tString: the decoded value
}

func tokenize(src string) ([]token, *apiError) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			j := i
			for j < len(src) && strings.IndexByte(" \t\n\r", src[j]) >= 0 {
				j++
			}
			out = append(out, token{tSpace, " "})
			i = j
		case c == '#' || c == '-' && strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			out = append(out, token{tSpace, " "})
			i += j
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return nil, invalidQuery("Syntax error: Unclosed comment")
			}
			out = append(out, token{tSpace, " "})
			i += j + 4
		case c == '`':
			j := strings.IndexByte(src[i+1:], '`')
			if j < 0 {
				return nil, invalidQuery("Syntax error: Unclosed identifier literal")
			}
			out = append(out, token{tQuoted, src[i+1 : i+1+j]})
			i += j + 2
		case c == '\'' || c == '"':
			if strings.HasPrefix(src[i:], `"""`) || strings.HasPrefix(src[i:], `'''`) {
				return nil, invalidQuery("bqtest: triple-quoted strings are not emulated")
			}
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(src) {
				d := src[j]
				if d == '\\' && j+1 < len(src) {
					switch e := src[j+1]; e {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					case '\\', '\'', '"', '`', '?':
						b.WriteByte(e)
					case 'a', 'b', 'f', 'v', 'x', 'u', 'U', '0', '1', '2', '3', '4', '5', '6', '7':
						return nil, invalidQuery("bqtest: the escape sequence \\" + string(e) + " is not emulated")
					default:
						// As the service: only the escapes above exist.
						return nil, invalidQuery("Syntax error: Illegal escape sequence: \\" + string(e))
					}
					j += 2
					continue
				}
				if d == c {
					closed = true
					j++
					break
				}
				b.WriteByte(d)
				j++
			}
			if !closed {
				return nil, invalidQuery("Syntax error: Unclosed string literal")
			}
			out = append(out, token{tString, b.String()})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E') {
				j++
			}
			out = append(out, token{tNumber, src[i:j]})
			i = j
		case isIdentByte(c):
			j := i
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			word := src[i:j]
			if j < len(src) && (src[j] == '\'' || src[j] == '"') && (strings.EqualFold(word, "r") || strings.EqualFold(word, "b") || strings.EqualFold(word, "rb") || strings.EqualFold(word, "br")) {
				return nil, invalidQuery("bqtest: raw and bytes literals (" + word + "'...') are not emulated")
			}
			out = append(out, token{tIdent, word})
			i = j
		case c == '?':
			out = append(out, token{tParam, "?"})
			i++
		case c == '@':
			j := i + 1
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			if j == i+1 || strings.HasPrefix(src[i:], "@@") {
				return nil, invalidQuery("bqtest: system variables (@@...) are not emulated")
			}
			out = append(out, token{tParam, "$" + src[i+1:j]})
			i = j
		default:
			// Two-character operators stay together.
			if i+1 < len(src) {
				two := src[i : i+2]
				switch two {
				case "<=", ">=", "<>", "!=", "||", "<<", ">>":
					out = append(out, token{tPunct, two})
					i += 2
					continue
				}
			}
			out = append(out, token{tPunct, string(c)})
			i++
		}
	}
	return out, nil
}

func invalidQuery(msg string) *apiError {
	return &apiError{code: 400, reason: "invalidQuery", message: msg, location: "query"}
}

// stmt is one translated statement of a script.
type stmt struct {
	sql    string
	kind   string // SELECT, DML, DDL, BEGIN, COMMIT, ROLLBACK
	verb   string // first keyword: SELECT INSERT UPDATE DELETE MERGE CREATE DROP ALTER TRUNCATE ...
	params int    // positional ? it holds
	temp   bool   // CREATE TEMP ...
}

var typeNames = map[string]string{
	"INT64": "BIGINT", "FLOAT64": "DOUBLE", "STRING": "VARCHAR", "BOOL": "BOOLEAN", "BYTES": "BLOB",
	"DATETIME": "TIMESTAMP", "TIMESTAMP": "TIMESTAMPTZ",
}

// functions lists the GoogleSQL functions the emulator runs, and the
// DuckDB name of those that differ.
var functions = map[string]string{
	"SAFE_CAST": "TRY_CAST", "CAST": "CAST", "COALESCE": "COALESCE", "IFNULL": "IFNULL", "IF": "IF", "NULLIF": "NULLIF",
	"COUNT": "COUNT", "SUM": "SUM", "MIN": "MIN", "MAX": "MAX", "AVG": "AVG", "COUNTIF": "COUNTIF",
	"ROW_NUMBER": "ROW_NUMBER", "LEAD": "LEAD", "LAG": "LAG", "FIRST_VALUE": "FIRST_VALUE", "LAST_VALUE": "LAST_VALUE",
	"LOWER": "LOWER", "UPPER": "UPPER", "LENGTH": "LENGTH", "CONCAT": "CONCAT", "TRIM": "TRIM", "LPAD": "LPAD", "RPAD": "RPAD",
	"SUBSTR": "SUBSTR", "LEFT": "LEFT_BQ", "RIGHT": "RIGHT_BQ", "STARTS_WITH": "STARTS_WITH", "ENDS_WITH": "ENDS_WITH", "REPLACE": "REPLACE",
	"ARRAY_LENGTH": "LEN", "TO_JSON_STRING": "TO_JSON_STRING", "GENERATE_ARRAY": "GENERATE_SERIES", "UNNEST": "UNNEST",
	"ABS": "ABS", "ROUND": "ROUND", "FLOOR": "FLOOR", "CEIL": "CEIL", "MOD": "MOD",
	"GREATEST": "GREATEST", "LEAST": "LEAST", "ERROR": "ERROR", "ANY_VALUE": "ANY_VALUE",
	"LOGICAL_OR": "BOOL_OR", "LOGICAL_AND": "BOOL_AND", "REGEXP_CONTAINS": "REGEXP_MATCHES", "MD5": "MD5",
	"TIMESTAMP_ADD": "TIMESTAMP_ADD", "TIMESTAMP_SUB": "TIMESTAMP_SUB", // macros: ts ± INTERVAL n UNIT
	"EDIT_DISTANCE": "LEVENSHTEIN", "SAFE_DIVIDE": "SAFE_DIVIDE", "CHR": "CHR", "STRPOS": "STRPOS",
	"REGEXP_EXTRACT": "REGEXP_EXTRACT", "SPLIT": "STR_SPLIT", "DATE": "DATE_BQ", "SIGN": "SIGN", "SQRT": "SQRT",
	"POW": "POW", "POWER": "POWER", "LN": "LN", "EXP": "EXP", "STDDEV": "STDDEV", "STDDEV_SAMP": "STDDEV_SAMP",
	"APPROX_QUANTILES": "", "PERCENTILE_CONT": "", "NTILE": "NTILE", "RANK": "RANK", "DENSE_RANK": "DENSE_RANK",
	"ARRAY_AGG": "ARRAY_AGG", "STRING_AGG": "STRING_AGG", "LTRIM": "LTRIM", "RTRIM": "RTRIM", "INITCAP": "",
	"EXTRACT": "EXTRACT", "DIV": "DIV_BQ", "TRUNC": "TRUNC", "CONTAINS_SUBSTR": "",
	"UNIX_SECONDS": "EPOCH", "EXISTS": "EXISTS",
}

// callRewrites are the GoogleSQL calls whose DuckDB form reorders or adds
// arguments (rewriteCalls).
var callRewrites = map[string]bool{
	"DATE_DIFF": true, "TIMESTAMP_DIFF": true, "TIMESTAMP_TRUNC": true, "DATE_TRUNC": true,
	"ARRAY_TO_STRING": true, "TO_HEX": true, "REGEXP_REPLACE": true, "APPROX_QUANTILES": true,
	"CAST": true,
}

// units maps GoogleSQL date parts to DuckDB's.
var units = map[string]string{
	"DAY": "day", "HOUR": "hour", "MINUTE": "minute", "SECOND": "second", "WEEK": "week", "ISOWEEK": "week",
	"MONTH": "month", "QUARTER": "quarter", "YEAR": "year",
}

// rewriteCalls rewrites the calls of callRewrites into DuckDB's argument
// order, innermost first:
//
//	DATE_DIFF(a, b, U) and TIMESTAMP_DIFF(a, b, U) → date_diff('u', b, a)
//	TIMESTAMP_TRUNC(x, U) and DATE_TRUNC(x, U)     → date_trunc('u', x)  (ISOWEEK: weeks from Monday, as DuckDB's)
//	ARRAY_TO_STRING([x, ...], sep)                 → array_to_string([x, ...], sep)
//	TO_HEX(MD5(x))                                 → md5(x)  (DuckDB's md5 is already hexadecimal)
//	REGEXP_REPLACE(x, p, r)                        → regexp_replace(x, p, r, 'g')  (every match)
//	APPROX_QUANTILES(x, n)[OFFSET(k)]              → quantile_disc(x, k/n)  (exact: one of the values)
//	CAST(x AS STRING)                              → string_bq(x)  (NUMERIC without trailing zeros)
func rewriteCalls(in []token) ([]token, *apiError) {
	var out []token
	for i := 0; i < len(in); i++ {
		t := in[i]
		w := strings.ToUpper(t.text)
		open := i + 1
		for open < len(in) && in[open].kind == tSpace {
			open++
		}
		if t.kind != tIdent || !callRewrites[w] || open >= len(in) || in[open].text != "(" || in[open].kind != tPunct {
			out = append(out, t)
			continue
		}
		closeAt := matching(in, open)
		if closeAt < 0 {
			return nil, invalidQuery("Syntax error: unclosed call of " + w)
		}
		var args [][]token
		depth, start := 0, open+1
		for k := open + 1; k < closeAt; k++ {
			if in[k].kind != tPunct {
				continue
			}
			switch in[k].text {
			case "(", "[":
				depth++
			case ")", "]":
				depth--
			case ",":
				if depth == 0 {
					args = append(args, in[start:k])
					start = k + 1
				}
			}
		}
		args = append(args, in[start:closeAt])
		for k := range args {
			a, err := rewriteCalls(args[k])
			if err != nil {
				return nil, err
			}
			args[k] = a
		}
		unit := func(a []token) (token, *apiError) {
			u := strings.ToUpper(strings.TrimSpace(render(a)))
			if d, ok := units[u]; ok {
				return token{tString, d}, nil
			}
			return token{}, invalidQuery("bqtest: " + w + " with date part " + u + " is not emulated")
		}
		comma := token{tPunct, ", "}
		call := func(name string, parts ...[]token) {
			out = append(out, token{tRaw, name + "("})
			for k, p := range parts {
				if k > 0 {
					out = append(out, comma)
				}
				out = append(out, p...)
			}
			out = append(out, token{tRaw, ")"})
		}
		switch w {
		case "DATE_DIFF", "TIMESTAMP_DIFF":
			if len(args) != 3 {
				return nil, invalidQuery(w + " takes 3 arguments")
			}
			u, err := unit(args[2])
			if err != nil {
				return nil, err
			}
			call("date_diff", []token{u}, args[1], args[0])
		case "TIMESTAMP_TRUNC", "DATE_TRUNC":
			if len(args) != 2 {
				return nil, invalidQuery(w + " takes 2 arguments")
			}
			u, err := unit(args[1])
			if err != nil {
				return nil, err
			}
			call("date_trunc", []token{u}, args[0])
		case "ARRAY_TO_STRING":
			if len(args) != 2 {
				return nil, invalidQuery(w + " takes 2 arguments")
			}
			arr := args[0]
			for k := range arr {
				if arr[k].kind == tPunct && (arr[k].text == "[" || arr[k].text == "]") {
					arr[k] = token{tRaw, arr[k].text}
				}
			}
			call("array_to_string", arr, args[1])
		case "TO_HEX":
			inner := strings.ToUpper(strings.TrimSpace(render(args[0])))
			if len(args) != 1 || !strings.HasPrefix(inner, "MD5(") {
				return nil, invalidQuery("bqtest: TO_HEX is emulated over MD5(...) only")
			}
			out = append(out, args[0]...) // MD5(x) → md5(x), hexadecimal in DuckDB
		case "APPROX_QUANTILES":
			// Only with its subscript: [OFFSET(k)].
			var sub []string
			k := closeAt + 1
			for ; k < len(in) && len(sub) < 6; k++ {
				if in[k].kind != tSpace {
					sub = append(sub, strings.ToUpper(in[k].text))
				}
			}
			n, _ := strconv.Atoi(strings.TrimSpace(render(args[len(args)-1])))
			off := 0
			if len(sub) == 6 {
				off, _ = strconv.Atoi(sub[3])
			}
			if len(args) != 2 || len(sub) != 6 || sub[0] != "[" || sub[1] != "OFFSET" || sub[2] != "(" || sub[4] != ")" || sub[5] != "]" || n <= 0 || off > n {
				return nil, invalidQuery("bqtest: APPROX_QUANTILES is emulated as APPROX_QUANTILES(x, n)[OFFSET(k)] only")
			}
			call("quantile_disc", args[0], []token{{tNumber, strconv.FormatFloat(float64(off)/float64(n), 'f', -1, 64)}})
			i = k - 1
			continue
		case "CAST":
			// GoogleSQL writes a NUMERIC as text without trailing
			// zeros (1234567.89, not DuckDB's 1234567.890000000).
			a := args[0]
			var sig []int
			for k := range a {
				if a[k].kind != tSpace {
					sig = append(sig, k)
				}
			}
			n := len(sig)
			if len(args) == 1 && n >= 3 && strings.EqualFold(a[sig[n-1]].text, "STRING") && strings.EqualFold(a[sig[n-2]].text, "AS") {
				call("string_bq", a[:sig[n-3]+1])
			} else {
				call(t.text, args...)
			}
		case "REGEXP_REPLACE":
			if len(args) != 3 {
				return nil, invalidQuery(w + " takes 3 arguments")
			}
			call("regexp_replace", args[0], args[1], args[2], []token{{tString, "g"}})
		}
		i = closeAt
	}
	return out, nil
}

// matching returns the index of the ')' closing the '(' at i.
func matching(in []token, i int) int {
	depth := 0
	for k := i; k < len(in); k++ {
		if in[k].kind != tPunct {
			continue
		}
		switch in[k].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// duckdbOnly are words of DuckDB's dialect that BigQuery refuses: its
// type names and ON CONFLICT / AS MATERIALIZED. The emulator refuses them
// too, so revops's portable statements must arrive rendered.
var duckdbOnly = map[string]bool{
	"VARCHAR": true, "BIGINT": true, "DOUBLE": true, "BOOLEAN": true, "TIMESTAMPTZ": true, "INTEGER": true,
	"CONFLICT": true, "MATERIALIZED": true,
}

// keywords may precede '(' without being function calls.
var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "EXISTS": true, "AS": true, "ON": true, "VALUES": true,
	"OVER": true, "USING": true, "FROM": true, "JOIN": true, "SELECT": true, "WHERE": true, "INTO": true, "SET": true,
	"THEN": true, "WHEN": true, "ELSE": true, "BY": true, "EXCEPT": true, "TABLE": true, "WITH": true, "UNION": true,
	"ALL": true, "DISTINCT": true, "INTERSECT": true, "ROW": true, "INSERT": true, "IS": true, "CASE": true, "END": true,
	"QUALIFY": true, "HAVING": true, "LIMIT": true, "ORDER": true, "GROUP": true, "PARTITION": true, "VIEW": true,
	"LIKE": true, "BETWEEN": true, "RETURN": true, "ROWS": true, "RANGE": true, "EXCLUDE": true, "NULL": true,
	"COLUMN": true, "ADD": true, "KEY": true,
}

// translateScript translates a GoogleSQL script into DuckDB statements.
func (s *Server) translateScript(src string) ([]stmt, *apiError) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	var out []stmt
	var cur []token
	flush := func() *apiError {
		if len(strings.TrimSpace(render(cur))) == 0 {
			cur = nil
			return nil
		}
		st, err := s.translateStmt(cur)
		cur = nil
		if err != nil {
			return err
		}
		out = append(out, st)
		return nil
	}
	depth := 0
	for _, t := range toks {
		if t.kind == tPunct {
			switch t.text {
			case "(":
				depth++
			case ")":
				depth--
			case ";":
				if depth == 0 {
					if err := flush(); err != nil {
						return nil, err
					}
					continue
				}
			}
		}
		cur = append(cur, t)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, invalidQuery("Syntax error: Unexpected end of script")
	}
	return out, nil
}

// translate translates one SELECT (a view's query).
func (s *Server) translate(src, _ string) (string, *apiError) {
	sts, err := s.translateScript(src)
	if err != nil {
		return "", err
	}
	if len(sts) != 1 || sts[0].kind != "SELECT" {
		return "", invalidQuery("a view's query must be one SELECT")
	}
	return sts[0].sql, nil
}

func render(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tQuoted:
			b.WriteString(quoteIdent(t.text))
		case tString:
			b.WriteString(quoteString(t.text))
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

func (s *Server) translateStmt(in []token) (stmt, *apiError) {
	// Drop leading spaces; find the verb.
	for len(in) > 0 && in[0].kind == tSpace {
		in = in[1:]
	}
	var st stmt
	first := in[0]
	verb := strings.ToUpper(first.text)
	if first.kind == tPunct && first.text == "(" {
		verb = "SELECT"
	}
	if first.kind != tIdent && verb != "SELECT" {
		return st, invalidQuery("Syntax error: Unexpected " + first.text)
	}
	st.verb = verb
	switch verb {
	case "SELECT", "WITH":
		st.kind = "SELECT"
	case "INSERT", "UPDATE", "DELETE", "MERGE":
		st.kind = "DML"
	case "CREATE", "DROP", "ALTER", "TRUNCATE":
		st.kind = "DDL"
	case "BEGIN", "COMMIT", "ROLLBACK":
		rest := strings.ToUpper(strings.TrimSpace(render(in[1:])))
		if rest != "" && rest != "TRANSACTION" {
			return st, invalidQuery("bqtest: " + verb + " " + rest + " is not emulated (BEGIN/COMMIT/ROLLBACK [TRANSACTION] only)")
		}
		st.kind = verb
		st.sql = verb
		if verb == "BEGIN" {
			st.sql = "BEGIN TRANSACTION"
		}
		return st, nil
	default:
		return st, invalidQuery("bqtest: statements starting with " + verb + " are not emulated (the emulator runs the GoogleSQL revops emits)")
	}
	in, aerr := rewriteCalls(aliasUnnest(dropNotEnforced(in)))
	if aerr != nil {
		return st, aerr
	}
	var b strings.Builder
	prevSig := "" // previous significant token text, upper-case
	for i := 0; i < len(in); i++ {
		t := in[i]
		switch t.kind {
		case tSpace:
			b.WriteString(" ")
			continue
		case tRaw:
			b.WriteString(t.text)
		case tString:
			b.WriteString(quoteString(t.text))
		case tNumber:
			b.WriteString(t.text)
		case tParam:
			if t.text == "?" {
				st.params++
			}
			b.WriteString(t.text)
		case tPunct:
			if t.text == "<" && (prevSig == "STRUCT" || prevSig == "ARRAY") {
				return st, invalidQuery("bqtest: " + prevSig + "<...> type syntax is not emulated")
			}
			if t.text == "[" {
				return st, invalidQuery("bqtest: array literals and subscripts ([...]) are not emulated")
			}
			b.WriteString(t.text)
		case tIdent, tQuoted:
			// Collect the dotted name chain starting here.
			var parts []token
			j := i
			for {
				tk := in[j]
				if tk.kind == tQuoted {
					for _, p := range strings.Split(tk.text, ".") {
						parts = append(parts, token{tQuoted, p})
					}
				} else {
					parts = append(parts, tk)
				}
				if j+2 < len(in) && in[j+1].kind == tPunct && in[j+1].text == "." && (in[j+2].kind == tIdent || in[j+2].kind == tQuoted) {
					j += 2
					continue
				}
				break
			}
			i = j
			next := nextSig(in, i+1)
			txt, err := s.name(parts, prevSig, next, &st)
			if err != nil {
				return st, err
			}
			if txt == "current_timestamp" {
				// CURRENT_TIMESTAMP(): drop the empty parentheses.
				k := i + 1
				for k < len(in) && in[k].kind == tSpace {
					k++
				}
				if k+1 < len(in) && in[k].text == "(" && in[k+1].text == ")" {
					i = k + 1
				}
			}
			b.WriteString(txt)
			prevSig = strings.ToUpper(parts[len(parts)-1].text)
			continue
		}
		prevSig = strings.ToUpper(t.text)
	}
	st.sql = strings.TrimSpace(b.String())
	return st, nil
}

func nextSig(in []token, i int) string {
	for ; i < len(in); i++ {
		if in[i].kind != tSpace {
			return in[i].text
		}
	}
	return ""
}

// name renders a dotted name chain.
func (s *Server) name(parts []token, prev, next string, st *stmt) (string, *apiError) {
	for k, p := range parts {
		if strings.EqualFold(p.text, "INFORMATION_SCHEMA") {
			return s.infoSchema(parts[:k], parts[k+1:])
		}
	}
	if len(parts) >= 3 && parts[0].text == s.project {
		parts = parts[1:]
	} else if len(parts) >= 3 && parts[0].kind == tQuoted && strings.Contains(parts[0].text, "-") {
		return "", errf(404, "notFound", "Not found: Project %s", parts[0].text)
	}
	if len(parts) == 1 && parts[0].kind == tIdent {
		w := strings.ToUpper(parts[0].text)
		if next == "(" && (w == "NUMERIC" || w == "DECIMAL") && prev == "AS" {
			return "DECIMAL", nil // NUMERIC(p, s), DECIMAL its alias
		}
		if next == "(" && !keywords[w] {
			if w == "CURRENT_TIMESTAMP" {
				return "current_timestamp", nil
			}
			to, ok := functions[w]
			if !ok || to == "" {
				return "", invalidQuery("bqtest: function " + w + " is not emulated (the emulator runs the GoogleSQL revops emits)")
			}
			return to, nil
		}
		if w == "TEMP" || w == "TEMPORARY" {
			st.temp = true
		}
		if w == "EXCEPT" && prev == "*" {
			return "EXCLUDE", nil
		}
		if duckdbOnly[w] && parts[0].kind == tIdent {
			return "", invalidQuery("bqtest: " + parts[0].text + " is not GoogleSQL (DuckDB syntax reached the emulator)")
		}
		if w == "BIGNUMERIC" || w == "BIGDECIMAL" {
			return "", invalidQuery("bqtest: BIGNUMERIC is not emulated")
		}
		if w == "NUMERIC" && next != "(" {
			return "DECIMAL(38,9)", nil
		}
		if to, ok := typeNames[w]; ok {
			return to, nil
		}
		return parts[0].text, nil
	}
	if len(parts) == 2 && caseChecked[prev] {
		if aerr := s.exactName(parts[0].text, parts[1].text); aerr != nil {
			return "", aerr
		}
	}
	out := make([]string, len(parts))
	for k, p := range parts {
		if p.kind == tQuoted {
			out[k] = quoteIdent(p.text)
		} else {
			out[k] = p.text
		}
	}
	return strings.Join(out, "."), nil
}

// caseChecked are the keywords after which a two-part name is a dataset's
// table that exists (or not) already.
var caseChecked = map[string]bool{"FROM": true, "JOIN": true, "INTO": true, "UPDATE": true, "USING": true}

// exactName refuses dataset.table when the dataset or the table exists
// only in another case: BigQuery's dataset and table names are
// case-sensitive, DuckDB's are not. A name that does not exist at all is
// left to DuckDB (a table the script creates first).
func (s *Server) exactName(ds, table string) *apiError {
	if s.db == nil {
		return nil
	}
	s.mu.Lock()
	_, exact := s.datasets[ds]
	other := ""
	for k := range s.datasets {
		if !exact && strings.EqualFold(k, ds) {
			other = k
		}
	}
	s.mu.Unlock()
	if !exact {
		if other != "" {
			return errf(404, "notFound", "Not found: Dataset %s:%s (names are case-sensitive: %s exists)", s.project, ds, other)
		}
		return nil
	}
	rows, err := s.db.Query(`SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = ? AND lower(table_name) = lower(?)
		UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT temporary AND NOT internal AND schema_name = ? AND lower(view_name) = lower(?)`,
		ds, table, ds, table)
	if err != nil {
		return errf(500, "internalError", "bqtest: look up %s.%s: %v", ds, table, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return errf(500, "internalError", "bqtest: look up %s.%s: %v", ds, table, err)
		}
		if n == table {
			return nil
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return errf(500, "internalError", "bqtest: look up %s.%s: %v", ds, table, err)
	}
	if len(names) > 0 {
		return errf(404, "notFound", "Not found: Table %s:%s.%s (names are case-sensitive: %s exists)", s.project, ds, table, names[0])
	}
	return nil
}

// infoSchema maps <dataset|region-x>.INFORMATION_SCHEMA.<VIEW> onto
// DuckDB's information_schema, limited to the dataset when one is named.
func (s *Server) infoSchema(before, after []token) (string, *apiError) {
	if len(after) != 1 {
		return "", invalidQuery("bqtest: INFORMATION_SCHEMA needs one view name")
	}
	view := strings.ToUpper(after[0].text)
	var cols string
	switch view {
	case "COLUMNS":
		cols = "table_catalog, table_schema, table_name, column_name, ordinal_position, is_nullable, data_type"
	case "TABLES":
		cols = "table_catalog, table_schema, table_name, CASE table_type WHEN 'BASE TABLE' THEN 'BASE TABLE' ELSE table_type END AS table_type"
	default:
		return "", invalidQuery("bqtest: INFORMATION_SCHEMA." + view + " is not emulated")
	}
	if len(before) >= 2 && before[0].text == s.project {
		before = before[1:]
	}
	where := "table_schema NOT IN ('information_schema', 'pg_catalog', 'main') AND table_schema NOT LIKE '\\_%' ESCAPE '\\'"
	switch {
	case len(before) == 1 && strings.HasPrefix(strings.ToLower(before[0].text), "region-"):
		where = "table_schema NOT IN ('information_schema', 'pg_catalog', 'main')"
	case len(before) == 1:
		where = "lower(table_schema) = lower(" + quoteString(before[0].text) + ")"
	default:
		return "", invalidQuery("bqtest: INFORMATION_SCHEMA must be qualified by a dataset or a region")
	}
	return "(SELECT " + cols + " FROM information_schema." + strings.ToLower(view) + " WHERE " + where + ")", nil
}

// aliasUnnest turns `UNNEST(...) [AS] x` into `UNNEST(...) AS x(x)`: in
// BigQuery the alias names the element, in DuckDB it would name the table.
func aliasUnnest(in []token) []token {
	var out []token
	for i := 0; i < len(in); i++ {
		out = append(out, in[i])
		if in[i].kind != tIdent || !strings.EqualFold(in[i].text, "UNNEST") {
			continue
		}
		// Copy through the matching ')'.
		depth := 0
		j := i + 1
		for ; j < len(in); j++ {
			out = append(out, in[j])
			if in[j].kind == tPunct && in[j].text == "(" {
				depth++
			}
			if in[j].kind == tPunct && in[j].text == ")" {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		i = j
		k := i + 1
		for k < len(in) && in[k].kind == tSpace {
			k++
		}
		if k < len(in) && in[k].kind == tIdent && strings.EqualFold(in[k].text, "AS") {
			k++
			for k < len(in) && in[k].kind == tSpace {
				k++
			}
		}
		if k < len(in) && (in[k].kind == tIdent && !keywords[strings.ToUpper(in[k].text)] || in[k].kind == tQuoted) {
			alias := token{tQuoted, in[k].text}
			out = append(out, token{tSpace, " "}, token{tIdent, "AS"}, token{tSpace, " "}, alias,
				token{tPunct, "("}, alias, token{tPunct, ")"})
			i = k
		}
	}
	return out
}

// dropNotEnforced drops NOT ENFORCED after a PRIMARY KEY: DuckDB enforces
// the key, which revops's statements keep (an upsert is one MERGE on it).
func dropNotEnforced(in []token) []token {
	var out []token
	for i := 0; i < len(in); i++ {
		if in[i].kind == tIdent && strings.EqualFold(in[i].text, "NOT") {
			k := i + 1
			for k < len(in) && in[k].kind == tSpace {
				k++
			}
			if k < len(in) && in[k].kind == tIdent && strings.EqualFold(in[k].text, "ENFORCED") {
				i = k
				continue
			}
		}
		out = append(out, in[i])
	}
	return out
}
