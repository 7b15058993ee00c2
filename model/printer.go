package model

import (
	"fmt"
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
		fmt.Fprintf(&b, "param %s = %s", d.Name, fmtPrec(d.Value, levelShift))
		if d.Min != nil {
			fmt.Fprintf(&b, " in %s..%s", fmtPrec(d.Min, levelShift+1), fmtPrec(d.Max, levelShift+1))
		}
		b.WriteString(";\n")
	case *ConstDecl:
		fmt.Fprintf(&b, "const %s = %s;\n", d.Name, FormatExpr(d.Value))
	case *FlagsDecl:
		b.WriteString("flags ")
		if d.Name != "" {
			b.WriteString(d.Name + " ")
		}
		b.WriteString("{\n")
		for i, it := range d.Items {
			b.WriteString("    " + it.Name)
			if it.Value != nil {
				b.WriteString(" = " + fmtPrec(it.Value, -1))
			}
			if i < len(d.Items)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	case *StructDecl:
		if d.Extend {
			b.WriteString("extend ")
		}
		fmt.Fprintf(&b, "struct %s {\n", d.Name)
		for _, fd := range d.Fields {
			ghost := ""
			if fd.Ghost {
				ghost = "ghost "
			}
			fmt.Fprintf(&b, "    %s%s %s", ghost, formatType(fd.Type), strings.Join(fd.Names, ", "))
			if fd.Guard != "" {
				fmt.Fprintf(&b, " guarded_by(%s)", fd.Guard)
			}
			b.WriteString(";\n")
		}
		b.WriteString("}\n")
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
		if d.Daemon {
			b.WriteString("daemon ")
		}
		if d.Context != CtxTask {
			b.WriteString(d.Context.String() + " ")
		}
		fmt.Fprintf(&b, "thread %s(", d.Name)
		if d.Param != nil {
			b.WriteString(formatType(d.Param.Type) + " " + d.Param.Name)
		}
		b.WriteString(") ")
		if d.ForEach != "" {
			fmt.Fprintf(&b, "for each %s ", d.ForEach)
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
		formatBlock(&b, d.Body, 0)
		b.WriteString("\n")
	case *InvariantDecl:
		fmt.Fprintf(&b, "invariant %s:\n    %s;\n", formatPropName(d.Name), FormatExpr(d.Expr))
	case *StrandedDecl:
		fmt.Fprintf(&b, "stranded %s: %s in %s pending %s;\n", formatPropName(d.Name), d.Var, d.Over, FormatExpr(d.Pending))
	case *AliasDecl:
		fmt.Fprintf(&b, "alias %s = %s;\n", formatPropName(d.Name), formatPropName(d.Builtin))
	case *WitnessDecl:
		fmt.Fprintf(&b, "witness %s;\n", formatPropName(d.Name))
	case *InitDecl:
		b.WriteString("init ")
		formatBlock(&b, d.Body, 0)
		b.WriteString("\n")
	}
	return b.String()
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
		return fmt.Sprintf("int<%s..%s>", fmtPrec(t.Lo, levelAdd), fmtPrec(t.Hi, levelAdd))
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
func FormatExpr(e Expr) string { return fmtPrec(e, -2) }

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
func fmtPrec(e Expr, ctx int) string {
	paren := func(s string, own int) string {
		if own < ctx {
			return "(" + s + ")"
		}
		return s
	}
	switch e := e.(type) {
	case *Ident:
		return e.Name
	case *IntLit:
		return fmt.Sprint(e.Val)
	case *BoolLit:
		return fmt.Sprint(e.Val)
	case *NullLit:
		return "NULL"
	case *StringLit:
		return `"` + e.Val + `"`
	case *UnaryExpr:
		x := fmtPrec(e.X, len(binLevels))
		if e.Op == "-" && strings.HasPrefix(x, "-") {
			x = "(" + x + ")"
		}
		return e.Op + x
	case *BinaryExpr:
		l := binLevel(e.Op)
		// left-associative: the right operand needs parentheses at the same level
		return paren(fmtPrec(e.X, l)+" "+e.Op+" "+fmtPrec(e.Y, l+1), l)
	case *CondExpr:
		// the condition binds at ||; the branches are full expressions
		return paren(fmtPrec(e.C, 0)+" ? "+fmtPrec(e.X, -2)+" : "+fmtPrec(e.Y, -1), -1)
	case *CallExpr:
		var args []string
		for _, a := range e.Args {
			args = append(args, fmtPrec(a, -2))
		}
		return e.Fun + "(" + strings.Join(args, ", ") + ")"
	case *FieldExpr:
		sep := "."
		if e.Arrow {
			sep = "->"
		}
		return fmtPrec(e.X, len(binLevels)+1) + sep + e.Name
	case *IndexExpr:
		return fmtPrec(e.X, len(binLevels)+1) + "[" + fmtPrec(e.Idx, -2) + "]"
	case *QuantExpr:
		if e.Kind == "count" {
			return fmt.Sprintf("count(%s in %s: %s)", e.Var, fmtPrec(e.Over, levelShift), fmtPrec(e.Body, -2))
		}
		return paren(fmt.Sprintf("%s %s in %s: %s", e.Kind, e.Var, fmtPrec(e.Over, levelShift), fmtPrec(e.Body, -2)), -2)
	}
	return "?"
}
