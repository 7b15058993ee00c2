// Package graphs renders what people read: counterexample traces as
// kernel-style two-column CPU tables and as DOT, state descriptions, and the
// per-variant verdict reports (text and JSON).
package graphs

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"wqcheck/explorer"
	"wqcheck/model"
)

// Line is one statement a step executed, as shown in a trace.
type Line struct {
	File string
	Line int
	Func string // the model function, "" when it is the thread's own body
	Text string // the statement, with the branch taken for conditions

	raw, note string
}

// StepLines returns the statements a step executed, in order. Implicit jumps
// (loop back-edges, the end of an if) are left out, a statement that
// compiles to several instructions appears once, and a condition shows
// which way it went.
func StepLines(st *explorer.Step) []Line {
	var out []Line
	for i, ins := range st.Instrs {
		if ins.Hidden || ins.Detail {
			continue
		}
		text := ins.Text
		note := ""
		switch ins.Op {
		case model.OpJump:
			if !(strings.HasPrefix(text, "goto ") || text == "break;" || text == "continue;" || strings.HasPrefix(text, "return")) {
				continue
			}
		case model.OpBranch:
			note = "false"
			if i+1 < len(st.PCs) && st.PCs[i+1] == ins.Target && ins.Target != ins.Else {
				note = "true"
			}
		case model.OpEither:
			branch := 0
			if i+1 < len(st.PCs) {
				for k, tg := range ins.Targets {
					if tg == st.PCs[i+1] {
						branch = k
					}
				}
			}
			text = fmt.Sprintf("either: branch %d of %d", branch+1, len(ins.Targets))
		case model.OpExit:
			text = "(thread exits)"
		}
		if n, ok := st.Notes[i]; ok {
			note = n
		}
		fn := ins.Func
		if fn == st.Thread.Kind.Name {
			fn = ""
		}
		l := Line{File: filepath.Base(ins.Pos.File), Line: ins.Pos.Line, Func: fn, Text: text}
		// one statement that compiled to several instructions shows once,
		// with what it did (a wake's effect, which way a condition went)
		if n := len(out); n > 0 && out[n-1].Line == l.Line && out[n-1].File == l.File && out[n-1].raw == text {
			if note != "" && out[n-1].note == "" {
				out[n-1].note = note
			}
			continue
		}
		l.raw, l.note = text, note
		out = append(out, l)
	}
	for i := range out {
		if out[i].note != "" {
			out[i].Text = out[i].raw + " -> " + out[i].note
		}
	}
	if st.Blocks {
		out = append(out, Line{Text: "(blocks)"})
	}
	return out
}

// cell renders a line as it appears in a column: "16  transfer: spin_lock(&from->lock);".
func (l Line) cell() string {
	if l.Line == 0 {
		return "    " + l.Text
	}
	s := fmt.Sprintf("%3d ", l.Line)
	if l.Func != "" {
		s += l.Func + ": "
	}
	return s + l.Text
}

// TextOptions control the text rendering of a trace.
type TextOptions struct {
	Width int // total width in columns (default 100)
}

// Columns returns the threads that move in a trace, in order of first move.
func Columns(tr *explorer.Trace) []*model.Thread {
	var cols []*model.Thread
	seen := map[int]bool{}
	for _, st := range tr.Steps {
		if !seen[st.Thread.Index] {
			seen[st.Thread.Index] = true
			cols = append(cols, st.Thread)
		}
	}
	return cols
}

