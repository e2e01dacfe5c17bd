package sftest

import (
	"net/http"
	"time"

	"github.com/revops/revops/crm/salesforce/soql"
)

// maxAggregateRows is the most groups an aggregate query may answer: its
// results get no query locator (reference sheet §10.3).
const maxAggregateRows = 2000

// writeAggregate answers an aggregate query with AggregateResult rows:
// attributes with the type only, then the SELECT items in order under
// their column names (alias, exprN, or the grouped field's API name).
// totalSize is the number of groups; there is never a next page. The
// caller holds s.mu.
func (s *Server) writeAggregate(w http.ResponseWriter, p *plan, seqs []int64) *restError {
	rows := make([]soql.Row, 0, len(seqs))
	for _, sq := range seqs {
		if r := p.t.rec(sq); r != nil {
			rows = append(rows, row{p, sq, r})
		}
	}
	groups := p.q.Aggregate(rows, s.opts.Now())
	if len(groups) > maxAggregateRows {
		// The text was seen on the wire; the errorCode is unconfirmed.
		return newRESTError(http.StatusBadRequest, "EXCEEDED_ID_LIMIT",
			"Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch")
	}
	cols := p.q.Columns()
	fields := make([]*Field, len(cols))
	for i, c := range cols {
		if c.Item.Field != "" {
			if acc, ok := s.compilePath(p.t.def.Name, c.Item.Field); ok {
				fields[i] = acc.field
			}
		}
	}
	recs := make([]obj, 0, len(groups))
	for _, g := range groups {
		o := make(obj, 0, len(cols)+1)
		o = append(o, kv{"attributes", obj{{"type", "AggregateResult"}}})
		for i, c := range cols {
			o = append(o, kv{c.Name, aggregateJSON(c.Item, fields[i], g.Value(c.Item.Key()))})
		}
		recs = append(recs, o)
	}
	writeJSON(w, http.StatusOK, obj{{"totalSize", len(recs)}, {"done", true}, {"records", recs}})
	return nil
}

// aggregateJSON renders one AggregateResult value: counts and date
// function results as integers, SUM and AVG as numbers, grouped values and
// MIN/MAX like the field itself (dates and datetimes as strings: for
// MIN/MAX unconfirmed), null as null.
func aggregateJSON(it soql.Item, f *Field, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		return x
	case time.Time:
		if it.Type == soql.TypeDate || it.Func == "DAY_ONLY" {
			return x.UTC().Format("2006-01-02")
		}
		return formatMS(toMS(x))
	case float64:
		switch {
		case it.Kind == soql.ItemFunc && it.Func != "MIN" && it.Func != "MAX":
			return x
		case f != nil && f.Type == TypeInt:
			return int64(x)
		}
		return x
	}
	return v
}
