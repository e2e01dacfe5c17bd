package models

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/revops/revops/load"
)

// dataTest is a test declared in a model's header.
type dataTest struct {
	name   string
	model  *Model
	decl   testDecl
	target *Model // relationships
	err    *Error // the test cannot run (a relationships target that is no model)
}

// customTest is a tests/*.sql file: a SELECT whose rows are failures.
type customTest struct {
	name     string // tests.<file>
	path     string
	root     int
	tags     []string
	severity string
	tmpl     *template.Template
	deps     []string
	err      *Error // the test cannot run: its header, template or refs are wrong
}

func (c *customTest) broken(err error) {
	if c.err == nil {
		c.err = asError(c.path, err)
	}
}

// parseCustomTest reads a tests/ file; a problem is kept in its err.
func parseCustomTest(file, name, src string) *customTest {
	c := &customTest{name: "tests." + name, path: file, severity: SeverityError}
	h, err := parseHeader(file, src)
	if err != nil {
		c.broken(err)
		return c
	}
	c.tags = h.tags
	if h.severity != "" {
		c.severity = h.severity
	}
	if h.kind != "" || len(h.uniqueKey) > 0 {
		c.broken(errAt(file, h.kindLine, "config: a test takes only tags and severity (materialized and unique_key are for models)"))
		return c
	}
	if len(h.tests) > 0 {
		c.broken(errAt(file, h.tests[0].line, "test: a custom test cannot declare tests"))
		return c
	}
	if c.tmpl, err = parseTemplate(file, src, h.lines); err != nil {
		c.broken(err)
	}
	return c
}

// declareTests resolves the tests of m's header; a test that cannot be
// resolved keeps its error and is reported when tests run.
func (p *Project) declareTests(m *Model) {
	for _, d := range m.header.tests {
		t := &dataTest{model: m, decl: d}
		cols := strings.Join(d.columns, ",")
		switch d.kind {
		case TestRelationships:
			target, err := p.resolve(d.target)
			if err != nil {
				t.err = errAt(m.Path, d.line, "test: relationships: %v", err)
				t.name = fmt.Sprintf("relationships(%s.%s -> %s.%s)", m.Relation, cols, d.target, d.tcol)
				break
			}
			t.target = target
			t.name = fmt.Sprintf("relationships(%s.%s -> %s.%s)", m.Relation, cols, target.Relation, d.tcol)
		case TestAcceptedValues:
			t.name = fmt.Sprintf("accepted_values(%s.%s: %s)", m.Relation, cols, strings.Join(d.values, ","))
		default:
			t.name = fmt.Sprintf("%s(%s.%s)", d.kind, m.Relation, cols)
		}
		m.tests = append(m.tests, t)
		m.Tests = append(m.Tests, t.name)
	}
}

// sql renders the query whose rows are the test's failures.
func (t *dataTest) sql(mc load.Macros) string {
	rel := mc.Relation(table(t.model.Relation))
	cols := make([]string, len(t.decl.columns))
	for i, c := range t.decl.columns {
		cols[i] = mc.Ident(c)
	}
	switch t.decl.kind {
	case TestUnique:
		list := strings.Join(cols, ", ")
		return fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY %s HAVING count(*) > 1", list, rel, list)
	case TestNotNull:
		conds := make([]string, len(cols))
		for i, c := range cols {
			conds[i] = c + " IS NULL"
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s", rel, strings.Join(conds, " OR "))
	case TestAcceptedValues:
		vals := make([]string, len(t.decl.values))
		for i, v := range t.decl.values {
			vals[i] = mc.Literal(v)
		}
		asText, _ := mc.SafeCast(cols[0], "varchar")
		return fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL AND %s NOT IN (%s)", cols[0], rel, cols[0], asText, strings.Join(vals, ", "))
	case TestRelationships:
		parent := mc.Relation(table(t.target.Relation))
		pc := mc.Ident(t.decl.tcol)
		return fmt.Sprintf("SELECT c.%s FROM %s AS c LEFT JOIN %s AS p ON c.%s = p.%s WHERE c.%s IS NOT NULL AND p.%s IS NULL",
			cols[0], rel, parent, cols[0], pc, cols[0], pc)
	}
	return ""
}
