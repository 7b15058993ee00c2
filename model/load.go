package model

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"wqcheck/model/syntax"
)

// Loader finds models: a name without a slash or .wq suffix is a built-in
// model (Builtin holds NAME.wq files); anything else is a path on disk.
// A model's `extends PARENT` is looked up beside the child file first, then
// among the built-ins.
type Loader struct {
	Builtin fs.FS
}

// Options are the per-run settings of a model.
type Options struct {
	// Set overrides parameters: name to value as written ("4", "true").
	Set map[string]string
	// Fine selects the fine-grained reference semantics: no lock-region merging.
	Fine bool
	// Strict makes every access to a location that some thread code reads
	// or writes locklessly (data_race(), READ_ONCE) a non-mover, so no
	// merged region hides its half-way states from such a reader
	// (movers.go, markRacy).
	Strict bool
	// KeepDead keeps live_when fields as the code leaves them, where they
	// are dead too (deadfields.go): the reference the tests hold the
	// reduction to. (--reduce none and strict keep them as well.)
	KeepDead bool
	// KeepStarts starts every thread at its first line, as the reference
	// does (starts.go): what the tests hold the thread-start advance to.
	KeepStarts bool
	// KeepResumes keeps the return from schedule() of a woken task a step
	// of its own, as the reference does (resume.go): what the tests hold
	// the merged return to.
	KeepResumes bool
	// NoLockdep leaves out the lockdep properties (lockdep.go).
	NoLockdep bool
	// NoLiveness leaves out the liveness properties (the built-in lockup
	// and starvation, and the model's own): a search without them may use
	// partial-order reduction (explorer.Options.POR).
	NoLiveness bool
}

// IsPath reports whether ref names a file rather than a built-in model.
func IsPath(ref string) bool {
	return strings.HasSuffix(ref, ".wq") || strings.ContainsRune(ref, '/') || strings.ContainsRune(ref, os.PathSeparator)
}

// BuiltinNames lists the built-in models in name order: the files NAME.wq
// of Builtin's top folder, then those of its subfolders (one level: the
// corpus of historical bugs), each subfolder's in name order. A built-in
// is named by its file name alone, wherever it is.
func (l *Loader) BuiltinNames() []string {
	var names []string
	for _, dir := range l.builtinDirs() {
		entries, _ := fs.ReadDir(l.Builtin, dir)
		var here []string
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".wq") {
				here = append(here, strings.TrimSuffix(e.Name(), ".wq"))
			}
		}
		sort.Strings(here)
		names = append(names, here...)
	}
	return names
}

// BuiltinFolder returns the subfolder a built-in model is in ("" for the
// top folder).
func (l *Loader) BuiltinFolder(name string) string {
	for _, dir := range l.builtinDirs() {
		if _, err := fs.Stat(l.Builtin, path.Join(dir, name+".wq")); err == nil && dir != "." {
			return dir
		}
	}
	return ""
}

