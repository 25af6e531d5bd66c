package main

import (
	"io"
	"net"
	"net/http"
	"testing"
)

// requests makes n GET requests, the k-th to url(k), and fails the test
// on a request that does not complete.
func requests(t testing.TB, n int, url func(k int) string) {
	t.Helper()
	for k := range n {
		resp, err := http.Get(url(k))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
