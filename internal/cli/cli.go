// Package cli gives the command-line programs of this repository (the
// nines command, the examples) a -h that says what they do and what they
// take, before their flags.
package cli

import (
	"flag"
	"fmt"
)

// Usage makes fs's -h print help, then the flags (if any).
func Usage(fs *flag.FlagSet, help string) {
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(fs.Output(), "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
}