// builtinDirs lists "." and the subfolders of Builtin, in name order.
func (l *Loader) builtinDirs() []string {
	if l.Builtin == nil {
		return nil
	}
	dirs := []string{"."}
	entries, _ := fs.ReadDir(l.Builtin, ".")
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

// read returns the path (for messages) and source of a model reference.
func (l *Loader) read(ref, besideDir string) (string, []byte, error) {
	if IsPath(ref) {
		src, err := readModelFile(ref)
		if err != nil {
			return "", nil, fmt.Errorf("cannot read model file %s: %w", ref, unwrapPathErr(err))
		}
		return ref, src, nil
	}
	if besideDir != "" {
		p := filepath.Join(besideDir, ref+".wq")
		if src, err := readModelFile(p); err == nil {
			return p, src, nil
		}
	}
	for _, dir := range l.builtinDirs() {
		p := path.Join(dir, ref+".wq")
		if src, err := fs.ReadFile(l.Builtin, p); err == nil {
			return p, src, nil
		}
	}
	return "", nil, &NotFoundError{Ref: ref, Known: l.BuiltinNames()}
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// NotFoundError says a model name is neither built in nor a file.
type NotFoundError struct {
	Ref   string
	Known []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no built-in model named %q", e.Ref)
}

// Hint lists the built-in models.
func (e *NotFoundError) Hint() string {
	return "built-in models: " + strings.Join(e.Known, ", ") + " (or give a path to a .wq file)"
}

// Resolved is a model with its extends applied.
type Resolved struct {
	Merged    *syntax.File      // the model as the checker sees it
	Base      *syntax.File      // its parents combined, as its own declarations found them (nil for a root)
	Warnings  []Warning         // what its variants dropped that a property depends on
	Leaf      *syntax.File      // the file the reference named
	Files     map[string][]byte // every source involved, by path
	Ancestors []string          // the models it extends, nearest first
}

// Resolve parses a model and everything it extends, and applies the
// variants' changes to their root, as patches are applied to a tree.
func (l *Loader) Resolve(ref string) (*Resolved, error) {
	r := &resolver{l: l, parsed: map[string]*syntax.File{}, lines: map[syntax.Decl][]syntax.SrcLine{},
		first: map[string]syntax.Decl{}, from: map[string]string{}, at: map[syntax.Decl]syntax.Pos{}, done: map[string]*resolvedFile{}, visiting: map[string]bool{}}
	rf, err := r.resolve(ref, "", nil, syntax.Pos{})
	if err != nil {
		return nil, err
	}
	res := &Resolved{Merged: rf.merged, Base: rf.base, Leaf: rf.leaf, Files: map[string][]byte{}}
	for _, f := range r.parsed {
		res.Files[f.Path] = f.Src
	}
	if rf.base != nil {
		res.Warnings = variantWarnings(rf.merged, r.first, r.from, r.at)
	}
	// ancestors, nearest first, each once
	seen := map[string]bool{}
	queue := append([]*resolvedFile(nil), rf.parents...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p.leaf.Model] {
			continue
		}
		seen[p.leaf.Model] = true
		res.Ancestors = append(res.Ancestors, p.leaf.Model)
		queue = append(queue, p.parents...)
	}
	return res, nil
}

type resolvedFile struct {
	leaf      *syntax.File
	merged    *syntax.File
	root      string                 // key of the root model file
	rootDecls map[string]syntax.Decl // the root's declarations by name
	parents   []*resolvedFile
	base      *syntax.File // what its own declarations were applied to (its parents combined)
}

type resolver struct {
	l      *Loader
	parsed map[string]*syntax.File
	// lines holds the source text of each declaration a patch made (the
	// others' is in their file), so a later patch can apply to it
	lines map[syntax.Decl][]syntax.SrcLine
	// first holds the first version of each declaration (the root's, or
	// the `new` one of the variant that added it), from the model that
	// wrote it; at the position of the patch that made a declaration
	first    map[string]syntax.Decl
	from     map[string]string
	at       map[syntax.Decl]syntax.Pos
	done     map[string]*resolvedFile
	visiting map[string]bool
}

func (r *resolver) resolve(ref, besideDir string, from *syntax.File, fromPos syntax.Pos) (*resolvedFile, error) {
	path, src, err := r.l.read(ref, besideDir)
	if err != nil {
		var nf *NotFoundError
		if from != nil && errors.As(err, &nf) {
			return nil, syntax.ErrorAt(from.Src, fromPos, fmt.Sprintf("model %s extends %q, which is neither a built-in model nor a file beside it", from.Model, ref),
				nf.Hint())
		}
		return nil, err
	}
	key := path
	if IsPath(path) || besideDir != "" {
		if abs, err := filepath.Abs(path); err == nil {
			key = abs
		}
	}
	if !IsPath(ref) && besideDir == "" {
		key = "builtin:" + path
	}
	if r.visiting[key] {
		return nil, syntax.ErrorAt(from.Src, fromPos, fmt.Sprintf("extends cycle: %s extends itself through %s", from.Model, ref), "")
	}
	if rf := r.done[key]; rf != nil {
		return rf, nil
	}
	r.visiting[key] = true
	defer delete(r.visiting, key)
	f := r.parsed[key]
	if f == nil {
		if f, err = syntax.Parse(path, src); err != nil {
			return nil, err
		}
		r.parsed[key] = f
	}
	rf := &resolvedFile{leaf: f}
	if len(f.Extends) == 0 {
		merged, err := mergeRoot(f)
		if err != nil {
			return nil, err
		}
		rf.merged, rf.root, rf.rootDecls = merged, key, map[string]syntax.Decl{}
		for _, d := range f.Decls {
			rf.rootDecls[d.DeclName()] = d
			r.noteFirst(d, f.Model)
		}
		r.done[key] = rf
		return rf, nil
	}
	// a built-in's parents are built-ins; a file's are looked up beside it first
	dir := filepath.Dir(path)
	if strings.HasPrefix(key, "builtin:") {
		dir = ""
	}
	for i, parent := range f.Extends {
		pf, err := r.resolve(parent, dir, f, f.ExtendsPos[i])
		if err != nil {
			return nil, err
		}
		if len(rf.parents) > 0 && pf.root != rf.parents[0].root {
			return nil, syntax.ErrorAt(f.Src, f.ExtendsPos[i], fmt.Sprintf("%s and %s do not extend the same root model", f.Extends[0], parent), "")
		}
		rf.parents = append(rf.parents, pf)
	}
	rf.root, rf.rootDecls = rf.parents[0].root, rf.parents[0].rootDecls
	base, err := combineParents(f, rf.parents, rf.rootDecls)
	if err != nil {
		return nil, err
	}
	merged, err := r.applyVariant(base, f)
	if err != nil {
		return nil, err
	}
	rf.merged, rf.base = merged, base
	r.done[key] = rf
	return rf, nil
}

func mergeRoot(root *syntax.File) (*syntax.File, error) {
	merged := &syntax.File{Path: root.Path, Src: root.Src, Model: root.Model, ModelPos: root.ModelPos, Doc: root.Doc}
	for _, d := range root.Decls {
		if d.IsNew() {
			return nil, syntax.ErrorAt(root.Src, d.DeclPos(), fmt.Sprintf("`new` only makes sense in a model that extends another; %s extends nothing", root.Model), "")
		}
		if sd, ok := d.(*syntax.StructDecl); ok && sd.Extend {
			return nil, syntax.ErrorAt(root.Src, d.DeclPos(), fmt.Sprintf("`extend struct %s` needs a parent model; %s extends nothing", sd.Name, root.Model), "")
		}
		if pd, ok := d.(*syntax.PatchDecl); ok {
			return nil, syntax.ErrorAt(root.Src, d.DeclPos(), fmt.Sprintf("patch %s needs a parent model to apply to; %s extends nothing", pd.Name, root.Model), "")
		}
		merged.Decls = append(merged.Decls, d)
	}
	return merged, nil
}

// combineParents applies the changes of several parents (relative to their
// common root) together. A declaration that two parents change differently
// is a conflict, unless the child redefines it; fields added to a struct by
// different parents are all kept.
func combineParents(child *syntax.File, parents []*resolvedFile, rootDecls map[string]syntax.Decl) (*syntax.File, error) {
	first := parents[0].merged
	out := &syntax.File{Path: first.Path, Src: first.Src, Model: first.Model, ModelPos: first.ModelPos, Doc: first.Doc}
	out.Decls = append(out.Decls, first.Decls...)
	from := map[string]string{}
	for _, d := range first.Decls {
		from[d.DeclName()] = parents[0].leaf.Model
	}
	childRedefines := map[string]bool{}
	for _, d := range child.Decls {
		if !d.IsNew() {
			childRedefines[d.DeclName()] = true
		}
	}
	for pi, pf := range parents[1:] {
		for _, d := range pf.merged.Decls {
			name := d.DeclName()
			idx := -1
			for i, e := range out.Decls {
				if e.DeclName() == name {
					idx = i
					break
				}
			}
			if idx < 0 {
				out.Decls = append(out.Decls, d)
				from[name] = pf.leaf.Model
				continue
			}
			e := out.Decls[idx]
			root := rootDecls[name]
			switch {
			case e == d, d == root:
				// unchanged by this parent
			case e == root:
				out.Decls[idx] = d
				from[name] = pf.leaf.Model
			default:
				es, eok := e.(*syntax.StructDecl)
				ds, dok := d.(*syntax.StructDecl)
				rs, rok := root.(*syntax.StructDecl)
				if eok && dok && rok && len(es.Fields) >= len(rs.Fields) && len(ds.Fields) >= len(rs.Fields) {
					u := *es
					u.Fields = append(append([]*syntax.FieldDecl(nil), es.Fields...), ds.Fields[len(rs.Fields):]...)
					out.Decls[idx] = &u
					continue
				}
				if childRedefines[name] {
					continue // the child's own definition settles it
				}
				return nil, syntax.ErrorAt(child.Src, child.ExtendsPos[pi+1], fmt.Sprintf("%s and %s both change %s", from[name], pf.leaf.Model, name),
					fmt.Sprintf("redefine %s in %s to say how the two changes combine", name, child.Model))
			}
		}
	}
	return out, nil
}

// applyVariant applies a child model's declarations to its parent's, as a
// patch does: a declaration with an existing name replaces it in place, a
// `new` declaration is appended, `extend struct` adds fields. Redefining
// something that does not exist, or adding something that does, is an error.
func (r *resolver) applyVariant(parent *syntax.File, child *syntax.File) (*syntax.File, error) {
	merged := &syntax.File{Path: parent.Path, Src: parent.Src, Model: child.Model, ModelPos: child.ModelPos, Doc: child.Doc,
		Extends: child.Extends, ExtendsPos: child.ExtendsPos}
	merged.Decls = append(merged.Decls, parent.Decls...)
	parents := strings.Join(child.Extends, " + ")
	for _, d := range child.Decls {
		idx := -1
		for i, pd := range merged.Decls {
			if pd.DeclName() != "" && pd.DeclName() == d.DeclName() {
				idx = i
				break
			}
		}
		if sd, ok := d.(*syntax.StructDecl); ok && sd.Extend {
			if idx < 0 {
				return nil, syntax.ErrorAt(child.Src, d.DeclPos(), fmt.Sprintf("extend struct %s: %s has no struct %s", sd.Name, parents, sd.Name), "")
			}
			ps, ok := merged.Decls[idx].(*syntax.StructDecl)
			if !ok {
				return nil, syntax.ErrorAt(child.Src, d.DeclPos(), fmt.Sprintf("extend struct %s: %s is not a struct in %s", sd.Name, sd.Name, parents), "")
			}
			ext := *ps
			ext.Fields = append(append([]*syntax.FieldDecl(nil), ps.Fields...), sd.Fields...)
			merged.Decls[idx] = &ext
			continue
		}
		if _, ok := d.(*syntax.AssumeDecl); ok {
			// assumptions accumulate: a variant keeps its parents' and adds its own
			if idx < 0 {
				merged.Decls = append(merged.Decls, d)
			}
			continue
		}
		if pd, ok := d.(*syntax.PatchDecl); ok {
			if idx < 0 {
				return nil, syntax.ErrorAt(child.Src, pd.NamePos, fmt.Sprintf("patch %s: %s does not define %s", pd.Name, parents, pd.Name),
					"a patch changes a function, thread or init block of the parent; to add one, declare it with `new`")
			}
			nd, err := r.applyPatch(merged.Decls[idx], pd, child)
			if err != nil {
				return nil, err
			}
			d = nd
		} else if d.IsNew() {
			if idx >= 0 {
				return nil, syntax.ErrorAt(child.Src, d.DeclPos(), fmt.Sprintf("new %s: %s already defines %s (at %s)", d.DeclName(), parents, d.DeclName(), merged.Decls[idx].DeclPos()),
					"drop `new` to redefine it")
			}
			merged.Decls = append(merged.Decls, d)
			r.noteFirst(d, child.Model)
			continue
		}
		if idx < 0 {
			name := d.DeclName()
			if name == "" {
				name = "this declaration"
			}
			return nil, syntax.ErrorAt(child.Src, d.DeclPos(), fmt.Sprintf("%s redefines %s, but %s does not define it", child.Model, name, parents),
				"a variant may only redefine what its parent has; to add a declaration, prefix it with `new`")
		}
		if kindName(merged.Decls[idx]) != kindName(d) {
			return nil, syntax.ErrorAt(child.Src, d.DeclPos(), fmt.Sprintf("%s redefines %s as a %s, but in %s it is a %s", child.Model, d.DeclName(), kindName(d), parents, kindName(merged.Decls[idx])), "")
		}
		if td, ok := d.(*syntax.ThreadDecl); ok {
			// a redefined thread keeps its display name and its context
			// (where it runs) unless it gives them (copied, so the child's
			// parsed file is left as written)
			c := *td
			parent := merged.Decls[idx].(*syntax.ThreadDecl)
			if c.Label == "" {
				c.Label = parent.Label
			}
			if c.OnCPU == nil && !c.Unbound && c.Context == CtxTask {
				c.Context, c.OnCPU, c.Unbound, c.CtxPos = parent.Context, parent.OnCPU, parent.Unbound, parent.CtxPos
			}
			d = &c
			if lines, ok := r.lines[td]; ok {
				r.lines[d] = lines
			}
			if pos, ok := r.at[td]; ok {
				r.at[d] = pos
			}
		}
		merged.Decls[idx] = d
	}
	return merged, nil
}

// applyPatch applies a variant's patch to the parent's declaration d and
// parses the result: the declaration the variant has in d's place.
func (r *resolver) applyPatch(d syntax.Decl, pd *syntax.PatchDecl, child *syntax.File) (syntax.Decl, error) {
	files := map[string][]byte{}
	for _, f := range r.parsed {
		files[f.Path] = f.Src
	}
	lines, ok := r.lines[d]
	if !ok {
		lines, ok = syntax.DeclSource(d, files[d.DeclPos().File])
	}
	if !ok {
		return nil, syntax.ErrorAt(child.Src, pd.NamePos, fmt.Sprintf("patch %s: %s is a %s; a patch changes a function, a thread or an init block", pd.Name, pd.Name, kindName(d)),
			"redefine it whole instead")
	}
	where := fmt.Sprintf("as %s defines it (%s:%d)", strings.Join(child.Extends, " + "), d.DeclPos().File, d.DeclPos().Line)
	patched, err := syntax.ApplyPatch(lines, pd, where, child.Src)
	if err != nil {
		return nil, err
	}
	if len(patched) == 0 {
		return nil, syntax.ErrorAt(child.Src, pd.Pos, fmt.Sprintf("patch %s removes all of %s", pd.Name, pd.Name), "a variant cannot delete a declaration; redefine it to do nothing instead")
	}
	nd, err := syntax.ParsePatched(patched, files)
	if err != nil {
		return nil, err
	}
	if kindName(nd) != kindName(d) || nd.DeclName() != d.DeclName() {
		return nil, syntax.ErrorAt(child.Src, pd.Pos, fmt.Sprintf("patch %s turns %s %s into %s %s: a patch may change a declaration, not replace it by another", pd.Name, kindName(d), d.DeclName(), kindName(nd), nd.DeclName()), "")
	}
	r.lines[nd] = patched
	r.at[nd] = pd.Pos
	return nd, nil
}

// noteFirst records d as the first version of its name, unless there is one.
func (r *resolver) noteFirst(d syntax.Decl, model string) {
	if _, ok := r.first[d.DeclName()]; !ok {
		r.first[d.DeclName()] = d
		r.from[d.DeclName()] = model
	}
}

func kindName(d syntax.Decl) string {
	switch d.(type) {
	case *syntax.ParamDecl:
		return "param"
	case *syntax.ConstDecl:
		return "const"
	case *syntax.FlagsDecl:
		return "flags"
	case *syntax.StructDecl:
		return "struct"
	case *syntax.VarDecl:
		return "variable"
	case *syntax.FuncDecl:
		return "function"
	case *syntax.ThreadDecl:
		return "thread"
	case *syntax.InvariantDecl:
		return "invariant"
	case *syntax.StrandedDecl:
		return "stranded property"
	case *syntax.LivenessDecl:
		return "liveness property"
	case *syntax.InitDecl:
		return "init block"
	case *syntax.CpusDecl:
		return "cpus declaration"
	case *syntax.AliasDecl:
		return "alias"
	case *syntax.WitnessDecl:
		return "witness"
	case *syntax.DescribeDecl:
		return "description"
	case *syntax.AssumeDecl:
		return "assumption"
	case *syntax.PatchDecl:
		return "patch"
	}
	return "declaration"
}

// Load parses, merges and compiles a model.
func (l *Loader) Load(ref string, opts Options) (*Program, error) {
	res, err := l.Resolve(ref)
	if err != nil {
		return nil, err
	}
	p, err := Compile(res.Merged, res.Files, opts)
	if err != nil {
		return nil, err
	}
	p.Extends = res.Ancestors
	p.Parents = res.Leaf.Extends
	p.Warnings = res.Warnings
	return p, nil
}

// ParseSetting parses a --set value: an integer or true/false.
func ParseSetting(v string) (int64, bool, error) {
	switch v {
	case "true":
		return 1, true, nil
	case "false":
		return 0, true, nil
	}
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%q is not an integer or true/false", v)
	}
	return n, false, nil
}

// maxModelFile bounds a model file (`wqcheck check /dev/zero` read for ever).
const maxModelFile = 16 << 20

// readModelFile reads a model file of at most maxModelFile bytes.
func readModelFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxModelFile+1))
	if err != nil {
		return nil, err
	}
	if len(src) > maxModelFile {
		return nil, fmt.Errorf("larger than %d MiB: not a model", maxModelFile>>20)
	}
	return src, nil
}
