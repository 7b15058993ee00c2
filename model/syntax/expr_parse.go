package syntax

// ParseExpr parses one expression on its own (a watch expression, say):
// the whole of src must be the expression. Like Parse it never panics; an
// error names the line and column in src.
func ParseExpr(path string, src []byte) (e Expr, err error) {
	p := &parser{lx: newLexer(path, src), file: &File{Path: path, Src: src}}
	defer caught(&err)
	p.next()
	if p.tok.kind == tEOF {
		p.fail(p.tok.pos, "expected an expression, found the end of the input")
	}
	x := p.parseExpr()
	if p.tok.kind != tEOF {
		p.fail(p.tok.pos, "expected the end of the expression, found %s", p.tok.describe())
	}
	return x, nil
}
