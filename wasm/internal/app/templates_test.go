package app

import (
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func TestNoteIsWrittenWithTheClinicianOwnTemplate(t *testing.T) {
	f := newFixtureInSession(t)
	if ts := f.state().Templates; !ts.Loaded || ts.Name("0b6f2c1e-custom") != "Couples intake" {
		t.Fatalf("templates: %+v", ts)
	}
	f.app.SetTemplate("not-a-template")
	if f.state().Session.Template != note.SOAP {
		t.Error("an unknown template was chosen")
	}
	f.app.SetTemplate("0b6f2c1e-custom")
	f.api.on("PUT /api/v1/sessions/s1/summary", func(*client.Request) reply { return reply{204, nil} })
	f.api.on("POST /api/v1/sessions/s1/notes", func(*client.Request) reply { return ok(soapNote("n1", 1, api.NoteReady)) })
	f.app.SetText(TextSummary, "Couple describes the week.")
	f.app.GenerateNote(bg)
	var body api.GenerateNoteRequest
	f.api.last("POST /api/v1/sessions/s1/notes", &body)
	if body.Template != "0b6f2c1e-custom" {
		t.Errorf("template sent = %q", body.Template)
	}
}
