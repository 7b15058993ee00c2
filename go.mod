module wqcheck

go 1.26

require (
	github.com/emicklei/dot v1.11.0
	github.com/google/go-cmp v0.7.0
	github.com/urfave/cli/v2 v2.27.7
)
