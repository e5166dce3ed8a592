// Command notes-eval measures the built-in note generator against the
// labelled panel (server/internal/notes/eval/testdata/panel) and prints
// placement, dropped sentences, invention, fillers, pronouns, not_documented
// and risk agreement per template, for the tuned and held-out parts.
//
//	go run ./server/cmd/notes-eval [-panel DIR] [-misses]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/sidenote/sidenote/server/internal/notes"
	"github.com/sidenote/sidenote/server/internal/notes/eval"
)

func main() {
	panel := flag.String("panel", "server/internal/notes/eval/testdata/panel", "directory of labelled cases")
	misses := flag.Bool("misses", false, "also list each wrong placement of the tuned part (never the held-out part)")
	flag.Parse()
	if err := run(*panel, *misses); err != nil {
		fmt.Fprintln(os.Stderr, "notes-eval:", err)
		os.Exit(1)
	}
}

func run(panel string, misses bool) error {
	cases, err := eval.LoadPanel(panel)
	if err != nil {
		return err
	}
	report, err := eval.Measure(context.Background(), notes.NewBuiltin(), cases)
	if err != nil {
		return err
	}
	if err := report.WriteTable(os.Stdout); err != nil {
		return err
	}
	if misses {
		fmt.Println()
		return report.WriteMisses(os.Stdout)
	}
	return nil
}
