package graphs

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNoGraphviz is returned by Graphviz when the dot program is not
// installed; the hint names the package to install and the pure-Go
// alternative.
var ErrNoGraphviz = errors.New("rendering needs Graphviz's dot program, which is not installed")

// GraphvizHint is what to tell a user who lacks Graphviz.
const GraphvizHint = "install it (Debian/Ubuntu: apt-get install graphviz), or use --sequence FILE for the built-in SVG sequence diagram, which needs nothing"

// Graphviz renders DOT source with Graphviz's dot to the given format
// ("svg" or "png") and returns the bytes.
func Graphviz(src, format string) ([]byte, error) {
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, ErrNoGraphviz
	}
	cmd := exec.Command(path, "-T"+format)
	cmd.Stdin = strings.NewReader(src)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dot -T%s failed: %v: %s", format, err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}
