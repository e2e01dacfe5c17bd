package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/load"
)

// KindTransform is the materialization of a model whose SELECT's rows
// pass through a Go function before they land as the model's table:
//
//	-- config: materialized=transform; transform=identity_person_features
//
// The SELECT places the model in the DAG as usual (its refs and sources);
// the engine runs it, hands its Arrow result to the Transform registered
// under the name, lands what the function returns in a scratch table and
// swaps that in as the model's table (atomically, like materialized=table:
// a failed build leaves the previous table in place). It needs nothing
// of a warehouse but Query and Land, so it runs on every engine; it is
// for what SQL cannot do well (parsing, phonetic codes, model fitting).
const KindTransform load.ModelKind = "transform"

// Transform computes a transform model's rows from its SELECT's rows.
// in is released by the engine after the call returns and the returned
// reader has been read (a Transform may read in lazily, from the reader
// it returns); vars are the project's vars. The engine reads the
// returned reader once and releases it. A Transform may be called from
// several goroutines at once (for different models).
type Transform func(ctx context.Context, in array.RecordReader, vars map[string]string) (array.RecordReader, error)

// Lander is what a warehouse needs beyond Warehouse to build transform
// models: landing Arrow batches into a table (load.Warehouse.Land).
type Lander interface {
	Land(ctx context.Context, t load.Table, r array.RecordReader, opts load.LandOptions) (load.Stats, error)
}

// transformSuffix names the scratch table a transform's rows land in
// before the swap.
const transformSuffix = "__revops_transform"

// RegisterTransform makes fn the transform of the models that name it
// (`transform=name` in their header). Callers register their transforms
// after Load and before Build; a transform model whose function is not
// registered fails its build, naming it. Registering a name again
// replaces the function.
func (p *Project) RegisterTransform(name string, fn Transform) {
	if p.transforms == nil {
		p.transforms = map[string]Transform{}
	}
	p.transforms[name] = fn
}

func (p *Project) transformNames() string {
	names := sortedKeys(p.transforms)
	if len(names) == 0 {
		return "none is registered"
	}
	return "registered: " + strings.Join(names, ", ")
}

// buildTransform runs a transform model: its SELECT, the function, a
// landing into a scratch table, then a table materialization from it.
func (p *Project) buildTransform(ctx context.Context, wh Warehouse, j *job) (st load.ModelStats, err error) {
	start := time.Now()
	defer func() { st.Duration = time.Since(start) }()
	m := j.m
	fn, ok := p.transforms[m.Transform]
	if !ok {
		return st, fmt.Errorf("transform %q is not registered (%s)", m.Transform, p.transformNames())
	}
	lander, ok := wh.(Lander)
	if !ok {
		return st, fmt.Errorf("the warehouse cannot land rows, so it cannot build transform models")
	}
	t := table(m.Relation)
	scratch := load.Table{Schema: t.Schema, Name: t.Name + transformSuffix}
	if !j.exists {
		// Nothing to replace: a landing is atomic by itself, so the rows
		// land in the model's table directly (no copy).
		scratch = t
	}
	mc := wh.Macros()
	drop := func(ctx context.Context) error {
		if scratch == t {
			return nil // a failed landing left nothing
		}
		return wh.Exec(ctx, "DROP TABLE IF EXISTS "+mc.Relation(scratch))
	}
	if err := drop(ctx); err != nil {
		return st, fmt.Errorf("drop the scratch table %s: %w", scratch, err)
	}
	defer func() {
		if derr := drop(context.WithoutCancel(ctx)); derr != nil && err == nil {
			err = fmt.Errorf("drop the scratch table %s: %w", scratch, derr)
		}
	}()
	in, err := wh.Query(ctx, j.sql)
	if err != nil {
		return st, fmt.Errorf("run the select: %w", err)
	}
	defer in.Release()
	out, err := fn(ctx, in, p.vars)
	if err != nil {
		return st, fmt.Errorf("transform %s: %w", m.Transform, err)
	}
	defer out.Release()
	if _, err := lander.Land(ctx, scratch, out, load.LandOptions{Mode: load.Append}); err != nil {
		return st, fmt.Errorf("transform %s: land its rows: %w", m.Transform, err)
	}
	if err := in.Err(); err != nil {
		return st, fmt.Errorf("run the select: %w", err)
	}
	if scratch == t {
		rows, err := queryCount(ctx, wh, "SELECT count(*) FROM "+mc.Relation(t))
		st.Rows = rows
		return st, err
	}
	return wh.Materialize(ctx, load.Model{Schema: t.Schema, Name: t.Name, Kind: load.ModelTable,
		SQL: "SELECT * FROM " + mc.Relation(scratch)})
}

// queryCount runs a count(*) query.
func queryCount(ctx context.Context, wh Warehouse, q string) (int64, error) {
	r, err := wh.Query(ctx, q)
	if err != nil {
		return 0, err
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		return 0, fmt.Errorf("count: %d rows", len(rows))
	}
	switch n := rows[0][0].(type) {
	case int64:
		return n, nil
	}
	return 0, fmt.Errorf("count: %T", rows[0][0])
}
