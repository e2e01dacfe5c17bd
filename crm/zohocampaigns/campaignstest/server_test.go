package campaignstest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohocampaigns"
	"github.com/revops/revops/crm/zohocampaigns/campaignstest"
)

func setup(t *testing.T, faults *sandbox.Faults) (*zohotest.TestServer, *campaignstest.TestServer, *zohocampaigns.Client) {
	t.Helper()
	zo := zohotest.Start(zohotest.Options{})
	t.Cleanup(zo.Close)
	cs := campaignstest.Start(campaignstest.Options{Tokens: zo.Server, Faults: faults})
	t.Cleanup(cs.Close)
	cs.Seed(sandbox.Generate(sandbox.Options{Seed: 4, Records: 400}).Project(sandbox.ZohoCampaigns))
	c, err := zohocampaigns.New(zohocampaigns.Config{AccountsURL: zo.URL, BaseURL: cs.URL, ClientID: zo.ClientID(),
		ClientSecret: zo.ClientSecret(), RefreshToken: zo.RefreshToken(),
		Limits: httpx.Limits{RequestsPerSecond: 1000, Burst: 100, MaxRetries: 3}})
	if err != nil {
		t.Fatal(err)
	}
	return zo, cs, c
}

func listAll(t *testing.T, c *zohocampaigns.Client) int {
	t.Helper()
	n := 0
	err := c.RecentCampaigns(context.Background(), zohocampaigns.ListOptions{}, func(p []zohocampaigns.Campaign) (bool, error) {
		n += len(p)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFaultsAndCounters: the shared sandbox middleware counts the calls
// under zoho_campaigns and injects its faults; the client retries a 503
// and renews an expired token.
func TestFaultsAndCounters(t *testing.T) {
	faults := sandbox.NewFaults(1)
	rules, err := sandbox.ParseRules("503:system=zoho_campaigns:times=1;expire_token:system=zoho_campaigns:after=1:times=1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		faults.Add(r)
	}
	_, cs, c := setup(t, faults)
	if n := listAll(t, c); n != len(cs.Campaigns()) {
		t.Fatalf("listed %d", n)
	}
	if n := listAll(t, c); n != len(cs.Campaigns()) {
		t.Fatalf("listed %d after the token expired", n)
	}
	statuses := map[int]int64{}
	for _, k := range cs.Counters().Snapshot() {
		if k.System != campaignstest.System || k.Endpoint != "/api/v1.1/recentcampaigns" {
			t.Errorf("counted %+v", k)
		}
		statuses[k.Status] += k.Count
	}
	if statuses[503] != 1 || statuses[401] != 1 || statuses[200] != 2 {
		t.Errorf("statuses %v: want one 503, one 401, two 200s", statuses)
	}
	if c.Stats().Retries != 1 {
		t.Errorf("client retries %d", c.Stats().Retries)
	}
}

func TestSaveLoadAndEngagement(t *testing.T) {
	_, cs, _ := setup(t, nil)
	key := cs.Campaigns()[0].Key
	if ok, err := cs.AddEngagement(key, "new.person@lists.example", campaignstest.ActionClicked, cs.Campaigns()[0].SentAt.Add(time.Hour)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, _ := cs.AddEngagement(key, "NEW.person@lists.example", campaignstest.ActionClicked, time.Time{}); ok {
		t.Error("the same click twice was recorded twice")
	}
	if _, err := cs.AddEngagement("nope", "a@b.example", campaignstest.ActionOpened, time.Time{}); err == nil {
		t.Error("unknown campaign accepted")
	}
	if _, err := cs.AddEngagement(key, "a@b.example", "readcontacts", time.Time{}); err == nil || !strings.Contains(err.Error(), "readcontacts") {
		t.Errorf("unknown action: %v", err)
	}
	var buf bytes.Buffer
	if err := cs.Save(&buf); err != nil {
		t.Fatal(err)
	}
	other := campaignstest.New(campaignstest.Options{})
	if err := other.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if other.Events() != cs.Events() || len(other.Campaigns()) != len(cs.Campaigns()) {
		t.Errorf("restored %d events in %d campaigns, saved %d in %d", other.Events(), len(other.Campaigns()), cs.Events(), len(cs.Campaigns()))
	}
}

// TestNoTokenIsRefused: a call without a Zoho-oauthtoken gets 401.
func TestNoTokenIsRefused(t *testing.T) {
	_, cs, _ := setup(t, nil)
	resp, err := http.Get(cs.URL + "/api/v1.1/recentcampaigns")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "INVALID_TOKEN") {
		t.Errorf("no token: %d %s", resp.StatusCode, b)
	}
}
