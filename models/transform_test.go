//go:build duckdb_arrow

package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/models"
)

// upperTransform upper-cases the string column "name" and appends a
// column "n" with the row's position; vars["suffix"] is appended to names.
func upperTransform(_ context.Context, in array.RecordReader, vars map[string]string) (array.RecordReader, error) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	var recs []arrow.RecordBatch
	n := int64(0)
	for in.Next() {
		rec := in.RecordBatch()
		ids := rec.Column(0).(*array.Int64)
		names := rec.Column(1).(*array.String)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := 0; i < int(rec.NumRows()); i++ {
			b.Field(0).(*array.Int64Builder).Append(ids.Value(i))
			if names.IsNull(i) {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(strings.ToUpper(names.Value(i)) + vars["suffix"])
			}
			n++
			b.Field(2).(*array.Int64Builder).Append(n)
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	if err := in.Err(); err != nil {
		return nil, err
	}
	r, err := array.NewRecordReader(schema, recs)
	for _, rec := range recs {
		rec.Release()
	}
	return r, err
}

func transformProject(t *testing.T, files map[string]string, vars map[string]string) *models.Project {
	t.Helper()
	fs := fstest.MapFS{}
	for name, src := range files {
		fs[name] = &fstest.MapFile{Data: []byte(src)}
	}
	p, err := models.Load(fs, nil, nil, vars)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTransformModel(t *testing.T) {
	w := openWH(t)
	p := transformProject(t, map[string]string{
		"base/people.sql": "SELECT * FROM (VALUES (1, 'ann'), (2, NULL), (3, 'bob')) v(id, name)",
		"base/upper.sql": "-- config: materialized=transform; transform=upper\n" +
			"SELECT id::BIGINT AS id, name FROM {{ ref \"people\" }} ORDER BY id",
		"base/after.sql": "SELECT count(*) AS n, max(name) AS top FROM {{ ref \"upper\" }}",
	}, map[string]string{"suffix": "!"})
	if plan := p.Plan(); !strings.Contains(plan, "base.upper [transform] sql/base/upper.sql <- base.people") ||
		!strings.Contains(plan, "base.after [table] sql/base/after.sql <- base.upper") {
		t.Errorf("plan:\n%s", plan)
	}
	m, err := p.Model("upper")
	if err != nil || m.Transform != "upper" || m.Kind != models.KindTransform {
		t.Fatalf("model = %+v, %v", m, err)
	}

	// Not registered: the model fails, naming the transform; what reads it is skipped.
	res := build(t, p, w, models.Options{})
	if r := modelResult(t, res, "base.upper"); r.Status != models.StatusFailed ||
		!strings.Contains(r.Error, `transform "upper" is not registered (none is registered)`) {
		t.Errorf("unregistered: %+v", r)
	}
	if r := modelResult(t, res, "base.after"); r.Status != models.StatusSkipped {
		t.Errorf("after an unregistered transform: %+v", r)
	}

	p.RegisterTransform("upper", upperTransform)
	res = build(t, p, w, models.Options{})
	if res.Failed() {
		t.Fatalf("build failed:\n%s\n%+v", statuses(res), res.Models)
	}
	if r := modelResult(t, res, "base.upper"); r.Rows != 3 || r.Kind != models.KindTransform {
		t.Errorf("result = %+v", r)
	}
	if got := rows(t, w, "SELECT id, name, n FROM base.upper ORDER BY id"); got != "1|ANN!|1 2|<nil>|2 3|BOB!|3" {
		t.Errorf("base.upper = %s", got)
	}
	if got := rows(t, w, "SELECT n, top FROM base.after"); got != "3|BOB!" {
		t.Errorf("base.after = %s", got)
	}

	// A transform that fails leaves the previous table whole, and no
	// scratch table behind.
	p.RegisterTransform("upper", func(ctx context.Context, in array.RecordReader, vars map[string]string) (array.RecordReader, error) {
		return nil, errors.New("boom")
	})
	res = build(t, p, w, models.Options{Select: []string{"upper"}})
	if r := modelResult(t, res, "base.upper"); r.Status != models.StatusFailed || !strings.Contains(r.Error, "transform upper: boom") {
		t.Errorf("failing transform: %+v", r)
	}
	if got := rows(t, w, "SELECT count(*) FROM base.upper"); got != "3" {
		t.Errorf("after a failed transform base.upper holds %s rows", got)
	}
	if got := rows(t, w, "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%revops_transform%'"); got != "0" {
		t.Errorf("%s scratch tables left", got)
	}

	// A transform whose SELECT fails reports the warehouse's error.
	p2 := transformProject(t, map[string]string{
		"base/bad.sql": "-- config: materialized=transform; transform=upper\nSELECT no_such_column FROM (SELECT 1 AS x) v",
	}, nil)
	p2.RegisterTransform("upper", upperTransform)
	res = build(t, p2, w, models.Options{})
	if r := modelResult(t, res, "base.bad"); r.Status != models.StatusFailed || !strings.Contains(r.Error, "run the select") {
		t.Errorf("bad select: %+v", r)
	}
}

func TestTransformHeaderErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"-- config: materialized=transform\nSELECT 1", "sql/f/m.sql:1: config: materialized=transform needs a transform"},
		{"-- config: transform=x\nSELECT 1", "sql/f/m.sql:1: config: transform=x is for materialized=transform models"},
		{"-- config: materialized=transform; transform=a-b\nSELECT 1", `f/m.sql:1: config: transform="a-b" is not a transform name`},
		{"-- config: materialized=fancy\nSELECT 1", "want view, table, incremental or transform"},
	} {
		p := transformProject(t, map[string]string{"f/m.sql": tc.src}, nil)
		m, err := p.Model("f.m")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Error, tc.want) {
			t.Errorf("%q: error %q, want %q", tc.src, m.Error, tc.want)
		}
	}
}
