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
	mc := wh.Macros()
	drop := func(ctx context.Context) error {
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
	return wh.Materialize(ctx, load.Model{Schema: t.Schema, Name: t.Name, Kind: load.ModelTable,
		SQL: "SELECT * FROM " + mc.Relation(scratch)})
}
