package zohotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// writeOp is the kind of a record write.
type writeOp int

const (
	opInsert writeOp = iota
	opUpdate
	opUpsert
)

var validTriggers = map[string]bool{"workflow": true, "approval": true, "blueprint": true, "pathfinder": true, "orchestration": true}

const maxBody = 32 << 20

// readBody decodes a JSON request body into a map, numbers kept exact.
func readBody(r *http.Request) (map[string]any, *apiError) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "unable to read the request body")
	}
	if len(raw) > maxBody {
		return nil, newErr(http.StatusRequestEntityTooLarge, "LIMIT_EXCEEDED", "the request body is too large")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "the given body is not a valid JSON", "json_path", "$")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "the given body is not a valid JSON", "json_path", "$")
	}
	return body, nil
}

// serveWrite answers insert (POST /{module}), update (PUT /{module},
// PUT /{module}/{id}) and upsert (POST /{module}/upsert), sheet §2.3–2.4.
func (s *Server) serveWrite(c *call, m *module, op writeOp, pathID uint64) {
	scope := "CREATE"
	switch op {
	case opUpdate:
		scope = "UPDATE"
	case opUpsert:
		if !moduleScope(c.scopes, m, "CREATE") {
			c.fail(errScope())
			return
		}
		scope = "UPDATE"
	}
	if !moduleScope(c.scopes, m, scope) {
		c.fail(errScope())
		return
	}
	body, e := readBody(c.r)
	if e != nil {
		c.fail(e)
		return
	}
	rawData, ok := body["data"]
	if !ok {
		c.fail(newErr(http.StatusBadRequest, "MANDATORY_NOT_FOUND", "required field not found", "api_name", "data", "json_path", "$.data"))
		return
	}
	data, ok := rawData.([]any)
	if !ok {
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "expected_data_type", "jsonarray", "api_name", "data", "json_path", "$.data"))
		return
	}
	if len(data) == 0 {
		c.fail(newErr(http.StatusBadRequest, "MANDATORY_NOT_FOUND", "required field not found", "api_name", "data", "json_path", "$.data"))
		return
	}
	if len(data) > maxWriteRecords {
		c.fail(newErr(http.StatusBadRequest, "LIMIT_EXCEEDED", "the number of records exceeds the limit",
			"api_name", "data", "json_path", "$.data", "limit", maxWriteRecords))
		return
	}
	if t, ok := body["trigger"]; ok && t != nil {
		arr, ok := t.([]any)
		if !ok {
			c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "api_name", "trigger", "json_path", "$.trigger"))
			return
		}
		for i, x := range arr {
			if name, _ := x.(string); !validTriggers[name] {
				c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "api_name", "trigger",
					"json_path", fmt.Sprintf("$.trigger[%d]", i)))
				return
			}
		}
	}
	if c.noteParent != nil {
		for _, x := range data {
			if obj, ok := x.(map[string]any); ok {
				obj["Parent_Id"] = map[string]any{"module": map[string]any{"api_name": c.noteParent.Module},
					"id": fmtID(c.noteParent.ID)}
			}
		}
	}
	var dupFields []*Field
	if op == opUpsert {
		if dupFields, e = upsertFields(m, body["duplicate_check_fields"]); e != nil {
			c.fail(e)
			return
		}
	}
	var unmodSince int64
	hasUnmod := false
	if h := c.r.Header.Get("If-Unmodified-Since"); h != "" && op == opUpdate {
		t, err := time.Parse(datetimeLayout, h)
		if err != nil {
			c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "header_name", "If-Unmodified-Since"))
			return
		}
		unmodSince, hasUnmod = t.Unix(), true
	}
	credits := (len(data) + 9) / 10
	if !c.begin(1, len(data) > 10) || !c.charge(credits-1) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if hasUnmod {
		for _, x := range data {
			if obj, ok := x.(map[string]any); ok {
				id, _ := lookupID(obj["id"])
				if pathID != 0 {
					id = pathID
				}
				if r := m.recs[id]; r != nil && r.modified > unmodSince {
					c.fail(newErr(http.StatusPreconditionFailed, "ALREADY_MODIFIED",
						"the record has been modified after the given time", "id", fmtID(id)))
					return
				}
			}
		}
	}
	var batchIDs []uint64
	for _, x := range data {
		if obj, ok := x.(map[string]any); ok {
			if id, ok := lookupID(obj["id"]); ok {
				batchIDs = append(batchIDs, id)
			}
		}
	}
	if pathID != 0 {
		batchIDs = []uint64{pathID}
	}
	locked := lockedIDs(c.fault, batchIDs)
	out := make([]map[string]any, len(data))
	okCount, inserted := 0, 0
	for i, x := range data {
		if pathID != 0 && i > 0 {
			out[i] = recordError("INVALID_DATA", "only one record can be updated through this URL",
				"json_path", fmt.Sprintf("$.data[%d]", i))
			continue
		}
		obj, ok := x.(map[string]any)
		if !ok {
			out[i] = recordError("INVALID_DATA", "invalid data", "expected_data_type", "jsonobject",
				"json_path", fmt.Sprintf("$.data[%d]", i))
			continue
		}
		res, action := s.writeOne(m, op, obj, i, pathID, dupFields, locked)
		out[i] = res
		if res["status"] == "success" {
			okCount++
			if action == "insert" {
				inserted++
			}
		}
	}
	okStatus := http.StatusOK
	if op == opInsert || op == opUpsert && inserted == okCount {
		okStatus = http.StatusCreated
	}
	writeJSON(c.w, batchStatus(okCount, len(data), okStatus), map[string]any{"data": out})
}

