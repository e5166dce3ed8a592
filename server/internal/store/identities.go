package store

import (
	"context"
	"encoding/json"
	"strings"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/shared/api"
)

// refreshProfile brings the email and name the provider gives now to the
// clinician and the identity, in the sign-in's transaction, and audits a
// change (which fields, not their values).
func (s *Store) refreshProfile(ctx context.Context, tx *gorm.DB, c *Clinician, provider, subject, email, name string) error {
	email, name = strings.TrimSpace(email), strings.TrimSpace(name)
	updates := map[string]any{}
	var fields []string
	if email != "" && email != c.Email {
		updates["email"], c.Email = email, email
		fields = append(fields, "email")
	}
	if name != "" && name != c.Name {
		updates["name"], c.Name = name, name
		fields = append(fields, "name")
	}
	if email != "" {
		err := tx.Model(&Identity{}).Where("provider = ? AND subject = ? AND email <> ?", provider, subject, email).
			Update("email", email).Error
		if err != nil {
			return err
		}
	}
	if len(fields) == 0 {
		return nil
	}
	c.UpdatedAt = s.now()
	updates["updated_at"] = c.UpdatedAt
	if err := tx.Model(&Clinician{}).Where("id = ?", c.ID).Updates(updates).Error; err != nil {
		return err
	}
	detail, err := json.Marshal(map[string][]string{"changed": fields})
	if err != nil {
		return err
	}
	return audit.RecordDetailTx(ctx, tx, audit.ProfileRefresh, c.ID, string(detail))
}

// Identities returns the clinician's sign-in identities, oldest first.
func (s *Store) Identities(ctx context.Context, clinicianID string) ([]Identity, error) {
	var ids []Identity
	err := s.db.WithContext(ctx).Where("clinician_id = ?", clinicianID).Order("created_at, id").Find(&ids).Error
	return ids, dbError(err, "Identity")
}

var errLastIdentity = &api.Error{Code: api.CodeConflict,
	Message: "This is your only way to sign in: link another sign-in before removing this one."}

// UnlinkIdentity removes one of the clinician's sign-in identities, never
// the last one.
func (s *Store) UnlinkIdentity(ctx context.Context, clinicianID, id string) error {
	if !ValidID(id) {
		return ErrNotFound("Identity")
	}
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		var ident Identity
		if err := tx.Where("id = ? AND clinician_id = ?", id, clinicianID).Take(&ident).Error; err != nil {
			return err
		}
		// Two unlinks at once must not both see a second identity left
		// (SQLite's transactions already run one at a time).
		if s.dialect == config.Postgres {
			if err := tx.Exec("SELECT id FROM clinicians WHERE id = ? FOR UPDATE", clinicianID).Error; err != nil {
				return err
			}
		}
		var n int64
		if err := tx.Model(&Identity{}).Where("clinician_id = ?", clinicianID).Count(&n).Error; err != nil {
			return err
		}
		if n <= 1 {
			return errLastIdentity
		}
		if err := tx.Where("id = ? AND clinician_id = ?", id, clinicianID).Delete(&Identity{}).Error; err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.IdentityUnlink, id)
	})
	return dbError(err, "Identity")
}
