package main

import "runtime/debug"

// version says which build this is, for `wqcheck --version` and bug
// reports: the commit it was built from (with "+dirty" when the tree had
// changes) as the Go toolchain records it, or "devel" when it recorded none
// (go run, go test).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel (" + info.GoVersion + ")"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev + " (" + info.GoVersion + ")"
}
