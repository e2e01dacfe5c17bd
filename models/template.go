package models

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/revops/revops/load"
)

// funcNames are the template functions; parseTemplate binds placeholders
// and every render binds its own implementations on a clone.
var funcNames = []string{"ref", "source", "source_exists", "var", "this", "is_incremental",
	"datediff", "date_trunc", "similarity", "regexp_matches", "regexp_replace", "safe_cast", "hash", "now", "field", "cast", "median"}

func placeholderFuncs() template.FuncMap {
	fm := template.FuncMap{}
	for _, n := range funcNames {
		fm[n] = func(...any) (string, error) { return "", nil }
	}
	return fm
}

// parseTemplate parses a file's body; the header lines are kept as empty
// lines so that template positions are the file's line numbers.
func parseTemplate(file, src string, headerLines int) (*template.Template, error) {
	t, err := template.New(file).Option("missingkey=error").Funcs(placeholderFuncs()).Parse(bodyWithBlankHeader(src, headerLines))
	if err != nil {
		return nil, templateError(file, err)
	}
	return t, nil
}

func bodyWithBlankHeader(src string, headerLines int) string {
	lines := strings.SplitAfter(src, "\n")
	if headerLines > len(lines) {
		headerLines = len(lines)
	}
	return strings.Repeat("\n", headerLines) + strings.Join(lines[headerLines:], "")
}

var (
	execErrRE  = regexp.MustCompile(`(?s)^template: (.*?):(\d+):(\d+): executing "[^"]*" at <(.*?)>: (?:error calling \w+: )?(.*)$`)
	parseErrRE = regexp.MustCompile(`(?s)^template: (.*?):(\d+):(?:\d+:)? (.*)$`)
)

// templateError turns text/template's errors into file:line errors.
func templateError(file string, err error) error {
	msg := err.Error()
	if m := execErrRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		return &Error{File: file, Line: line, Msg: fmt.Sprintf("%s: %s", m[4], m[5])}
	}
	if m := parseErrRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		return &Error{File: file, Line: line, Msg: "template: " + m[3]}
	}
	return &Error{File: file, Msg: msg}
}

// renderEnv is what one render of one file sees.
type renderEnv struct {
	p      *Project
	self   *Model // nil for custom tests
	macros load.Macros
	// exists says whether a landed table or relation exists; nil when
	// planning (everything exists).
	exists      func(schema, name string) bool
	incremental bool

	refs    map[string]string // relation -> as written
	sources map[string]bool   // used sources
	missing []string          // used sources that do not exist
}

var (
	diffUnits  = map[string]bool{"day": true, "hour": true, "week": true, "month": true}
	truncUnits = map[string]bool{"hour": true, "day": true, "week": true, "month": true, "quarter": true, "year": true}
)

