package salesforce_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce/sftest"
)

// TestGate: every request asks the client's gate first with its method
// and path; a refusal fails the request unsent, wrapping the gate's
// error; a release comes after the request is counted in Stats.
func TestGate(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()
	var asked []string
	var countedAtRelease []int64
	c.SetGate(func(_ context.Context, what string, cost int64) (func(), error) {
		asked = append(asked, what)
		if cost != 1 {
			t.Errorf("cost %d", cost)
		}
		return func() { countedAtRelease = append(countedAtRelease, c.Stats().Requests) }, nil
	})
	before := c.Stats().Requests
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || !strings.HasPrefix(asked[0], "GET /services/data/v") || !strings.HasSuffix(asked[0], "/limits") ||
		len(countedAtRelease) != 1 || countedAtRelease[0] != before+1 {
		t.Errorf("asked %v, released at %v requests (before: %d)", asked, countedAtRelease, before)
	}

	refused := errors.New("no room")
	c.SetGate(func(context.Context, string, int64) (func(), error) { return nil, refused })
	sent := o.requests("")
	if _, err := c.Limits(ctx); !errors.Is(err, refused) {
		t.Errorf("refused request: %v", err)
	}
	if n := o.requests("") - sent; n != 0 {
		t.Errorf("%d requests sent past the gate", n)
	}
	c.SetGate(nil)
	if _, err := c.Limits(ctx); err != nil {
		t.Errorf("without a gate: %v", err)
	}
}
