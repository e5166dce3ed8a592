package eval

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sidenote/sidenote/shared/note"
)

// WriteTable prints one table per template with a tuned and a held-out row.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "generator: %s\n", r.Generator)
	for _, tmpl := range note.Templates() {
		narrative := len(tmpl.Sections) == 1
		fmt.Fprintf(tw, "\n%s\n", tmpl.Name)
		if narrative {
			fmt.Fprint(tw, "part\tcases\tsentences\tkept in order\tkept\tdropped\tout of order\tomit kept\tinvented words\tfillers\tpronouns\trisk agree\t\n")
		} else {
			fmt.Fprint(tw, "part\tcases\tsentences\tplacement\tcorrect\tdropped\tin two\tomit kept\tinvented words\tfillers\tpronouns\tnot_doc agree\trisk agree\t\n")
		}
		for _, part := range []struct {
			name string
			t    *Tally
		}{{"tuned", r.Tuned[tmpl.ID]}, {"held-out", r.HeldOut[tmpl.ID]}} {
			t := part.t
			if narrative {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%s\t\n", part.name, t.Cases, t.Sentences,
					pct(t.Correct-t.OutOfOrder, t.Sentences), t.Correct, t.Dropped, t.OutOfOrder, t.OmitKept,
					frac(t.InventedWords, t.Words), t.Fillers, t.Pronouns, frac(t.RiskAgree, t.Cases))
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%s\t%s\t\n", part.name, t.Cases, t.Sentences,
				pct(t.Correct, t.Sentences), t.Correct, t.Dropped, t.Twice, t.OmitKept,
				frac(t.InventedWords, t.Words), t.Fillers, t.Pronouns, frac(t.NDAgree, t.NDTotal), frac(t.RiskAgree, t.Cases))
		}
	}
	return tw.Flush()
}

// WriteMisses lists the wrong placements of the tuned part only: the
// held-out part is reported in aggregate so nobody tunes on it.
func (r *Report) WriteMisses(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "case\ttemplate\tlabel\tgot\tsentence\n")
	for _, p := range r.Placements {
		if p.HeldOut || p.Correct() && len(p.Sections) < 2 {
			continue
		}
		got := p.Where
		if len(p.Sections) > 1 {
			got = fmt.Sprint(p.Sections)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.90q\n", p.Case, p.Template, p.Label, got, p.Sentence.Text)
	}
	return tw.Flush()
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(d))
}

func frac(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d", n, d)
}
