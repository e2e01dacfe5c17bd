package sftest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"time"
)

// Records returns the live (not deleted) records of an object, oldest
// first, keyed by canonical field name, with values as the REST API
// renders them (datetimes and dates as strings, numbers as float64 or
// int64). It returns nil for an unknown object.
func (s *Server) Records(object string) []map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.table(object)
	if t == nil {
		return nil
	}
	out := []map[string]any{}
	for i := range t.recs {
		r := &t.recs[i]
		if r.gone || r.deleted {
			continue
		}
		m := make(map[string]any, len(t.def.Fields))
		for fi, f := range t.def.Fields {
			if fi == 0 {
				m["Id"] = t.id(int64(i + 1))
				continue
			}
			m[f.Name] = jsonValue(f, r.get(fi))
		}
		out = append(out, m)
	}
	return out
}

// RestrictField makes object.field unreadable by the integration user
// while describe still lists it, as when an admin changes field-level
// security between a client's describe and its query: queries naming the
// field get INVALID_FIELD. It simulates a field the user lacks permission for.
func (s *Server) RestrictField(object, field string) {
	s.restricted.Store(strings.ToLower(object+"."+field), true)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.table(object); t != nil {
		t.metaStamp = s.clock.tick() // an FLS change is a metadata change
	}
}

// AddField adds a custom field (name ending in __c) to an object at run
// time, as an admin would: describe shows it at once, queries and writes
// accept it, existing records hold null (false for a checkbox).
func (s *Server) AddField(object string, f Field) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.table(object)
	if t == nil {
		return fmt.Errorf("sftest: add field %s.%s: no such object", object, f.Name)
	}
	_, err := s.addField(t, f)
	return err
}

// addField validates f and adds it to t; existing records hold null (the
// default for a checkbox). The Tooling API shows it from then on. The
// caller holds s.mu.
func (s *Server) addField(t *table, f Field) (*Field, error) {
	object := t.def.Name
	nf, err := validateNewField(t.def, f)
	if err != nil {
		return nil, err
	}
	if nf.Type == TypeReference {
		for _, to := range nf.ReferenceTo {
			if s.table(to) == nil {
				return nil, fmt.Errorf("sftest: add field %s.%s: no such object %s", object, f.Name, to)
			}
		}
		if err := s.nameChildRelationship(t.def, nf); err != nil {
			return nil, fmt.Errorf("sftest: add field %s.%s: %w", object, f.Name, err)
		}
	}
	i := t.def.addField(nf)
	if nf.Type == TypeBoolean {
		def, _ := nf.DefaultValue.(bool)
		for j := range t.recs {
			t.recs[j].set(i, def)
		}
	}
	t.reindexSchema()
	t.metaStamp = s.clock.tick()
	s.registerTooling(object, nf, t.metaStamp)
	return nf, nil
}

// saved is the first line of a Save stream.
type saved struct {
	Format   string              `json:"format"`
	Clock    int64               `json:"clock"`
	UserSeq  int64               `json:"userSeq"`
	APIUsed  int                 `json:"apiUsed"`
	Tokens   map[string]int64    `json:"tokens"`
	Custom   map[string][]*Field `json:"customFields"`
	AutoNums map[string]int64    `json:"autoNumbers"`
	Counts   map[string]int      `json:"counts"`
	// Tooling holds the CustomField records (ids, dates, Metadata).
	Tooling    map[string]*toolingField `json:"tooling,omitempty"`
	ToolingSeq int64                    `json:"toolingSeq,omitempty"`
}

// savedRecord is one record line of a Save stream.
type savedRecord struct {
	Object  string         `json:"o"`
	Seq     int64          `json:"s"`
	Deleted bool           `json:"d,omitempty"`
	DelAt   int64          `json:"t,omitempty"`
	Fields  map[string]any `json:"f"`
}

const saveFormat = "sftest/1"

