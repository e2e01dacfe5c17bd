package zql

import (
	"testing"
	"time"
)

// TestValueShapes runs unchecked and checked conditions over the value
// shapes a Record may hand back.
func TestValueShapes(t *testing.T) {
	shapes := testSchema{"M": {
		{name: "N", typ: TypeNumber}, {name: "B", typ: TypeBool}, {name: "S", typ: TypeMultiSelect},
		{name: "L", typ: TypeLookup, target: "M"}, {name: "T", typ: TypeDateTime}, {name: "D", typ: TypeDate},
		{name: "X", typ: TypeText},
	}}
	tests := []struct {
		where string
		v     any
		want  bool
	}{
		{"N = 3", int(3), true},
		{"N = 3", int32(3), true},
		{"N = 3.5", float32(3.5), true},
		{"N > 2", "3", true},                                    // bigint as a string
		{"N > 9007199254740993", int64(9007199254740994), true}, // beyond float64 precision
		{"N < 9007199254740993", int64(9007199254740992), true},
		{"N = 1", "one", false},
		{"N = 1", true, false},
		{"N > 1", 1.5e300, true},
		{"B = true", "TRUE", true},
		{"B = true", "yes", false},
		{"S = 'b'", []any{"a", "B"}, true},
		{"S like 'x%'", []any{"a", "B"}, false},
		{"S in ('z', 'a')", "a", true},
		{"L = 42", map[string]any{"id": int64(42)}, true},
		{"L = 42", map[string]any{"id": 42.0}, true},
		{"L = 42", map[string]any{"id": int(42)}, true},
		{"L = 0042", "42", true},
		{"L != 42", map[string]any{"id": "x"}, true},
		{"L = 42", map[string]any{"name": "no id"}, false},
		{"T > '2024-01-01T00:00:00Z'", "2024-01-02", true}, // a bare date reads as midnight UTC
		{"T > '2024-01-01T00:00:00Z'", "soon", false},
		{"T > '2024-01-01T00:00:00Z'", 5, false},
		{"D = '2024-01-02'", "2024-01-02T23:00:00-05:00", true},
		{"D = '2024-01-02'", 5, false},
		{"X = '5'", 5.0, true},
		{"X = '5'", int64(5), true},
		{"X like '%1%'", []string{"1"}, true},
	}
	for _, tt := range tests {
		q, err := ParseCOQL("select id from M where " + tt.where)
		if err != nil {
			t.Fatal(err)
		}
		r := rec(tt.where[:1], tt.v)
		if err := q.Check(shapes); err != nil {
			t.Fatalf("%s: %v", tt.where, err)
		}
		if got := q.Match(r); got != tt.want {
			t.Errorf("%s on %#v = %v, want %v", tt.where, tt.v, got, tt.want)
		}
	}
}

func TestUncheckedInference(t *testing.T) {
	r := rec("id", int64(42), "when", "2024-01-15T10:30:00+05:30", "day", "2024-01-15",
		"n", int64(5), "owner", map[string]any{"id": "9", "name": "P"}, "tags", []any{"x"},
		"ts", time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC), "flag", true)
	for _, tt := range []struct {
		where string
		want  bool
	}{
		{"id = 42", true},
		{"id > 041", true},
		{"id = 'abc'", false},
		{"when > '2024-01-15T04:00:00Z'", true},
		{"when < '2024-01-15T04:00:00Z'", false},
		{"day = '2024-01-15'", true},
		{"day > '2024-01-14'", true},
		{"when = '2024-01-15'", true}, // a date literal compares the day
		{"ts = '2024-01-15'", true},
		{"ts > '2024-01-15T11:00:00Z'", true},
		{"n = 'five'", false}, // falls back to text
		{"n between 1 and 9", true},
		{"owner = 9", true},
		{"owner.name = 'p'", true},
		{"tags = 'X'", true},
		{"flag = true", true},
	} {
		q, err := ParseCOQL("select id from M where " + tt.where)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Match(r); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.where, got, tt.want)
		}
	}
}

func TestCredits(t *testing.T) {
	for limit, want := range map[int]int{1: 1, 200: 1, 201: 2, 1000: 2, 1001: 3, 2000: 3} {
		if got := (&Query{Limit: limit}).Credits(); got != want {
			t.Errorf("Credits(limit %d) = %d, want %d", limit, got, want)
		}
	}
}

func TestFieldsAndIDDefault(t *testing.T) {
	c, _ := ParseCriteria("((id:equals:1)or(Last_Name:in:a,b))")
	if got := c.Fields(); len(got) != 2 || got[0] != "id" || got[1] != "Last_Name" {
		t.Errorf("Fields() = %v", got)
	}
	noID := testSchema{"M": {{name: "X", typ: TypeText}}}
	if err := c.Check("M", noID); err == nil {
		t.Error("Last_Name should be unknown")
	}
	q, _ := ParseCOQL("select ID from M where id > 5 order by Id desc")
	if err := q.Check(noID); err != nil {
		t.Fatalf("id is always known: %v", err)
	}
	if q.String() != "select id from M where id > 5 order by id desc limit 200" {
		t.Errorf("%s", q)
	}
}
