package zohotest

import (
	"net/http"
	"strings"
	"time"

	"github.com/revops/revops/crm/zoho/zql"
)

// coqlCredits is the credit cost of a COQL call by its LIMIT (sheet §2.8).
func coqlCredits(limit int) int {
	switch {
	case limit <= 200:
		return 1
	case limit <= 1000:
		return 2
	}
	return 3
}

// serveCOQL answers POST /crm/v8/coql (sheet §2.8).
func (s *Server) serveCOQL(c *call) {
	if !hasScope(c.scopes, "zohocrm.coql.read", "zohocrm.coql.all") {
		c.fail(errScope())
		return
	}
	body, e := readBody(c.r)
	if e != nil {
		c.fail(e)
		return
	}
	text, _ := body["select_query"].(string)
	if strings.TrimSpace(text) == "" {
		c.fail(errParamMissing("select_query"))
		return
	}
	q, err := zql.ParseCOQL(text)
	if err != nil {
		c.fail(zqlError(err))
		return
	}
	s.mu.RLock()
	err = q.Check(schema{s})
	m := s.modules[strings.ToLower(q.Module)]
	s.mu.RUnlock()
	if err != nil {
		c.fail(zqlError(err))
		return
	}
	if !moduleScope(c.scopes, m, "READ") ||
		!hasScope(c.scopes, "zohocrm.settings.all", "zohocrm.settings.fields.read", "zohocrm.settings.fields.all",
			"zohocrm.settings.read") {
		c.fail(errScope())
		return
	}
	if !c.begin(coqlCredits(q.Limit), true) {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var rows []map[string]any
	more := false
	if len(q.Aggregates) > 0 || len(q.GroupBy) > 0 {
		var recs []zql.Record
		for i := range m.byID.e {
			e := &m.byID.e[i]
			if m.byID.live(e) && q.Match(view{s, m, e.r}) {
				recs = append(recs, view{s, m, e.r})
			}
		}
		all := q.Aggregate(recs)
		for i, row := range all {
			if i < q.Offset {
				continue
			}
			if len(rows) == q.Limit {
				more = true
				break
			}
			out := map[string]any{}
			for k, v := range row {
				out[k] = coqlValue(v)
			}
			rows = append(rows, out)
		}
	} else {
		var matched []zql.Record
		need := q.Offset + q.Limit + 1
		for i := range m.byID.e {
			e := &m.byID.e[i]
			if !m.byID.live(e) || !q.Match(view{s, m, e.r}) {
				continue
			}
			matched = append(matched, view{s, m, e.r})
			if len(q.OrderBy) == 0 && len(matched) == need {
				break
			}
		}
		q.Sort(matched)
		for i, r := range matched {
			if i < q.Offset {
				continue
			}
			if len(rows) == q.Limit {
				more = true
				break
			}
			rows = append(rows, s.coqlRow(q, r.(view)))
		}
	}
	if len(rows) == 0 {
		c.w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"data": rows, "info": map[string]any{"count": len(rows), "more_records": more}})
}

// coqlRow renders one selected record: lookups as {"id"} only, dotted
// columns under their path, datetimes with the offset, and always the id.
func (s *Server) coqlRow(q *zql.Query, v view) map[string]any {
	row := map[string]any{"id": fmtID(v.r.id)}
	for _, col := range q.Fields {
		if col == "id" {
			continue
		}
		if !strings.Contains(col, ".") {
			if f := v.m.field(col); f != nil {
				switch x := v.m.get(v.r, f).(type) {
				case ref:
					row[col] = map[string]any{"id": fmtID(x.ID)}
					continue
				case userRef:
					row[col] = map[string]any{"id": fmtID(uint64(x))}
					continue
				}
			}
		}
		row[col] = coqlValue(v.Value(col))
	}
	return row
}

func coqlValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(datetimeLayout)
	case map[string]any:
		if id, ok := x["id"]; ok {
			return map[string]any{"id": id}
		}
	}
	return v
}
