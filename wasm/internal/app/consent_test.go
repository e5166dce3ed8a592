package app

import (
	"testing"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/wasm/internal/client"
)

func (f *fixture) startRoutes() {
	f.api.on("POST /api/v1/sessions", func(r *client.Request) reply {
		s := session("s9", t0, api.AnonymousIndividual)
		s.Status = api.SessionOpen
		return ok(s)
	})
	f.api.on("GET /api/v1/sessions/s9/notes", func(*client.Request) reply { return ok(api.Page[api.Note]{Items: []api.Note{}}) })
}

func TestStartFormRemembersTheLastConsentMethod(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.startRoutes()
	f.app.OpenStart(bg)
	if m := f.state().Start.ConsentMethod; m != "" {
		t.Fatalf("first start form prefilled with %q", m)
	}
	f.app.SetStart(StartForm{Type: api.SessionInPerson, Who: WhoAnonymousIndividual, Consent: true, ConsentMethod: api.ConsentWritten})
	f.app.StartSession(bg)

	// Another session, after a reload of the panel.
	f.start(nil)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.app.OpenStart(bg)
	st := f.state().Start
	if st.ConsentMethod != api.ConsentWritten || st.Consent {
		t.Errorf("second start form: method %q, consent ticked %v (the method is remembered, the attestation is asked again)", st.ConsentMethod, st.Consent)
	}
}

func TestTelehealthAsksTheGuestNotTheClinicianForConsent(t *testing.T) {
	f := newFixture(t)
	f.signedIn(nil, "")
	f.app.Init(bg)
	f.startRoutes()
	f.app.OpenStart(bg)
	f.app.SetStart(StartForm{Type: api.SessionTelehealth, Who: WhoLater})
	f.app.StartSession(bg)
	if errs := f.state().Start.Errors; len(errs) > 0 {
		t.Fatalf("telehealth start refused: %v", errs)
	}
	var body api.CreateSessionRequest
	f.api.last("POST /api/v1/sessions", &body)
	if body.Consent == nil || body.Consent.Method != api.ConsentElectronic {
		t.Errorf("telehealth consent sent = %+v", body.Consent)
	}
	if _, kept := f.store.Get(keyConsentMethod); kept {
		t.Error("the guest's consent method was remembered as the clinician's choice")
	}
}
