package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/salesforce"
	revsync "github.com/revops/revops/sync"
)

// bulkPartBytes bounds the CSV of one ingest job, under
// salesforce.MaxIngestBytes with room for quoting.
const bulkPartBytes = 90_000_000

// bulkDateTime is how datetimes are written in ingest CSVs.
const bulkDateTime = "2006-01-02T15:04:05.000Z"

// bulk writes the records at send through Bulk API 2.0 ingest jobs (one,
// unless the CSV would pass 90 MB) and fills their results.
func (d *Destination) bulk(ctx context.Context, object string, op revsync.Op, m revsync.Match,
	recs []revsync.Record, send []int, out []revsync.Result) error {
	sc, err := d.schema(ctx, object)
	if err != nil {
		return err
	}
	job := salesforce.IngestJob{Object: sc.Object, Operation: string(op)}
	if op == revsync.OpUpsert {
		job.ExternalIDField = m.Field
	}
	header := bulkHeader(op, m, recs, send)
	start := 0
	for start < len(send) {
		var rows [][]string
		size := 0
		end := start
		for ; end < len(send); end++ {
			row := bulkRow(op, sc, header, recs[send[end]])
			rs := rowSize(row)
			if len(rows) > 0 && size+rs > bulkPartBytes {
				break
			}
			rows = append(rows, row)
			size += rs
		}
		if d.overBudget(fmt.Sprintf("a Bulk API 2.0 %s job of %d %s records", op, len(rows), object),
			budget.SalesforceIngestCalls, send[start:end], out) {
			start = end
			continue
		}
		d.log.Debug("salesforce: bulk ingest", "object", object, "operation", op, "rows", len(rows))
		res, err := d.c.Ingest(ctx, job, header, rows)
		if err != nil && budget.IsExceeded(err) {
			// A call of a job already under way was refused: what the
			// job wrote is unknown, so the Write fails (see SetBudget).
			err = fmt.Errorf("salesforce: bulk ingest job of %s stopped: %s", object, err.Error())
		}
		if err != nil {
			if start > 0 {
				// Earlier parts were written: report this part's rows as
				// failed rather than the whole call.
				for _, i := range send[start:] {
					out[i].Err = &revsync.RowError{Code: "BULK_JOB_FAILED", Message: err.Error(), Retryable: true}
				}
				return nil
			}
			return err
		}
		for j, r := range res.Rows {
			i := send[start+j]
			switch {
			case r.Success:
				out[i] = revsync.Result{ID: r.ID, Created: op == revsync.OpInsert || r.Created}
			case op == revsync.OpDelete && r.Error != nil && r.Error.StatusCode == "ENTITY_IS_DELETED":
				out[i] = revsync.Result{ID: recs[i].ID}
			default:
				out[i] = revsync.Result{ID: r.ID, Err: rowError(*r.Error)}
			}
		}
		start = end
	}
	return nil
}

// bulkHeader lists the CSV columns: Id for update and delete, the external
// id field first for upsert, then every value name of the records, sorted.
func bulkHeader(op revsync.Op, m revsync.Match, recs []revsync.Record, send []int) []string {
	if op == revsync.OpDelete {
		return []string{"Id"}
	}
	seen := map[string]bool{}
	var names []string
	for _, i := range send {
		for k := range recs[i].Values {
			lk := strings.ToLower(k)
			if seen[lk] || lk == "id" || k == "attributes" || op == revsync.OpUpsert && strings.EqualFold(k, m.Field) {
				continue
			}
			seen[lk] = true
			names = append(names, k)
		}
	}
	slices.Sort(names)
	switch op {
	case revsync.OpUpdate:
		return append([]string{"Id"}, names...)
	case revsync.OpUpsert:
		return append([]string{m.Field}, names...)
	}
	return names
}

// bulkRow renders one record under header. A value absent from the record
// is "" (unchanged on update, null on insert); nil and "" clear the field
// ("#N/A") on update and upsert.
func bulkRow(op revsync.Op, sc *revsync.Schema, header []string, r revsync.Record) []string {
	row := make([]string, len(header))
	for c, h := range header {
		if strings.EqualFold(h, "Id") {
			row[c] = r.ID
			continue
		}
		v, ok := r.Values[h]
		if !ok {
			v, ok = findValue(r.Values, h)
		}
		if !ok {
			continue
		}
		row[c] = csvValue(sc.Fields[h].Type, v, op != revsync.OpInsert)
	}
	return row
}

// findValue is a case-insensitive lookup that also says whether the key exists.
func findValue(values map[string]any, name string) (any, bool) {
	for k, v := range values {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// csvValue renders a value as an ingest CSV cell (reference sheet §4.3):
// booleans true/false, numbers without separators, datetimes in UTC with
// milliseconds, multi-select values joined by ";". clear is the cell for
// nil and "": "#N/A" on update/upsert, "" on insert.
func csvValue(t revsync.FieldType, v any, clearable bool) string {
	empty := ""
	if clearable {
		empty = "#N/A"
	}
	switch x := v.(type) {
	case nil:
		return empty
	case string:
		if x == "" {
			return empty
		}
		if t == revsync.TypeDatetime {
			if tm, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return tm.UTC().Format(bulkDateTime)
			}
		}
		return strings.ReplaceAll(x, "\r\n", "\n")
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case json.Number:
		return x.String()
	case time.Time:
		if t == revsync.TypeDate {
			return x.Format("2006-01-02")
		}
		return x.UTC().Format(bulkDateTime)
	case []string:
		if len(x) == 0 {
			return empty
		}
		return strings.Join(x, ";")
	case []any:
		if len(x) == 0 {
			return empty
		}
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}

// rowSize estimates a row's CSV bytes (quotes and separators included).
func rowSize(row []string) int {
	n := 1
	for _, c := range row {
		n += len(c) + 3 + strings.Count(c, `"`)
	}
	return n
}
