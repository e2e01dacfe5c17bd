package duckdb

import (
	"testing"

	"github.com/revops/revops/load"
)

func TestReconcile(t *testing.T) {
	cases := []struct {
		table, batch string
		want         load.Evolution
		to           string
	}{
		{"INTEGER", "INTEGER", load.Keep, "INTEGER"},
		{"BIGINT", "INTEGER", load.Keep, "BIGINT"},
		{"INTEGER", "BIGINT", load.Widen, "BIGINT"},
		{"BIGINT", "DOUBLE", load.Widen, "DOUBLE"},
		{"DOUBLE", "VARCHAR", load.Widen, "VARCHAR"},
		{"VARCHAR", "BIGINT", load.Keep, "VARCHAR"},
		{"DECIMAL(18,2)", "DECIMAL(10,2)", load.Keep, "DECIMAL(18,2)"},
		{"DECIMAL(10,2)", "DECIMAL(18,4)", load.Widen, "DECIMAL(18,4)"},
		{"DECIMAL(18,2)", "INTEGER", load.Keep, "DECIMAL(18,2)"},
		{"DECIMAL(18,2)", "BIGINT", load.Widen, "DOUBLE"},
		{"DATE", "TIMESTAMP WITH TIME ZONE", load.Widen, "TIMESTAMP WITH TIME ZONE"},
		{"TIMESTAMP WITH TIME ZONE", "DATE", load.Keep, "TIMESTAMP WITH TIME ZONE"},
		{"BOOLEAN", "DATE", load.Refuse, ""},
		{"BOOLEAN", "BIGINT", load.Refuse, ""},
		{"DATE", "BIGINT", load.Refuse, ""},
		{"VARCHAR[]", "VARCHAR", load.Refuse, ""},
		{"VARCHAR", "VARCHAR[]", load.Refuse, ""},
		{`STRUCT("name" VARCHAR, id VARCHAR)`, `STRUCT("name" VARCHAR, "id" VARCHAR)`, load.Keep, ""},
		{`STRUCT("name" VARCHAR, id VARCHAR)`, `STRUCT("name" VARCHAR, "id" BIGINT)`, load.Refuse, ""},
		{"JSON", `STRUCT("name" VARCHAR)`, load.Keep, "JSON"},
	}
	for _, c := range cases {
		ev, to := reconcile(parseType(c.table), parseType(c.batch))
		if ev != c.want || (c.to != "" && to.sql != c.to) {
			t.Errorf("reconcile(%s, %s) = %v %s, want %v %s", c.table, c.batch, ev, to.sql, c.want, c.to)
		}
	}
}
