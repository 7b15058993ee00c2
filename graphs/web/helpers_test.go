package web

import (
	"wqcheck/examples"
	"wqcheck/model"
)

var loader = &model.Loader{Builtin: examples.FS}

func load(v string, set map[string]string) (*model.Program, error) {
	return loader.Load(v, model.Options{Set: set})
}