// Save writes the org's state (records, custom fields, the clock, live
// access tokens and API usage) as JSON lines. Query cursors and Bulk jobs
// are not saved.
func (s *Server) Save(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	h := saved{Format: saveFormat, Clock: int64(s.clock.last), UserSeq: s.userSeq, APIUsed: s.apiUsed,
		Tokens: map[string]int64{}, Custom: map[string][]*Field{}, AutoNums: map[string]int64{}, Counts: map[string]int{},
		Tooling: s.tooling, ToolingSeq: s.toolingSeq}
	for tok, exp := range s.tokens {
		h.Tokens[tok] = exp.UnixMilli()
	}
	for _, n := range s.order {
		t := s.table(n)
		for _, f := range t.def.Fields {
			if f.Custom && !isStandardCustom(n, f.Name) {
				h.Custom[n] = append(h.Custom[n], f)
			}
		}
		h.AutoNums[n] = t.autoNum
		h.Counts[n] = len(t.recs)
	}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("sftest: save header: %w", err)
	}
	for _, n := range s.order {
		t := s.table(n)
		for i := range t.recs {
			r := &t.recs[i]
			if r.gone {
				continue
			}
			sr := savedRecord{Object: n, Seq: int64(i + 1), Deleted: r.deleted, DelAt: int64(r.delAt), Fields: map[string]any{}}
			for fi, f := range t.def.Fields {
				switch v := r.get(fi).(type) {
				case nil:
				case msTime:
					sr.Fields[f.Name] = int64(v)
				case dateVal:
					sr.Fields[f.Name] = string(v)
				default:
					sr.Fields[f.Name] = v
				}
			}
			if err := enc.Encode(sr); err != nil {
				return fmt.Errorf("sftest: save %s record %d: %w", n, i+1, err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sftest: save: %w", err)
	}
	return nil
}

// isStandardCustom reports whether a custom field is part of the standard
// org (the integration fields), which New creates.
func isStandardCustom(object, field string) bool {
	for _, d := range standardObjects() {
		if d.Name == object {
			_, _, ok := d.field(field)
			return ok
		}
	}
	return false
}

// Load replaces the org's records with a stream written by Save.
func (s *Server) Load(r io.Reader) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	dec.UseNumber()
	var h saved
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("sftest: load header: %w", err)
	}
	if h.Format != saveFormat {
		return fmt.Errorf("sftest: load: unknown format %q (want %q)", h.Format, saveFormat)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tables := map[string]*table{}
	byPrefix := map[string]*table{}
	for _, def := range standardObjects() {
		for _, f := range h.Custom[def.Name] {
			def.addField(f)
		}
		t := newTable(def)
		t.autoNum = h.AutoNums[def.Name]
		t.recs = make([]record, h.Counts[def.Name])
		for i := range t.recs {
			t.recs[i].gone = true
		}
		tables[strings.ToLower(def.Name)] = t
		byPrefix[def.KeyPrefix] = t
	}
	for line := 2; ; line++ {
		var sr savedRecord
		err := dec.Decode(&sr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("sftest: load line %d: %w", line, err)
		}
		t := tables[strings.ToLower(sr.Object)]
		if t == nil || sr.Seq < 1 || sr.Seq > int64(len(t.recs)) {
			return fmt.Errorf("sftest: load line %d: bad record %s/%d", line, sr.Object, sr.Seq)
		}
		rec := record{vals: make([]any, len(t.def.Fields)), deleted: sr.Deleted, delAt: msTime(sr.DelAt)}
		for k, v := range sr.Fields {
			f, fi, ok := t.def.field(k)
			if !ok {
				return fmt.Errorf("sftest: load line %d: no field %s.%s", line, sr.Object, k)
			}
			switch f.Type {
			case TypeDateTime:
				n, _ := v.(json.Number).Int64()
				rec.vals[fi] = msTime(n)
			case TypeDate:
				s, _ := v.(string)
				rec.vals[fi] = dateVal(s)
			default:
				if n, ok := v.(json.Number); ok {
					x, _ := n.Float64()
					rec.vals[fi] = x
				} else {
					rec.vals[fi] = v
				}
			}
		}
		t.recs[sr.Seq-1] = rec
	}
	loaded := msTime(s.opts.Now().UnixMilli())
	for _, t := range tables {
		t.reindexSchema()
		t.metaStamp = max(t.metaStamp, loaded) // what a client described before may have changed
		for i := range t.recs {
			if !t.recs[i].gone {
				for fi, m := range t.ext {
					if v, ok := t.recs[i].get(fi).(string); ok {
						k := strings.ToLower(v)
						m[k] = append(m[k], int64(i+1))
					}
				}
			}
		}
		t.rebuildStamps()
	}
	s.tables, s.byPrefix = tables, byPrefix
	s.clock.last = max(s.clock.last, msTime(h.Clock))
	s.userSeq, s.apiUsed = h.UserSeq, h.APIUsed
	for tok, exp := range h.Tokens {
		s.tokens[tok] = time.UnixMilli(exp)
	}
	clear(s.cursors)
	s.curLRU, s.childLRU = nil, nil
	if h.Tooling != nil {
		s.tooling, s.toolingSeq = h.Tooling, h.ToolingSeq
	}
	s.registerAllTooling()
	return nil
}

// TestServer is a Server listening on a loopback httptest server.
type TestServer struct {
	*Server
	// URL is the base URL: login URL and instance_url.
	URL string
	ts  *httptest.Server
}

// Start starts an emulated org on loopback, like httptest.NewServer, and
// sets its base URL. Call Close when done.
func Start(opts Options) *TestServer {
	s := New(opts)
	ts := httptest.NewServer(s)
	s.SetBaseURL(ts.URL)
	return &TestServer{Server: s, URL: ts.URL, ts: ts}
}

// Close shuts the listener down.
func (t *TestServer) Close() { t.ts.Close() }

// Token returns a fresh access token for the integration user.
func (t *TestServer) Token() string { return t.AccessToken() }

// Objects lists the org's object names in describeGlobal order.
func (s *Server) Objects() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.order)
}
