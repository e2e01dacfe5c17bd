package soql

import (
	"reflect"
	"testing"
)

func TestBounds(t *testing.T) {
	tests := []struct {
		where string
		want  []Bound
		at    []Bound // extra bounds from BoundsAt(now), appended in place order
	}{
		{"", nil, nil},
		{"A = 'x'", []Bound{{"A", "=", []any{"x"}}}, nil},
		{"A >= 2024-01-01T00:00:00Z", []Bound{{"A", ">=", []any{instant("2024-01-01T00:00:00Z")}}}, nil},
		{"A < 2024-01-01", []Bound{{"A", "<", []any{day("2024-01-01")}}}, nil},
		{"A = 1 OR B = 2", nil, nil},
		{"NOT A = 1", nil, nil},
		{"A != 1 AND B NOT IN (1) AND C LIKE 'x' AND D INCLUDES ('x') AND E EXCLUDES ('y')", nil, nil},
		{"A = 1 AND (B = 2 AND C <= 3)", []Bound{{"A", "=", []any{1.0}}, {"B", "=", []any{2.0}}, {"C", "<=", []any{3.0}}}, nil},
		{"A = 'x' AND B > 5 AND (C = 1 OR D = 2) AND NOT E = 1 AND F IN ('a', 'b') AND G != 1 AND H = null AND I < null AND J = true",
			[]Bound{{"A", "=", []any{"x"}}, {"B", ">", []any{5.0}}, {"F", "IN", []any{"a", "b"}}, {"H", "=", []any{nil}}, {"J", "=", []any{true}}}, nil},
		{"A IN (1, null)", []Bound{{"A", "IN", []any{1.0, nil}}}, nil},
		{"A = '' AND B > '' AND C IN ('', 'x')", []Bound{{"A", "=", []any{nil}}, {"C", "IN", []any{nil, "x"}}}, nil},
		{"A IN (TODAY, 2024-01-01)", nil, nil},
		{"D = LAST_N_DAYS:7", nil, []Bound{{"D", ">=", []any{day("2024-05-08")}}, {"D", "<", []any{day("2024-05-16")}}}},
		{"D < TODAY", nil, []Bound{{"D", "<", []any{day("2024-05-15")}}}},
		{"D <= TODAY", nil, []Bound{{"D", "<", []any{day("2024-05-16")}}}},
		{"D > TODAY", nil, []Bound{{"D", ">=", []any{day("2024-05-16")}}}},
		{"D >= TODAY", nil, []Bound{{"D", ">=", []any{day("2024-05-15")}}}},
		{"D != TODAY", nil, nil},
	}
	for _, tt := range tests {
		src := "SELECT Id FROM X"
		if tt.where != "" {
			src += " WHERE " + tt.where
		}
		q, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Bounds(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Bounds(%s) =\n %v\nwant %v", tt.where, got, tt.want)
		}
		wantAt := append(append([]Bound(nil), tt.want...), tt.at...)
		if len(wantAt) == 0 {
			wantAt = nil
		}
		if got := q.BoundsAt(now); !reflect.DeepEqual(got, wantAt) {
			t.Errorf("BoundsAt(%s) =\n %v\nwant %v", tt.where, got, wantAt)
		}
	}

	// Bounds use the canonical names Check wrote.
	q, _ := Parse("SELECT Id FROM Contact WHERE email = 'x' AND CREATEDDATE > 2024-01-01T00:00:00Z")
	if err := q.Check(testSchema); err != nil {
		t.Fatal(err)
	}
	want := []Bound{{"Email", "=", []any{"x"}}, {"CreatedDate", ">", []any{instant("2024-01-01T00:00:00Z")}}}
	if got := q.Bounds(); !reflect.DeepEqual(got, want) {
		t.Errorf("after Check: %v", got)
	}
}

// TestBoundsSound checks that every row Match accepts lies within every
// bound, over a small grid of rows.
func TestBoundsSound(t *testing.T) {
	wheres := []string{
		"A = 2 AND B >= 'm'",
		"A IN (1, 3) AND B < 'c'",
		"A > 1 AND A <= 3 AND (B = 'a' OR B = 'z')",
		"D = LAST_N_DAYS:2 AND A != 1",
		"D > YESTERDAY AND D < NEXT_N_DAYS:1",
	}
	var rows []row
	for a := 0; a < 5; a++ {
		for _, b := range []any{nil, "a", "C", "m", "z"} {
			for _, d := range []string{"2024-05-12", "2024-05-13", "2024-05-14", "2024-05-15", "2024-05-16", "2024-05-17"} {
				rows = append(rows, row{"A": int64(a), "B": b, "D": day(d)})
			}
		}
	}
	for _, w := range wheres {
		q, err := Parse("SELECT Id FROM X WHERE " + w)
		if err != nil {
			t.Fatal(err)
		}
		bounds := q.BoundsAt(now)
		if len(bounds) == 0 {
			t.Errorf("%s: no bounds", w)
		}
		for _, r := range rows {
			if !q.Match(r, now) {
				continue
			}
			for _, b := range bounds {
				if !within(r.Value(b.Field), b) {
					t.Errorf("%s: row %v matches but violates %v", w, r, b)
				}
			}
		}
	}
}

// within reports whether v satisfies b, using the evaluator's ordering.
func within(v any, b Bound) bool {
	switch b.Op {
	case "IN":
		for _, x := range b.Values {
			if Compare(v, x) == 0 {
				return true
			}
		}
		return false
	}
	n := Compare(v, b.Values[0])
	switch b.Op {
	case "=":
		return n == 0
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	}
	return n >= 0
}
