package app

import "github.com/sidenote/sidenote/shared/api"

// keyConsentMethod is the consent method chosen last on this device, to
// prefill the start form: a clinician usually obtains consent the same way.
const keyConsentMethod = "sidenote.pref.consent_method"

// guestConsents reports whether the client of a session of type t gives
// consent themselves: a telehealth guest consents on the join page before
// the call, and the server records that consent with the guest's join.
func guestConsents(t api.SessionType) bool { return t == api.SessionTelehealth }

// startConsent is the consent sent with a new session. For telehealth it
// says consent is electronic: the guest's own, given on the join page; the
// clinician attests nothing in advance.
func startConsent(st *StartState) *api.Consent {
	if guestConsents(st.Type) {
		return &api.Consent{Obtained: true, Method: api.ConsentElectronic}
	}
	return &api.Consent{Obtained: true, Method: st.ConsentMethod}
}

func (a *App) lastConsentMethod() api.ConsentMethod {
	m, _ := a.d.Store.Get(keyConsentMethod)
	switch api.ConsentMethod(m) {
	case api.ConsentVerbal, api.ConsentWritten, api.ConsentElectronic:
		return api.ConsentMethod(m)
	}
	return ""
}

// rememberConsentMethod keeps the method the clinician chose; a telehealth
// session's method is the guest's, not a choice.
func (a *App) rememberConsentMethod(st StartState) {
	if !guestConsents(st.Type) && st.ConsentMethod != "" {
		_ = a.d.Store.Set(keyConsentMethod, string(st.ConsentMethod))
	}
}
