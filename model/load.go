package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
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
}

// IsPath reports whether ref names a file rather than a built-in model.
func IsPath(ref string) bool {
	return strings.HasSuffix(ref, ".wq") || strings.ContainsRune(ref, '/') || strings.ContainsRune(ref, os.PathSeparator)
}

// BuiltinNames lists the built-in models in name order.
func (l *Loader) BuiltinNames() []string {
	var names []string
	if l.Builtin == nil {
		return nil
	}
	entries, _ := fs.ReadDir(l.Builtin, ".")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".wq") {
			names = append(names, strings.TrimSuffix(e.Name(), ".wq"))
		}
	}
	sort.Strings(names)
	return names
}

// read returns the path (for messages) and source of a model reference.
func (l *Loader) read(ref, besideDir string) (string, []byte, error) {
	if IsPath(ref) {
		src, err := os.ReadFile(ref)
		if err != nil {
			return "", nil, fmt.Errorf("cannot read model file %s: %w", ref, unwrapPathErr(err))
		}
		return ref, src, nil
	}
	if besideDir != "" {
		p := filepath.Join(besideDir, ref+".wq")
		if src, err := os.ReadFile(p); err == nil {
			return p, src, nil
		}
	}
	if l.Builtin != nil {
		if src, err := fs.ReadFile(l.Builtin, ref+".wq"); err == nil {
			return ref + ".wq", src, nil
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

// ParseChain parses ref and its extends chain, root first.
func (l *Loader) ParseChain(ref string) ([]*File, error) {
	var chain []*File
	seen := map[string]bool{}
	dir := ""
	for ref != "" {
		path, src, err := l.read(ref, dir)
		if err != nil {
			if len(chain) > 0 {
				child := chain[0]
				var nf *NotFoundError
				if errors.As(err, &nf) {
					return nil, &Error{Pos: child.ExtendsPos, Msg: fmt.Sprintf("model %s extends %q, which is neither a built-in model nor a file beside it", child.Model, ref),
						Hint: nf.Hint(), line: sourceLine(child.Src, child.ExtendsPos.Line)}
				}
			}
			return nil, err
		}
		abs, _ := filepath.Abs(path)
		if seen[abs] {
			return nil, &Error{Pos: chain[0].ExtendsPos, Msg: fmt.Sprintf("extends cycle: %s is extended by a model it extends", ref),
				line: sourceLine(chain[0].Src, chain[0].ExtendsPos.Line)}
		}
		seen[abs] = true
		f, err := Parse(path, src)
		if err != nil {
			return nil, err
		}
		chain = append([]*File{f}, chain...)
		if IsPath(path) || !IsPath(ref) {
			dir = filepath.Dir(path)
			if !IsPath(ref) && l.Builtin != nil && path == ref+".wq" {
				dir = "" // a built-in's parent is a built-in
			}
		}
		ref = f.Extends
	}
	return chain, nil
}

// Merge applies a child model's declarations to its parent's, as a patch
// does: a declaration with an existing name replaces it in place, a `new`
// declaration is appended, `extend struct` adds fields. Redefining something
// that does not exist, or adding something that does, is an error.
func Merge(chain []*File) (*File, error) {
	if len(chain) == 0 {
		return nil, errors.New("no model")
	}
	root := chain[0]
	merged := &File{Path: root.Path, Src: root.Src, Model: root.Model, ModelPos: root.ModelPos, Doc: root.Doc}
	for _, d := range root.Decls {
		if d.IsNew() {
			return nil, errorAt(root.Src, d.DeclPos(), fmt.Sprintf("`new` only makes sense in a model that extends another; %s extends nothing", root.Model), "")
		}
		if sd, ok := d.(*StructDecl); ok && sd.Extend {
			return nil, errorAt(root.Src, d.DeclPos(), fmt.Sprintf("`extend struct %s` needs a parent model; %s extends nothing", sd.Name, root.Model), "")
		}
		merged.Decls = append(merged.Decls, d)
	}
	for _, child := range chain[1:] {
		merged.Model, merged.ModelPos, merged.Doc = child.Model, child.ModelPos, child.Doc
		merged.Extends, merged.ExtendsPos = child.Extends, child.ExtendsPos
		for _, d := range child.Decls {
			idx := -1
			for i, pd := range merged.Decls {
				if pd.DeclName() != "" && pd.DeclName() == d.DeclName() {
					idx = i
					break
				}
			}
			if sd, ok := d.(*StructDecl); ok && sd.Extend {
				if idx < 0 {
					return nil, errorAt(child.Src, d.DeclPos(), fmt.Sprintf("extend struct %s: %s has no struct %s", sd.Name, child.Extends, sd.Name), "")
				}
				parent, ok := merged.Decls[idx].(*StructDecl)
				if !ok {
					return nil, errorAt(child.Src, d.DeclPos(), fmt.Sprintf("extend struct %s: %s is not a struct in %s", sd.Name, sd.Name, child.Extends), "")
				}
				ext := *parent
				ext.Fields = append(append([]*FieldDecl(nil), parent.Fields...), sd.Fields...)
				merged.Decls[idx] = &ext
				continue
			}
			if d.IsNew() {
				if idx >= 0 {
					return nil, errorAt(child.Src, d.DeclPos(), fmt.Sprintf("new %s: %s already defines %s (at %s)", d.DeclName(), child.Extends, d.DeclName(), merged.Decls[idx].DeclPos()),
						"drop `new` to redefine it")
				}
				merged.Decls = append(merged.Decls, d)
				continue
			}
			if idx < 0 {
				name := d.DeclName()
				if name == "" {
					name = "this declaration"
				}
				return nil, errorAt(child.Src, d.DeclPos(), fmt.Sprintf("%s redefines %s, but %s does not define it", child.Model, name, child.Extends),
					"a variant may only redefine what its parent has; to add a declaration, prefix it with `new`")
			}
			if kindName(merged.Decls[idx]) != kindName(d) {
				return nil, errorAt(child.Src, d.DeclPos(), fmt.Sprintf("%s redefines %s as a %s, but in %s it is a %s", child.Model, d.DeclName(), kindName(d), child.Extends, kindName(merged.Decls[idx])), "")
			}
			merged.Decls[idx] = d
		}
	}
	return merged, nil
}

func kindName(d Decl) string {
	switch d.(type) {
	case *ParamDecl:
		return "param"
	case *ConstDecl:
		return "const"
	case *FlagsDecl:
		return "flags"
	case *StructDecl:
		return "struct"
	case *VarDecl:
		return "variable"
	case *FuncDecl:
		return "function"
	case *ThreadDecl:
		return "thread"
	case *InvariantDecl:
		return "invariant"
	case *StrandedDecl:
		return "stranded property"
	case *InitDecl:
		return "init block"
	case *AliasDecl:
		return "alias"
	case *WitnessDecl:
		return "witness"
	}
	return "declaration"
}

func errorAt(src []byte, pos Pos, msg, hint string) *Error {
	return &Error{Pos: pos, Msg: msg, Hint: hint, line: sourceLine(src, pos.Line)}
}

// Load parses, merges and compiles a model.
func (l *Loader) Load(ref string, opts Options) (*Program, error) {
	chain, err := l.ParseChain(ref)
	if err != nil {
		return nil, err
	}
	merged, err := Merge(chain)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	var ext []string
	for i := len(chain) - 1; i >= 0; i-- {
		files[chain[i].Path] = chain[i].Src
		if i < len(chain)-1 {
			ext = append(ext, chain[i].Model)
		}
	}
	p, err := Compile(merged, files, opts)
	if err != nil {
		return nil, err
	}
	p.Extends = ext
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
