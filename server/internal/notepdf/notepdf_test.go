package notepdf

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/notepdf/pdftest"
)

func TestUnicodeDraftAndNotDocumented(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Client described the week in detail and practised the grounding exercise. ", 120)
	n := Note{
		TemplateName:  "SOAP",
		ClientLabel:   "Zoë O’Brien-Łukasiewicz",
		DateOfService: time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC),
		Sections: []Section{
			{Title: "Subjective", Text: "Client said “I’m sleeping better” — fictional."},
			{Title: "Objective", NotDocumented: true},
			{Title: "Assessment", Text: long},
			{Title: "Plan", Text: "Παράδειγμα: continue weekly."},
		},
		Location: paris,
	}
	var buf bytes.Buffer
	if err := Write(&buf, n); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := Write(&again, n); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("the same note made two different PDFs")
	}
	text := pdftest.Text(t, buf.Bytes())
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"Progress note (SOAP)", "Zoë O’Brien-Łukasiewicz", "Fri 4 Dec 2026, 16:00 CET", "Draft — not signed",
		"Subjective", "Client said “I’m sleeping better” — fictional.", "Objective Not documented",
		"Plan Παράδειγμα: continue weekly.", "page 1 of 3", "page 3 of 3",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	// Sections in template order.
	last := -1
	for _, title := range []string{"Subjective", "Objective", "Assessment", "Plan"} {
		i := strings.Index(flat, title)
		if i < last {
			t.Errorf("section %s out of order", title)
		}
		last = i
	}
	if strings.Contains(flat, "Addenda") || strings.Contains(flat, "Amendments") || strings.Contains(flat, "Signed by") {
		t.Errorf("a draft without additions shows them:\n%s", text)
	}
}
