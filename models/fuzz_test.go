package models

import (
	"strings"
	"testing"
)

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{
		"-- config: materialized=table; tags=a,b\nSELECT 1",
		"-- config: materialized=incremental; unique_key=id,day\n-- test: unique id\nSELECT 1",
		"-- test: accepted_values s: a,b\n-- test: relationships a -> core.b.c\n",
		"--config:=;;==\n--test:\n",
		"\n\n-- plain\n-- config: x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		h, err := parseHeader("f.sql", src)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.File != "f.sql" || e.Line < 1 {
				t.Fatalf("error without a position: %#v", err)
			}
			return
		}
		if h.lines > strings.Count(src, "\n")+1 {
			t.Fatalf("header spans %d lines of a %d-line file", h.lines, strings.Count(src, "\n")+1)
		}
		for _, d := range h.tests {
			if len(d.columns) == 0 {
				t.Fatalf("test %s without columns", d.kind)
			}
		}
	})
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{
		`SELECT * FROM {{ ref "a" }}`,
		`{{ if source_exists "x" "y" }}{{ source "x" "y" }}{{ end }}`,
		`{{ datediff "day" "a" "b" }} {{ hash "a" }} {{ var "v" "d" }}`,
		"-- config: tags=a\n{{ end }}",
		`{{ ref }}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p := &Project{byRel: map[string]*Model{}, byName: map[string][]*Model{}}
		a := &Model{Name: "a", Relation: "core.a", Path: "sql/core/a.sql", schema: "core", src: src}
		b := &Model{Name: "b", Relation: "core.b", Path: "sql/core/b.sql", schema: "core", src: "SELECT 1"}
		if err := b.parse(); err != nil {
			t.Fatal(err)
		}
		p.byRel["core.b"], p.byName["b"] = b, []*Model{b}
		if err := a.parse(); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("parse error is not a *Error: %v", err)
			}
			return
		}
		p.byRel["core.a"], p.byName["a"] = a, []*Model{a}
		if _, err := render(a.Path, a.tmpl, &renderEnv{p: p, self: a, macros: planMacros{}}); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("render error is not a *Error: %v", err)
			}
		}
	})
}
