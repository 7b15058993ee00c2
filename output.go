package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Output paths (--dot, --svg, --png, --sequence, graph --out):
//
//   - "-", /dev/stdout (and /dev/fd/1, /proc/self/fd/1) write to standard
//     output, /dev/stderr to standard error, directly;
//   - a missing path or a regular file is written atomically: a temporary
//     file beside it, renamed over it once whole (a failure leaves the old
//     file as it was);
//   - a symbolic link to a regular file: its target is written atomically,
//     and the link stays a link;
//   - a FIFO, a device or anything else that is not a regular file (also
//     through a link) is opened and written through, never replaced by a
//     new file;
//   - a directory or a dangling link is refused.

// outputStreams maps the names of the standard streams to their descriptor.
var outputStreams = map[string]int{
	"-": 1, "/dev/stdout": 1, "/dev/fd/1": 1, "/proc/self/fd/1": 1,
	"/dev/stderr": 2, "/dev/fd/2": 2, "/proc/self/fd/2": 2,
}

// isStream reports whether path names something written through rather
// than a file replaced whole (so several pictures go to it one after the
// other instead of to FILE-VARIANT.EXT each).
func isStream(path string) bool {
	if _, ok := outputStreams[path]; ok {
		return true
	}
	fi, err := os.Stat(path) // follows links
	return err == nil && !fi.Mode().IsRegular() && !fi.IsDir()
}

// writeOutput writes data to path by the rules above.
func writeOutput(path string, data []byte, stdout, stderr io.Writer) error {
	switch outputStreams[path] {
	case 1:
		_, err := stdout.Write(data)
		return err
	case 2:
		_, err := stderr.Write(data)
		return err
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return writeFileAtomic(path, data)
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case fi.Mode().IsRegular():
		return writeFileAtomic(path, data)
	case fi.IsDir():
		return fmt.Errorf("cannot write %s: it is a directory", path)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("cannot write %s: it is a symbolic link whose target cannot be reached: %w", path, err)
		}
		tfi, err := os.Stat(target)
		switch {
		case err != nil:
			return fmt.Errorf("cannot write %s: %w", path, err)
		case tfi.Mode().IsRegular():
			return writeFileAtomic(target, data)
		case tfi.IsDir():
			return fmt.Errorf("cannot write %s: it links to a directory", path)
		}
	}
	return writeThrough(path, data)
}

// writeThrough writes data into an existing FIFO or device.
func writeThrough(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes a regular file whole or not at all: a temporary
// file in the same directory, renamed over path.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".wqcheck-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm() // keep an existing file's permissions
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// checkOutputPath says, before a search, why path could not be written
// after it: its directory is missing or not a directory, or it is a
// directory itself. "" (no file) and the standard streams pass.
func checkOutputPath(path string) error {
	if path == "" {
		return nil
	}
	if _, ok := outputStreams[path]; ok {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot write %s: directory %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	return nil
}

// maxTraceFile bounds what replay reads (--trace /dev/zero read for ever).
const maxTraceFile = 256 << 20

// readBounded reads a saved trace (replay --trace) of at most limit bytes;
// its errors name the file as the trace file.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read trace file %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read trace file %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a saved trace", path, limit>>20)
	}
	return data, nil
}
