package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/load"
	"github.com/revops/revops/sync/link"
)

// pauseRow is a paused sync or link (_revops.paused).
type pauseRow struct {
	Kind     string    `json:"kind"`
	Name     string    `json:"name"`
	PausedAt time.Time `json:"paused_at"`
	PausedBy string    `json:"paused_by,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

func (p pauseRow) String() string {
	s := fmt.Sprintf("%s %s is paused (since %s", p.Kind, p.Name, p.PausedAt.Local().Format(time.RFC3339))
	if p.PausedBy != "" {
		s += " by " + p.PausedBy
	}
	if p.Reason != "" {
		s += ": " + p.Reason
	}
	return s + "); revops resume " + p.Name + " runs it again"
}

func (a *app) pauseCmd() *cobra.Command {
	var reason, by string
	cmd := &cobra.Command{
		Use:   "pause NAME",
		Short: "Pause a sync or link: revops run, sync and link skip it (and say so) until revops resume NAME",
		Long: `pause keeps a sync or a two-way link (by its name in revops.yaml) from running:
revops run, revops sync and revops link skip it and report it as paused until
revops resume NAME. Nothing else changes: what it wrote, its failures and its
writes in flight stay, and its next run after resume goes on from there. The
state is kept in the warehouse (_revops.paused), so every scheduled process
sees it from its next run on.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.setPaused(cmd.Context(), args[0], true, reason, by)
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why it is paused (shown by run, sync, link and status)")
	cmd.Flags().StringVar(&by, "by", "", "who paused it (default $USER)")
	return cmd
}

func (a *app) resumeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "resume NAME",
		Short: "Resume a paused sync or link: the next revops run, sync or link runs it again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.setPaused(cmd.Context(), args[0], false, "", "")
		},
	}
}

// kindsNamed returns the kinds (sync, link) of the config's entries
// named name; none is a usage error listing the names there are.
func kindsNamed(cfg *configs.Config, name string) ([]string, error) {
	var kinds, all []string
	for _, s := range cfg.Syncs {
		all = append(all, s.Name)
		if s.Name == name {
			kinds = append(kinds, "sync")
		}
	}
	for _, l := range cfg.Links {
		all = append(all, l.Name)
		if l.Name == name {
			kinds = append(kinds, "link")
		}
	}
	if len(kinds) == 0 {
		have := "none are configured"
		if len(all) > 0 {
			have = "syncs and links: " + strings.Join(all, ", ")
		}
		return nil, fmt.Errorf("no sync or link named %q in %s (%s)", name, cfg.Path, have)
	}
	return kinds, nil
}

func (a *app) setPaused(ctx context.Context, name string, pause bool, reason, by string) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	kinds, err := kindsNamed(cfg, name)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	w, err := openWarehouse(ctx, cfg, a.log)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := ensureRunState(ctx, w); err != nil {
		return err
	}
	have, err := pausedSet(ctx, w)
	if err != nil {
		return err
	}
	if by == "" {
		by, _ = a.env("USER")
	}
	var done []map[string]any
	for _, kind := range kinds {
		was, isPaused := have[kind+":"+name]
		switch {
		case pause && isPaused:
			a.say("%s %s was already paused (since %s)", kind, name, was.PausedAt.Local().Format(time.RFC3339))
		case pause:
			err = w.Exec(ctx, `INSERT INTO _revops.paused (kind, name, paused_at, paused_by, reason) VALUES (?, ?, ?, ?, ?)`,
				kind, name, time.Now().UTC(), nullable(by), nullable(reason))
			a.say("%s %s paused: revops run, sync and link skip it until revops resume %s", kind, name, name)
		case isPaused:
			err = w.Exec(ctx, `DELETE FROM _revops.paused WHERE kind = ? AND name = ?`, kind, name)
			a.say("%s %s resumed (it was paused since %s): the next run runs it", kind, name, was.PausedAt.Local().Format(time.RFC3339))
		default:
			a.say("%s %s is not paused", kind, name)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", kind, name, err)
		}
		done = append(done, map[string]any{"kind": kind, "name": name, "paused": pause, "was_paused": isPaused})
	}
	if a.json {
		a.printJSON(map[string]any{"ok": true, "changed": done})
	}
	return nil
}

// pausedSet reads the paused syncs and links, keyed "kind:name".
func pausedSet(ctx context.Context, w load.StateStore) (map[string]pauseRow, error) {
	if err := ensureRunState(ctx, w); err != nil {
		return nil, err
	}
	r, err := w.Query(ctx, `SELECT kind, name, paused_at, coalesce(paused_by, ''), coalesce(reason, '') FROM _revops.paused ORDER BY paused_at`)
	if err != nil {
		return nil, fmt.Errorf("read paused syncs and links: %w", err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read paused syncs and links: %w", err)
	}
	out := map[string]pauseRow{}
	for _, row := range rows {
		p := pauseRow{Kind: str(row[0]), Name: str(row[1]), PausedBy: str(row[3]), Reason: str(row[4])}
		p.PausedAt, _ = row[2].(time.Time)
		out[p.Kind+":"+p.Name] = p
	}
	return out, nil
}

// dropPaused removes the paused entries of kind from specs, says so, and
// returns the paused ones.
func dropPaused[S any](ctx context.Context, a *app, w load.StateStore, kind string, specs []S, name func(S) string) ([]S, []pauseRow, error) {
	set, err := pausedSet(ctx, w)
	if err != nil {
		return nil, nil, err
	}
	var kept []S
	var paused []pauseRow
	for _, s := range specs {
		if p, ok := set[kind+":"+name(s)]; ok {
			paused = append(paused, p)
			a.say("%s", p)
			a.log.Info("skipped: paused", kind, p.Name, "paused_at", p.PausedAt)
			continue
		}
		kept = append(kept, s)
	}
	return kept, paused, nil
}

// linkName names a link spec (for dropPaused).
func linkName(s *link.Spec) string { return s.Name }
