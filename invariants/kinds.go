package invariants

import (
	"fmt"

	"wqcheck/model"
)

// A Kind is one kind of property: where the search decides it and what a
// violation says. Exactly one of Step, State, Terminal and Graph is set.
type Kind struct {
	Kind model.PropKind
	// Doc says in a sentence what a violation means.
	Doc string
	// Step: the steps raise it themselves (the stepper reports the
	// property in model.Succ.Fired or model.Succ.Err).
	Step bool
	// State evaluates the property in a state the search found. It may run
	// concurrently with other calls on distinct Evaluators.
	State func(ev *model.Evaluator, pr *model.Property, s model.State) (msg string, failed bool, err error)
	// Terminal judges a state; the search asks it only of states without
	// successors (it must answer false for a state where a thread can move).
	Terminal func(p *model.Program, s model.State) (msg string, failed bool)
	// Graph returns the property's whole-graph analysis, one per search.
	Graph func(pr *model.Property) GraphCheck
}

// registry holds every kind, indexed by model.PropKind.
var registry = [...]*Kind{
	model.PropInvariant:      invariantKind,
	model.PropWarnOn:         {Kind: model.PropWarnOn, Step: true, Doc: "a warn_on(cond) in the code fired: cond held when the statement ran"},
	model.PropStranded:       strandedKind,
	model.PropDeadlock:       deadlockKind,
	model.PropLockDiscipline: {Kind: model.PropLockDiscipline, Step: true, Doc: "a lock was misused: taken twice by its holder, released by a non-holder, held at exit, or a thread slept while atomic"},
	model.PropRuntimeError:   {Kind: model.PropRuntimeError, Step: true, Doc: "a step did what the kernel cannot: a NULL dereference, a value out of its range, list corruption, a bad index"},
	// the search's lockdep observer (explorer/lockorder.go) raises it at the
	// step whose acquisition completes the pattern
	model.PropLockdep: {Kind: model.PropLockdep, Step: true, Doc: "lockdep's rules, over the lock-order graph of every interleaving: a cycle, a lock used in an interrupt and taken with it enabled, a lock taken while one of its class is held"},
}

// For returns the kind of property k.
func For(k model.PropKind) *Kind { return registry[k] }

// Failure is a property violated in a state.
type Failure struct {
	Prop int // index into Program.Props
	Msg  string
}

// A Suite is the properties of one program, sorted by where the search
// decides them.
type Suite struct {
	p        *model.Program
	state    []int // properties with Kind.State
	terminal []int // properties with Kind.Terminal
	graph    []int // properties with Kind.Graph
}

// NewSuite sorts p's properties by kind.
func NewSuite(p *model.Program) *Suite {
	s := &Suite{p: p}
	for i, pr := range p.Props {
		switch k := For(pr.Kind); {
		case k.State != nil:
			s.state = append(s.state, i)
		case k.Terminal != nil:
			s.terminal = append(s.terminal, i)
		case k.Graph != nil:
			s.graph = append(s.graph, i)
		}
	}
	return s
}

// CheckState evaluates every state property in s and returns the ones that
// fail, in property order. out is reused: pass the previous result's out[:0].
func (su *Suite) CheckState(ev *model.Evaluator, s model.State, out []Failure) []Failure {
	for _, i := range su.state {
		pr := su.p.Props[i]
		msg, failed, err := For(pr.Kind).State(ev, pr, s)
		switch {
		case err != nil:
			out = append(out, Failure{Prop: i, Msg: err.Error()})
		case failed:
			out = append(out, Failure{Prop: i, Msg: msg})
		}
	}
	return out
}

// Terminal judges a state without successors: the first terminal property
// that fails there, or ok false.
func (su *Suite) Terminal(s model.State) (f Failure, ok bool) {
	for _, i := range su.terminal {
		pr := su.p.Props[i]
		if msg, failed := For(pr.Kind).Terminal(su.p, s); failed {
			return Failure{Prop: i, Msg: msg}, true
		}
	}
	return Failure{}, false
}

// GraphChecks returns a fresh analysis per whole-graph property, with the
// property's index.
func (su *Suite) GraphChecks() (checks []GraphCheck, props []int) {
	for _, i := range su.graph {
		pr := su.p.Props[i]
		checks = append(checks, For(pr.Kind).Graph(pr))
	}
	return checks, su.graph
}

// AtEnd judges the final state of a trace for property prop, for the
// kinds a state decides (State and Terminal). Step properties are judged on
// the trace's steps, whole-graph properties by a search from the final
// state: for those AtEnd answers false with no message.
func (su *Suite) AtEnd(prop int, final model.State) (bool, string) {
	pr := su.p.Props[prop]
	k := For(pr.Kind)
	switch {
	case k.State != nil:
		msg, failed, err := k.State(su.p.NewEvaluator(), pr, final)
		if err != nil {
			return true, err.Error()
		}
		return failed, msg
	case k.Terminal != nil:
		msg, failed := k.Terminal(su.p, final)
		return failed, msg
	}
	return false, ""
}

var invariantKind = &Kind{
	Kind: model.PropInvariant,
	Doc:  "a named invariant is false in a reachable state",
	State: func(ev *model.Evaluator, pr *model.Property, s model.State) (string, bool, error) {
		ok, err := ev.Holds(pr, s)
		if err != nil || ok {
			return "", false, err
		}
		return fmt.Sprintf("invariant %s is false: %s", pr.Name, pr.Text), true, nil
	},
}
