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
		"-- test: not_null status; severity=warn\n-- test: accepted_values s: a,b;severity=error\n",
		"-- test: unique id; severity=fatal\n-- test: unique id;\n-- test: unique id; severity=warn; severity=warn\n",
		"-- config: severity=warn; tags=t\n-- test: ;severity\n",
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
			if d.severity != SeverityError && d.severity != SeverityWarn {
				t.Fatalf("test %s with severity %q", d.kind, d.severity)
			}
		}
		if h.severity != "" && h.severity != SeverityError && h.severity != SeverityWarn {
			t.Fatalf("config severity %q", h.severity)
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
		if b.parse(); b.err != nil {
			t.Fatal(b.err)
		}
		p.byRel["core.b"], p.byName["b"] = b, []*Model{b}
		if a.parse(); a.err != nil {
			if a.err.File != a.Path || a.Error != a.err.Error() {
				t.Fatalf("parse error %#v not kept with its model (%q)", a.err, a.Error)
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

func FuzzParseSeed(f *testing.F) {
	for _, s := range []string{
		"raw_stage,stage\nProspecting,prospecting\n",
		"name,stage_order:bigint,is_won:boolean\nclosed_won,7,true\n",
		"a:double,b:date\n1.5,2024-01-02\n,\n",
		"\ufeffa\n\"quoted, comma\"\n",
		"a,b\n1\n",
		"a:unknown\n1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseSeed("s.csv", data)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.File != "s.csv" || e.Line < 1 {
				t.Fatalf("error without a file and line: %#v", err)
			}
			return
		}
		if len(s.cols) == 0 || len(s.cols) != len(s.types) {
			t.Fatalf("columns %v types %v", s.cols, s.types)
		}
		for i, row := range s.rows {
			if len(row) != len(s.cols) {
				t.Fatalf("row %d has %d values for %d columns", i, len(row), len(s.cols))
			}
		}
	})
}
