package syntax

// LivenessDecl declares a liveness property, checked under fairness on the
// whole explored graph:
//
//	liveness NAME: [forall X in ARRAY:] P ~> Q;    // leads-to: whenever P, eventually Q
//	liveness NAME: [forall X in ARRAY:] eventually Q;   // from the initial state
//
// With forall, P and Q may name X, and the property holds for every element
// of the array on its own.
type LivenessDecl struct {
	declBase
	Name    string
	Var     string // "" without forall
	VarPos  Pos
	Over    string // the object array, with forall
	OverPos Pos
	From    Expr // P; nil for eventually
	To      Expr // Q
}

func (d *LivenessDecl) DeclName() string { return d.Name }

// parseLivenessDecl parses a liveness declaration.
func (p *parser) parseLivenessDecl(base declBase) *LivenessDecl {
	p.next()
	d := &LivenessDecl{declBase: base}
	d.Name, _ = p.propName("for the liveness property")
	p.expect(":", "after the property name")
	if p.is("forall") {
		p.next()
		d.Var, d.VarPos = p.ident("for the quantified variable")
		p.expect("in", "after the quantified variable")
		d.OverPos = p.tok.pos
		d.Over, _ = p.ident("of the object array")
		p.expect(":", "after forall X in ARRAY")
	}
	if p.is("eventually") {
		p.next()
		d.To = p.parseExpr()
	} else {
		d.From = p.parseExpr()
		if !p.is("~>") {
			p.failHint(p.tok.pos, "write: liveness NAME: forall x in works: x in pool.worklist ~> x.executed > 0;  or  liveness NAME: eventually COND;",
				"expected '~>' (leads to) after the condition, found %s", p.tok.describe())
		}
		p.next()
		d.To = p.parseExpr()
	}
	p.expect(";", "after the liveness property")
	return d
}

// formatLiveness prints a liveness declaration.
func formatLiveness(d *LivenessDecl) string {
	s := "liveness " + formatPropName(d.Name) + ": "
	if d.Var != "" {
		s += "forall " + d.Var + " in " + d.Over + ": "
	}
	if d.From == nil {
		return s + "eventually " + FormatExpr(d.To) + ";\n"
	}
	return s + FormatExpr(d.From) + " ~> " + FormatExpr(d.To) + ";\n"
}
