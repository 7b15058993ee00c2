package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"wqcheck/graphs"
	"wqcheck/invariants"
	"wqcheck/model"
)

// The properties command: what each property of a variant means, in the
// order check reports them.

func propertiesCommand() *cli.Command {
	return &cli.Command{
		Name:      "properties",
		Usage:     "list a variant's properties: what each means, its kind and its formula",
		ArgsUsage: "VARIANT",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErr("usage: wqcheck properties VARIANT", "properties takes one variant, %d given", c.NArg())
			}
			p, err := loader.Load(c.Args().First(), model.Options{})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			return writeProperties(c.App.Writer, p)
		},
	}
}

// writeProperties writes one paragraph per property: name, kind, what it
// means (its describe sentence, else what its kind means), the formula.
func writeProperties(w io.Writer, p *model.Program) error {
	fmt.Fprintf(w, "%s: %d properties (describe NAME: \"...\" in a model says what one means)\n", p.Name, len(p.Props))
	for _, pr := range graphs.SortedProps(p.Props) {
		kind := pr.Kind.String()
		if pr.Witness {
			kind += ", informational (witness)"
		}
		fmt.Fprintf(w, "\n%s (%s)\n", pr.Name, kind)
		fmt.Fprintf(w, "  %s\n", Describe(pr))
		if pr.Text != "" && pr.Kind != model.PropDeadlock && pr.Kind != model.PropLockDiscipline && pr.Kind != model.PropRuntimeError && pr.Kind != model.PropLockdep {
			where := ""
			if pr.Pos.File != "" {
				where = fmt.Sprintf(" (%s:%d)", filepath.Base(pr.Pos.File), pr.Pos.Line)
			}
			fmt.Fprintf(w, "  formula: %s%s\n", strings.Join(strings.Fields(pr.Text), " "), where)
		}
	}
	return nil
}

// Describe says what a property means: the model's sentence, a lockdep
// check's own (its text), or its kind's.
func Describe(pr *model.Property) string {
	if pr.Desc != "" {
		return pr.Desc
	}
	if pr.Kind == model.PropLockdep && pr.Text != "" {
		return pr.Text
	}
	return invariants.For(pr.Kind).Doc
}
