package zohotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/revops/revops/crm/sandbox"
)

var deskStatuses = map[string]string{"Open": "Open", "On Hold": "On Hold", "Escalated": "Open", "Closed": "Closed"}

// ticketFields are the keys a ticket create or update may carry.
var ticketFields = map[string]string{
	"subject": "string", "description": "string", "status": "string", "priority": "string", "channel": "string",
	"email": "string", "phone": "string", "category": "string", "subCategory": "string", "classification": "string",
	"language": "string", "contactId": "id", "accountId": "id", "departmentId": "id", "assigneeId": "id",
	"productId": "id", "teamId": "id", "dueDate": "time", "isEscalated": "bool", "cf": "object", "contact": "object",
}

func readDeskBody(r *http.Request) (map[string]any, *deskError) {
	var body map[string]any
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, &deskError{HTTP: http.StatusUnprocessableEntity, Code: "INVALID_DATA",
			Message: "The given JSON is not valid."}
	}
	return body, nil
}

// applyTicket validates body against a ticket and sets its fields. Called
// with s.mu held.
func (s *Server) applyTicket(it *deskItem, body map[string]any, create bool) *deskError {
	for k, v := range body {
		typ, ok := ticketFields[k]
		if !ok {
			return deskInvalid(k, "invalid")
		}
		if v == nil {
			if k == "subject" || k == "status" {
				return deskInvalid(k, "invalid")
			}
			it.f[k] = nil
			continue
		}
		switch typ {
		case "string":
			str, ok := v.(string)
			if !ok || k == "subject" && strings.TrimSpace(str) == "" {
				return deskInvalid(k, "invalid")
			}
			if k == "status" {
				st, ok := deskStatuses[str]
				if !ok {
					return deskInvalid(k, "invalid")
				}
				it.f["statusType"] = st
				it.f["isEscalated"] = str == "Escalated" || it.f["isEscalated"] == true && st != "Closed"
				if st == "Closed" {
					if it.f["closedTime"] == nil {
						it.f["closedTime"] = s.now().UnixMilli()
					}
				} else {
					it.f["closedTime"] = nil
				}
			}
			it.f[k] = str
		case "id":
			str, _ := v.(string)
			id, ok := parseID(str)
			if !ok {
				return deskInvalid(k, "invalid")
			}
			switch k {
			case "contactId":
				if s.desk.kinds[deskContacts].byID[id] == nil {
					return deskInvalid(k, "invalid")
				}
			case "accountId":
				if s.desk.kinds[deskAccounts].byID[id] == nil {
					return deskInvalid(k, "invalid")
				}
			case "departmentId":
				if id != s.desk.department {
					return deskInvalid(k, "invalid")
				}
			}
			it.f[k] = id
		case "time":
			str, _ := v.(string)
			t, err := time.Parse(time.RFC3339, str)
			if err != nil {
				return deskInvalid(k, "invalid")
			}
			it.f[k] = t.UnixMilli()
		case "bool":
			b, ok := v.(bool)
			if !ok {
				return deskInvalid(k, "invalid")
			}
			it.f[k] = b
		case "object":
			obj, ok := v.(map[string]any)
			if !ok {
				return deskInvalid(k, "invalid")
			}
			if k == "contact" {
				if !create {
					return deskInvalid(k, "invalid")
				}
				ln, _ := obj["lastName"].(string)
				em, _ := obj["email"].(string)
				if ln == "" && em == "" {
					return deskInvalid("contact/lastName", "missing")
				}
				fn, _ := obj["firstName"].(string)
				if ln == "" {
					ln = em
				}
				c := s.deskAdd(deskContacts, map[string]any{"firstName": fn, "lastName": ln, "email": em,
					"phone": obj["phone"], "accountId": nil, "type": "End User", "isSpam": false}, 0, 0)
				it.f["contactId"] = c.id
				continue
			}
			it.f[k] = obj
		}
	}
	return nil
}

