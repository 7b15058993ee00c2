package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Output paths: regular files are replaced whole, links stay links, FIFOs
// and devices are written through, "-" is standard output (issue 13: a
// symlink or a FIFO became a regular file).
func TestWriteOutput(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	write := func(path, data string) error { return writeOutput(path, []byte(data), &stdout, &stderr) }

	// a regular file is replaced whole, keeping its permissions
	reg := filepath.Join(dir, "reg.dot")
	if err := os.WriteFile(reg, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := write(reg, "new"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(reg); string(b) != "new" {
		t.Errorf("regular file holds %q", b)
	}
	if fi, _ := os.Stat(reg); fi.Mode().Perm() != 0o600 {
		t.Errorf("regular file's mode became %v", fi.Mode())
	}

	// a symbolic link stays a link; its target gets the data
	link := filepath.Join(dir, "link.dot")
	if err := os.Symlink("reg.dot", link); err != nil {
		t.Fatal(err)
	}
	if err := write(link, "via link"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a %v", fi.Mode())
	}
	if b, _ := os.ReadFile(reg); string(b) != "via link" {
		t.Errorf("the link's target holds %q", b)
	}

	// a FIFO is written through, and stays a FIFO
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := write(fifo, "through the fifo"); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the fifo" {
		t.Errorf("the FIFO's reader got %q", s)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO became a %v", fi.Mode())
	}
	if !isStream(fifo) || isStream(reg) || !isStream("-") {
		t.Error("isStream: want true for a FIFO and -, false for a regular file")
	}

	// - and /dev/stdout are standard output, /dev/stderr standard error
	for _, p := range []string{"-", "/dev/stdout"} {
		stdout.Reset()
		if err := write(p, "out"); err != nil || stdout.String() != "out" {
			t.Errorf("%s: %v, stdout %q", p, err, stdout.String())
		}
	}
	if err := write("/dev/stderr", "err"); err != nil || stderr.String() != "err" {
		t.Errorf("/dev/stderr: %v, stderr %q", err, stderr.String())
	}

	// refused: a directory, a dangling link
	if err := write(dir, "x"); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("nowhere/x.dot", dangling)
	if err := write(dangling, "x"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a dangling link: %v", err)
	}
	// nothing is left behind
	left, _ := filepath.Glob(filepath.Join(dir, ".wqcheck-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A device is written through, never replaced: /dev/full reports its
// error, and stays a device.
func TestWriteOutputDevice(t *testing.T) {
	fi, err := os.Stat("/dev/full")
	if err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Skip("no /dev/full")
	}
	err = writeOutput("/dev/full", []byte("x"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no space") {
		t.Errorf("/dev/full: want the device's error, got %v", err)
	}
	if fi, err := os.Stat("/dev/full"); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Fatalf("/dev/full is no longer a device: %v %v", fi.Mode(), err)
	}
}

// Output paths are checked before the search: a missing directory, a path
// that is a directory. The standard streams and "" pass.
func TestCheckOutputPath(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ path, err string }{
		{"", ""}, {"-", ""}, {"/dev/stdout", ""}, {filepath.Join(dir, "x.dot"), ""},
		{filepath.Join(dir, "no", "x.dot"), "does not exist"}, {dir, "is a directory"},
	} {
		err := checkOutputPath(tc.path)
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("checkOutputPath(%q) = %v, want %q", tc.path, err, tc.err)
		}
	}
}

// replay reads a bounded trace file: /dev/zero is refused, not read for ever.
func TestReadBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := readBounded("/dev/zero", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("/dev/zero: %v", err)
	}
	f := filepath.Join(t.TempDir(), "t.json")
	os.WriteFile(f, []byte("[]"), 0o644)
	if b, err := readBounded(f, 1<<20); err != nil || string(b) != "[]" {
		t.Errorf("a small file: %q %v", b, err)
	}
}
