package zoho

import (
	"strings"
	"testing"
)

// TestBulkWriteThresholdOption: bulk_write_threshold belongs to zoho_crm
// sources; api_budget is a share.
func TestBulkWriteThresholdOption(t *testing.T) {
	for _, tc := range []struct {
		desk    bool
		n       int
		share   float64
		wantErr string
	}{
		{false, 500, 0, ""},
		{false, -1, 0.5, ""},
		{true, 500, 0, "bulk_write_threshold: only a zoho_crm source"},
		{false, 0, 80, "api_budget: 80 is not a share between 0 and 1"},
	} {
		o := CRM()
		if tc.desk {
			o = Desk()
			o.OrgID = "1"
		}
		o.ClientID, o.ClientSecret, o.RefreshToken, o.BulkWriteThreshold, o.APIBudget = "id", "secret", "token", tc.n, tc.share
		err := o.Validate()
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("desk %v, %d: %v, want %q", tc.desk, tc.n, err, tc.wantErr)
		}
	}
}
