//go:build duckdb_arrow

package link_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/sync/link"
)

// Links that cannot work are refused at validate time, naming the file,
// line and field.
func TestParseRefusesBadLinks(t *testing.T) {
	head := "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - {name: zoho_crm, type: zoho_crm}\n  - {name: salesforce, type: salesforce}\n  - {name: zoho_desk, type: zoho_desk}\nlinks:\n"
	base := "  - name: l\n    left: {source: zoho_crm, object: Leads}\n    right: {source: salesforce, object: Lead}\n    pair: {by: id_field, right: Zoho_Lead_Id__c}\n    fields:\n"
	cases := []struct{ name, yaml, want string }{
		{"non-invertible map owned by newest", base + "      - left: Lead_Status\n        right: Status\n        owner: newest\n        map: {Contacted: Working - Contacted, Pre-Qualified: Working - Contacted}\n",
			`revops.yaml:16:9: links[0].fields[0].map: Lead_Status ⇄ Status: "Contacted" and "Pre-Qualified" both map to "Working - Contacted"`},
		{"unknown owner", base + "      - {left: Phone, right: Phone, owner: hubspot}\n", `links[0].fields[0].owner: "hubspot" names neither side`},
		{"owner missing", base + "      - {left: Phone, right: Phone}\n", "links[0].fields[0].owner: required"},
		{"read_only without from", base + "      - {left: Phone, right: Phone, owner: read_only}\n", "links[0].fields[0].from: required with owner read_only"},
		{"field twice", base + "      - {left: Phone, right: Phone, owner: zoho}\n      - {left: Phone, right: MobilePhone, owner: zoho}\n", "links[0].fields[1].left: Phone is linked twice"},
		{"bad pair", strings.Replace(base, "{by: id_field, right: Zoho_Lead_Id__c}", "{by: id_field}", 1) + "      - {left: Phone, right: Phone, owner: zoho}\n",
			"links[0].pair: by: id_field takes one of left or right"},
		{"unknown source", strings.Replace(base, "source: salesforce", "source: sfdc", 1) + "      - {left: Phone, right: Phone, owner: newest}\n",
			`links[0].right.source: no source named "sfdc"`},
		{"desk written", strings.Replace(base, "{source: zoho_crm, object: Leads}", "{source: zoho_desk, object: contacts}", 1) + "      - {left: phone, right: Phone, owner: newest}\n",
			"links[0].fields[0].owner: phone ⇄ Phone may be written to zoho_desk, a source of type zoho_desk, which revops cannot write to"},
		{"zoho names both sides", strings.Replace(base, "{source: salesforce, object: Lead}", "{source: zoho_desk, object: contacts}", 1) + "      - {left: Phone, right: phone, owner: zoho}\n",
			`links[0].fields[0].owner: "zoho" names both sides`},
		{"bad skew", base + "      - {left: Phone, right: Phone, owner: zoho}\n    max_clock_skew: soon\n", `links[0].max_clock_skew: "soon" is not a duration`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := configs.Parse("revops.yaml", []byte(head+c.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			ps := link.ParseEach(cfg, []string{"salesforce", "zoho_crm"})
			if len(ps) != 1 || ps[0].Err == nil {
				t.Fatalf("no error: %+v", ps)
			}
			if !strings.Contains(ps[0].Err.Error(), c.want) || !strings.HasPrefix(ps[0].Err.Error(), "revops.yaml:") {
				t.Fatalf("error %q\nwant it to name the file and contain %q", ps[0].Err, c.want)
			}
		})
	}
	// A reverse map makes it invertible; read_only from the left needs none.
	for _, ok := range []string{
		"      - left: Lead_Status\n        right: Status\n        owner: newest\n        map: {Contacted: Working - Contacted, Pre-Qualified: Working - Contacted}\n        reverse: {Working - Contacted: Contacted}\n",
		"      - left: Lead_Status\n        right: Status\n        owner: read_only\n        from: zoho\n        map: {Contacted: Working - Contacted, Pre-Qualified: Working - Contacted}\n",
	} {
		cfg, err := configs.Parse("revops.yaml", []byte(head+base+ok), nil)
		if err != nil {
			t.Fatal(err)
		}
		if ps := link.ParseEach(cfg, nil); ps[0].Err != nil {
			t.Fatalf("refused: %v", ps[0].Err)
		}
	}
}

// Records whose pairing key is missing, points nowhere or is shared are
// reported, not guessed; a picklist value missing from its map fails
// the row naming the value; the others still sync.
func TestUnpairedAndUnmappedAreReported(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, `  - name: leads
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - {left: Phone, right: Phone, owner: newest}
      - left: Lead_Status
        right: Status
        owner: salesforce
        map: {Contacted: Working - Contacted, Not Contacted: Open - Not Contacted}
`)
	good, goodSF := wd.pairOf(t, map[string]any{"Lead_Status": "Contacted", "Phone": "1"}, map[string]any{"Status": "Working - Contacted", "Phone": "2"})
	odd, _ := wd.pairOf(t, map[string]any{"Lead_Status": "Junk Lead"}, map[string]any{"Status": "Working - Contacted"})
	wd.pairOf(t, nil, map[string]any{"Zoho_Lead_Id__c": ""})       // key missing
	wd.pairOf(t, nil, map[string]any{"Zoho_Lead_Id__c": "999999"}) // names no Zoho lead
	wd.extract(t)
	rep, _ := wd.run(t, s)
	t.Logf("unpaired: %+v", rep.Unpaired)
	// The Zoho leads of the last two pairs have no Salesforce partner.
	if rep.Pairs != 2 || rep.Unpaired.MissingKey[1] != 1 || rep.Unpaired.NoPartner != [2]int64{2, 1} || rep.Unpaired.Ambiguous != 0 {
		t.Fatalf("pairs %d, unpaired %+v", rep.Pairs, rep.Unpaired)
	}
	if rep.Failed != 1 || len(rep.Errors) != 1 || rep.Errors[0].Code != link.CodeUnmapped || !strings.Contains(rep.Errors[0].Message, `"Junk Lead"`) ||
		rep.Errors[0].LeftID != odd || rep.Status != "partial" {
		t.Fatalf("unmapped value: %+v", rep)
	}
	if p := fmt.Sprint(wd.get(t, 1, goodSF, "Phone")); p != "2" && p != "1" {
		t.Fatalf("good pair not synced: %q", p)
	}
	_ = good
	ctx := context.Background()
	fs, err := link.Failures(ctx, wd.w, nil, 0)
	if err != nil || len(fs) != 1 || !strings.Contains(fs[0].Message, "Junk Lead") {
		t.Fatalf("failures: %v %+v", err, fs)
	}
	// Paired by e-mail, a key two Salesforce leads share pairs nothing.
	byMail := spec(t, `  - name: by_mail
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: key, left: Email, right: Email, type: email}
    fields:
      - {left: Phone, right: Phone, owner: newest}
`)
	wd.pairOf(t, map[string]any{"Email": "Twin@Example.com"}, map[string]any{"Email": "twin@example.com"})
	wd.pairOf(t, map[string]any{"Email": "solo@example.com"}, map[string]any{"Email": "twin@example.com"})
	wd.extract(t)
	rep, _ = wd.run(t, byMail)
	if rep.Pairs != 0 || rep.Unpaired.Ambiguous != 3 || !strings.Contains(strings.Join(rep.Unpaired.Examples, "\n"), `key "twin@example.com" is held by 1 Leads and 2 Lead records`) {
		t.Fatalf("by e-mail: pairs %d, %+v", rep.Pairs, rep.Unpaired)
	}
}

