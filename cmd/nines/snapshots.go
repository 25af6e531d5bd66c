package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/nines-slo/nines/internal/limit"
	"github.com/nines-slo/nines/slo"
)

// maxSnapshot is the largest snapshot file merge and inspect read, as
// slo.Registry.Restore does.
const maxSnapshot = 256 << 20

const mergeHelp = `usage: nines merge -o FILE snapshot...

Merges the snapshot files of several replicas into one: the counts of each
SLI add up and its histograms merge, so that restoring the result is
restoring every input, and the merged file is the fleet's exact state
(slo.MergeSnapshots). It writes nothing when an input is corrupt or two
inputs disagree on an SLI's kind or histogram layout. FILE is written
whole or not at all; - is the standard output.
`

func merge(args []string, out, errOut io.Writer) int {
	fs := newFlags("merge", mergeHelp, errOut)
	to := fs.String("o", "", "the merged snapshot's file (required; - for the standard output)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *to == "" || fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	var inputs []io.Reader
	for _, name := range fs.Args() {
		data, err := readFile(name)
		if err == nil {
			_, err = slo.ReadStates(bytes.NewReader(data)) // to name the file that is corrupt
		}
		if err != nil {
			return fail(errOut, "merge", fmt.Errorf("%s: %w", name, err))
		}
		inputs = append(inputs, bytes.NewReader(data))
	}
	var merged bytes.Buffer
	if err := slo.MergeSnapshots(&merged, inputs...); err != nil {
		return fail(errOut, "merge", err)
	}
	if *to == "-" {
		if _, err := out.Write(merged.Bytes()); err != nil {
			return fail(errOut, "merge", err)
		}
		return 0
	}
	if err := writeFile(*to, merged.Bytes()); err != nil {
		return fail(errOut, "merge", err)
	}
	fmt.Fprintf(out, "merged %d snapshots into %s (%d bytes)\n", fs.NArg(), *to, merged.Len())
	return 0
}

// readFile reads a file of at most maxSnapshot bytes.
func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return limit.ReadAll(f, maxSnapshot)
}

// writeFile writes data to name through a temporary file in its
// directory, renamed over it once synced, with the directory synced
// after: whole or not at all. A file it replaces keeps its mode; a new
// one is 0644, less the umask.
func writeFile(name string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(name); err == nil {
		mode = fi.Mode().Perm()
	}
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, ".nines-merge-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; left by a failure
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // the rename, durable (where directories sync)
		d.Sync()
		d.Close()
	}
	return nil
}

const inspectHelp = `usage: nines inspect snapshot...

Says what snapshot files hold: each SLI by the names of its objectives
(name/part for an aggregate's parts), its kind — events, latencies with
their histogram, or time slices — and what it has counted since it was
made: good, bad and not valid events, and those that aged out. A corrupt
or foreign file is an error (exit status 2), the others are still shown.
`

func inspect(args []string, out, errOut io.Writer) int {
	fs := newFlags("inspect", inspectHelp, errOut)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	code := 0
	for _, name := range fs.Args() {
		data, err := readFile(name)
		if err == nil {
			err = inspectOne(out, name, data)
		}
		if err != nil {
			code = fail(errOut, "inspect", fmt.Errorf("%s: %w", name, err))
		}
	}
	return code
}

func inspectOne(out io.Writer, name string, data []byte) error {
	states, err := slo.ReadStates(bytes.NewReader(data))
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(out, "%s: %d bytes, %d SLIs\n", name, len(data), len(keys))
	tw := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  SLI\tkind\tgood\tbad\tnot valid\taged out")
	for _, k := range keys {
		st := states[k]
		kind := "events"
		if h, ok := st.HistogramConfig(); ok {
			kind = fmt.Sprintf("latencies (%v–%v, %d digits)", h.Lowest, h.Highest, h.Digits)
		}
		if s := st.Slice(); s > 0 {
			kind = fmt.Sprintf("%v slices", s)
		}
		t := st.Totals()
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%d\n", k, kind, t.Good, t.Bad, t.Invalid, t.Expired)
	}
	return tw.Flush()
}
