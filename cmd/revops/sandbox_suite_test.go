package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zohoCall sends one API call with a fresh access token of the sandbox's
// Zoho accounts server and decodes the JSON answer.
func zohoCall(t *testing.T, info sandboxInfo, method, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(info.Zoho.AccountsURL+"/oauth/v2/token", map[string][]string{
		"grant_type": {"refresh_token"}, "client_id": {info.Zoho.ClientID},
		"client_secret": {info.Zoho.ClientSecret}, "refresh_token": {info.Zoho.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		t.Fatal("no Zoho access token from the sandbox")
	}
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Zoho-oauthtoken "+tok.AccessToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestSandboxServesTheZohoSuite: Campaigns, Books and Projects answer on
// the Zoho URL with the accounts server's tokens, Books starts with the
// world's existing customers, the written config validates with their
// sources, and their state survives --state (a state saved before they
// existed seeds them afresh).
func TestSandboxServesTheZohoSuite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	state := filepath.Join(dir, "state")
	info, stop := startSandbox(t, "--records", "300", "--write-config", cfg, "--state", state)
	if info.Zoho.BooksOrganizationID == "" || info.Zoho.ProjectsPortalID == "" {
		t.Fatalf("info.zoho = %+v", info.Zoho)
	}
	if code, out, errOut := revops(t, nil, "validate", "-c", cfg); code != 0 || !strings.Contains(out, "zoho_books") && !strings.Contains(out, "sources") {
		t.Fatalf("validate written config: %d %q %q", code, out, errOut)
	}
	books := info.Zoho.APIDomain + "/books/v3/contacts?organization_id=" + info.Zoho.BooksOrganizationID
	code, out := zohoCall(t, info, "GET", books, "")
	seeded, _ := out["contacts"].([]any)
	if code != 200 || len(seeded) == 0 {
		t.Fatalf("Books contacts: %d %v", code, out)
	}
	projects := info.Zoho.APIDomain + "/api/v3/portal/" + info.Zoho.ProjectsPortalID + "/projects"
	if code, out := zohoCall(t, info, "POST", projects, `{"name":"Onboarding: Kept Across Restarts"}`); code/100 != 2 {
		t.Fatalf("create project: %d %v", code, out)
	}
	campaigns := info.Zoho.APIDomain + "/api/v1.1/recentcampaigns?resfmt=JSON&fromindex=1&range=50&status=all"
	if code, out := zohoCall(t, info, "GET", campaigns, ""); code != 200 || out["status"] != "success" {
		t.Fatalf("Campaigns recentcampaigns: %d %v", code, out)
	}
	if code := stop(); code != 0 {
		t.Fatalf("sandbox exit %d", code)
	}
	for _, f := range []string{"zoho_campaigns.state", "zoho_books.state", "zoho_projects.state"} {
		if _, err := os.Stat(filepath.Join(state, f)); err != nil {
			t.Fatalf("state: %v", err)
		}
	}

	// Restored: the project is there; Books is seeded afresh when its
	// state file is missing (a state saved before Books existed).
	if err := os.Remove(filepath.Join(state, "zoho_books.state")); err != nil {
		t.Fatal(err)
	}
	info2, _ := startSandbox(t, "--records", "300", "--state", state)
	_, out = zohoCall(t, info2, "GET", info2.Zoho.APIDomain+"/api/v3/portal/"+info2.Zoho.ProjectsPortalID+"/projects", "")
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), "Kept Across Restarts") {
		t.Fatalf("restored Projects lost the project: %s", b)
	}
	_, out = zohoCall(t, info2, "GET", info2.Zoho.APIDomain+"/books/v3/contacts?organization_id="+info2.Zoho.BooksOrganizationID, "")
	if again, _ := out["contacts"].([]any); len(again) != len(seeded) {
		t.Fatalf("Books seeded afresh holds %d customers, first start %d", len(again), len(seeded))
	}
}
