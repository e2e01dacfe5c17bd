package salesforce

import (
	"reflect"
	"testing"

	"github.com/revops/revops/crm/salesforce"
	revsync "github.com/revops/revops/sync"
)

func TestRowErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		code      string
		retryable bool
	}{
		{"UNABLE_TO_LOCK_ROW", true}, {"ALL_OR_NONE_OPERATION_ROLLED_BACK", true}, {"SERVER_UNAVAILABLE", true},
		{"UNPROCESSED", true}, {"REQUIRED_FIELD_MISSING", false}, {"DUPLICATE_VALUE", false},
		{"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", false}, {"STRING_TOO_LONG", false},
	} {
		e := rowError(salesforce.RecordError{StatusCode: tc.code, Message: "m", Fields: []string{"F"}})
		if e.Code != tc.code || e.Message != "m" || e.Retryable != tc.retryable || !reflect.DeepEqual(e.Fields, []string{"F"}) {
			t.Errorf("%s → %+v", tc.code, e)
		}
	}
	if e := rowError(salesforce.RecordError{StatusCode: "X", Fields: []string{}}); e.Fields != nil {
		t.Errorf("empty fields → %#v", e.Fields)
	}
}

func TestCSVValue(t *testing.T) {
	for _, tc := range []struct {
		typ   revsync.FieldType
		v     any
		clear bool
		want  string
	}{
		{revsync.TypeString, nil, true, "#N/A"},
		{revsync.TypeString, nil, false, ""},
		{revsync.TypeString, "", true, "#N/A"},
		{revsync.TypeString, "a\r\nb", true, "a\nb"},
		{revsync.TypeDatetime, "2024-01-15T12:30:00+02:00", true, "2024-01-15T10:30:00.000Z"},
		{revsync.TypeDate, "2024-01-15", true, "2024-01-15"},
		{revsync.TypeBoolean, true, true, "true"},
		{revsync.TypeCurrency, 1234567.5, true, "1234567.5"},
		{revsync.TypeInt, int64(42), true, "42"},
		{revsync.TypeMultipicklist, []string{"a", "b"}, true, "a;b"},
		{revsync.TypeMultipicklist, []string{}, true, "#N/A"},
	} {
		if got := csvValue(tc.typ, tc.v, tc.clear); got != tc.want {
			t.Errorf("csvValue(%s, %#v) = %q, want %q", tc.typ, tc.v, got, tc.want)
		}
	}
}

func TestReadValue(t *testing.T) {
	for _, tc := range []struct {
		typ  revsync.FieldType
		v    any
		want any
	}{
		{revsync.TypeDatetime, "2024-01-15T10:30:00.000+0000", "2024-01-15T10:30:00Z"},
		{revsync.TypeMultipicklist, "a;b", []string{"a", "b"}},
		{revsync.TypeString, "x", "x"},
		{revsync.TypeBoolean, true, true},
		{revsync.TypeReference, map[string]any{"Name": "x"}, nil},
	} {
		if got := readValue(tc.typ, tc.v); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("readValue(%s, %#v) = %#v, want %#v", tc.typ, tc.v, got, tc.want)
		}
	}
}

func TestFieldTypes(t *testing.T) {
	for in, want := range map[string]revsync.FieldType{"combobox": revsync.TypePicklist, "long": revsync.TypeInt,
		"reference": revsync.TypeReference, "url": revsync.TypeURL, "datetime": revsync.TypeDatetime} {
		if got, ok := fieldType(in); !ok || got != want {
			t.Errorf("fieldType(%s) = %s", in, got)
		}
	}
	for _, in := range []string{"address", "location", "base64"} {
		if _, ok := fieldType(in); ok {
			t.Errorf("fieldType(%s) accepted", in)
		}
	}
}
