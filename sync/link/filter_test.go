//go:build duckdb_arrow

package link_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/sync/link"
)

// A filter that cannot work is refused when the config is read, naming
// the file, line, column and key.
func TestFilterParseErrors(t *testing.T) {
	head := "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - {name: zoho_crm, type: zoho_crm}\n  - {name: salesforce, type: salesforce}\nlinks:\n" +
		"  - name: l\n    left: {source: zoho_crm, object: Leads}\n    right: {source: salesforce, object: Lead}\n" +
		"    pair: {by: id_field, right: Zoho_Lead_Id__c}\n    fields:\n      - {left: Phone, right: Phone, owner: newest}\n    filter:\n"
	cases := []struct{ name, yaml, want string }{
		{"unknown op", "      left: [{field: Email_Opt_Out, op: equals, value: true}]\n",
			`revops.yaml:14:37: links[0].filter.left[0].op: equals is not one of contains, empty, gt, gte, in, is, is_not, lt, lte, not_contains, not_empty, not_in`},
		{"op missing", "      left:\n        - {field: Email_Opt_Out, value: true}\n", "revops.yaml:15:12: links[0].filter.left[0].op: required"},
		{"field missing", "      right:\n        - {op: is, value: Web}\n", "links[0].filter.right[0].field: required"},
		{"bad field", "      right:\n        - {field: Lead Source, op: is, value: Web}\n", `links[0].filter.right[0].field: Lead Source is not a field API name`},
		{"unknown key", "      right:\n        - {field: LeadSource, op: is, value: Web, case: exact}\n",
			"revops.yaml:15:51: links[0].filter.right[0].case: unknown key"},
		{"value missing", "      right:\n        - {field: LeadSource, op: is}\n", "links[0].filter.right[0].value: required with op is"},
		{"value on empty", "      right:\n        - {field: LeadSource, op: empty, value: x}\n", "links[0].filter.right[0].value: op empty takes no value"},
		{"in without list", "      right:\n        - {field: LeadSource, op: in, value: {a: b}}\n", "links[0].filter.right[0].value: op in takes a list of values"},
		{"boolean order", "      right:\n        - {field: DoNotCall, op: gt, value: true}\n", "a boolean only compares with is or is_not"},
		{"contains number", "      right:\n        - {field: Phone, op: contains, value: 555}\n", "op contains takes a text value"},
		{"empty list", "      left: []\n", "links[0].filter.left: an empty list"},
		{"not a list", "      left: {field: Email_Opt_Out}\n", "links[0].filter.left: want a list of {field, op, value} conditions or a SQL predicate"},
		{"two statements", "      right: \"LeadSource = 'Web'; DROP TABLE x\"\n", "links[0].filter.right: \"LeadSource = 'Web'; DROP TABLE x\": one boolean expression, without ';'"},
		{"open quote", "      right: \"LeadSource = 'Web\"\n", "a quote (') is not closed"},
		{"open paren", "      right: \"(LeadSource = 'Web'\"\n", "1 ( not closed"},
		{"unknown side", "      zoho: [{field: Email_Opt_Out, op: is, value: true}]\n", "links[0].filter.zoho"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := configs.Parse("revops.yaml", []byte(head+c.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			ps := link.ParseEach(cfg, nil)
			if len(ps) != 1 || ps[0].Err == nil {
				t.Fatalf("no error: %+v", ps)
			}
			if !strings.Contains(ps[0].Err.Error(), c.want) || !strings.HasPrefix(ps[0].Err.Error(), "revops.yaml:") {
				t.Fatalf("error %q\nwant it to name the file and contain %q", ps[0].Err, c.want)
			}
		})
	}
	for _, ok := range []string{
		"      left: [{field: Email_Opt_Out, op: is_not, value: true}, {field: Owner.name, op: not_empty}]\n",
		"      right:\n        - {field: LeadSource, op: not_in, value: [Purchased List, Other]}\n        - {field: NumberOfEmployees, op: '>=', value: 10}\n",
		"      right: \"coalesce(LeadSource, '') <> 'Purchased List' AND (City IS NULL OR City <> ';')\"\n",
	} {
		cfg, err := configs.Parse("revops.yaml", []byte(head+ok), nil)
		if err != nil {
			t.Fatal(err)
		}
		if ps := link.ParseEach(cfg, nil); ps[0].Err != nil {
			t.Fatalf("refused %q: %v", ok, ps[0].Err)
		}
	}
}

// Only pairs whose records both pass their side's filter take part: the
// others are neither compared nor written, their transitions are not
// seen, and the report counts them. A record that comes to pass takes
// part from then on; one whose filter field is gone stops the link
// before any write.
func TestFilterChoosesThePairs(t *testing.T) {
	wd := newWorld(t, 0)
	const yaml = `  - name: leads
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - {left: City, right: City, owner: newest}
    transitions:
      - name: lost
        on: {side: salesforce, field: Status, to: [Closed - Not Converted]}
        set: {side: zoho, values: {Lead_Status: Lost Lead}}
    filter:
      left:
        - {field: Email_Opt_Out, op: is_not, value: true}
        - {field: Owner.name, op: not_empty}
      right: "coalesce(LeadSource, '') <> 'Purchased List'"
`
	s := spec(t, yaml)
	in, sin := wd.pairOf(t, map[string]any{"City": "Oslo"}, nil)
	out1, sout1 := wd.pairOf(t, map[string]any{"City": "Rome", "Email_Opt_Out": true}, nil)
	out2, sout2 := wd.pairOf(t, map[string]any{"City": "Lima"}, map[string]any{"LeadSource": "Purchased List"})
	wd.extract(t)
	rep, w := wd.run(t, s)
	if rep.Pairs != 1 || rep.Filtered != 2 || w != [2]int64{0, 1} {
		t.Fatalf("first run: writes %v, %+v", w, rep)
	}
	if got := fmt.Sprint(wd.get(t, 1, sin, "City")); got != "Oslo" {
		t.Fatalf("the pair that passes: City %s", got)
	}
	for _, id := range []string{sout1, sout2} {
		if v := wd.get(t, 1, id, "City"); v != nil {
			t.Fatalf("a filtered pair was written: %s City %v", id, v)
		}
	}
	// A filtered record's state change is not acted on.
	wd.edit(t, 1, sout2, map[string]any{"Status": "Closed - Not Converted"})
	wd.edit(t, 1, sin, map[string]any{"Status": "Closed - Not Converted"})
	wd.extract(t)
	rep, w = wd.run(t, s)
	if rep.Transitions != 1 || w != [2]int64{1, 0} || fmt.Sprint(wd.get(t, 0, out2, "Lead_Status")) == "Lost Lead" ||
		fmt.Sprint(wd.get(t, 0, in, "Lead_Status")) != "Lost Lead" {
		t.Fatalf("transitions: writes %v, %+v", w, rep)
	}
	// The opted-out lead opts back in: its pair takes part.
	wd.edit(t, 0, out1, map[string]any{"Email_Opt_Out": false})
	wd.extract(t)
	rep, w = wd.run(t, s)
	if rep.Pairs != 2 || rep.Filtered != 1 || w != [2]int64{0, 1} || fmt.Sprint(wd.get(t, 1, sout1, "City")) != "Rome" {
		t.Fatalf("after opting in: writes %v, %+v", w, rep)
	}
	// A filter naming a field the object does not have stops the link
	// before any write, naming the field.
	bad := spec(t, strings.Replace(yaml, "field: Email_Opt_Out", "field: Email_Opt_Outt", 1))
	wd.edit(t, 0, in, map[string]any{"City": "Bergen"})
	wd.extract(t)
	before := wd.writes()
	_, err := wd.runner.Run(context.Background(), bad, wd.dests, link.Options{})
	var me *link.MetadataError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "filter.left[0] Email_Opt_Outt: zoho_crm Leads has no field Email_Opt_Outt (did you mean Email_Opt_Out?)") {
		t.Fatalf("err %v", err)
	}
	if wd.writes() != before {
		t.Fatal("a link whose filter field is gone wrote")
	}
}

