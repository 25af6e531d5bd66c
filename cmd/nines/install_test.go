package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// version is the version the test publishes this checkout's modules at.
const version = "v0.0.0"

// TestGoInstall publishes this checkout's library, OpenSLO module and
// command to a module proxy in a directory, as a release would to the
// public proxy, and installs the command from it the way the README says
// users do: go install github.com/nines-slo/nines/cmd/nines@version, in a
// clean module cache, outside any workspace. It fails if a module a user
// installs has a replace directive (go install refuses those), or if the
// command does not build and run from its published modules alone.
func TestGoInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("publishes and installs modules: not under -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	proxy := filepath.Join(work, "proxy")
	// Third-party modules come from the machine's module cache, as a
	// proxy, then from the public proxy: the test needs no network when
	// the cache has them.
	cache := strings.TrimSpace(sh(t, root, nil, goTool, "env", "GOMODCACHE"))
	env := []string{
		"GOWORK=off", "GOFLAGS=-mod=mod", "GONOSUMDB=github.com/nines-slo", "GOTOOLCHAIN=local",
		"GOPROXY=file://" + proxy + ",file://" + filepath.Join(cache, "cache", "download") + ",https://proxy.golang.org",
		"GOMODCACHE=" + filepath.Join(work, "modcache"), "GOPATH=" + filepath.Join(work, "gopath"),
	}
	t.Cleanup(func() { // the module cache is read-only: make it removable
		filepath.WalkDir(filepath.Join(work, "modcache"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	publish(t, proxy, root, "github.com/nines-slo/nines", nil)
	publish(t, proxy, filepath.Join(root, "contrib/openslo"), "github.com/nines-slo/nines/contrib/openslo", nil)
	// The command's go.sum, as its release would carry it: tidied against
	// the modules just published.
	cmd := filepath.Join(work, "cmd")
	copyModule(t, filepath.Join(root, "cmd/nines"), cmd)
	sh(t, cmd, env, goTool, "mod", "tidy")
	sum, err := os.ReadFile(filepath.Join(cmd, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	publish(t, proxy, cmd, "github.com/nines-slo/nines/cmd/nines", map[string][]byte{"go.sum": sum})

	sh(t, work, env, goTool, "install", "github.com/nines-slo/nines/cmd/nines@"+version)
	out := sh(t, work, env, filepath.Join(work, "gopath", "bin", "nines"), "help")
	if !strings.Contains(out, "gate ") || !strings.Contains(out, "rules ") {
		t.Errorf("the installed nines says:\n%s", out)
	}
}

// sh runs a command in dir with env added and returns its output; a
// failure fails the test.
func sh(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	c := exec.Command(name, args...)
	c.Dir = dir
	c.Env = append(os.Environ(), env...)
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// publish writes the module in dir to the proxy directory at version: its
// .info, .mod and .zip, the zip holding the module's files (not those of
// modules nested in it, nor .git), with the files of override in place of
// the module's own.
func publish(t *testing.T, proxy, dir, path string, override map[string][]byte) {
	t.Helper()
	at := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(mod, []byte("\nreplace ")) {
		t.Fatalf("%s: go.mod has a replace directive, which go install refuses", path)
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	prefix := path + "@" + version + "/"
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if d.Name() == ".git" || fileExists(filepath.Join(p, "go.mod")) {
				return filepath.SkipDir // another module's
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, ok := override[rel]
		if !ok {
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		w, err := z.Create(prefix + rel)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err == nil {
		for rel, data := range override {
			if !fileExists(filepath.Join(dir, rel)) {
				w, err := z.Create(prefix + rel)
				if err == nil {
					_, err = w.Write(data)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		err = z.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		version + ".info": fmt.Appendf(nil, `{"Version":%q,"Time":"2026-12-01T00:00:00Z"}`, version),
		version + ".mod":  mod,
		version + ".zip":  buf.Bytes(),
		"list":            []byte(version + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// copyModule copies a module's files (not its subdirectories') to dst.
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
