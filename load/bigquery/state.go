package bigquery

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// revops's stages (sync, links, identity decisions, runs) keep their state
// in _revops with statements written once, in the portable form the DuckDB
// engine runs as they are: double-quoted identifiers, '' escapes, the
// column types VARCHAR, BIGINT, INTEGER, DOUBLE, BOOLEAN and TIMESTAMP
// WITH TIME ZONE, PRIMARY KEY clauses, WITH x AS MATERIALIZED, CREATE
// SCHEMA and upserts as INSERT ... VALUES ... ON CONFLICT. The dialect
// renders them in GoogleSQL (Macros.State); Exec and Query render every
// statement they are given, which leaves GoogleSQL as it is, with one
// exception: "x" is an identifier, as in the portable form (write string
// literals with single quotes).

// stateToken is one lexical token of a statement.
type stateToken struct {
	kind byte // 'w' word, 'i' quoted identifier, 's' string, 'n' number, 'p' punctuation, ' ' space, '?' parameter
	text string
	// raw is the token as written, "" when it must be rendered anew (a
	// "x" identifier, a string with '' escapes); sp: spaces precede it.
	raw string
	sp  bool
}

func stateTokens(q string) ([]stateToken, error) {
	var out []stateToken
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			j := i
			for j < len(q) && strings.IndexByte(" \t\n\r", q[j]) >= 0 {
				j++
			}
			out = append(out, stateToken{kind: ' ', text: " "})
			i = j
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			out = append(out, stateToken{kind: ' ', text: " "})
			i += j
		case c == '\'':
			// '' is an escaped quote (portable form), \x an escape (GoogleSQL).
			var b strings.Builder
			j := i + 1
			portable := false
			for ; ; j++ {
				if j >= len(q) {
					return nil, fmt.Errorf("unclosed string literal at offset %d", i)
				}
				if q[j] == '\\' && j+1 < len(q) {
					j++
					switch q[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					default:
						b.WriteByte(q[j])
					}
					continue
				}
				if q[j] == '\'' {
					if j+1 < len(q) && q[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						portable = true
						continue
					}
					break
				}
				b.WriteByte(q[j])
			}
			t := stateToken{kind: 's', text: b.String(), raw: q[i : j+1]}
			if portable {
				t.raw = ""
			}
			out = append(out, t)
			i = j + 1
		case c == '"' || c == '`':
			var b strings.Builder
			j := i + 1
			for ; ; j++ {
				if j >= len(q) {
					return nil, fmt.Errorf("unclosed quoted identifier at offset %d", i)
				}
				if q[j] == c {
					if c == '"' && j+1 < len(q) && q[j+1] == '"' {
						b.WriteByte('"')
						j++
						continue
					}
					break
				}
				b.WriteByte(q[j])
			}
			t := stateToken{kind: 'i', text: b.String(), raw: q[i : j+1]}
			if c == '"' {
				t.raw = ""
			}
			out = append(out, t)
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(q) && (isWordByte(q[j]) || q[j] == '.') {
				j++
			}
			out = append(out, stateToken{kind: 'n', text: q[i:j]})
			i = j
		case isWordByte(c):
			j := i
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			out = append(out, stateToken{kind: 'w', text: q[i:j]})
			i = j
		case c == '?':
			out = append(out, stateToken{kind: '?', text: "?"})
			i++
		default:
			n := 1
			if i+1 < len(q) && strings.Contains("<= >= <> != || ::", q[i:i+2]) && q[i+1] != ' ' {
				n = 2
			}
			out = append(out, stateToken{kind: 'p', text: q[i : i+n]})
			i += n
		}
	}
	return out, nil
}

// portableTypes are the portable form's column types and their GoogleSQL
// names (the dialect's type table, plus INTEGER and TIMESTAMPTZ).
var portableTypes = func() map[string]string {
	m := map[string]string{"INTEGER": "INT64", "TIMESTAMPTZ": "TIMESTAMP"}
	for k, v := range bqTypes {
		m[strings.ToUpper(k)] = v
	}
	return m
}()

// stateStmt is a statement split into its significant tokens (spaces
// dropped) for matching, and rendered back.
type stateStmt []stateToken

func (s stateStmt) word(i int, w string) bool {
	return i >= 0 && i < len(s) && s[i].kind == 'w' && strings.EqualFold(s[i].text, w)
}

func (s stateStmt) punct(i int, p string) bool {
	return i >= 0 && i < len(s) && s[i].kind == 'p' && s[i].text == p
}

