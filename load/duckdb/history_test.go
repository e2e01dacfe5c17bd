//go:build duckdb_arrow

package duckdb_test

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/loadtest"
)

// TestHistoryRepairsEarlierBuilds: a warehouse whose history was kept by
// an earlier build (no _valid_from in the main table) holds what its bugs
// left: a Zoho deletion that wiped the row and kept its last version open,
// a rename seen without a new Modified_Time stored as a second version with
// the same start. The first landing with history repairs it once: values
// restored, versions with strictly increasing starts, one open version per
// live id and none for a deleted one.
func TestHistoryRepairsEarlierBuilds(t *testing.T) {
	ctx := t.Context()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "wh.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	m0 := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	m1, s1, s2, at, s3 := m0.Add(time.Hour), m0.Add(90*time.Minute), m0.Add(2*time.Hour), m0.Add(150*time.Minute), m0.Add(3*time.Hour)
	ts := func(t time.Time) string { return "TIMESTAMPTZ '" + t.Format("2006-01-02 15:04:05") + "+00'" }
	old := []string{
		`CREATE SCHEMA zoho_crm`,
		`CREATE TABLE zoho_crm.deals (id VARCHAR, "Name" VARCHAR, "Modified_Time" TIMESTAMPTZ, _deleted_at TIMESTAMPTZ, _extracted_at TIMESTAMPTZ, _source VARCHAR)`,
		`CREATE TABLE zoho_crm.deals__history_versions AS SELECT *, CAST(NULL AS TIMESTAMPTZ) AS _valid_from, CAST(NULL AS TIMESTAMPTZ) AS _valid_to FROM zoho_crm.deals LIMIT 0`,
		// healthy: v1 replaced by v2 at m1
		`INSERT INTO zoho_crm.deals__history_versions VALUES ('ok', 'v1', ` + ts(m0) + `, NULL, ` + ts(s1) + `, 'crm', ` + ts(m0) + `, ` + ts(m1) + `)`,
		`INSERT INTO zoho_crm.deals VALUES ('ok', 'v2', ` + ts(m1) + `, NULL, ` + ts(s2) + `, 'crm')`,
		// renamed account seen at s2 without Modified_Time moving
		`INSERT INTO zoho_crm.deals__history_versions VALUES ('ren', 'Deal · Acme', ` + ts(m0) + `, NULL, ` + ts(s1) + `, 'crm', ` + ts(m0) + `, ` + ts(m0) + `)`,
		`INSERT INTO zoho_crm.deals VALUES ('ren', 'Deal · Acme Corp', ` + ts(m0) + `, NULL, ` + ts(s2) + `, 'crm')`,
		// deleted by id alone: the row wiped, its last version left open
		`INSERT INTO zoho_crm.deals__history_versions VALUES ('wiped', 'Lost deal', ` + ts(m0) + `, NULL, ` + ts(s1) + `, 'crm', ` + ts(m0) + `, NULL)`,
		`INSERT INTO zoho_crm.deals VALUES ('wiped', NULL, NULL, ` + ts(at) + `, ` + ts(s2) + `, 'crm')`,
		// never changed
		`INSERT INTO zoho_crm.deals VALUES ('plain', 'P', ` + ts(m0) + `, NULL, ` + ts(s1) + `, 'crm')`,
	}
	for _, q := range old {
		if err := w.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "Name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "Modified_Time", Type: loadtest.TimestampTZ, Nullable: true},
		{Name: "_deleted_at", Type: loadtest.TimestampTZ, Nullable: true},
		{Name: "_extracted_at", Type: loadtest.TimestampTZ, Nullable: true},
		{Name: "_source", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"id"}, Tombstone: "_deleted_at",
		Unversioned: []string{"_extracted_at", "_source"},
		History:     &load.History{Table: load.Table{Schema: "zoho_crm", Name: "deals__history"}, ValidFrom: "Modified_Time", SeenAt: "_extracted_at"}}
	landRows := func(rows ...[]any) {
		t.Helper()
		r := loadtest.MustReader(schema, rows)
		defer r.Release()
		if _, err := w.Land(ctx, load.Table{Schema: "zoho_crm", Name: "deals"}, r, opts); err != nil {
			t.Fatal(err)
		}
	}
	landRows([]any{"new", "N", s3, nil, s3, "crm"})

	query := func(q string) [][]any {
		t.Helper()
		rdr, err := w.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := load.ReadAll(rdr)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	want := [][]any{
		{"new", "N", s3, nil},
		{"ok", "v1", m0, m1},
		{"ok", "v2", m1, nil},
		{"plain", "P", m0, nil},
		{"ren", "Deal · Acme", m0, s2},
		{"ren", "Deal · Acme Corp", s2, nil},
		{"wiped", "Lost deal", m0, at},
	}
	const hq = `SELECT id, "Name", _valid_from, _valid_to FROM zoho_crm.deals__history ORDER BY id, _valid_from`
	if got := query(hq); !reflect.DeepEqual(got, want) {
		t.Fatalf("repaired history:\n got %v\nwant %v", got, want)
	}
	if got := query(`SELECT "Name", "Modified_Time", _deleted_at, _valid_from FROM zoho_crm.deals WHERE id = 'wiped'`); !reflect.DeepEqual(got, [][]any{{"Lost deal", m0, at, at}}) {
		t.Fatalf("wiped row = %v, want its last values back, still deleted", got)
	}
	// The repair runs once: a later landing versions from there on.
	landRows([]any{"ren", "Deal · Acme Inc", m0, nil, s3.Add(time.Hour), "crm"})
	want = append(want[:5], []any{"ren", "Deal · Acme Corp", s2, s3.Add(time.Hour)}, []any{"ren", "Deal · Acme Inc", s3.Add(time.Hour), nil}, want[6])
	if got := query(hq); !reflect.DeepEqual(got, want) {
		t.Fatalf("history after the next landing:\n got %v\nwant %v", got, want)
	}
}
