package app

import (
	"context"
	"strings"

	"github.com/sidenote/sidenote/shared/api"
)

// Who the session is with, as chosen in the start form.
const (
	WhoClient              = "client"
	WhoAnonymousIndividual = "anonymous_individual"
	WhoAnonymousCouple     = "anonymous_couple"
	// WhoLater leaves a telehealth session unassigned until it ends.
	WhoLater = "later"
)

// StartState is the "Start a session" form.
type StartState struct {
	Type          api.SessionType
	Who           string
	ClientQuery   string
	ClientID      string
	NewClientName string
	NewClientKind api.ClientKind
	Consent       bool
	ConsentMethod api.ConsentMethod
	// Errors maps a form field to what is wrong with it.
	Errors map[string]string
	Busy   bool
	Err    string
}

// SessionTypes lists the session types with their labels, in display order.
var SessionTypes = []struct {
	Type  api.SessionType
	Label string
}{
	{api.SessionInPerson, "In person"},
	{api.SessionTelehealth, "Telehealth"},
	{api.SessionDictation, "Dictation"},
	{api.SessionUploadedRecording, "Uploaded recording"},
	{api.SessionWrittenSummary, "Written summary"},
}

// TypeLabel is a session type as the clinician reads it.
func TypeLabel(t api.SessionType) string {
	for _, st := range SessionTypes {
		if st.Type == t {
			return st.Label
		}
	}
	return string(t)
}

// OpenStart shows the start form, fresh.
func (a *App) OpenStart(ctx context.Context) {
	a.update(func(s *State) {
		s.Screen = ScreenStart
		s.Start = StartState{Type: api.SessionInPerson, Who: WhoAnonymousIndividual, NewClientKind: api.ClientIndividual, ConsentMethod: a.lastConsentMethod()}
	})
	a.ensureClients(ctx)
}

// StartForm is what the clinician has entered in the start form.
type StartForm struct {
	Type          api.SessionType
	Who           string
	ClientQuery   string
	ClientID      string
	NewClientName string
	NewClientKind api.ClientKind
	Consent       bool
	ConsentMethod api.ConsentMethod
}

// SetStart keeps what is entered in the start form.
func (a *App) SetStart(f StartForm) {
	a.update(func(s *State) {
		st := &s.Start
		st.Type, st.Who, st.ClientQuery, st.ClientID = f.Type, f.Who, f.ClientQuery, f.ClientID
		st.NewClientName, st.NewClientKind = f.NewClientName, f.NewClientKind
		st.Consent, st.ConsentMethod = f.Consent, f.ConsentMethod
		if st.Who == WhoLater && st.Type != api.SessionTelehealth {
			st.Who = WhoAnonymousIndividual
		}
		// Fix errors as soon as their cause is fixed; new ones wait for submit.
		for field := range st.Errors {
			if validateStart(st)[field] == "" {
				delete(st.Errors, field)
			}
		}
	})
}

// validateStart returns what keeps the form from being submitted, by field.
func validateStart(st *StartState) map[string]string {
	errs := map[string]string{}
	switch st.Who {
	case WhoClient:
		if st.ClientID == "" && strings.TrimSpace(st.NewClientName) == "" {
			errs["client"] = "Choose a client, or enter a name (a pseudonym works) to create one."
		}
	case WhoAnonymousIndividual, WhoAnonymousCouple:
	case WhoLater:
		if st.Type != api.SessionTelehealth {
			errs["who"] = "Choose who the session is with."
		}
	default:
		errs["who"] = "Choose who the session is with."
	}
	if guestConsents(st.Type) {
		// The guest consents on the join page; nothing to attest here.
		return errs
	}
	if !st.Consent {
		errs["consent"] = "Confirm that consent was obtained before starting."
	}
	switch st.ConsentMethod {
	case api.ConsentVerbal, api.ConsentWritten, api.ConsentElectronic:
	default:
		errs["consent_method"] = "Choose how consent was obtained."
	}
	return errs
}

// StartSession validates the form, creates the client if a new name was
// entered, starts the session and opens it.
func (a *App) StartSession(ctx context.Context) {
	var form StartState
	ok := false
	a.update(func(s *State) {
		s.Start.Err = ""
		s.Start.Errors = validateStart(&s.Start)
		if len(s.Start.Errors) > 0 || s.Start.Busy {
			return
		}
		s.Start.Busy = true
		form = s.Start
		ok = true
	})
	if !ok {
		return
	}
	req := api.CreateSessionRequest{Type: form.Type, Consent: startConsent(&form)}
	switch form.Who {
	case WhoClient:
		id := form.ClientID
		if id == "" {
			c, err := a.createClient(ctx, form.NewClientName, form.NewClientKind)
			if err != nil {
				a.update(func(s *State) { s.Start.Busy = false; s.Start.Err = s.failed(err) })
				return
			}
			id = c.ID
			a.update(func(s *State) { s.Start.ClientID = c.ID; s.Start.NewClientName = "" })
		}
		req.ClientID = &id
	case WhoAnonymousIndividual:
		anon := api.AnonymousIndividual
		req.Anonymous = &anon
	case WhoAnonymousCouple:
		anon := api.AnonymousCouple
		req.Anonymous = &anon
	}
	sess, err := a.d.API.CreateSession(ctx, req)
	if err != nil {
		a.update(func(s *State) { s.Start.Busy = false; s.Start.Err = s.failed(err) })
		return
	}
	a.update(func(s *State) {
		s.reached()
		s.Start.Busy = false
		a.rememberConsentMethod(form)
		s.upsertSession(sess)
		s.notify(NoticeSuccess, "Session started.")
	})
	a.showSession(ctx, sess, nil)
}
