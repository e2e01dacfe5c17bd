package salesforce

import (
	"context"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
)

// smallBatches makes streams cut batches of n rows for one test.
func smallBatches(t *testing.T, n int) {
	old := batchRows
	batchRows = n
	t.Cleanup(func() { batchRows = old })
}

// modstamps maps the org's records of object (deleted ones included
// when all) to their SystemModstamp.
func modstamps(t *testing.T, e *Extractor, object string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := e.Client().Query(context.Background(), "SELECT Id, SystemModstamp FROM "+object, true, 0, func(recs []map[string]any) error {
		for _, r := range recs {
			ts, err := salesforce.ParseTime(r["SystemModstamp"].(string))
			if err != nil {
				return err
			}
			out[r["Id"].(string)] = ts
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkpoints drains a stream of object and checks, after every batch,
// that an offered checkpoint is safe: every record whose SystemModstamp
// is before it (and not before since) has been yielded. It returns the distinct checkpoints.
func checkpoints(t *testing.T, e *Extractor, object, since string) (cps []string, rows int) {
	t.Helper()
	from, err := ParseCursor(since)
	if err != nil {
		t.Fatal(err)
	}
	stamps := modstamps(t, e, object)
	s, err := e.Extract(context.Background(), extract.Object{Name: object, Key: "Id", Modified: "SystemModstamp"}, since)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	cp := s.(extract.Checkpointer)
	if c, ok := cp.Checkpoint(); ok {
		t.Fatalf("checkpoint %q before any batch", c)
	}
	seen := map[string]bool{}
	for s.Next() {
		rec := s.RecordBatch()
		ids := rec.Column(rec.Schema().FieldIndices("Id")[0])
		for i := range int(rec.NumRows()) {
			seen[arrowValue(ids, i).(string)] = true
		}
		rows += int(rec.NumRows())
		c, ok := cp.Checkpoint()
		if !ok {
			continue
		}
		at, err := ParseCursor(c)
		if err != nil {
			t.Fatal(err)
		}
		for id, ts := range stamps {
			if ts.Before(at) && !ts.Before(from) && !seen[id] {
				t.Fatalf("checkpoint %s after %d rows, but record %s (SystemModstamp %s) was not yielded", c, rows, id, ts)
			}
		}
		if len(cps) == 0 || cps[len(cps)-1] != c {
			cps = append(cps, c)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cps) > 0 && cps[len(cps)-1] != s.Cursor() {
		t.Errorf("last checkpoint %s, cursor %s", cps[len(cps)-1], s.Cursor())
	}
	return cps, rows
}

// TestCheckpointREST: REST reads come in SystemModstamp order, so every
// batch ends at a checkpoint, the highest SystemModstamp passed.
func TestCheckpointREST(t *testing.T) {
	smallBatches(t, 300)
	o := startOrg(t, 3000)
	e := newExtractor(t, o.options())
	cps, rows := checkpoints(t, e, "Contact", "")
	if rows <= 3*300 || len(cps) < rows/300 {
		t.Fatalf("%d rows gave %d checkpoints; want one per batch of 300", rows, len(cps))
	}
	// An incremental read never offers less than its since.
	since := cps[len(cps)/2]
	inc, _ := checkpoints(t, e, "Contact", since)
	if len(inc) == 0 || inc[0] < since {
		t.Fatalf("incremental checkpoints %v start below since %s", inc, since)
	}
}

// TestCheckpointBulkWindows: Bulk results come in no order, so a large
// Bulk read goes in SystemModstamp windows and offers a checkpoint only
// where a window ends; the windows together read every row once.
func TestCheckpointBulkWindows(t *testing.T) {
	smallBatches(t, 200)
	o := startOrg(t, 4000)
	opts := o.options()
	rest := run(t, newExtractor(t, opts), "Opportunity", "")
	opts.BulkThreshold, opts.BulkWindow = 100, 150
	e := newExtractor(t, opts)
	jobs := o.count("/services/data/vXX.X/jobs/query")
	cps, rows := checkpoints(t, e, "Opportunity", "")
	jobs = o.count("/services/data/vXX.X/jobs/query") - jobs
	if rows != len(rest.rows) {
		t.Fatalf("bulk windows read %d rows, REST %d", rows, len(rest.rows))
	}
	if jobs < 3 || len(cps) < 3 {
		t.Fatalf("%d rows in %d query jobs with %d checkpoints; want several windows", rows, jobs, len(cps))
	}
	t.Logf("%d rows: %d query jobs, %d checkpoints", rows, jobs, len(cps))
	// And the same rows as REST, once each.
	got := run(t, newExtractor(t, opts), "Opportunity", "")
	if got.err != nil || len(got.rows) != len(rest.rows) || got.cursor != rest.cursor {
		t.Fatalf("bulk windows: %d rows cursor %s err %v; REST %d rows cursor %s", len(got.rows), got.cursor, got.err, len(rest.rows), rest.cursor)
	}
}
