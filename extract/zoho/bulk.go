package zoho

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
)

// Bulk Read for large reads.
//
// A read starts with the list API. When its first page says more records
// follow, one count call (GET /{module}/actions/count, with the read's
// Modified_Time criteria) tells how many the read holds; above
// Options.BulkThreshold the first page is dropped and the read goes
// through Bulk Read instead: one job per 200,000 records (50 credits
// each) instead of one call per 200. Reads of one page make no count
// call. The export asks for the module's fields by API name, plus
// "Lookup.<display field>" for each lookup (the name the list API shows;
// see zoho.DisplayField) and, when a user lookup is among them, the users
// list for the owners' names, so that every CSV cell becomes the value
// the list API gives and lands typed by the same Batcher:
//
//	empty cell                   → null (the list API has null for empty text too)
//	multi-select "a;b"           → [a, b] (the separator is unconfirmed)
//	lookup id + display column   → {name, id}
//	user lookup id               → {name from the users list, id}
//	anything else                → the text, typed like a JSON string value
//
// Modules with a field the CSV cannot carry like the list API (a lookup
// to several modules, such as Tasks' What_Id; fields that land as JSON)
// stay on the list API, and so does a source whose token lacks the bulk
// scope (ZohoCRM.bulk.read) or the users scope, with a warning.
//
// Bulk Read has no order by Modified_Time, so a page is a checkpoint only
// as a whole: after each page the stream offers a checkpoint that holds
// the next page's token (bulk in the cursor); a read that is killed or
// fails resumes at that page (a new job with the token), never reading a
// page twice once it is committed. A token that expired (24 h) or no
// longer fits the fields starts the Bulk Read over. When the read ends,
// the cursor's modified is the server time at its start: records changed
// while it ran are read again by the next run. Deletions still come from
// the deleted-records API first.

// bulkState is a Bulk Read part way, as a checkpoint keeps it.
type bulkState struct {
	// Started is the server time at the start of the Bulk Read: the
	// cursor's modified once it ends.
	Started string `json:"started"`
	// Since is the Modified_Time criteria (strictly after); "" for all.
	Since string `json:"since,omitempty"`
	// Full marks a full read.
	Full bool `json:"full,omitempty"`
	// Page is the next page to read and Token its page_token ("" for page 1).
	Page  int    `json:"page"`
	Token string `json:"token,omitempty"`
	// Job is the job of the last page read whole.
	Job string `json:"job,omitempty"`
}

// errUseBulk stops the list API's read for a Bulk Read.
var errUseBulk = errors.New("large read: Bulk Read")

// noBulkError says why Bulk Read cannot serve a read.
type noBulkError struct{ reason string }

func (e *noBulkError) Error() string { return "no Bulk Read: " + e.reason }

// bulkOn reports whether reads may go through Bulk Read.
func (e *Extractor) bulkOn() bool {
	return !e.opts.desk && e.opts.BulkThreshold > 0 && !e.noBulk.Load()
}

// bulkDecision is the list read's First hook: on a first page with more
// to come, a count call decides whether the read goes through Bulk Read.
func (e *Extractor) bulkDecision(ctx context.Context, module string, p plan, converted string) func(bool) error {
	return func(more bool) error {
		if !more {
			return nil
		}
		criteria := ""
		if !p.since.IsZero() {
			criteria = "(Modified_Time:greater_than:" + zoho.CriteriaValue(p.since.Format(zoho.DateTimeLayout)) + ")"
		}
		n, err := e.c.Count(ctx, module, criteria, converted)
		if err != nil {
			e.log.Warn("zoho extract: count failed; reading through the list API", "source", e.name, "object", module, "error", err)
			return nil
		}
		if n > e.opts.BulkThreshold {
			e.log.Info("many records, using Bulk Read", "source", e.name, "object", module, "records", n,
				"threshold", e.opts.BulkThreshold)
			return errUseBulk
		}
		return nil
	}
}

// bulkColumn maps one export column (or two, for a lookup) to a record key.
type bulkColumn struct {
	key        string // the record key the Batcher reads (the field's API name)
	list       bool   // a multi-select picklist
	lookup     bool   // a module lookup: id, and the name in nameCol
	user       bool   // a user lookup: id, the name from the users list
	name       string // the display column of a lookup ("Account_Name.Account_Name")
	at, nameAt int
}

// bulkExport is what a Bulk Read asks for and how its rows become records.
type bulkExport struct {
	fields []string
	cols   []bulkColumn
	users  bool
	idAt   int
}

// newBulkExport plans the export of cols; the error is a *noBulkError
// when the CSV cannot carry a column like the list API.
func newBulkExport(cols []extract.Column, fields []zoho.Field) (*bulkExport, error) {
	byName := make(map[string]zoho.Field, len(fields))
	for _, f := range fields {
		byName[f.APIName] = f
	}
	x := &bulkExport{}
	for _, c := range cols {
		key := c.Key()
		if key == "id" {
			continue
		}
		f := byName[key]
		bc := bulkColumn{key: key}
		switch strings.ToLower(f.DataType) {
		case "lookup":
			target := f.LookupModule()
			if target == "" {
				return nil, &noBulkError{fmt.Sprintf("%s is a lookup to several modules", key)}
			}
			bc.lookup, bc.name = true, key+"."+zoho.DisplayField(target)
		case "ownerlookup", "userlookup":
			bc.user = true
			x.users = true
		case "multiselectpicklist":
			bc.list = true
		}
		if c.Kind == extract.KindJSON {
			return nil, &noBulkError{fmt.Sprintf("%s (%s) has no CSV form", key, f.DataType)}
		}
		x.fields = append(x.fields, key)
		if bc.lookup {
			x.fields = append(x.fields, bc.name)
		}
		x.cols = append(x.cols, bc)
	}
	return x, nil
}

