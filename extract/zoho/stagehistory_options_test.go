package zoho_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/extract/zoho"
)

// TestStageHistoryShareOption: stage_history_share is a share above 0
// and at most 1 of a zoho_crm source; a bad one is an error at the
// source's line that names the setting.
func TestStageHistoryShareOption(t *testing.T) {
	for _, tc := range []struct {
		name, typ, share string
		wantErr          string // "" = valid
	}{
		{"unset", "zoho_crm", "", ""},
		{"a tenth", "zoho_crm", "0.1", ""},
		{"all", "zoho_crm", "1", ""},
		{"zero", "zoho_crm", "0", "stage_history_share: 0 is not a share above 0 and at most 1"},
		{"negative", "zoho_crm", "-0.05", "stage_history_share: -0.05 is not a share above 0 and at most 1"},
		{"a percentage", "zoho_crm", "5", "stage_history_share: 5 is not a share above 0 and at most 1"},
		{"NaN", "zoho_crm", ".nan", "stage_history_share: NaN is not a share"},
		{"not a number", "zoho_crm", "five percent", "stage_history_share"},
		{"desk", "zoho_desk", "0.1", "stage_history_share: only a zoho_crm source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "version: 1\nwarehouse: {type: duckdb, path: x.duckdb}\nsources:\n" +
				"  - name: crm_eu\n    type: " + tc.typ + "\n    client_id: id\n    client_secret: secret\n" +
				"    refresh_token: token\n    org_id: \"1\"\n    daily_credits: 150000\n"
			if tc.typ == "zoho_crm" {
				src = strings.Replace(src, "    org_id: \"1\"\n", "", 1)
			}
			if tc.share != "" {
				src += "    stage_history_share: " + tc.share + "\n"
			}
			cfg, err := configs.Parse("revops.yaml", []byte(src), nil)
			if err != nil {
				t.Fatal(err)
			}
			o := zoho.CRM()
			if tc.typ == "zoho_desk" {
				o = zoho.Desk()
			}
			err = cfg.Sources[0].Options.Decode(o)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("%s: %v", tc.share, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("stage_history_share %s: no error", tc.share)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantErr) || !strings.Contains(msg, "revops.yaml:") || !strings.Contains(msg, "sources[0]") {
				t.Fatalf("stage_history_share %s: %q; want the file, line, source and %q", tc.share, msg, tc.wantErr)
			}
			t.Logf("%s", msg)
		})
	}
}

// TestStageHistoryShareNamesSource: options built in code (not from a
// config file) are checked by New, whose error names the source.
func TestStageHistoryShareNamesSource(t *testing.T) {
	o := zoho.CRM()
	o.ClientID, o.ClientSecret, o.RefreshToken, o.DailyCredits = "id", "secret", "token", 150_000
	share := 1.5
	o.StageHistoryShare = &share
	_, err := zoho.New(context.Background(), "crm_eu", o, nil)
	if err == nil || !strings.Contains(err.Error(), "source crm_eu: stage_history_share: 1.5 is not a share") {
		t.Fatalf("New: %v; want an error naming the source and stage_history_share", err)
	}
}
