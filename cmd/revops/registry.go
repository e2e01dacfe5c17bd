package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/identity"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/bigquery"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/snowflake"
	revsync "github.com/revops/revops/sync"
	syncsf "github.com/revops/revops/sync/salesforce"
	synczoho "github.com/revops/revops/sync/zoho"
	synczohodesk "github.com/revops/revops/sync/zohodesk"
)

// warehouses opens a warehouse of each type from its config section.
var warehouses = map[string]func(ctx context.Context, cfg *configs.Config) (load.Warehouse, error){
	"duckdb":    openDuckDB,
	"bigquery":  openBigQuery,
	"snowflake": openSnowflake,
}

// plannedWarehouses are types the config accepts whose engines are not built yet.
var plannedWarehouses = map[string]bool{}

func openSnowflake(ctx context.Context, cfg *configs.Config) (load.Warehouse, error) {
	var o configs.Snowflake
	if err := cfg.Warehouse.Options.Decode(&o); err != nil {
		return nil, err
	}
	return snowflake.Open(ctx, snowflake.Options{Account: o.Account, User: o.User, Password: o.Password, PrivateKeyPEM: o.PrivateKey,
		Role: o.Role, Warehouse: o.Warehouse, Database: o.Database, Host: o.Host, Port: o.Port, Protocol: o.Protocol})
}

func openBigQuery(ctx context.Context, cfg *configs.Config) (load.Warehouse, error) {
	var o configs.BigQuery
	if err := cfg.Warehouse.Options.Decode(&o); err != nil {
		return nil, err
	}
	return bigquery.Open(ctx, bigquery.Options{Project: o.Project, DatasetPrefix: o.DatasetPrefix,
		Location: o.Location, Credentials: o.Credentials, Endpoint: o.Endpoint,
		DisableStorageRead: o.StorageRead != nil && !*o.StorageRead, StorageEndpoint: o.StorageEndpoint})
}

