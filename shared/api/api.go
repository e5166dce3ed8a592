// Package api holds the JSON types of Sidenote's HTTP API (/api/v1), shared by
// the server and the WebAssembly sidebar. It must compile for
// GOOS=js GOARCH=wasm: standard library and the repo's shared/ packages only.
package api

import (
	"time"

	"github.com/sidenote/sidenote/shared/note"
)

// Prefix is the path prefix of every JSON API route.
const Prefix = "/api/v1"

// ErrorBody is the body of every error response:
// {"error":{"code":"snake_case","message":"...","field":"..."}}.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is an API error. Code is stable and machine-readable; Message is a
// sentence a person can read; Field names the offending request field.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Error codes. The server maps each to one HTTP status (server/internal/api).
const (
	CodeMalformedJSON     = "malformed_json"         // 400
	CodeUnknownField      = "unknown_field"          // 400
	CodeWrongType         = "wrong_type"             // 400
	CodeInvalidUTF8       = "invalid_utf8"           // 400
	CodeBadRequest        = "bad_request"            // 400
	CodeUnauthenticated   = "unauthenticated"        // 401
	CodeForbidden         = "forbidden"              // 403
	CodeNotFound          = "not_found"              // 404
	CodeConflict          = "conflict"               // 409
	CodeVersionConflict   = "version_conflict"       // 409
	CodeNoteSigned        = "note_signed"            // 409
	CodeSessionUnassigned = "session_unassigned"     // 409
	CodeSessionOpen       = "session_open"           // 409
	CodeBodyTooLarge      = "body_too_large"         // 413
	CodeUnsupportedMedia  = "unsupported_media_type" // 415
	CodeInvalidField      = "invalid_field"          // 422
	CodeConsentRequired   = "consent_required"       // 422
	CodeNoSource          = "no_source"              // 422
	CodeMisdirected       = "misdirected_request"    // 421
	CodeRateLimited       = "rate_limited"           // 429
	CodeInternal          = "internal"               // 500
	CodeUnavailable       = "unavailable"            // 503
)

// Page is one page of a keyset-paginated list. NextCursor is empty on the
// last page; pass it back as ?cursor= to get the next one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// DevLoginRequest is the body of POST /dev/login (local single-user mode).
type DevLoginRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// TokenResponse hands over an opaque API token.
type TokenResponse struct {
	Token string `json:"token"`
}

// Clinician is the signed-in user (GET /me).
type Clinician struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// ClientKind says whether a client profile is one person or a couple.
type ClientKind string

const (
	ClientIndividual ClientKind = "individual"
	ClientCouple     ClientKind = "couple"
)

