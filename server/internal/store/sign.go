package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
)

var errSessionOpen = &api.Error{Code: api.CodeSessionOpen, Field: "end_session",
	Message: "This note's session has not ended: end it as you sign (send end_session), so the session and its note agree."}

// SignNote signs a ready note at the version the clinician saw; it can no
// longer be edited afterwards. A signed note's session is always ended: if
// it has not ended, req.EndSession must be given and ends it (as EndSession
// does) in the signing's transaction. The session's recording, unless the
// clinician keeps it, is to be deleted at deleteRecordingAt: purge
// schedules that in the same transaction.
func (s *Store) SignNote(ctx context.Context, clinicianID, id string, req api.SignNoteRequest, deleteRecordingAt time.Time, purge Enqueue) (*Note, error) {
	n, err := s.Note(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	if err := checkEditable(n); err != nil {
		return nil, err
	}
	if n.Status == string(api.NoteFailed) {
		return nil, &api.Error{Code: api.CodeConflict, Message: "This note has no content yet: retry generating it or write it first."}
	}
	if req.Version < 1 {
		return nil, invalid("version", "Send the version of the note you are signing.")
	}
	if req.Version != n.Version {
		return nil, errVersionConflict
	}
	signer, err := s.ClinicianByID(ctx, clinicianID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sign := func(tx *gorm.DB) error {
		res := tx.Model(&Note{}).Where("id = ? AND clinician_id = ? AND status = ? AND version = ?", id, clinicianID, api.NoteReady, req.Version).
			Updates(map[string]any{"status": string(api.NoteSigned), "signed_at": now, "signed_by_id": signer.ID, "signed_by_name": signer.Name, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			// Signed or edited since it was read above.
			return errVersionConflict
		}
		if err := setSessionNoteStatus(tx, clinicianID, n.SessionID, api.NoteSigned); err != nil {
			return err
		}
		if err := scheduleRecordingDeletion(tx, clinicianID, n.SessionID, deleteRecordingAt, purge); err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.NoteSign, id)
	}
	if req.EndSession != nil {
		end := req.EndSession
		_, err = s.reassign(ctx, clinicianID, n.SessionID, end.ClientID, end.Anonymous, end.Reason, true, audit.SessionEnd, sign)
	} else {
		err = s.Transaction(ctx, func(tx *gorm.DB) error {
			// Read in the transaction: a session ended meanwhile is fine,
			// one that is still open is refused.
			var sess Session
			if err := tx.Unscoped().Select("status").Where("id = ? AND clinician_id = ?", n.SessionID, clinicianID).Take(&sess).Error; err != nil {
				return err
			}
			if sess.Status != string(api.SessionEnded) {
				return errSessionOpen
			}
			return sign(tx)
		})
	}
	if err != nil {
		return nil, dbError(err, "Note")
	}
	n.Status, n.SignedAt, n.UpdatedAt = string(api.NoteSigned), &now, now
	n.SignedByID, n.SignedByName = &signer.ID, &signer.Name
	return n, nil
}