// WriteTrace writes a counterexample as a table with one column per thread,
// one row per step, then what is wrong and the state at the violation.
func WriteTrace(w io.Writer, p *model.Program, tr *explorer.Trace, opt TextOptions) {
	width := opt.Width
	if width <= 0 {
		width = 100
	}
	cols := Columns(tr)
	colOf := map[int]int{}
	for i, t := range cols {
		colOf[t.Index] = i
	}
	const gutter = 5 // "%3d  "
	const sep = "  "
	n := len(cols)
	if n == 0 {
		n = 1
	}
	cw := (width - gutter - len(sep)*(n-1)) / n
	if cw < 24 {
		cw = 24
	}
	if tr.Prop.Witness {
		fmt.Fprintf(w, "%s witnessed (informational): shortest witness, %d step%s\n\n", tr.Prop.Name, len(tr.Steps), plural(len(tr.Steps)))
	} else {
		fmt.Fprintf(w, "%s violated: shortest counterexample, %d step%s\n\n", tr.Prop.Name, len(tr.Steps), plural(len(tr.Steps)))
	}
	if len(cols) > 0 {
		var hdr, rule strings.Builder
		hdr.WriteString(strings.Repeat(" ", gutter))
		rule.WriteString(strings.Repeat(" ", gutter))
		for i, t := range cols {
			if i > 0 {
				hdr.WriteString(sep)
				rule.WriteString(sep)
			}
			hdr.WriteString(pad(clip(t.Short, cw), cw))
			rule.WriteString(strings.Repeat("-", min(cw, max(len(t.Short), 16))) + strings.Repeat(" ", cw-min(cw, max(len(t.Short), 16))))
		}
		fmt.Fprintln(w, strings.TrimRight(hdr.String(), " "))
		fmt.Fprintln(w, strings.TrimRight(rule.String(), " "))
	}
	for i := range tr.Steps {
		st := &tr.Steps[i]
		col := colOf[st.Thread.Index]
		first := true
		for _, l := range StepLines(st) {
			for _, part := range wrap(l.cell(), cw) {
				lead := strings.Repeat(" ", gutter)
				if first {
					lead = fmt.Sprintf("%3d  ", i+1)
					first = false
				}
				line := lead + strings.Repeat(" ", col*(cw+len(sep))) + part
				fmt.Fprintln(w, strings.TrimRight(line, " "))
			}
		}
		if st.Err != nil {
			fmt.Fprintf(w, "%s%s*** %s\n", strings.Repeat(" ", gutter), strings.Repeat(" ", col*(cw+len(sep))), st.Err.Msg)
		}
		for _, f := range st.Fired {
			if f == indexOf(p, tr.Prop) {
				fmt.Fprintf(w, "%s%s*** warn_on fired (%s)\n", strings.Repeat(" ", gutter), strings.Repeat(" ", col*(cw+len(sep))), tr.Prop.Name)
			}
		}
	}
	fmt.Fprintln(w)
	writeProse(w, "violation: "+tr.Msg, width, "  ")
	fmt.Fprintln(w, "state at the violation:")
	WriteState(w, p, tr.Final(), "  ")
}

func indexOf(p *model.Program, pr *model.Property) int {
	for i, x := range p.Props {
		if x == pr {
			return i
		}
	}
	return -1
}

// WriteState writes a state, one object or thread per line.
func WriteState(w io.Writer, p *model.Program, s model.State, indent string) {
	vars := p.Describe(s)
	// group by object: "accounts[0].lock" and "accounts[0].balance" share a line
	type group struct {
		name  string
		parts []string
	}
	var groups []*group
	byName := map[string]*group{}
	for _, v := range vars {
		obj, field := splitPath(v.Path)
		g := byName[obj]
		if g == nil {
			g = &group{name: obj}
			byName[obj] = g
			groups = append(groups, g)
		}
		if field == "" {
			g.parts = append(g.parts, v.Value)
		} else {
			g.parts = append(g.parts, field+"="+v.Value)
		}
	}
	for _, g := range groups {
		fmt.Fprintf(w, "%s%s: %s\n", indent, g.name, strings.Join(g.parts, "  "))
	}
}

func splitPath(path string) (string, string) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return path, ""
	}
	return path[:i], path[i+1:]
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 3 {
		return s[:n]
	}
	return s[:n-3] + "..."
}

// wrap breaks s into pieces of at most n columns, at a space, or after an
// opening parenthesis or a comma, where it can; continuation pieces are
// indented past the line-number gutter of a cell.
func wrap(s string, n int) []string {
	if len(s) <= n {
		return []string{s}
	}
	const indent = "      "
	var out []string
	first := true
	for len(s) > 0 {
		limit := n
		lead := ""
		if !first {
			limit, lead = n-len(indent), indent
		}
		if len(s) <= limit {
			out = append(out, lead+s)
			break
		}
		cut := -1
		for i := limit; i > limit/3; i-- {
			if s[i] == ' ' {
				cut = i
				break
			}
			if c := s[i-1]; c == '(' || c == ',' {
				cut = i
				break
			}
		}
		if cut < 0 {
			cut = limit
		}
		out = append(out, lead+strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
		first = false
	}
	return out
}

// writeProse word-wraps text at width columns, indenting continuation lines.
func writeProse(w io.Writer, text string, width int, indent string) {
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line = indent + word
			continue
		}
		if line == "" {
			line = word
		} else {
			line += " " + word
		}
	}
	if line != "" {
		fmt.Fprintln(w, line)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
