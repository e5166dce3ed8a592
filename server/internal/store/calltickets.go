package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/shared/api"
)

// CallTicket opens one call signalling socket, once, before it expires.
// Only a hash of the ticket is stored.
type CallTicket struct {
	TicketHash  string `gorm:"primaryKey"`
	SessionID   string
	ClinicianID string
	Role        string // api.CallRoleClinician or api.CallRoleGuest
	ExpiresAt   time.Time
	CreatedAt   time.Time
}

// ErrCallTicketInvalid answers a ticket that is unknown, used, expired, of
// another session or role, or of a session that has ended.
var ErrCallTicketInvalid = errors.New("call ticket unknown, used or expired")

// errCallNotOpen refuses a ticket for a session that cannot hold a call.
var errCallNotOpen = &api.Error{Code: api.CodeConflict, Message: "Only an open telehealth session can hold a call."}

// IssueCallTicket creates a ticket for role in the clinician's session,
// which must be an open telehealth session. It also clears the session's
// expired tickets.
func (s *Store) IssueCallTicket(ctx context.Context, clinicianID, sessionID, role string, ttl time.Duration) (ticket string, expiresAt time.Time, err error) {
	sess, err := s.Session(ctx, clinicianID, sessionID)
	if err != nil {
		return "", time.Time{}, err
	}
	if sess.Type != string(api.SessionTelehealth) || sess.EndedAt != nil {
		return "", time.Time{}, errCallNotOpen
	}
	var raw [joinCodeBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, err
	}
	ticket = base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	t := &CallTicket{
		TicketHash: hashJoinCode(ticket), SessionID: sessionID, ClinicianID: clinicianID,
		Role: role, ExpiresAt: now.Add(ttl), CreatedAt: now,
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("session_id = ? AND expires_at <= ?", sessionID, now).Delete(&CallTicket{}).Error; err != nil {
			return err
		}
		return tx.Create(t).Error
	})
	if err != nil {
		return "", time.Time{}, dbError(err, "Session")
	}
	return ticket, t.ExpiresAt, nil
}

// UseCallTicket spends a ticket for role in sessionID and returns it. It
// answers ErrCallTicketInvalid for any ticket that does not open exactly
// that, now; a ticket for another session is not spent by the attempt.
func (s *Store) UseCallTicket(ctx context.Context, ticket, sessionID, role string) (*CallTicket, error) {
	if ticket == "" || len(ticket) > 64 || !ValidID(sessionID) {
		return nil, ErrCallTicketInvalid
	}
	var t CallTicket
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Where("ticket_hash = ? AND session_id = ? AND role = ? AND expires_at > ?", hashJoinCode(ticket), sessionID, role, s.now()).
			Take(&t).Error
		if err != nil {
			return err
		}
		res := tx.Where("ticket_hash = ?", t.TicketHash).Delete(&CallTicket{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 { // spent concurrently
			return gorm.ErrRecordNotFound
		}
		var open int64
		err = tx.Model(&Session{}).Where("id = ? AND ended_at IS NULL", sessionID).Count(&open).Error
		if err == nil && open == 0 {
			return gorm.ErrRecordNotFound
		}
		return err
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrCallTicketInvalid
	}
	if err != nil {
		return nil, dbError(err, "Session")
	}
	return &t, nil
}

// SessionOpen reports whether a session exists, is not deleted and has not
// ended: a call's sockets check it now and then, so an end made on another
// replica reaches them too.
func (s *Store) SessionOpen(ctx context.Context, sessionID string) (bool, error) {
	var open int64
	err := s.db.WithContext(ctx).Model(&Session{}).Where("id = ? AND ended_at IS NULL", sessionID).Count(&open).Error
	return open == 1, err
}
