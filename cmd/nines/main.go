// Command nines is the command line of nines: the release gate, a
// terminal view of a service's objectives, snapshot tools, and the rules
// a backend computes the same objectives with.
//
//	go install github.com/nines-slo/nines/cmd/nines@latest
//
//	nines gate http://10.0.0.1:8080/slo http://10.0.0.2:8080/slo
//	nines status http://127.0.0.1:8080/slo
//	nines merge -o fleet.snap a.snap b.snap
//	nines inspect fleet.snap
//	nines rules -from slos.yaml > rules.yml
//
// nines help, or nines COMMAND -h, says what each takes.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/nines-slo/nines/internal/cli"
)

// A command is one of nines' subcommands.
type command struct {
	name, summary string
	run           func(args []string, out, errOut io.Writer) int
}

var commands = []command{
	{"gate", "decide whether a release may go out, from the replicas' error budgets", gate},
	{"status", "show a service's objectives in the terminal, worst first", status},
	{"merge", "merge replicas' snapshot files into one", merge},
	{"inspect", "say what a snapshot file holds", inspect},
	{"rules", "write Prometheus rules, Alertmanager inhibitions or a Grafana dashboard", rules},
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run runs the command args name and returns its exit status: 2 for a
// command line it cannot follow.
func run(args []string, out, errOut io.Writer) int {
	if len(args) == 0 {
		usage(errOut)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return run([]string{args[1], "-h"}, out, errOut)
		}
		usage(out)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], out, errOut)
		}
	}
	fmt.Fprintf(errOut, "nines: unknown command %q\n\n", args[0])
	usage(errOut)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, "usage: nines COMMAND [flags] [arguments]\n\nThe commands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nnines COMMAND -h says what a command takes.\n")
}

// newFlags returns the flag set of a command, whose -h prints help and
// then the flags, to errOut; a parse error is printed there too.
func newFlags(name, help string, errOut io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("nines "+name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	cli.Usage(fs, help)
	return fs
}

// parse parses args into fs and reports whether the command should go on,
// with the exit status to return when not: 0 after -h, 2 for a bad flag.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	switch err := fs.Parse(args); {
	case err == flag.ErrHelp:
		return 0, false
	case err != nil:
		return 2, false
	}
	return 0, true
}

// fail prints a command's error and returns 2, the exit status of a
// command that could not do its job.
func fail(errOut io.Writer, name string, err any) int {
	fmt.Fprintf(errOut, "nines %s: %v\n", name, err)
	return 2
}
