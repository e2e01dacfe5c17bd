package salesforce

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// mapPage decodes a query answer as Next does.
func mapPage(body []byte) (page, error) {
	var pg page
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(&pg)
	for _, rec := range pg.Records {
		stripAttributes(rec)
	}
	return pg, err
}

var queryPageSeeds = []string{
	`{"totalSize":2,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01g-2000","records":[{"attributes":{"type":"Lead","url":"/x"},"Id":"00Q1","Name":"A","SystemModstamp":"2026-01-02T03:04:05.000+0000","AnnualRevenue":125000.5,"IsDeleted":false}]}`,
	`{"records":[{"attributes":{"type":"Contact"},"Id":"0031","Account":{"attributes":{"type":"Account"},"Name":"Acme","Owner":{"attributes":{},"Email":"a@x"}},"Contacts":{"totalSize":1,"done":true,"records":[{"attributes":{},"LastName":"Ng"}]}}],"done":true,"totalSize":1}`,
	`{"Records":[null,{"Id":"2","Name":"Caf\u00e9 \"x\" \\ \u003cb\u003e","Name":"dup"}],"DONE":true}`,
	`{"records":null}`,
	`null`,
	` { "records" : [ { "Id" : "4" , "x" : [ 1 , { "attributes" : [ ] } , true , false , null ] } ] } trailing`,
	`{"records":[{"Id":"5","Name":"\xff\xfe"}]}`,
	`{"records":[{"Id":"6","Name":"bad \u12"}]}`,
	`{"records":[{"Id":"7","Name":01}]}`,
	`{"records":[{"Id":"8",}]}`,
	`{"records":[1]}`,
	`{"records":{"Id":"9"}}`,
	`{"records":[{"Id":"10","a":"` + "\x01" + `"}]}`,
	`{"totalSize":"5"}`,
	`{"totalSize":1.5,"records":[]}`,
	`{"done":"yes"}`,
	`{"nextRecordsUrl":7}`,
	`[]`,
	``,
	`{"records":[{"Id":"11","k\u0065y":1,"attribute\u0073":{"type":"x"}}]`,
	`{"records":[{"Id":"12"}],"records":[{"Name":"merged"},{"Id":"13"}]}`,
	`{"records":[{"Id":"14"},{"Id":"15"}],"RECORDS":[null]}`,
	`{"totalSize":3,"totalSize":null,"done":true,"done":false}`,
}

// FuzzQueryPage holds ReadQueryPage to Next's decoding: it never panics,
// accepts exactly the answers encoding/json accepts, and gives the same
// records (Record), values (Value), totalSize, done and nextRecordsUrl.
func FuzzQueryPage(f *testing.F) {
	for _, s := range queryPageSeeds {
		f.Add([]byte(s))
	}
	fields := []string{"Id", "Name", "Account", "Contacts", "AnnualRevenue", "x", "attributes", "key", "Name"}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ReadQueryPage(body, fields)
		want, werr := mapPage(body)
		if (err == nil) != (werr == nil) {
			t.Fatalf("raw error %v, encoding/json error %v", err, werr)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "decode answer") {
				t.Fatalf("error does not say where: %v", err)
			}
			return
		}
		if p.Len() != len(want.Records) {
			t.Fatalf("%d records, want %d", p.Len(), len(want.Records))
		}
		if p.TotalSize() != want.TotalSize || p.Done() != want.Done || p.NextRecordsURL() != want.NextRecordsURL {
			t.Fatalf("totalSize %d done %v next %q, want %d %v %q", p.TotalSize(), p.Done(), p.NextRecordsURL(),
				want.TotalSize, want.Done, want.NextRecordsURL)
		}
		for i, w := range want.Records {
			got, err := p.Record(i)
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if !reflect.DeepEqual(got, w) {
				t.Fatalf("record %d: %#v, want %#v", i, got, w)
			}
			for fi, name := range p.Fields() {
				raw := p.Value(i, fi)
				if j, ok := p.index[name]; !ok || j != fi {
					if raw != nil {
						t.Fatalf("record %d field %s (%d): raw %q for a key not kept there", i, name, fi, raw)
					}
					continue
				}
				v, ok := w[name]
				if (raw != nil) != ok {
					t.Fatalf("record %d field %s: raw %q, present %v", i, name, raw, ok)
				}
				if raw == nil {
					continue
				}
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				var got any
				if err := dec.Decode(&got); err != nil {
					t.Fatalf("record %d field %s: raw %q: %v", i, name, raw, err)
				}
				wrap := map[string]any{"v": got}
				stripAttributes(wrap)
				got = wrap["v"]
				if !reflect.DeepEqual(got, v) {
					t.Fatalf("record %d field %s: raw %q, want %#v", i, name, raw, v)
				}
				s, sok := p.String(i, fi)
				ws, wok := v.(string)
				if s != ws || sok != wok {
					t.Fatalf("record %d field %s: String %q %v, want %q %v", i, name, s, sok, ws, wok)
				}
			}
		}
	})
}

// TestQueryPageErrorsSayWhere: bad JSON names the record and the field.
func TestQueryPageErrorsSayWhere(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"records":[{"Id":"1"},{"Id":"77","Email":"a` + "\x01" + `"}]}`, `records: record 2: field "Email": decode answer: control character in string`},
		{`{"records":[{"Id":"1","Phone":01}]}`, `records: record 1: decode answer: want ',' or '}' after the value of "Phone"`},
		{`{"records":[{"Email":tru}]}`, `records: record 1: field "Email": decode answer: invalid value`},
		{`{"records":[5]}`, `decode answer: records: record 1: want an object`},
		{`{"totalSize":"5","records":[]}`, `decode answer: totalSize: json: cannot unmarshal`},
		{``, `decode answer: empty body`},
	} {
		_, err := ReadQueryPage([]byte(tc.body), []string{"Email"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.body, err, tc.want)
		}
	}
}