// bind finds the columns in an export's header.
func (x *bulkExport) bind(header []string) error {
	at := make(map[string]int, len(header))
	for i, h := range header {
		at[h] = i
	}
	var ok bool
	if x.idAt, ok = at["id"]; !ok {
		if x.idAt, ok = at["Id"]; !ok {
			return errors.New("the export has no id column")
		}
	}
	for i := range x.cols {
		c := &x.cols[i]
		if c.at, ok = at[c.key]; !ok {
			return fmt.Errorf("the export has no column %s", c.key)
		}
		if c.lookup {
			if c.nameAt, ok = at[c.name]; !ok {
				return fmt.Errorf("the export has no column %s", c.name)
			}
		}
	}
	return nil
}

// record turns one row into the record the list API would have given.
func (x *bulkExport) record(row []string, users map[string]string) map[string]any {
	rec := make(map[string]any, len(x.cols)+1)
	rec["id"] = row[x.idAt]
	for _, c := range x.cols {
		v := row[c.at]
		if v == "" {
			continue
		}
		switch {
		case c.user:
			l := map[string]any{"id": v, "name": nil}
			if n, ok := users[v]; ok {
				l["name"] = n
			}
			rec[c.key] = l
		case c.lookup:
			l := map[string]any{"id": v, "name": nil}
			if n := row[c.nameAt]; n != "" {
				l["name"] = n
			}
			rec[c.key] = l
		case c.list:
			parts := strings.Split(v, ";")
			vals := make([]any, len(parts))
			for i, p := range parts {
				vals[i] = p
			}
			rec[c.key] = vals
		default:
			rec[c.key] = v
		}
	}
	return rec
}

// refused reports errors that mean this source cannot use Bulk Read (a
// scope or permission it lacks) rather than a failure of this read.
func refused(err error) bool {
	return zoho.IsCode(err, "OAUTH_SCOPE_MISMATCH", "NO_PERMISSION", "NOT_SUPPORTED", "AUTHORIZATION_FAILED")
}

// readBulk reads the pages of Bulk Read st from its next one on, hands
// their records to b and, after each page but the last, the checkpoint
// that resumes at the next page to setCkpt. It returns the cursor at the
// end, or (with incomplete) the checkpoint where Options.MaxCalls stopped
// it; a *noBulkError when Bulk Read cannot serve the read.
func (e *Extractor) readBulk(ctx context.Context, obj extract.Object, p plan, st bulkState, fields []zoho.Field,
	cols []extract.Column, b *batcher, bud budget, setCkpt func(string)) (string, bool, error) {
	x, err := newBulkExport(cols, fields)
	if err != nil {
		return "", false, err
	}
	var users map[string]string
	if x.users {
		list, err := e.c.Users(ctx, "AllUsers")
		if err != nil {
			if refused(err) {
				return "", false, &noBulkError{fmt.Sprintf("the users list (for owners' names) is refused: %v", err)}
			}
			return "", false, err
		}
		users = make(map[string]string, len(list))
		for _, u := range list {
			users[u.ID] = u.FullName
		}
	}
	var crit *zoho.Criterion
	if st.Since != "" {
		crit = &zoho.Criterion{Field: "Modified_Time", Comparator: "greater_than", Value: at(st.Since).Format(zoho.DateTimeLayout)}
	}
	restarted := false
	for {
		q := zoho.BulkReadQuery{Module: obj.Name, Fields: x.fields, Criteria: crit, PageToken: st.Token}
		id, err := e.c.CreateBulkRead(ctx, q)
		switch {
		case err != nil && st.Token != "" && !restarted &&
			zoho.IsCode(err, "EXPIRED_VALUE", "TOKEN_BOUND_DATA_MISMATCH", "INVALID_DATA"):
			e.log.Info("zoho extract: the Bulk Read's page token no longer holds; starting it over", "source", e.name,
				"object", obj.Name, "page", st.Page, "error", err)
			st.Page, st.Token, restarted = 1, "", true
			continue
		case err != nil && refused(err):
			e.noBulk.Store(true)
			return "", false, &noBulkError{err.Error()}
		case err != nil && zoho.IsCode(err, "INVALID_DATA", "INVALID_MODULE") && st.Page == 1:
			return "", false, &noBulkError{err.Error()}
		case err != nil:
			return "", false, err
		}
		job, err := e.c.WaitBulkRead(ctx, obj.Name, id)
		if err != nil {
			return "", false, err
		}
		err = e.c.DownloadBulkRead(ctx, obj.Name, job.Result, x.bind, func(row []string) error {
			return b.add(x.record(row, users), nil)
		})
		if err != nil {
			return "", false, err
		}
		more := job.Result.MoreRecords && job.Result.NextPageToken != ""
		st.Page, st.Token, st.Job = st.Page+1, job.Result.NextPageToken, id
		var ckpt string
		if more {
			c := cursor{Modified: p.prev.Modified, Full: p.prev.Full, Deleted: p.next.Deleted,
				FullStarted: p.fullStarted, Schema: p.next.Schema}
			s := st
			c.Bulk = &s
			ckpt = c.String()
			setCkpt(ckpt)
		}
		if err := b.flush(); err != nil { // the page's last rows carry its checkpoint
			return "", false, err
		}
		if !more {
			break
		}
		if bud.left() == 0 {
			e.log.Info("zoho extract stopped at max_calls; the next run continues", "source", e.name, "object", obj.Name,
				"page", st.Page)
			return ckpt, true, nil
		}
	}
	next := p.next
	// Records changed while the export ran may hold their old values in
	// it: the next read starts at the export's start.
	next.Modified = st.Started
	if p.full && st.Full && next.Full == "" {
		next.Full = st.Started
	}
	return next.String(), false, nil
}