// Client is a client profile. DisplayName may be a pseudonym.
type Client struct {
	ID          string     `json:"id"`
	DisplayName string     `json:"display_name"`
	Kind        ClientKind `json:"kind"`
	ExternalRef *string    `json:"external_ref"`
	ArchivedAt  *time.Time `json:"archived_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// CreateClientRequest is the body of POST /clients.
type CreateClientRequest struct {
	DisplayName string     `json:"display_name"`
	Kind        ClientKind `json:"kind"`
	ExternalRef *string    `json:"external_ref,omitempty"`
}

// UpdateClientRequest is the body of PATCH /clients/:id; absent fields are
// left unchanged.
type UpdateClientRequest struct {
	DisplayName *string     `json:"display_name,omitempty"`
	Kind        *ClientKind `json:"kind,omitempty"`
	ExternalRef *string     `json:"external_ref,omitempty"`
}

// SessionType is how a session took place or how its content arrived.
type SessionType string

const (
	SessionInPerson          SessionType = "in_person"
	SessionTelehealth        SessionType = "telehealth"
	SessionDictation         SessionType = "dictation"
	SessionUploadedRecording SessionType = "uploaded_recording"
	SessionWrittenSummary    SessionType = "written_summary"
)

// Anonymous is the kind of an anonymous session: no client profile.
type Anonymous string

const (
	AnonymousIndividual Anonymous = "individual"
	AnonymousCouple     Anonymous = "couple"
)

// Label is the display label of an anonymous session of this kind.
func (a Anonymous) Label() string {
	if a == AnonymousCouple {
		return "Anonymous couple"
	}
	return "Anonymous individual"
}

// ConsentMethod is how consent was obtained.
type ConsentMethod string

const (
	ConsentVerbal     ConsentMethod = "verbal"
	ConsentWritten    ConsentMethod = "written"
	ConsentElectronic ConsentMethod = "electronic"
)

// Consent records the client's consent for a session.
type Consent struct {
	Obtained   bool          `json:"obtained"`
	Method     ConsentMethod `json:"method"`
	RecordedAt *time.Time    `json:"recorded_at,omitempty"`
}

// SessionStatus is where a session is in its life.
type SessionStatus string

const (
	SessionOpen               SessionStatus = "open"
	SessionEnded              SessionStatus = "ended"
	SessionAwaitingTranscript SessionStatus = "awaiting_transcript"
)

// CreateSessionRequest is the body of POST /sessions. Exactly one of
// ClientID and Anonymous is set (a telehealth session may leave both empty
// until it ends).
type CreateSessionRequest struct {
	Type      SessionType `json:"type"`
	ClientID  *string     `json:"client_id,omitempty"`
	Anonymous *Anonymous  `json:"anonymous,omitempty"`
	Consent   *Consent    `json:"consent"`
	StartedAt *time.Time  `json:"started_at,omitempty"`
}

// UpdateSessionRequest is the body of PATCH /sessions/:id. Label is up
// to MaxSessionLabel characters without control characters ("" removes
// it); it is the clinician's own name for the session, not part of the
// record, so it needs no reason. Once the session has a signed note, a
// change of anything else needs Reason (see Amendment).
type UpdateSessionRequest struct {
	Label     *string      `json:"label,omitempty"`
	Type      *SessionType `json:"type,omitempty"`
	StartedAt *time.Time   `json:"started_at,omitempty"`
	EndedAt   *time.Time   `json:"ended_at,omitempty"`
	Reason    *string      `json:"reason,omitempty"`
}

// MaxSessionLabel is the longest session label, in characters.
const MaxSessionLabel = 60

// AssignRequest is the body of POST /sessions/:id/assign. Once the session
// has a signed note, a change of client needs Reason (see Amendment).
type AssignRequest struct {
	ClientID string  `json:"client_id"`
	Reason   *string `json:"reason,omitempty"`
}

// EndSessionRequest is the body of POST /sessions/:id/end: the clinician
// picks an existing client or one of the anonymous choices. Once the
// session has a signed note, a change of client needs Reason.
type EndSessionRequest struct {
	ClientID  *string    `json:"client_id,omitempty"`
	Anonymous *Anonymous `json:"anonymous,omitempty"`
	Reason    *string    `json:"reason,omitempty"`
}

// Assignment is one entry of a session's assignment history.
type Assignment struct {
	ClientID  *string    `json:"client_id"`
	Anonymous *Anonymous `json:"anonymous"`
	ChangedAt time.Time  `json:"changed_at"`
}

// Session is a clinical session. Client is null when the session is
// anonymous; DisplayLabel is "Anonymous individual", "Anonymous couple" or the
// client's display name.
type Session struct {
	ID           string        `json:"id"`
	Type         SessionType   `json:"type"`
	Status       SessionStatus `json:"status"`
	Client       *Client       `json:"client"`
	Anonymous    *Anonymous    `json:"anonymous"`
	DisplayLabel string        `json:"display_label"`
	// Label is the clinician's own short name for the session ("Tue 4 pm
	// couple"), empty if none.
	Label     string     `json:"label"`
	Consent   Consent    `json:"consent"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	// NoteStatus is the status of the session's latest note, empty if none.
	NoteStatus NoteStatus   `json:"note_status"`
	JoinURL    string       `json:"join_url,omitempty"`
	History    []Assignment `json:"history,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// TextRequest is a text: an addendum's body, a summary or transcript read
// or saved.
type TextRequest struct {
	Text string `json:"text"`
}

// SourceRequest is the body of PUT /sessions/:id/summary and /transcript.
// Once the session has a signed note, a change needs Reason.
type SourceRequest struct {
	Text   string  `json:"text"`
	Reason *string `json:"reason,omitempty"`
}

// Amendment is a reasoned change made to a session after its note was
// signed, shown in the note's history. Field is client, type, started_at,
// ended_at, summary or transcript; Old and New are its values before and
// after: "client:<id>", "anonymous:individual|couple" or "" (unassigned)
// for client, RFC 3339 times, a session type, or the source's text.
type Amendment struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
	Field  string    `json:"field"`
	Old    string    `json:"old"`
	New    string    `json:"new"`
}

// NoteStatus is where a note is in its life.
type NoteStatus string

const (
	NoteGenerating NoteStatus = "generating"
	NoteReady      NoteStatus = "ready"
	NoteFailed     NoteStatus = "failed"
	NoteSigned     NoteStatus = "signed"
)

// GenerateNoteRequest is the body of POST /sessions/:id/notes.
type GenerateNoteRequest struct {
	Template note.TemplateID `json:"template"`
}

// Note is a progress note.
type Note struct {
	ID            string          `json:"id"`
	SessionID     string          `json:"session_id"`
	Template      note.TemplateID `json:"template"`
	Status        NoteStatus      `json:"status"`
	FailureReason string          `json:"failure_reason,omitempty"`
	Sections      []note.Section  `json:"sections"`
	Version       int             `json:"version"`
	Generator     string          `json:"generator"`
	// GeneratorNote says why the generator that wrote the note is not the
	// configured one (say, the language model timed out); empty otherwise.
	GeneratorNote string `json:"generator_note,omitempty"`
	// LeftOut lists what the sources said that is in no section, with why.
	LeftOut []note.LeftOut `json:"left_out"`
	// RiskMentioned is set when the sources mention suicidal or homicidal
	// ideation, self-harm, abuse or a safety plan.
	RiskMentioned bool       `json:"risk_mentioned"`
	SignedAt      *time.Time `json:"signed_at"`
	// SignedBy is the clinician who signed the note, null until signed.
	SignedBy *Signer    `json:"signed_by"`
	Addenda  []Addendum `json:"addenda"`
	// Amendments are the session's reasoned changes since the note was
	// signed, oldest first (empty unless signed).
	Amendments []Amendment `json:"amendments"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// SectionEdit replaces the text of one section.
type SectionEdit struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// UpdateNoteRequest is the body of PATCH /notes/:id. Version is the version
// the client last saw; a stale one gets 409 version_conflict.
type UpdateNoteRequest struct {
	Version  int           `json:"version"`
	Sections []SectionEdit `json:"sections"`
}

// Signer names who signed a note: the clinician's id and their display
// name as it was when they signed.
type Signer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SignNoteRequest is the body of POST /notes/:id/sign. Version is the
// version the clinician saw: a stale one gets 409 version_conflict, so an
// edit they have not seen is never signed. A note of a session that has not
// ended is signed only with EndSession, which ends the session (choosing its
// client or anonymous kind, as POST /sessions/:id/end does) in the same
// step; without it the answer is 409 session_open.
type SignNoteRequest struct {
	Version    int                `json:"version"`
	EndSession *EndSessionRequest `json:"end_session,omitempty"`
}

// PlaceLeftOutRequest is the body of POST /notes/:id/left-out/:item/place:
// put a left-out item at the end of a section. Version is the version the
// client last saw, as for PATCH /notes/:id.
type PlaceLeftOutRequest struct {
	Version int    `json:"version"`
	Section string `json:"section"`
}

// NoteVersion is one saved version of a note.
type NoteVersion struct {
	Version   int            `json:"version"`
	Sections  []note.Section `json:"sections"`
	CreatedAt time.Time      `json:"created_at"`
}

// Addendum is text added to a signed note.
type Addendum struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// InsertionField says which note section went into which page field.
type InsertionField struct {
	Section    string `json:"section"`
	FieldLabel string `json:"field_label"`
}

// InsertionRequest is the body of POST /notes/:id/insertions: a receipt of
// where a note was put. It carries no page content.
type InsertionRequest struct {
	Origin      string           `json:"origin"`
	NoteVersion int              `json:"note_version"`
	Fields      []InsertionField `json:"fields"`
}

// Insertion is a recorded insertion receipt.
type Insertion struct {
	ID          string           `json:"id"`
	NoteID      string           `json:"note_id"`
	Origin      string           `json:"origin"`
	NoteVersion int              `json:"note_version"`
	Fields      []InsertionField `json:"fields"`
	CreatedAt   time.Time        `json:"created_at"`
}

// AuditEvent is one entry of the caller's audit log.
type AuditEvent struct {
	ID         string `json:"id"`
	Action     string `json:"action"`
	ResourceID string `json:"resource_id"`
	RequestID  string `json:"request_id"`
	ClientIP   string `json:"client_ip"`
	// Detail is structured JSON for an amendment (session.amend): the
	// amendment's id, the field and, except for texts, old and new values.
	Detail    string    `json:"detail,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Identity is one of the caller's sign-ins (GET /identities): Provider is
// the route id (/auth/{provider}), "dev" for dev login; Email is what the
// provider last gave.
type Identity struct {
	ID           string    `json:"id"`
	Provider     string    `json:"provider"`
	ProviderName string    `json:"provider_name"`
	Email        string    `json:"email"`
	CreatedAt    time.Time `json:"created_at"`
}

// AuthProvider is a sign-in provider the server offers (GET /auth/providers);
// sign in by opening /auth/{id}.
type AuthProvider struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Token is one of the caller's API tokens or browser sessions
// (GET /tokens). The secret itself is shown only once, at sign-in.
type Token struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"` // "extension", "browser" or "dev"
	Label      string    `json:"label"`
	Current    bool      `json:"current"` // the token of this request
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// CSRFHeader carries the CSRF token of a browser session: the server sends
// it on every cookie-authenticated response, and a cookie-authenticated
// write must send it back. Bearer-token requests need none.
const CSRFHeader = "X-CSRF-Token"

// Recording describes a session's uploaded audio and its transcription
// (status pending, done, failed or not_configured). Once the session's note
// is signed the audio is deleted after the server's retention period
// (DeleteAfter), unless Keep; DeletedAt tells it is gone.
type Recording struct {
	ContentType         string     `json:"content_type"`
	SizeBytes           int64      `json:"size_bytes"`
	SHA256              string     `json:"sha256"`
	TranscriptionStatus string     `json:"transcription_status"`
	TranscriptionError  string     `json:"transcription_error,omitempty"`
	UploadedAt          time.Time  `json:"uploaded_at"`
	Keep                bool       `json:"keep"`
	DeleteAfter         *time.Time `json:"delete_after,omitempty"`
	DeletedAt           *time.Time `json:"deleted_at,omitempty"`
	// Chunks counts the chunks of a recording uploaded in chunks (0 for a
	// whole-file upload); Complete is false until it has been finished
	// (POST /sessions/:id/recording/complete, or the session's end).
	// Until then SizeBytes counts the chunks so far and SHA256 is empty.
	Chunks   int  `json:"chunks"`
	Complete bool `json:"complete"`
}

// RecordingSettingsRequest is the body of PATCH /sessions/:id/recording:
// keep the audio after the note is signed, or let it be deleted.
type RecordingSettingsRequest struct {
	Keep *bool `json:"keep"`
}

// TemplateSection is one section of a note template. DrawsFrom lists the
// built-in section kinds (subjective, objective, assessment, plan, data,
// behavior, goal, intervention, response, narrative) the generator fills
// it from; Aliases are other names an EHR field may give it.
type TemplateSection struct {
	// Key identifies the section in the template's notes; derived from the
	// title when a new section is sent without one.
	Key       string   `json:"key"`
	Title     string   `json:"title"`
	Aliases   []string `json:"aliases"`
	DrawsFrom []string `json:"draws_from"`
}

// NoteTemplate is a note template: a built-in one (SOAP, DAP, BIRP, GIRP,
// narrative; Builtin, id "soap"…) or one of the clinician's own (id a
// UUID). Either id goes into POST /sessions/:id/notes {"template"}.
type NoteTemplate struct {
	ID        note.TemplateID   `json:"id"`
	Name      string            `json:"name"`
	Builtin   bool              `json:"builtin"`
	Sections  []TemplateSection `json:"sections"`
	CreatedAt *time.Time        `json:"created_at"`
	UpdatedAt *time.Time        `json:"updated_at"`
}

// TemplateRequest is the body of POST /templates (both fields required)
// and PATCH /templates/:id (absent fields unchanged; sections replace the
// list, send back a section's key to keep it).
type TemplateRequest struct {
	Name     *string           `json:"name,omitempty"`
	Sections []TemplateSection `json:"sections,omitempty"`
}

// Limits of a clinician's own template.
const (
	MaxTemplateSections = 20
	MaxTemplateAliases  = 20
	MaxTemplateText     = 80 // characters of a name, title or alias
)
