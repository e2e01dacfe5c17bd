package synctest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
)

func testDescribe(t *testing.T, s *suite) {
	sc := s.describe(t)
	if len(sc.Fields) == 0 {
		t.Fatal("no fields")
	}
	for _, name := range s.f.Required {
		if f, ok := sc.Fields[name]; !ok || !f.Required || !f.Createable {
			t.Errorf("%s: %+v, want required and createable", name, f)
		}
	}
	for _, name := range s.f.ReadOnly {
		if f, ok := sc.Fields[name]; !ok || f.Createable || f.Updateable || f.Required {
			t.Errorf("%s: %+v, want read-only", name, f)
		}
	}
	if f := sc.Fields[s.f.UpdateField]; !f.Createable || !f.Updateable || f.Required {
		t.Errorf("%s: %+v, want optional and writable", s.f.UpdateField, f)
	}
	if s.f.Picklist != "" {
		f := sc.Fields[s.f.Picklist]
		if f.Type != revsync.TypePicklist || !slices.Contains(f.Picklist, s.f.PicklistValue) {
			t.Errorf("%s: type %s, values %v, want a picklist with %q", s.f.Picklist, f.Type, f.Picklist, s.f.PicklistValue)
		}
	}
	if s.f.Restricted != "" && !sc.Fields[s.f.Restricted].Restricted {
		t.Errorf("%s: not restricted", s.f.Restricted)
	}
	if s.f.Match.By != revsync.MatchDuplicateCheck && !sc.Fields[s.f.KeyField].ExternalID {
		t.Errorf("%s: not an external id", s.f.KeyField)
	}
	for name, f := range sc.Fields {
		if f.Name != name || f.Type == "" {
			t.Errorf("field %q: %+v", name, f)
		}
	}
}

func testInsert(t *testing.T, s *suite) {
	s.describe(t)
	recs := s.records(0, 3)
	maps.Copy(recs[0].Values, s.f.Typed)
	res := s.write(t, revsync.OpInsert, recs)
	mustOK(t, "insert", res)
	ids := make([]string, len(res))
	for i, r := range res {
		if !r.Created {
			t.Errorf("record %d: Created false on insert", i)
		}
		rec := s.one(t, s.key(recs[i].Values))
		if fmt.Sprint(rec[s.f.UpdateField]) != fmt.Sprint(recs[i].Values[s.f.UpdateField]) {
			t.Errorf("record %d: %s = %v, want %v", i, s.f.UpdateField, rec[s.f.UpdateField], recs[i].Values[s.f.UpdateField])
		}
		ids[i] = r.ID
	}
	// Round trip through the API.
	fields := []string{s.f.KeyField, s.f.UpdateField}
	for k := range s.f.Typed {
		fields = append(fields, k)
	}
	got, err := s.Dest.Read(s.ctx, s.f.Object, ids, fields)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for i, id := range ids {
		for _, f := range fields {
			want, ok := recs[i].Values[f]
			if !ok {
				continue
			}
			if !Same(got[id][f], want) {
				t.Errorf("Read %s %s = %#v, want %#v", id, f, got[id][f], want)
			}
		}
	}
}

func testUpdate(t *testing.T, s *suite) {
	s.describe(t)
	res := s.write(t, revsync.OpInsert, s.records(0, 2))
	mustOK(t, "insert", res)
	keys := []string{s.key(s.f.Valid(0)), s.key(s.f.Valid(1))}
	upd := []revsync.Record{
		{Key: "k0", ID: res[0].ID, Values: map[string]any{s.f.UpdateField: "Changed by sync"}},
		{Key: "k1", ID: res[1].ID, Values: map[string]any{s.f.UpdateField: nil}},
		{Key: "k2", Values: map[string]any{s.f.UpdateField: "no id"}},
	}
	out := s.write(t, revsync.OpUpdate, upd)
	if out[0].Err != nil || out[1].Err != nil {
		t.Fatalf("update results %+v %+v", out[0], out[1])
	}
	if out[0].Created || out[0].ID != res[0].ID {
		t.Errorf("update result %+v, want id %s, not created", out[0], res[0].ID)
	}
	if out[2].Err == nil {
		t.Error("update without an id succeeded")
	}
	if v := s.one(t, keys[0])[s.f.UpdateField]; v != "Changed by sync" {
		t.Errorf("%s = %v after update", s.f.UpdateField, v)
	}
	if v := s.one(t, keys[1])[s.f.UpdateField]; v != nil && v != "" {
		t.Errorf("%s = %v after clearing", s.f.UpdateField, v)
	}
	got, err := s.Dest.Read(s.ctx, s.f.Object, []string{res[0].ID, res[1].ID}, []string{s.f.UpdateField})
	if err != nil {
		t.Fatal(err)
	}
	if got[res[0].ID][s.f.UpdateField] != "Changed by sync" || !Same(got[res[1].ID][s.f.UpdateField], nil) {
		t.Errorf("Read after update: %v", got)
	}
}

