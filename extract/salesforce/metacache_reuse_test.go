package salesforce

import (
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce/sftest"
)

// TestLongLivedExtractorSeesNewFields: an extractor that lives on from
// run to run (a scheduler's loop) asks describeGlobal again once its last
// answer is older than a run; a field added after that answer shows in
// the next run.
func TestLongLivedExtractorSeesNewFields(t *testing.T) {
	o := startOrg(t, 300)
	e := newExtractor(t, o.options())
	time.Sleep(1100 * time.Millisecond)
	first := run(t, e, "Contact", "")
	second := run(t, e, "Contact", first.raw) // describeGlobal answers 304
	if second.err != nil {
		t.Fatal(second.err)
	}
	if err := o.AddField("Contact", sftest.Field{Name: "Late__c", Type: sftest.TypeString, Length: 10, Nillable: true,
		Createable: true, Updateable: true}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	defer func(ttl time.Duration) { gateTTL = ttl }(gateTTL)
	gateTTL = 500 * time.Millisecond // the next run
	third := run(t, e, "Contact", second.raw)
	if third.schema.FieldIndices("Late__c") == nil {
		t.Fatal("a field added after the last describeGlobal answer was missed by a later run")
	}
}