// The link checks both objects' metadata before writing and stops with
// a clear message: a mapped field gone, a read-only field written to, a
// picklist value missing from a restricted picklist, a mandatory field
// added since the last run.
func TestMetadataChecksStopBeforeWriting(t *testing.T) {
	wd := newWorld(t, 0)
	zid, _ := wd.pairOf(t, map[string]any{"Phone": "1"}, map[string]any{"Phone": "2"})
	wd.extract(t)
	bad := spec(t, `  - name: leads
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - {left: Phone, right: Phone, owner: zoho}
      - {left: Designation, right: Titel, owner: newest}
      - {left: Full_Name, right: Name, owner: newest}
      - {left: Lead_Status, right: Status, owner: zoho, map: {Contacted: Talking}}
`)
	before := wd.writes()
	_, err := wd.runner.Run(context.Background(), bad, wd.dests, link.Options{})
	var me *link.MetadataError
	if !errors.As(err, &me) || len(me.Problems) != 4 {
		t.Fatalf("error %v", err)
	}
	for _, want := range []string{"salesforce Lead has no field Titel (did you mean Title?)", "salesforce Lead.Name is read-only",
		"zoho_crm Leads.Full_Name is read-only", `the map writes "Talking" to salesforce Lead.Status, which is not one of its picklist values`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if wd.writes() != before || fmt.Sprint(wd.get(t, 0, zid, "Phone")) != "1" {
		t.Fatal("a write was sent")
	}
	good := spec(t, leadLink)
	if _, w := wd.run(t, good); w[1] != 1 {
		t.Fatalf("good link: writes %v", w)
	}
	// An admin adds a mandatory field to Zoho's Leads.
	if err := wd.zo.AddField("Leads", zohotest.Field{APIName: "Region", DataType: "text", SystemMandatory: true}); err != nil {
		t.Fatal(err)
	}
	wd.dests[0], wd.dests[1] = wd.newZoho(t), wd.newSF(t) // a new run describes afresh
	_, err = wd.runner.Run(context.Background(), good, wd.dests, link.Options{})
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "zoho_crm Leads has a new mandatory field Region since the link's last run") {
		t.Fatalf("new mandatory field: %v", err)
	}
	if _, err := wd.runner.Run(context.Background(), good, wd.dests, link.Options{AcceptSchema: true}); err != nil {
		t.Fatalf("--accept-schema: %v", err)
	}
	if _, err := wd.runner.Run(context.Background(), good, wd.dests, link.Options{}); err != nil {
		t.Fatalf("after accepting: %v", err)
	}
}

// A converted lead is not paired (the CRMs refuse its updates): it is
// counted, and a failure recorded for its pair is cleared.
func TestConvertedLeadIsLeftOut(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"City": "Oslo"}, map[string]any{"City": "Oslo"})
	wd.extract(t)
	wd.run(t, s)
	if err := wd.w.Exec(context.Background(), `INSERT INTO _revops.link_failures VALUES ('leads', ?, ?, 'City ⇄ City', 'salesforce', 'X', 'old', 'r', 1, now(), now())`, zid, sid); err != nil {
		t.Fatal(err)
	}
	if _, err := wd.sf.ConvertLead(sid, sftest.ConvertOptions{}); err != nil {
		t.Fatal(err)
	}
	wd.edit(t, 0, zid, map[string]any{"City": "Bergen"})
	wd.extract(t)
	rep, w := wd.run(t, s)
	if rep.Pairs != 0 || rep.Unpaired.Converted != [2]int64{0, 1} || w != [2]int64{0, 0} || rep.Failed != 0 {
		t.Fatalf("converted lead: writes %v, %+v", w, rep)
	}
	if n := wd.rows(t, `SELECT count(*) FROM _revops.link_failures`)[0][0]; n != int64(0) {
		t.Fatalf("%v failures left for a pair that is gone", n)
	}
}
