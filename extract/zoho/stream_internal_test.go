package zoho

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/extract"
)

// TestStreamReadsAheadWithinBytes: the producer builds batches ahead of
// the reader while they fit in aheadBytes, then waits for the reader;
// every batch arrives, in order.
func TestStreamReadsAheadWithinBytes(t *testing.T) {
	cols := []extract.Column{{Name: "id", Kind: extract.KindString}}
	one := func(id string) batch {
		b := extract.NewBatcher(cols)
		defer b.Release()
		if err := b.Append(map[string]any{"id": id}, nil); err != nil {
			t.Fatal(err)
		}
		return batch{rec: b.Flush()}
	}
	probe := one("x")
	size := batchBytes(probe.rec)
	probe.rec.Release()
	old := aheadBytes
	aheadBytes = 3 * size
	defer func() { aheadBytes = old }()

	var emitted atomic.Int64
	const total = 10
	s := newStream(context.Background(), extract.NewBatcher(cols).Schema(), func(ctx context.Context, emit func(batch) error) (string, bool, error) {
		for i := range total {
			if err := emit(one(string(rune('a' + i)))); err != nil {
				return "", false, err
			}
			emitted.Add(1)
		}
		return "done", false, nil
	})
	defer s.Release()
	// settled waits until the producer has emitted want batches and stays there.
	settled := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for emitted.Load() < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		if got := emitted.Load(); got != want {
			t.Fatalf("producer emitted %d batches ahead, want %d", got, want)
		}
	}
	settled(3) // three batches fit; the fourth waits for room
	var got []string
	for s.Next() {
		got = append(got, s.RecordBatch().Column(0).ValueStr(0))
		if len(got) == 1 {
			settled(4) // one read: room for one more
		}
	}
	if s.Err() != nil || s.Cursor() != "done" || len(got) != total || got[0] != "a" || got[total-1] != "j" {
		t.Fatalf("read %v, err %v, cursor %q", got, s.Err(), s.Cursor())
	}
}
