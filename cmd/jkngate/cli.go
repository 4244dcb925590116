package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/jkngate/jkngate/config"
)

// errHelpShown reports that a subcommand printed its --help; run turns it
// into success (exit 0).
var errHelpShown = errors.New("help shown")

// newFlags returns the flag set of subcommand name. args describes its
// positional arguments for the usage line ("" for none); about says what it
// does.
func newFlags(name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parseFlags prints usage and errors itself
	line := "usage: jkngate " + name + " [FLAGS]"
	if args != "" {
		line += " " + args
	}
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "%s\n\n%s\n", line, about)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		fmt.Fprintln(w, "\nflags:")
		if n == 0 {
			fmt.Fprintln(w, "  -h, --help  show this help")
			return
		}
		fs.PrintDefaults()
		fmt.Fprintln(w, "  -h, --help\n    \tshow this help")
	}
	return fs
}

// parseFlags parses args into fs. With -h or --help it prints fs's usage to
// stdout and returns errHelpShown. maxArgs bounds the positional arguments
// (-1: any number). Errors name the subcommand and point at its --help.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, maxArgs int) error {
	// Flags may also follow the positional arguments ("send FILE --json"):
	// parse again after each positional one, then hand them all back.
	var positional []string
	err := fs.Parse(args)
	for err == nil && fs.NArg() > 0 {
		positional = append(positional, fs.Arg(0))
		err = fs.Parse(fs.Args()[1:])
	}
	if err == nil {
		err = fs.Parse(append([]string{"--"}, positional...))
	}
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return errHelpShown
	}
	if err == nil && maxArgs >= 0 && fs.NArg() > maxArgs {
		err = fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w (see \"jkngate %s --help\")", fs.Name(), err, fs.Name())
	}
	return nil
}

// unknownVariables returns the warnings about misspelt or unknown JKNGATE_*
// variables in the process environment (none when environ is unset).
func unknownVariables() []string {
	if environ == nil {
		return nil
	}
	return config.UnknownVariables(environ())
}

// printUnknownVariables writes those warnings to w, one line each, for the
// commands that have no structured log.
func printUnknownVariables(w io.Writer) {
	for _, s := range unknownVariables() {
		fmt.Fprintln(w, "jkngate: warning:", s)
	}
}
