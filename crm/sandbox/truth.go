package sandbox

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
)

// WriteTruth writes rows as CSV with the header
// system,object,record_id,true_entity_id, sorted by system, object and
// record id (rows is not modified), so the output is deterministic.
func WriteTruth(w io.Writer, rows []Truth) error {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b Truth) int {
		return cmp.Or(
			cmp.Compare(a.System, b.System),
			cmp.Compare(a.Object, b.Object),
			cmp.Compare(a.RecordID, b.RecordID),
			cmp.Compare(a.EntityID, b.EntityID),
		)
	})
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"system", "object", "record_id", "true_entity_id"}); err != nil {
		return fmt.Errorf("sandbox: write truth header: %w", err)
	}
	for i, t := range sorted {
		if err := cw.Write([]string{string(t.System), t.Object, t.RecordID, t.EntityID}); err != nil {
			return fmt.Errorf("sandbox: write truth row %d: %w", i+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sandbox: write truth: %w", err)
	}
	return nil
}
