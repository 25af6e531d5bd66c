package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// accessLog writes an hour of nginx combined log lines: 1000 requests to
// GET /api/items/<id> (5 answered 500, 4 closed by the client, the rest
// 200 in 1–100 ms), 10 slow POST /api/orders (500 ms), and 3 lines that
// are not the format. It returns the log and the good items latencies.
func accessLog() (string, []float64) {
	var b strings.Builder
	var items []float64
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for k := range 1000 {
		t := start.Add(time.Duration(k) * 3600 * time.Millisecond)
		status, secs := 200, float64(k%100+1)/1000
		switch {
		case k%200 == 0:
			status = 500
		case k%250 == 1:
			status = 499
		default:
			items = append(items, secs)
		}
		fmt.Fprintf(&b, "198.51.100.%d - - [%s] \"GET /api/items/%d?ref=mail HTTP/1.1\" %d 512 \"-\" \"Mozilla/5.0 (X11)\" %.3f\n",
			k%250, t.Format("02/Jan/2006:15:04:05 -0700"), k*7, status, secs)
		if k%100 == 50 {
			fmt.Fprintf(&b, "198.51.100.1 - - [%s] \"POST /api/orders HTTP/1.1\" 201 64 \"https://shop.example/\" \"curl/8.5\" 0.500\n",
				t.Format("02/Jan/2006:15:04:05 -0700"))
		}
	}
	b.WriteString("this is not an access log line\n")
	b.WriteString("198.51.100.1 - - [21/Nov/2026:09:30:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n") // no $request_time
	b.WriteString("198.51.100.1 - - [yesterday] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" 0.1\n")
	return b.String(), items
}

// TestLogAnalyzer analyzes a log file and the same log on stdin, and
// checks every figure against the log's own numbers.
func TestLogAnalyzer(t *testing.T) {
	text, items := accessLog()
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var fromFile, fromStdin strings.Builder
	if err := run([]string{path}, nil, &fromFile); err != nil {
		t.Fatal(err)
	}
	if err := run(nil, strings.NewReader(text), &fromStdin); err != nil {
		t.Fatal(err)
	}
	out := fromFile.String()
	t.Log("\n" + out)
	if strings.ReplaceAll(fromStdin.String(), "-", "") != strings.ReplaceAll(strings.ReplaceAll(out, path, ""), "-", "") {
		t.Errorf("stdin gives another report:\n%s", fromStdin.String())
	}
	if !strings.Contains(out, "1013 lines, 2 routes, up to 2026-11-21T09:59:56Z; 3 malformed (first: ") {
		t.Errorf("header wrong")
	}
	// items: 991 good of 996 valid (4 not valid); every good one within 300 ms.
	row := regexp.MustCompile(`(?m)^GET /api/items/\{n\} +1000 +99\.50% +100\.00% +([\d.]+)ms +([\d.]+)ms +([\d.]+)ms +50%$`).FindStringSubmatch(out)
	if row == nil {
		t.Fatalf("no items row as expected")
	}
	sort.Float64s(items)
	for i, q := range []float64{0.5, 0.95, 0.99} {
		exact := items[int(q*float64(len(items)))-1] * 1000
		got, _ := strconv.ParseFloat(row[i+1], 64)
		if got < exact*0.98-0.5 || got > exact*1.02+0.5 {
			t.Errorf("p%v = %vms, the log's is %vms", q*100, got, exact)
		}
	}
	if !regexp.MustCompile(`(?m)^POST /api/orders +10 +100\.00% +0\.00% +50\d\.\dms +50\d\.\dms +50\d\.\dms +100%$`).MatchString(out) {
		t.Errorf("no orders row as expected")
	}
}

// TestLogAnalyzerNothingToRead fails on input with no access log line.
func TestLogAnalyzerNothingToRead(t *testing.T) {
	var out strings.Builder
	if err := run(nil, strings.NewReader("garbage\n"), &out); err == nil {
		t.Error("no error for a log without a single valid line")
	}
}

// The sample log the README points to reads whole: every line but the one
// malformed on purpose, each route's requests counted as the file has
// them.
func TestSampleLog(t *testing.T) {
	data, err := os.ReadFile("testdata/access.log")
	if err != nil {
		t.Fatal(err)
	}
	items := strings.Count(string(data), `"GET /api/items/`)
	var out strings.Builder
	if err := run([]string{"testdata/access.log"}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"601 lines, 4 routes", "1 malformed", fmt.Sprintf("GET /api/items/{n}  %d ", items)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
