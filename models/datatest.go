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
}

// customTest is a tests/*.sql file: a SELECT whose rows are failures.
type customTest struct {
	name string // tests.<file>
	path string
	root int
	tags []string
	tmpl *template.Template
	deps []string
}

func parseCustomTest(file, name, src string) (*customTest, error) {
	h, err := parseHeader(file, src)
	if err != nil {
		return nil, err
	}
	if h.kind != "" || len(h.uniqueKey) > 0 {
		return nil, errAt(file, h.kindLine, "config: a test takes only tags (materialized and unique_key are for models)")
	}
	if len(h.tests) > 0 {
		return nil, errAt(file, h.tests[0].line, "test: a custom test cannot declare tests")
	}
	t, err := parseTemplate(file, src, h.lines)
	if err != nil {
		return nil, err
	}
	return &customTest{name: "tests." + name, path: file, tags: h.tags, tmpl: t}, nil
}

// declareTests resolves the tests of m's header.
func (p *Project) declareTests(m *Model) error {
	for _, d := range m.header.tests {
		t := &dataTest{model: m, decl: d}
		cols := strings.Join(d.columns, ",")
		switch d.kind {
		case TestRelationships:
			target, err := p.resolve(d.target)
			if err != nil {
				return errAt(m.Path, d.line, "test: relationships: %v", err)
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
	return nil
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