func testUpsert(t *testing.T, s *suite) {
	s.describe(t)
	res := s.write(t, revsync.OpUpsert, s.records(0, 2))
	mustOK(t, "upsert", res)
	if !res[0].Created || !res[1].Created {
		t.Errorf("first upsert: Created %v %v, want true", res[0].Created, res[1].Created)
	}
	second := s.records(1, 2) // record 1 again, record 2 new
	second[0].Values[s.f.UpdateField] = "Upserted"
	res2 := s.write(t, revsync.OpUpsert, second)
	mustOK(t, "second upsert", res2)
	if res2[0].Created || res2[0].ID != res[1].ID || !res2[1].Created {
		t.Errorf("second upsert: %+v %+v, want update of %s then create", res2[0], res2[1], res[1].ID)
	}
	if v := s.one(t, s.key(second[0].Values))[s.f.UpdateField]; v != "Upserted" {
		t.Errorf("%s = %v after upsert", s.f.UpdateField, v)
	}
	// Idempotency: sending the same upsert again changes nothing.
	n := len(s.Records(s.f.Object))
	res3 := s.write(t, revsync.OpUpsert, second)
	mustOK(t, "repeated upsert", res3)
	for i := range res3 {
		if res3[i].Created || res3[i].ID != res2[i].ID {
			t.Errorf("repeated upsert %d: %+v, want %s not created", i, res3[i], res2[i].ID)
		}
	}
	if m := len(s.Records(s.f.Object)); m != n || n != 3 {
		t.Errorf("%d records after repeating an upsert, %d before, want 3", m, n)
	}
	for i := range 3 {
		s.one(t, s.key(s.f.Valid(i)))
	}
}

func testDelete(t *testing.T, s *suite) {
	s.describe(t)
	res := s.write(t, revsync.OpInsert, s.records(0, 2))
	mustOK(t, "insert", res)
	if s.Remove != nil {
		// A destination that never deletes refuses every row, unsent.
		before := s.requests()
		out, err := s.Dest.Write(s.ctx, s.f.Object, revsync.OpDelete, s.f.Match, []revsync.Record{{Key: "k0", ID: res[0].ID}})
		if err == nil && (len(out) != 1 || out[0].Err == nil || out[0].Err.Retryable) {
			t.Errorf("delete by a destination that never deletes: %+v, want a row error, not retryable", out)
		}
		if d := s.requests() - before; d != 0 {
			t.Errorf("refused delete made %d requests", d)
		}
		s.one(t, s.key(s.f.Valid(0)))
		return
	}
	out := s.write(t, revsync.OpDelete, []revsync.Record{{Key: "k0", ID: res[0].ID}, {Key: "none"}})
	if out[0].Err != nil || out[1].Err == nil {
		t.Fatalf("delete results %+v %+v", out[0], out[1])
	}
	if n := len(s.byKey(s.key(s.f.Valid(0)))); n != 0 {
		t.Errorf("deleted record still there (%d)", n)
	}
	s.one(t, s.key(s.f.Valid(1)))
	got, err := s.Dest.Read(s.ctx, s.f.Object, []string{res[0].ID, res[1].ID}, []string{s.f.KeyField})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[res[0].ID]; ok || got[res[1].ID] == nil {
		t.Errorf("Read after delete: %v", got)
	}
}

// testWriteToDeletedRecord: an update, or an upsert naming the record's
// id, of a record someone deleted fails alone with Gone set (the sync's
// on_deleted policy decides what follows); the upsert creates nothing and
// the live record beside it is written.
func testWriteToDeletedRecord(t *testing.T, s *suite) {
	s.describe(t)
	res := s.write(t, revsync.OpInsert, s.records(0, 2))
	mustOK(t, "insert", res)
	s.remove(t, res[0].ID)
	for _, op := range []revsync.Op{revsync.OpUpdate, revsync.OpUpsert} {
		gone := s.f.Valid(0)
		gone[s.f.UpdateField] = "After delete"
		live := s.f.Valid(1)
		live[s.f.UpdateField] = "Written by " + string(op)
		out := s.write(t, op, []revsync.Record{{Key: "k0", ID: res[0].ID, Values: gone}, {Key: "k1", ID: res[1].ID, Values: live}})
		if out[0].Err == nil || !out[0].Err.Gone {
			t.Errorf("%s of a deleted record: %+v, want a row error with Gone set", op, out[0])
		}
		if out[1].Err != nil || out[1].ID != res[1].ID {
			t.Errorf("%s of the live record beside it: %+v", op, out[1])
		}
		if n := len(s.byKey(s.key(s.f.Valid(0)))); n != 0 {
			t.Errorf("%s of a deleted record made %d records", op, n)
		}
		if v := s.one(t, s.key(s.f.Valid(1)))[s.f.UpdateField]; v != "Written by "+string(op) {
			t.Errorf("after %s: %s = %v", op, s.f.UpdateField, v)
		}
	}
}

