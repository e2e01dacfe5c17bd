package models

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/revops/revops/load"
)

// plan renders every model with recording functions to find its
// dependencies, then orders the DAG. A model that does not render (an
// unknown ref, an unset var, ...) or sits in a dependency cycle is marked
// broken; the others are planned as usual.
func (p *Project) plan() {
	for _, rel := range sortedKeys(p.byRel) {
		m := p.byRel[rel]
		m.refs = map[string]string{}
		if m.header != nil {
			p.declareTests(m)
		}
		if m.Kind == KindSeed || m.tmpl == nil {
			continue
		}
		deps, sources := map[string]string{}, map[string]bool{}
		modes := []bool{false}
		if m.Kind == load.ModelIncremental {
			modes = append(modes, true)
		}
		for _, inc := range modes {
			env := &renderEnv{p: p, self: m, macros: planMacros{}, incremental: inc}
			_, err := render(m.Path, m.tmpl, env)
			// What a failed render reffed before failing still counts:
			// `revops models` shows it and +model selects it.
			for k, v := range env.refs {
				deps[k] = v
			}
			for k := range env.sources {
				sources[k] = true
			}
			if err != nil {
				m.broken(err)
				break
			}
		}
		m.refs = deps
		m.Deps = sortedKeys(deps)
		m.Sources = sortedKeys(sources)
	}
	for _, c := range p.custom {
		if c.tmpl == nil {
			continue
		}
		env := &renderEnv{p: p, macros: planMacros{}}
		_, err := render(c.path, c.tmpl, env)
		c.deps = sortedKeys(env.refs)
		if err != nil {
			c.broken(err)
		}
	}
	p.order()
}

// order sorts the models topologically (ties by relation). The models of
// a dependency cycle are marked broken, with the cycle named in each
// one's error, and ordered without their edges.
func (p *Project) order() {
	for {
		indeg := map[string]int{}
		children := map[string][]string{}
		for rel, m := range p.byRel {
			indeg[rel] += 0
			for _, d := range m.edges() {
				indeg[rel]++
				children[d] = append(children[d], rel)
			}
		}
		var ready []string
		for rel, n := range indeg {
			if n == 0 {
				ready = append(ready, rel)
			}
		}
		sort.Strings(ready)
		p.models = p.models[:0]
		for len(ready) > 0 {
			rel := ready[0]
			ready = ready[1:]
			m := p.byRel[rel]
			m.order = len(p.models)
			p.models = append(p.models, m)
			for _, c := range children[rel] {
				if indeg[c]--; indeg[c] == 0 {
					i := sort.SearchStrings(ready, c)
					ready = append(ready[:i], append([]string{c}, ready[i:]...)...)
				}
			}
		}
		if len(p.models) == len(p.byRel) {
			return
		}
		p.breakCycle(indeg)
	}
}

