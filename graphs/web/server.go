package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"wqcheck/explorer"
	"wqcheck/model"
)

//go:embed assets
var assets embed.FS

// Config says what the explorer serves.
type Config struct {
	// Variants and Sets are the verdict matrix: every variant with every
	// combination of --set values (Sets holds one empty map when none).
	Variants []string
	Sets     []map[string]string
	// Load loads and compiles a variant with its parameters; a page may
	// ask for a built-in variant or parameters outside the matrix (a
	// shared URL), but for a file only one of Variants.
	Load func(variant string, set map[string]string) (*model.Program, error)
	// Search bounds and steers the verdict searches (Stop and Progress
	// are the server's own).
	Search explorer.Options
}

// Server serves the explorer's page and its JSON API.
type Server struct {
	cfg   Config
	mu    sync.Mutex
	runs  map[string]*run
	order []*run // the matrix, in order
	queue chan *run
	stop  chan struct{}
	once  sync.Once
	mux   *http.ServeMux
}

// New starts the verdict searches of the matrix in the background and
// returns the server. Close stops them.
func New(cfg Config) (*Server, error) {
	if len(cfg.Sets) == 0 {
		cfg.Sets = []map[string]string{{}}
	}
	s := &Server{cfg: cfg, runs: map[string]*run{}, queue: make(chan *run, 1024), stop: make(chan struct{})}
	for _, v := range cfg.Variants {
		for _, set := range cfg.Sets {
			r, err := s.get(v, set)
			if err != nil {
				return nil, err
			}
			s.order = append(s.order, r)
		}
	}
	go s.searchLoop()
	s.routes()
	return s, nil
}

// Close stops every search; the handlers keep answering from what was found.
func (s *Server) Close() { s.once.Do(func() { close(s.stop) }) }

// ServeHTTP serves the page and the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	sub, _ := fs.Sub(assets, "assets")
	s.mux.Handle("/", http.FileServer(http.FS(sub)))
	s.mux.HandleFunc("/api/matrix", s.handleMatrix)
	s.mux.HandleFunc("/api/trace", s.handleTrace)
	s.mux.HandleFunc("/api/path", s.handlePath)
	s.mux.HandleFunc("/api/state", s.handleState)
	s.mux.HandleFunc("/api/watch", s.handleWatch)
	s.mux.HandleFunc("/api/index", s.handleIndex)
	s.mux.HandleFunc("/api/goto", s.handleGoto)
	s.mux.HandleFunc("/api/export", s.handleExport)
}

// setKey writes a parameter set in a fixed order: "A=1,B=2".
func setKey(set map[string]string) string {
	var kv []string
	for k, v := range set {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// label names a matrix cell: the variant and the --set values that vary.
func (s *Server) label(variant string, set map[string]string) string {
	out := variant
	var names []string
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, o := range s.cfg.Sets {
			if o[k] != set[k] {
				out += " " + k + "=" + set[k]
				break
			}
		}
	}
	return out
}

// get returns the run of a variant with parameters, loading it and
// queueing its search the first time it is asked for.
func (s *Server) get(variant string, set map[string]string) (*run, error) {
	if variant == "" {
		return nil, fmt.Errorf("no variant: the URL needs v=VARIANT")
	}
	if strings.ContainsAny(variant, "/\\") || strings.HasSuffix(variant, ".wq") {
		// a page names files only from the command line: it must not
		// read the machine's files
		if !slices.Contains(s.cfg.Variants, variant) {
			return nil, fmt.Errorf("v=%s: a model file must be named on the command line (wqcheck explore FILE.wq)", variant)
		}
	}
	key := variant + "?" + setKey(set)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.runs[key]; ok {
		return r, nil
	}
	p, err := s.cfg.Load(variant, set)
	if err != nil {
		return nil, err
	}
	r := &run{variant: variant, set: set, label: s.label(variant, set), prog: p, status: statusQueued}
	s.runs[key] = r
	select {
	case s.queue <- r:
	default:
		r.status, r.err = statusError, fmt.Errorf("too many searches queued")
	}
	return r, nil
}

// searchLoop runs the queued verdict searches one at a time, so that they
// share the machine's cores the way check does.
func (s *Server) searchLoop() {
	for {
		select {
		case <-s.stop:
			return
		case r := <-s.queue:
			r.search(s.cfg.Search, s.stop)
		}
	}
}
