package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nines-slo/nines/internal/limit"
)

// fetch reads an http(s) URL, asking for JSON, or a file, reading at most
// most bytes of either.
func fetch(src string, timeout time.Duration, most int) ([]byte, error) {
	if !isURL(src) {
		f, err := os.Open(src)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return limit.ReadAll(f, most)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return limit.ReadAll(resp.Body, most)
}

func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// canonical names a source so that two spellings of one are one: a URL
// as given, a file by its absolute path with links resolved.
func canonical(src string) string {
	if isURL(src) {
		return src
	}
	if p, err := filepath.Abs(src); err == nil {
		src = p
	}
	if p, err := filepath.EvalSymlinks(src); err == nil {
		src = p
	}
	return "file:" + src
}
