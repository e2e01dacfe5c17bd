package main

import (
	"context"
	"time"

	"github.com/revops/revops/alert"
	"github.com/revops/revops/configs"
	"github.com/revops/revops/load"
)

// decodeAlerts reads the alerts section (nil when there is none). Its
// errors name the file, line and column; they never quote the URL.
func decodeAlerts(cfg *configs.Config) (*alert.Webhook, error) {
	if cfg.Alerts.IsZero() {
		return nil, nil
	}
	var c alert.Config
	if err := cfg.Alerts.Decode(&c); err != nil {
		return nil, err
	}
	return c.Webhook, nil
}

// baseline reads the durations of the newest successful runs before s,
// newest first, for the slow_run alert.
func (a *app) baseline(ctx context.Context, w load.StateStore, s *runSummary, n int) []time.Duration {
	rows, err := a.queryState(ctx, w, `SELECT epoch(finished_at) - epoch(started_at) FROM _revops.runs
		WHERE stage = 'run' AND status = ? AND id <> ? AND finished_at IS NOT NULL AND started_at < ?
		ORDER BY started_at DESC LIMIT ?`, load.RunSucceeded, s.RunID, s.StartedAt, n)
	if err != nil {
		a.log.Warn("could not read the durations of earlier runs", "error", err)
		return nil
	}
	var out []time.Duration
	for _, r := range rows {
		if f, ok := r[0].(float64); ok {
			out = append(out, time.Duration(f*float64(time.Second)))
		}
	}
	return out
}

// sendAlerts tells the webhook about the run when it fires an event. A
// webhook that fails is logged and recorded in the summary; it never
// fails the run. The URL is never logged.
func (a *app) sendAlerts(ctx context.Context, hook *alert.Webhook, s *runSummary, base []time.Duration) {
	if hook == nil {
		return
	}
	hook.SetDefaults()
	r := alert.Run{ID: s.RunID, Status: s.Status, StartedAt: s.StartedAt, Duration: time.Duration(s.Seconds * float64(time.Second)),
		Error: s.Error, FailedRows: s.FailedRows, Baseline: base}
	for _, st := range s.Stages {
		note := st.Error
		if note == "" && len(st.Targets) > 0 && st.Status != load.RunSucceeded {
			note = st.Targets[0].Name + ": " + st.Targets[0].Status
			if st.Targets[0].Error != "" {
				note += ": " + st.Targets[0].Error
			}
		}
		r.Stages = append(r.Stages, alert.Stage{Name: st.Stage, Status: st.Status, Rows: st.Rows, Failed: st.FailedRows, Note: note})
	}
	evs := hook.Events(r)
	if len(evs) == 0 {
		return
	}
	names := make([]string, len(evs))
	for i, e := range evs {
		names[i] = string(e)
	}
	out := alertOutcome{Events: names, OK: true}
	if err := hook.Send(ctx, nil, hook.Message(r, evs)); err != nil {
		out.OK, out.Error = false, err.Error()
		a.log.Error("alert not delivered (the run's outcome is unchanged)", "run", s.RunID, "events", names, "error", err)
	} else {
		a.log.Info("alert sent", "run", s.RunID, "events", names)
	}
	s.Alerts = append(s.Alerts, out)
}
