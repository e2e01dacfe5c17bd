package zoho_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
)

// zcursor is a Zoho cursor or checkpoint, decoded.
type zcursor struct {
	Modified    string `json:"modified"`
	Full        string `json:"full"`
	Deleted     string `json:"deleted"`
	FullStarted string `json:"full_started"`
}

func decode(t *testing.T, s string) zcursor {
	t.Helper()
	var c zcursor
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatalf("cursor %q: %v", s, err)
	}
	return c
}

func ztime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// step is what a stream had yielded when it offered a checkpoint.
type step struct {
	ckpt    string
	ok      bool
	rows    map[string]int // id (Deal_Id for Stage_History) → rows yielded so far
	deleted int            // deleted rows so far
}

// walk drains a stream of obj, recording after every batch the
// checkpoint and what had been yielded.
func walk(t *testing.T, e *zoho.Extractor, name, since, key string) (steps []step, cursor string) {
	t.Helper()
	st, err := e.Extract(context.Background(), extract.Object{Name: name, Key: "id"}, since)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	cp := st.(extract.Checkpointer)
	rows, deleted := map[string]int{}, 0
	for st.Next() {
		b := st.RecordBatch()
		k := b.Column(b.Schema().FieldIndices(key)[0])
		del := b.Column(int(b.NumCols()) - 1)
		for i := range int(b.NumRows()) {
			if !del.IsNull(i) {
				deleted++
				continue
			}
			rows[cell(k, i).(string)]++
		}
		s := step{rows: map[string]int{}, deleted: deleted}
		for id, n := range rows {
			s.rows[id] = n
		}
		s.ckpt, s.ok = cp.Checkpoint()
		steps = append(steps, s)
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	return steps, st.Cursor()
}

// TestCheckpointModule: a module's first read (a full read) offers, after
// every batch, the newest Modified_Time passed with full_started (never
// "full": the full read is not done) and every older record yielded; a
// read from such a checkpoint continues the full read and, at its end,
// records it as done. An incremental read offers nothing before its
// deletions are handed on.
func TestCheckpointModule(t *testing.T) {
	defer zoho.SetBatchRows(25)()
	ts := start(t, zohotest.Options{}, 1500)
	e := newExtractor(t, crmOptions(ts))
	leads := ts.Records("Leads")
	steps, final := walk(t, e, "Leads", "", "id")
	if len(steps) < 5 {
		t.Fatalf("%d batches for %d leads", len(steps), len(leads))
	}
	for i, s := range steps[:len(steps)-1] {
		if !s.ok {
			t.Fatalf("batch %d: no checkpoint", i)
		}
		c := decode(t, s.ckpt)
		if c.Full != "" || c.FullStarted == "" || c.Deleted == "" {
			t.Fatalf("batch %d: checkpoint %s of a full read", i, s.ckpt)
		}
		m := ztime(t, c.Modified)
		for _, r := range leads {
			if ztime(t, r["Modified_Time"].(string)).Before(m) && s.rows[r["id"].(string)] == 0 {
				t.Fatalf("checkpoint %s after batch %d, but lead %s (%s) was not yielded", s.ckpt, i, r["id"], r["Modified_Time"])
			}
		}
	}
	if c := decode(t, final); c.Full == "" || c.FullStarted != "" {
		t.Fatalf("cursor after a full read: %s", final)
	}

	// Continue from a checkpoint half way: only the rest is read, and the
	// end records the full read as done at its start.
	mid := steps[len(steps)/2].ckpt
	rest, cur := walk(t, e, "Leads", mid, "id")
	last := rest[len(rest)-1]
	if n := len(last.rows); n == 0 || n >= len(leads)*3/4 {
		t.Fatalf("continuing from %s read %d of %d leads", mid, n, len(leads))
	}
	if c := decode(t, cur); c.Full != decode(t, mid).FullStarted || c.FullStarted != "" {
		t.Fatalf("cursor %s after continuing %s", cur, mid)
	}

	// Deletions come first and no checkpoint claims them before they are all handed on.
	defer zoho.SetBatchRows(2)()
	var gone []string
	for _, r := range leads[:3] {
		gone = append(gone, r["id"].(string))
	}
	if _, err := e.Client().Delete(context.Background(), "Leads", gone); err != nil {
		t.Fatal(err)
	}
	inc, _ := walk(t, e, "Leads", cur, "id")
	if inc[0].deleted != 2 || inc[0].ok {
		t.Fatalf("first batch: %d deletions, checkpoint %q %v; want 2 and none", inc[0].deleted, inc[0].ckpt, inc[0].ok)
	}
	if c := decode(t, inc[1].ckpt); inc[1].deleted != 3 || !inc[1].ok || c.Modified != decode(t, cur).Modified || c.Deleted == "" {
		t.Fatalf("after the deletions: checkpoint %q %v; want the previous modified and this read's deletions watermark", inc[1].ckpt, inc[1].ok)
	}
}

// TestCheckpointStageHistory: after every batch the checkpoint is the
// Modified_Time of a deal whose whole Stage_History, and that of every
// deal modified before it, has been yielded.
func TestCheckpointStageHistory(t *testing.T) {
	defer zoho.SetBatchRows(50)()
	ts := start(t, zohotest.Options{}, 600)
	e := newExtractor(t, crmOptions(ts))
	deals := ts.Records("Deals")
	steps, final := walk(t, e, zoho.StageHistoryObject, "", "Deal_Id")
	if len(steps) < 3 {
		t.Fatalf("%d batches for %d deals", len(steps), len(deals))
	}
	offered := 0
	for i, s := range steps {
		if !s.ok {
			continue
		}
		offered++
		m := ztime(t, decode(t, s.ckpt).Modified)
		for _, d := range deals {
			id := d["id"].(string)
			if !ztime(t, d["Modified_Time"].(string)).After(m) && s.rows[id] != len(ts.StageHistory(id)) {
				t.Fatalf("checkpoint %s after batch %d, but deal %s (%s) has %d of %d entries", s.ckpt, i, id, d["Modified_Time"], s.rows[id], len(ts.StageHistory(id)))
			}
		}
	}
	if offered < len(steps)/2 || steps[len(steps)-1].ckpt != final {
		t.Fatalf("%d checkpoints in %d batches, last %q, cursor %q", offered, len(steps), steps[len(steps)-1].ckpt, final)
	}
}

// TestCheckpointDeskNone: Desk reads newest first, so it never offers one.
func TestCheckpointDeskNone(t *testing.T) {
	defer zoho.SetBatchRows(20)()
	ts := start(t, zohotest.Options{}, 300)
	e := newExtractor(t, deskOptions(ts))
	steps, cur := walk(t, e, "tickets", "", "id")
	for _, s := range steps {
		if s.ok {
			t.Fatalf("Desk offered checkpoint %s", s.ckpt)
		}
	}
	if len(steps) < 2 || cur == "" {
		t.Fatalf("%d batches, cursor %q", len(steps), cur)
	}
}
