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
)

// TelehealthLink is a guest's way into a telehealth session. The join code
// is found by its hash and kept sealed (JoinCode, so the clinician can copy
// the link again); nothing is kept about the guest but when they joined and
// consented: their email is never stored.
type TelehealthLink struct {
	SessionID        string `gorm:"primaryKey"`
	ClinicianID      string
	CodeHash         string
	JoinCode         string // sealed at rest (sealing.go)
	ExpiresAt        time.Time
	GuestJoinedAt    *time.Time
	GuestConsentedAt *time.Time
	CreatedAt        time.Time
}

// ErrJoinLinkInvalid answers a join code that is unknown or expired; the
// guest page shows one message for both.
var ErrJoinLinkInvalid = errors.New("join link unknown or expired")

// joinCodeBytes is 128 bits: guessing a live code is hopeless.
const joinCodeBytes = 16

// hashJoinCode is what is stored and looked up for a code.
func hashJoinCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// OpenTelehealthLink creates a join code for a telehealth session, replacing
// any earlier one, and returns the code.
func (s *Store) OpenTelehealthLink(ctx context.Context, clinicianID, sessionID string, ttl time.Duration) (code string, link *TelehealthLink, err error) {
	if _, err := s.Session(ctx, clinicianID, sessionID); err != nil {
		return "", nil, err
	}
	var raw [joinCodeBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	code = base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	link = &TelehealthLink{
		SessionID: sessionID, ClinicianID: clinicianID, CodeHash: hashJoinCode(code), JoinCode: code,
		ExpiresAt: now.Add(ttl), CreatedAt: now,
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Delete(&TelehealthLink{}).Error; err != nil {
			return err
		}
		return tx.Create(link).Error
	})
	if err != nil {
		return "", nil, dbError(err, "Session")
	}
	return code, link, nil
}

// TelehealthLinkByCode finds the live link for a join code: unexpired, of a
// session that has not ended.
func (s *Store) TelehealthLinkByCode(ctx context.Context, code string) (*TelehealthLink, error) {
	if code == "" || len(code) > 64 {
		return nil, ErrJoinLinkInvalid
	}
	var link TelehealthLink
	// A link dies with its session's end (or deletion) as well as by expiry.
	err := s.db.WithContext(ctx).Model(&TelehealthLink{}).Select("telehealth_links.*").
		Joins("JOIN sessions ON sessions.id = telehealth_links.session_id AND sessions.ended_at IS NULL AND sessions.deleted_at IS NULL").
		Where("telehealth_links.code_hash = ? AND telehealth_links.expires_at > ?", hashJoinCode(code), s.now()).
		Take(&link).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrJoinLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	return &link, nil
}

// RecordGuestJoin notes that the guest holding code joined and consented,
// and when. The first join is kept; joining again (a reload, a second
// device) changes nothing.
func (s *Store) RecordGuestJoin(ctx context.Context, code string) (*TelehealthLink, error) {
	link, err := s.TelehealthLinkByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if link.GuestJoinedAt != nil {
		return link, nil
	}
	now := s.now()
	res := s.db.WithContext(ctx).Model(&TelehealthLink{}).
		Where("session_id = ? AND guest_joined_at IS NULL", link.SessionID).
		Updates(map[string]any{"guest_joined_at": now, "guest_consented_at": now})
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 1 {
		link.GuestJoinedAt, link.GuestConsentedAt = &now, &now
	}
	return link, nil
}

// TelehealthLinkOf returns a session's join link state for its clinician.
func (s *Store) TelehealthLinkOf(ctx context.Context, clinicianID, sessionID string) (*TelehealthLink, error) {
	var link TelehealthLink
	err := s.db.WithContext(ctx).Where("session_id = ? AND clinician_id = ?", sessionID, clinicianID).Take(&link).Error
	if err != nil {
		return nil, dbError(err, "Telehealth link")
	}
	return &link, nil
}