// upsertFields resolves the duplicate-check order of an upsert: the listed
// fields (each the module's system duplicate-check field or a unique field),
// then the remaining unique fields; without a list, the system field first.
func upsertFields(m *module, raw any) ([]*Field, *apiError) {
	var out []*Field
	seen := map[string]bool{}
	if raw != nil {
		arr, ok := raw.([]any)
		if !ok {
			return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "api_name", "duplicate_check_fields",
				"json_path", "$.duplicate_check_fields", "expected_data_type", "jsonarray")
		}
		for i, x := range arr {
			name, _ := x.(string)
			f := m.field(name)
			if f == nil || !(f.Unique || name == m.DupField) {
				return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "the given field is not a duplicate check field",
					"api_name", name, "json_path", fmt.Sprintf("$.duplicate_check_fields[%d]", i))
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, f)
			}
		}
	} else if f := m.field(m.DupField); f != nil {
		seen[f.APIName] = true
		out = append(out, f)
	}
	for _, f := range m.fields {
		if f.Unique && !seen[f.APIName] {
			out = append(out, f)
		}
	}
	return out, nil
}

// writeOne validates and applies one record of a write batch. Called with
// s.mu held. It returns the result element and the action taken.
func (s *Server) writeOne(m *module, op writeOp, obj map[string]any, i int, pathID uint64,
	dupFields []*Field, locked map[uint64]bool) (map[string]any, string) {
	jp := func(name string) string { return fmt.Sprintf("$.data[%d].%s", i, name) }
	seModule, _ := obj["$se_module"].(string)
	vals := map[*Field]any{}
	for k, raw := range obj {
		f := m.field(k)
		if f == nil || f.ReadOnly || systemFields[k] {
			continue
		}
		v, rerr := s.coerce(m, f, raw, jp(k), seModule)
		if rerr != nil {
			return rerr, ""
		}
		vals[f] = v
	}
	var target *record
	action := "insert"
	var dupField any
	switch op {
	case opUpdate:
		id := pathID
		if id == 0 {
			raw, ok := obj["id"]
			if !ok {
				return recordError("MANDATORY_NOT_FOUND", "required field not found", "api_name", "id", "json_path", jp("id")), ""
			}
			if id, ok = lookupID(raw); !ok {
				return recordError("INVALID_DATA", "the id given seems to be invalid", "api_name", "id", "json_path", jp("id")), ""
			}
		}
		// A converted lead is answered as a record that does not exist
		// (unconfirmed: the sheet does not say what Zoho answers).
		if target = m.recs[id]; target == nil || isConverted(m, target) {
			return recordError("INVALID_DATA", "the id given seems to be invalid", "id", fmtID(id)), ""
		}
		action = "update"
	case opUpsert:
		if raw, ok := obj["id"]; ok {
			if id, ok := lookupID(raw); ok && m.recs[id] != nil && !isConverted(m, m.recs[id]) {
				target, dupField = m.recs[id], "id"
			}
		}
		for _, f := range dupFields {
			if target != nil {
				break
			}
			if v, ok := vals[f]; ok && v != nil {
				if r := m.findBy(f, v); r != nil {
					target, dupField = r, f.APIName
				}
			}
		}
		if target != nil {
			action = "update"
		}
	}
	if target != nil && locked[target.id] {
		return errLocked(target.id), ""
	}
	if action == "insert" {
		for _, f := range m.fields {
			if !f.SystemMandatory {
				continue
			}
			if v, ok := vals[f]; !ok || v == nil {
				return recordError("MANDATORY_NOT_FOUND", "required field not found", "api_name", f.APIName,
					"json_path", jp(f.APIName)), ""
			}
		}
	} else {
		for f, v := range vals {
			if f.SystemMandatory && v == nil {
				return recordError("MANDATORY_NOT_FOUND", "required field not found", "api_name", f.APIName,
					"json_path", jp(f.APIName)), ""
			}
		}
	}
	if rerr := s.layoutCheck(m, obj, vals, action == "insert", jp); rerr != nil {
		return rerr, ""
	}
	for f, v := range vals {
		if !f.Unique || v == nil {
			continue
		}
		k, ok := uniqueKey(v)
		if !ok {
			continue
		}
		if other, taken := m.unique[f.APIName][k]; taken && (target == nil || other != target.id) {
			return recordError("DUPLICATE_DATA", "duplicate data", "api_name", f.APIName, "json_path", jp(f.APIName),
				"duplicate_record", map[string]any{"id": fmtID(other),
					"module": map[string]any{"api_name": m.APIName, "id": fmtID(m.ID)}}), ""
		}
	}
	me := s.users[0].ID
	now := s.clk.tick()
	r := target
	oldStage := ""
	if r == nil {
		r = &record{id: s.ids.next(), vals: m.newVals(), created: now, creator: me}
		r.vals[m.field("Owner").slot] = userRef(me)
		m.numberNew(r)
	} else {
		if f := m.field("Stage"); f != nil {
			oldStage, _ = m.get(r, f).(string)
		}
		m.indexValues(r, false)
	}
	for f, v := range vals {
		r.vals[f.slot] = v
	}
	r.modified, r.modifier = now, me
	r.ver++
	if m.history != nil {
		s.trackStage(m, r, oldStage, vals, now)
	}
	if target == nil {
		m.insert(r)
	} else {
		m.indexValues(r, true)
		m.touch(r)
	}
	msg := "record added"
	if action == "update" {
		msg = "record updated"
	}
	details := map[string]any{"id": fmtID(r.id), "Created_Time": s.fmtTime(r.created), "Modified_Time": s.fmtTime(r.modified),
		"Created_By": s.userSummary(r.creator), "Modified_By": s.userSummary(r.modifier)}
	if action == "insert" {
		details["$approval_state"] = "approved"
	}
	res := map[string]any{"code": "SUCCESS", "details": details, "message": msg, "status": "success"}
	if op == opUpsert {
		res["action"] = action
		res["duplicate_field"] = dupField
	}
	return res, action
}

