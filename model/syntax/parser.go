package syntax

import (
	"fmt"
	"strings"
)

// Parse parses one .wq file. It never panics: malformed input gives an *Error
// naming the file, line and column and what was expected.
func Parse(path string, src []byte) (f *File, err error) {
	p := &parser{lx: newLexer(path, src), file: &File{Path: path, Src: src}}
	defer caught(&err)
	p.depth = 0
	p.next()
	p.parseFile()
	return p.file, nil
}

// caught, deferred, turns the parser's panic with an *Error into *err (the
// other results stay zero); any other panic goes on.
func caught(err *error) {
	if r := recover(); r != nil {
		pe, ok := r.(*Error)
		if !ok {
			panic(r)
		}
		*err = pe
	}
}

const maxNesting = 200 // deeper nesting is refused, so hostile input cannot exhaust the stack

// maxExprOps bounds the binary operators of one expression: a chain
// a+b+c+... is a tree as deep as it is long, and every later pass (types,
// code, evaluation) recurses over it.
const maxExprOps = 10000

type parser struct {
	lx     *lexer
	file   *File
	tok    token
	prev   token
	depth  int
	inExpr bool // inside a top-level expression (exprOps counts its operators)
	ops    int
}

func (p *parser) next() {
	p.prev = p.tok
	t, err := p.lx.next()
	if err != nil {
		panic(err)
	}
	p.tok = t
}

func (p *parser) fail(pos Pos, format string, args ...any) {
	p.failHint(pos, "", format, args...)
}

func (p *parser) failHint(pos Pos, hint string, format string, args ...any) {
	if p.tok.kind == tEOF && pos == p.tok.pos && p.prev.end.Line > 0 {
		// at the end of the file there is no line to show: point just
		// after the last token instead
		pos = p.prev.end
	}
	panic(&Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint, line: sourceLine(p.lx.src, pos.Line)})
}

func (p *parser) is(text string) bool {
	return (p.tok.kind == tOp || p.tok.kind == tIdent) && p.tok.text == text
}

