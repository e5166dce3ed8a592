package match

import (
	"errors"
	"strconv"

	"github.com/sidenote/sidenote/shared/note"
)

// Request is the JSON the extension hands the WebAssembly matcher.
type Request struct {
	Template   note.TemplateID   `json:"template"`
	Sections   []note.Section    `json:"sections"`
	Fields     []Field           `json:"fields"`
	Remembered map[string]string `json:"remembered,omitempty"`
}

// Run matches a request, checking that its template exists.
func Run(req Request) (Plan, error) {
	tmpl, ok := note.Lookup(req.Template)
	if !ok {
		return Plan{}, errors.New("unknown template " + strconv.Quote(string(req.Template)))
	}
	return Match(tmpl, req.Sections, req.Fields, req.Remembered), nil
}