func testPartialFailure(t *testing.T, s *suite) {
	s.describe(t)
	recs := s.records(0, 3)
	recs[1] = revsync.Record{Key: "bad", Values: maps.Clone(s.f.Invalid)}
	res := s.write(t, revsync.OpInsert, recs)
	if res[0].Err != nil || res[2].Err != nil {
		t.Fatalf("good rows failed: %+v %+v", res[0].Err, res[2].Err)
	}
	if res[1].Err == nil || res[1].Err.Code != s.f.InvalidCode || res[1].Err.Retryable {
		t.Fatalf("bad row: %+v, want %s, not retryable", res[1].Err, s.f.InvalidCode)
	}
	if res[1].Err.Message == "" {
		t.Error("bad row has no message")
	}
	t.Logf("bad row: %s %v", res[1].Err, res[1].Err.Fields)
	s.one(t, s.key(recs[0].Values))
	s.one(t, s.key(recs[2].Values))
}

func testLockedRow(t *testing.T, s *suite) {
	s.describe(t)
	res := s.write(t, revsync.OpInsert, s.records(0, 2))
	mustOK(t, "insert", res)
	s.Faults.Add(sandbox.Rule{Kind: sandbox.FaultLockRow, Records: []string{res[0].ID}, Times: 1})
	out := s.write(t, revsync.OpUpdate, []revsync.Record{
		{Key: "k0", ID: res[0].ID, Values: map[string]any{s.f.UpdateField: "locked?"}},
		{Key: "k1", ID: res[1].ID, Values: map[string]any{s.f.UpdateField: "free"}},
	})
	if out[0].Err == nil || !out[0].Err.Retryable {
		t.Errorf("locked row: %+v, want a retryable error", out[0].Err)
	} else {
		t.Logf("locked row: %s (retryable)", out[0].Err)
	}
	if out[1].Err != nil {
		t.Errorf("unlocked row: %v", out[1].Err)
	}
}

func testBatchCaps(t *testing.T, s *suite) {
	s.describe(t)
	const n = 250
	for _, op := range []revsync.Op{revsync.OpInsert, revsync.OpUpsert} {
		first := 1000
		if op == revsync.OpUpsert {
			first = 2000
		}
		max := s.Dest.MaxBatch(op, n)
		if max < 1 || max > n {
			t.Fatalf("MaxBatch(%s, %d) = %d", op, n, max)
		}
		// More than one write takes: refused before any request.
		over := s.Dest.MaxBatch(op, max+1)
		if over == max {
			before := s.requests()
			if _, err := s.Dest.Write(s.ctx, s.f.Object, op, s.f.Match, s.records(first, max+1)); err == nil {
				t.Errorf("%s of %d records (max %d) accepted", op, max+1, max)
			}
			if d := s.requests() - before; d != 0 {
				t.Errorf("refused %s made %d requests", op, d)
			}
		}
		// n records in batches of max: ceil(n/max) calls (or what
		// WriteCalls says), nothing else.
		before := s.requests()
		recs := s.records(first, n)
		var want int64
		for start := 0; start < n; start += max {
			batch := recs[start:min(start+max, n)]
			mustOK(t, string(op), s.write(t, op, batch))
			want += s.callsPerWrite(op, len(batch))
		}
		calls := s.requests() - before
		if calls != want {
			t.Errorf("%s of %d records in batches of %d: %d requests, want %d", op, n, max, calls, want)
		}
		t.Logf("%s of %d records: max %d, %d calls", op, n, max, calls)
	}
	if a := s.authRequests(); a != 1 {
		t.Errorf("%d token requests, want 1", a)
	}
	if got := len(s.Records(s.f.Object)); got != 2*n {
		t.Errorf("%d records, want %d", got, 2*n)
	}
}

