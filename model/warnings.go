package model

import (
	"fmt"
	"strings"

	"wqcheck/model/syntax"
)

// Warning is something a variant does that no property can catch but a
// reviewer must know: its version of a function no longer makes a ghost
// call, or no longer has a named warn_on, that the first version of the
// function had and a property depends on. Such a variant can make a
// property hold only because it no longer sees anything.
type Warning struct {
	Pos syntax.Pos
	Msg string
}

func (w Warning) String() string { return fmt.Sprintf("%s: %s", w.Pos, w.Msg) }

// variantWarnings compares each function, thread and init block of the
// merged model with its first version (first, by name: the root's, or the
// `new` one of the variant that added it; from names that model) and warns
// of the ghost calls and named warn_ons it dropped. at gives the position
// of the variant's declaration that made a changed declaration (a patch's
// own position), where it is not the declaration's.
func variantWarnings(merged *syntax.File, first map[string]syntax.Decl, from map[string]string, at map[syntax.Decl]syntax.Pos) []Warning {
	ghosts := map[string]*syntax.FuncDecl{}
	for _, d := range merged.Decls {
		if fd, ok := d.(*syntax.FuncDecl); ok && fd.Ghost {
			ghosts[fd.Name] = fd
		}
	}
	readers := propertyReads(merged)
	var out []Warning
	for _, d := range merged.Decls {
		body := declBody(d)
		f := first[d.DeclName()]
		if body == nil || f == nil || f == d || declBody(f) == nil {
			continue
		}
		pos, ok := at[d]
		if !ok {
			pos = d.DeclPos()
		}
		what := describeDecl(d)
		was := fmt.Sprintf("%s's %s (%s:%d)", from[d.DeclName()], what, baseName(f.DeclPos().File), f.DeclPos().Line)
		oldCalls, oldWarns := calls(declBody(f))
		newCalls, newWarns := calls(body)
		for _, c := range oldCalls {
			if ghosts[c.Fun] == nil || count(newCalls, c.Fun) >= count(oldCalls, c.Fun) || seen(out, pos, c.Fun+"()") {
				continue
			}
			written := ghostWrites(c.Fun, ghosts)
			var names, props []string
			for _, r := range readers {
				for _, w := range written {
					if r.reads[w] {
						if !contains(names, w) {
							names = append(names, w)
						}
						if !contains(props, r.name) {
							props = append(props, r.name)
						}
					}
				}
			}
			if len(props) == 0 {
				continue // nothing a property reads depends on it
			}
			they := "it cannot"
			if len(props) > 1 {
				they = "they cannot"
			}
			out = append(out, Warning{pos, fmt.Sprintf("%s no longer calls the ghost %s() that %s calls: %s read%s the %s it sets, so %s see what this variant's %s does (call %s() there as well)",
				what, c.Fun, was, strings.Join(props, ", "), plural1(len(props)), strings.Join(names, ", "), they, what, c.Fun)})
		}
		for _, w := range oldWarns {
			name := w.Args[1].(*syntax.StringLit).Val
			if countWarn(newWarns, name) >= countWarn(oldWarns, name) || seen(out, pos, `"`+name+`"`) {
				continue
			}
			out = append(out, Warning{pos, fmt.Sprintf("%s drops %s of %s: %s no longer checks it there",
				what, syntax.FormatExpr(w), was, name)})
		}
	}
	return out
}