// A map that is not one to one, with a reverse for the values it cannot
// invert (two Salesforce statuses → one Zoho status, two Zoho statuses →
// one Salesforce status): values that translate to each other in either
// direction agree, so nothing is written and nothing ping-pongs; a
// change on either side is written once, translated.
func TestManyToOneMapAgreesBothWays(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, `  - name: leads
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - left: Lead_Status
        right: Status
        owner: salesforce
        map: {Not Contacted: Open - Not Contacted, Contacted: Working - Contacted, Pre-Qualified: Working - Contacted, Lost Lead: Closed - Not Converted}
        reverse: {Working - Contacted: Contacted, Closed - Converted: Contacted}
`)
	// Each pair holds values that mean the same in both CRMs.
	a, sa := wd.pairOf(t, map[string]any{"Lead_Status": "Contacted"}, map[string]any{"Status": "Closed - Converted"})
	b, sb := wd.pairOf(t, map[string]any{"Lead_Status": "Pre-Qualified"}, map[string]any{"Status": "Working - Contacted"})
	wd.extract(t)
	for run := range 2 {
		if rep, w := wd.run(t, s); w != [2]int64{0, 0} || rep.Conflicts != 0 || rep.Failed != 0 {
			t.Fatalf("run %d: equivalent values were written: %v, %+v", run+1, w, rep)
		}
		wd.extract(t)
	}
	// Salesforce moves on: Zoho gets the value's translation, once.
	wd.edit(t, 1, sb, map[string]any{"Status": "Closed - Not Converted"})
	wd.extract(t)
	if _, w := wd.run(t, s); w != [2]int64{1, 0} || fmt.Sprint(wd.get(t, 0, b, "Lead_Status")) != "Lost Lead" {
		t.Fatalf("salesforce change: writes %v, zoho holds %v", w, wd.get(t, 0, b, "Lead_Status"))
	}
	// Zoho moves on: Salesforce gets the translation, once.
	wd.edit(t, 0, a, map[string]any{"Lead_Status": "Not Contacted"})
	wd.extract(t)
	if _, w := wd.run(t, s); w != [2]int64{0, 1} || fmt.Sprint(wd.get(t, 1, sa, "Status")) != "Open - Not Contacted" {
		t.Fatalf("zoho change: writes %v, salesforce holds %v", w, wd.get(t, 1, sa, "Status"))
	}
	for range 2 {
		wd.extract(t)
		if _, w := wd.run(t, s); w != [2]int64{0, 0} {
			t.Fatalf("echo written: %v", w)
		}
	}
}
