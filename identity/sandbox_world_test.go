//go:build duckdb_arrow

package identity_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/identity"
)

// worldEnv is an integer setting of TestSandboxWorldQuality: its
// environment variable, else def.
func worldEnv(t *testing.T, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s=%q: %v", name, s, err)
		}
		return v
	}
	return def
}

// worldCSV writes what the three systems of a sandbox world hold of one
// kind of entity as a CSV file in the roles identity.person_input and
// identity.company_input give the matcher (a contact's company and
// website are its account's), with each record's true entity.
type worldCSV struct {
	buf *bytes.Buffer
	w   *csv.Writer
}

func newWorldCSV(header ...string) *worldCSV {
	c := &worldCSV{buf: &bytes.Buffer{}}
	c.w = csv.NewWriter(c.buf)
	c.w.Write(append([]string{"record_id", "truth", "source"}, header...))
	return c
}

func (c *worldCSV) row(fields ...string) { c.w.Write(fields) }

func (c *worldCSV) data(t *testing.T, roles string) *identity.CSVData {
	t.Helper()
	c.w.Flush()
	m, err := identity.ParseRoleMap(roles)
	if err != nil {
		t.Fatal(err)
	}
	d, err := identity.ReadCSV(c.buf, "world.csv", "record_id", m, "truth")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSandboxWorldQuality matches the people and companies of a sandbox
// world as Salesforce, Zoho CRM and Zoho Desk hold them (typos, nicknames,
// duplicates, colleagues, namesakes, companies sharing a street address)
// and holds pairwise F1 to the 0.98 for each kind. It reads the
// generator's projections directly (no emulators, no extract), so it runs
// at 20,000 records per system in seconds; TestIdentitySandbox in
// cmd/revops runs the whole loop at the demo's size.
func TestSandboxWorldQuality(t *testing.T) {
	// 20,000 records per system, where a matcher that only holds at the
	// demo's 2,000 falls apart; the seed of the sandbox's worlds.
	n := worldEnv(t, "REVOPS_IDENTITY_WORLD_RECORDS", 20000)
	seed := worldEnv(t, "REVOPS_IDENTITY_WORLD_SEED", 42)
	w := sandbox.Generate(sandbox.Options{Seed: int64(seed), Records: n})
	people := newWorldCSV("first", "last", "email", "phone", "company", "website", "city", "state", "country")
	companies := newWorldCSV("name", "website", "phone", "street", "city", "state", "postcode", "country")
	for _, sys := range []sandbox.System{sandbox.Salesforce, sandbox.ZohoCRM, sandbox.ZohoDesk} {
		p := w.Project(sys)
		for i, a := range p.Accounts {
			companies.row(fmt.Sprintf("%s:account:%d", sys, i), a.EntityID, string(sys),
				a.Name, a.Website, a.Phone, a.Street, a.City, a.State, a.PostalCode, a.Country)
		}
		for i, c := range p.Contacts {
			var company, website string
			if c.AccountIdx >= 0 {
				company, website = p.Accounts[c.AccountIdx].Name, p.Accounts[c.AccountIdx].Website
			}
			people.row(fmt.Sprintf("%s:contact:%d", sys, i), c.EntityID, string(sys), c.FirstName, c.LastName,
				c.Email, c.Phone, company, website, c.MailingCity, c.MailingState, c.MailingCountry)
		}
		for i, l := range p.Leads {
			people.row(fmt.Sprintf("%s:lead:%d", sys, i), l.EntityID, string(sys), l.FirstName, l.LastName,
				l.Email, l.Phone, l.Company, "", l.City, l.State, l.Country)
		}
	}
	for _, k := range []struct {
		kind  identity.Kind
		data  *worldCSV
		roles string
	}{
		{identity.KindPerson, people, "source=source,first_name=first,last_name=last,email=email,phone=phone,company=company,website=website,city=city,state=state,country=country"},
		{identity.KindCompany, companies, "source=source,company=name,website=website,phone=phone,address=street,city=city,state=state,postcode=postcode,country=country"},
	} {
		t.Run(string(k.kind), func(t *testing.T) {
			data := k.data.data(t, k.roles)
			opts := identity.DefaultOptions()
			if err := opts.Validate(); err != nil {
				t.Fatal(err)
			}
			res, err := identity.MatchCSV(t.Context(), openMem(t), data, k.kind, &opts)
			if err != nil {
				t.Fatal(err)
			}
			pred, truth := map[string]string{}, map[string]string{}
			for _, a := range res.Assignments {
				pred[a.RecordID] = a.EntityID
			}
			for i, id := range data.IDs {
				truth[id] = data.Extra["truth"][i]
			}
			ev, err := identity.Evaluate(pred, truth)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d %s records (%d per system, seed %d): precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d); %d candidate pairs; %.1fs",
				ev.Records, k.kind, n, seed, ev.Precision, ev.Recall, ev.F1, ev.TruePositives, ev.FalsePositives, ev.FalseNegatives,
				res.Stats.CandidatePairs, res.Stats.Seconds)
			if ev.F1 < 0.98 {
				t.Errorf("%s: pairwise F1 %.4f < 0.98; wrong pairs:\n  %s", k.kind, ev.F1,
					strings.Join(wrongPairs(pred, truth, 20), "\n  "))
			}
		})
	}
}

// wrongPairs lists up to n record pairs one of pred and truth puts
// together and the other apart.
func wrongPairs(pred, truth map[string]string, n int) []string {
	byPred, byTruth := map[string][]string{}, map[string][]string{}
	for id, e := range truth {
		byPred[pred[id]] = append(byPred[pred[id]], id)
		byTruth[e] = append(byTruth[e], id)
	}
	var out []string
	scan := func(groups map[string][]string, what string, wrong func(a, b string) bool) {
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ids := groups[k]
			sort.Strings(ids)
			for i := 0; i < len(ids) && len(out) < n; i++ {
				for j := i + 1; j < len(ids) && len(out) < n; j++ {
					if wrong(ids[i], ids[j]) {
						out = append(out, fmt.Sprintf("%s: %s (%s) / %s (%s)", what, ids[i], truth[ids[i]], ids[j], truth[ids[j]]))
					}
				}
			}
		}
	}
	scan(byPred, "false positive", func(a, b string) bool { return truth[a] != truth[b] })
	scan(byTruth, "false negative", func(a, b string) bool { return pred[a] != pred[b] })
	return out
}
