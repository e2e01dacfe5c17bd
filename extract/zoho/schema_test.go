package zoho_test

import (
	"testing"

	crmzoho "github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
)

func TestColumnTypes(t *testing.T) {
	three := 3
	for _, tc := range []struct {
		field crmzoho.Field
		kind  extract.Kind
		scale int32
		skip  bool
	}{
		{crmzoho.Field{DataType: "text"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "textarea"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "email"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "phone"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "website"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "picklist"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "autonumber"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "boolean"}, extract.KindBool, 0, false},
		{crmzoho.Field{DataType: "integer"}, extract.KindInt, 0, false},
		{crmzoho.Field{DataType: "bigint"}, extract.KindInt, 0, false},
		{crmzoho.Field{DataType: "double"}, extract.KindFloat, 0, false},
		{crmzoho.Field{DataType: "percent"}, extract.KindFloat, 0, false},
		{crmzoho.Field{DataType: "currency"}, extract.KindDecimal, 2, false},
		{crmzoho.Field{DataType: "currency", DecimalPlace: &three}, extract.KindDecimal, 3, false},
		{crmzoho.Field{DataType: "date"}, extract.KindDate, 0, false},
		{crmzoho.Field{DataType: "datetime"}, extract.KindDateTime, 0, false},
		{crmzoho.Field{DataType: "multiselectpicklist"}, extract.KindStringList, 0, false},
		{crmzoho.Field{DataType: "lookup"}, extract.KindLookup, 0, false},
		{crmzoho.Field{DataType: "ownerlookup"}, extract.KindLookup, 0, false},
		{crmzoho.Field{DataType: "userlookup"}, extract.KindLookup, 0, false},
		{crmzoho.Field{DataType: "formula", Formula: &crmzoho.Formula{ReturnType: "double"}}, extract.KindFloat, 0, false},
		{crmzoho.Field{DataType: "formula", Formula: &crmzoho.Formula{ReturnType: "boolean"}}, extract.KindBool, 0, false},
		{crmzoho.Field{DataType: "formula", Formula: &crmzoho.Formula{ReturnType: "date"}}, extract.KindDate, 0, false},
		{crmzoho.Field{DataType: "formula", JSONType: "integer"}, extract.KindInt, 0, false},
		{crmzoho.Field{DataType: "formula", JSONType: "string"}, extract.KindString, 0, false},
		{crmzoho.Field{DataType: "rollup_summary", JSONType: "double"}, extract.KindJSON, 0, false},
		{crmzoho.Field{DataType: "fileupload"}, extract.KindJSON, 0, false},
		{crmzoho.Field{DataType: "subform"}, 0, 0, true},
		{crmzoho.Field{DataType: "multiselectlookup"}, 0, 0, true},
	} {
		tc.field.APIName = "F"
		col, ok := zoho.Column(tc.field)
		if ok == tc.skip {
			t.Errorf("%s: kept %v", tc.field.DataType, ok)
			continue
		}
		if !tc.skip && (col.Kind != tc.kind || col.Scale != tc.scale || col.Name != "F") {
			t.Errorf("%s %+v: got %v scale %d, want %v scale %d", tc.field.DataType, tc.field.Formula, col.Kind, col.Scale, tc.kind, tc.scale)
		}
	}
}
