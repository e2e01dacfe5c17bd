package zoho

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/revops/revops/crm/zoho"
)

func TestWriteValue(t *testing.T) {
	for _, tc := range []struct {
		dt   string
		v    any
		want any
	}{
		{"lookup", "4150868000000225013", map[string]any{"id": "4150868000000225013"}},
		{"ownerlookup", "554023000000235011", map[string]any{"id": "554023000000235011"}},
		{"lookup", "", nil},
		{"lookup", nil, nil},
		{"datetime", "2024-01-15T10:30:00Z", "2024-01-15T10:30:00+00:00"},
		{"datetime", "2024-01-15T10:30:00.123+05:30", "2024-01-15T10:30:00+05:30"},
		{"date", "2024-01-15T00:00:00Z", "2024-01-15"},
		{"date", "2024-01-15", "2024-01-15"},
		{"multiselectpicklist", "a;b", []string{"a", "b"}},
		{"multiselectpicklist", []string{"a"}, []string{"a"}},
		{"integer", 42.0, int64(42)},
		{"currency", 42.5, 42.5},
		{"text", "x", "x"},
	} {
		if got := writeValue(tc.dt, tc.v); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("writeValue(%s, %#v) = %#v, want %#v", tc.dt, tc.v, got, tc.want)
		}
	}
}

func TestReadValue(t *testing.T) {
	for _, tc := range []struct {
		dt   string
		v    any
		want any
	}{
		{"lookup", map[string]any{"id": "1", "name": "x"}, "1"},
		{"integer", json.Number("7"), int64(7)},
		{"currency", json.Number("7.5"), 7.5},
		{"datetime", "2024-01-15T16:00:00+05:30", "2024-01-15T10:30:00Z"},
		{"multiselectpicklist", []any{"a", "b"}, []string{"a", "b"}},
		{"text", nil, nil},
	} {
		if got := readValue(tc.dt, tc.v); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("readValue(%s, %#v) = %#v, want %#v", tc.dt, tc.v, got, tc.want)
		}
	}
}

func TestRowError(t *testing.T) {
	for code, retry := range map[string]bool{"RECORD_LOCKED": true, "TOO_MANY_REQUESTS": true, "INTERNAL_ERROR": true,
		"MANDATORY_NOT_FOUND": false, "DUPLICATE_DATA": false, "INVALID_DATA": false} {
		e := rowError(zoho.Result{Status: "error", Code: code, Message: "m", Details: map[string]any{"api_name": "Email"}})
		if e.Code != code || e.Retryable != retry || !reflect.DeepEqual(e.Fields, []string{"Email"}) {
			t.Errorf("%s → %+v", code, e)
		}
	}
	if e := rowError(zoho.Result{Status: "error"}); e.Code != "UNKNOWN" || e.Fields != nil {
		t.Errorf("empty → %+v", e)
	}
}
