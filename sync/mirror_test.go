//go:build duckdb_arrow

package sync_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce/sftest"
	revsync "github.com/revops/revops/sync"
)

func mirrorSpec(m *revsync.MirrorSpec) *revsync.Spec {
	s := leadSpec(revsync.ModeMirror)
	s.Mirror = m
	return s
}

func TestMirrorDeletesRemovedRowsWithinMaxShare(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 50)
	spec := mirrorSpec(&revsync.MirrorSpec{Action: "delete"}) // max_share: default 10%
	if rep, err := e.runner.Run(ctx, spec, e.dest, revsync.Options{}); err != nil || rep.Succeeded != 50 {
		t.Fatalf("first run: %v %+v", err, rep)
	}
	// 3 of 50 rows leave the model (6%): their records are deleted.
	e.exec(t, `DELETE FROM syncs.leads WHERE zoho_lead_id IN ('ZL-00001', 'ZL-00002', 'ZL-00003')`)
	rep, err := e.runner.Run(ctx, spec, e.dest, revsync.Options{})
	if err != nil || rep.Removed != 3 || rep.Succeeded != 3 || rep.Failed != 0 {
		t.Fatalf("removal run: %v %+v", err, rep.Counts)
	}
	if n := e.leadsWith("ZL-"); n != 47 || e.leadsWith("ZL-00002") != 0 {
		t.Fatalf("%d leads after deleting 3 of 50", n)
	}
	if r := e.rows(t, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'leads'`); r[0][0] != int64(47) {
		t.Errorf("snapshots: %v, want 47 (removed rows forgotten)", r)
	}
	// 10 of 47 more (21%) is above max_share: refused before any write.
	e.exec(t, `DELETE FROM syncs.leads WHERE zoho_lead_id BETWEEN 'ZL-00010' AND 'ZL-00019'`)
	before := e.writes()
	_, err = e.runner.Run(ctx, spec, e.dest, revsync.Options{})
	if err == nil || !strings.Contains(err.Error(), "would remove 10 of 47") || !strings.Contains(err.Error(), "--allow-mass-delete") {
		t.Fatalf("mass delete without the flag: %v", err)
	}
	if e.writes() != before || e.leadsWith("ZL-") != 47 {
		t.Fatalf("a refused mass delete wrote: %d calls, %d leads", e.writes()-before, e.leadsWith("ZL-"))
	}
	rep, err = e.runner.Run(ctx, spec, e.dest, revsync.Options{AllowMassDelete: true})
	if err != nil || rep.Removed != 10 || rep.Succeeded != 10 || e.leadsWith("ZL-") != 37 {
		t.Fatalf("with --allow-mass-delete: %v %+v, %d leads", err, rep.Counts, e.leadsWith("ZL-"))
	}
	// A higher max_share lets the same share through without the flag.
	e.exec(t, `DELETE FROM syncs.leads WHERE zoho_lead_id BETWEEN 'ZL-00020' AND 'ZL-00029'`)
	loose := mirrorSpec(&revsync.MirrorSpec{Action: "delete", MaxShare: 0.5})
	loose.Name = spec.Name
	if rep, err := e.runner.Run(ctx, loose, e.dest, revsync.Options{}); err != nil || rep.Removed != 10 {
		t.Fatalf("max_share 0.5: %v %+v", err, rep)
	}
	before = e.writes()
	if rep, err := e.runner.Run(ctx, loose, e.dest, revsync.Options{}); err != nil || rep.Planned != 0 || e.writes() != before {
		t.Fatalf("re-run: %v %+v, %d writes", err, rep, e.writes()-before)
	}
}

func TestMirrorArchivesRemovedRows(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.org.AddField("Lead", sftest.Field{Name: "Active__c", Type: sftest.TypeBoolean, Createable: true, Updateable: true,
		DefaultedOnCreate: true, DefaultValue: true, Custom: true}); err != nil {
		t.Fatal(err)
	}
	e.leadModel(t, 20)
	spec := mirrorSpec(&revsync.MirrorSpec{Action: "archive", ArchiveField: "Active__c", ArchiveValue: false, MaxShare: 0.2})
	spec.Mapping["Active__c"] = revsync.FieldMap{Value: true}
	if _, err := e.runner.Run(ctx, spec, e.dest, revsync.Options{}); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `DELETE FROM syncs.leads WHERE zoho_lead_id IN ('ZL-00004', 'ZL-00005')`)
	rep, err := e.runner.Run(ctx, spec, e.dest, revsync.Options{})
	if err != nil || rep.Removed != 2 || rep.Succeeded != 2 {
		t.Fatalf("archive run: %v %+v %v", err, rep.Counts, rep.Errors)
	}
	active := func(key string) any {
		for _, r := range e.org.Records("Lead") {
			if r["Zoho_Lead_Id__c"] == key {
				return r["Active__c"]
			}
		}
		return "missing"
	}
	if e.leadsWith("ZL-") != 20 || active("ZL-00004") != false || active("ZL-00005") != false || active("ZL-00006") != true {
		t.Fatalf("after archiving: %d leads, ZL-00004 %v, ZL-00005 %v, ZL-00006 %v", e.leadsWith("ZL-"),
			active("ZL-00004"), active("ZL-00005"), active("ZL-00006"))
	}
	// Archived records are not archived again.
	before := e.writes()
	if rep, err := e.runner.Run(ctx, spec, e.dest, revsync.Options{}); err != nil || rep.Planned != 0 || e.writes() != before {
		t.Fatalf("re-run: %v %+v, %d writes", err, rep, e.writes()-before)
	}
	// A row that comes back is written again, active.
	e.exec(t, `INSERT INTO syncs.leads VALUES ('ZL-00004', 'Back', 'Company 4', 'back@example.com', 'Contacted')`)
	rep, err = e.runner.Run(ctx, spec, e.dest, revsync.Options{})
	if err != nil || rep.Changed != 1 || rep.Succeeded != 1 || active("ZL-00004") != true {
		t.Fatalf("row back: %v %+v, Active__c %v", err, rep.Counts, active("ZL-00004"))
	}
}
