package soql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF      tokKind = iota
	tIdent            // Name, Account.Owner.Email, keywords
	tString           // 'text'
	tNumber           // 42, -1.5
	tDate             // 2024-01-15
	tDateTime         // 2024-01-15T10:30:00Z
	tLParen           // (
	tRParen           // )
	tComma            // ,
	tColon            // :
	tOp               // = != <> < <= > >=
)

// token is one lexeme. text is the source text (for strings including the
// quotes); str is a string's decoded value; t a date's instant.
type token struct {
	kind tokKind
	text string
	pos  int
	str  string
	t    time.Time
}

// display is how a token appears in "unexpected token: ..." messages.
func (t token) display() string {
	if t.kind == tEOF {
		return "'<EOF>'"
	}
	return "'" + t.text + "'"
}

func (t token) end() int { return t.pos + len(t.text) }

// lex splits src into tokens ending with tEOF. On error it returns the
// tokens read so far (for the error echo) and the error.
func lex(src string) ([]token, *Error) {
	var toks []token
	fail := func(pos int, format string, args ...any) ([]token, *Error) {
		return toks, newError(src, toks, pos, "MALFORMED_QUERY", fmt.Sprintf(format, args...))
	}
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isIdentStart(c):
			for {
				for i < len(src) && isIdentPart(src[i]) {
					i++
				}
				if i < len(src) && src[i] == '.' {
					if i+1 < len(src) && isIdentStart(src[i+1]) {
						i++
						continue
					}
					line, col := lineCol(src, i)
					return fail(i, "line %d:%d no viable alternative at character '.'", line, col)
				}
				break
			}
			toks = append(toks, token{kind: tIdent, text: src[start:i], pos: start})
			continue
		case c == '\'':
			tok, err := lexString(src, i)
			if err != "" {
				return fail(max(i, tok.pos), "%s", err)
			}
			toks = append(toks, tok)
			i = tok.end()
			continue
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			tok, err := lexNumberOrDate(src, i)
			if err != "" {
				return fail(i, "%s", err)
			}
			toks = append(toks, tok)
			i = tok.end()
			continue
		}
		kind, n := tEOF, 1
		switch c {
		case '(':
			kind = tLParen
		case ')':
			kind = tRParen
		case ',':
			kind = tComma
		case ':':
			kind = tColon
		case '=':
			kind = tOp
		case '!':
			if strings.HasPrefix(src[i:], "!=") {
				kind, n = tOp, 2
			}
		case '<':
			kind = tOp
			if strings.HasPrefix(src[i:], "<=") || strings.HasPrefix(src[i:], "<>") {
				n = 2
			}
		case '>':
			kind = tOp
			if strings.HasPrefix(src[i:], ">=") {
				n = 2
			}
		}
		if kind == tEOF {
			r, _ := utf8.DecodeRuneInString(src[i:])
			line, col := lineCol(src, i)
			return fail(i, "line %d:%d no viable alternative at character '%c'", line, col, r)
		}
		toks = append(toks, token{kind: kind, text: src[i : i+n], pos: i})
		i += n
	}
	toks = append(toks, token{kind: tEOF, pos: len(src)})
	return toks, nil
}

// lineCol returns the ANTLR-style position (1-based line, 0-based column)
// used in Salesforce's lexer messages.
func lineCol(src string, pos int) (int, int) {
	row, col := rowCol(src, pos)
	return row, col - 1
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lexString reads the quoted string at src[i]; it returns an error reason
// for an unterminated string or a bad escape.
func lexString(src string, i int) (token, string) {
	j := i + 1
	for j < len(src) && src[j] != '\'' {
		if src[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(src) {
		line, col := lineCol(src, len(src))
		return token{pos: len(src)}, fmt.Sprintf("line %d:%d mismatched character '<EOF>' expecting '''", line, col)
	}
	raw := src[i+1 : j]
	s, bad := unescape(raw)
	if bad != "" {
		return token{}, fmt.Sprintf("Invalid string literal '%s'. Illegal character sequence '%s' in string literal.", raw, bad)
	}
	return token{kind: tString, text: src[i : j+1], pos: i, str: s}, ""
}

// unescape decodes the backslash escapes of a string literal's raw text.
// bad is the offending sequence when an escape is invalid.
func unescape(raw string) (s, bad string) {
	if !strings.Contains(raw, `\`) {
		return raw, ""
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			b.WriteByte(raw[i])
			continue
		}
		if i+1 >= len(raw) {
			return "", `\`
		}
		i++
		switch raw[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case 'r', 'R':
			b.WriteByte('\r')
		case 't', 'T':
			b.WriteByte('\t')
		case 'b', 'B':
			b.WriteByte('\b')
		case 'f', 'F':
			b.WriteByte('\f')
		case '\'', '"', '\\', '_', '%':
			b.WriteByte(raw[i])
		case 'u':
			if i+4 >= len(raw) {
				return "", raw[i-1:]
			}
			n, err := strconv.ParseUint(raw[i+1:i+5], 16, 16)
			if err != nil {
				return "", raw[i-1 : i+5]
			}
			b.WriteRune(rune(n))
			i += 4
		default:
			r, _ := utf8.DecodeRuneInString(raw[i:])
			return "", `\` + string(r)
		}
	}
	return b.String(), ""
}

// lexNumberOrDate reads a number (-?digits(.digits)?), a date
// (YYYY-MM-DD) or a datetime (YYYY-MM-DDThh:mm:ss(.f+)?(Z|±hh:mm)).
func lexNumberOrDate(src string, i int) (token, string) {
	j := i
	if src[j] == '-' {
		j++
	}
	d := j
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if src[i] != '-' && j-d == 4 && j+1 < len(src) && src[j] == '-' && isDigit(src[j+1]) {
		return lexDate(src, i)
	}
	if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
		j++
		for j < len(src) && isDigit(src[j]) {
			j++
		}
	}
	return token{kind: tNumber, text: src[i:j], pos: i}, ""
}

func lexDate(src string, i int) (token, string) {
	j := i
	for j < len(src) && (isIdentPart(src[j]) || strings.IndexByte(":+-.", src[j]) >= 0) {
		j++
	}
	text := src[i:j]
	if shape(text, "dddd-dd-dd") {
		t, err := time.Parse(time.DateOnly, text)
		if err == nil {
			return token{kind: tDate, text: text, pos: i, t: t}, ""
		}
	} else if len(text) > 19 && shape(text[:19], "dddd-dd-ddTdd:dd:dd") && validZone(text[19:]) {
		t, err := time.Parse(time.RFC3339Nano, text)
		if err == nil {
			return token{kind: tDateTime, text: text, pos: i, t: t.UTC()}, ""
		}
	}
	return token{}, fmt.Sprintf("Invalid date: %s", text)
}

// shape reports whether s matches pattern, where 'd' stands for a digit.
func shape(s, pattern string) bool {
	if len(s) != len(pattern) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if pattern[i] == 'd' && !isDigit(s[i]) || pattern[i] != 'd' && s[i] != pattern[i] {
			return false
		}
	}
	return true
}

// validZone checks the part of a datetime after the seconds.
func validZone(s string) bool {
	if strings.HasPrefix(s, ".") {
		k := 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == 1 || k > 10 {
			return false
		}
		s = s[k:]
	}
	return s == "Z" || len(s) == 6 && (s[0] == '+' || s[0] == '-') && shape(s[1:], "dd:dd")
}
