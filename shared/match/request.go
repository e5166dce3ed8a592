package match

import (
	"errors"

	"github.com/sidenote/sidenote/shared/note"
)

// Request is the JSON the extension hands the WebAssembly matcher.
type Request struct {
	Template   note.TemplateID   `json:"template"`
	Sections   []note.Section    `json:"sections"`
	Fields     []Field           `json:"fields"`
	Remembered map[string]string `json:"remembered,omitempty"`
}

// Run matches a request. A template that is not built in is a
// clinician's own: its sections carry their titles and aliases.
func Run(req Request) (Plan, error) {
	tmpl, ok := note.Lookup(req.Template)
	if !ok {
		if req.Template == "" {
			return Plan{}, errors.New("the request names no template")
		}
		tmpl = note.Template{ID: req.Template}
	}
	return Match(tmpl, req.Sections, req.Fields, req.Remembered), nil
}
