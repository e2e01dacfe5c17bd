package identity

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"testing/fstest"
	"time"

	"github.com/revops/revops/load"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
)

// Warehouse is what matching a file needs: a warehouse the models engine
// builds in that can also land Arrow batches (load/duckdb's, in memory).
type Warehouse interface {
	models.Warehouse
	models.Lander
}

// CSVSchema is the schema a CSV run lands its records in (table records).
const CSVSchema = "identity_csv"

// matcherModels are the matching models a CSV run builds, per kind.
var matcherModels = []string{"features", "rules", "block_keys", "pairs", "comparisons", "weights", "links", "clusters"}

// Register adds the identity transforms configured by o to p, and is
// what a caller does after models.Load.
func (o *Options) Register(p *models.Project) {
	for name, fn := range o.Transforms() {
		p.RegisterTransform(name, fn)
	}
}

// CSVProject returns the models of one kind of entity for a CSV run: the
// shipped matching models, with identity.<kind>_input reading
// identity_csv.records and empty certain links and decisions.
func CSVProject(kind Kind, o *Options) (*models.Project, error) {
	mfs := fstest.MapFS{}
	for _, m := range matcherModels {
		name := "identity/" + string(kind) + "_" + m + ".sql"
		data, err := fs.ReadFile(sqlfiles.FS, name)
		if err != nil {
			return nil, fmt.Errorf("identity: %w", err)
		}
		mfs[name] = &fstest.MapFile{Data: data}
	}
	mfs["identity/"+string(kind)+"_input.sql"] = &fstest.MapFile{Data: []byte(
		"-- The records of the file being matched.\n-- config: materialized=table\n" +
			"SELECT * FROM {{ source \"" + CSVSchema + "\" \"records\" }}\n")}
	mfs["identity/"+string(kind)+"_certain_links.sql"] = &fstest.MapFile{Data: []byte(
		"SELECT CAST(NULL AS VARCHAR) AS record_id_l, CAST(NULL AS VARCHAR) AS record_id_r, CAST(NULL AS VARCHAR) AS rule WHERE 1 = 0\n")}
	mfs["identity/decisions.sql"] = &fstest.MapFile{Data: []byte(
		"SELECT CAST(NULL AS VARCHAR) AS entity, CAST(NULL AS VARCHAR) AS record_id_l, CAST(NULL AS VARCHAR) AS record_id_r, " +
			"CAST(NULL AS VARCHAR) AS decision WHERE 1 = 0\n")}
	p, err := models.Load(mfs, nil, nil, o.Vars())
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if probs := p.Problems(); len(probs) > 0 {
		return nil, fmt.Errorf("identity: %s", probs[0])
	}
	o.Register(p)
	return p, nil
}

// Assignment is one record's entity.
type Assignment struct {
	RecordID string
	// EntityID is the record's cluster: the smallest record id in it.
	EntityID string
	// Score is the highest match probability among the record's links
	// (NaN for a record that links to nothing).
	Score float64
}

// MatchStats counts what a run did.
type MatchStats struct {
	Records        int64   `json:"records"`
	Entities       int64   `json:"entities"`
	CandidatePairs int64   `json:"candidate_pairs"`
	RandomPairs    int64   `json:"random_pairs"`
	LinkedPairs    int64   `json:"linked_pairs"`
	ReviewPairs    int64   `json:"review_pairs"`
	Seconds        float64 `json:"seconds"`
}

// MatchResult is the outcome of matching a file.
type MatchResult struct {
	Kind        Kind
	Assignments []Assignment
	Stats       MatchStats
	Project     *models.Project
	// Models are the build results of the matching models (times, rows).
	Models []models.ModelResult
}

// MatchCSV lands data in wh (identity_csv.records, replaced) and builds
// the matching models of kind on it.
func MatchCSV(ctx context.Context, wh Warehouse, data *CSVData, kind Kind, o *Options) (*MatchResult, error) {
	start := time.Now()
	if err := wh.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+CSVSchema+"; DROP TABLE IF EXISTS "+CSVSchema+".records"); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	rdr, err := data.Records("csv")
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	_, err = wh.Land(ctx, load.Table{Schema: CSVSchema, Name: "records"}, rdr, load.LandOptions{Mode: load.Append})
	rdr.Release()
	if err != nil {
		return nil, fmt.Errorf("identity: land the records: %w", err)
	}
	p, err := CSVProject(kind, o)
	if err != nil {
		return nil, err
	}
	res, err := p.Build(ctx, wh, models.Options{Select: []string{"+identity." + string(kind) + "_clusters"}, SkipTests: true, Concurrency: 2})
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	for _, m := range res.Models {
		if m.Status != models.StatusSuccess {
			why := m.Error
			if why == "" {
				why = m.Reason
			}
			return nil, fmt.Errorf("identity: model %s %s: %s", m.Model, m.Status, why)
		}
	}
	out := &MatchResult{Kind: kind, Project: p, Models: res.Models}
	k := string(kind)
	rows, err := queryRows(ctx, wh, `
		WITH linked AS (
			SELECT record_id_l AS record_id, match_probability FROM identity.`+k+`_links WHERE linked
			UNION ALL
			SELECT record_id_r, match_probability FROM identity.`+k+`_links WHERE linked
		),
		best AS (SELECT record_id, max(coalesce(match_probability, 1.0)) AS score FROM linked GROUP BY record_id)
		SELECT c.record_id, c.cluster_id, b.score
		FROM identity.`+k+`_clusters AS c LEFT JOIN best AS b ON b.record_id = c.record_id
		ORDER BY c.record_id`)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		a := Assignment{RecordID: asString(r[0]), EntityID: asString(r[1]), Score: math.NaN()}
		if f, ok := r[2].(float64); ok {
			a.Score = f
		}
		out.Assignments = append(out.Assignments, a)
	}
	stats, err := queryRows(ctx, wh, `SELECT
		(SELECT count(*) FROM identity.`+k+`_features),
		(SELECT count(DISTINCT cluster_id) FROM identity.`+k+`_clusters),
		(SELECT count(*) FROM identity.`+k+`_pairs WHERE kind = 'candidate'),
		(SELECT count(*) FROM identity.`+k+`_pairs WHERE kind = 'random'),
		(SELECT count(*) FROM identity.`+k+`_links WHERE linked),
		(SELECT count(*) FROM identity.`+k+`_links WHERE NOT linked)`)
	if err != nil {
		return nil, err
	}
	if len(stats) == 1 {
		s := stats[0]
		out.Stats = MatchStats{Records: asInt(s[0]), Entities: asInt(s[1]), CandidatePairs: asInt(s[2]),
			RandomPairs: asInt(s[3]), LinkedPairs: asInt(s[4]), ReviewPairs: asInt(s[5])}
	}
	out.Stats.Seconds = time.Since(start).Seconds()
	return out, nil
}

// queryRows runs q and returns its rows as Go values.
func queryRows(ctx context.Context, wh load.StateStore, q string, args ...any) ([][]any, error) {
	r, err := wh.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	return rows, nil
}

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	case uint64:
		return int64(x)
	}
	var n int64
	fmt.Sscan(strings.TrimSpace(fmt.Sprint(v)), &n)
	return n
}