// breakCycle finds one cycle among the models not yet ordered (indeg > 0)
// and marks its models broken, naming every edge's file and line.
func (p *Project) breakCycle(indeg map[string]int) {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var cycle []string
	var visit func(rel string) bool
	visit = func(rel string) bool {
		color[rel] = grey
		stack = append(stack, rel)
		for _, d := range p.byRel[rel].edges() {
			switch color[d] {
			case grey:
				for i, s := range stack {
					if s == d {
						cycle = append([]string{}, stack[i:]...)
					}
				}
				return true
			case white:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[rel] = black
		return false
	}
	for _, rel := range sortedKeys(indeg) {
		if indeg[rel] > 0 && color[rel] == white && visit(rel) {
			break
		}
	}
	if len(cycle) == 0 { // cannot happen: what is left unordered has a cycle
		for rel, n := range indeg {
			if m := p.byRel[rel]; n > 0 {
				m.inCycle = true
				m.broken(&Error{File: m.Path, Msg: "dependency cycle"})
			}
		}
		return
	}
	var parts []string
	lines := make([]int, len(cycle))
	for i, rel := range cycle {
		m := p.byRel[rel]
		next := cycle[(i+1)%len(cycle)]
		lines[i] = refLine(m.src, m.refs[next])
		parts = append(parts, fmt.Sprintf("%s (%s:%d) refs %s", rel, m.Path, lines[i], next))
	}
	msg := "dependency cycle: " + strings.Join(parts, "; ")
	for i, rel := range cycle {
		m := p.byRel[rel]
		m.inCycle = true
		m.broken(&Error{File: m.Path, Line: lines[i], Msg: msg})
	}
}

// refLine returns the line of the first {{ ref "name" }} in src.
func refLine(src, name string) int {
	re := regexp.MustCompile(`ref\s+"` + regexp.QuoteMeta(name) + `"`)
	loc := re.FindStringIndex(src)
	if loc == nil {
		return 0
	}
	return strings.Count(src[:loc[0]], "\n") + 1
}

// Plan renders the DAG as text, one node per line in build order: the
// relation, its kind, and what it depends on; then its error if it is
// broken, and its data tests ("(warn)" for severity warn).
func (p *Project) Plan() string {
	var b strings.Builder
	for i, m := range p.models {
		fmt.Fprintf(&b, "%d. %s [%s] %s", i+1, m.Relation, m.Kind, m.Path)
		if len(m.Deps) > 0 {
			fmt.Fprintf(&b, " <- %s", strings.Join(m.Deps, ", "))
		}
		if len(m.Sources) > 0 {
			fmt.Fprintf(&b, " (sources %s)", strings.Join(m.Sources, ", "))
		}
		if len(m.Tags) > 0 {
			fmt.Fprintf(&b, " tags=%s", strings.Join(m.Tags, ","))
		}
		b.WriteString("\n")
		if m.err != nil {
			fmt.Fprintf(&b, "   error: %s\n", m.err)
		}
		for _, t := range m.tests {
			fmt.Fprintf(&b, "   test %s%s\n", t.name, sevNote(t.decl.severity, t.err))
		}
	}
	for _, c := range p.custom {
		fmt.Fprintf(&b, "test %s %s <- %s%s\n", c.name, c.path, strings.Join(c.deps, ", "), sevNote(c.severity, c.err))
	}
	for _, e := range p.loose {
		fmt.Fprintf(&b, "error: %s\n", e)
	}
	return b.String()
}

func sevNote(severity string, err *Error) string {
	note := ""
	if severity == SeverityWarn {
		note = " (warn)"
	}
	if err != nil {
		note += " error: " + err.Error()
	}
	return note
}

// Graph renders the DAG as a Mermaid flowchart ("mermaid") or a
// Graphviz digraph ("dot").
func (p *Project) Graph(format string) (string, error) {
	var b strings.Builder
	id := func(rel string) string { return strings.ReplaceAll(rel, ".", "__") }
	switch format {
	case "mermaid":
		b.WriteString("flowchart LR\n")
		for _, m := range p.models {
			fmt.Fprintf(&b, "  %s[\"%s (%s)\"]\n", id(m.Relation), m.Relation, m.Kind)
		}
		for _, m := range p.models {
			for _, d := range m.Deps {
				fmt.Fprintf(&b, "  %s --> %s\n", id(d), id(m.Relation))
			}
		}
	case "dot":
		b.WriteString("digraph revops {\n  rankdir=LR;\n  node [shape=box];\n")
		for _, m := range p.models {
			fmt.Fprintf(&b, "  %q [label=\"%s\\n%s\"];\n", m.Relation, m.Relation, m.Kind)
		}
		for _, m := range p.models {
			for _, d := range m.Deps {
				fmt.Fprintf(&b, "  %q -> %q;\n", d, m.Relation)
			}
		}
		b.WriteString("}\n")
	default:
		return "", fmt.Errorf("graph format %q (want mermaid or dot)", format)
	}
	return b.String(), nil
}

// planMacros renders the portable names themselves: planning only needs
// the refs a template makes, not a dialect.
type planMacros struct{}

func (planMacros) Ident(n string) string        { return `"` + n + `"` }
func (planMacros) Relation(t load.Table) string { return t.String() }
func (planMacros) Literal(s string) string      { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func (planMacros) DateDiff(u, a, b string) string {
	return fmt.Sprintf("datediff('%s', %s, %s)", u, a, b)
}
func (planMacros) DateTrunc(u, x string) string  { return fmt.Sprintf("date_trunc('%s', %s)", u, x) }
func (planMacros) Similarity(a, b string) string { return fmt.Sprintf("similarity(%s, %s)", a, b) }
func (planMacros) RegexpMatches(x, p string) string {
	return fmt.Sprintf("regexp_matches(%s, %s)", x, p)
}
func (planMacros) RegexpReplace(x, p, r string) string {
	return fmt.Sprintf("regexp_replace(%s, %s, %s)", x, p, r)
}
func (planMacros) SafeCast(x, t string) (string, error) {
	return fmt.Sprintf("safe_cast(%s, %s)", x, t), nil
}
func (planMacros) Cast(x, t string) (string, error) { return fmt.Sprintf("cast(%s, %s)", x, t), nil }
func (planMacros) Hash(e ...string) string          { return "hash(" + strings.Join(e, ", ") + ")" }
func (planMacros) Now() string                      { return "now()" }
