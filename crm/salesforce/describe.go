package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SObject is one entry of describeGlobal (and the head of a describe).
type SObject struct {
	Name          string `json:"name"`
	Label         string `json:"label"`
	LabelPlural   string `json:"labelPlural"`
	KeyPrefix     string `json:"keyPrefix"`
	Custom        bool   `json:"custom"`
	Createable    bool   `json:"createable"`
	Updateable    bool   `json:"updateable"`
	Deletable     bool   `json:"deletable"`
	Queryable     bool   `json:"queryable"`
	Replicateable bool   `json:"replicateable"`
	Retrieveable  bool   `json:"retrieveable"`
	Searchable    bool   `json:"searchable"`
}

// Global is the answer of describeGlobal.
type Global struct {
	Encoding     string    `json:"encoding"`
	MaxBatchSize int       `json:"maxBatchSize"`
	SObjects     []SObject `json:"sobjects"`
}

// Find returns the object named name (case-insensitively).
func (g *Global) Find(name string) (SObject, bool) {
	for _, o := range g.SObjects {
		if strings.EqualFold(o.Name, name) {
			return o, true
		}
	}
	return SObject{}, false
}

// PicklistValue is one value of a picklist field.
type PicklistValue struct {
	Value        string `json:"value"`
	Label        string `json:"label"`
	Active       bool   `json:"active"`
	DefaultValue bool   `json:"defaultValue"`
}

// Field is one field of a describe.
type Field struct {
	Name              string          `json:"name"`
	Label             string          `json:"label"`
	Type              string          `json:"type"` // id, reference, string, … (lower case)
	SOAPType          string          `json:"soapType"`
	Length            int             `json:"length"`
	Precision         int             `json:"precision"`
	Scale             int             `json:"scale"`
	Digits            int             `json:"digits"`
	Nillable          bool            `json:"nillable"`
	Createable        bool            `json:"createable"`
	Updateable        bool            `json:"updateable"`
	DefaultedOnCreate bool            `json:"defaultedOnCreate"`
	Calculated        bool            `json:"calculated"`
	AutoNumber        bool            `json:"autoNumber"`
	Unique            bool            `json:"unique"`
	ExternalID        bool            `json:"externalId"`
	IDLookup          bool            `json:"idLookup"`
	NameField         bool            `json:"nameField"`
	Custom            bool            `json:"custom"`
	Filterable        bool            `json:"filterable"`
	PicklistValues    []PicklistValue `json:"picklistValues"`
	RestrictedPick    bool            `json:"restrictedPicklist"`
	ReferenceTo       []string        `json:"referenceTo"`
	RelationshipName  string          `json:"relationshipName"`
	CompoundFieldName string          `json:"compoundFieldName"`
}

// Required reports whether the API requires the field on create:
// createable, not nillable and not defaulted.
func (f *Field) Required() bool { return f.Createable && !f.Nillable && !f.DefaultedOnCreate }

// Describe is the answer of /sobjects/{type}/describe.
type Describe struct {
	SObject
	Fields []Field `json:"fields"`
}

// Field returns the field named name (case-insensitively).
func (d *Describe) Field(name string) (*Field, bool) {
	for i := range d.Fields {
		if strings.EqualFold(d.Fields[i].Name, name) {
			return &d.Fields[i], true
		}
	}
	return nil, false
}

// DescribeGlobal lists the org's objects.
func (c *Client) DescribeGlobal(ctx context.Context) (*Global, error) {
	var g Global
	if err := c.do(ctx, request{method: http.MethodGet, path: c.dataPath("sobjects/")}, &g); err != nil {
		return nil, fmt.Errorf("salesforce: describe global: %w", err)
	}
	return &g, nil
}

// Describe returns the metadata of one object. An unknown object is an
// *APIError with Code NOT_FOUND.
func (c *Client) Describe(ctx context.Context, object string) (*Describe, error) {
	var d Describe
	path := c.dataPath("sobjects/" + url.PathEscape(object) + "/describe")
	if err := c.do(ctx, request{method: http.MethodGet, path: path}, &d); err != nil {
		return nil, fmt.Errorf("salesforce: describe %s: %w", object, err)
	}
	return &d, nil
}

// DescribeGlobalIfModified is DescribeGlobal with If-Modified-Since: g
// is nil when Salesforce answers 304 Not Modified (no object's metadata
// visible to the user changed since since; the check is coarse, so
// org-wide changes answer 200 too). date is the answer's Date header
// (zero when absent): send it, one second earlier, next time. A zero
// since sends no header.
func (c *Client) DescribeGlobalIfModified(ctx context.Context, since time.Time) (g *Global, date time.Time, err error) {
	r := request{method: http.MethodGet, path: c.dataPath("sobjects/"), conditional: true}
	g = &Global{}
	date, modified, err := c.doConditional(ctx, r, since, g)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("salesforce: describe global: %w", err)
	}
	if !modified {
		return nil, date, nil
	}
	return g, date, nil
}

