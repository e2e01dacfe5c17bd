package sftest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
)

func TestSeedSaveLoad(t *testing.T) {
	e := newEnv(t, Options{})
	w := sandbox.Generate(sandbox.Options{Seed: 3, Records: 500})
	p := w.Project(sandbox.Salesforce)
	truth := e.ts.Seed(p)
	if len(truth) == 0 {
		t.Fatal("no truth rows")
	}
	counts := map[string]int{}
	for _, tr := range truth {
		counts[tr.Object]++
		if tr.System != sandbox.Salesforce || tr.EntityID == "" || len(tr.RecordID) != 18 {
			t.Fatalf("truth %+v", tr)
		}
	}
	for obj, want := range map[string]int{"Account": len(p.Accounts), "Contact": len(p.Contacts), "Lead": len(p.Leads), "Opportunity": len(p.Deals)} {
		if counts[obj] != want || len(e.ts.Records(obj)) != want {
			t.Errorf("%s: %d truth, %d records, want %d", obj, counts[obj], len(e.ts.Records(obj)), want)
		}
	}
	hist := 0
	for _, d := range p.Deals {
		hist += len(d.History)
	}
	if q := e.query("SELECT COUNT() FROM OpportunityHistory"); q.TotalSize != hist {
		t.Errorf("history rows %d, want %d", q.TotalSize, hist)
	}
	stages := strings.Join(stageNames(), "|")
	for _, o := range e.ts.Records("Opportunity") {
		if !strings.Contains(stages, o["StageName"].(string)) {
			t.Fatalf("stage %v", o["StageName"])
		}
	}
	if len(p.Accounts) > 0 {
		a := p.Accounts[0]
		got := e.ts.Records("Account")[0]
		if got["Name"] != a.Name || got["CreatedDate"] != formatMS(toMS(a.CreatedAt)) {
			t.Errorf("account %v vs %+v", got, a)
		}
	}
	// Writes after the seed stamp later than every seeded record.
	id := e.create("Account", map[string]any{"Name": "after seed", "Zoho_Account_Id__c": "Z1"})
	q := e.query("SELECT Id FROM Account ORDER BY SystemModstamp DESC LIMIT 1")
	if q.Records[0]["Id"] != id {
		t.Errorf("latest record %v, want %s", q.Records[0]["Id"], id)
	}
	if err := e.ts.AddField("Contact", Field{Name: "Score__c", Type: TypeDouble}); err != nil {
		t.Fatal(err)
	}
	e.must(204, "DELETE", "sobjects/Account/"+id, nil)
	var buf bytes.Buffer
	if err := e.ts.Save(&buf); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, Options{})
	if err := e2.ts.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []string{"Account", "Contact", "Lead", "Opportunity", "OpportunityHistory", "Task", "User"} {
		a, b := e.ts.Records(obj), e2.ts.Records(obj)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			for i := range a {
				for k, v := range a[i] {
					if fmt.Sprint(v) != fmt.Sprint(b[i][k]) {
						t.Errorf("%s %s: %v vs %v", obj, k, v, b[i][k])
						break
					}
				}
			}
		}
	}
	var all queryResult
	e2.must(200, "GET", "queryAll?q="+urlEscape("SELECT Id FROM Account WHERE IsDeleted = true"), nil).json(t, &all)
	if all.TotalSize != 1 || all.Records[0]["Id"] != id {
		t.Errorf("deleted row after Load: %+v", all)
	}
	e2.query("SELECT Score__c FROM Contact LIMIT 1")
	e2.token = e.token // tokens survive a restart
	e2.must(200, "GET", "limits", nil)
	if err := e2.ts.Load(strings.NewReader(`{"format":"other"}`)); err == nil {
		t.Error("bad format accepted")
	}
}