func (s *Server) userSummary(id uint64) map[string]any {
	u := s.userByID(id)
	if u == nil {
		return nil
	}
	return map[string]any{"name": u.name(), "id": fmtID(u.ID)}
}

// trackStage keeps a deal's probability in step with its stage and appends
// a Stage_History entry when the stage changed. Called with s.mu held.
func (s *Server) trackStage(m *module, r *record, oldStage string, vals map[*Field]any, now int64) {
	sf, pf := m.field("Stage"), m.field("Probability")
	stage, _ := m.get(r, sf).(string)
	if stage == "" || stage == oldStage {
		return
	}
	if _, given := vals[pf]; !given {
		if p, ok := stageProbability[stage]; ok {
			r.vals[pf.slot] = float64(p)
		}
	}
	s.appendStage(m, r, now)
}

func (s *Server) appendStage(m *module, r *record, at int64) {
	e := stageEntry{ID: s.ids.next(), Stage: fmtValue(m.get(r, m.field("Stage"))), ModifiedBy: r.modifier, At: at}
	if a, ok := m.get(r, m.field("Amount")).(float64); ok {
		e.Amount = &a
	}
	if p, ok := m.get(r, m.field("Probability")).(float64); ok {
		n := int64(p)
		e.Probability = &n
	}
	e.ClosingDate, _ = m.get(r, m.field("Closing_Date")).(string)
	m.history[r.id] = append(m.history[r.id], e)
}

