// Package synctest is the conformance suite every revops sync destination
// runs, in the manner of rclone's fstests: a destination package calls
// Run from a short test with a Harness that builds a fresh Destination
// over a fresh emulator (crm/salesforce/sftest, crm/zoho/zohotest) and
// exposes the emulator's state, fault injection and request counters.
//
// The suite writes through the Destination and checks the outcome in the
// emulator (Records) and back through the API (Read, Find): describe
// facts (required, read-only, picklists), insert, update (including
// clearing a field), upsert (Created on insert vs update, idempotent
// re-sends), delete, a write to a deleted record (it fails alone, Gone
// set, and creates nothing), a partial batch failure (only the bad row
// fails, with its code), retryable row errors (a locked row), batch caps (MaxBatch is
// honoured; a larger Write is refused before any request), the number of
// calls (ceil(n/max) per write, one token fetch), lookups round-tripped,
// injected 429/503 on reads (retried by the shared transport) and on
// writes, and a connection dropped during a write (an error or a clean
// retry, never a silent double write).
//
// The package does import testing; it is only for tests.
package synctest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
)

// Env is one destination over one fresh emulator, with hooks into the
// emulator's state.
type Env struct {
	// Dest is the destination under test, logged in.
	Dest revsync.Destination
	// Records returns the emulator's live records of an object, keyed by
	// field API name (as sftest.Server.Records and zohotest.Server.Records).
	Records func(object string) []map[string]any
	// Faults injects faults into the emulator's next requests.
	Faults *sandbox.Faults
	// Counters counts the emulator's requests (every system it serves).
	Counters *sandbox.Counters
	// IsAuth reports whether a counted request fetched a token.
	IsAuth func(c sandbox.Count) bool
	// Remove, when set, deletes a record in the emulator as a person
	// would, for a destination that never deletes (Zoho Desk): the suite
	// then checks that a delete Write removes nothing, and deletes with
	// Remove where it needs a deleted record.
	Remove func(object, id string) error
}

// Fixture is what the suite writes: one object and how its records look.
type Fixture struct {
	// Object is the object the suite writes, e.g. "Contact" or "Contacts".
	Object string
	// Match is how upserts and Find match records (an external id field,
	// or duplicate-check fields); KeyField is the field holding the key.
	Match    revsync.Match
	KeyField string
	// Valid returns the values of a valid new record number i, with a key
	// (KeyField) unique to i and UpdateField set.
	Valid func(i int) map[string]any
	// UpdateField is a text field the suite changes and clears.
	UpdateField string
	// Invalid is a record the API refuses (e.g. a required field missing)
	// with InvalidCode.
	Invalid     map[string]any
	InvalidCode string
	// Required, ReadOnly: fields Describe must report as required on
	// create, and as neither createable nor updateable.
	Required, ReadOnly []string
	// Picklist is a picklist field whose values include PicklistValue.
	Picklist, PicklistValue string
	// Restricted, when set, is a picklist field Describe must report as
	// restricted.
	Restricted string
	// Typed are further values (dates, booleans, numbers, multi-select)
	// written on insert and read back equal through Read.
	Typed map[string]any
	// Parent, when set, is a lookup the suite round-trips: it inserts a
	// Parent.Object record with Parent.Values, then a record whose
	// Parent.Field holds the parent's id, and reads the id back.
	Parent *Parent
}

// Parent describes a parent record for the lookup case.
type Parent struct {
	Object string
	Values map[string]any
	Field  string
}

// Harness is what a destination hands to Run.
type Harness struct {
	// Fixture is the object the suite writes.
	Fixture Fixture
	// New returns a fresh destination over a fresh, empty emulator (with
	// fast retries: the suite injects faults). It registers its cleanup
	// with t.
	New func(t *testing.T) *Env
	// WriteCalls, when set, is the number of requests a Write of n new
	// records with op makes, for a destination without batch writes (Zoho
	// Desk: one call per record, plus a search per record an upsert
	// matches). Nil: one request per Write.
	WriteCalls func(op revsync.Op, n int) int64
}

