//go:build duckdb_arrow

package sync_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	extractzoho "github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/zoho"
)

// zenv is an emulated Zoho CRM org, its destination and a DuckDB
// warehouse (the Zoho twin of env).
type zenv struct {
	org      *zohotest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
	dest     *zoho.Destination
	w        *duckdb.Warehouse
	runner   *revsync.Runner
	retries  int // the HTTP layer's MaxRetries of destinations newDest makes (5)
}

func newZenv(t *testing.T) *zenv {
	t.Helper()
	z := &zenv{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1), retries: 5}
	z.org = zohotest.Start(zohotest.Options{Counters: z.counters, Faults: z.faults})
	t.Cleanup(z.org.Close)
	z.dest = z.newDest(t, z.org.RefreshToken())
	w, err := duckdb.Open(context.Background(), duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	z.w = w
	z.runner = &revsync.Runner{Warehouse: w}
	if err := w.Exec(context.Background(), `CREATE SCHEMA syncs`); err != nil {
		t.Fatal(err)
	}
	return z
}

// newDest logs in to the org with refresh token rt.
func (z *zenv) newDest(t *testing.T, rt string) *zoho.Destination {
	t.Helper()
	opts := extractzoho.CRM()
	opts.AccountsURL, opts.APIDomain = z.org.URL, z.org.URL
	opts.ClientID, opts.ClientSecret, opts.RefreshToken = z.org.ClientID(), z.org.ClientSecret(), rt
	opts.Limits = httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: z.retries, Timeout: 20 * time.Second}
	d, err := zoho.New(context.Background(), opts.ClientConfig("zoho_crm", nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (z *zenv) exec(t *testing.T, q string) {
	t.Helper()
	if err := z.w.Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// writes counts record writes (insert, update, upsert, delete calls).
func (z *zenv) writes() int64 {
	return z.counters.Sum(func(c sandbox.Count) bool {
		return c.Method != http.MethodGet && strings.HasPrefix(c.Endpoint, "/crm/v8/") && !strings.Contains(c.Endpoint, "coql")
	})
}

// revoke revokes the org's refresh token (and so every access token it
// issued), as an admin removing the connected app would.
func (z *zenv) revoke(t *testing.T) {
	t.Helper()
	resp, err := http.PostForm(z.org.URL+"/oauth/v2/token/revoke", url.Values{"token": {z.org.RefreshToken()}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// byField returns the org's records of module whose field equals value.
func (z *zenv) byField(module, field, value string) []map[string]any {
	var out []map[string]any
	for _, r := range z.org.Records(module) {
		if s, _ := r[field].(string); strings.EqualFold(s, value) {
			out = append(out, r)
		}
	}
	return out
}

// zleadSpec upserts syncs.zleads into Zoho Leads, matched on Email.
func zleadSpec(mode revsync.Mode) *revsync.Spec {
	return &revsync.Spec{Name: "zleads", Model: "syncs.zleads", Destination: revsync.Target{Source: "zoho_crm", Object: "Leads"},
		Mode: mode, Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}}, Key: "lead_key",
		Mapping: map[string]revsync.FieldMap{
			"Email": {Column: "email"}, "Last_Name": {Column: "last_name"}, "Company": {Column: "company"},
		}}
}

// zleadModel creates syncs.zleads with n rows.
func (z *zenv) zleadModel(t *testing.T, n int) {
	z.exec(t, `CREATE OR REPLACE TABLE syncs.zleads AS SELECT 'K' || lpad(CAST(i AS VARCHAR), 4, '0') AS lead_key,
		'zlead' || i || '@example.com' AS email, 'Zoho ' || i AS last_name, 'Company ' || (i % 5) AS company
		FROM range(`+itoa(n)+`) t(i)`)
}

func itoa(n int) string { return strconv.Itoa(n) }

// onBatch is a Progress that calls fn after the n-th answered batch: a
// hook to change the emulator in the middle of a run.
type onBatch struct {
	n, seen int
	fn      func()
}

func (o *onBatch) Start(string, int64) {}
func (o *onBatch) Add(string, int64) {
	o.seen++
	if o.seen == o.n {
		o.fn()
	}
}
func (o *onBatch) Done(string, error) {}