func openDuckDB(ctx context.Context, cfg *configs.Config) (load.Warehouse, error) {
	var o duckdb.Options
	if err := cfg.Warehouse.Options.Decode(&o); err != nil {
		return nil, err
	}
	o.Path = cfg.Resolve(o.Path)
	w, err := duckdb.Open(ctx, o)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// sources validates each source type's options. The extractors that use
// them are wired here as they are built.
var sources = map[string]func() any{
	"salesforce": func() any { return &salesforce.Options{} },
	"zoho_crm":   func() any { return zoho.CRM() },
	"zoho_desk":  func() any { return zoho.Desk() },
}

// wiring is what cmd hands every connector besides its config section.
type wiring struct {
	log *slog.Logger
	// tokenCache is the directory access tokens are kept in between runs
	// ("" = none).
	tokenCache string
}

// wiring reads the process environment once for the connectors:
// $REVOPS_CACHE_DIR (or $XDG_CACHE_HOME/revops, or ~/.cache/revops) holds
// tokens/; REVOPS_CACHE_DIR=off keeps no cache.
func (a *app) wiring() wiring {
	w := wiring{log: a.log}
	dir, _ := a.env("REVOPS_CACHE_DIR")
	switch {
	case dir == "off":
		return w
	case dir != "":
	default:
		if x, _ := a.env("XDG_CACHE_HOME"); x != "" {
			dir = filepath.Join(x, "revops")
		} else if h, _ := a.env("HOME"); h != "" {
			dir = filepath.Join(h, ".cache", "revops")
		}
	}
	if dir != "" {
		w.tokenCache = filepath.Join(dir, "tokens")
	}
	return w
}

// extractors builds the extractor of each source type from its config section.
var extractors = map[string]func(ctx context.Context, s configs.Source, w wiring) (extract.Extractor, error){
	"salesforce": func(ctx context.Context, s configs.Source, w wiring) (extract.Extractor, error) {
		var o salesforce.Options
		if err := s.Options.Decode(&o); err != nil {
			return nil, err
		}
		return salesforce.New(ctx, s.Name, o, w.log)
	},
	"zoho_crm": func(ctx context.Context, s configs.Source, w wiring) (extract.Extractor, error) {
		o := zoho.CRM()
		if err := s.Options.Decode(o); err != nil {
			return nil, err
		}
		o.TokenCacheDir = w.tokenCache
		return zoho.New(ctx, s.Name, o, w.log)
	},
	"zoho_desk": func(ctx context.Context, s configs.Source, w wiring) (extract.Extractor, error) {
		o := zoho.Desk()
		if err := s.Options.Decode(o); err != nil {
			return nil, err
		}
		o.TokenCacheDir = w.tokenCache
		return zoho.New(ctx, s.Name, o, w.log)
	},
}

// destinations builds the sync destination of each source type revops can
// write to, from the source's options (credentials and limits are shared
// with extract).
var destinations = map[string]func(ctx context.Context, s configs.Source, w wiring) (revsync.Destination, error){
	"salesforce": func(ctx context.Context, s configs.Source, w wiring) (revsync.Destination, error) {
		var o salesforce.Options
		if err := s.Options.Decode(&o); err != nil {
			return nil, err
		}
		return syncsf.New(ctx, o.ClientConfig(), w.log)
	},
	"zoho_crm": func(ctx context.Context, s configs.Source, w wiring) (revsync.Destination, error) {
		o := zoho.CRM()
		if err := s.Options.Decode(o); err != nil {
			return nil, err
		}
		o.TokenCacheDir = w.tokenCache
		return synczoho.New(ctx, o.ClientConfig("zoho_crm", w.log), w.log, synczoho.WithBulkThreshold(o.BulkWriteThreshold))
	},
	"zoho_desk": func(ctx context.Context, s configs.Source, w wiring) (revsync.Destination, error) {
		o := zoho.Desk()
		if err := s.Options.Decode(o); err != nil {
			return nil, err
		}
		o.TokenCacheDir = w.tokenCache
		return synczohodesk.New(ctx, o.ClientConfig("zoho_desk", w.log), w.log)
	},
}

// destinationObjects lists, for destination types that write only some
// objects, the objects they write; a sync naming another, and a mirror
// that deletes into a destination that never deletes, are refused with
// the config.
var destinationObjects = map[string][]string{"zoho_desk": {"contacts", "accounts"}}

// neverDeletes are the destination types that do not delete records.
var neverDeletes = map[string]bool{"zoho_desk": true}

// parseSyncs is revsync.ParseEach with the writable types of this build,
// plus the checks of destinationObjects and neverDeletes.
func parseSyncs(cfg *configs.Config) []revsync.Parsed {
	out := revsync.ParseEach(cfg, writableTypes())
	for i, p := range out {
		if p.Err != nil || i >= len(cfg.Syncs) {
			continue
		}
		src, _ := cfg.Source(p.Spec.Destination.Source)
		node := cfg.Syncs[i].Spec
		switch objs := destinationObjects[src.Type]; {
		case objs != nil && !slices.ContainsFunc(objs, func(o string) bool { return strings.EqualFold(o, p.Spec.Destination.Object) }):
			out[i].Spec, out[i].Err = nil, node.Errorf("destination.object", "a %s destination writes %s, not %s",
				src.Type, strings.Join(objs, " and "), p.Spec.Destination.Object)
		case neverDeletes[src.Type] && p.Spec.Mirror != nil && p.Spec.Mirror.Action == "delete":
			out[i].Spec, out[i].Err = nil, node.Errorf("mirror.action", "a %s destination never deletes records "+
				"(deletions are not propagated to it): use action: archive", src.Type)
		}
	}
	return out
}

func keys[M ~map[string]V, V any](m M) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// checkConfig validates every section against the code that will use it,
// without opening anything.
func checkConfig(cfg *configs.Config) error {
	switch {
	case warehouses[cfg.Warehouse.Type] != nil:
		if cfg.Warehouse.Type == "duckdb" {
			var o duckdb.Options
			if err := cfg.Warehouse.Options.Decode(&o); err != nil {
				return err
			}
		}
		if cfg.Warehouse.Type == "bigquery" {
			if err := cfg.Warehouse.Options.Decode(&configs.BigQuery{}); err != nil {
				return err
			}
		}
		if cfg.Warehouse.Type == "snowflake" {
			if err := cfg.Warehouse.Options.Decode(&configs.Snowflake{}); err != nil {
				return err
			}
		}
	case plannedWarehouses[cfg.Warehouse.Type]:
		return cfg.Warehouse.Options.Errorf("", "warehouse type %q is not built into this revops yet (available: %s)",
			cfg.Warehouse.Type, keys(warehouses))
	default:
		return cfg.Warehouse.Options.Errorf("", "unknown warehouse type %q (want %s)", cfg.Warehouse.Type, keys(warehouses))
	}
	if _, err := identity.Decode(cfg.Identity.Decode); err != nil {
		return err
	}
	if _, err := decodeAlerts(cfg); err != nil {
		return err
	}
	for _, s := range cfg.Sources {
		opts, ok := sources[s.Type]
		if !ok {
			return s.Options.Errorf("", "source %s: unknown type %q (want %s)", s.Name, s.Type, keys(sources))
		}
		// A disabled source must still be well-formed, but may lack credentials.
		decode := s.Options.Decode
		if !s.Enabled {
			decode = s.Options.DecodeKeys
		}
		if err := decode(opts()); err != nil {
			return err
		}
	}
	return nil
}

// openConfigured loads the config named by --config (a bad one exits 2)
// and opens its warehouse; the caller closes it.
func (a *app) openConfigured(ctx context.Context) (*configs.Config, load.Warehouse, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	w, err := openWarehouse(ctx, cfg, a.log)
	if err != nil {
		return nil, nil, err
	}
	return cfg, w, nil
}

// openWarehouse validates cfg's warehouse section and opens it. Runs left
// `running` by a revops process that is gone (killed, crashed) are marked
// killed first, and logged on log when it is not nil.
func openWarehouse(ctx context.Context, cfg *configs.Config, log *slog.Logger) (load.Warehouse, error) {
	open, ok := warehouses[cfg.Warehouse.Type]
	if !ok {
		if err := checkConfig(cfg); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("warehouse type %q is not available", cfg.Warehouse.Type)
	}
	w, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := reapRuns(ctx, w, cfg.Warehouse.Type == "duckdb", log); err != nil {
		_ = w.Close()
		return nil, err
	}
	if err := ensureIdentityState(ctx, w); err != nil {
		_ = w.Close()
		return nil, err
	}
	return w, nil
}

// reapRuns marks the runs of processes that are gone as killed, in
// _revops.runs and _revops.sync_runs. exclusive: the warehouse is held by
// one process at a time (a DuckDB file), so every other process is gone.
func reapRuns(ctx context.Context, w load.Warehouse, exclusive bool, log *slog.Logger) error {
	reaped, err := load.ReapRuns(ctx, w, exclusive)
	if err != nil {
		return err
	}
	syncs, err := revsync.ReapRuns(ctx, w, exclusive)
	if err != nil {
		return err
	}
	if log != nil {
		for _, r := range reaped {
			log.Warn("an earlier run was killed before it finished; marked killed", "run", r.ID, "stage", r.Stage, "target", r.Target)
		}
		for _, r := range syncs {
			log.Warn("an earlier sync run was killed before it finished; marked killed", "run", r.ID, "sync", r.Sync, "error", r.Error)
		}
	}
	return nil
}

// writableTypes lists the source types revops can sync into.
func writableTypes() []string {
	var out []string
	for t := range destinations {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
