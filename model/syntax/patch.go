package syntax

import (
	"fmt"
	"reflect"
	"strings"
)

// This file applies a PatchDecl (a variant's hunks) to the source text of
// its parent's declaration, and parses the result back into a declaration
// whose positions point where each line came from: a context line to the
// parent's file, an added line to the variant's.

// SrcLine is one line of a declaration's source, and where its text starts.
type SrcLine struct {
	Text string
	Pos  Pos
}

// DeclSource returns the source lines of a declaration with a body (a
// function, a thread, an init block) as written in src, the file it was
// parsed from: from the column it starts at to its closing brace.
func DeclSource(d Decl, src []byte) ([]SrcLine, bool) {
	var body *Block
	switch d := d.(type) {
	case *FuncDecl:
		body = d.Body
	case *ThreadDecl:
		body = d.Body
	case *InitDecl:
		body = d.Body
	}
	if body == nil {
		return nil, false
	}
	start, end := d.DeclPos(), body.End
	var out []SrcLine
	for n := start.Line; n <= end.Line; n++ {
		text, col := sourceLine(src, n), 1
		if n == end.Line && end.Col <= len(text) {
			text = text[:end.Col]
		}
		if n == start.Line && start.Col-1 <= len(text) {
			text, col = text[start.Col-1:], start.Col
		}
		out = append(out, SrcLine{Text: text, Pos: Pos{start.File, n, col}})
	}
	return out, true
}

// normLine is a line as hunks compare it: no // comment, white space only
// where it separates two words.
func normLine(s string) string {
	if i := commentStart(s); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' {
			space = true
			continue
		}
		if space && b.Len() > 0 && isWord(b.String()[b.Len()-1]) && isWord(c) {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

func isWord(c byte) bool { return isLetter(c) || isDigit(c) }

// commentStart is the index of a // comment outside a string, or -1.
func commentStart(s string) int {
	inStr := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			inStr = !inStr
		case !inStr && s[i] == '/' && i+1 < len(s) && s[i+1] == '/':
			return i
		}
	}
	return -1
}

// ApplyPatch applies the hunks of p to target, the source lines of the
// parent's declaration (what defines them is named by where, for
// messages). Each hunk's context and removed lines must occur in target,
// once, after the previous hunk. vsrc is the variant's source, for errors.
func ApplyPatch(target []SrcLine, p *PatchDecl, where string, vsrc []byte) ([]SrcLine, error) {
	norm := make([]string, len(target))
	for i, l := range target {
		norm[i] = normLine(l.Text)
	}
	var out []SrcLine
	from := 0
	for _, h := range p.Hunks {
		var old []string
		for _, l := range h.Lines {
			if l.Op != '+' {
				old = append(old, normLine(l.Text))
			}
		}
		if len(old) == 0 {
			return nil, ErrorAt(vsrc, h.Pos, fmt.Sprintf("hunk of patch %s has only added lines: expected a context line (' ') or a removed line ('-') that says where they go", p.Name), "")
		}
		var at []int
		for s := from; s+len(old) <= len(norm); s++ {
			if equalLines(norm[s:s+len(old)], old) {
				at = append(at, s)
			}
		}
		if len(at) == 0 {
			return nil, ErrorAt(vsrc, h.Pos, fmt.Sprintf("hunk of patch %s does not apply to %s %s", p.Name, p.Name, where),
				nearest(target[from:], norm[from:], h, old))
		}
		if len(at) > 1 {
			return nil, ErrorAt(vsrc, h.Pos, fmt.Sprintf("hunk of patch %s applies at %d places in %s (lines %d and %d): add context lines to say which", p.Name, len(at), p.Name, target[at[0]].Pos.Line, target[at[1]].Pos.Line), "")
		}
		out = append(out, target[from:at[0]]...)
		i := at[0]
		for _, l := range h.Lines {
			switch l.Op {
			case ' ':
				out = append(out, target[i])
				i++
			case '-':
				i++
			case '+':
				out = append(out, SrcLine{Text: l.Text, Pos: l.Pos})
			}
		}
		from = i
	}
	return append(out, target[from:]...), nil
}

func equalLines(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// nearest describes, for a hunk that does not apply, the context it
// expected and the place in target that matches most of it.
func nearest(target []SrcLine, norm []string, h *Hunk, old []string) string {
	var b strings.Builder
	b.WriteString("expected these lines (white space and // comments aside):\n")
	for _, l := range h.Lines {
		if l.Op != '+' {
			fmt.Fprintf(&b, "    %c%s\n", l.Op, l.Text)
		}
	}
	best, score := -1, 0
	for s := range norm {
		n := 0
		for i := range old {
			if s+i < len(norm) && norm[s+i] == old[i] {
				n++
			}
		}
		if n > score {
			best, score = s, n
		}
	}
	if best < 0 {
		b.WriteString("no line of them is there")
		return b.String()
	}
	fmt.Fprintf(&b, "nearest: %d of %d lines match at %s:%d:\n", score, len(old), target[best].Pos.File, target[best].Pos.Line)
	for i := range old {
		if best+i >= len(target) {
			break
		}
		mark := ' '
		if norm[best+i] != old[i] {
			mark = '!'
		}
		fmt.Fprintf(&b, "  %c %4d %s\n", mark, target[best+i].Pos.Line, target[best+i].Text)
	}
	return strings.TrimRight(b.String(), "\n")
}

// ParsePatched parses lines (a patched declaration's text) as one
// declaration, and points every position of the result at where its line
// came from. An error is reported where the offending line came from;
// files gives the source of each file, for the error's caret line.
func ParsePatched(lines []SrcLine, files map[string][]byte) (d Decl, err error) {
	var text strings.Builder
	for _, l := range lines {
		text.WriteString(l.Text + "\n")
	}
	if len(lines) == 0 {
		return nil, &Error{Msg: "a patch may not remove a declaration whole"}
	}
	const synth = "<patched>"
	remap := func(p Pos) Pos {
		if p.File != synth || p.Line < 1 {
			return p
		}
		if p.Line > len(lines) {
			l := lines[len(lines)-1]
			return Pos{l.Pos.File, l.Pos.Line, l.Pos.Col + len(l.Text)}
		}
		l := lines[p.Line-1]
		return Pos{l.Pos.File, l.Pos.Line, p.Col + l.Pos.Col - 1}
	}
	p := &parser{lx: newLexer(synth, []byte(text.String())), file: &File{Path: synth}}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			pos := remap(pe.Pos)
			d, err = nil, &Error{Pos: pos, Msg: pe.Msg, Hint: pe.Hint, line: sourceLine(files[pos.File], pos.Line)}
		}
	}()
	p.next()
	d = p.parseDecl()
	if p.tok.kind != tEOF {
		p.fail(p.tok.pos, "expected the end of the patched declaration, found %s: a patch changes one declaration", p.tok.describe())
	}
	remapPositions(reflect.ValueOf(d), remap)
	return d, nil
}

var posType = reflect.TypeOf(Pos{})

// remapPositions rewrites every Pos reachable from v (the syntax tree is a
// tree of pointers, interfaces, slices and structs).
func remapPositions(v reflect.Value, f func(Pos) Pos) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			remapPositions(v.Elem(), f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			remapPositions(v.Index(i), f)
		}
	case reflect.Struct:
		if v.Type() == posType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(f(v.Interface().(Pos))))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if sf := v.Type().Field(i); sf.IsExported() || sf.Anonymous {
				remapPositions(v.Field(i), f)
			}
		}
	}
}