// words reports whether s holds the words ws from i on.
func (s stateStmt) words(i int, ws ...string) bool {
	for k, w := range ws {
		if !s.word(i+k, w) {
			return false
		}
	}
	return true
}

// closing returns the index of the ')' matching the '(' at i.
func (s stateStmt) closing(i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		if s.punct(j, "(") {
			depth++
		} else if s.punct(j, ")") {
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// split splits s[from:to] at top-level commas.
func (s stateStmt) split(from, to int) []stateStmt {
	var out []stateStmt
	depth, start := 0, from
	for j := from; j < to; j++ {
		switch {
		case s.punct(j, "("):
			depth++
		case s.punct(j, ")"):
			depth--
		case s.punct(j, ",") && depth == 0:
			out = append(out, s[start:j])
			start = j + 1
		}
	}
	return append(out, s[start:to])
}

// render writes the tokens in GoogleSQL: as written, except quoted
// identifiers and strings that need it, with one space where the source
// had any.
func (s stateStmt) render() string {
	var b strings.Builder
	for i, t := range s {
		if i > 0 && t.sp {
			b.WriteByte(' ')
		}
		switch {
		case t.raw != "":
			b.WriteString(t.raw)
		case t.kind == 'i':
			b.WriteString(Macros{}.Ident(t.text))
		case t.kind == 's':
			b.WriteString(Macros{}.Literal(t.text))
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// stateSQL is a statement rendered in GoogleSQL, or what the warehouse
// does instead of running it.
type stateSQL struct {
	sql string
	// schema: a CREATE SCHEMA IF NOT EXISTS of this revops schema (the
	// warehouse creates the dataset through the API, in its location).
	schema string
	// table, key and types: a CREATE TABLE of table with this primary
	// key, or an ALTER TABLE adding columns; the (GoogleSQL) types of
	// the columns it defines.
	table string
	key   []string
	types map[string]string
}

// StateTable is what the warehouse knows of a _revops table from the
// statements that created it: its primary key (for ON CONFLICT DO
// NOTHING, which names none) and its column types (an upsert's
// parameters are cast to them: a NULL parameter is a STRING otherwise,
// which BigQuery will not put in another column type).
type StateTable struct {
	Key   []string
	Types map[string]string
}

// State renders a statement of the portable form in GoogleSQL (the
// comment at the top of state.go lists what it rewrites; GoogleSQL is
// returned as it is). tables returns what is known of a _revops table
// (its primary key, for ON CONFLICT DO NOTHING, which names none; its
// column types); nil when nothing is. Schemas get m.Prefix.
func (m Macros) State(q string, tables func(table string) StateTable) (string, error) {
	st, err := m.state(q, tables)
	if err != nil {
		return "", err
	}
	if st.schema != "" {
		return "CREATE SCHEMA IF NOT EXISTS " + m.Ident(m.Prefix+st.schema), nil
	}
	return st.sql, nil
}

func (m Macros) state(q string, tables func(table string) StateTable) (stateSQL, error) {
	toks, err := stateTokens(q)
	if err != nil {
		return stateSQL{}, err
	}
	var s stateStmt
	changed, sp := false, false
	for _, t := range toks {
		if t.kind == ' ' {
			sp = true
			continue
		}
		t.sp, sp = sp, false
		changed = changed || t.raw == "" && (t.kind == 'i' || t.kind == 's')
		s = append(s, t)
	}
	if len(s) == 0 {
		return stateSQL{sql: q}, nil
	}
	if s.words(0, "CREATE", "SCHEMA", "IF", "NOT", "EXISTS") && len(s) == 6 {
		return stateSQL{schema: s[5].text}, nil
	}
	// Types, materialized CTEs and primary keys.
	var out stateStmt
	var res stateSQL
	for i := 0; i < len(s); i++ {
		t := s[i]
		if t.kind == 'i' && t.raw == "" && m.Prefix != "" && i > 0 && s[i-1].kind == 'w' &&
			relationWords[strings.ToUpper(s[i-1].text)] && s.punct(i+1, ".") {
			// "schema"."table": the dataset gets the prefix, as Exec
			// gives it to schema.table.
			t.text = m.Prefix + t.text
			out = append(out, t)
			continue
		}
		if s.punct(i, "(") && s.word(i+1, "VALUES") {
			if sel, next, ok := valuesTable(s, i); ok {
				out = append(out, stateToken{kind: 'w', raw: sel, sp: t.sp})
				i = next - 1
				changed = true
				continue
			}
		}
		if t.kind == 'w' && !s.punct(i-1, ".") {
			up := strings.ToUpper(t.text)
			call := s.punct(i+1, "(")
			if up == "TIMESTAMP" && !call && s.words(i+1, "WITH", "TIME", "ZONE") {
				out = append(out, stateToken{kind: 'w', text: "TIMESTAMP", sp: t.sp})
				i += 3
				changed = true
				continue
			}
			if to, ok := portableTypes[up]; ok && !call && up != "DATE" && up != "TIMESTAMP" {
				out = append(out, stateToken{kind: 'w', text: to, sp: t.sp})
				changed = true
				continue
			}
			if up == "MATERIALIZED" && s.word(i-1, "AS") && s.punct(i+1, "(") {
				changed = true
				continue
			}
			if up == "KEY" && s.word(i-1, "PRIMARY") && s.word(0, "CREATE") {
				out = append(out, t)
				if j := s.closing(i + 1); s.punct(i+1, "(") && j > 0 {
					for _, c := range s.split(i+2, j) {
						res.key = append(res.key, c.render())
					}
					out = append(out, s[i+1:j+1]...)
					i = j
				} else {
					// A column's own PRIMARY KEY: the column before it.
					for k := i - 1; k >= 0; k-- {
						if s.punct(k, "(") || s.punct(k, ",") {
							res.key = append(res.key, s[k+1].text)
							break
						}
					}
				}
				if !s.words(i+1, "NOT", "ENFORCED") {
					out = append(out, stateToken{kind: 'w', text: "NOT", sp: true}, stateToken{kind: 'w', text: "ENFORCED", sp: true})
					changed = true
				}
				continue
			}
		}
		out = append(out, t)
	}
	s = out
	if s.word(0, "CREATE") {
		for i := range s {
			if s.word(i, "TABLE") {
				j := i + 1
				if s.words(j, "IF", "NOT", "EXISTS") {
					j += 3
				}
				res.table = relationName(s, j)
				if s.punct(j+1, ".") {
					j += 2
				}
				if open := j + 1; s.punct(open, "(") {
					res.types = map[string]string{}
					for _, def := range s.split(open+1, s.closing(open)) {
						if len(def) >= 2 && (def[0].kind == 'w' || def[0].kind == 'i') && def[1].kind == 'w' && !strings.EqualFold(def[0].text, "PRIMARY") {
							res.types[strings.ToLower(def[0].text)] = def[1].text
						}
					}
				}
				break
			}
		}
	}
	if s.words(0, "ALTER", "TABLE") {
		res.table = relationName(s, 2)
		for i := range s {
			if s.words(i, "ADD", "COLUMN") {
				j := i + 2
				if s.words(j, "IF", "NOT", "EXISTS") {
					j += 3
				}
				if j+1 < len(s) {
					res.types = map[string]string{strings.ToLower(s[j].text): s[j+1].text}
				}
			}
		}
	}
	if s.words(0, "INSERT", "INTO") {
		for i := range s {
			if s.words(i, "ON", "CONFLICT") {
				sql, err := m.upsert(s, i, tables)
				if err != nil {
					return stateSQL{}, err
				}
				res.sql = sql
				return res, nil
			}
		}
	}
	if s.words(0, "INSERT", "INTO") && tables != nil {
		if cast, ok := castInsert(s, tables(relationName(s, 2))); ok {
			s, changed = cast, true
		}
	}
	res.sql = q
	if changed {
		res.sql = s.render()
	}
	return res, nil
}

// castInsert casts the bare parameters of an INSERT INTO t (cols) VALUES
// (...), ... or INSERT INTO t (cols) SELECT ..., ... to the types of
// their columns, as upserts do: a NULL parameter is a STRING otherwise,
// which BigQuery puts in no other column type. It reports false when
// nothing was cast (an unknown table, no bare parameter).
func castInsert(s stateStmt, known StateTable) (stateStmt, bool) {
	if len(known.Types) == 0 {
		return s, false
	}
	i := 3
	if s.punct(i, ".") {
		i += 2
	}
	if !s.punct(i, "(") {
		return s, false
	}
	end := s.closing(i)
	if end < 0 {
		return s, false
	}
	var cols []string
	for _, c := range s.split(i+1, end) {
		cols = append(cols, strings.ToLower(c.render()))
	}
	out := append(stateStmt(nil), s...)
	castAt := func(k, col int) bool {
		if col >= len(cols) || out[k].kind != '?' {
			return false
		}
		typ := known.Types[cols[col]]
		if typ == "" {
			return false
		}
		out[k] = stateToken{kind: 'w', raw: "CAST(? AS " + typ + ")", sp: out[k].sp}
		return true
	}
	// bare reports whether the item from..to (exclusive) is one '?'.
	bare := func(from, to int) bool { return to == from+1 && s[from].kind == '?' }
	cast := false
	i = end + 1
	switch {
	case s.word(i, "VALUES"):
		for i++; s.punct(i, "("); {
			j := s.closing(i)
			if j < 0 {
				return s, false
			}
			col, start := 0, i+1
			for _, item := range s.split(i+1, j) {
				if bare(start, start+len(item)) && castAt(start, col) {
					cast = true
				}
				start += len(item) + 1
				col++
			}
			i = j + 1
			if !s.punct(i, ",") {
				break
			}
			i++
		}
	case s.word(i, "SELECT"):
		to := len(s)
		depth := 0
		for k := i + 1; k < len(s); k++ {
			if s.punct(k, "(") {
				depth++
			} else if s.punct(k, ")") {
				depth--
			} else if depth == 0 && s.word(k, "FROM") {
				to = k
				break
			}
		}
		col, start := 0, i+1
		for _, item := range s.split(i+1, to) {
			if bare(start, start+len(item)) && castAt(start, col) {
				cast = true
			}
			start += len(item) + 1
			col++
		}
	}
	if !cast {
		return s, false
	}
	return out, true
}

// valuesTable renders (VALUES (...), ...) AS name(c1, ...) at i, which
// GoogleSQL lacks, as (SELECT ... AS c1, ... UNION ALL SELECT ...) AS
// name, and returns the index after it.
func valuesTable(s stateStmt, i int) (string, int, bool) {
	end := s.closing(i)
	if end < 0 || !s.word(end+1, "AS") || end+2 >= len(s) || !s.punct(end+3, "(") {
		return "", 0, false
	}
	cend := s.closing(end + 3)
	if cend < 0 {
		return "", 0, false
	}
	name := s[end+2 : end+3].render()
	var cols []string
	for _, c := range s.split(end+4, cend) {
		cols = append(cols, c.render())
	}
	var b strings.Builder
	b.WriteString("(")
	n := 0
	for j := i + 2; j < end; {
		if !s.punct(j, "(") {
			return "", 0, false
		}
		k := s.closing(j)
		row := s.split(j+1, k)
		if len(row) != len(cols) {
			return "", 0, false
		}
		if n > 0 {
			b.WriteString("\n  UNION ALL ")
		}
		b.WriteString("SELECT ")
		for c, v := range row {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.render() + " AS " + cols[c])
		}
		n++
		j = k + 1
		if s.punct(j, ",") {
			j++
		}
	}
	b.WriteString(") AS " + name)
	return b.String(), cend + 1, n > 0
}

// relationName reads schema.table (or table) at i.
func relationName(s stateStmt, i int) string {
	if i >= len(s) {
		return ""
	}
	name := s[i].text
	if s.punct(i+1, ".") && i+2 < len(s) {
		name += "." + s[i+2].text
	}
	return name
}

// upsert renders INSERT INTO t (cols) VALUES (...), ... ON CONFLICT
// [(keys)] DO NOTHING | DO UPDATE SET ... as one MERGE: the rows are the
// source (incoming), matched on the conflict keys; excluded.c becomes
// incoming.c and the table's own name still qualifies its columns.
func (m Macros) upsert(s stateStmt, on int, tables func(table string) StateTable) (string, error) {
	table := relationName(s, 2)
	i := 3
	if s.punct(i, ".") {
		i += 2
	}
	if !s.punct(i, "(") {
		return "", fmt.Errorf("state statement: an upsert into %s must list its columns", table)
	}
	end := s.closing(i)
	var cols []string
	for _, c := range s.split(i+1, end) {
		cols = append(cols, c.render())
	}
	i = end + 1
	if !s.word(i, "VALUES") {
		return "", fmt.Errorf("state statement: an upsert into %s must insert VALUES rows", table)
	}
	var rows [][]stateStmt
	for i++; i < on; {
		if !s.punct(i, "(") {
			return "", fmt.Errorf("state statement: upsert into %s: a row of VALUES is not parenthesized", table)
		}
		j := s.closing(i)
		row := s.split(i+1, j)
		if len(row) != len(cols) {
			return "", fmt.Errorf("state statement: upsert into %s: a row has %d values for %d columns", table, len(row), len(cols))
		}
		rows = append(rows, row)
		i = j + 1
		if s.punct(i, ",") {
			i++
		}
	}
	i = on + 2
	var key []string
	if s.punct(i, "(") {
		j := s.closing(i)
		for _, c := range s.split(i+1, j) {
			key = append(key, c.render())
		}
		i = j + 1
	}
	var known StateTable
	if tables != nil {
		known = tables(table)
	}
	if key == nil {
		key = known.Key
	}
	if len(key) == 0 {
		return "", fmt.Errorf("state statement: upsert into %s names no conflict key and the table's primary key is not known", table)
	}
	short := table
	if k := strings.LastIndexByte(short, '.'); k >= 0 {
		short = short[k+1:]
	}
	var b strings.Builder
	b.WriteString("MERGE INTO " + table + " AS " + m.Ident(short) + " USING (")
	for r, row := range rows {
		if r > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT ")
		for c, v := range row {
			if c > 0 {
				b.WriteString(", ")
			}
			typ := known.Types[strings.ToLower(cols[c])]
			if len(v) == 1 && v[0].kind == '?' && typ != "" {
				b.WriteString("CAST(? AS " + typ + ")")
			} else {
				b.WriteString(v.render())
			}
			if r == 0 {
				b.WriteString(" AS " + cols[c])
			}
		}
	}
	b.WriteString(") AS incoming ON ")
	for k, c := range key {
		if k > 0 {
			b.WriteString(" AND ")
		}
		fmt.Fprintf(&b, "%s.%s = incoming.%s", m.Ident(short), c, c)
	}
	switch {
	case s.words(i, "DO", "NOTHING"):
	case s.words(i, "DO", "UPDATE", "SET"):
		set := s[i+3:]
		for k := range set {
			if set[k].kind == 'w' && strings.EqualFold(set[k].text, "excluded") && set.punct(k+1, ".") {
				set[k].text = "incoming"
			}
		}
		b.WriteString(" WHEN MATCHED THEN UPDATE SET " + set.render())
	default:
		return "", fmt.Errorf("state statement: upsert into %s: want ON CONFLICT ... DO NOTHING or DO UPDATE SET", table)
	}
	b.WriteString(" WHEN NOT MATCHED THEN INSERT (" + strings.Join(cols, ", ") + ") VALUES (")
	for c, col := range cols {
		if c > 0 {
			b.WriteString(", ")
		}
		b.WriteString("incoming." + col)
	}
	b.WriteString(")")
	return b.String(), nil
}

// render renders a statement given to Exec or Query, creating the dataset
// of a CREATE SCHEMA itself ("" then: nothing left to run) and noting the
// primary keys of the tables it creates.
func (w *Warehouse) render(ctx context.Context, q string) (string, error) {
	st, err := Macros{Prefix: w.prefix}.state(q, w.stateTable)
	if err != nil {
		return "", fmt.Errorf("bigquery: %w", err)
	}
	if st.schema != "" {
		return "", w.ensureDataset(ctx, st.schema)
	}
	if st.table != "" && (len(st.key) > 0 || len(st.types) > 0) {
		w.mu.Lock()
		if w.state == nil {
			w.state = map[string]StateTable{}
		}
		k := strings.ToLower(st.table)
		known := w.state[k]
		if len(st.key) > 0 {
			known.Key = st.key
		}
		if known.Types == nil {
			known.Types = map[string]string{}
		}
		for c, t := range st.types {
			known.Types[c] = t
		}
		w.state[k] = known
		w.mu.Unlock()
	}
	return st.sql, nil
}

func (w *Warehouse) stateTable(table string) StateTable {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state[strings.ToLower(table)]
}

// ExecTx runs statements (with their arguments) in one transaction: one
// script job, BEGIN TRANSACTION ... COMMIT TRANSACTION, retried when
// BigQuery aborts it for a concurrent update. The sync and link engines
// record an outcome with it.
func (w *Warehouse) ExecTx(ctx context.Context, queries []string, args [][]any) error {
	var b strings.Builder
	var all []any
	b.WriteString("BEGIN TRANSACTION;\n")
	for i, q := range queries {
		sql, err := w.render(ctx, q)
		if err != nil {
			return err
		}
		if sql == "" {
			continue
		}
		b.WriteString(sql + ";\n")
		if i < len(args) {
			all = append(all, args[i]...)
		}
	}
	b.WriteString("COMMIT TRANSACTION;")
	if err := w.retryAborted(ctx, func() error {
		_, _, err := w.run(ctx, w.qualify(b.String()), all...)
		return err
	}); err != nil {
		return fmt.Errorf("bigquery: exec: %w", err)
	}
	return nil
}

// retryAborted runs f again (up to maxAttempts times in all, backing off)
// while BigQuery aborts its transaction for a concurrent update.
func (w *Warehouse) retryAborted(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !concurrentUpdate(err) || attempt == maxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 200 * time.Millisecond):
		}
	}
}