func (e *renderEnv) funcs() template.FuncMap {
	mc := e.macros
	return template.FuncMap{
		"ref": func(name string) (string, error) {
			m, err := e.p.resolve(name)
			if err != nil {
				return "", err
			}
			if e.self != nil && m == e.self {
				return "", fmt.Errorf("%s refs itself (use {{ this }})", m.Relation)
			}
			if _, ok := e.refs[m.Relation]; !ok {
				e.refs[m.Relation] = name
			}
			return mc.Relation(table(m.Relation)), nil
		},
		"source": func(schema, name string) (string, error) {
			if !identRE.MatchString(schema) || !identRE.MatchString(name) {
				return "", fmt.Errorf("%s.%s is not a plain relation name", schema, name)
			}
			rel := strings.ToLower(schema + "." + name)
			if !e.sources[rel] {
				e.sources[rel] = true
				if e.exists != nil && !e.exists(schema, name) {
					e.missing = append(e.missing, rel)
				}
			}
			return mc.Relation(load.Table{Schema: schema, Name: name}), nil
		},
		"source_exists": func(schema, name string) bool {
			return e.exists == nil || e.exists(schema, name)
		},
		"var": func(name string, def ...string) (string, error) {
			if v, ok := e.p.vars[name]; ok {
				return v, nil
			}
			switch len(def) {
			case 0:
				return "", fmt.Errorf("var %q is not set (set it under models.vars in revops.yaml, or give a default: {{ var %q \"default\" }})", name, name)
			case 1:
				return def[0], nil
			}
			return "", fmt.Errorf("var %q: at most one default", name)
		},
		"this": func() (string, error) {
			if e.self == nil {
				return "", fmt.Errorf("this: a test has no relation of its own")
			}
			return mc.Relation(table(e.self.Relation)), nil
		},
		"is_incremental": func() bool { return e.incremental },
		"datediff": func(unit, a, b string) (string, error) {
			if !diffUnits[strings.ToLower(unit)] {
				return "", fmt.Errorf("unit %q (want day, hour, week or month)", unit)
			}
			return mc.DateDiff(strings.ToLower(unit), a, b), nil
		},
		"date_trunc": func(unit, x string) (string, error) {
			if !truncUnits[strings.ToLower(unit)] {
				return "", fmt.Errorf("unit %q (want hour, day, week, month, quarter or year)", unit)
			}
			return mc.DateTrunc(strings.ToLower(unit), x), nil
		},
		"similarity":     func(a, b string) string { return mc.Similarity(a, b) },
		"regexp_matches": func(x, p string) string { return mc.RegexpMatches(x, p) },
		"regexp_replace": func(x, p, r string) string { return mc.RegexpReplace(x, p, r) },
		"safe_cast": func(x, typ string) (string, error) {
			if !isPortableType(strings.ToLower(typ)) {
				return "", fmt.Errorf("type %q (want %s)", typ, strings.Join(load.PortableTypes, ", "))
			}
			return mc.SafeCast(x, strings.ToLower(typ))
		},
		"hash": func(exprs ...string) (string, error) {
			if len(exprs) == 0 {
				return "", fmt.Errorf("hash needs at least one expression")
			}
			return mc.Hash(exprs...), nil
		},
		"now": func() string { return mc.Now() },
		"field": func(x, name string) (string, error) {
			if !identRE.MatchString(name) {
				return "", fmt.Errorf("field %q is not a plain name", name)
			}
			if f, ok := mc.(fieldMacros); ok {
				return f.Field(x, name), nil
			}
			return x + "." + name, nil
		},
		"cast": func(x, typ string) (string, error) {
			typ = strings.ToLower(typ)
			if !isPortableType(typ) {
				return "", fmt.Errorf("type %q (want %s)", typ, strings.Join(load.PortableTypes, ", "))
			}
			if c, ok := mc.(castMacros); ok {
				return c.Cast(x, typ)
			}
			return castFromSafeCast(mc, x, typ)
		},
		"median": func(x string) string {
			if m, ok := mc.(medianMacros); ok {
				return m.Median(x)
			}
			return "median(" + x + ")"
		},
	}
}

// fieldMacros is implemented by the dialects whose landed structs (Zoho
// lookups such as Owner {"name","id"}) are not read as x.name: the
// template function field renders the text of a struct's field, x.name
// elsewhere (DuckDB and BigQuery structs).
type fieldMacros interface {
	Field(x, name string) string
}

// castMacros is implemented by the dialects that render the template
// function cast (a cast to a portable type: bigint, double, varchar,
// date, timestamp, boolean) themselves.
type castMacros interface {
	Cast(x, typ string) (string, error)
}

// castFromSafeCast renders CAST(x AS T) for a dialect without Cast, T
// being the type name its SafeCast renders for typ (the text after the
// last " AS " of SafeCast's rendering).
func castFromSafeCast(mc load.Macros, x, typ string) (string, error) {
	sc, err := mc.SafeCast("x", typ)
	if err != nil {
		return "", err
	}
	i := strings.LastIndex(sc, " AS ")
	if i < 0 || !strings.HasSuffix(sc, ")") {
		return "", fmt.Errorf("cast: the dialect renders no type for %q", typ)
	}
	return "CAST(" + x + " AS " + sc[i+4:len(sc)-1] + ")", nil
}

// medianMacros is implemented by the dialects without a median()
// aggregate: the template function median renders median(x) elsewhere
// (DuckDB, Snowflake).
type medianMacros interface {
	Median(x string) string
}

func table(relation string) load.Table {
	s, n, _ := strings.Cut(relation, ".")
	return load.Table{Schema: s, Name: n}
}

// render executes t in env and returns the SQL: trimmed, without a
// trailing semicolon.
func render(file string, t *template.Template, env *renderEnv) (string, error) {
	c, err := t.Clone()
	if err != nil {
		return "", fmt.Errorf("models: %s: %w", file, err)
	}
	env.refs, env.sources = map[string]string{}, map[string]bool{}
	var b strings.Builder
	if err := c.Funcs(env.funcs()).Execute(&b, nil); err != nil {
		return "", templateError(file, err)
	}
	sql := strings.TrimSpace(b.String())
	for strings.HasSuffix(sql, ";") {
		sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
	}
	if sql == "" {
		return "", &Error{File: file, Msg: "no SQL (a model holds one SELECT)"}
	}
	return sql, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
