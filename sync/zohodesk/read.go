package zohodesk

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/zoho"
	revsync "github.com/revops/revops/sync"
)

// Read returns the current values of fields (all when empty) of the live
// records among ids, custom fields by their cf_ names: contacts 20 per
// call (contactsByIds), accounts one call each. Records that do not exist
// are left out.
func (d *Destination) Read(ctx context.Context, object string, ids []string, fields []string) (map[string]map[string]any, error) {
	kind, err := kindOf(object)
	if err != nil {
		return nil, err
	}
	sc, err := d.schemaOf(ctx, kind)
	if err != nil {
		return nil, err
	}
	recs, err := d.read(ctx, kind, ids)
	if err != nil {
		return nil, fmt.Errorf("zoho_desk: read %s: %w", kind, err)
	}
	out := make(map[string]map[string]any, len(recs))
	for id, r := range recs {
		vals := map[string]any{}
		names := fields
		if len(names) == 0 {
			for n := range sc.s.Fields {
				names = append(names, n)
			}
		}
		for _, f := range names {
			vals[f] = readValue(sc.s.Fields[f].Type, field(r, f))
		}
		out[id] = vals
	}
	return out, nil
}

// read returns the live records among ids by id, as the API renders them.
func (d *Destination) read(ctx context.Context, kind string, ids []string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	if kind == "contacts" {
		for start := 0; start < len(ids); start += zoho.DeskMaxByIDs {
			recs, err := d.desk.ContactsByIDs(ctx, ids[start:min(start+zoho.DeskMaxByIDs, len(ids))])
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				if id, _ := r["id"].(string); id != "" {
					out[id] = r
				}
			}
		}
		return out, nil
	}
	for _, id := range ids {
		r, err := d.desk.Get(ctx, kind, id)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out[id] = r
		}
	}
	return out, nil
}

// readValue converts a value Desk answered to the engine's form for a
// field of type t: custom field values come as strings (booleans and
// numbers too), numbers as json.Number, empty text as "" or null (nil).
func readValue(t revsync.FieldType, v any) any {
	s, isString := v.(string)
	switch {
	case v == nil, isString && s == "":
		return nil
	case t == revsync.TypeBoolean && isString:
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	case t == revsync.TypeInt || t == revsync.TypeDouble || t == revsync.TypeCurrency || t == revsync.TypePercent:
		str := s
		if n, ok := v.(json.Number); ok {
			str = string(n)
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(str), 64); err == nil {
			if t == revsync.TypeInt {
				return int64(f)
			}
			return f
		}
	case t == revsync.TypeMultipicklist && isString:
		return strings.Split(s, ";")
	}
	return v
}
