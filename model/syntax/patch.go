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
// once, after the previous hunk. Lines that are empty once normalised
// (blank, or only a // comment), in the hunk or in target, are left out of
// the comparison: a hunk need not repeat the parent's comment lines, and
// target's stay where they are (an added line goes right after the line
// before it in the hunk). vsrc is the variant's source, for errors.
func ApplyPatch(target []SrcLine, p *PatchDecl, where string, vsrc []byte) ([]SrcLine, error) {
	var sig []int // the lines of target that are not empty once normalised
	var norm []string
	for i, l := range target {
		if n := normLine(l.Text); n != "" {
			sig, norm = append(sig, i), append(norm, n)
		}
	}
	var out []SrcLine
	from, sfrom := 0, 0 // in target, in sig
	for _, h := range p.Hunks {
		old := hunkOld(h)
		if len(old) == 0 {
			return nil, ErrorAt(vsrc, h.Pos, fmt.Sprintf("hunk of patch %s has no context line (' ') or removed line ('-') with code in it, to say where its added lines go", p.Name), "")
		}
		var at []int
		for s := sfrom; s+len(old) <= len(norm); s++ {
			if equalLines(norm[s:s+len(old)], old) {
				at = append(at, s)
			}
		}
		if len(at) == 0 {
			return nil, ErrorAt(vsrc, h.Pos, fmt.Sprintf("hunk of patch %s does not apply to %s %s", p.Name, p.Name, where),
				nearest(target, sig[sfrom:], norm[sfrom:], h, old))
		}
		if len(at) > 1 {
			return nil, ErrorAt(vsrc, h.Pos, fmt.Sprintf("hunk of patch %s applies at %d places in %s (lines %d and %d): add context lines to say which", p.Name, len(at), p.Name, target[sig[at[0]]].Pos.Line, target[sig[at[1]]].Pos.Line), "")
		}
		out, from, sfrom = applyHunk(out, target, sig, h, from, at[0])
	}
	return append(out, target[from:]...), nil
}

// hunkOld is a hunk's context and removed lines, normalised, without those
// that normalise to nothing.
func hunkOld(h *Hunk) []string {
	var old []string
	for _, l := range h.Lines {
		if n := normLine(l.Text); l.Op != '+' && n != "" {
			old = append(old, n)
		}
	}
	return old
}

// applyHunk appends to out target's lines from line from, with hunk h
// applied where its first line with code matches sig[s] (added lines
// before that go right before it); it returns out, and where in target
// and in sig the next hunk may start.
func applyHunk(out, target []SrcLine, sig []int, h *Hunk, from, s int) ([]SrcLine, int, int) {
	out, from = append(out, target[from:sig[s]]...), sig[s]
	for _, l := range h.Lines {
		if l.Op == '+' {
			out = append(out, SrcLine{Text: l.Text, Pos: l.Pos})
			continue
		}
		if normLine(l.Text) == "" {
			continue // matched nothing: target's own such lines stay
		}
		t := sig[s]
		out = append(out, target[from:t]...)
		if l.Op == ' ' {
			out = append(out, target[t])
		}
		from, s = t+1, s+1
	}
	return out, from, s
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
func nearest(target []SrcLine, sig []int, norm []string, h *Hunk, old []string) string {
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
	first := target[sig[best]]
	fmt.Fprintf(&b, "nearest: %d of %d lines match at %s:%d:\n", score, len(old), first.Pos.File, first.Pos.Line)
	for i := range old {
		if best+i >= len(norm) {
			break
		}
		mark := ' '
		if norm[best+i] != old[i] {
			mark = '!'
		}
		l := target[sig[best+i]]
		fmt.Fprintf(&b, "  %c %4d %s\n", mark, l.Pos.Line, l.Text)
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
