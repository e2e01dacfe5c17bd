package rawjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestStringIsWhatJSONGives: String takes only strings that decode to
// their own bytes, and takes every such string.
func TestStringIsWhatJSONGives(t *testing.T) {
	for _, raw := range []string{`"plain"`, `""`, `"café"`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", `5`, `null`, `"日本"`} {
		got, ok := String([]byte(raw))
		var want string
		jerr := json.Unmarshal([]byte(raw), &want)
		if ok && (jerr != nil || string(got) != want) {
			t.Errorf("%s: String %q, encoding/json %q (%v)", raw, got, want, jerr)
		}
		if !ok && jerr == nil && raw[0] == '"' && strings.IndexByte(raw[1:len(raw)-1], '\\') < 0 && strings.IndexByte(raw[1:len(raw)-1], 0xff) < 0 {
			t.Errorf("%s: plain string not taken", raw)
		}
	}
}

// TestMembersAndElements: the raw members and elements of checked
// values, in order; keys needing decoding and other values refused.
func TestMembersAndElements(t *testing.T) {
	var got []string
	ok := Members([]byte(`{"a":1, "b" : {"c":[2]},"a":"x"}`), func(k, v []byte) { got = append(got, string(k)+"="+string(v)) })
	if want := []string{"a=1", `b={"c":[2]}`, `a="x"`}; !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("Members: %q %v, want %q", got, ok, want)
	}
	if Members([]byte(`{"\u0061":1}`), func(k, v []byte) {}) {
		t.Errorf("Members took an escaped key")
	}
	if Members([]byte(`[1]`), func(k, v []byte) {}) {
		t.Errorf("Members took an array")
	}
	got = nil
	ok = Elements([]byte(`[ "a" ,null,{"b":2}, [] ]`), func(v []byte) { got = append(got, string(v)) })
	if want := []string{`"a"`, "null", `{"b":2}`, "[]"}; !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("Elements: %q %v, want %q", got, ok, want)
	}
	if Elements([]byte(`"a;b"`), func(v []byte) {}) {
		t.Errorf("Elements took a string")
	}
}

// TestDepthAsJSON: nesting is bounded where encoding/json bounds it.
func TestDepthAsJSON(t *testing.T) {
	for _, n := range []int{MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		doc := []byte(`{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`)
		var s Scanner
		s.Reset(doc)
		_, err := s.Skip()
		if (err == nil) != json.Valid(doc) {
			t.Errorf("depth %d: Skip error %v, json.Valid %v", n, err, json.Valid(doc))
		}
	}
}

// FuzzScanner holds Skip to encoding/json: the text is one value and
// blanks exactly when json.Valid says so, never a panic.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e3,true,false,null,"x\u00e9\n"]}`, ` [ ] `, `01`, `{"a":}`, `"\ud800"`,
		"\"\xff\"", `{"a" 1}`, `[1,]`, `1.`, `-`, `1e+`, `{} {}`, `tru`, `"\x"`, ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Scanner
		s.Reset(b)
		_, err := s.Skip()
		whole := err == nil && s.AtEnd()
		if whole != json.Valid(b) {
			t.Fatalf("%q: Skip error %v, whole %v; json.Valid %v", b, err, whole, json.Valid(b))
		}
		if err != nil && !strings.HasPrefix(err.Error(), "decode answer: ") {
			t.Fatalf("error %q does not say what it is", err)
		}
	})
}
