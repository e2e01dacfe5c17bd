package models

import (
	"fmt"
	"path"
	"strings"
)

// selectModels returns the relations the selectors pick, nil for all.
// Selectors (several in one string are separated by spaces; all are
// joined by union): name or relation, name+ (and everything downstream),
// +name (and everything upstream), +name+, tag:x, path:dir-or-file.
func (p *Project) selectModels(selectors []string) (map[string]bool, error) {
	var terms []string
	for _, s := range selectors {
		terms = append(terms, strings.Fields(s)...)
	}
	if len(terms) == 0 {
		return nil, nil
	}
	children := map[string][]string{}
	for _, m := range p.models {
		for _, d := range m.Deps {
			children[d] = append(children[d], m.Relation)
		}
	}
	out := map[string]bool{}
	var walk func(rel string, next func(string) []string)
	walk = func(rel string, next func(string) []string) {
		for _, n := range next(rel) {
			if !out[n] {
				out[n] = true
				walk(n, next)
			}
		}
	}
	up := func(rel string) []string { return p.byRel[rel].Deps }
	down := func(rel string) []string { return children[rel] }
	for _, term := range terms {
		up1 := strings.HasPrefix(term, "+")
		down1 := strings.HasSuffix(term, "+")
		base := strings.TrimSuffix(strings.TrimPrefix(term, "+"), "+")
		var picked []*Model
		switch {
		case strings.HasPrefix(base, "tag:"):
			tag := strings.TrimPrefix(base, "tag:")
			for _, m := range p.models {
				if contains(m.Tags, tag) {
					picked = append(picked, m)
				}
			}
			if len(picked) == 0 && !p.customTagged(tag) {
				return nil, fmt.Errorf("--select %s: no model has tag %q", term, tag)
			}
		case strings.HasPrefix(base, "path:"):
			want := path.Clean(strings.TrimPrefix(base, "path:"))
			for _, m := range p.models {
				if pathMatches(m.Path, m.rel, want) {
					picked = append(picked, m)
				}
			}
			if len(picked) == 0 {
				return nil, fmt.Errorf("--select %s: no model under %s", term, want)
			}
		default:
			if c := p.customTest(base); c != nil {
				continue // tests are selected by name in selectTests
			}
			m, err := p.resolve(base)
			if err != nil {
				return nil, fmt.Errorf("--select %s: %w", term, err)
			}
			picked = append(picked, m)
		}
		for _, m := range picked {
			out[m.Relation] = true
			if up1 {
				walk(m.Relation, up)
			}
			if down1 {
				walk(m.Relation, down)
			}
		}
	}
	return out, nil
}

func pathMatches(display, rel, want string) bool {
	for _, p := range []string{display, rel} {
		if p == want || strings.HasPrefix(p, want+"/") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *Project) customTest(name string) *customTest {
	for _, c := range p.custom {
		if c.name == name || c.name == "tests."+name {
			return c
		}
	}
	return nil
}

func (p *Project) customTagged(tag string) bool {
	for _, c := range p.custom {
		if contains(c.tags, tag) {
			return true
		}
	}
	return false
}

// selectedCustom reports whether a custom test runs under the selectors:
// always without selectors; otherwise when named, tagged, under a
// selected path, or when it refs a selected model.
func (p *Project) selectedCustom(c *customTest, selectors []string, sel map[string]bool) bool {
	if sel == nil && len(selectors) == 0 {
		return true
	}
	for _, s := range selectors {
		for _, term := range strings.Fields(s) {
			base := strings.TrimSuffix(strings.TrimPrefix(term, "+"), "+")
			switch {
			case base == c.name || "tests."+base == c.name:
				return true
			case strings.HasPrefix(base, "tag:") && contains(c.tags, strings.TrimPrefix(base, "tag:")):
				return true
			case strings.HasPrefix(base, "path:") && pathMatches(c.path, "", path.Clean(strings.TrimPrefix(base, "path:"))):
				return true
			}
		}
	}
	for _, d := range c.deps {
		if sel[d] {
			return true
		}
	}
	return false
}