// Run runs the conformance suite, each case as a subtest over its own
// emulator.
func Run(t *testing.T, h Harness) {
	cases := []struct {
		name string
		fn   func(*testing.T, *suite)
	}{
		{"Describe", testDescribe},
		{"InsertReadBack", testInsert},
		{"Update", testUpdate},
		{"UpsertCreatedAndIdempotent", testUpsert},
		{"Delete", testDelete},
		{"WriteToDeletedRecordIsGone", testWriteToDeletedRecord},
		{"PartialFailure", testPartialFailure},
		{"RetryableRowError", testLockedRow},
		{"BatchCapsAndCallCounts", testBatchCaps},
		{"FindAfterInsert", testFind},
		{"Lookup", testLookup},
		{"ReadsRetry429And503", testReadFaults},
		{"WriteTransientFault", testWriteFaults},
		{"DroppedConnectionOnWrite", testDroppedWrite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := h.New(t)
			c.fn(t, &suite{Env: env, f: h.Fixture, ctx: context.Background(), writeCalls: h.WriteCalls})
		})
	}
}

// suite is one case's environment.
type suite struct {
	*Env
	f          Fixture
	ctx        context.Context
	writeCalls func(op revsync.Op, n int) int64
}

// callsPerWrite is the number of requests a Write of n new records makes.
func (s *suite) callsPerWrite(op revsync.Op, n int) int64 {
	if s.writeCalls == nil {
		return 1
	}
	return s.writeCalls(op, n)
}

// remove deletes a record: with Env.Remove when set, else through a
// delete Write.
func (s *suite) remove(t *testing.T, id string) {
	t.Helper()
	if s.Remove != nil {
		if err := s.Remove(s.f.Object, id); err != nil {
			t.Fatalf("remove %s %s: %v", s.f.Object, id, err)
		}
		return
	}
	mustOK(t, "delete", s.write(t, revsync.OpDelete, []revsync.Record{{Key: "removed", ID: id}}))
}

// requests counts the emulator's requests so far. The emulator counts a
// request after its handler returns, which may be just after the client
// read the answer, so it waits until the count holds still for 10 ms.
func (s *suite) requests() int64 {
	n := s.Counters.Sum(nil)
	for range 50 {
		time.Sleep(10 * time.Millisecond)
		m := s.Counters.Sum(nil)
		if m == n {
			break
		}
		n = m
	}
	return n
}

// authRequests counts the token requests so far.
func (s *suite) authRequests() int64 { return s.Counters.Sum(s.IsAuth) }

// describe calls Describe (so that schema-dependent writes need no more
// metadata calls) and fails the test on error.
func (s *suite) describe(t *testing.T) *revsync.Schema {
	t.Helper()
	sc, err := s.Dest.Describe(s.ctx, s.f.Object)
	if err != nil {
		t.Fatalf("Describe %s: %v", s.f.Object, err)
	}
	return sc
}

// records builds n valid records numbered from first.
func (s *suite) records(first, n int) []revsync.Record {
	out := make([]revsync.Record, n)
	for i := range out {
		out[i] = revsync.Record{Key: fmt.Sprintf("k%d", first+i), Values: s.f.Valid(first + i)}
	}
	return out
}

// write calls Write and fails the test on a whole-call error.
func (s *suite) write(t *testing.T, op revsync.Op, recs []revsync.Record) []revsync.Result {
	t.Helper()
	res, err := s.Dest.Write(s.ctx, s.f.Object, op, s.f.Match, recs)
	if err != nil {
		t.Fatalf("Write %s %d records: %v", op, len(recs), err)
	}
	if len(res) != len(recs) {
		t.Fatalf("Write %s: %d results for %d records", op, len(res), len(recs))
	}
	return res
}

// mustOK fails the test unless every result succeeded with an id.
func mustOK(t *testing.T, what string, res []revsync.Result) {
	t.Helper()
	for i, r := range res {
		if r.Err != nil || r.ID == "" {
			t.Fatalf("%s: record %d: id %q, error %v", what, i, r.ID, r.Err)
		}
	}
}

// key returns the key value of a fixture record.
func (s *suite) key(values map[string]any) string { return fmt.Sprint(values[s.f.KeyField]) }

// byKey returns the emulator's records holding key, compared
// case-insensitively.
func (s *suite) byKey(key string) []map[string]any {
	var out []map[string]any
	for _, r := range s.Records(s.f.Object) {
		if v, ok := r[s.f.KeyField]; ok && v != nil && strings.EqualFold(fmt.Sprint(v), key) {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single emulator record holding key, failing otherwise.
func (s *suite) one(t *testing.T, key string) map[string]any {
	t.Helper()
	recs := s.byKey(key)
	if len(recs) != 1 {
		t.Fatalf("%d records hold %s=%s, want 1", len(recs), s.f.KeyField, key)
	}
	return recs[0]
}
