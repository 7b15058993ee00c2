module wqcheck

go 1.26

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/emicklei/dot v1.11.0
	github.com/google/go-cmp v0.7.0
	github.com/urfave/cli/v2 v2.27.7
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/cpuguy83/go-md2man/v2 v2.0.7 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/russross/blackfriday/v2 v2.1.0 // indirect
	github.com/xrash/smetrics v0.0.0-20240521201337-686a1a2994c1 // indirect
)
