package zoho

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
)

// Column maps one CRM field to the column it lands as, from its data_type:
//
//	text textarea email phone website picklist autonumber → string
//	boolean                                               → bool
//	integer bigint                                        → int (bigint travels as a string)
//	double percent                                        → float
//	currency decimal                                      → decimal, scale decimal_place (default 2)
//	date / datetime                                       → date / datetime
//	multiselectpicklist                                   → string list
//	lookup ownerlookup userlookup                         → lookup struct {name, id}
//	formula                                               → by its return type (else json_type)
//	subform multiselectlookup multiuserlookup             → skipped: lists do not carry them
//	anything else                                         → JSON
//
// Record ids stay strings (they exceed 2^53), and so do lookup ids. ok is
// false for skipped fields.
func Column(f zoho.Field) (col extract.Column, ok bool) {
	col = extract.Column{Name: f.APIName}
	switch strings.ToLower(f.DataType) {
	case "subform", "multiselectlookup", "multiuserlookup":
		return col, false
	case "text", "textarea", "email", "phone", "website", "picklist", "autonumber":
		col.Kind = extract.KindString
	case "boolean":
		col.Kind = extract.KindBool
	case "integer", "bigint":
		col.Kind = extract.KindInt
	case "double", "percent":
		col.Kind = extract.KindFloat
	case "currency", "decimal":
		col.Kind = extract.KindDecimal
		col.Scale = 2
		if f.DecimalPlace != nil && *f.DecimalPlace > 0 {
			col.Scale = int32(*f.DecimalPlace)
		}
	case "date":
		col.Kind = extract.KindDate
	case "datetime":
		col.Kind = extract.KindDateTime
	case "multiselectpicklist":
		col.Kind = extract.KindStringList
	case "lookup", "ownerlookup", "userlookup":
		col.Kind = extract.KindLookup
	case "formula":
		rt := ""
		if f.Formula != nil {
			rt = f.Formula.ReturnType
		}
		col.Kind = formulaKind(rt, f.JSONType)
	default:
		col.Kind = extract.KindJSON
	}
	return col, true
}

func formulaKind(returnType, jsonType string) extract.Kind {
	switch strings.ToLower(returnType) {
	case "double", "currency", "decimal", "percent":
		return extract.KindFloat
	case "integer", "bigint":
		return extract.KindInt
	case "boolean":
		return extract.KindBool
	case "date":
		return extract.KindDate
	case "datetime":
		return extract.KindDateTime
	case "text", "string":
		return extract.KindString
	}
	switch jsonType {
	case "double":
		return extract.KindFloat
	case "integer":
		return extract.KindInt
	case "boolean":
		return extract.KindBool
	}
	return extract.KindString
}

// moduleColumns are the columns of a module: id first, then its fields in
// the fields API's order, named by columnNames.
func moduleColumns(fields []zoho.Field) []extract.Column {
	cols := []extract.Column{{Name: "id", Kind: extract.KindString}}
	var kept []zoho.Field
	for _, f := range fields {
		if f.APIName == "id" {
			continue
		}
		if c, ok := Column(f); ok {
			kept = append(kept, f)
			cols = append(cols, c)
		}
	}
	names := columnNames(kept)
	for i := range kept {
		if n := names[i]; n != kept[i].APIName {
			cols[i+1].Field, cols[i+1].Name = kept[i].APIName, n
		}
	}
	return cols
}

// reservedColumns are the columns a landed row has besides the module's
// fields, in lower case.
var reservedColumns = []string{"id", extract.DeletedAt, extract.ExtractedAt, extract.SourceColumn,
	extract.ValidFrom, extract.ValidTo}

// columnNames gives each field its column name (same order as fields).
//
// Zoho API names are case-sensitive, warehouse column names are not: two
// fields whose API names differ only by case (Last_Name and last_name),
// or a field named like a column revops adds (ID, _source, …), would land
// in one column. The rule: within such a group the field created first
// (the smallest field id; Zoho's field ids grow as fields are created,
// which is unconfirmed) keeps its API name, unless the name is a reserved
// column; each other one, in creation order, lands as <API name>__2,
// <API name>__3, …, skipping any name a field or an earlier column holds.
// A field created later therefore never renames a column that holds data
// (unless it is itself named like such a column, e.g. Last_Name__2).
// Names are compared as the warehouse does, case-insensitively.
func columnNames(fields []zoho.Field) []string {
	out := make([]string, len(fields))
	taken := map[string]bool{}
	for _, r := range reservedColumns {
		taken[r] = true
	}
	groups := map[string][]int{}
	var order []string
	for i, f := range fields {
		low := strings.ToLower(f.APIName)
		if groups[low] == nil {
			order = append(order, low)
		}
		groups[low] = append(groups[low], i)
	}
	// Names in use first, so that a generated name never takes one.
	var later [][]int
	for _, low := range order {
		g := groups[low]
		slices.SortStableFunc(g, func(a, b int) int { return olderField(fields[a], fields[b]) })
		if taken[low] {
			later = append(later, g) // a reserved column: every member is renamed
			continue
		}
		out[g[0]] = fields[g[0]].APIName
		taken[low] = true
		if len(g) > 1 {
			later = append(later, g[1:])
		}
	}
	for _, g := range later {
		for _, i := range g {
			name := fields[i].APIName
			for n := 2; ; n++ {
				c := name + "__" + strconv.Itoa(n)
				if !taken[strings.ToLower(c)] && groups[strings.ToLower(c)] == nil {
					out[i] = c
					taken[strings.ToLower(c)] = true
					break
				}
			}
		}
	}
	return out
}

