package store

import (
	"context"

	"gorm.io/gorm"
)

// ForgetJobs removes, inside the transaction that deletes an account, the
// background jobs that name the clinician (the job queue knows how).
type ForgetJobs func(tx *gorm.DB, clinicianID string) error

// AccountSessionIDs returns the ids of all the clinician's sessions, deleted
// ones included: their files are kept under SessionFilesKey.
func (s *Store) AccountSessionIDs(ctx context.Context, clinicianID string) ([]string, error) {
	return accountSessionIDs(s.db.WithContext(ctx), clinicianID)
}

func accountSessionIDs(db *gorm.DB, clinicianID string) ([]string, error) {
	var ids []string
	err := db.Model(&Session{}).Unscoped().Where("clinician_id = ?", clinicianID).Order("id").Pluck("id", &ids).Error
	return ids, dbError(err, "Clinician")
}

// DeleteAccount deletes a clinician and every row they own in one
// transaction: the schema cascades from clinicians to each table (tokens,
// browser sessions and identities included), and forget removes their jobs.
// It returns the ids of the sessions that were deleted, so the caller can
// delete their recordings, which live outside the database.
func (s *Store) DeleteAccount(ctx context.Context, clinicianID string, forget ForgetJobs) (sessionIDs []string, err error) {
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		var err error
		if sessionIDs, err = accountSessionIDs(tx, clinicianID); err != nil {
			return err
		}
		if forget != nil {
			if err := forget(tx, clinicianID); err != nil {
				return err
			}
		}
		res := tx.Where("id = ?", clinicianID).Delete(&Clinician{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound("Clinician")
		}
		return nil
	})
	if err != nil {
		return nil, dbError(err, "Clinician")
	}
	s.evictTokens(func(t *APIToken) bool { return t.ClinicianID == clinicianID })
	return sessionIDs, nil
}