func testFind(t *testing.T, s *suite) {
	s.describe(t)
	recs := s.records(0, 3)
	res := s.write(t, revsync.OpInsert, recs)
	mustOK(t, "insert", res)
	keys := make([]map[string]any, 0, 5)
	for _, r := range recs {
		keys = append(keys, map[string]any{s.f.KeyField: r.Values[s.f.KeyField]})
	}
	unknown := s.f.Valid(999)[s.f.KeyField]
	keys = append(keys, map[string]any{s.f.KeyField: unknown}, map[string]any{})
	before := s.requests()
	ids, err := s.Dest.Find(s.ctx, s.f.Object, s.f.Match, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(keys) {
		t.Fatalf("%d ids for %d keys", len(ids), len(keys))
	}
	for i, r := range res {
		if ids[i] != r.ID {
			t.Errorf("key %d: found %q, want %q", i, ids[i], r.ID)
		}
	}
	if ids[3] != "" || ids[4] != "" {
		t.Errorf("unknown and empty keys found %q %q", ids[3], ids[4])
	}
	t.Logf("Find of %d keys: %d requests", len(keys), s.requests()-before)
}

func testLookup(t *testing.T, s *suite) {
	p := s.f.Parent
	if p == nil {
		t.Skip("no parent fixture")
	}
	if _, err := s.Dest.Describe(s.ctx, p.Object); err != nil {
		t.Fatal(err)
	}
	s.describe(t)
	pr, err := s.Dest.Write(s.ctx, p.Object, revsync.OpInsert, revsync.Match{}, []revsync.Record{{Key: "p", Values: maps.Clone(p.Values)}})
	if err != nil || pr[0].Err != nil {
		t.Fatalf("insert parent: %v %+v", err, pr)
	}
	rec := s.records(0, 1)
	rec[0].Values[p.Field] = pr[0].ID
	res := s.write(t, revsync.OpInsert, rec)
	mustOK(t, "insert child", res)
	got, err := s.Dest.Read(s.ctx, s.f.Object, []string{res[0].ID}, []string{p.Field})
	if err != nil {
		t.Fatal(err)
	}
	if v := got[res[0].ID][p.Field]; v != pr[0].ID {
		t.Errorf("Read %s = %#v, want %q", p.Field, v, pr[0].ID)
	}
	// Clearing the lookup.
	out := s.write(t, revsync.OpUpdate, []revsync.Record{{Key: "k0", ID: res[0].ID, Values: map[string]any{p.Field: nil}}})
	mustOK(t, "clear lookup", out)
	got, err = s.Dest.Read(s.ctx, s.f.Object, []string{res[0].ID}, []string{p.Field})
	if err != nil {
		t.Fatal(err)
	}
	if v := got[res[0].ID][p.Field]; !Same(v, nil) {
		t.Errorf("Read %s = %#v after clearing", p.Field, v)
	}
}

func testReadFaults(t *testing.T, s *suite) {
	res := s.write(t, revsync.OpInsert, s.records(0, 1))
	mustOK(t, "insert", res)
	for _, kind := range []sandbox.FaultKind{sandbox.Fault429, sandbox.Fault503} {
		before := s.requests()
		s.Faults.FailNext(1, kind)
		if _, err := s.Dest.Describe(s.ctx, s.f.Object); err != nil {
			t.Fatalf("Describe after one %s: %v", kind, err)
		}
		s.Faults.FailNext(1, kind)
		got, err := s.Dest.Read(s.ctx, s.f.Object, []string{res[0].ID}, []string{s.f.KeyField})
		if err != nil || got[res[0].ID] == nil {
			t.Fatalf("Read after one %s: %v %v", kind, err, got)
		}
		s.Faults.FailNext(1, kind)
		ids, err := s.Dest.Find(s.ctx, s.f.Object, s.f.Match, []map[string]any{{s.f.KeyField: s.f.Valid(0)[s.f.KeyField]}})
		if err != nil || ids[0] != res[0].ID {
			t.Fatalf("Find after one %s: %v %v", kind, err, ids)
		}
		// Three calls, each retried once.
		if d := s.requests() - before; d != 6 {
			t.Errorf("%s: %d requests for 3 reads each faulted once, want 6", kind, d)
		}
	}
}

// testWriteFaults sends each write op after one injected 429 or 503: the
// transport either retries it (writes it marks safe to repeat) or the
// Write fails as a whole; either way the emulator holds each record once,
// and a failed Write wrote nothing (the fault answered before the API ran).
func testWriteFaults(t *testing.T, s *suite) {
	s.describe(t)
	base := s.write(t, revsync.OpInsert, s.records(0, 2))
	mustOK(t, "insert", base)
	next := 10
	for _, kind := range []sandbox.FaultKind{sandbox.Fault429, sandbox.Fault503} {
		for _, op := range []revsync.Op{revsync.OpInsert, revsync.OpUpsert, revsync.OpUpdate} {
			recs := s.records(next, 2)
			if op == revsync.OpUpdate {
				recs = []revsync.Record{{Key: "k0", ID: base[0].ID, Values: map[string]any{s.f.UpdateField: fmt.Sprintf("%s %s", op, kind)}}}
			}
			next += 2
			n := len(s.Records(s.f.Object))
			s.Faults.FailNext(1, kind)
			res, err := s.Dest.Write(s.ctx, s.f.Object, op, s.f.Match, recs)
			switch {
			case err != nil:
				t.Logf("%s after one %s: the Write fails (%v)", op, kind, err)
				if m := len(s.Records(s.f.Object)); m != n {
					t.Errorf("%s failed after %s but wrote: %d records, %d before", op, kind, m, n)
				}
			default:
				t.Logf("%s after one %s: retried, succeeded", op, kind)
				mustOK(t, string(op), res)
			}
			if op != revsync.OpUpdate {
				for _, r := range recs {
					if c := len(s.byKey(s.key(r.Values))); c > 1 || err == nil && c != 1 {
						t.Errorf("%s after %s: %d records hold %s", op, kind, c, s.key(r.Values))
					}
				}
			}
		}
	}
}

// testDroppedWrite serves each write, then drops the connection before the
// answer arrives. The Write fails (the caller then resolves the records
// with Find) or the transport retries a write that is safe to repeat;
// never is a record written twice.
func testDroppedWrite(t *testing.T, s *suite) {
	s.describe(t)
	next := 0
	for _, op := range []revsync.Op{revsync.OpInsert, revsync.OpUpsert} {
		recs := s.records(next, 3)
		next += 3
		s.Faults.FailNext(1, sandbox.FaultDrop)
		res, err := s.Dest.Write(s.ctx, s.f.Object, op, s.f.Match, recs)
		if err != nil {
			t.Logf("%s with a dropped answer: the Write fails (%v)", op, err)
			keys := make([]map[string]any, len(recs))
			for i, r := range recs {
				keys[i] = map[string]any{s.f.KeyField: r.Values[s.f.KeyField]}
			}
			ids, ferr := s.Dest.Find(s.ctx, s.f.Object, s.f.Match, keys)
			if ferr != nil {
				t.Fatalf("Find after a dropped %s: %v", op, ferr)
			}
			for i, id := range ids {
				s.one(t, s.key(recs[i].Values))
				if id == "" {
					t.Errorf("record %d written but not found", i)
				}
			}
		} else {
			t.Logf("%s with a dropped answer: retried, succeeded", op)
			mustOK(t, string(op), res)
		}
		for _, r := range recs {
			s.one(t, s.key(r.Values)) // exactly once
		}
	}
	// An update retried after a drop sets the same values again.
	ids := s.write(t, revsync.OpUpsert, s.records(0, 1))
	s.Faults.FailNext(1, sandbox.FaultDrop)
	_, err := s.Dest.Write(s.ctx, s.f.Object, revsync.OpUpdate, s.f.Match,
		[]revsync.Record{{Key: "k0", ID: ids[0].ID, Values: map[string]any{s.f.UpdateField: "after drop"}}})
	t.Logf("update with a dropped answer: error %v", err)
	if v := s.one(t, s.key(s.f.Valid(0)))[s.f.UpdateField]; v != "after drop" {
		t.Errorf("%s = %v after a dropped update", s.f.UpdateField, v)
	}
}

// Same reports whether a value read back equals the value written: numbers
// by value whatever their Go type, datetimes as instants, lists element by
// element, and nil equal to "" and to an empty list.
func Same(got, want any) bool {
	if isNil(got) || isNil(want) {
		return isNil(got) && isNil(want)
	}
	if g, ok := number(got); ok {
		w, ok := number(want)
		return ok && g == w
	}
	if g, ok := list(got); ok {
		w, ok := list(want)
		return ok && slices.Equal(g, w)
	}
	gs, ws := fmt.Sprint(got), fmt.Sprint(want)
	if gs == ws {
		return true
	}
	gt, err1 := time.Parse(time.RFC3339Nano, gs)
	wt, err2 := time.Parse(time.RFC3339Nano, ws)
	return err1 == nil && err2 == nil && gt.Equal(wt)
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	}
	return 0, false
}

func list(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out, true
	}
	return nil, false
}