func (p *parser) accept(text string) bool {
	if p.is(text) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expect(text, context string) Pos {
	if !p.is(text) {
		pos := p.tok.pos
		if p.prev.kind != tEOF && p.prev.pos.Line > 0 && (pos.Line > p.prev.end.Line || p.tok.kind == tEOF) {
			// a missing terminator belongs after the previous token, not on the next line
			pos = p.prev.end
		}
		p.fail(pos, "expected '%s' %s, found %s", text, context, p.tok.describe())
	}
	pos := p.tok.pos
	p.next()
	return pos
}

// keywords may not be used as names. The words that open a top-level
// declaration (model, param, flags, struct, thread, invariant, ...) are
// keywords only there, so `flags` can name a field as in struct worker.
var keywords = map[string]bool{
	"if": true, "else": true, "while": true, "do": true, "for": true, "foreach": true, "goto": true,
	"return": true, "break": true, "continue": true, "either": true, "forall": true, "exists": true,
	"true": true, "false": true, "NULL": true, "int": true, "bool": true, "list": true, "spinlock": true,
	"mutex": true, "void": true, "in": true, "atomic": true,
}

func (p *parser) ident(context string) (string, Pos) {
	if p.tok.kind != tIdent {
		p.fail(p.tok.pos, "expected a name %s, found %s", context, p.tok.describe())
	}
	if keywords[p.tok.text] {
		p.fail(p.tok.pos, "expected a name %s, found the keyword %q", context, p.tok.text)
	}
	name, pos := p.tok.text, p.tok.pos
	p.next()
	return name, pos
}

// propName accepts an identifier or a string, so properties can be named
// "S1-stranded-work".
func (p *parser) propName(context string) (string, Pos) {
	if p.tok.kind == tString {
		name, pos := strings.Trim(p.tok.text, `"`), p.tok.pos
		if name == "" {
			p.fail(pos, "expected a non-empty name %s", context)
		}
		p.next()
		return name, pos
	}
	return p.ident(context)
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxNesting {
		p.fail(p.tok.pos, "nesting deeper than %d levels", maxNesting)
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseFile() {
	f := p.file
	// a comment block before `model` is the model's description (wqcheck list)
	f.Doc = leadingComment(p.lx.src, p.tok.off)
	if !p.is("model") {
		p.failHint(p.tok.pos, "every file starts with `model NAME;` or `model NAME extends PARENT;`",
			"expected 'model' at the start of the file, found %s", p.tok.describe())
	}
	p.next()
	f.Model, f.ModelPos = p.modelName()
	if p.accept("extends") {
		for {
			name, pos := p.modelName()
			f.Extends = append(f.Extends, name)
			f.ExtendsPos = append(f.ExtendsPos, pos)
			if !p.accept(",") {
				break
			}
		}
	}
	p.expect(";", "after the model name")
	for p.tok.kind != tEOF {
		f.Decls = append(f.Decls, p.parseDecl())
	}
}

// modelName accepts names with dashes (claim-deferred) as one name.
func (p *parser) modelName() (string, Pos) {
	name, pos := p.ident("for the model")
	for p.is("-") {
		p.next()
		if p.tok.kind != tIdent && p.tok.kind != tInt {
			p.fail(p.tok.pos, "expected the rest of the model name after '-', found %s", p.tok.describe())
		}
		name += "-" + p.tok.text
		p.next()
	}
	return name, pos
}

func leadingComment(src []byte, off int) string {
	text := strings.TrimSpace(string(src[:off]))
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "//"):
			lines = append(lines, strings.TrimSpace(strings.TrimPrefix(l, "//")))
		case strings.HasPrefix(l, "/*"), strings.HasPrefix(l, "*"):
			l = strings.TrimSuffix(strings.TrimLeft(l, "/*"), "*/")
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func (p *parser) parseDecl() Decl {
	pos := p.tok.pos
	isNew := false
	if p.accept("new") {
		isNew = true
	}
	base := declBase{Pos: pos, New: isNew}
	switch {
	case p.is("model"):
		p.failHint(pos, "a file holds one model; a variant is its own file (model X extends Y;)", "a second 'model' line: the file already declared model %s", p.file.Model)
	case p.is("param"):
		return p.parseParamDecl(base)
	case p.is("const"):
		p.next()
		d := &ConstDecl{declBase: base}
		d.Name, _ = p.ident("for the constant")
		p.expect("=", "after the constant name")
		d.Value = p.parseExpr()
		p.expect(";", "after the constant")
		return d
	case p.is("flags"):
		return p.parseFlagsDecl(base)
	case p.is("struct"), p.is("extend"):
		return p.parseStructDecl(base)
	case p.is("cpus"):
		p.next()
		d := &CpusDecl{declBase: base}
		d.N = p.parseExpr()
		p.expect(";", "after the number of CPUs")
		return d
	case p.is("thread"), p.is("daemon"), p.is("hardirq"), p.is("softirq"), p.is("fair"):
		return p.parseThreadDecl(base)
	case p.is("invariant"):
		p.next()
		d := &InvariantDecl{declBase: base}
		d.Name, _ = p.propName("for the invariant")
		p.expect(":", "after the invariant name")
		d.Expr = p.parseExpr()
		p.expect(";", "after the invariant")
		return d
	case p.is("stranded"):
		return p.parseStrandedDecl(base)
	case p.is("liveness"):
		return p.parseLivenessDecl(base)
	case p.is("init"):
		p.next()
		return &InitDecl{declBase: base, Body: p.parseBlock()}
	case p.is("assume"):
		p.next()
		d := &AssumeDecl{declBase: base, Expr: p.parseExpr()}
		p.expect(";", "after the assumption")
		return d
	case p.is("alias"):
		p.next()
		d := &AliasDecl{declBase: base}
		d.Name, _ = p.propName("for the property's new name")
		p.expect("=", "after the alias name")
		d.Builtin, _ = p.propName("of the built-in property (deadlock, lock-discipline, runtime-error)")
		p.expect(";", "after the alias")
		return d
	case p.is("describe"):
		p.next()
		d := &DescribeDecl{declBase: base}
		d.Name, _ = p.propName("of the property described")
		p.expect(":", "after the property's name")
		if p.tok.kind != tString {
			p.fail(p.tok.pos, "expected the description as a string, \"...\"")
		}
		d.Text = strings.Trim(p.tok.text, `"`)
		p.next()
		p.expect(";", "after the description")
		return d
	case p.is("patch"):
		return p.parsePatchDecl(base)
	case p.is("witness"):
		p.next()
		d := &WitnessDecl{declBase: base}
		d.Name, _ = p.propName("of the informational property")
		p.expect(";", "after the witness declaration")
		return d
	}
	// a global variable, object or function: [ghost] TYPE NAME ...
	return p.parseTypedDecl(base)
}

// parsePatchDecl parses `patch NAME {`, then hunk lines read as raw text
// (the lexer is not used for them: a diff line is not C), up to a line
// whose first character is '}'.
func (p *parser) parsePatchDecl(base declBase) *PatchDecl {
	if base.New {
		p.fail(base.Pos, "`new patch` makes no sense: a patch changes what the parent defines")
	}
	p.next()
	d := &PatchDecl{declBase: base}
	d.Name, d.NamePos = p.ident("of the function, thread or init block the patch changes")
	if !p.is("{") {
		p.failHint(p.tok.pos, "write: patch FUNC {, then one line per diff line (' ' context, '-' removed, '+' added), then } at the start of a line",
			"expected '{' to open the patch's hunks, found %s", p.tok.describe())
	}
	lx := p.lx
	// the rest of the '{' line may hold only a comment
	rest, _, _ := strings.Cut(string(lx.src[lx.off:]), "\n")
	if r := strings.TrimSpace(strings.TrimRight(rest, "\r")); r != "" && !strings.HasPrefix(r, "//") {
		p.fail(Pos{lx.file, lx.line, lx.col + strings.Index(rest, r)}, "expected the end of the line after 'patch %s {': hunk lines start on the next line", d.Name)
	}
	line := lx.line
	off := lx.off + len(rest)
	var h *Hunk
	for {
		if off >= len(lx.src) {
			p.fail(base.Pos, "patch %s is not closed: expected a line starting with '}' before the end of the file", d.Name)
		}
		off++ // the newline
		line++
		end := off
		for end < len(lx.src) && lx.src[end] != '\n' {
			end++
		}
		// white space at the end of a diff line (a CR too) means nothing:
		// hunks compare lines without it (normLine), and the printer drops it
		text := strings.TrimRight(string(lx.src[off:end]), " \t\r")
		if strings.HasPrefix(text, "}") {
			lx.off, lx.line, lx.col = off+1, line, 2
			break
		}
		if strings.HasPrefix(text, "@@") {
			h = &Hunk{Pos: Pos{lx.file, line, 1}, Header: text}
			d.Hunks = append(d.Hunks, h)
			off = end
			continue
		}
		if h == nil {
			h = &Hunk{Pos: Pos{lx.file, line, 1}}
			d.Hunks = append(d.Hunks, h)
		}
		switch {
		case strings.TrimSpace(text) == "":
			h.Lines = append(h.Lines, PatchLine{Pos: Pos{lx.file, line, 1}, Op: ' '})
		case text[0] == ' ' || text[0] == '+' || text[0] == '-':
			h.Lines = append(h.Lines, PatchLine{Pos: Pos{lx.file, line, 2}, Op: text[0], Text: text[1:]})
		default:
			p.failHint(Pos{lx.file, line, 1}, "every line of a patch starts with ' ' (context), '-' (removed), '+' (added) or '@@' (a new hunk); '}' in the first column ends it",
				"expected a hunk line of patch %s, found %q", d.Name, clip(text, 20))
		}
		off = end
	}
	if len(d.Hunks) == 0 {
		p.fail(base.Pos, "patch %s has no hunks: expected diff lines between the braces", d.Name)
	}
	for _, h := range d.Hunks {
		if len(h.Lines) == 0 {
			p.fail(h.Pos, "empty hunk in patch %s: expected diff lines after the '@@' line", d.Name)
		}
	}
	p.next()
	return d
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// parseParamDecl parses `param NAME = EXPR [in LO..HI];`.
func (p *parser) parseParamDecl(base declBase) *ParamDecl {
	p.next()
	d := &ParamDecl{declBase: base}
	d.Name, _ = p.ident("for the parameter")
	p.expect("=", "after the parameter name (parameters need a default value)")
	d.Value = p.parseShift()
	if p.accept("in") {
		d.Min = p.parseShift()
		p.expect("..", "in the parameter's range lo..hi")
		d.Max = p.parseShift()
	}
	p.expect(";", "after the parameter")
	return d
}

// parseFlagsDecl parses `flags [NAME] { A [= EXPR], ... }`.
func (p *parser) parseFlagsDecl(base declBase) *FlagsDecl {
	p.next()
	d := &FlagsDecl{declBase: base}
	if p.tok.kind == tIdent && !p.is("{") {
		d.Name, _ = p.ident("for the flag set")
	}
	p.expect("{", "to open the flag list")
	for !p.is("}") {
		it := FlagItem{Pos: p.tok.pos}
		it.Name, _ = p.ident("for a flag")
		if p.accept("=") {
			it.Value = p.parseTernary()
		}
		d.Items = append(d.Items, it)
		if !p.accept(",") {
			break
		}
	}
	p.expect("}", "to close the flag list")
	p.accept(";")
	return d
}

// parseStructDecl parses `[extend] struct NAME { FIELDS }`.
func (p *parser) parseStructDecl(base declBase) *StructDecl {
	d := &StructDecl{declBase: base}
	if p.accept("extend") {
		d.Extend = true
	}
	p.expect("struct", "after 'extend'")
	d.Name, _ = p.ident("for the struct")
	p.expect("{", "to open the struct body")
	for !p.is("}") {
		d.Fields = append(d.Fields, p.parseField())
	}
	p.expect("}", "to close the struct body")
	p.accept(";")
	return d
}

// parseThreadDecl parses a thread header (daemon, hardirq or softirq;
// for each ARRAY; as "LABEL"; its context clause) and its body.
func (p *parser) parseThreadDecl(base declBase) *ThreadDecl {
	d := &ThreadDecl{declBase: base}
	if p.accept("fair") {
		d.Fair = true
	}
	if p.accept("daemon") {
		d.Daemon = true
	}
	switch {
	case p.accept("hardirq"):
		d.Context = CtxHardIRQ
	case p.accept("softirq"):
		d.Context = CtxSoftIRQ
	}
	if d.Context != CtxTask && d.Daemon {
		p.fail(base.Pos, "an interrupt handler is not a daemon: it runs to completion each time it fires")
	}
	p.expect("thread", "after '"+p.prev.text+"'")
	d.Name, _ = p.ident("for the thread")
	p.expect("(", "after the thread name")
	if !p.is(")") {
		d.Param = p.parseParam()
	}
	p.expect(")", "after the thread parameter (a thread takes at most one)")
	if p.is("for") {
		d.ForPos = p.tok.pos
		p.next()
		if !p.is("each") {
			p.fail(p.tok.pos, "expected 'each' after 'for' in a thread header, found %s", p.tok.describe())
		}
		p.next()
		d.ForEach, _ = p.ident("of the object array the thread runs for")
	}
	if p.accept("as") {
		if p.tok.kind != tString {
			p.failHint(p.tok.pos, `write: thread worker_thread(worker self) for each workers as "kworker W{i}" {`,
				"expected the thread's display name as a string after 'as', found %s", p.tok.describe())
		}
		d.Label = strings.Trim(p.tok.text, `"`)
		if strings.ContainsAny(strings.ReplaceAll(d.Label, "{i}", ""), "{}") {
			p.failHint(p.tok.pos, `{i} is the instance's index, as in "kworker W{i}"`, "unknown placeholder in the thread's display name %s", p.tok.text)
		}
		p.next()
	}
	p.parseThreadContext(d)
	d.Body = p.parseBlock()
	return d
}

// parseStrandedDecl parses `stranded NAME: X in ARRAY pending EXPR;`.
func (p *parser) parseStrandedDecl(base declBase) *StrandedDecl {
	p.next()
	d := &StrandedDecl{declBase: base}
	d.Name, _ = p.propName("for the stranded-work property")
	p.expect(":", "after the property name")
	d.Var, d.VarPos = p.ident("for the work item variable")
	p.expect("in", "after the work item variable")
	d.OverPos = p.tok.pos
	d.Over, _ = p.ident("of the work item array")
	if !p.is("pending") {
		p.failHint(p.tok.pos, "write: stranded NAME: x in works pending x in pool.worklist;",
			"expected 'pending' and the condition that makes an item pending, found %s", p.tok.describe())
	}
	p.next()
	d.Pending = p.parseExpr()
	p.expect(";", "after the stranded-work property")
	return d
}

// parseTypedDecl parses a declaration that starts with a type: a global
// variable or object array (`[ghost] TYPE NAME [[LEN]] [= EXPR]
// [guarded_by(LOCK)];`) or a function (`[ghost] TYPE NAME(PARAMS) BLOCK`).
func (p *parser) parseTypedDecl(base declBase) Decl {
	ghost := false
	// `static` and `inline` are accepted as the kernel writes them and
	// ignored: every function is inlined, none is visible outside the model
	for p.is("ghost") || p.is("static") || p.is("inline") {
		if p.is("ghost") {
			ghost = true
		}
		p.next()
	}
	if p.tok.kind != tIdent {
		p.fail(p.tok.pos, "expected a declaration (param, const, cpus, flags, struct, a variable, a function, thread, invariant, stranded, liveness, init), found %s", p.tok.describe())
	}
	typ := p.parseType()
	name, _ := p.ident("after the type")
	if p.is("(") {
		d := &FuncDecl{declBase: base, Ret: typ, Name: name, Ghost: ghost}
		p.next()
		for !p.is(")") {
			d.Params = append(d.Params, p.parseParam())
			if !p.accept(",") {
				break
			}
		}
		p.expect(")", "to close the parameter list")
		d.Body = p.parseBlock()
		return d
	}
	d := &VarDecl{declBase: base, Type: typ, Name: name, Ghost: ghost}
	if p.accept("[") {
		d.Len = p.parseExpr()
		p.expect("]", "after the array length")
	}
	if p.accept("=") {
		d.Init = p.parseExpr()
	}
	d.Guard, d.GuardPos = p.parseGuard()
	p.expect(";", "after the variable declaration")
	return d
}

// parseThreadContext parses a thread header's context clause: `on cpu EXPR`
// (a bound task, or the CPU an interrupt handler belongs to) or `unbound`.
func (p *parser) parseThreadContext(d *ThreadDecl) {
	switch {
	case p.is("on"):
		d.CtxPos = p.tok.pos
		p.next()
		if !p.accept("cpu") {
			p.failHint(p.tok.pos, "write: on cpu 0, or on cpu POOL_CPU", "expected 'cpu' after 'on' in a thread header, found %s", p.tok.describe())
		}
		d.OnCPU = p.parseTernary()
	case p.is("unbound"):
		d.CtxPos = p.tok.pos
		p.next()
		d.Unbound = true
	}
}

func (p *parser) parseGuard() (string, Pos) {
	if !p.is("guarded_by") {
		return "", Pos{}
	}
	p.next()
	p.expect("(", "after guarded_by")
	pos := p.tok.pos
	name, _ := p.ident("of the guarding lock")
	if p.accept(".") {
		// a lock field of a single global object: guarded_by(pool.lock)
		field, _ := p.ident("of the guarding lock field")
		name += "." + field
	}
	p.expect(")", "after the guarding lock")
	return name, pos
}

func (p *parser) parseField() *FieldDecl {
	fd := &FieldDecl{Pos: p.tok.pos}
	if p.is("ghost") {
		p.next()
		fd.Ghost = true
	}
	fd.Type = p.parseType()
	for {
		name, _ := p.ident("for the field")
		fd.Names = append(fd.Names, name)
		if !p.accept(",") {
			break
		}
	}
	fd.Guard, fd.GuardPos = p.parseGuard()
	if p.is("cpu_local") {
		fd.CPULocal, fd.CPULocalPos = true, p.tok.pos
		p.next()
	}
	if p.is("clock") {
		fd.Clock, fd.ClockPos = true, p.tok.pos
		p.next()
	}
	if p.is("live_when") {
		p.next()
		p.expect("(", "after live_when")
		fd.LiveWhen = p.parseExpr()
		p.expect(")", "after the live_when condition")
	}
	p.expect(";", "after the field")
	return fd
}

func (p *parser) parseParam() *Param {
	pr := &Param{Pos: p.tok.pos}
	pr.Type = p.parseType()
	pr.Name, _ = p.ident("for the parameter")
	return pr
}

func (p *parser) parseType() *TypeExpr {
	t := &TypeExpr{Pos: p.tok.pos}
	if p.tok.kind != tIdent {
		p.fail(p.tok.pos, "expected a type, found %s", p.tok.describe())
	}
	t.Name = p.tok.text
	switch t.Name {
	case "struct":
		// `struct worker *w` reads like C: accept it as `worker w`
		p.next()
		t.Name, _ = p.ident("after 'struct'")
		p.accept("*")
		return t
	case "int":
		p.next()
		if p.accept("<") {
			t.Lo = p.parseAdd()
			p.expect("..", "in the integer range int<lo..hi>")
			t.Hi = p.parseAdd()
			p.expect(">", "to close the integer range")
		}
		return t
	case "list":
		p.next()
		p.expect("<", "after 'list'")
		t.Elem, _ = p.ident("for the list's element type")
		p.expect(">", "after the list's element type")
		return t
	}
	if keywords[t.Name] && t.Name != "bool" && t.Name != "spinlock" && t.Name != "mutex" && t.Name != "void" {
		p.fail(p.tok.pos, "expected a type, found the keyword %q", t.Name)
	}
	p.next()
	p.accept("*")
	return t
}

// ---- statements ----

func (p *parser) parseBlock() *Block {
	p.enter()
	defer p.leave()
	b := &Block{Pos: p.tok.pos}
	p.expect("{", "to open a block")
	for !p.is("}") {
		if p.tok.kind == tEOF {
			p.fail(p.tok.pos, "expected '}' to close the block opened at line %d, found end of file", b.Pos.Line)
		}
		b.Stmts = append(b.Stmts, p.parseStmt())
	}
	b.End = p.tok.pos
	p.next()
	return b
}

// isTypeStart reports whether the current token begins a local declaration:
// a type keyword, or a name followed by another name (`worker w`).
func (p *parser) isDeclStart(structNames map[string]bool) bool {
	if p.tok.kind != tIdent {
		return false
	}
	switch p.tok.text {
	case "int", "bool", "struct":
		return true
	}
	if keywords[p.tok.text] {
		return false
	}
	// NAME NAME or NAME * NAME: look ahead on a copy of the lexer
	save := *p.lx
	t1, err := save.next()
	if err != nil {
		return false
	}
	if t1.kind == tOp && t1.text == "*" {
		t1, err = save.next()
		if err != nil {
			return false
		}
	}
	return t1.kind == tIdent && !keywords[t1.text]
}

func (p *parser) parseStmt() Stmt {
	p.enter()
	defer p.leave()
	pos := p.tok.pos
	switch {
	case p.is("{"):
		return p.parseBlock()
	case p.is(";"):
		p.next()
		return &Block{Pos: pos, End: pos}
	case p.is("if"):
		p.next()
		s := &IfStmt{Pos: pos}
		p.expect("(", "after 'if'")
		s.Cond = p.parseExpr()
		p.expect(")", "after the if condition")
		s.Then = p.parseStmt()
		if p.accept("else") {
			s.Else = p.parseStmt()
		}
		return s
	case p.is("while"):
		p.next()
		s := &WhileStmt{Pos: pos}
		p.expect("(", "after 'while'")
		s.Cond = p.parseExpr()
		p.expect(")", "after the while condition")
		s.Body = p.parseStmt()
		return s
	case p.is("do"):
		return p.parseDoWhile(pos)
	case p.is("for"):
		return p.parseFor(pos)
	case p.is("foreach"):
		p.next()
		s := &ForeachStmt{Pos: pos}
		p.expect("(", "after 'foreach'")
		s.Var, _ = p.ident("for the loop variable")
		p.expect("in", "after the loop variable")
		s.Over = p.parseExpr()
		p.expect(")", "to close the foreach header")
		s.Body = p.parseStmt()
		return s
	case p.is("goto"):
		p.next()
		s := &GotoStmt{Pos: pos}
		s.Label, _ = p.ident("after 'goto'")
		p.expect(";", "after the goto")
		return s
	case p.is("return"):
		p.next()
		s := &ReturnStmt{Pos: pos}
		if !p.is(";") {
			s.X = p.parseExpr()
		}
		p.expect(";", "after return")
		return s
	case p.is("break"):
		p.next()
		p.expect(";", "after break")
		return &BreakStmt{Pos: pos}
	case p.is("continue"):
		p.next()
		p.expect(";", "after continue")
		return &ContinueStmt{Pos: pos}
	case p.is("atomic"):
		p.next()
		return &AtomicStmt{Pos: pos, Body: p.parseBlock()}
	case p.is("either"):
		return p.parseEither(pos)
	}
	return p.parseLabeledOrSimple(pos)
}

// parseFor parses `for (INIT; COND; POST) STMT`, each part optional.
func (p *parser) parseFor(pos Pos) *ForStmt {
	p.next()
	s := &ForStmt{Pos: pos}
	p.expect("(", "after 'for'")
	if !p.is(";") {
		s.Init = p.parseSimpleStmt()
	}
	p.expect(";", "after the for loop's initialisation")
	if !p.is(";") {
		s.Cond = p.parseExpr()
	}
	p.expect(";", "after the for loop's condition")
	if !p.is(")") {
		s.Post = p.parseSimpleStmt()
	}
	p.expect(")", "to close the for loop header")
	s.Body = p.parseStmt()
	return s
}

// parseEither parses `either BLOCK or BLOCK ...` (two branches or more).
func (p *parser) parseEither(pos Pos) *EitherStmt {
	p.next()
	s := &EitherStmt{Pos: pos}
	if p.is("fair") {
		p.next()
		s.Fair = true
	}
	s.Branches = append(s.Branches, p.parseBlock())
	for p.is("or") {
		p.next()
		s.Branches = append(s.Branches, p.parseBlock())
	}
	if len(s.Branches) < 2 {
		p.fail(p.tok.pos, "expected 'or' and a second branch after 'either { ... }', found %s", p.tok.describe())
	}
	return s
}

// parseDoWhile parses `do STMT while (COND);`.
func (p *parser) parseDoWhile(pos Pos) *DoWhileStmt {
	p.next()
	s := &DoWhileStmt{Pos: pos}
	s.Body = p.parseStmt()
	p.expect("while", "after the body of 'do'")
	p.expect("(", "after 'while'")
	s.Cond = p.parseExpr()
	p.expect(")", "after the while condition")
	p.expect(";", "after do ... while (...)")
	return s
}

// parseLabeledOrSimple parses `LABEL: STMT` or a simple statement and its
// ';'.
func (p *parser) parseLabeledOrSimple(pos Pos) Stmt {
	// a label: an identifier and ':' (one token of lookahead)
	if p.tok.kind == tIdent && !keywords[p.tok.text] {
		save := *p.lx
		t1, err := save.next()
		if err == nil && t1.kind == tOp && t1.text == ":" {
			label := p.tok.text
			p.next()
			p.next()
			if p.is("}") {
				// a label at the end of a block labels an empty statement, as in C23
				return &LabeledStmt{Pos: pos, Label: label, Stmt: &Block{Pos: p.tok.pos, End: p.tok.pos}}
			}
			return &LabeledStmt{Pos: pos, Label: label, Stmt: p.parseStmt()}
		}
	}
	s := p.parseSimpleStmt()
	p.expect(";", "after the statement")
	return s
}

// parseSimpleStmt parses a declaration, an assignment or an expression statement (no ';').
func (p *parser) parseSimpleStmt() Stmt {
	pos := p.tok.pos
	if p.isDeclStart(nil) {
		s := &VarStmt{Pos: pos, Type: p.parseType()}
		s.Name, _ = p.ident("for the local variable")
		if p.accept("=") {
			s.Init = p.parseExpr()
		}
		return s
	}
	x := p.parseExpr()
	switch {
	case p.is("="), p.is("+="), p.is("-="), p.is("|="), p.is("&="), p.is("^="), p.is("<<="), p.is(">>="),
		p.is("*="), p.is("/="), p.is("%="):
		op := p.tok.text
		p.next()
		return &AssignStmt{Pos: pos, Lhs: x, Op: op, Rhs: p.parseExpr()}
	case p.is("++"), p.is("--"):
		op := p.tok.text
		p.next()
		return &AssignStmt{Pos: pos, Lhs: x, Op: op}
	}
	if _, ok := x.(*CallExpr); !ok {
		p.failHint(p.tok.pos, "a statement is a call, an assignment, a declaration or a control statement",
			"expected '=' or ';' after the expression, found %s", p.tok.describe())
	}
	return &ExprStmt{Pos: pos, X: x}
}

// ---- expressions ----

func (p *parser) parseExpr() Expr {
	p.enter()
	defer p.leave()
	if p.is("forall") || p.is("exists") {
		return p.parseQuant()
	}
	return p.parseTernary()
}

// parseQuant parses forall/exists; the body extends as far right as it can.
func (p *parser) parseQuant() Expr {
	switch {
	case p.is("forall"), p.is("exists"):
		pos := p.tok.pos
		kind := p.tok.text
		p.next()
		q := &QuantExpr{Pos: pos, Kind: kind}
		q.Var, _ = p.ident("for the quantified variable")
		p.expect("in", "after the quantified variable")
		q.Over = p.parseShift()
		p.expect(":", "after the quantifier's range")
		q.Body = p.parseExpr()
		return q
	}
	p.fail(p.tok.pos, "expected forall or exists")
	return nil
}

func (p *parser) parseTernary() Expr {
	c := p.parseBinary(0)
	if p.is("?") {
		pos := p.tok.pos
		p.next()
		x := p.parseExpr()
		p.expect(":", "in the conditional expression")
		y := p.parseTernary()
		return &CondExpr{Pos: pos, C: c, X: x, Y: y}
	}
	return c
}

// binary operator levels, loosest first.
var binLevels = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", "<=", ">", ">=", "in"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

const levelShift = 7
const levelAdd = 8

func (p *parser) parseShift() Expr { return p.parseBinary(levelShift) }
func (p *parser) parseAdd() Expr   { return p.parseBinary(levelAdd) }

func (p *parser) parseBinary(level int) Expr {
	if !p.inExpr {
		p.inExpr, p.ops = true, 0
		defer func() { p.inExpr = false }()
	}
	if level == len(binLevels) {
		return p.parseUnary()
	}
	x := p.parseBinary(level + 1)
	for {
		op := ""
		for _, o := range binLevels[level] {
			if p.is(o) {
				op = o
				break
			}
		}
		if op == "" {
			return x
		}
		pos := p.tok.pos
		if p.ops++; p.ops > maxExprOps {
			p.failHint(pos, "split it into several statements or functions",
				"expression too long: more than %d operators", maxExprOps)
		}
		p.next()
		y := p.parseBinary(level + 1)
		x = &BinaryExpr{Pos: pos, Op: op, X: x, Y: y}
	}
}

func (p *parser) parseUnary() Expr {
	p.enter()
	defer p.leave()
	pos := p.tok.pos
	if p.is("forall") || p.is("exists") {
		return p.parseQuant()
	}
	for _, op := range []string{"!", "~", "-", "&", "+"} {
		if p.is(op) {
			p.next()
			x := p.parseUnary()
			if op == "+" {
				return x
			}
			return &UnaryExpr{Pos: pos, Op: op, X: x}
		}
	}
	return p.parsePostfix(p.parsePrimary())
}

func (p *parser) parsePostfix(x Expr) Expr {
	for {
		switch {
		case p.is("."), p.is("->"):
			arrow := p.is("->")
			p.next()
			name, pos := p.ident("for the field after '.'")
			x = &FieldExpr{Pos: pos, X: x, Name: name, Arrow: arrow}
		case p.is("["):
			pos := p.tok.pos
			p.next()
			idx := p.parseExpr()
			p.expect("]", "after the index")
			x = &IndexExpr{Pos: pos, X: x, Idx: idx}
		default:
			return x
		}
	}
}

func (p *parser) parsePrimary() Expr {
	t := p.tok
	switch t.kind {
	case tInt:
		p.next()
		return &IntLit{Pos: t.pos, Val: t.val}
	case tString:
		p.next()
		return &StringLit{Pos: t.pos, Val: strings.Trim(t.text, `"`)}
	case tIdent:
		switch t.text {
		case "true", "false":
			p.next()
			return &BoolLit{Pos: t.pos, Val: t.text == "true"}
		case "NULL":
			p.next()
			return &NullLit{Pos: t.pos}
		case "struct":
			// the type argument of list_first_entry(&l, struct worker, node)
			p.next()
			name, _ := p.ident("after 'struct'")
			return &Ident{Pos: t.pos, Name: "struct " + name}
		case "count":
			// count(w in workers: cond)
			save := *p.lx
			t1, err := save.next()
			if err == nil && t1.kind == tOp && t1.text == "(" {
				t2, err2 := save.next()
				t3, err3 := save.next()
				if err2 == nil && err3 == nil && t2.kind == tIdent && t3.kind == tIdent && t3.text == "in" {
					p.next()
					p.next()
					q := &QuantExpr{Pos: t.pos, Kind: "count"}
					q.Var, _ = p.ident("for the counted variable")
					p.expect("in", "after the counted variable")
					q.Over = p.parseShift()
					p.expect(":", "after the count's range")
					q.Body = p.parseExpr()
					p.expect(")", "to close count(...)")
					return q
				}
			}
		}
		if keywords[t.text] {
			p.fail(t.pos, "expected an expression, found the keyword %q", t.text)
		}
		p.next()
		if p.is("(") {
			p.next()
			c := &CallExpr{Pos: t.pos, Fun: t.text}
			for !p.is(")") {
				c.Args = append(c.Args, p.parseExpr())
				if !p.accept(",") {
					break
				}
			}
			p.expect(")", "to close the argument list of "+t.text+"()")
			return c
		}
		return &Ident{Pos: t.pos, Name: t.text}
	case tOp:
		if t.text == "(" {
			p.next()
			x := p.parseExpr()
			p.expect(")", "to close the parenthesis")
			return x
		}
	}
	p.fail(t.pos, "expected an expression, found %s", t.describe())
	return nil
}
