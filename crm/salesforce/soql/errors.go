package soql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a query error shaped like Salesforce's. The emulator returns it
// as [{"message": Message, "errorCode": Code}] with HTTP status 400.
type Error struct {
	// Code is the Salesforce errorCode: "MALFORMED_QUERY", "INVALID_FIELD",
	// "INVALID_TYPE", "INVALID_QUERY_FILTER_OPERATOR" or
	// "NUMBER_OUTSIDE_VALID_RANGE".
	Code string
	// Message is the full Salesforce message: a newline, the echoed query
	// fragment (up to five tokens either side of the error), a caret line,
	// "ERROR at Row:R:Column:C" and the reason, each on its own line.
	Message string
	// Row and Column locate the error, both 1-based; Column counts
	// characters within the row.
	Row, Column int
	// Reason is the last line of Message, e.g. "unexpected token: 'OR'".
	Reason string
}

// Error returns "CODE: message", the way Salesforce clients print it.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// echoTokens is how many tokens Salesforce echoes on each side of an error.
const echoTokens = 5

// newError builds an *Error at byte offset pos of src. toks (possibly
// partial or nil) delimit the echoed fragment.
func newError(src string, toks []token, pos int, code, reason string) *Error {
	row, col := rowCol(src, pos)
	// The fragment runs from the fifth token before the error to the end
	// of the fifth token after it.
	k := 0
	for k < len(toks) && toks[k].pos < pos {
		k++
	}
	start, end := pos, pos
	if k > 0 {
		start = toks[max(0, k-echoTokens)].pos
	}
	if last := min(k+echoTokens, len(toks)) - 1; last >= k {
		end = toks[last].end()
	}
	if end <= pos {
		// An error past the tokens (lexer errors): echo to the line end.
		end = len(src)
		if nl := strings.IndexByte(src[pos:], '\n'); nl >= 0 {
			end = pos + nl
		}
	}
	lineStart := max(start, strings.LastIndexByte(src[:pos], '\n')+1)
	caret := strings.Repeat(" ", utf8.RuneCountInString(src[lineStart:pos])) + "^"
	msg := fmt.Sprintf("\n%s\n%s\nERROR at Row:%d:Column:%d\n%s", src[start:end], caret, row, col, reason)
	return &Error{Code: code, Message: msg, Row: row, Column: col, Reason: reason}
}

// rowCol converts a byte offset into a 1-based row and character column.
func rowCol(src string, pos int) (row, col int) {
	pos = min(pos, len(src))
	lineStart := strings.LastIndexByte(src[:pos], '\n') + 1
	return strings.Count(src[:pos], "\n") + 1, utf8.RuneCountInString(src[lineStart:pos]) + 1
}
