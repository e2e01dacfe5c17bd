package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ResetResult counts what Reset forgot.
type ResetResult struct {
	Sync string   `json:"sync"`
	Keys []string `json:"keys,omitempty"`
	// Snapshots are rows revops held as written (or unlinked); Failures
	// and Reviews recorded failures and review entries; Inflight writes
	// whose outcome was unknown (forgotten only with force).
	Snapshots int64 `json:"snapshots"`
	Failures  int64 `json:"failures"`
	Reviews   int64 `json:"reviews"`
	Inflight  int64 `json:"inflight"`
}

// ErrInflight: a reset would forget writes whose outcome is unknown.
var ErrInflight = errors.New("writes in flight")

// Reset forgets what revops knows of a sync (keys empty) or of some of
// its rows: the snapshots (what was written, and the rows unlinked from
// deleted records), the recorded failures and review entries. The sync's
// next run then treats those rows as new: a sync matched by external id
// or duplicate-check values finds its records again and updates them, an
// unlinked row is written again (created, when its record is gone); a
// sync matched by record id that creates (match.create_key) creates them
// again, and the destination refuses the create keys it already holds.
// Writes still in flight (an earlier run stopped before recording their
// answer) are resolved by the sync's next run; Reset refuses to forget
// them unless force (their creates may then be sent again). Everything
// is forgotten in one transaction.
func Reset(ctx context.Context, w Warehouse, sync string, keys []string, force bool) (*ResetResult, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	res := &ResetResult{Sync: sync, Keys: keys}
	where, args := "sync = ?", []any{sync}
	if len(keys) > 0 {
		where += " AND key IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ") + ")"
		for _, k := range keys {
			args = append(args, k)
		}
	}
	count := func(table string) (int64, error) {
		rows, err := queryRows(ctx, w, "SELECT count(*) FROM _revops."+table+" WHERE "+where, args...)
		if err != nil {
			return 0, fmt.Errorf("sync %s: reset: count %s: %w", sync, table, err)
		}
		return num(rows[0][0]), nil
	}
	var err error
	if res.Inflight, err = count("sync_inflight"); err != nil {
		return nil, err
	}
	if res.Inflight > 0 && !force {
		return res, fmt.Errorf("sync %s: %d writes sent by an earlier run have an unknown outcome; run `revops sync %s` first to resolve them "+
			"(or reset with --force: creates among them may then be sent again): %w", sync, res.Inflight, sync, ErrInflight)
	}
	if res.Snapshots, err = count("sync_snapshots"); err != nil {
		return nil, err
	}
	if res.Failures, err = count("sync_failures"); err != nil {
		return nil, err
	}
	if res.Reviews, err = count("sync_review"); err != nil {
		return nil, err
	}
	var b batch
	for _, t := range []string{"sync_snapshots", "sync_failures", "sync_review", "sync_inflight"} {
		b.add("DELETE FROM _revops."+t+" WHERE "+where, args...)
	}
	if err := b.exec(ctx, w); err != nil {
		return nil, fmt.Errorf("sync %s: reset: %w", sync, err)
	}
	return res, nil
}

// Review is one row of _revops.sync_review: a row whose duplicate-check
// values matched several records, not written.
type Review struct {
	Sync       string         `json:"sync"`
	Key        string         `json:"key"`
	Candidates []Candidate    `json:"candidates"`
	Values     map[string]any `json:"values,omitempty"`
	Message    string         `json:"message"`
	Attempts   int64          `json:"attempts"`
	FirstSeen  time.Time      `json:"first_seen"`
	LastSeen   time.Time      `json:"last_seen"`
	RunID      string         `json:"run_id"`
}

// Reviews lists the rows under review of the named syncs (all when names
// is empty), newest first, at most limit (0 = all).
func Reviews(ctx context.Context, w Warehouse, names []string, limit int) ([]Review, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := whereSyncs(`SELECT sync, key, candidates, row_values, message, attempts, first_seen, last_seen, run_id FROM _revops.sync_review`, nil, names)
	q += ` ORDER BY last_seen DESC, sync, key`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sync: list rows under review: %w", err)
	}
	out := make([]Review, len(rows))
	for i, r := range rows {
		out[i] = Review{Sync: str(r[0]), Key: str(r[1]), Values: parseJSONMap(str(r[3])), Message: str(r[4]), Attempts: num(r[5]),
			FirstSeen: tm(r[6]), LastSeen: tm(r[7]), RunID: str(r[8])}
		_ = json.Unmarshal([]byte(str(r[2])), &out[i].Candidates)
	}
	return out, nil
}
