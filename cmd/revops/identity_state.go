package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/identity"
	"github.com/revops/revops/load"
	revsync "github.com/revops/revops/sync"
)

// The identity models read two kinds of input that are not models:
//
//   - configuration, as seeds: identitySeeds hands the models engine the
//     shipped seeds with seeds/identity_syncs.csv written from the syncs of
//     revops.yaml and the identity section's survivorship rules as
//     identity_survivorship.csv and identity_source_priority.csv, so the
//     SQL reads them like any lookup table;
//   - revops's own state in _revops (the sync snapshots, the decisions
//     people made), which the models engine does not list as relations: on
//     every open, ensureIdentityState creates the decisions table and
//     publishes both as views in the identity schema (identity.state_*),
//     which the models read with source_exists/source, so a warehouse
//     without them (a models run outside revops) builds the identity models
//     with no decisions and no sync links.

// identityStateDDL creates revops's identity state and the views the
// identity models read it through.
var identityStateDDL = []string{
	`CREATE SCHEMA IF NOT EXISTS _revops`,
	// One row per decision a person made (revops identity decide), kept
	// forever; identity.decisions keeps the latest per pair.
	`CREATE TABLE IF NOT EXISTS _revops.identity_decisions (
		entity VARCHAR NOT NULL,
		record_id_l VARCHAR NOT NULL,
		record_id_r VARCHAR NOT NULL,
		decision VARCHAR NOT NULL,
		decided_at TIMESTAMP WITH TIME ZONE NOT NULL,
		decided_by VARCHAR,
		note VARCHAR,
		seq BIGINT NOT NULL)`,
	`CREATE SCHEMA IF NOT EXISTS identity`,
	`CREATE OR REPLACE VIEW identity.state_decisions AS
		SELECT entity, record_id_l, record_id_r, decision, decided_at, decided_by, note, seq
		FROM _revops.identity_decisions`,
	// destination_object: the object a row's record lives in when it is
	// not the sync's own (a Lead sync's row written to the Contact its
	// person is).
	`CREATE OR REPLACE VIEW identity.state_sync_snapshots AS
		SELECT sync, key, destination_id, destination_object, written_at FROM _revops.sync_snapshots`,
}

// ensureIdentityState creates the identity state tables and views (after
// the sync engine's, which the views read).
func ensureIdentityState(ctx context.Context, w load.StateStore) error {
	sw, ok := w.(revsync.Warehouse)
	if ok {
		if err := revsync.EnsureState(ctx, sw); err != nil {
			return err
		}
	}
	for _, q := range identityStateDDL {
		if err := w.Exec(ctx, q); err != nil {
			return fmt.Errorf("identity: create state: %w", err)
		}
	}
	return nil
}

// identitySeeds returns the seeds the models engine loads: the shipped
// ones (configs.Seeds) with seeds/identity_syncs.csv written from cfg's
// syncs (name, destination source and object; syncs whose spec is broken
// are left out: validate and sync report them), and the survivorship
// rules of the identity: section (defaults and overrides) as
// identity_survivorship.csv and identity_source_priority.csv. A bad
// identity: section is an error at its file, line and column (exit 2).
func identitySeeds(cfg *configs.Config) (fs.FS, error) {
	opts, err := identity.Decode(cfg.Identity.Decode)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	out := fstest.MapFS{}
	err = fs.WalkDir(configs.Seeds, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(configs.Seeds, p)
		if err != nil {
			return err
		}
		out[p] = &fstest.MapFile{Data: data, Mode: 0o444}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seeds: %w", err)
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write([]string{"sync", "destination_source", "destination_object"})
	for _, s := range cfg.Syncs {
		sp, err := revsync.Parse(s)
		if err != nil {
			continue
		}
		_ = cw.Write([]string{sp.Name, sp.Destination.Source, sp.Destination.Object})
	}
	cw.Flush()
	out["seeds/identity_syncs.csv"] = &fstest.MapFile{Data: b.Bytes(), Mode: 0o444}
	for name, data := range opts.Survivorship.Seeds() {
		out["seeds/"+name] = &fstest.MapFile{Data: data, Mode: 0o444}
	}
	return out, nil
}
