package main

import (
	"flag"
	"fmt"
	"io"

	"loanbot/dialogs"
)

func runFlows(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("flows", flag.ContinueOnError)
	mermaid := fs.Bool("mermaid", false, "print Mermaid state diagrams")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	reg, err := dialogs.NewRegistry(dialogs.All()...)
	if err != nil {
		return err
	}
	for _, f := range reg.Flows() {
		if *mermaid {
			d, err := f.Mermaid()
			if err != nil {
				return fmt.Errorf("flow %s: %w", f.Name, err)
			}
			fmt.Fprintf(stdout, "%%%% flow %s v%d (%s)\n%s\n", f.Name, f.Version, reg.CommandOf(f), d)
			continue
		}
		fmt.Fprintf(stdout, "%s v%d %s\n", f.Name, f.Version, reg.CommandOf(f))
		for _, e := range f.Events {
			fmt.Fprintf(stdout, "  %-10s %v -> %s\n", e.Name, e.Src, e.Dst)
		}
	}
	return nil
}
