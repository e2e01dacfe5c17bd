package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/report"
	revsync "github.com/revops/revops/sync"
)

func (a *app) reportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write one self-contained HTML page of charts: leads, pipeline, win rate, tickets, golden records, pipeline health",
		Long: `report reads the warehouse's models (metrics.*, identity.*) and revops's own run
history (_revops.runs, sync_runs, link_runs, link_conflicts) and writes one HTML
file with charts: lead volume by source and system, pipeline by stage, deal
velocity, win rate, ticket volume and response times, golden records by number
of systems and the review queue, rows written and failed per sync and link run,
API calls per org and day, link conflicts, runs by stage and outcome, and the
latest failures. The file holds everything it needs (the chart library too):
it opens in a browser with no network, and can be mailed or archived.

A chart whose models are missing or empty says "no data yet: run revops run";
the others are drawn. The numbers behind every chart are in the page as JSON
(the element with id revops-report-data).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runReport(cmd.Context(), out)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "report.html", "file to write (- for stdout)")
	return cmd
}

func (a *app) runReport(ctx context.Context, out string) error {
	cfg, w, err := a.openConfigured(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	opts := report.Options{Warehouse: cfg.Warehouse.Type, SyncSources: map[string]string{}}
	if cfg.Warehouse.Type == "duckdb" {
		var o duckdb.Options
		if cfg.Warehouse.Options.Decode(&o) == nil && o.Path != "" {
			opts.Warehouse = "duckdb " + cfg.Resolve(o.Path)
		}
	}
	// Each sync's API calls count against the source it writes to. A sync
	// whose entry is wrong is left out here (validate names it).
	for _, ps := range revsync.ParseEach(cfg, writableTypes()) {
		if ps.Err == nil && ps.Spec != nil {
			opts.SyncSources[ps.Name] = ps.Spec.Destination.Source
		}
	}
	rep, err := report.Collect(ctx, w, opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, rep); err != nil {
		return err
	}
	var charts, empty []string
	for _, s := range rep.Sections {
		for _, c := range s.Charts {
			if c.Empty != "" {
				empty = append(empty, c.ID)
			} else {
				charts = append(charts, c.ID)
			}
		}
	}
	problems := rep.Problems()
	if out == "-" {
		if _, err := a.stdout.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("report: write to stdout: %w", err)
		}
		a.printed = true
	} else if err := writeFileAtomic(out, func(w io.Writer) error {
		// Readable by others, like any page one shares (CreateTemp makes 0600).
		if f, ok := w.(*os.File); ok {
			if err := f.Chmod(0o644); err != nil {
				return err
			}
		}
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("report: write %s: %w", out, err)
	}
	for _, p := range problems {
		a.log.Warn("report: a chart could not be read", "chart", p)
	}
	if a.json {
		a.printJSON(map[string]any{"ok": true, "out": out, "bytes": buf.Len(), "charts": charts,
			"charts_without_data": empty, "problems": problems})
		return nil
	}
	if out == "-" {
		return nil
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		abs = out
	}
	a.say("wrote %s (%s): %d charts drawn, %d without data yet", abs, byteSize(buf.Len()), len(charts), len(empty))
	if len(charts) == 0 {
		a.say("the warehouse has no data yet: run `revops run`, then `revops report` again")
	}
	if len(problems) > 0 {
		a.say("%d charts could not be read; the page names them", len(problems))
	}
	return nil
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