// olderField orders fields by creation: numeric field id, then fields
// without one, then API name.
func olderField(a, b zoho.Field) int {
	ai, aok := fieldID(a.ID)
	bi, bok := fieldID(b.ID)
	switch {
	case aok && bok && ai != bi:
		return cmp.Compare(ai, bi)
	case aok != bok:
		if aok {
			return -1
		}
		return 1
	}
	return strings.Compare(a.APIName, b.APIName)
}

func fieldID(s string) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// StageHistoryObject is the object holding Deals' Stage_History related
// list, one row per stage change, with the deal's id in Deal_Id.
const StageHistoryObject = "Deals_Stage_History"

// stageHistoryFields are the fields of a Stage_History entry.
var stageHistoryFields = []string{"Stage", "Amount", "Probability", "Expected_Revenue", "Closing_Date",
	"Modified_By", "Modified_Time", "Duration_Days"}

var stageHistoryColumns = []extract.Column{
	{Name: "id", Kind: extract.KindString},
	{Name: "Deal_Id", Kind: extract.KindString},
	{Name: "Stage", Kind: extract.KindString},
	{Name: "Amount", Kind: extract.KindDecimal, Scale: 2},
	{Name: "Probability", Kind: extract.KindFloat},
	{Name: "Expected_Revenue", Kind: extract.KindDecimal, Scale: 2},
	{Name: "Closing_Date", Kind: extract.KindDate},
	{Name: "Modified_By", Kind: extract.KindLookup},
	{Name: "Modified_Time", Kind: extract.KindDateTime},
	{Name: "Duration_Days", Kind: extract.KindInt},
}

func cols(kind extract.Kind, names ...string) []extract.Column {
	out := make([]extract.Column, len(names))
	for i, n := range names {
		out[i] = extract.Column{Name: n, Kind: kind}
	}
	return out
}

func concat(parts ...[]extract.Column) []extract.Column {
	var out []extract.Column
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// deskColumns are the columns of the Desk collections (reference sheet
// §8). Desk has no fields metadata API the extractor uses, so the columns
// are fixed; custom fields land in the cf JSON column, nested objects as
// JSON. Ids and counters are strings in Desk's JSON; counters land as ints.
var deskColumns = map[string][]extract.Column{
	"tickets": concat(
		cols(extract.KindString, "id", "ticketNumber", "subject", "description", "status", "statusType", "priority",
			"channel", "category", "subCategory", "classification", "language", "email", "phone", "contactId",
			"accountId", "departmentId", "assigneeId", "teamId", "productId", "webUrl"),
		cols(extract.KindDateTime, "createdTime", "modifiedTime", "closedTime", "dueDate", "responseDueDate",
			"customerResponseTime", "onholdTime"),
		cols(extract.KindInt, "threadCount", "commentCount"),
		cols(extract.KindBool, "isOverDue", "isEscalated", "isSpam", "isTrashed"),
		cols(extract.KindJSON, "cf")),
	"contacts": concat(
		cols(extract.KindString, "id", "firstName", "lastName", "email", "secondaryEmail", "phone", "mobile",
			"accountId", "ownerId", "type", "title", "city", "state", "country", "webUrl", "photoURL"),
		cols(extract.KindDateTime, "createdTime", "modifiedTime"),
		cols(extract.KindBool, "isAnonymous", "isEndUser", "isSpam"),
		cols(extract.KindJSON, "zohoCRMContact", "customerHappiness", "cf")),
	"accounts": concat(
		cols(extract.KindString, "id", "accountName", "email", "website", "phone", "fax", "industry", "street",
			"city", "state", "code", "country", "description", "annualrevenue", "ownerId", "webUrl"),
		cols(extract.KindDateTime, "createdTime", "modifiedTime"),
		cols(extract.KindBool, "isDeleted", "isTrashed"),
		cols(extract.KindJSON, "zohoCRMAccount", "cf")),
}
