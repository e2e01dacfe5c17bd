package duckdb

import "testing"

func TestReconcile(t *testing.T) {
	cases := []struct {
		table, batch string
		want         evolution
		to           string
	}{
		{"INTEGER", "INTEGER", keep, "INTEGER"},
		{"BIGINT", "INTEGER", keep, "BIGINT"},
		{"INTEGER", "BIGINT", widen, "BIGINT"},
		{"BIGINT", "DOUBLE", widen, "DOUBLE"},
		{"DOUBLE", "VARCHAR", widen, "VARCHAR"},
		{"VARCHAR", "BIGINT", keep, "VARCHAR"},
		{"DECIMAL(18,2)", "DECIMAL(10,2)", keep, "DECIMAL(18,2)"},
		{"DECIMAL(10,2)", "DECIMAL(18,4)", widen, "DECIMAL(18,4)"},
		{"DECIMAL(18,2)", "INTEGER", keep, "DECIMAL(18,2)"},
		{"DECIMAL(18,2)", "BIGINT", widen, "DOUBLE"},
		{"DATE", "TIMESTAMP WITH TIME ZONE", widen, "TIMESTAMP WITH TIME ZONE"},
		{"TIMESTAMP WITH TIME ZONE", "DATE", keep, "TIMESTAMP WITH TIME ZONE"},
		{"BOOLEAN", "DATE", refuse, ""},
		{"BOOLEAN", "BIGINT", refuse, ""},
		{"DATE", "BIGINT", refuse, ""},
		{"VARCHAR[]", "VARCHAR", refuse, ""},
		{"VARCHAR", "VARCHAR[]", refuse, ""},
		{`STRUCT("name" VARCHAR, id VARCHAR)`, `STRUCT("name" VARCHAR, "id" VARCHAR)`, keep, ""},
		{`STRUCT("name" VARCHAR, id VARCHAR)`, `STRUCT("name" VARCHAR, "id" BIGINT)`, refuse, ""},
		{"JSON", `STRUCT("name" VARCHAR)`, keep, "JSON"},
	}
	for _, c := range cases {
		ev, to := reconcile(parseType(c.table), parseType(c.batch))
		if ev != c.want || (c.to != "" && to.sql != c.to) {
			t.Errorf("reconcile(%s, %s) = %v %s, want %v %s", c.table, c.batch, ev, to.sql, c.want, c.to)
		}
	}
}
