package salesforce_test

import (
	"context"
	"testing"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
)

func TestParseLimitInfo(t *testing.T) {
	for _, tc := range []struct {
		h         string
		used, max int64
		ok        bool
	}{
		{"api-usage=10018/100000", 10018, 100000, true},
		{"per-app-api-usage=17/250(appName=sample), api-usage=25/5000", 25, 5000, true},
		{"api-usage=12", 0, 0, false},
		{"", 0, 0, false},
		{"api-usage=1/0", 0, 0, false},
	} {
		used, max, ok := salesforce.ParseLimitInfo(tc.h)
		if used != tc.used || max != tc.max || ok != tc.ok {
			t.Errorf("%q: %d/%d %v", tc.h, used, max, ok)
		}
	}
}

// TestAPIUsage: the client keeps the last Sforce-Limit-Info it saw.
func TestAPIUsage(t *testing.T) {
	o := startOrg(t, sftest.Options{DailyAPILimit: 500})
	c := newClient(t, o.config())
	if _, _, ok := c.APIUsage(); ok {
		t.Error("usage known before any call")
	}
	if _, err := c.Limits(context.Background()); err != nil {
		t.Fatal(err)
	}
	used, max, ok := c.APIUsage()
	if !ok || max != 500 || used < 1 {
		t.Errorf("usage %d/%d %v", used, max, ok)
	}
}
