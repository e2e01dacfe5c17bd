package sftest

import (
	"fmt"
	"strings"
	"unicode"
)

// token is one lexical unit of a Snowflake statement.
type token struct {
	kind tokKind
	text string // as written (for strings: the literal's value, unescaped)
}

type tokKind int

const (
	tWord   tokKind = iota // unquoted identifier or keyword
	tQuoted                // "quoted identifier" (text without the quotes)
	tString                // 'string literal' (text = value)
	tNumber
	tParam // ? or :n
	tPunct // operators and punctuation
	tSpace // whitespace and comments (kept as one space)
)

// lex splits sql into tokens. Snowflake string literals accept backslash
// escapes (\\, \', \n, \t, \0) as well as doubled quotes.
func lex(sql string) ([]token, error) {
	var out []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-', c == '/' && i+1 < len(sql) && sql[i+1] == '/':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			i += j
			out = append(out, token{tSpace, " "})
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("unterminated comment at offset %d", i)
			}
			i += j + 4
			out = append(out, token{tSpace, " "})
		case unicode.IsSpace(rune(c)):
			for i < len(sql) && unicode.IsSpace(rune(sql[i])) {
				i++
			}
			out = append(out, token{tSpace, " "})
		case c == '\'':
			var b strings.Builder
			i++
			closed := false
			for i < len(sql) {
				ch := sql[i]
				if ch == '\\' && i+1 < len(sql) {
					switch n := sql[i+1]; n {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					case '0':
						b.WriteByte(0)
					default:
						b.WriteByte(n)
					}
					i += 2
					continue
				}
				if ch == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated string literal")
			}
			out = append(out, token{tString, b.String()})
		case c == '"':
			var b strings.Builder
			i++
			closed := false
			for i < len(sql) {
				if sql[i] == '"' {
					if i+1 < len(sql) && sql[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(sql[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted identifier")
			}
			out = append(out, token{tQuoted, b.String()})
		case c == '?':
			out = append(out, token{tParam, "?"})
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			j := i
			for j < len(sql) && (sql[j] >= '0' && sql[j] <= '9' || sql[j] == '.' || sql[j] == 'e' || sql[j] == 'E' ||
				(sql[j] == '-' || sql[j] == '+') && j > i && (sql[j-1] == 'e' || sql[j-1] == 'E')) {
				j++
			}
			out = append(out, token{tNumber, sql[i:j]})
			i = j
		case c == '_' || c == '$' || unicode.IsLetter(rune(c)) || c == '@' || c == '~':
			j := i
			for j < len(sql) && (sql[j] == '_' || sql[j] == '$' || sql[j] == '@' || sql[j] == '~' ||
				unicode.IsLetter(rune(sql[j])) || unicode.IsDigit(rune(sql[j]))) {
				j++
			}
			out = append(out, token{tWord, sql[i:j]})
			i = j
		default:
			// Two-character operators first.
			if i+1 < len(sql) {
				two := sql[i : i+2]
				switch two {
				case "::", "<>", "!=", "<=", ">=", "||", "=>":
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

// splitStatements splits tokens on top-level semicolons, dropping empty
// statements.
func splitStatements(toks []token) [][]token {
	var out [][]token
	var cur []token
	flush := func() {
		for _, t := range cur {
			if t.kind != tSpace {
				out = append(out, cur)
				break
			}
		}
		cur = nil
	}
	for _, t := range toks {
		if t.kind == tPunct && t.text == ";" {
			flush()
			continue
		}
		cur = append(cur, t)
	}
	flush()
	return out
}

// significant drops whitespace tokens.
func significant(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.kind != tSpace {
			out = append(out, t)
		}
	}
	return out
}

func (t token) is(words ...string) bool {
	if t.kind != tWord {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

func (t token) punct(p string) bool { return t.kind == tPunct && t.text == p }

// functions are the functions the emulator runs: Snowflake's (rewritten
// to DuckDB where they differ, see rewrites and the macros in setupSQL)
// plus, marked, the DuckDB ones the shared conformance suite in
// load/loadtest calls. Anything else is refused with Snowflake's unknown
// function error.
var functions = map[string]bool{}

// suiteOnly are DuckDB functions the shared suite uses that Snowflake does
// not have: accepted so that the suite runs here, and named in the
// emulator's documentation as a difference.
var suiteOnly = []string{"range", "error", "now", "starts_with", "string_agg"}

func init() {
	for _, f := range strings.Fields(`
		count sum min max avg median stddev variance count_if any_value listagg array_agg
		row_number rank dense_rank lead lag first_value last_value ntile
		coalesce nvl nvl2 iff ifnull nullif zeroifnull greatest least decode
		cast try_cast to_varchar to_char to_number to_decimal to_double to_boolean to_date to_timestamp
		to_timestamp_tz to_timestamp_ntz to_timestamp_ltz to_variant parse_json try_parse_json to_json
		upper lower trim ltrim rtrim length len lpad rpad substr substring concat concat_ws replace split_part
		position charindex contains startswith endswith left right reverse initcap repeat
		regexp_instr regexp_replace regexp_like regexp_substr rlike jarowinkler_similarity editdistance
		md5 md5_hex sha2 hash chr
		abs round floor ceil trunc mod div0 sqrt power ln log exp sign
		current_timestamp current_date sysdate getdate localtimestamp
		datediff dateadd timestampdiff timestampadd date_trunc date_part extract year month day hour minute second
		dayofweek dayofweekiso weekofyear last_day convert_timezone
		array_size array_construct object_construct get get_path flatten
		decimal numeric number varchar char string text timestamp timestamp_tz timestamp_ntz timestamp_ltz`) {
		functions[f] = true
	}
	for _, f := range suiteOnly {
		functions[f] = true
	}
}

// notFunction lists words that are followed by "(" without being calls.
var notFunction = map[string]bool{
	"in": true, "exists": true, "values": true, "over": true, "as": true, "filter": true, "into": true,
	"table": true, "view": true, "key": true, "using": true, "on": true, "and": true, "or": true, "not": true,
	"select": true, "from": true, "join": true, "where": true, "when": true, "then": true, "else": true,
	"by": true, "partition": true, "with": true, "union": true, "all": true, "any": true, "some": true,
	"is": true, "like": true, "escape": true, "within": true, "group": true, "qualify": true, "having": true,
	"file_format": true, "files": true, "set": true, "insert": true, "update": true, "delete": true, "case": true, "distinct": true, "return": true, "lateral": true,
}

// typeRewrites map Snowflake type names to DuckDB's; VARIANT, OBJECT and
// ARRAY become JSON, TIMESTAMP_* and NUMBER come from type aliases made
// by setupSQL (they need no rewriting but for their parameterized forms).
var typeWords = map[string]string{
	"float": "DOUBLE", "float4": "DOUBLE", "float8": "DOUBLE", "real": "DOUBLE",
	"string": "VARCHAR", "text": "VARCHAR",
}

// translate rewrites one statement (without its semicolon) into DuckDB
// SQL. It upper-cases unquoted identifiers and stores quoted ones in the
// spelling encodeName gives (Snowflake resolves the first upper-case, the
// others exactly; DuckDB matches names case-insensitively), rewrites the
// functions and types that differ, and refuses functions it does not know.
func translate(stmt []token) (string, error) {
	sig := significant(stmt)
	var b strings.Builder
	var calls []string // the function (or "") each open parenthesis belongs to
	for i := 0; i < len(sig); i++ {
		t := sig[i]
		var prev, next token
		if i > 0 {
			prev = sig[i-1]
		}
		if i+1 < len(sig) {
			next = sig[i+1]
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		inCast := len(calls) > 0 && (calls[len(calls)-1] == "cast" || calls[len(calls)-1] == "try_cast")
		// A type is expected after ::, after AS inside CAST, after TYPE, and
		// after a quoted column name (revops quotes the columns it defines).
		typeCtx := prev.punct("::") || prev.is("as") && inCast || prev.is("type") || prev.kind == tQuoted
		switch t.kind {
		case tString:
			b.WriteString("'" + strings.ReplaceAll(t.text, "'", "''") + "'")
		case tQuoted:
			name, err := encodeName(t.text)
			if err != nil {
				return "", err
			}
			b.WriteString(`"` + strings.ReplaceAll(name, `"`, `""`) + `"`)
		case tPunct:
			switch t.text {
			case "(":
				name := ""
				if prev.kind == tWord {
					name = strings.ToLower(prev.text)
				}
				calls = append(calls, name)
			case ")":
				if len(calls) > 0 {
					calls = calls[:len(calls)-1]
				}
			}
			b.WriteString(t.text)
		case tWord:
			low := strings.ToLower(t.text)
			isCall := next.punct("(") && !notFunction[low] && !prev.punct(".") && !typeCtx &&
				!(prev.kind == tQuoted || prev.punct(")") || prev.is("into", "table", "view", "as", "with") ||
					prev.kind == tWord && !notFunction[strings.ToLower(prev.text)])
			if isCall && !functions[low] {
				return "", &Error{Code: "002140", State: "42601", Message: fmt.Sprintf("SQL compilation error:\nUnknown function %s", strings.ToUpper(t.text))}
			}
			switch {
			case low == "current_timestamp" && next.punct("(") && i+2 < len(sig) && sig[i+2].punct(")"):
				b.WriteString("CURRENT_TIMESTAMP")
				i += 2
			case isCall && (low == "datediff" || low == "dateadd" || low == "timestampdiff" || low == "timestampadd"):
				b.WriteString(map[string]string{"datediff": "date_diff", "timestampdiff": "date_diff", "dateadd": "sf_dateadd", "timestampadd": "sf_dateadd"}[low])
				// The unit is a bare word in Snowflake, a string in DuckDB.
				if i+2 < len(sig) && sig[i+2].kind == tWord {
					sig[i+2] = token{kind: tString, text: strings.ToLower(sig[i+2].text)}
				}
			case isCall && low == "get":
				b.WriteString("sf_get")
			case isCall && low == "regexp_replace":
				// Snowflake replaces every match.
				b.WriteString("sf_regexp_replace")
			case typeCtx && (low == "number" || low == "numeric" || low == "decimal" || low == "int" || low == "integer" || low == "bigint"):
				if next.punct("(") {
					b.WriteString("DECIMAL")
				} else {
					b.WriteString("DECIMAL(38,0)")
				}
			case low == "timestamp_tz" || low == "timestamp_ltz":
				b.WriteString("TIMESTAMPTZ")
			case low == "timestamp_ntz":
				b.WriteString("TIMESTAMP")
			case low == "variant" || typeCtx && (low == "object" || low == "array"):
				b.WriteString("JSON")
			case low == "number" && next.punct("("):
				b.WriteString("DECIMAL")
			case typeCtx && typeWords[low] != "":
				b.WriteString(typeWords[low])
			case typeCtx && (low == "varchar" || low == "string" || low == "text") && next.punct("("):
				// VARCHAR(n): DuckDB has no length limit; drop it.
				b.WriteString("VARCHAR")
				j := i + 1
				for j < len(sig) && !sig[j].punct(")") {
					j++
				}
				i = j
			default:
				b.WriteString(strings.ToUpper(t.text))
			}
		default:
			b.WriteString(t.text)
		}
	}
	return b.String(), nil
}
