package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// runMetrics are the Prometheus metrics a scheduled revops run serves
// on --metrics-addr (/metrics). Names are part of the CLI's contract
// (README).
type runMetrics struct {
	reg            *prometheus.Registry
	runs           *prometheus.CounterVec
	runSeconds     prometheus.Histogram
	lastSuccess    prometheus.Gauge
	lastFinished   prometheus.Gauge
	lastSeconds    prometheus.Gauge
	inProgress     prometheus.Gauge
	skippedTicks   prometheus.Counter
	stageRuns      *prometheus.CounterVec
	stageSeconds   *prometheus.HistogramVec
	rows           *prometheus.CounterVec
	failedRows     *prometheus.CounterVec
	apiCalls       *prometheus.CounterVec
	dailyLimit     *prometheus.GaugeVec
	dailyUsed      *prometheus.GaugeVec
	targetRuns     *prometheus.CounterVec
	targetRows     *prometheus.CounterVec
	targetFailed   *prometheus.CounterVec
	targetCalls    *prometheus.CounterVec
	targetSeconds  *prometheus.GaugeVec
	alertsFailures prometheus.Counter
}

func newRunMetrics() *runMetrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	buckets := []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600}
	m := &runMetrics{
		reg: reg,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_runs_total",
			Help: "Runs of revops run finished, by status (succeeded, failed, stopped)."}, []string{"status"}),
		runSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "revops_run_duration_seconds",
			Help: "Wall time of whole runs.", Buckets: buckets}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "revops_last_run_success",
			Help: "1 when the last finished run succeeded, else 0."}),
		lastFinished: prometheus.NewGauge(prometheus.GaugeOpts{Name: "revops_last_run_timestamp_seconds",
			Help: "When the last run finished (Unix time)."}),
		lastSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Name: "revops_last_run_duration_seconds",
			Help: "Wall time of the last finished run."}),
		inProgress: prometheus.NewGauge(prometheus.GaugeOpts{Name: "revops_run_in_progress",
			Help: "1 while a run is in flight."}),
		skippedTicks: prometheus.NewCounter(prometheus.CounterOpts{Name: "revops_skipped_ticks_total",
			Help: "Schedule ticks skipped because a run was still in flight."}),
		stageRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_stage_runs_total",
			Help: "Stages run, by stage and status."}, []string{"stage", "status"}),
		stageSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "revops_stage_duration_seconds",
			Help: "Wall time of each stage.", Buckets: buckets}, []string{"stage"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_rows_total",
			Help: "Rows per stage: extracted (extract), built (build), golden records (identity), written (sync), records updated (links)."},
			[]string{"stage"}),
		failedRows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_failed_rows_total",
			Help: "Rows that failed to be written (sync) or compared and written (links)."}, []string{"stage"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_api_calls_total",
			Help: "API requests sent, by source (retries, logins and discovery included)."}, []string{"source"}),
		dailyLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "revops_api_daily_limit",
			Help: "The org's daily API allowance where the API reports it (Salesforce DailyApiRequests)."}, []string{"source"}),
		dailyUsed: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "revops_api_daily_used",
			Help: "The org's API requests over the last 24 hours where the API reports them."}, []string{"source"}),
		targetRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_target_runs_total",
			Help: "Runs of each sync and link, by status (succeeded, failed, skipped, paused)."}, []string{"stage", "name", "status"}),
		targetRows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_target_rows_total",
			Help: "Rows written by each sync, records updated by each link."}, []string{"stage", "name"}),
		targetFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_target_failed_rows_total",
			Help: "Rows that failed in each sync and link."}, []string{"stage", "name"}),
		targetCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "revops_target_api_calls_total",
			Help: "API requests of each sync and link."}, []string{"stage", "name"}),
		targetSeconds: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "revops_target_last_duration_seconds",
			Help: "Wall time of each sync's and link's last run."}, []string{"stage", "name"}),
		alertsFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "revops_alert_failures_total",
			Help: "Alerts the webhook did not take."}),
	}
	for _, c := range []prometheus.Collector{m.runs, m.runSeconds, m.lastSuccess, m.lastFinished, m.lastSeconds, m.inProgress,
		m.skippedTicks, m.stageRuns, m.stageSeconds, m.rows, m.failedRows, m.apiCalls, m.dailyLimit, m.dailyUsed,
		m.targetRuns, m.targetRows, m.targetFailed, m.targetCalls, m.targetSeconds, m.alertsFailures} {
		f(c)
	}
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records a finished run.
func (m *runMetrics) observe(s *runSummary) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(s.Status).Inc()
	m.runSeconds.Observe(s.Seconds)
	m.lastSeconds.Set(s.Seconds)
	if s.FinishedAt != nil {
		m.lastFinished.Set(float64(s.FinishedAt.Unix()))
	}
	if s.Status == "succeeded" {
		m.lastSuccess.Set(1)
	} else {
		m.lastSuccess.Set(0)
	}
	for _, st := range s.Stages {
		m.stageRuns.WithLabelValues(st.Stage, st.Status).Inc()
		if st.Status == stageNotRun || st.Status == stageNone {
			continue
		}
		m.stageSeconds.WithLabelValues(st.Stage).Observe(st.Seconds)
		m.rows.WithLabelValues(st.Stage).Add(float64(st.Rows))
		m.failedRows.WithLabelValues(st.Stage).Add(float64(st.FailedRows))
		if st.Stage != stageSync && st.Stage != stageLinks {
			continue
		}
		for _, t := range st.Targets {
			m.targetRuns.WithLabelValues(st.Stage, t.Name, t.Status).Inc()
			m.targetRows.WithLabelValues(st.Stage, t.Name).Add(float64(t.Rows))
			m.targetFailed.WithLabelValues(st.Stage, t.Name).Add(float64(t.FailedRows))
			m.targetCalls.WithLabelValues(st.Stage, t.Name).Add(float64(t.APICalls))
			if t.Status != targetPaused && t.Status != stageSkipped {
				m.targetSeconds.WithLabelValues(st.Stage, t.Name).Set(t.Seconds)
			}
		}
	}
	for _, c := range s.APICalls {
		m.apiCalls.WithLabelValues(c.Source).Add(float64(c.Calls))
		if c.DailyLimit != nil {
			m.dailyLimit.WithLabelValues(c.Source).Set(float64(*c.DailyLimit))
		}
		if c.DailyUsed != nil {
			m.dailyUsed.WithLabelValues(c.Source).Set(float64(*c.DailyUsed))
		}
	}
	for _, a := range s.Alerts {
		if !a.OK {
			m.alertsFailures.Inc()
		}
	}
}

// serveMetrics listens on addr and serves /metrics until the returned
// func is called; it returns the address it listens on (addr may end in
// :0).
func (m *runMetrics) serve(addr string) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener closed under us: nothing to serve
		}
	}()
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
