package zoho

import (
	"strings"
	"testing"
)

// TestBulkWriteThresholdOption: the key belongs to zoho_crm sources.
func TestBulkWriteThresholdOption(t *testing.T) {
	for _, tc := range []struct {
		desk    bool
		n       int
		wantErr string
	}{
		{false, 500, ""},
		{false, -1, ""},
		{true, 500, "bulk_write_threshold: only a zoho_crm source"},
	} {
		o := CRM()
		if tc.desk {
			o = Desk()
			o.OrgID = "1"
		}
		o.ClientID, o.ClientSecret, o.RefreshToken, o.BulkWriteThreshold = "id", "secret", "token", tc.n
		err := o.Validate()
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("desk %v, %d: %v, want %q", tc.desk, tc.n, err, tc.wantErr)
		}
	}
}
