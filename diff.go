package main

import (
	"fmt"
	"strings"
)

// unifiedDiff returns the lines of b against a as a unified diff with ctx
// lines of context, each hunk headed as git heads it (the declaration the
// hunk is in after the @@), or "" when they are equal.
func unifiedDiff(aName, bName string, a, b []string, ctx int) string {
	// the common head and tail are context; the middle is compared by
	// dynamic programming, whose table is bounded: past maxDiffCells the
	// middle is shown as removed and added whole
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	n, m := len(a)-head-tail, len(b)-head-tail
	if n*m > maxDiffCells {
		n, m = 0, 0
	}
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	am, bm := a[head:len(a)-tail], b[head:len(b)-tail]
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if am[i] == bm[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type edit struct {
		op   byte // ' ', '-', '+'
		i, j int  // lines of a and b before it
		text string
	}
	var edits []edit
	for k := 0; k < head; k++ {
		edits = append(edits, edit{' ', k, k, a[k]})
	}
	i, j := 0, 0
	for i < len(am) || j < len(bm) {
		switch {
		case i < n && j < m && am[i] == bm[j]:
			edits = append(edits, edit{' ', head + i, head + j, am[i]})
			i++
			j++
		case i < len(am) && (j == len(bm) || i < n && j < m && lcs[i+1][j] >= lcs[i][j+1] || n == 0):
			edits = append(edits, edit{'-', head + i, head + j, am[i]})
			i++
		default:
			edits = append(edits, edit{'+', head + i, head + j, bm[j]})
			j++
		}
	}
	for k := 0; k < tail; k++ {
		ia, ib := len(a)-tail+k, len(b)-tail+k
		edits = append(edits, edit{' ', ia, ib, a[ia]})
	}
	var out strings.Builder
	for k := 0; k < len(edits); {
		if edits[k].op == ' ' {
			k++
			continue
		}
		// a hunk: from ctx lines before this change to ctx lines after the
		// last change that is within 2*ctx lines of the one before it
		start := max(0, k-ctx)
		end := k
		for e := k; e < len(edits); e++ {
			if edits[e].op != ' ' {
				end = e
			} else if e-end > 2*ctx {
				break
			}
		}
		end = min(len(edits), end+ctx+1)
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
		}
		na, nb := 0, 0
		for _, e := range edits[start:end] {
			if e.op != '+' {
				na++
			}
			if e.op != '-' {
				nb++
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@%s\n", edits[start].i+1, na, edits[start].j+1, nb, hunkContext(a, edits[start].i))
		for _, e := range edits[start:end] {
			out.WriteString(strings.TrimRight(string(e.op)+e.text, " ") + "\n")
		}
		k = end
	}
	return out.String()
}

// maxDiffCells bounds the table of the dynamic programming (4 bytes a cell).
const maxDiffCells = 1 << 24

// hunkContext is the nearest line of a before line i that opens a
// declaration (starts in the first column with a word), as git shows it.
// i is the hunk's first line: the search starts on the line before it.
func hunkContext(a []string, i int) string {
	for i = min(i, len(a)) - 1; i >= 0; i-- {
		l := a[i]
		if l != "" && (l[0] == '_' || l[0] >= 'a' && l[0] <= 'z' || l[0] >= 'A' && l[0] <= 'Z') && !strings.HasPrefix(l, "model ") && !strings.HasSuffix(l, ":") {
			return " " + l
		}
	}
	return ""
}