func (s *Server) deskCreateTicket(w http.ResponseWriter, r *http.Request) {
	body, de := readDeskBody(r)
	if de != nil {
		writeDeskError(w, de)
		return
	}
	for _, k := range []string{"subject", "departmentId"} {
		if _, ok := body[k]; !ok {
			writeDeskError(w, deskInvalid(k, "missing"))
			return
		}
	}
	if _, ok := body["contactId"]; !ok {
		if _, ok := body["contact"]; !ok {
			writeDeskError(w, deskInvalid("contactId", "missing"))
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &deskItem{f: newTicketFields()}
	if de := s.applyTicket(it, body, true); de != nil {
		writeDeskError(w, de)
		return
	}
	s.desk.ticketNo++
	it.f["ticketNumber"] = strconv.Itoa(s.desk.ticketNo)
	if c := s.desk.kinds[deskContacts].byID[toU64(it.f["contactId"])]; c != nil {
		if it.f["email"] == nil {
			it.f["email"] = c.f["email"]
		}
		if it.f["accountId"] == nil && c.f["accountId"] != nil {
			it.f["accountId"] = c.f["accountId"]
		}
	}
	it.id = s.desk.ids.next()
	it.created = s.desk.tick(s.now())
	it.modified = it.created
	s.desk.kinds[deskTickets].add(it)
	writeJSON(w, http.StatusOK, s.deskJSON(deskTickets, it, true))
}

func newTicketFields() map[string]any {
	return map[string]any{"status": "Open", "statusType": "Open", "priority": nil, "channel": "Email",
		"email": nil, "phone": nil, "description": nil, "contactId": nil, "accountId": nil, "departmentId": nil,
		"assigneeId": nil, "teamId": nil, "productId": nil, "closedTime": nil, "dueDate": nil, "responseDueDate": nil,
		"customerResponseTime": nil, "onholdTime": nil, "threadCount": "1", "commentCount": "0", "isOverDue": false,
		"isEscalated": false, "isSpam": false, "isTrashed": false, "category": nil, "subCategory": nil,
		"classification": nil, "language": "English", "cf": map[string]any{}}
}

func (s *Server) deskUpdateTicket(w http.ResponseWriter, r *http.Request, id uint64) {
	body, de := readDeskBody(r)
	if de != nil {
		writeDeskError(w, de)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.desk.kinds[deskTickets].byID[id]
	if it == nil {
		writeDeskError(w, deskErr(http.StatusNotFound, "URL_NOT_FOUND", "The requested resource does not exist."))
		return
	}
	next := &deskItem{id: it.id, f: maps(it.f), created: it.created}
	if de := s.applyTicket(next, body, false); de != nil {
		writeDeskError(w, de)
		return
	}
	it.f = next.f
	it.modified = s.desk.tick(s.now())
	s.desk.kinds[deskTickets].sorted = nil
	writeJSON(w, http.StatusOK, s.deskJSON(deskTickets, it, true))
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// deskCreateRecord answers POST /api/v1/contacts and /api/v1/accounts:
// 200 and the record as stored (sheet §15: no data envelope, no 201).
// Desk does not refuse a second contact with the same e-mail or a second
// account with the same name here: whether the real API does is
// unconfirmed (sheet §15.3), and duplicates exist in real orgs either way.
func (s *Server) deskCreateRecord(w http.ResponseWriter, r *http.Request, kind string) {
	body, de := readDeskBody(r)
	if de != nil {
		writeDeskError(w, de)
		return
	}
	if f := faultFrom(r); f != nil && f.Kind == sandbox.FaultLockRow && len(f.Records) == 0 {
		writeDeskError(w, deskLocked())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &deskItem{f: s.newDeskRecordFields(kind)}
	if de := s.applyRecord(kind, it, body, true); de != nil {
		writeDeskError(w, de)
		return
	}
	it.id = s.desk.ids.next()
	it.created = s.desk.tick(s.now())
	it.modified = it.created
	s.desk.kinds[kind].add(it)
	writeJSON(w, http.StatusOK, s.deskJSON(kind, it, true))
}

// deskUpdateRecord answers PATCH /api/v1/contacts/{id} and
// /api/v1/accounts/{id}: a partial update; keys left out keep their
// values, null clears. An id that does not exist (never did, or moved to
// the trash) answers 404 URL_NOT_FOUND, as a GET of it does (unconfirmed).
func (s *Server) deskUpdateRecord(w http.ResponseWriter, r *http.Request, kind string, id uint64) {
	body, de := readDeskBody(r)
	if de != nil {
		writeDeskError(w, de)
		return
	}
	if f := faultFrom(r); f != nil && f.Kind == sandbox.FaultLockRow {
		if len(f.Records) == 0 || slices.Contains(f.Records, fmtID(id)) {
			writeDeskError(w, deskLocked())
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.desk.kinds[kind].byID[id]
	if it == nil {
		writeDeskError(w, deskErr(http.StatusNotFound, "URL_NOT_FOUND", "The requested resource does not exist."))
		return
	}
	if len(body) == 0 {
		writeDeskError(w, deskErr(http.StatusUnprocessableEntity, "EMPTY_PAYLOAD", "The payload is empty."))
		return
	}
	next := &deskItem{id: it.id, f: maps(it.f), created: it.created}
	if cf, ok := it.f["cf"].(map[string]any); ok {
		next.f["cf"] = maps(cf)
	}
	if de := s.applyRecord(kind, next, body, false); de != nil {
		writeDeskError(w, de)
		return
	}
	it.f = next.f
	it.modified = s.desk.tick(s.now())
	s.desk.kinds[kind].sorted = nil
	writeJSON(w, http.StatusOK, s.deskJSON(kind, it, true))
}

// deskLocked is the answer to a write the lock_row fault holds. Desk
// documents no lock error: 409 RECORD_LOCKED is the emulator's own, named
// after CRM's (unconfirmed), so that clients can test a per-record failure
// worth retrying.
func deskLocked() *deskError {
	return deskErr(http.StatusConflict, "RECORD_LOCKED", "The record is being updated by another process. Try again later.")
}

// newDeskRecordFields are the fields of a new contact or account before
// the create's values apply.
func (s *Server) newDeskRecordFields(kind string) map[string]any {
	f := map[string]any{}
	for _, fd := range s.desk.fields[kind].list {
		if !fd.Custom {
			f[fd.API] = nil
		}
	}
	cf := map[string]any{}
	for _, fd := range s.desk.fields[kind].list {
		if fd.Custom {
			cf[fd.API] = nil
		}
	}
	f["cf"] = cf
	f["isDeleted"], f["isTrashed"] = false, false
	if kind == deskContacts {
		f["type"] = "End User"
		f["isAnonymous"], f["isEndUser"], f["isSpam"] = false, true, false
		f["zohoCRMContact"], f["photoURL"] = nil, nil
		f["customerHappiness"] = map[string]any{"badPercentage": "0", "okPercentage": "0", "goodPercentage": "0"}
	} else {
		f["zohoCRMAccount"] = nil
	}
	return f
}

// applyRecord validates a contact or account create or update body and
// sets its fields; every refused key is listed in the answer's errors
// (422 INVALID_DATA, fieldName "/key" or "/cf/cf_x", errorType missing or
// invalid; the sheet marks this shape unconfirmed for contacts and gives
// it for tickets). Called with s.mu held.
func (s *Server) applyRecord(kind string, it *deskItem, body map[string]any, create bool) *deskError {
	fs := s.desk.fields[kind]
	var errs []map[string]any
	bad := func(field, typ, msg string) {
		errs = append(errs, map[string]any{"fieldName": "/" + field, "errorType": typ, "errorMessage": msg})
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := body[k]
		if fd := fs.byAPI[k]; fd != nil && !fd.Custom {
			val, typ, msg := s.deskValue(fd, v)
			if typ != "" {
				bad(k, typ, msg)
				continue
			}
			it.f[k] = val
			continue
		}
		switch {
		case !deskExtraKeys[kind][k]:
			bad(k, "invalid", "The field "+k+" is not a field of "+kind+".")
		case v == nil:
			if k != "cf" {
				it.f[k] = nil
			}
		case k == "layoutId":
			str, _ := v.(string)
			id, ok := parseID(str)
			if !ok {
				bad(k, "invalid", "A layout id is a number in a string.")
				continue
			}
			it.f[k] = id
		case k == "associatedSLAIds":
			arr, ok := v.([]any)
			if !ok {
				bad(k, "invalid", "associatedSLAIds is a list of ids.")
				continue
			}
			ids := make([]any, 0, len(arr))
			for _, x := range arr {
				str, _ := x.(string)
				if _, ok := parseID(str); !ok {
					bad(k, "invalid", "associatedSLAIds is a list of ids.")
					break
				}
				ids = append(ids, str)
			}
			it.f[k] = ids
		case k == "cf":
			obj, ok := v.(map[string]any)
			if !ok {
				bad(k, "invalid", "cf is an object of custom field values.")
				continue
			}
			cf, _ := it.f["cf"].(map[string]any)
			if cf == nil {
				cf = map[string]any{}
			}
			names := make([]string, 0, len(obj))
			for n := range obj {
				names = append(names, n)
			}
			slices.Sort(names)
			for _, n := range names {
				fd := fs.byAPI[n]
				if fd == nil || !fd.Custom {
					bad("cf/"+n, "invalid", "The custom field "+n+" does not exist.")
					continue
				}
				val, typ, msg := s.deskValue(fd, obj[n])
				if typ != "" {
					bad("cf/"+n, typ, msg)
					continue
				}
				cf[n] = cfString(val)
			}
			it.f["cf"] = cf
		}
	}
	for _, fd := range fs.list {
		if !fd.Mandatory {
			continue
		}
		_, sent := body[fd.API]
		if v, _ := it.f[fd.API].(string); v == "" && (create || sent) && !slices.ContainsFunc(errs, func(e map[string]any) bool {
			return e["fieldName"] == "/"+fd.API
		}) {
			bad(fd.API, "missing", fd.API+" is mandatory.")
		}
	}
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b map[string]any) int {
		return strings.Compare(a["fieldName"].(string), b["fieldName"].(string))
	})
	return &deskError{HTTP: http.StatusUnprocessableEntity, Code: "INVALID_DATA",
		Message: "An invalid value has been passed in the input.", Errors: errs}
}

// deskValue checks one value against its field and returns what to store
// (nil clears; "" is stored as nil), or the errorType and message of a
// refusal.
func (s *Server) deskValue(fd *deskField, v any) (any, string, string) {
	if v == nil {
		if fd.Mandatory {
			return nil, "missing", fd.API + " is mandatory."
		}
		return nil, "", ""
	}
	switch fd.Type {
	case "LookUp":
		str, _ := v.(string)
		id, ok := parseID(str)
		if !ok {
			return nil, "invalid", fd.API + " is a record id in a string."
		}
		if fd.Lookup == deskAccounts && s.desk.kinds[deskAccounts].byID[id] == nil {
			return nil, "invalid", "No account has the id " + str + "."
		}
		return id, "", ""
	case "Decimal", "Number":
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case string:
			var err error
			if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				return nil, "invalid", fd.API + " is a number."
			}
		default:
			return nil, "invalid", fd.API + " is a number."
		}
		if fd.Type == "Number" && f != float64(int64(f)) {
			return nil, "invalid", fd.API + " is a whole number."
		}
		return strconv.FormatFloat(f, 'f', -1, 64), "", ""
	case "Boolean":
		switch x := v.(type) {
		case bool:
			return x, "", ""
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, "", ""
			}
		}
		return nil, "invalid", fd.API + " is true or false."
	case "Date":
		str, _ := v.(string)
		if _, err := time.Parse("2006-01-02", str); err != nil {
			return nil, "invalid", fd.API + " is a date, yyyy-MM-dd."
		}
		return str, "", ""
	case "DateTime":
		str, _ := v.(string)
		t, err := time.Parse(time.RFC3339, str)
		if err != nil {
			return nil, "invalid", fd.API + " is a date and time, yyyy-MM-ddTHH:mm:ss.SSSZ."
		}
		return t.UTC().Format(deskTimeLayout), "", ""
	}
	str, ok := v.(string)
	if !ok {
		return nil, "invalid", fd.API + " is text."
	}
	if fd.Max > 0 && utf8.RuneCountInString(str) > fd.Max {
		return nil, "invalid", fmt.Sprintf("%s is longer than %d characters.", fd.API, fd.Max)
	}
	if strings.TrimSpace(str) == "" {
		if fd.Mandatory {
			return nil, "missing", fd.API + " is mandatory."
		}
		return nil, "", ""
	}
	switch fd.Type {
	case "Email":
		local, domain, ok := strings.Cut(strings.TrimSpace(str), "@")
		if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(domain, "@ ") {
			return nil, "invalid", fd.API + " is not an e-mail address."
		}
	case "Picklist":
		if len(fd.Values) > 0 && !slices.Contains(fd.Values, str) {
			return nil, "invalid", str + " is not a value of " + fd.API + "."
		}
	}
	return str, "", ""
}

// cfString is how custom field values are kept and answered: as strings
// (the sheet's samples), null when empty.
func cfString(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case uint64:
		return fmtID(x)
	}
	return fmt.Sprint(v)
}

// deskMoveToTrash answers POST /api/v1/contacts/moveToTrash
// {"contactIds":[…]} and /api/v1/accounts/moveToTrash {"accountIds":[…]}:
// 204 (sheet §15.1, §15.2). Trashed records leave lists, search and GET
// (404), as the emulator keeps no recycle bin for them.
func (s *Server) deskMoveToTrash(w http.ResponseWriter, r *http.Request, kind string) {
	body, de := readDeskBody(r)
	if de != nil {
		writeDeskError(w, de)
		return
	}
	key := "contactIds"
	if kind == deskAccounts {
		key = "accountIds"
	}
	arr, ok := body[key].([]any)
	if !ok || len(arr) == 0 {
		writeDeskError(w, deskInvalid(key, "missing"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]uint64, 0, len(arr))
	for _, x := range arr {
		str, _ := x.(string)
		id, ok := parseID(str)
		if !ok || s.desk.kinds[kind].byID[id] == nil {
			writeDeskError(w, deskInvalid(key, "invalid"))
			return
		}
		ids = append(ids, id)
	}
	s.desk.trash(kind, ids)
	w.WriteHeader(http.StatusNoContent)
}

// trash removes records of kind. Called with s.mu held.
func (d *deskStore) trash(kind string, ids []uint64) {
	k := d.kinds[kind]
	gone := map[uint64]bool{}
	for _, id := range ids {
		gone[id] = true
		delete(k.byID, id)
	}
	k.items = slices.DeleteFunc(k.items, func(it *deskItem) bool { return gone[it.id] })
	k.sorted = nil
}

// MoveDeskToTrash moves Desk contacts or accounts to the trash, as an
// agent deleting them would (POST /api/v1/{kind}/moveToTrash); unknown ids
// are an error.
func (s *Server) MoveDeskToTrash(kind string, ids ...string) error {
	kind = strings.ToLower(kind)
	s.mu.Lock()
	defer s.mu.Unlock()
	if kind != deskContacts && kind != deskAccounts {
		return fmt.Errorf("zohotest: move %s to the trash: contacts or accounts only", kind)
	}
	nums := make([]uint64, 0, len(ids))
	for _, id := range ids {
		n, ok := parseID(id)
		if !ok || s.desk.kinds[kind].byID[n] == nil {
			return fmt.Errorf("zohotest: move %s to the trash: no record %q", kind, id)
		}
		nums = append(nums, n)
	}
	s.desk.trash(kind, nums)
	return nil
}
