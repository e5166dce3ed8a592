package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
)

// ClinicianByID returns a clinician.
func (s *Store) ClinicianByID(ctx context.Context, id string) (*Clinician, error) {
	var c Clinician
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	if err != nil {
		return nil, dbError(err, "Clinician")
	}
	return &c, nil
}

// SignIn returns the clinician linked to the external identity
// (provider, subject), creating both on first sign-in. It never merges
// identities by email: linking a second provider is an explicit action.
// A later sign-in brings the provider's current email and name to the
// clinician (audited as clinician.refresh, for the request's actor in ctx
// as this clinician).
func (s *Store) SignIn(ctx context.Context, provider, subject, email, name string) (*Clinician, error) {
	var c Clinician
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Joins("JOIN identities ON identities.clinician_id = clinicians.id").
			Where("identities.provider = ? AND identities.subject = ?", provider, subject).
			Take(&c).Error
		if err == nil {
			return s.refreshProfile(audit.WithClinician(ctx, c.ID), tx, &c, provider, subject, email, name)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		now := s.now()
		c = Clinician{ID: NewID(), Email: email, Name: name, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return tx.Create(&Identity{ID: NewID(), ClinicianID: c.ID, Provider: provider, Subject: subject, Email: email, CreatedAt: now}).Error
	})
	if err != nil {
		return nil, dbError(err, "Clinician")
	}
	return &c, nil
}

// LinkIdentity links another external identity to a signed-in clinician.
// An identity already linked to someone else is a conflict.
func (s *Store) LinkIdentity(ctx context.Context, clinicianID, provider, subject, email string) error {
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		var existing Identity
		err := tx.Where("provider = ? AND subject = ?", provider, subject).Take(&existing).Error
		switch {
		case err == nil && existing.ClinicianID == clinicianID:
			// Linked already: nothing changes, but the request is audited.
		case err == nil:
			return &api.Error{Code: api.CodeConflict, Message: "This sign-in is already linked to another Sidenote account."}
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		default:
			err := tx.Create(&Identity{ID: NewID(), ClinicianID: clinicianID, Provider: provider, Subject: subject, Email: email, CreatedAt: s.now()}).Error
			if err != nil {
				return err
			}
		}
		return audit.RecordTx(ctx, tx, audit.IdentityLink, clinicianID)
	})
	return dbError(err, "Clinician")
}

// Token kinds.
const (
	TokenDev       = "dev"
	TokenExtension = "extension"
	TokenBrowser   = "browser"
)

// tokenPrefix makes Sidenote tokens recognisable to secret scanners.
const tokenPrefix = "sn_"

// HashToken is how a token is kept: only its SHA-256.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// CreateToken issues a new opaque token for a clinician, audited as a
// sign-in. The plain token is returned once and never stored.
func (s *Store) CreateToken(ctx context.Context, clinicianID, kind, label string, ttl time.Duration) (string, *APIToken, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	plain := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	t := &APIToken{
		ID: NewID(), ClinicianID: clinicianID, TokenHash: HashToken(plain), Kind: kind, Label: label,
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(ttl),
	}
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.SignIn, t.ID)
	})
	if err != nil {
		return "", nil, dbError(err, "Token")
	}
	return plain, t, nil
}

// slideEvery limits how often a token's expiry is pushed forward, so that
// authenticating a request is a read, not a write, almost always.
const slideEvery = time.Minute

var errUnauthenticated = &api.Error{Code: api.CodeUnauthenticated, Message: "Please sign in again."}

// ListTokens returns a clinician's live tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, clinicianID string) ([]APIToken, error) {
	var ts []APIToken
	err := s.db.WithContext(ctx).
		Where("clinician_id = ? AND revoked_at IS NULL AND expires_at > ?", clinicianID, s.now()).
		Order("created_at DESC, id DESC").Find(&ts).Error
	return ts, dbError(err, "Token")
}

// RevokeToken revokes one of the clinician's tokens.
func (s *Store) RevokeToken(ctx context.Context, clinicianID, tokenID string) error {
	if !ValidID(tokenID) {
		return ErrNotFound("Token")
	}
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&APIToken{}).
			Where("id = ? AND clinician_id = ? AND revoked_at IS NULL", tokenID, clinicianID).
			Update("revoked_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound("Token")
		}
		return audit.RecordTx(ctx, tx, audit.TokenRevoke, tokenID)
	})
	if err != nil {
		return dbError(err, "Token")
	}
	s.evictTokens(func(t *APIToken) bool { return t.ID == tokenID })
	return nil
}
