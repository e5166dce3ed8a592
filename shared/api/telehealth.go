package api

import "time"

// TelehealthLink is the state of a telehealth session's guest link, as the
// clinician sees it: whether a guest joined and consented, and when. The
// guest's email is never kept, so it is not here either.
type TelehealthLink struct {
	// JoinURL is present only when the link was just created: the server
	// keeps a hash of the code, not the code.
	JoinURL          string     `json:"join_url,omitempty"`
	ExpiresAt        time.Time  `json:"expires_at"`
	GuestJoinedAt    *time.Time `json:"guest_joined_at"`
	GuestConsentedAt *time.Time `json:"guest_consented_at"`
}
