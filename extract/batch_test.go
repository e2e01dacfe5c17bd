package extract

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/load"
)

func TestBatcherConvertsAPIValues(t *testing.T) {
	cols := []Column{
		{Name: "Id", Kind: KindString},
		{Name: "IsConverted", Kind: KindBool},
		{Name: "NumberOfEmployees", Kind: KindInt},
		{Name: "Probability", Kind: KindFloat},
		{Name: "Amount", Kind: KindDecimal, Scale: 2},
		{Name: "CloseDate", Kind: KindDate},
		{Name: "SystemModstamp", Kind: KindDateTime},
		{Name: "Tags", Kind: KindStringList},
		{Name: "Account_Name", Kind: KindLookup},
		{Name: "Raw", Kind: KindJSON},
	}
	b := NewBatcher(cols)
	defer b.Release()
	deleted := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	recs := []map[string]any{
		{"Id": "00Q1", "IsConverted": true, "NumberOfEmployees": json.Number("250"), "Probability": 35.5,
			"Amount": json.Number("1234.5"), "CloseDate": "2024-03-31", "SystemModstamp": "2024-01-15T10:30:00.000+0000",
			"Tags": "a;b", "Account_Name": map[string]any{"name": "Acme", "id": "4150868000000224005"}, "Raw": map[string]any{"k": []any{1.0}}},
		{"Id": "00Q2", "IsConverted": "false", "NumberOfEmployees": 7.0, "Probability": "0.5",
			"Amount": "10", "SystemModstamp": "2024-01-15T16:00:00+05:30", "Tags": []any{"x"}, "Account_Name": "99"},
		{"Id": "00Q3", "SystemModstamp": "2024-01-15T10:30:00.123Z"},
	}
	for i, r := range recs {
		var del *time.Time
		if i == 2 {
			del = &deleted
		}
		if err := b.Append(r, del); err != nil {
			t.Fatal(err)
		}
	}
	rec := b.Flush()
	ts := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	want := [][]any{
		{"00Q1", true, int64(250), 35.5, "1234.50", time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), ts,
			[]any{"a", "b"}, map[string]any{"name": "Acme", "id": "4150868000000224005"}, `{"k":[1]}`, nil},
		{"00Q2", false, int64(7), 0.5, "10.00", nil, ts, []any{"x"}, map[string]any{"name": nil, "id": "99"}, nil, nil},
		{"00Q3", nil, nil, nil, nil, nil, ts.Add(123 * time.Millisecond), nil, nil, nil, deleted},
	}
	for r := range want {
		got := make([]any, rec.NumCols())
		for c := range got {
			got[c] = load.Value(rec.Column(c), r)
		}
		if !reflect.DeepEqual(got, want[r]) {
			t.Errorf("row %d:\n got %v\nwant %v", r, got, want[r])
		}
	}
	rec.Release()
	if b.Flush() != nil {
		t.Error("a second Flush with no rows should return nil")
	}
}

func TestBatcherRejectsBadValuesWhole(t *testing.T) {
	b := NewBatcher([]Column{{Name: "Id", Kind: KindString}, {Name: "N", Kind: KindInt}, {Name: "D", Kind: KindDateTime}})
	defer b.Release()
	cases := []struct {
		rec  map[string]any
		want string
	}{
		{map[string]any{"Id": "1", "N": "many"}, "field N: want a whole number"},
		{map[string]any{"Id": "1", "N": 1.5}, "field N: want a whole number"},
		{map[string]any{"Id": "1", "D": "yesterday"}, "field D: want a datetime"},
		{map[string]any{"Id": "1", "D": 12.0}, "field D: want a datetime"},
	}
	for _, c := range cases {
		err := b.Append(c.rec, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.rec, err, c.want)
		}
	}
	if b.Len() != 0 {
		t.Fatalf("rejected rows were half-added: %d rows", b.Len())
	}
	if err := b.Append(map[string]any{"Id": "ok", "N": json.Number("3")}, nil); err != nil {
		t.Fatal(err)
	}
	rec := b.Flush()
	defer rec.Release()
	if rec.NumRows() != 1 || rec.Column(0).ValueStr(0) != "ok" || rec.Column(1).ValueStr(0) != "3" {
		t.Fatalf("batch after rejections is misaligned: %v", rec)
	}
}
