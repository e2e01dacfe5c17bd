package zohotest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
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
			return deskInvalid(k, "unknown")
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
