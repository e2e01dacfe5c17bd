package soql

import "fmt"

// Error is a query error shaped like Salesforce's. The emulator returns it
// as [{"message": Message, "errorCode": Code}] with HTTP status 400.
type Error struct {
	// Code is the Salesforce errorCode: "MALFORMED_QUERY", "INVALID_FIELD",
	// "INVALID_TYPE", "INVALID_QUERY_FILTER_OPERATOR" or
	// "NUMBER_OUTSIDE_VALID_RANGE".
	Code string
	// Message is the full Salesforce message: a newline, the echoed query
	// fragment, a caret line, "ERROR at Row:R:Column:C" and the reason.
	Message string
	// Row and Column locate the error, both 1-based; Column counts
	// characters within the row.
	Row, Column int
	// Reason is the last line of Message, e.g. "unexpected token: 'OR'".
	Reason string
}

// Error returns "CODE: message", the way Salesforce clients print it.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// errorAt builds an *Error for the byte offset pos of src.
func errorAt(src string, pos int, code, format string, args ...any) *Error {
	reason := fmt.Sprintf(format, args...)
	return &Error{Code: code, Reason: reason, Message: reason}
}
