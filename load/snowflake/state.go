package snowflake

import (
	"context"
	"fmt"
	"strings"
)

// revops's stages (sync, links, identity decisions, runs) keep their state
// in _revops with statements written once, in the portable form the DuckDB
// engine runs as they are: double-quoted identifiers, the column types
// VARCHAR, BIGINT, INTEGER, DOUBLE, BOOLEAN and TIMESTAMP WITH TIME ZONE,
// PRIMARY KEY clauses, WITH x AS MATERIALIZED and upserts as INSERT ...
// VALUES ... ON CONFLICT. Exec, Query, ExecTx and Materialize render every
// statement they are given in Snowflake SQL (render), which leaves
// Snowflake SQL as it is but for one rule: a double-quoted name that could
// be written unquoted means what the unquoted name means ("Id" is ID, as
// revops stores it, see storedName), so that the portable form's "x"
// reaches the tables revops made. Names that need quotes ("Last Name")
// stay exact.

// sqlToken is one lexical token of a statement.
type sqlToken struct {
	kind byte // 'w' word, 'i' quoted identifier, 's' string, 'n' number, 'p' punctuation, ' ' space or comment
	text string
}

func (t sqlToken) is(words ...string) bool {
	if t.kind != 'w' {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

func (t sqlToken) punct(p string) bool { return t.kind == 'p' && t.text == p }

// lexSQL splits q into tokens; strings and comments are kept as written
// (a string's backslash escapes are Snowflake's).
func lexSQL(q string) ([]sqlToken, error) {
	var out []sqlToken
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			j := i
			for j < len(q) && strings.IndexByte(" \t\n\r", q[j]) >= 0 {
				j++
			}
			out = append(out, sqlToken{' ', q[i:j]})
			i = j
		case strings.HasPrefix(q[i:], "--") || strings.HasPrefix(q[i:], "//"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			out = append(out, sqlToken{' ', q[i : i+j]})
			i += j
		case strings.HasPrefix(q[i:], "/*"):
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("unclosed comment at offset %d", i)
			}
			out = append(out, sqlToken{' ', q[i : i+j+4]})
			i += j + 4
		case c == '\'' || strings.HasPrefix(q[i:], "$$"):
			j := i + 1
			if c == '$' {
				k := strings.Index(q[i+2:], "$$")
				if k < 0 {
					return nil, fmt.Errorf("unclosed $$ string at offset %d", i)
				}
				j = i + 2 + k + 2
			} else {
				for ; ; j++ {
					if j >= len(q) {
						return nil, fmt.Errorf("unclosed string literal at offset %d", i)
					}
					if q[j] == '\\' {
						j++
						continue
					}
					if q[j] == '\'' {
						if j+1 < len(q) && q[j+1] == '\'' {
							j++
							continue
						}
						j++
						break
					}
				}
			}
			out = append(out, sqlToken{'s', q[i:j]})
			i = j
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; ; j++ {
				if j >= len(q) {
					return nil, fmt.Errorf("unclosed quoted identifier at offset %d", i)
				}
				if q[j] == '"' {
					if j+1 < len(q) && q[j+1] == '"' {
						b.WriteByte('"')
						j++
						continue
					}
					j++
					break
				}
				b.WriteByte(q[j])
			}
			out = append(out, sqlToken{'i', b.String()})
			i = j
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			j := i
			for j < len(q) && (q[j] == '_' || q[j] == '$' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' ||
				q[j] >= '0' && q[j] <= '9' || q[j] >= 0x80) {
				j++
			}
			out = append(out, sqlToken{'w', q[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			out = append(out, sqlToken{'n', q[i:j]})
			i = j
		default:
			out = append(out, sqlToken{'p', q[i : i+1]})
			i++
		}
	}
	return out, nil
}

// text renders tokens, quoted identifiers in their stored spelling.
func sqlText(toks []sqlToken) string {
	var b strings.Builder
	for _, t := range toks {
		if t.kind == 'i' {
			b.WriteString(quoteIdent(t.text))
		} else {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// render turns q (one or more statements) into Snowflake SQL; see the
// comment at the top of this file.
func (w *Warehouse) render(q string) (string, error) {
	toks, err := lexSQL(q)
	if err != nil {
		return "", err
	}
	var parts []string
	start, depth := 0, 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) {
			switch {
			case toks[i].punct("("):
				depth++
			case toks[i].punct(")"):
				depth--
			}
			if !toks[i].punct(";") || depth != 0 {
				continue
			}
		}
		stmt := toks[start:i]
		start = i + 1
		if len(significant(stmt)) == 0 {
			continue
		}
		s, err := w.renderStatement(stmt)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ";\n"), nil
}

func significant(toks []sqlToken) []int {
	var out []int
	for i, t := range toks {
		if t.kind != ' ' {
			out = append(out, i)
		}
	}
	return out
}

func (w *Warehouse) renderStatement(toks []sqlToken) (string, error) {
	sig := significant(toks)
	at := func(k int) sqlToken {
		if k < len(sig) {
			return toks[sig[k]]
		}
		return sqlToken{}
	}
	out := make([]sqlToken, 0, len(toks))
	for k := 0; k < len(sig); k++ {
		t := at(k)
		switch {
		case t.is("as") && at(k+1).is("materialized") && at(k+2).punct("("):
			// WITH x AS MATERIALIZED (...): Snowflake has no such hint.
			out = append(out, toks[sig[k]:sig[k+1]]...)
			k++
			continue
		case t.is("timestamp") && at(k+1).is("with") && at(k+2).is("time") && at(k+3).is("zone"):
			out = append(out, sqlToken{'w', "TIMESTAMP_TZ"})
			k += 3
			if k+1 < len(sig) {
				out = append(out, toks[sig[k]+1:sig[k+1]]...)
			}
			continue
		}
		end := len(toks)
		if k+1 < len(sig) {
			end = sig[k+1]
		}
		out = append(out, toks[sig[k]:end]...)
	}
	if len(sig) > 0 && at(0).is("create") {
		w.notePrimaryKey(out)
	}
	if len(sig) > 0 && at(0).is("insert") {
		if s, ok, err := w.upsert(out); ok || err != nil {
			return s, err
		}
	}
	return sqlText(out), nil
}

// notePrimaryKey remembers the primary key of a CREATE TABLE revops sends
// (its state tables), for ON CONFLICT DO NOTHING without a column list.
func (w *Warehouse) notePrimaryKey(toks []sqlToken) {
	sig := significant(toks)
	k := 1
	for k < len(sig) && !toks[sig[k]].is("table") {
		k++
	}
	k++
	if k+2 < len(sig) && toks[sig[k]].is("if") {
		k += 3
	}
	var name strings.Builder
	for ; k < len(sig) && !toks[sig[k]].punct("("); k++ {
		name.WriteString(tokenName(toks[sig[k]]))
	}
	for ; k+2 < len(sig); k++ {
		if toks[sig[k]].is("primary") && toks[sig[k+1]].is("key") && toks[sig[k+2]].punct("(") {
			var cols []string
			for j := k + 3; j < len(sig) && !toks[sig[j]].punct(")"); j++ {
				if t := toks[sig[j]]; t.kind == 'w' || t.kind == 'i' {
					cols = append(cols, t.text)
				}
			}
			w.pkMu.Lock()
			w.pks[strings.ToUpper(name.String())] = cols
			w.pkMu.Unlock()
			return
		}
	}
}

// tokenName is a name part as the catalog would spell it.
func tokenName(t sqlToken) string {
	if t.kind == 'i' {
		return storedName(t.text)
	}
	return strings.ToUpper(t.text)
}

// upsert renders INSERT INTO t (cols) VALUES (...), ... ON CONFLICT [(keys)]
// DO UPDATE SET ... | DO NOTHING as one MERGE whose source, named
// excluded, holds the rows (SELECT ... UNION ALL SELECT ...). ok is false
// for other INSERTs. Unconfirmed on the service: how it types bind
// variables in such a source (a NULL travels as TEXT; the MERGE casts
// to the target's types), and that several source rows for one key fail
// the MERGE (ERROR_ON_NONDETERMINISTIC_MERGE) as they fail an ON
// CONFLICT on DuckDB; revops sends each key once per statement.
func (w *Warehouse) upsert(toks []sqlToken) (string, bool, error) {
	sig := significant(toks)
	tok := func(k int) sqlToken { return toks[sig[k]] }
	// Find ON CONFLICT at depth 0.
	on, depth := -1, 0
	for k := range sig {
		switch t := tok(k); {
		case t.punct("("):
			depth++
		case t.punct(")"):
			depth--
		case depth == 0 && t.is("on") && k+1 < len(sig) && tok(k+1).is("conflict"):
			on = k
		}
		if on >= 0 {
			break
		}
	}
	if on < 0 {
		return "", false, nil
	}
	bad := func(why string) (string, bool, error) {
		return "", true, fmt.Errorf("snowflake: cannot render this INSERT ... ON CONFLICT as a MERGE (%s): %s", why, sqlText(toks))
	}
	if len(sig) < 4 || !tok(1).is("into") {
		return bad("want INSERT INTO")
	}
	// The table: tokens up to the column list.
	k := 2
	var nameToks []sqlToken
	var name strings.Builder
	for ; k < on && !tok(k).punct("(") && !tok(k).is("values", "select"); k++ {
		nameToks = append(nameToks, tok(k))
		name.WriteString(tokenName(tok(k)))
	}
	if k >= on || len(nameToks) == 0 || !tok(k).punct("(") {
		return bad("want a column list")
	}
	alias := nameToks[len(nameToks)-1]
	var cols []sqlToken
	for k++; k < on && !tok(k).punct(")"); k++ {
		if t := tok(k); t.kind == 'w' || t.kind == 'i' {
			cols = append(cols, t)
		}
	}
	k++
	if k >= on || !tok(k).is("values") {
		return bad("want VALUES")
	}
	// The rows: each ( ... ) at depth 0 up to ON CONFLICT.
	var rows [][][]sqlToken // row → values → tokens
	for k++; k < on; k++ {
		if tok(k).punct(",") {
			continue
		}
		if !tok(k).punct("(") {
			return bad("want a row of values")
		}
		var row [][]sqlToken
		var cur []sqlToken
		d := 0
		for k++; k < on; k++ {
			t := tok(k)
			if d == 0 && (t.punct(",") || t.punct(")")) {
				row = append(row, cur)
				cur = nil
				if t.punct(")") {
					break
				}
				continue
			}
			if t.punct("(") {
				d++
			} else if t.punct(")") {
				d--
			}
			// Keep the spaces between the value's tokens.
			if len(cur) > 0 {
				cur = append(cur, sqlToken{' ', " "})
			}
			cur = append(cur, t)
		}
		if len(row) != len(cols) {
			return bad(fmt.Sprintf("a row of %d values for %d columns", len(row), len(cols)))
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return bad("no rows")
	}
	// ON CONFLICT [(keys)] DO ...
	k = on + 2
	var keys []sqlToken
	if k < len(sig) && tok(k).punct("(") {
		for k++; k < len(sig) && !tok(k).punct(")"); k++ {
			if t := tok(k); t.kind == 'w' || t.kind == 'i' {
				keys = append(keys, t)
			}
		}
		k++
	}
	if k >= len(sig) || !tok(k).is("do") {
		return bad("want DO UPDATE or DO NOTHING")
	}
	k++
	nothing := k < len(sig) && tok(k).is("nothing")
	var set string
	switch {
	case nothing:
	case k+1 < len(sig) && tok(k).is("update") && tok(k+1).is("set"):
		set = sqlText(toks[sig[k+2]:])
	default:
		return bad("want DO UPDATE SET or DO NOTHING")
	}
	if len(keys) == 0 {
		w.pkMu.Lock()
		pk := w.pks[strings.ToUpper(name.String())]
		w.pkMu.Unlock()
		if len(pk) == 0 {
			return bad("ON CONFLICT names no columns and the table's primary key is not known: name the key columns")
		}
		for _, c := range pk {
			keys = append(keys, sqlToken{'i', c})
		}
	}
	a := sqlText([]sqlToken{alias})
	var b strings.Builder
	b.WriteString("MERGE INTO " + sqlText(nameToks) + " AS " + a + " USING (")
	for i, row := range rows {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT ")
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(sqlText(v))
			if i == 0 {
				b.WriteString(" AS " + sqlText(cols[j:j+1]))
			}
		}
	}
	b.WriteString(") AS excluded ON ")
	for i, c := range keys {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(a + "." + sqlText([]sqlToken{c}) + " = excluded." + sqlText([]sqlToken{c}))
	}
	if !nothing {
		b.WriteString(" WHEN MATCHED THEN UPDATE SET " + set)
	}
	vals := make([]string, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = sqlText([]sqlToken{c})
		vals[i] = "excluded." + names[i]
	}
	b.WriteString(" WHEN NOT MATCHED THEN INSERT (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")")
	return b.String(), true, nil
}

// ExecTx runs queries (each rendered, with its arguments) in one
// transaction on one session: revops's state writes recording one
// outcome. A statement that fails rolls the transaction back.
func (w *Warehouse) ExecTx(ctx context.Context, queries []string, args [][]any) (err error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("snowflake: exec: %w", w.describe(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("snowflake: exec: begin: %w", w.describe(err))
	}
	done := false
	defer func() {
		if !done {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	for i, q := range queries {
		sql, err := w.render(q)
		if err != nil {
			return err
		}
		var a []any
		if i < len(args) {
			a = args[i]
		}
		if _, err := conn.ExecContext(ctx, sql, a...); err != nil {
			return fmt.Errorf("snowflake: exec: %w", w.describe(err))
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("snowflake: exec: commit: %w", w.describe(err))
	}
	done = true
	return nil
}
