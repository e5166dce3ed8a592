// Package notepdf renders a progress note as a PDF a clinician can file or
// print: the template's sections in order with their titles, who the note
// is about, when the session took place, who signed it and when, and what
// was added afterwards. Text is set in DejaVu Sans (embedded, subset into
// each document), so any name or note in Latin, Greek or Cyrillic script
// prints as written, curly quotes and dashes included.
package notepdf

import (
	_ "embed"
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// DejaVu Sans 2.37 from Debian's fonts-dejavu-core; see fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSans.ttf
	regularFont []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	boldFont []byte
)

// Note is what the PDF shows.
type Note struct {
	// TemplateName is the heading: "SOAP", "DAP", a custom template's name.
	TemplateName string
	// ClientLabel is the client's display name or "Anonymous individual" /
	// "Anonymous couple".
	ClientLabel   string
	DateOfService time.Time
	Sections      []Section
	// SignedBy is empty for a draft.
	SignedBy string
	SignedAt *time.Time
	Addenda  []Addition
	// Amendments are corrections made after signing, oldest first.
	Amendments []Addition
	// UpdatedAt is the note's last change: the document's date, so the same
	// note always makes the same PDF.
	UpdatedAt time.Time
	// Location is the time zone times are shown in.
	Location *time.Location
}

// Section is one section of the note, in template order.
type Section struct {
	Title         string
	Text          string
	NotDocumented bool
}

// Addition is text added to a signed note (an addendum or an amendment).
type Addition struct {
	Text string
	At   time.Time
	By   string // who added it, if known
}

const (
	family   = "DejaVu"
	margin   = 18.0 // mm
	bodySize = 10.5
	lineH    = 5.2 // mm per body line
)

// Write renders n as a PDF into w.
func Write(w io.Writer, n Note) error {
	loc := n.Location
	if loc == nil {
		loc = time.UTC
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(family, "", regularFont)
	pdf.AddUTF8FontFromBytes(family, "B", boldFont)
	// No client name in the document's metadata: only in its text.
	pdf.SetTitle("Progress note", true)
	pdf.SetCreator("Sidenote", true)
	pdf.SetCatalogSort(true) // resources in a fixed order, not map order
	pdf.SetCreationDate(n.UpdatedAt)
	pdf.SetModificationDate(n.UpdatedAt)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(family, "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(0, 4, n.ClientLabel+" · "+day(n.DateOfService, loc)+" · page "+strconv.Itoa(pdf.PageNo())+" of {nb}", "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()

	title := "Progress note"
	if n.TemplateName != "" {
		title += " (" + n.TemplateName + ")"
	}
	pdf.SetFont(family, "B", 16)
	pdf.MultiCell(0, 8, title, "", "L", false)
	pdf.Ln(2)
	field := func(label, value string) {
		pdf.SetFont(family, "B", bodySize)
		pdf.CellFormat(38, lineH, label, "", 0, "L", false, 0, "")
		pdf.SetFont(family, "", bodySize)
		pdf.MultiCell(0, lineH, value, "", "L", false)
	}
	field("Client", n.ClientLabel)
	field("Date of service", When(n.DateOfService, loc))
	if n.SignedAt != nil {
		field("Signed by", n.SignedBy)
		field("Signed at", When(*n.SignedAt, loc))
	} else {
		field("Status", "Draft — not signed")
	}
	rule(pdf)

	for _, s := range n.Sections {
		heading(pdf, s.Title)
		text := strings.TrimSpace(s.Text)
		if s.NotDocumented || text == "" {
			pdf.SetFont(family, "", bodySize)
			pdf.SetTextColor(90, 90, 90)
			pdf.MultiCell(0, lineH, "Not documented", "", "L", false)
			pdf.SetTextColor(0, 0, 0)
		} else {
			pdf.SetFont(family, "", bodySize)
			pdf.MultiCell(0, lineH, text, "", "L", false)
		}
		pdf.Ln(2)
	}
	additions(pdf, "Amendments", "Amendment", n.Amendments, loc)
	additions(pdf, "Addenda", "Addendum", n.Addenda, loc)
	return pdf.Output(w)
}

func heading(pdf *fpdf.Fpdf, title string) {
	pdf.SetFont(family, "B", 12)
	pdf.MultiCell(0, 7, title, "", "L", false)
}

func rule(pdf *fpdf.Fpdf) {
	pdf.Ln(2)
	y := pdf.GetY()
	w, _ := pdf.GetPageSize()
	pdf.SetDrawColor(180, 180, 180)
	pdf.Line(margin, y, w-margin, y)
	pdf.Ln(4)
}

// additions lists addenda or amendments, each under the time it was made.
func additions(pdf *fpdf.Fpdf, title, one string, as []Addition, loc *time.Location) {
	if len(as) == 0 {
		return
	}
	rule(pdf)
	heading(pdf, title)
	for _, a := range as {
		pdf.SetFont(family, "B", bodySize)
		line := one + ", " + When(a.At, loc)
		if a.By != "" {
			line += ", by " + a.By
		}
		pdf.MultiCell(0, lineH, line, "", "L", false)
		pdf.SetFont(family, "", bodySize)
		pdf.MultiCell(0, lineH, strings.TrimSpace(a.Text), "", "L", false)
		pdf.Ln(2)
	}
}

// When shows a time as the PDF does, with its zone: "Fri 4 Dec 2026,
// 16:00 CET".
func When(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
}

func day(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2 Jan 2006")
}
