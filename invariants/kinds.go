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
	Graph func(p *model.Program, pr *model.Property) GraphCheck
}

// registry holds every kind, indexed by model.PropKind.
var registry = [...]*Kind{
	model.PropInvariant:      invariantKind,
	model.PropWarnOn:         {Kind: model.PropWarnOn, Step: true, Doc: "a warn_on(cond) in the code fired: cond held when the statement ran"},
	model.PropStranded:       strandedKind,
	model.PropDeadlock:       deadlockKind,
	model.PropLockDiscipline: {Kind: model.PropLockDiscipline, Step: true, Doc: "a lock was misused: taken twice by its holder, released by a non-holder, held at exit, or a thread slept while atomic"},
	model.PropRuntimeError:   {Kind: model.PropRuntimeError, Step: true, Doc: "a step did what the kernel cannot: a NULL dereference, a value out of its range, list corruption, a bad index"},
	model.PropLockup:         lockupKind,
	model.PropStarvation:     starvationKind,
	model.PropLiveness:       livenessKind,
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
	statePos []int // by property index: its position in state, or -1
	// for Changed: per word of a state, the state and the
	// whole-graph properties that read some of its bits (bit k for the
	// k-th of each list; those past the 64th have none), and those that
	// read every bit (Reads.All)
	byWord      [][]wordReaders
	always      uint64
	graphAlways uint64
}

// wordReaders is a property that reads some bits of a word: its bit in
// the state or the whole-graph set, and those bits.
type wordReaders struct {
	state, graph, bits uint64
}

// NewSuite sorts p's properties by kind.
func NewSuite(p *model.Program) *Suite {
	s := &Suite{p: p, statePos: make([]int, len(p.Props))}
	for i, pr := range p.Props {
		s.statePos[i] = -1
		switch k := For(pr.Kind); {
		case k.State != nil:
			s.statePos[i] = len(s.state)
			s.state = append(s.state, i)
		case k.Terminal != nil:
			s.terminal = append(s.terminal, i)
		case k.Graph != nil:
			s.graph = append(s.graph, i)
		}
	}
	s.byWord = make([][]wordReaders, p.Words)
	s.always = s.indexReads(s.state, false)
	s.graphAlways = s.indexReads(s.graph, true)
	return s
}

// indexReads adds the Reads of props (property indexes: the state or the
// whole-graph ones) to byWord, and returns the set of those that read
// every bit.
func (su *Suite) indexReads(props []int, graph bool) (always uint64) {
	for k, i := range props {
		if k >= 64 {
			break
		}
		r := &su.p.Props[i].Reads
		if r.All {
			always |= 1 << k
			continue
		}
		for _, w := range r.Words {
			wr := wordReaders{state: 1 << k, bits: w.Bits}
			if graph {
				wr.state, wr.graph = 0, 1<<k
			}
			su.byWord[w.Word] = append(su.byWord[w.Word], wr)
		}
	}
	return always
}

// CheckState evaluates every state property in s and returns the ones that
// fail, in property order. out is reused: pass the previous result's out[:0].
func (su *Suite) CheckState(ev *model.Evaluator, s model.State, out []Failure) []Failure {
	return su.CheckDirty(ev, s, AllDirty, out)
}

// Dirty sets: bit k stands for the k-th state property (in property
// order); the properties past the 64th are always dirty.

// AllDirty is the dirty set of every state property.
const AllDirty = ^uint64(0)

// Changed returns, as dirty, the state properties that must be evaluated
// in s, given a state was where they were evaluated and failed the set of
// them that failed there (FailedSet): those that failed, those that read a
// bit where s differs from was, and those that read every bit (Reads.All).
// The others hold in s: their evaluation would take the path it took in
// was (model.StateBits). And, as graph, with bit k for the k-th check
// GraphChecks returns, the whole-graph properties that read a bit where s
// differs from was, or every bit (the checks past the 64th have no bit:
// take them as changed); an Inheriting check whose property has not
// changed records in s what it recorded in was (Inherit). Both in one
// pass over the words of the states.
func (su *Suite) Changed(was, s model.State, failed uint64) (dirty, graph uint64) {
	dirty, graph = failed|su.always, su.graphAlways
	for w, readers := range su.byWord {
		x := was[w] ^ s[w]
		if x == 0 {
			continue
		}
		for _, r := range readers {
			if x&r.bits != 0 {
				dirty |= r.state
				graph |= r.graph
			}
		}
	}
	return dirty, graph
}

// FailedSet returns the dirty set of the state properties among fails
// (those past the 64th have no bit: they are always evaluated).
func (su *Suite) FailedSet(fails []Failure) uint64 {
	var d uint64
	for _, f := range fails {
		if k := su.statePos[f.Prop]; k >= 0 && k < 64 {
			d |= 1 << k
		}
	}
	return d
}

// CheckDirty is CheckState over the state properties in dirty only.
func (su *Suite) CheckDirty(ev *model.Evaluator, s model.State, dirty uint64, out []Failure) []Failure {
	for k, i := range su.state {
		if k < 64 && dirty&(1<<k) == 0 {
			continue
		}
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
// The liveness checks share one set of fairness facts (fairFacts).
func (su *Suite) GraphChecks() (checks []GraphCheck, props []int) {
	var facts *fairFacts
	for _, i := range su.graph {
		pr := su.p.Props[i]
		c := For(pr.Kind).Graph(su.p, pr)
		if l, ok := c.(interface {
			fairFacts() *fairFacts
			share(*fairFacts)
		}); ok {
			if facts == nil {
				facts = l.fairFacts()
			} else {
				l.share(facts)
			}
		}
		checks = append(checks, c)
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
