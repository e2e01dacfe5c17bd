package sftest

import (
	"net/http"
	"testing"
	"time"
)

// TestDescribeIfModifiedSince: describe and describeGlobal answer 304
// with no body while the metadata is unchanged since If-Modified-Since,
// and 200 once a field is added through the Tooling API, changed, or its
// field-level security changes; the other objects' describes stay 304. An
// unparsable date is ignored. Both answers carry the org's Date.
func TestDescribeIfModifiedSince(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Now: clk.Now})
	since := func() string { return clk.Now().Format(http.TimeFormat) }
	clk.Add(10 * time.Second)
	ims := since()
	cases := []struct {
		path string
		hdr  string
		want int
	}{
		{"sobjects/Contact/describe", ims, http.StatusNotModified},
		{"sobjects/", ims, http.StatusNotModified},
		{"sobjects/Contact/describe", clk.Now().Add(-time.Hour).Format(http.TimeFormat), http.StatusOK},
		{"sobjects/Contact/describe", "", http.StatusOK},
		{"sobjects/Contact/describe", "yesterday", http.StatusOK},
	}
	for _, c := range cases {
		var hdr []string
		if c.hdr != "" {
			hdr = []string{"If-Modified-Since", c.hdr}
		}
		r := e.do("GET", c.path, nil, hdr...)
		if r.status != c.want {
			t.Fatalf("%s If-Modified-Since %q: HTTP %d, want %d", c.path, c.hdr, r.status, c.want)
		}
		if c.want == http.StatusNotModified && len(r.body) != 0 {
			t.Fatalf("304 with a body: %s", r.body)
		}
		if r.header.Get("Date") != clk.Now().Format(http.TimeFormat) {
			t.Fatalf("Date %q, want the org's clock %q", r.header.Get("Date"), clk.Now().Format(http.TimeFormat))
		}
	}

	// A custom field on Contact: Contact and describeGlobal change, Lead does not.
	clk.Add(10 * time.Second)
	before := since()
	clk.Add(time.Second)
	if r := e.createField("Contact.Score__c", map[string]any{"type": "Number", "label": "Score", "precision": 5, "scale": 0}); r.status != http.StatusCreated {
		t.Fatalf("create field: HTTP %d %s", r.status, r.body)
	}
	for path, want := range map[string]int{"sobjects/Contact/describe": 200, "sobjects/": 200, "sobjects/Lead/describe": 304} {
		if r := e.do("GET", path, nil, "If-Modified-Since", before); r.status != want {
			t.Fatalf("%s after a Contact field: HTTP %d, want %d", path, r.status, want)
		}
	}
	// A 304 again for a date at or after the change (whole seconds).
	if r := e.do("GET", "sobjects/Contact/describe", nil, "If-Modified-Since", since()); r.status != 304 {
		t.Fatalf("describe since the change: HTTP %d", r.status)
	}
	// Field-level security counts as a change.
	clk.Add(5 * time.Second)
	after := since()
	clk.Add(time.Second)
	e.ts.RestrictField("Lead", "Title")
	if r := e.do("GET", "sobjects/Lead/describe", nil, "If-Modified-Since", after); r.status != 200 {
		t.Fatalf("describe after an FLS change: HTTP %d", r.status)
	}
}
