package main

import (
	"fmt"
	"strings"
)

// unifiedDiff returns the lines of b against a as a unified diff with ctx
// lines of context, each hunk headed as git heads it (the declaration the
// hunk is in after the @@), or "" when they are equal.
func unifiedDiff(aName, bName string, a, b []string, ctx int) string {
	// longest common subsequence, by dynamic programming from the ends
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
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
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			edits = append(edits, edit{' ', i, j, a[i]})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			edits = append(edits, edit{'-', i, j, a[i]})
			i++
		default:
			edits = append(edits, edit{'+', i, j, b[j]})
			j++
		}
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