func plural1(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func seen(ws []Warning, pos syntax.Pos, key string) bool {
	for _, w := range ws {
		if w.Pos == pos && strings.Contains(w.Msg, key) {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func count(cs []*syntax.CallExpr, fun string) int {
	n := 0
	for _, c := range cs {
		if c.Fun == fun {
			n++
		}
	}
	return n
}

func countWarn(cs []*syntax.CallExpr, name string) int {
	n := 0
	for _, c := range cs {
		if c.Args[1].(*syntax.StringLit).Val == name {
			n++
		}
	}
	return n
}

func declBody(d syntax.Decl) *syntax.Block {
	switch d := d.(type) {
	case *syntax.FuncDecl:
		return d.Body
	case *syntax.ThreadDecl:
		return d.Body
	case *syntax.InitDecl:
		return d.Body
	}
	return nil
}

func describeDecl(d syntax.Decl) string {
	switch d := d.(type) {
	case *syntax.FuncDecl:
		return d.Name + "()"
	case *syntax.ThreadDecl:
		return "thread " + d.Name
	}
	return "init"
}

// calls lists the calls in a body, and among them the named warn_ons.
func calls(b *syntax.Block) (all, warns []*syntax.CallExpr) {
	eachExpr(b, func(e syntax.Expr) {
		if c, ok := e.(*syntax.CallExpr); ok {
			all = append(all, c)
			if isWarn(c.Fun) && len(c.Args) == 2 {
				if _, ok := c.Args[1].(*syntax.StringLit); ok {
					warns = append(warns, c)
				}
			}
		}
	})
	return all, warns
}

func isWarn(fun string) bool { return fun == "warn_on" || fun == "WARN_ON" || fun == "WARN_ON_ONCE" }

// eachExpr calls f on every expression of every statement in s.
func eachExpr(s syntax.Stmt, f func(syntax.Expr)) {
	if s == nil {
		return
	}
	walkStmts(s, func(s syntax.Stmt) {
		switch s := s.(type) {
		case *syntax.VarStmt:
			syntax.InspectExpr(s.Init, f)
		case *syntax.ExprStmt:
			syntax.InspectExpr(s.X, f)
		case *syntax.AssignStmt:
			syntax.InspectExpr(s.Lhs, f)
			syntax.InspectExpr(s.Rhs, f)
		case *syntax.IfStmt:
			syntax.InspectExpr(s.Cond, f)
		case *syntax.WhileStmt:
			syntax.InspectExpr(s.Cond, f)
		case *syntax.DoWhileStmt:
			syntax.InspectExpr(s.Cond, f)
		case *syntax.ForStmt:
			syntax.InspectExpr(s.Cond, f)
			eachExpr(s.Init, f)
			eachExpr(s.Post, f)
		case *syntax.ForeachStmt:
			syntax.InspectExpr(s.Over, f)
		case *syntax.ReturnStmt:
			syntax.InspectExpr(s.X, f)
		}
	})
}

// ghostWrites lists the fields and globals a ghost function assigns,
// itself or through the ghost functions it calls.
func ghostWrites(name string, ghosts map[string]*syntax.FuncDecl) []string {
	var out []string
	done := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		fd := ghosts[n]
		if fd == nil || done[n] {
			return
		}
		done[n] = true
		walkStmts(fd.Body, func(s syntax.Stmt) {
			if a, ok := s.(*syntax.AssignStmt); ok {
				if w := lvalName(a.Lhs); w != "" && !contains(out, w) {
					out = append(out, w)
				}
			}
		})
		cs, _ := calls(fd.Body)
		for _, c := range cs {
			visit(c.Fun)
		}
	}
	visit(name)
	return out
}

// lvalName is the field or global an assignment writes ("" for others).
func lvalName(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.FieldExpr:
		return x.Name
	case *syntax.Ident:
		return x.Name
	case *syntax.IndexExpr:
		return lvalName(x.X)
	case *syntax.CallExpr:
		if len(x.Args) == 1 {
			return lvalName(x.Args[0])
		}
	}
	return ""
}

// exprReads adds to reads the field and global names e reads, through
// the one-line helpers it calls (a property may read a ghost field through
// one: "x == 1 ~> was_noted()"); seen stops a helper calling itself.
func exprReads(e syntax.Expr, helpers map[string]syntax.Expr, reads, seen map[string]bool) {
	syntax.InspectExpr(e, func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.FieldExpr:
			reads[x.Name] = true
		case *syntax.Ident:
			reads[x.Name] = true
		case *syntax.CallExpr:
			if h, ok := helpers[x.Fun]; ok && !seen[x.Fun] {
				seen[x.Fun] = true
				exprReads(h, helpers, reads, seen)
			}
		}
	})
}

type propReads struct {
	name  string
	reads map[string]bool // field and global names
}

// propertyReads lists each property with the names it reads: invariants,
// stranded-work conditions, liveness formulas (both sides of a leads-to)
// and warn_on conditions (wherever they are).
func propertyReads(f *syntax.File) []propReads {
	var out []propReads
	helpers := map[string]syntax.Expr{} // one-line helpers: their return expression
	for _, d := range f.Decls {
		if fd, ok := d.(*syntax.FuncDecl); ok && singleReturn(fd) {
			helpers[fd.Name] = fd.Body.Stmts[0].(*syntax.ReturnStmt).X
		}
	}
	add := func(name string, e syntax.Expr) {
		reads := map[string]bool{}
		exprReads(e, helpers, reads, map[string]bool{})
		for i := range out {
			if out[i].name == name {
				for k := range reads {
					out[i].reads[k] = true
				}
				return
			}
		}
		out = append(out, propReads{name, reads})
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *syntax.InvariantDecl:
			add(d.Name, d.Expr)
		case *syntax.StrandedDecl:
			add(d.Name, d.Pending)
		case *syntax.LivenessDecl:
			if d.From != nil {
				add(d.Name, d.From)
			}
			add(d.Name, d.To)
		}
		if b := declBody(d); b != nil {
			eachExpr(b, func(e syntax.Expr) {
				c, ok := e.(*syntax.CallExpr)
				if !ok || !isWarn(c.Fun) || len(c.Args) == 0 {
					return
				}
				name := fmt.Sprintf("warn_on@%s:%d", baseName(c.Pos.File), c.Pos.Line)
				if len(c.Args) == 2 {
					if sl, ok := c.Args[1].(*syntax.StringLit); ok {
						name = sl.Val
					}
				}
				add(name, c.Args[0])
			})
		}
	}
	return out
}