// DescribeIfModified is Describe with If-Modified-Since: d is nil when
// Salesforce answers 304 Not Modified (the object's metadata has not
// changed since since). date is the answer's Date header (zero when
// absent). A zero since sends no header and always describes.
func (c *Client) DescribeIfModified(ctx context.Context, object string, since time.Time) (d *Describe, date time.Time, err error) {
	path := c.dataPath("sobjects/" + url.PathEscape(object) + "/describe")
	d = &Describe{}
	date, modified, err := c.doConditional(ctx, request{method: http.MethodGet, path: path, conditional: true}, since, d)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("salesforce: describe %s: %w", object, err)
	}
	if !modified {
		return nil, date, nil
	}
	return d, date, nil
}

// doConditional sends r with If-Modified-Since (HTTP date, whole seconds)
// unless since is zero, and decodes a 200 into out; modified is false on
// 304.
func (c *Client) doConditional(ctx context.Context, r request, since time.Time, out any) (date time.Time, modified bool, err error) {
	if !since.IsZero() {
		r.header = http.Header{"If-Modified-Since": {since.UTC().Format(http.TimeFormat)}}
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		return time.Time{}, false, err
	}
	defer resp.Body.Close()
	date, _ = http.ParseTime(resp.Header.Get("Date"))
	if resp.StatusCode == http.StatusNotModified {
		_, _ = io.Copy(io.Discard, resp.Body)
		return date, false, nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return time.Time{}, false, fmt.Errorf("decode GET answer: %w", err)
	}
	return date, true, nil
}

// DeletedRecord is one entry of getDeleted.
type DeletedRecord struct {
	ID          string
	DeletedDate time.Time
}

// DeletedResult is the answer of the getDeleted replication call.
type DeletedResult struct {
	Records               []DeletedRecord
	EarliestDateAvailable time.Time
	LatestDateCovered     time.Time
}

// replicationTime is how start/end are written (UTC; Salesforce truncates
// to the minute).
const replicationTime = "2006-01-02T15:04:05Z"

// Deleted lists the records of object deleted between start and end
// (getDeleted: at most 15 days back, minute precision).
func (c *Client) Deleted(ctx context.Context, object string, start, end time.Time) (*DeletedResult, error) {
	var raw struct {
		DeletedRecords []struct {
			ID          string `json:"id"`
			DeletedDate string `json:"deletedDate"`
		} `json:"deletedRecords"`
		EarliestDateAvailable string `json:"earliestDateAvailable"`
		LatestDateCovered     string `json:"latestDateCovered"`
	}
	q := url.Values{"start": {start.UTC().Format(replicationTime)}, "end": {end.UTC().Format(replicationTime)}}
	path := c.dataPath("sobjects/" + url.PathEscape(object) + "/deleted/")
	if err := c.do(ctx, request{method: http.MethodGet, path: path, query: q}, &raw); err != nil {
		return nil, fmt.Errorf("salesforce: get deleted %s: %w", object, err)
	}
	out := &DeletedResult{}
	var err error
	if out.EarliestDateAvailable, err = ParseTime(raw.EarliestDateAvailable); err != nil && raw.EarliestDateAvailable != "" {
		return nil, fmt.Errorf("salesforce: get deleted %s: earliestDateAvailable: %w", object, err)
	}
	if out.LatestDateCovered, err = ParseTime(raw.LatestDateCovered); err != nil && raw.LatestDateCovered != "" {
		return nil, fmt.Errorf("salesforce: get deleted %s: latestDateCovered: %w", object, err)
	}
	for _, r := range raw.DeletedRecords {
		t, err := ParseTime(r.DeletedDate)
		if err != nil {
			return nil, fmt.Errorf("salesforce: get deleted %s: record %s: %w", object, r.ID, err)
		}
		out.Records = append(out.Records, DeletedRecord{ID: r.ID, DeletedDate: t})
	}
	return out, nil
}

var timeLayouts = []string{
	"2006-01-02T15:04:05.000-0700", // REST answers
	time.RFC3339Nano,               // Bulk CSV, writes
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.999999999-0700",
}

// ParseTime reads a Salesforce datetime ("2024-01-15T10:30:00.000+0000",
// "…Z" or "…+02:00") and returns it in UTC.
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad datetime %q", s)
}
