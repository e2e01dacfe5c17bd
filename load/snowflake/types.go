package snowflake

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
)

// Column types, mapped from Arrow (a documented table, see README):
//
//	string                      VARCHAR
//	bool                        BOOLEAN
//	int8..int64, uint8..uint32  NUMBER(38,0)
//	float32, float64            FLOAT (64-bit)
//	decimal128(p,s)             NUMBER(p,s)
//	date32                      DATE
//	timestamp with a zone       TIMESTAMP_TZ
//	timestamp without a zone    TIMESTAMP_NTZ
//	list, struct, arrow.json    VARIANT
//
// Anything else is refused before landing.

type kind int

const (
	kOther kind = iota
	kBool
	kNumber // NUMBER(p,s)
	kFloat
	kDate
	kNTZ
	kTZ
	kText
	kVariant
)

// colType is a Snowflake column type as revops reasons about it.
type colType struct {
	k    kind
	p, s int
	name string // information_schema spelling for kOther
}

func (c colType) String() string { return c.sql() }

// sql renders the type for DDL and CAST.
func (c colType) sql() string {
	switch c.k {
	case kBool:
		return "BOOLEAN"
	case kNumber:
		return fmt.Sprintf("NUMBER(%d,%d)", c.p, c.s)
	case kFloat:
		return "FLOAT"
	case kDate:
		return "DATE"
	case kNTZ:
		return "TIMESTAMP_NTZ"
	case kTZ:
		return "TIMESTAMP_TZ"
	case kText:
		return "VARCHAR"
	case kVariant:
		return "VARIANT"
	}
	return c.name
}

func arrowType(dt arrow.DataType) (colType, error) {
	switch t := dt.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return colType{k: kText}, nil
	case *arrow.BooleanType:
		return colType{k: kBool}, nil
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type, *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type:
		return colType{k: kNumber, p: 38}, nil
	case *arrow.Float32Type, *arrow.Float64Type:
		return colType{k: kFloat}, nil
	case *arrow.Decimal128Type:
		if t.Precision < 1 || t.Precision > 38 {
			return colType{}, fmt.Errorf("decimal precision %d outside 1..38", t.Precision)
		}
		return colType{k: kNumber, p: int(t.Precision), s: int(t.Scale)}, nil
	case *arrow.Date32Type:
		return colType{k: kDate}, nil
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return colType{k: kTZ}, nil
		}
		return colType{k: kNTZ}, nil
	case *arrow.ListType, *arrow.LargeListType, *arrow.StructType:
		return colType{k: kVariant}, nil
	case arrow.ExtensionType:
		if t.ExtensionName() == "arrow.json" {
			return colType{k: kVariant}, nil
		}
		return colType{}, fmt.Errorf("arrow extension type %s has no Snowflake counterpart", t.ExtensionName())
	}
	return colType{}, fmt.Errorf("arrow type %s has no Snowflake counterpart", dt)
}

// parseType reads information_schema.columns' data_type, numeric_precision
// and numeric_scale.
func parseType(dataType string, p, s int) colType {
	switch strings.ToUpper(dataType) {
	case "BOOLEAN":
		return colType{k: kBool}
	case "NUMBER", "DECIMAL", "NUMERIC":
		if p == 0 {
			p = 38
		}
		return colType{k: kNumber, p: p, s: s}
	case "FLOAT", "DOUBLE", "REAL":
		return colType{k: kFloat}
	case "DATE":
		return colType{k: kDate}
	case "TIMESTAMP_NTZ":
		return colType{k: kNTZ}
	case "TIMESTAMP_TZ", "TIMESTAMP_LTZ":
		return colType{k: kTZ}
	case "TEXT", "VARCHAR", "STRING":
		return colType{k: kText}
	case "VARIANT", "OBJECT", "ARRAY":
		return colType{k: kVariant}
	}
	return colType{k: kOther, name: strings.ToUpper(dataType)}
}

func (c colType) same(o colType) bool {
	return c.k == o.k && c.p == o.p && c.s == o.s && c.name == o.name
}

func (c colType) scalar() bool { return c.k != kOther && c.k != kVariant }

// fits reports whether every value of type a can be stored in a column of
// type b without losing its meaning (the rules of load/duckdb, on
// Snowflake's types).
func fits(a, b colType) bool {
	if a.same(b) {
		return true
	}
	switch b.k {
	case kText:
		return a.scalar()
	case kFloat:
		return a.k == kNumber
	case kNumber:
		return a.k == kNumber && b.s >= a.s && b.p-b.s >= a.p-a.s
	case kNTZ:
		return a.k == kDate
	case kTZ:
		return a.k == kDate || a.k == kNTZ
	}
	return false
}

// numeric tells numbers (NUMBER and FLOAT).
func (c colType) numeric() bool { return c.k == kNumber || c.k == kFloat }

// reconcile decides how a table column of type table takes batch values
// (load.Reconcile on Snowflake's types).
func reconcile(table, batch colType) (load.Evolution, colType) {
	return load.Reconcile(table, batch, fits, colType.numeric, colType{k: kFloat})
}

// Snowflake resolves unquoted identifiers upper-case and quoted ones
// exactly, and the shipped models (like most SQL written for Snowflake)
// name revops's tables and columns unquoted: `SELECT Id FROM
// salesforce.account` reads SALESFORCE.ACCOUNT.ID. So revops stores every
// name that could be written unquoted the way an unquoted name is stored,
// upper-case (Id → ID, raw → RAW, _revops_seq → _REVOPS_SEQ), and keeps
// other names exactly as given, quoted ("Last Name"). Names are always
// sent quoted, in their stored spelling, so reserved words need no care.
var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// StoredName is how Snowflake's catalog (information_schema) spells
// revops's name s: Id → ID, "Last Name" as it is.
func StoredName(s string) string { return storedName(s) }

// storedName is how Snowflake's catalog spells revops's name s.
func storedName(s string) string {
	if plainIdent.MatchString(s) {
		return strings.ToUpper(s)
	}
	return s
}

// quoteIdent quotes revops's name s in its stored spelling.
func quoteIdent(s string) string { return quoteStored(storedName(s)) }

// quoteStored quotes a name as the catalog spells it (case kept).
func quoteStored(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// revopsName is the name revops reads a stored name by: one with no
// lower-case letter is read lower-case (revops writes its names, and
// models their columns, lower-case), others as they are.
func revopsName(name string) string {
	if strings.ToUpper(name) == name && strings.ToLower(name) != name {
		return strings.ToLower(name)
	}
	return name
}

// quoteString renders a string literal (backslashes escaped: Snowflake
// reads escapes in literals).
func quoteString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}