// stageHistoryFields are the fields of a Stage_History entry (names as the
// UI shows them; the API names are unconfirmed in the sheet, §2.7c).
var stageHistoryFields = []string{"Stage", "Amount", "Probability", "Expected_Revenue", "Closing_Date",
	"Modified_By", "Modified_Time", "Duration_Days"}

// serveRelated answers GET /crm/v8/{module}/{id}/{related_list}: the Deals
// Stage_History list and the Notes of a record.
func (s *Server) serveRelated(c *call, m *module, id uint64, rel string) {
	if !moduleScope(c.scopes, m, "READ") {
		c.fail(errScope())
		return
	}
	q := c.r.URL.Query()
	perPage, e := intParam(q, "per_page", maxPerPage, maxPerPage)
	if e != nil {
		c.fail(e)
		return
	}
	page, e := intParam(q, "page", 1, 0)
	if e != nil {
		c.fail(e)
		return
	}
	since, hasSince, e := ifModifiedSince(c.r)
	if e != nil {
		c.fail(e)
		return
	}
	var rows []map[string]any
	switch {
	case m.APIName == "Deals" && rel == "Stage_History":
		want := stageHistoryFields
		if raw := q.Get("fields"); raw != "" {
			want = nil
			for _, n := range strings.Split(raw, ",") {
				if n = strings.TrimSpace(n); n == "id" || n == "" {
					continue
				}
				if !slices.Contains(stageHistoryFields, n) {
					c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "the field name given seems to be invalid",
						"api_name", n, "param_name", "fields"))
					return
				}
				want = append(want, n)
			}
		}
		if !c.begin(1, false) {
			return
		}
		s.mu.RLock()
		rows = s.stageRows(m, id, want, since, hasSince)
		s.mu.RUnlock()
	case rel == "Notes":
		notes := s.modules["notes"]
		if !moduleScope(c.scopes, notes, "READ") {
			c.fail(errScope())
			return
		}
		fields, e := parseFields(notes, q, true)
		if e != nil {
			c.fail(e)
			return
		}
		if !c.begin(1, false) {
			return
		}
		s.mu.RLock()
		pf := notes.field("Parent_Id")
		for _, e := range notes.byID.e {
			if !notes.byID.live(&e) || hasSince && e.r.modified <= since {
				continue
			}
			if rf, ok := notes.get(e.r, pf).(ref); ok && rf.ID == id {
				var b []byte
				b = s.appendRecord(b, notes, e.r, fields)
				var row map[string]any
				json.Unmarshal(b, &row)
				rows = append(rows, row)
			}
		}
		s.mu.RUnlock()
	default:
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "the relation name given seems to be invalid",
			"resource_path_index", 2))
		return
	}
	start := (page - 1) * perPage
	if start >= len(rows) {
		if hasSince {
			c.w.WriteHeader(http.StatusNotModified)
		} else {
			c.w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	end := min(start+perPage, len(rows))
	writeJSON(c.w, http.StatusOK, map[string]any{"data": rows[start:end], "info": map[string]any{
		"per_page": perPage, "count": end - start, "page": page, "more_records": end < len(rows)}})
}

// stageRows renders a deal's stage history, newest first. Called with
// s.mu held for reading.
func (s *Server) stageRows(m *module, id uint64, want []string, since int64, hasSince bool) []map[string]any {
	hist := m.history[id]
	now := s.now().Unix()
	var rows []map[string]any
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		if hasSince && h.At <= since {
			continue
		}
		end := now
		if i+1 < len(hist) {
			end = hist[i+1].At
		}
		all := map[string]any{"Stage": h.Stage, "Amount": nil, "Probability": nil, "Expected_Revenue": nil,
			"Closing_Date": nil, "Modified_By": s.userSummary(h.ModifiedBy), "Modified_Time": s.fmtTime(h.At),
			"Duration_Days": max(0, (end-h.At)/86400)}
		if h.Amount != nil {
			all["Amount"] = *h.Amount
		}
		if h.Probability != nil {
			all["Probability"] = *h.Probability
			if h.Amount != nil {
				all["Expected_Revenue"] = *h.Amount * float64(*h.Probability) / 100
			}
		}
		if h.ClosingDate != "" {
			all["Closing_Date"] = h.ClosingDate
		}
		row := map[string]any{"id": fmtID(h.ID)}
		for _, n := range want {
			row[n] = all[n]
		}
		rows = append(rows, row)
	}
	return rows
}
