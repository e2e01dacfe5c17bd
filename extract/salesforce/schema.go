package salesforce

import (
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
)

// CursorLayout is how the cursor (the highest SystemModstamp seen) is
// written. The cursor is opaque to the runner; only this package parses it.
const CursorLayout = "2006-01-02T15:04:05.000Z"

// soqlTime is a SOQL datetime literal. Whole seconds: the floor of the
// bound only widens the window, and it is the form every API version takes.
const soqlTime = "2006-01-02T15:04:05Z"

// maxQueryURL is the longest REST query URL (path + encoded SOQL) sent;
// a longer field list goes through Bulk API 2.0, whose query travels in
// the request body (SOQL itself may be 100,000 characters).
const maxQueryURL = 15000

// Column is how one Salesforce field lands, decided from its describe type.
// It returns false for fields that are not extracted: compound address
// and location fields (their components are), and base64 blobs.
func Column(f salesforce.Field) (extract.Column, bool) {
	c := extract.Column{Name: f.Name}
	switch strings.ToLower(f.Type) {
	case "address", "location", "base64":
		return c, false
	case "id", "reference", "string", "picklist", "textarea", "email", "phone", "url", "combobox", "encryptedstring":
		c.Kind = extract.KindString
	case "boolean":
		c.Kind = extract.KindBool
	case "int", "long":
		c.Kind = extract.KindInt
	case "double", "percent":
		c.Kind = extract.KindFloat
	case "currency":
		c.Kind, c.Scale = extract.KindDecimal, int32(f.Scale)
		if c.Scale <= 0 {
			c.Scale = 2
		}
	case "date":
		c.Kind = extract.KindDate
	case "datetime":
		c.Kind = extract.KindDateTime
	case "multipicklist":
		c.Kind = extract.KindStringList
	default: // time, anyType, complexvalue, …: kept as text
		c.Kind = extract.KindString
	}
	return c, true
}

// Columns maps a describe to the columns of the object's table, in
// describe order.
func Columns(d *salesforce.Describe) []extract.Column {
	out := make([]extract.Column, 0, len(d.Fields))
	for _, f := range d.Fields {
		if c, ok := Column(f); ok {
			out = append(out, c)
		}
	}
	return out
}

// modifiedField picks the cursor field of an object: SystemModstamp,
// else LastModifiedDate, else CreatedDate ("" when it has none).
func modifiedField(d *salesforce.Describe) string {
	for _, n := range []string{"SystemModstamp", "LastModifiedDate", "CreatedDate"} {
		if f, ok := d.Field(n); ok && f.Type == "datetime" {
			return f.Name
		}
	}
	return ""
}

// ParseCursor reads the time of a cursor written by Extract ("" is the
// zero time): JSON with "modified" in CursorLayout, or a bare time as
// earlier versions wrote (RFC 3339 and Salesforce's +0000 form too).
func ParseCursor(s string) (time.Time, error) {
	_, t, err := parseState(s)
	return t, err
}

// parseTime reads a cursor's time ("" is the zero time).
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(CursorLayout, s); err == nil {
		return t, nil
	}
	if t, err := salesforce.ParseTime(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cursor %q is not a datetime like %s", s, CursorLayout)
}

// buildSOQL selects cols from object, changed at or after from (all rows
// when from is zero), ordered by the cursor field and Id when ordered.
func buildSOQL(object string, cols []extract.Column, modified string, from time.Time, ordered bool) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
	}
	b.WriteString(" FROM ")
	b.WriteString(object)
	b.WriteString(where(modified, from))
	if ordered && modified != "" {
		b.WriteString(" ORDER BY " + modified + ", Id")
	}
	return b.String()
}

// where is the incremental filter (with a leading space), or "".
func where(modified string, from time.Time) string {
	if modified == "" || from.IsZero() {
		return ""
	}
	return " WHERE " + modified + " >= " + from.UTC().Truncate(time.Second).Format(soqlTime)
}
