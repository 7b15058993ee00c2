package syntax

import (
	"fmt"
	"strconv"
	"strings"
)

// Format prints a file as canonical .wq source. Parsing the output gives the
// same tree (the fuzz test checks this), so `wqcheck show` output is itself a
// valid model.
func Format(f *File) string {
	var b strings.Builder
	if f.Doc != "" {
		for _, l := range strings.Split(f.Doc, "\n") {
			b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
		}
	}
	b.WriteString("model " + f.Model)
	if len(f.Extends) > 0 {
		b.WriteString(" extends " + strings.Join(f.Extends, ", "))
	}
	b.WriteString(";\n")
	for _, d := range f.Decls {
		b.WriteString("\n")
		b.WriteString(FormatDecl(d))
	}
	return b.String()
}

// FormatDecl prints one declaration, ending in a newline.
func FormatDecl(d Decl) string {
	var b strings.Builder
	if d.IsNew() {
		b.WriteString("new ")
	}
	switch d := d.(type) {
	case *ParamDecl:
		fmt.Fprintf(&b, "param %s = %s", d.Name, fmtAt(d.Value, levelShift))
		if d.Min != nil {
			fmt.Fprintf(&b, " in %s..%s", fmtAt(d.Min, levelShift+1), fmtAt(d.Max, levelShift+1))
		}
		b.WriteString(";\n")
	case *ConstDecl:
		fmt.Fprintf(&b, "const %s = %s;\n", d.Name, FormatExpr(d.Value))
	case *FlagsDecl:
		formatFlags(&b, d)
	case *StructDecl:
		formatStruct(&b, d)
	case *VarDecl:
		if d.Ghost {
			b.WriteString("ghost ")
		}
		fmt.Fprintf(&b, "%s %s", formatType(d.Type), d.Name)
		if d.Len != nil {
			fmt.Fprintf(&b, "[%s]", FormatExpr(d.Len))
		}
		if d.Init != nil {
			fmt.Fprintf(&b, " = %s", FormatExpr(d.Init))
		}
		if d.Guard != "" {
			fmt.Fprintf(&b, " guarded_by(%s)", d.Guard)
		}
		b.WriteString(";\n")
	case *FuncDecl:
		if d.Ghost {
			b.WriteString("ghost ")
		}
		var ps []string
		for _, p := range d.Params {
			ps = append(ps, formatType(p.Type)+" "+p.Name)
		}
		fmt.Fprintf(&b, "%s %s(%s) ", formatType(d.Ret), d.Name, strings.Join(ps, ", "))
		formatBlock(&b, d.Body, 0)
		b.WriteString("\n")
	case *CpusDecl:
		fmt.Fprintf(&b, "cpus %s;\n", FormatExpr(d.N))
	case *ThreadDecl:
		formatThread(&b, d)
	case *InvariantDecl:
		fmt.Fprintf(&b, "invariant %s:\n    %s;\n", formatPropName(d.Name), FormatExpr(d.Expr))
	case *StrandedDecl:
		fmt.Fprintf(&b, "stranded %s: %s in %s pending %s;\n", formatPropName(d.Name), d.Var, d.Over, FormatExpr(d.Pending))
	case *LivenessDecl:
		b.WriteString(formatLiveness(d))
	case *AliasDecl:
		fmt.Fprintf(&b, "alias %s = %s;\n", formatPropName(d.Name), formatPropName(d.Builtin))
	case *WitnessDecl:
		fmt.Fprintf(&b, "witness %s;\n", formatPropName(d.Name))
	case *DescribeDecl:
		fmt.Fprintf(&b, "describe %s: \"%s\";\n", formatPropName(d.Name), d.Text)
	case *AssumeDecl:
		fmt.Fprintf(&b, "assume %s;\n", FormatExpr(d.Expr))
	case *InitDecl:
		b.WriteString("init ")
		formatBlock(&b, d.Body, 0)
		b.WriteString("\n")
	case *PatchDecl:
		fmt.Fprintf(&b, "patch %s {\n", d.Name)
		for i, h := range d.Hunks {
			switch {
			case h.Header != "":
				b.WriteString(h.Header + "\n")
			case i > 0:
				b.WriteString("@@\n")
			}
			for _, l := range h.Lines {
				b.WriteString(strings.TrimRight(string(l.Op)+l.Text, " ") + "\n")
			}
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// formatFlags prints a flag set, one flag a line.
func formatFlags(b *strings.Builder, d *FlagsDecl) {
	b.WriteString("flags ")
	if d.Name != "" {
		b.WriteString(d.Name + " ")
	}
	b.WriteString("{\n")
	for i, it := range d.Items {
		b.WriteString("    " + it.Name)
		if it.Value != nil {
			b.WriteString(" = " + fmtAt(it.Value, -1))
		}
		if i < len(d.Items)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
}

// formatStruct prints a struct (or an extend struct), one field group a line.
func formatStruct(b *strings.Builder, d *StructDecl) {
	if d.Extend {
		b.WriteString("extend ")
	}
	fmt.Fprintf(b, "struct %s {\n", d.Name)
	for _, fd := range d.Fields {
		ghost := ""
		if fd.Ghost {
			ghost = "ghost "
		}
		fmt.Fprintf(b, "    %s%s %s", ghost, formatType(fd.Type), strings.Join(fd.Names, ", "))
		if fd.Guard != "" {
			fmt.Fprintf(b, " guarded_by(%s)", fd.Guard)
		}
		if fd.CPULocal {
			b.WriteString(" cpu_local")
		}
		if fd.Clock {
			b.WriteString(" clock")
		}
		if fd.LiveWhen != nil {
			fmt.Fprintf(b, " live_when(%s)", FormatExpr(fd.LiveWhen))
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
}

// formatThread prints a thread: its header (daemon or interrupt context,
// parameter, for each, display name, CPU clause) and its body.
func formatThread(b *strings.Builder, d *ThreadDecl) {
	if d.Fair {
		b.WriteString("fair ")
	}
	if d.Daemon {
		b.WriteString("daemon ")
	}
	if d.Context != CtxTask {
		b.WriteString(d.Context.String() + " ")
	}
	fmt.Fprintf(b, "thread %s(", d.Name)
	if d.Param != nil {
		b.WriteString(formatType(d.Param.Type) + " " + d.Param.Name)
	}
	b.WriteString(") ")
	if d.ForEach != "" {
		fmt.Fprintf(b, "for each %s ", d.ForEach)
	}
	if d.Label != "" {
		b.WriteString(`as "` + d.Label + `" `)
	}
	if d.OnCPU != nil {
		cpu := FormatExpr(d.OnCPU)
		switch d.OnCPU.(type) {
		case *Ident, *IntLit, *FieldExpr, *CallExpr:
		default:
			cpu = "(" + cpu + ")"
		}
		b.WriteString("on cpu " + cpu + " ")
	} else if d.Unbound {
		b.WriteString("unbound ")
	}
	formatBlock(b, d.Body, 0)
	b.WriteString("\n")
}

func formatPropName(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isLetter(c) || (i > 0 && isDigit(c))) {
			return `"` + name + `"`
		}
	}
	if keywords[name] {
		return `"` + name + `"`
	}
	return name
}

func formatType(t *TypeExpr) string {
	switch {
	case t.Name == "list":
		return "list<" + t.Elem + ">"
	case t.Name == "int" && t.Lo != nil:
		return fmt.Sprintf("int<%s..%s>", fmtAt(t.Lo, levelAdd), fmtAt(t.Hi, levelAdd))
	}
	return t.Name
}

func indent(b *strings.Builder, n int) {
	for i := 0; i < n; i++ {
		b.WriteString("    ")
	}
}

func formatBlock(b *strings.Builder, blk *Block, depth int) {
	b.WriteString("{\n")
	for _, s := range blk.Stmts {
		formatStmt(b, s, depth+1)
	}
	indent(b, depth)
	b.WriteString("}")
}

// formatBody prints a statement used as the body of if/while/for: a block
// stays on the same line, anything else is wrapped in braces.
func formatBody(b *strings.Builder, s Stmt, depth int) {
	if blk, ok := s.(*Block); ok {
		formatBlock(b, blk, depth)
		return
	}
	formatBlock(b, &Block{Stmts: []Stmt{s}}, depth)
}

func formatStmt(b *strings.Builder, s Stmt, depth int) {
	if ls, ok := s.(*LabeledStmt); ok {
		// labels sit one level out, as in kernel style
		if depth > 0 {
			indent(b, depth-1)
		}
		b.WriteString(ls.Label + ":\n")
		if blk, ok := ls.Stmt.(*Block); ok && len(blk.Stmts) == 0 {
			indent(b, depth)
			b.WriteString(";\n")
			return
		}
		formatStmt(b, ls.Stmt, depth)
		return
	}
	indent(b, depth)
	switch s := s.(type) {
	case *Block:
		if len(s.Stmts) == 0 {
			b.WriteString(";\n")
			return
		}
		formatBlock(b, s, depth)
		b.WriteString("\n")
	case *IfStmt:
		b.WriteString(StmtHeader(s) + " ")
		formatBody(b, s.Then, depth)
		for s.Else != nil {
			if elif, ok := s.Else.(*IfStmt); ok {
				b.WriteString(" else " + StmtHeader(elif) + " ")
				formatBody(b, elif.Then, depth)
				s = elif
				continue
			}
			b.WriteString(" else ")
			formatBody(b, s.Else, depth)
			break
		}
		b.WriteString("\n")
	case *WhileStmt:
		b.WriteString(StmtHeader(s) + " ")
		formatBody(b, s.Body, depth)
		b.WriteString("\n")
	case *DoWhileStmt:
		b.WriteString("do ")
		formatBody(b, s.Body, depth)
		fmt.Fprintf(b, " while (%s);\n", FormatExpr(s.Cond))
	case *ForStmt:
		b.WriteString(StmtHeader(s) + " ")
		formatBody(b, s.Body, depth)
		b.WriteString("\n")
	case *ForeachStmt:
		b.WriteString(StmtHeader(s) + " ")
		formatBody(b, s.Body, depth)
		b.WriteString("\n")
	case *AtomicStmt:
		b.WriteString("atomic ")
		formatBlock(b, s.Body, depth)
		b.WriteString("\n")
	case *EitherStmt:
		b.WriteString("either ")
		if s.Fair {
			b.WriteString("fair ")
		}
		for i, br := range s.Branches {
			if i > 0 {
				b.WriteString(" or ")
			}
			formatBlock(b, br, depth)
		}
		b.WriteString("\n")
	default:
		b.WriteString(StmtHeader(s) + "\n")
	}
}

// StmtHeader is the one-line text of a statement as shown in traces: a simple
// statement in full with its ';', a compound statement by its header
// (`if (cond)`, `while (cond)`).
func StmtHeader(s Stmt) string {
	switch s := s.(type) {
	case *VarStmt:
		if s.Init != nil {
			return fmt.Sprintf("%s %s = %s;", formatType(s.Type), s.Name, FormatExpr(s.Init))
		}
		return fmt.Sprintf("%s %s;", formatType(s.Type), s.Name)
	case *ExprStmt:
		return FormatExpr(s.X) + ";"
	case *AssignStmt:
		return simpleStmtText(s) + ";"
	case *IfStmt:
		return fmt.Sprintf("if (%s)", FormatExpr(s.Cond))
	case *WhileStmt:
		return fmt.Sprintf("while (%s)", FormatExpr(s.Cond))
	case *DoWhileStmt:
		return fmt.Sprintf("while (%s);", FormatExpr(s.Cond))
	case *ForStmt:
		init, cond, post := "", "", ""
		if s.Init != nil {
			init = simpleStmtText(s.Init)
		}
		if s.Cond != nil {
			cond = " " + FormatExpr(s.Cond)
		}
		if s.Post != nil {
			post = " " + simpleStmtText(s.Post)
		}
		return fmt.Sprintf("for (%s;%s;%s)", init, cond, post)
	case *ForeachStmt:
		return fmt.Sprintf("foreach (%s in %s)", s.Var, FormatExpr(s.Over))
	case *GotoStmt:
		return "goto " + s.Label + ";"
	case *ReturnStmt:
		if s.X != nil {
			return "return " + FormatExpr(s.X) + ";"
		}
		return "return;"
	case *BreakStmt:
		return "break;"
	case *ContinueStmt:
		return "continue;"
	case *EitherStmt:
		return "either"
	case *AtomicStmt:
		return "atomic"
	case *LabeledStmt:
		return s.Label + ":"
	case *Block:
		return "{ ... }"
	}
	return "?"
}

func simpleStmtText(s Stmt) string {
	switch s := s.(type) {
	case *AssignStmt:
		if s.Rhs == nil {
			return FormatExpr(s.Lhs) + s.Op
		}
		return fmt.Sprintf("%s %s %s", FormatExpr(s.Lhs), s.Op, FormatExpr(s.Rhs))
	case *VarStmt, *ExprStmt:
		return strings.TrimSuffix(StmtHeader(s), ";")
	}
	return "?"
}

// FormatExpr prints an expression with the fewest parentheses that keep its meaning.
// It writes into one buffer, so it takes time linear in the expression's size
// (a 500,000-term sum once took minutes when every level built its own string).
func FormatExpr(e Expr) string { return fmtAt(e, -2) }

// fmtAt prints e in a context that binds at level ctx (see fmtPrec).
func fmtAt(e Expr, ctx int) string {
	var b strings.Builder
	fmtPrec(&b, e, ctx)
	return b.String()
}

func binLevel(op string) int {
	for i, ops := range binLevels {
		for _, o := range ops {
			if o == op {
				return i
			}
		}
	}
	return -1
}

// fmtPrec prints e in a context that binds at level ctx: -2 accepts any
// expression (quantifiers included), -1 a conditional expression, 0.. the
// binary levels, len(binLevels) an operand of a unary operator.
func fmtPrec(b *strings.Builder, e Expr, ctx int) {
	open := func(own int) func() {
		if own < ctx {
			b.WriteByte('(')
			return func() { b.WriteByte(')') }
		}
		return func() {}
	}
	switch e := e.(type) {
	case *Ident:
		b.WriteString(e.Name)
	case *IntLit:
		b.WriteString(strconv.FormatInt(e.Val, 10))
	case *BoolLit:
		b.WriteString(strconv.FormatBool(e.Val))
	case *NullLit:
		b.WriteString("NULL")
	case *StringLit:
		b.WriteString(`"` + e.Val + `"`)
	case *UnaryExpr:
		b.WriteString(e.Op)
		if e.Op == "-" && leadsWithMinus(e.X) {
			b.WriteByte('(')
			fmtPrec(b, e.X, len(binLevels))
			b.WriteByte(')')
			return
		}
		fmtPrec(b, e.X, len(binLevels))
	case *BinaryExpr:
		l := binLevel(e.Op)
		// left-associative: the right operand needs parentheses at the same level
		cl := open(l)
		fmtPrec(b, e.X, l)
		b.WriteString(" " + e.Op + " ")
		fmtPrec(b, e.Y, l+1)
		cl()
	case *CondExpr:
		// the condition binds at ||; the branches are full expressions
		cl := open(-1)
		fmtPrec(b, e.C, 0)
		b.WriteString(" ? ")
		fmtPrec(b, e.X, -2)
		b.WriteString(" : ")
		fmtPrec(b, e.Y, -1)
		cl()
	case *CallExpr:
		b.WriteString(e.Fun + "(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			fmtPrec(b, a, -2)
		}
		b.WriteByte(')')
	case *FieldExpr:
		fmtPrec(b, e.X, len(binLevels)+1)
		if e.Arrow {
			b.WriteString("->")
		} else {
			b.WriteByte('.')
		}
		b.WriteString(e.Name)
	case *IndexExpr:
		fmtPrec(b, e.X, len(binLevels)+1)
		b.WriteByte('[')
		fmtPrec(b, e.Idx, -2)
		b.WriteByte(']')
	case *QuantExpr:
		if e.Kind == "count" {
			b.WriteString("count(" + e.Var + " in ")
			fmtPrec(b, e.Over, levelShift)
			b.WriteString(": ")
			fmtPrec(b, e.Body, -2)
			b.WriteByte(')')
			return
		}
		cl := open(-2)
		b.WriteString(e.Kind + " " + e.Var + " in ")
		fmtPrec(b, e.Over, levelShift)
		b.WriteString(": ")
		fmtPrec(b, e.Body, -2)
		cl()
	default:
		b.WriteByte('?')
	}
}

// leadsWithMinus reports whether e, printed as the operand of a unary
// operator, begins with '-' (so "- -x" is printed "-(-x)", not "--x").
func leadsWithMinus(e Expr) bool {
	switch e := e.(type) {
	case *UnaryExpr:
		return e.Op == "-"
	case *IntLit:
		return e.Val < 0
	case *FieldExpr:
		return leadsWithMinus(e.X)
	case *IndexExpr:
		return leadsWithMinus(e.X)
	}
	return false
}
