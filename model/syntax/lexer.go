package syntax

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts bytes.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// IsValid reports whether the position was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tString
	tOp // operators and punctuation; the text is in tok.text
)

type token struct {
	kind tokKind
	text string
	val  int64
	pos  Pos
	end  Pos // the position just after the token
	off  int // byte offset of the token start
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tIdent:
		return fmt.Sprintf("%q", t.text)
	case tInt:
		return fmt.Sprintf("number %s", t.text)
	case tString:
		return fmt.Sprintf("string %s", t.text)
	}
	return fmt.Sprintf("'%s'", t.text)
}

// Error is a located error in a model file. Its message says what was expected;
// Format renders it with the offending source line and a caret under the column.
type Error struct {
	Pos  Pos
	Msg  string
	Hint string
	line string // the source line, for the caret display
}

func (e *Error) Error() string {
	if !e.Pos.IsValid() {
		return e.Msg
	}
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}

// Detail returns the source line and a caret pointing at the column, or "".
// A line longer than maxDetail bytes is clipped to a window around the
// column, its cut ends marked "...", so a 1 MB line prints a short excerpt.
func (e *Error) Detail() string {
	if e.line == "" {
		return ""
	}
	col := e.Pos.Col
	if col < 1 {
		col = 1
	}
	line, at := e.line, min(col-1, len(e.line))
	prefix, suffix := "", ""
	if len(line) > maxDetail {
		start := max(0, at-maxDetail/2)
		end := min(len(line), start+maxDetail)
		start = max(0, end-maxDetail)
		for start > 0 && start < len(line) && !utf8.RuneStart(line[start]) {
			start++
		}
		for end < len(line) && !utf8.RuneStart(line[end]) {
			end--
		}
		if start > 0 {
			prefix = "..."
		}
		if end < len(line) {
			suffix = "..."
		}
		line, at = line[start:end], at-start
	}
	var pad strings.Builder
	pad.WriteString(strings.Repeat(" ", len(prefix)))
	for i := 0; i < at && i < len(line); i++ {
		if line[i] == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	return fmt.Sprintf("    %s%s%s\n    %s^", prefix, line, suffix, pad.String())
}

// ErrorAt returns an error at pos, showing the source line of src that pos
// is on (with a caret under its column) when the error is printed in full.
func ErrorAt(src []byte, pos Pos, msg, hint string) *Error {
	return &Error{Pos: pos, Msg: msg, Hint: hint, line: sourceLine(src, pos.Line)}
}

// maxDetail is the most of a source line an error shows.
const maxDetail = 120

// sourceLine returns line n (1-based) of src, without the newline.
func sourceLine(src []byte, n int) string {
	line := 1
	start := 0
	for i := 0; i < len(src) && line < n; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	if line != n {
		return ""
	}
	end := start
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return strings.TrimRight(string(src[start:end]), "\r")
}

type lexer struct {
	file string
	src  []byte
	off  int
	line int
	col  int
}

func newLexer(file string, src []byte) *lexer {
	return &lexer{file: file, src: src, line: 1, col: 1}
}

func (lx *lexer) errAt(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...), line: sourceLine(lx.src, p.Line)}
}

func (lx *lexer) advance() {
	if lx.src[lx.off] == '\n' {
		lx.line++
		lx.col = 1
	} else {
		lx.col++
	}
	lx.off++
}

// three- and two-character operators, longest first.
var ops3 = []string{"<<=", ">>=", "..."}
var ops2 = []string{"~>", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "->", "++", "--", "+=", "-=", "|=", "&=", "^=", "*=", "/=", "%=", ".."}

func (lx *lexer) next() (token, error) {
	t, err := lx.scan()
	t.end = Pos{lx.file, lx.line, lx.col}
	return t, err
}

