package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/zoho"
	revsync "github.com/revops/revops/sync"
)

// restMessages are the REST API's messages for the codes a bulk write
// result carries without one, so that a row fails with the same words
// whichever path wrote it.
var restMessages = map[string]string{
	"MANDATORY_NOT_FOUND": "required field not found",
	"INVALID_DATA":        "invalid data",
	"DUPLICATE_DATA":      "duplicate data",
	"RESOURCE_NOT_FOUND":  "the record was not found",
}

// bulkRetryable are the bulk result codes worth sending again later.
var bulkRetryable = map[string]bool{"CANNOT_PROCESS": true, "LIMIT_EXCEEDED": true, "BLOCKED_RECORD": true,
	"RECORD_LOCKED": true, "INTERNAL_ERROR": true}

// bulkWrite writes the records at send to module through Bulk Write jobs
// and fills their results as the REST path does: created (added) or
// updated with the record's id, or a RowError with Zoho's code and the
// column it names. Records are grouped by the fields they carry (an empty
// cell clears a field, so a record may only share a file with records
// setting the same fields); a group of at most the bulk threshold, or an
// upsert matched on more than one field (a job finds by one), goes through
// the REST calls instead. Each job takes up to 25,000 records. A failed
// job fails the whole Write (the engine resolves its records before
// sending any again).
func (d *Destination) bulkWrite(ctx context.Context, module string, op revsync.Op, dup []string, recs []revsync.Record, send []int, out []revsync.Result) error {
	sc, err := d.schemaOf(ctx, module)
	if err != nil {
		return err
	}
	findBy := ""
	switch op {
	case revsync.OpUpdate:
		findBy = "id"
	case revsync.OpUpsert:
		switch len(dup) {
		case 0:
			if findBy = systemDupField[strings.ToLower(module)]; findBy == "" {
				findBy = "Name"
			}
		case 1:
			findBy = dup[0]
		}
	}
	groups := map[string][]int{}
	var order []string
	for _, i := range send {
		names := make([]string, 0, len(recs[i].Values))
		for k := range recs[i].Values {
			if k != "id" && sc.dataType[k] != "" {
				names = append(names, k)
			}
		}
		slices.Sort(names)
		key := strings.Join(names, "\x00")
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	for _, key := range order {
		rows := groups[key]
		if len(rows) <= d.bulkThreshold || op == revsync.OpUpsert && findBy == "" {
			for start := 0; start < len(rows); start += zoho.MaxWrite {
				part := rows[start:min(start+zoho.MaxWrite, len(rows))]
				if d.overBudget(module, op, len(part), zohoRESTCost(op, len(part)), part, out) {
					continue
				}
				if err := d.writeCall(ctx, module, op, dup, recs, part, out); err != nil {
					return err
				}
			}
			continue
		}
		var names []string
		if key != "" {
			names = strings.Split(key, "\x00")
		}
		for start := 0; start < len(rows); start += zoho.BulkWriteMaxRecords {
			part := rows[start:min(start+zoho.BulkWriteMaxRecords, len(rows))]
			if d.overBudget(module, op, len(part), zoho.BulkWriteCredits+4, part, out) {
				continue
			}
			if err := d.bulkJob(ctx, sc, module, op, findBy, names, recs, part, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// bulkJob writes one file of records that set the same fields.
func (d *Destination) bulkJob(ctx context.Context, sc *schema, module string, op revsync.Op, findBy string, names []string,
	recs []revsync.Record, part []int, out []revsync.Result) error {
	header := slices.Clone(names)
	if op == revsync.OpUpdate {
		header = append([]string{"id"}, header...)
	}
	maps := make([]zoho.BulkFieldMapping, len(header))
	for c, h := range header {
		maps[c] = zoho.BulkFieldMapping{APIName: h, Index: c}
		switch sc.dataType[h] {
		case "lookup", "ownerlookup", "userlookup":
			maps[c].FindBy = "id"
		case "date":
			maps[c].Format = zoho.BulkDateFormat
		case "datetime":
			maps[c].Format = zoho.BulkDateTimeFormat
		}
	}
	rows := make([][]string, len(part))
	for j, i := range part {
		row := make([]string, len(header))
		for c, h := range header {
			if h == "id" {
				row[c] = recs[i].ID
				continue
			}
			row[c] = bulkCell(writeValue(sc.dataType[h], recs[i].Values[h]))
		}
		rows[j] = row
	}
	d.log.Debug("zoho: bulk write", "module", module, "operation", op, "records", len(rows), "find_by", findBy)
	res, err := d.c.BulkWrite(ctx, zoho.BulkWriteRequest{Module: module, Operation: string(op), FindBy: findBy,
		Header: header, Mappings: maps, Rows: rows})
	if err != nil {
		return err
	}
	for j, i := range part {
		r := res[j]
		switch r.Status {
		case "added", "updated":
			id := r.RecordID
			if id == "" {
				id = recs[i].ID
			}
			out[i] = revsync.Result{ID: id, Created: r.Status == "added"}
		case "unprocessed":
			out[i] = revsync.Result{Err: &revsync.RowError{Code: "UNPROCESSED", Retryable: true,
				Message: "the bulk write job ended before this record; it is sent again next run"}}
		default:
			out[i] = revsync.Result{Err: bulkRowError(module, op, recs[i], r)}
		}
	}
	return nil
}

// bulkRowError maps a skipped row's errors.
func bulkRowError(module string, op revsync.Op, rec revsync.Record, r zoho.BulkWriteRow) *revsync.RowError {
	e := &revsync.RowError{Code: "UNKNOWN", Message: "the record was skipped"}
	if len(r.Errors) > 0 {
		e.Code = r.Errors[0].Code
		e.Message = restMessages[e.Code]
		if e.Message == "" {
			e.Message = strings.ToLower(strings.ReplaceAll(e.Code, "_", " "))
		}
		for _, x := range r.Errors {
			if x.Field != "" && x.Field != "id" && !slices.Contains(e.Fields, x.Field) {
				e.Fields = append(e.Fields, x.Field)
			}
		}
		if len(r.Errors) > 1 {
			var more []string
			for _, x := range r.Errors[1:] {
				more = append(more, x.Code+" "+x.Field)
			}
			e.Message += " (also " + strings.Join(more, ", ") + ")"
		}
		e.Retryable = bulkRetryable[e.Code]
		if op == revsync.OpUpdate && e.Code == "RESOURCE_NOT_FOUND" && r.Errors[0].Field == "id" {
			e.Gone = true
			e.Message = fmt.Sprintf("%s %s: %s (the record no longer exists)", module, rec.ID, e.Message)
		}
	}
	return e
}

// bulkCell renders a REST write value (see writeValue) as a CSV cell:
// lookups by id, multi-select values joined by ";" (the separator is
// unconfirmed), booleans true/false, numbers as JSON writes them; nil is
// the empty cell, which clears the field.
func bulkCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		return bulkCell(x["id"])
	case []string:
		return strings.Join(x, ";")
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = bulkCell(p)
		}
		return strings.Join(parts, ";")
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}
