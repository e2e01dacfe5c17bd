package zoho

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// mapAnswer decodes a list answer as List does.
func mapAnswer(body []byte) ([]map[string]any, listInfo, error) {
	var ans struct {
		Data []map[string]any `json:"data"`
		Info listInfo         `json:"info"`
	}
	err := decode(body, &ans)
	return ans.Data, ans.Info, err
}

var rawPageSeeds = []string{
	`{"data":[{"id":"1","Last_Name":"A","Modified_Time":"2026-01-02T03:04:05+05:30"}],"info":{"more_records":true,"next_page_token":"t"}}`,
	`{"info":{"more_records":false},"data":[{"id":"1","Owner":{"name":"Ada","id":"9","email":"a@x"},"Tags":["a","b"],"N":-1.5e3}]}`,
	`{"data":[null,{"id":"2","Last_Name":"Caf\u00e9 \"x\" \\ <b>","Last_Name":"dup"}]}`,
	`{"DATA":[{"id":"3"}],"Info":null}`,
	`{"data":null}`,
	`null`,
	` {"data" : [ { "id" : "4" , "x" : [ 1 , { "y" : [ ] } , true , false , null ] } ] } trailing`,
	`{"data":[{"id":"5","Last_Name":"\xff\xfe"}]}`,
	`{"data":[{"id":"6","Last_Name":"bad \u12"}]}`,
	`{"data":[{"id":"7","Last_Name":01}]}`,
	`{"data":[{"id":"8",}]}`,
	`{"data":[1]}`,
	`{"data":{"id":"9"}}`,
	`{"data":[{"id":"10","a":"` + "\x01" + `"}]}`,
	`{"info":{"more_records":"yes"}}`,
	`[]`,
	``,
	`{"data":[{"id":"11","k\u0065y":1}]`,
	`{"data":[{"id":"12","Annual_Revenue":125000.50,"No_of_Employees":12,"Locked__s":false}]}`,
}

// FuzzRawPage holds ReadRawPage to the decoding List does: it never
// panics, accepts exactly the answers encoding/json accepts, and gives the
// same records, ids, Modified_Times and more_records.
func FuzzRawPage(f *testing.F) {
	for _, s := range rawPageSeeds {
		f.Add([]byte(s))
	}
	fields := []string{"Last_Name", "Owner", "Tags", "N", "Annual_Revenue", "Modified_Time"}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ReadRawPage(body, fields)
		want, info, werr := mapAnswer(body)
		if (err == nil) != (werr == nil) {
			t.Fatalf("raw error %v, encoding/json error %v", err, werr)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "decode answer") && !strings.Contains(err.Error(), "record") {
				t.Fatalf("error does not say where: %v", err)
			}
			return
		}
		if p.Len() != len(want) {
			t.Fatalf("%d records, want %d", p.Len(), len(want))
		}
		if p.MoreRecords() != info.MoreRecords {
			t.Fatalf("more_records %v, want %v", p.MoreRecords(), info.MoreRecords)
		}
		mp := &mapPage{recs: want}
		for i := range want {
			got, err := p.Record(i)
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("record %d: %#v, want %#v", i, got, want[i])
			}
			if p.ID(i) != mp.ID(i) {
				t.Fatalf("record %d: id %q, want %q", i, p.ID(i), mp.ID(i))
			}
			gm, gok := p.ModifiedTime(i)
			wm, wok := mp.ModifiedTime(i)
			if gm != wm || gok != wok {
				t.Fatalf("record %d: Modified_Time %q %v, want %q %v", i, gm, gok, wm, wok)
			}
			for fi, name := range p.Fields() {
				raw := p.Value(i, fi)
				v, ok := want[i][name]
				if (raw != nil) != ok {
					t.Fatalf("record %d field %s: raw %q, present %v", i, name, raw, ok)
				}
				if raw == nil {
					continue
				}
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				var got any
				if err := dec.Decode(&got); err != nil || !reflect.DeepEqual(got, v) {
					t.Fatalf("record %d field %s: raw %q (%v), want %#v", i, name, raw, err, v)
				}
			}
		}
	})
}

// TestRawPageErrorsSayWhere: bad JSON in a record names the record, its
// id when read already, and the field.
func TestRawPageErrorsSayWhere(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"data":[{"id":"1"},{"id":"77","Email":"a` + "\x01" + `"}]}`, `record 2 (id "77"): field "Email": decode answer: control character in string`},
		{`{"data":[{"id":"1","Phone":01}]}`, `record 1 (id "1"): decode answer: want ',' or '}' after the value of "Phone"`},
		{`{"data":[{"Email":tru}]}`, `record 1: field "Email": decode answer: invalid value`},
		{`{"data":[5]}`, `data: record 1: want an object`},
		{``, `decode answer: empty body`},
	} {
		_, err := ReadRawPage([]byte(tc.body), []string{"Email"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.body, err, tc.want)
		}
	}
}
