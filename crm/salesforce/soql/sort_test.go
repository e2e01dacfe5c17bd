package soql

import (
	"reflect"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	t1, t2 := instant("2024-01-01T00:00:00Z"), instant("2024-01-01T00:00:01Z")
	tests := []struct {
		a, b any
		want int
	}{
		{nil, nil, 0},
		{nil, "a", -1},
		{"a", nil, 1},
		{"", nil, 0},
		{nil, 0.0, -1},
		{"a", "B", -1},
		{"B", "a", 1},
		{"abc", "ABC", 0},
		{"ab", "abc", -1},
		{"_", "a", 1}, // upper-cased: '_' sorts after 'A'
		{"é", "E", 1},
		{int64(2), 1.5, 1},
		{int64(3), int64(10), -1},
		{int64(10), int64(3), 1},
		{int64(-5), int64(-5), 0},
		{1, int64(1), 0},
		{float32(0.5), 0.25, 1},
		{false, true, -1},
		{true, false, 1},
		{true, true, 0},
		{t1, t2, -1},
		{t2, t1, 1},
		{t1, t1.In(time.FixedZone("x", 3600)), 0},
		{true, 1.0, -1},      // bool before number
		{1.0, "1", -1},       // number before string
		{"z", t1, -1},        // string before time
		{t1, struct{}{}, -1}, // time before anything else
		{struct{}{}, struct{}{}, 0},
		{int8(1), int16(2), -1},
		{uint(3), uint16(3), 0},
		{uint32(4), uint64(3), 1},
		{int(-1), uint8(0), -1},
	}
	for _, tt := range tests {
		if got := Compare(tt.a, tt.b); got != tt.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSort(t *testing.T) {
	rows := []row{
		{"K": 0, "Name": "b", "Amount": 10.0},
		{"K": 1, "Name": nil, "Amount": 5.0},
		{"K": 2, "Name": "A", "Amount": 10.0},
		{"K": 3, "Name": "a", "Amount": nil},
		{"K": 4, "Name": "", "Amount": int64(7)},
		{"K": 5, "Name": "C", "Amount": 10.0},
		{"K": 6, "Name": "b", "Amount": nil},
	}
	tests := []struct {
		order string
		want  []int
	}{
		{"", []int{0, 1, 2, 3, 4, 5, 6}},
		{"Name", []int{1, 4, 2, 3, 0, 6, 5}},
		{"Name ASC NULLS FIRST", []int{1, 4, 2, 3, 0, 6, 5}},
		{"Name NULLS LAST", []int{2, 3, 0, 6, 5, 1, 4}},
		{"Name DESC", []int{1, 4, 5, 0, 6, 2, 3}},
		{"Name DESC NULLS LAST", []int{5, 0, 6, 2, 3, 1, 4}},
		{"Amount DESC, Name", []int{3, 6, 2, 0, 5, 4, 1}},
		{"Amount DESC NULLS LAST, Name DESC", []int{5, 0, 2, 4, 1, 6, 3}},
		{"Amount, K DESC", []int{6, 3, 1, 4, 5, 2, 0}},
	}
	for _, tt := range tests {
		src := "SELECT Id FROM X"
		if tt.order != "" {
			src += " ORDER BY " + tt.order
		}
		q, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		rs := make([]Row, len(rows))
		for i, r := range rows {
			rs[i] = r
		}
		q.Sort(rs)
		got := make([]int, len(rs))
		for i, r := range rs {
			got[i] = r.Value("K").(int)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ORDER BY %s = %v, want %v", tt.order, got, tt.want)
		}
	}
}

// TestSortIDs checks that id keys, once Check has typed them, sort
// case-sensitively while text keys ignore case.
func TestSortIDs(t *testing.T) {
	rows := []Row{
		row{"Id": "001D000000IqhSb", "Name": "b"},
		row{"Id": "001D000000IqhSA", "Name": "B"},
		row{"Id": "001D000000IqhSa", "Name": "a"},
	}
	q, err := Parse("SELECT Id FROM Contact ORDER BY Id")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Check(testSchema); err != nil {
		t.Fatal(err)
	}
	q.Sort(rows)
	var got []string
	for _, r := range rows {
		got = append(got, r.Value("Id").(string))
	}
	want := []string{"001D000000IqhSA", "001D000000IqhSa", "001D000000IqhSb"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ORDER BY Id = %v, want %v", got, want)
	}
	if q.OrderBy[0].Type != TypeID {
		t.Errorf("Check left Order.Type = %v", q.OrderBy[0].Type)
	}

	q, _ = Parse("SELECT Id FROM Contact ORDER BY Name DESC")
	if err := q.Check(testSchema); err != nil {
		t.Fatal(err)
	}
	q.Sort(rows)
	got = got[:0]
	for _, r := range rows {
		got = append(got, r.Value("Name").(string))
	}
	if want := []string{"B", "b", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ORDER BY Name DESC = %v, want %v", got, want)
	}
}
