package sandbox

import (
	"reflect"
	"sync"
	"testing"
)

func TestCounters(t *testing.T) {
	c := NewCounters()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 250 {
				c.Add("zoho_crm", "GET", "/crm/v8/{module}", 200)
			}
		})
	}
	c.Add("salesforce", "POST", "/services/oauth2/token", 200)
	c.Add("salesforce", "GET", "/services/data/vXX.X/query", 429)
	c.Add("salesforce", "GET", "/services/data/vXX.X/query", 200)
	c.Add("salesforce", "GET", "/services/data/vXX.X/query", 200)
	wg.Wait()

	want := []Count{
		{"salesforce", "GET", "/services/data/vXX.X/query", 200, 2},
		{"salesforce", "GET", "/services/data/vXX.X/query", 429, 1},
		{"salesforce", "POST", "/services/oauth2/token", 200, 1},
		{"zoho_crm", "GET", "/crm/v8/{module}", 200, 1000},
	}
	if got := c.Snapshot(); !reflect.DeepEqual(got, want) {
		t.Errorf("Snapshot() =\n %v\nwant\n %v", got, want)
	}
	if n := c.Sum(nil); n != 1004 {
		t.Errorf("Sum(nil) = %d, want 1004", n)
	}
	if n := c.Sum(func(k Count) bool { return k.System == "salesforce" && k.Status == 200 }); n != 3 {
		t.Errorf("Sum(salesforce 200) = %d, want 3", n)
	}
	c.Reset()
	if got := c.Snapshot(); got == nil || len(got) != 0 {
		t.Errorf("after Reset: %#v, want an empty non-nil slice", got)
	}
}
