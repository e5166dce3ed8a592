package store

import (
	"time"

	"gorm.io/gorm"
)

// The GORM models mirror the tables created by the migrations; the schema
// itself is owned by the SQL files, never by AutoMigrate.

// Clinician is a user of Sidenote: every clinical row belongs to one.
type Clinician struct {
	ID        string
	Email     string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Identity links an external sign-in identity to a clinician.
type Identity struct {
	ID          string
	ClinicianID string
	Provider    string
	Subject     string
	Email       string // as the provider last gave it
	CreatedAt   time.Time
}

// APIToken is an opaque bearer token, kept only as a hash.
type APIToken struct {
	ID          string
	ClinicianID string
	TokenHash   string
	Kind        string
	Label       string
	CreatedAt   time.Time
	LastUsedAt  time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
}

// Client is a client profile (possibly pseudonymous).
type Client struct {
	ID          string
	ClinicianID string
	DisplayName string // sealed
	Kind        string
	ExternalRef *string // sealed
	ArchivedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Session is a clinical session. Exactly one of ClientID and Anonymous is
// set, except for a telehealth session that has not ended yet.
type Session struct {
	ID                string
	ClinicianID       string
	ClientID          *string
	Client            *Client
	Anonymous         *string
	Type              string
	Status            string
	NoteStatus        string
	ConsentObtained   bool
	ConsentMethod     string
	ConsentRecordedAt time.Time
	StartedAt         time.Time
	EndedAt           *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	DeletedAt         gorm.DeletedAt
}

// SessionAssignment is one entry of a session's assignment history.
type SessionAssignment struct {
	ID          string
	SessionID   string
	ClinicianID string
	ClientID    *string
	Anonymous   *string
	ChangedAt   time.Time
}