func (lx *lexer) scan() (token, error) {
	// skip white space and comments
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			lx.advance()
			continue
		}
		if c == '/' && lx.off+1 < len(lx.src) && lx.src[lx.off+1] == '/' {
			for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
				lx.advance()
			}
			continue
		}
		if c == '/' && lx.off+1 < len(lx.src) && lx.src[lx.off+1] == '*' {
			p := Pos{lx.file, lx.line, lx.col}
			lx.advance()
			lx.advance()
			closed := false
			for lx.off < len(lx.src) {
				if lx.src[lx.off] == '*' && lx.off+1 < len(lx.src) && lx.src[lx.off+1] == '/' {
					lx.advance()
					lx.advance()
					closed = true
					break
				}
				lx.advance()
			}
			if !closed {
				return token{}, lx.errAt(p, "unterminated comment: expected '*/' before end of file")
			}
			continue
		}
		break
	}
	p := Pos{lx.file, lx.line, lx.col}
	start := lx.off
	if lx.off >= len(lx.src) {
		return token{kind: tEOF, pos: p, off: start}, nil
	}
	c := lx.src[lx.off]
	switch {
	case isLetter(c):
		for lx.off < len(lx.src) && (isLetter(lx.src[lx.off]) || isDigit(lx.src[lx.off])) {
			lx.advance()
		}
		return token{kind: tIdent, text: string(lx.src[start:lx.off]), pos: p, off: start}, nil
	case isDigit(c):
		for lx.off < len(lx.src) && (isLetter(lx.src[lx.off]) || isDigit(lx.src[lx.off])) {
			lx.advance()
		}
		text := string(lx.src[start:lx.off])
		if lx.off+1 < len(lx.src) && lx.src[lx.off] == '.' && isDigit(lx.src[lx.off+1]) {
			return token{}, lx.errAt(p, "%s.%c...: numbers are integers (there is no floating point)", text, lx.src[lx.off+1])
		}
		v, ok := parseIntLit(text)
		if !ok {
			if octal := len(text) > 1 && text[0] == '0' && isDigit(text[1]); octal && strings.Trim(text, "01234567") == "" {
				return token{}, lx.errAt(p, "octal number %q is 2^31 or more", text)
			} else if octal && strings.Trim(text, "0123456789") == "" {
				return token{}, lx.errAt(p, "malformed number %q: a leading 0 makes an octal number, as in C, and %s is not an octal digit", text, strings.Trim(text, "01234567")[:1])
			}
			return token{}, lx.errAt(p, "malformed number %q: expected a decimal, 0x hexadecimal or 0 octal integer below 2^31", text)
		}
		return token{kind: tInt, text: text, val: v, pos: p, off: start}, nil
	case c == '"':
		lx.advance()
		for lx.off < len(lx.src) && lx.src[lx.off] != '"' && lx.src[lx.off] != '\n' {
			lx.advance()
		}
		if lx.off >= len(lx.src) || lx.src[lx.off] != '"' {
			return token{}, lx.errAt(p, "unterminated string: expected '\"' before end of line")
		}
		lx.advance()
		return token{kind: tString, text: string(lx.src[start:lx.off]), pos: p, off: start}, nil
	}
	rest := lx.src[lx.off:]
	for _, group := range [][]string{ops3, ops2} {
		for _, op := range group {
			if len(rest) >= len(op) && string(rest[:len(op)]) == op {
				for range op {
					lx.advance()
				}
				return token{kind: tOp, text: op, pos: p, off: start}, nil
			}
		}
	}
	if strings.IndexByte("{}()[];,.=<>+-*/%!~&|^?:", c) >= 0 {
		lx.advance()
		return token{kind: tOp, text: string(c), pos: p, off: start}, nil
	}
	if c >= 0x80 {
		return token{}, lx.errAt(p, "unexpected non-ASCII byte 0x%02x: model files are ASCII", c)
	}
	return token{}, lx.errAt(p, "unexpected character %q", rune(c))
}

func isLetter(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

func parseIntLit(s string) (int64, bool) {
	var v int64
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		for _, c := range s[2:] {
			var d int64
			switch {
			case c >= '0' && c <= '9':
				d = int64(c - '0')
			case c >= 'a' && c <= 'f':
				d = int64(c-'a') + 10
			case c >= 'A' && c <= 'F':
				d = int64(c-'A') + 10
			default:
				return 0, false
			}
			v = v*16 + d
			if v >= 1<<31 {
				return 0, false
			}
		}
		return v, true
	}
	if len(s) > 1 && s[0] == '0' {
		// a leading 0 makes an octal number, as in C: 010 is 8
		for _, c := range s[1:] {
			if c < '0' || c > '7' {
				return 0, false
			}
			v = v*8 + int64(c-'0')
			if v >= 1<<31 {
				return 0, false
			}
		}
		return v, true
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
		if v >= 1<<31 {
			return 0, false
		}
	}
	return v, true
}
