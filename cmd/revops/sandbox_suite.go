package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohobooks/bookstest"
	"github.com/revops/revops/crm/zohocampaigns/campaignstest"
	"github.com/revops/revops/crm/zohoprojects/projectstest"
)

// booksRevopsField is the unique custom field of Books customers the
// Closed Won → Books template stamps with the CRM account id (a real
// organization creates it in Books' settings before enabling the
// template).
const booksRevopsField = "cf_revops_id"

// sandboxCampaignsCalls is the calls per API per 5 minutes the sandbox's
// Campaigns allows before it locks the API (Zoho's 500 would pace a
// 20,000-record world's first read over six minutes; the lock itself is
// tested at 500 in crm/zohocampaigns). The config the sandbox writes sets
// the source's call_limit to it.
const sandboxCampaignsCalls = 5000

// sandboxProjectsCalls is the calls in 2 minutes the sandbox's Projects
// allows before it blocks the user (Zoho's 100 would pace a 2,000-record
// world's onboarding projects over minutes; the block is tested at 100 in
// crm/zohoprojects). The written config sets the source's call_limit to it.
const sandboxProjectsCalls = 10000

// Templates of the Zoho suite (Campaigns engagement → CRM, Closed Won →
// Books and Projects) add their entries to the config the sandbox writes
// from their own files, in init: each string is YAML list entries
// indented as the links: and syncs: sections of sandboxConfig are.
var sandboxSuiteLinks, sandboxSuiteSyncs []string

// zohoSuite is the sandbox's Zoho org beyond CRM and Desk: the Campaigns,
// Books and Projects emulators. They take the tokens of the one accounts
// server (zohotest), as the real services do, and are served on the Zoho
// listener by path: Campaigns under /api/v1.1/, Books under /books/,
// Projects under /api/v3/ and /restapi/; anything else is CRM, Desk or
// the accounts server.
type zohoSuite struct {
	zo        *zohotest.Server
	campaigns *campaignstest.Server
	books     *bookstest.Server
	projects  *projectstest.Server
}

func newZohoSuite(zo *zohotest.Server, counters *sandbox.Counters, faults *sandbox.Faults) *zohoSuite {
	return &zohoSuite{
		zo: zo,
		campaigns: campaignstest.New(campaignstest.Options{Tokens: zo, Counters: counters, Faults: faults,
			CallsPerWindow: sandboxCampaignsCalls}),
		// Books allows about 100 calls a minute and 5,000 a day (the
		// Professional edition): the sandbox's organization lifts both, so
		// that a 20,000-record world's customers do not take an hour; the
		// limits are tested in crm/zohobooks.
		books: bookstest.New(bookstest.Options{Tokens: zo, Counters: counters, Faults: faults,
			CustomFields: []bookstest.CustomField{{APIName: booksRevopsField, Unique: true}},
			PerMinute:    -1, PerDay: -1}),
		projects: projectstest.New(projectstest.Options{Tokens: zo, Counters: counters, Faults: faults,
			Calls: sandboxProjectsCalls}),
	}
}

func (s *zohoSuite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, campaignstest.Root):
		s.campaigns.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/books/"):
		s.books.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/api/v3/"), strings.HasPrefix(p, "/restapi/"):
		s.projects.ServeHTTP(w, r)
	default:
		s.zo.ServeHTTP(w, r)
	}
}

// seed fills Campaigns (its recipients are the world's people) and Books
// (some of the world's customers exist there already); Projects starts
// with its template project only.
func (s *zohoSuite) seed(world *sandbox.World) []sandbox.Truth {
	truth := s.campaigns.Seed(world.Project(sandbox.ZohoCampaigns))
	return append(truth, s.books.Seed(world)...)
}

// files are the suite's --state files. A state saved before an emulator
// existed lacks its file: restore then seeds that one afresh.
func (s *zohoSuite) files(dir string) map[string]saver {
	return map[string]saver{
		filepath.Join(dir, "zoho_campaigns.state"): s.campaigns,
		filepath.Join(dir, "zoho_books.state"):     s.books,
		filepath.Join(dir, "zoho_projects.state"):  s.projects,
	}
}

// restore loads the suite's saved state from dir and reports whether any
// emulator had none (and needs seeding).
func (s *zohoSuite) restore(dir string) (missing []string, err error) {
	for path, sv := range s.files(dir) {
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			missing = append(missing, filepath.Base(path))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("--state: %w", err)
		}
		err = sv.Load(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("--state: %s: %w", path, err)
		}
	}
	return missing, nil
}

// seedMissing seeds the emulators restore found no state for.
func (s *zohoSuite) seedMissing(world *sandbox.World, missing []string) {
	for _, m := range missing {
		switch m {
		case "zoho_campaigns.state":
			s.campaigns.Seed(world.Project(sandbox.ZohoCampaigns))
		case "zoho_books.state":
			s.books.Seed(world)
		}
	}
}

func (s *zohoSuite) save(dir string) error {
	for path, sv := range s.files(dir) {
		if err := writeFileAtomic(path, sv.Save); err != nil {
			return fmt.Errorf("--state: save %s: %w", path, err)
		}
	}
	return nil
}
