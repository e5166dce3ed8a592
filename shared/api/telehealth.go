package api

import "time"

// TelehealthLink is the state of a telehealth session's guest link, as the
// clinician sees it: whether a guest joined and consented, and when. The
// guest's email is never kept, so it is not here either.
type TelehealthLink struct {
	// JoinURL is the guest's link while the session is open (the server
	// keeps the code sealed); empty once the session has ended.
	JoinURL          string     `json:"join_url,omitempty"`
	ExpiresAt        time.Time  `json:"expires_at"`
	GuestJoinedAt    *time.Time `json:"guest_joined_at"`
	GuestConsentedAt *time.Time `json:"guest_consented_at"`
}
