package store

import (
	"context"

	"github.com/sidenote/sidenote/shared/api"
)

// errSessionUnassigned refuses a treatment plan for a session that belongs
// to no client: a plan follows a person across sessions.
var errSessionUnassigned = &api.Error{
	Code:    api.CodeSessionUnassigned,
	Message: "This session is not assigned to a client. Assign it to a client first (a pseudonymous profile works), then build the treatment plan.",
}

// ClientOfSession returns the client a session is assigned to, or a
// session_unassigned error for an anonymous or not yet assigned session.
func (s *Store) ClientOfSession(ctx context.Context, clinicianID, sessionID string) (string, error) {
	sess, err := s.Session(ctx, clinicianID, sessionID)
	if err != nil {
		return "", err
	}
	if sess.ClientID == nil {
		return "", errSessionUnassigned
	}
	return *sess.ClientID, nil
}

// SignedNotesOfClient returns the signed notes of a client's sessions,
// oldest first: the only notes a treatment plan may draw from.
func (s *Store) SignedNotesOfClient(ctx context.Context, clinicianID, clientID string) ([]Note, error) {
	if _, err := s.Client(ctx, clinicianID, clientID); err != nil {
		return nil, err
	}
	var ns []Note
	// Find, not Scan: Scan skips the query callbacks that open sealed text.
	err := s.db.WithContext(ctx).Model(&Note{}).Select("notes.*").
		Joins("JOIN sessions ON sessions.id = notes.session_id AND sessions.deleted_at IS NULL").
		Where("notes.clinician_id = ? AND sessions.clinician_id = ? AND sessions.client_id = ? AND notes.signed_at IS NOT NULL",
			clinicianID, clinicianID, clientID).
		Order("notes.signed_at, notes.id").Find(&ns).Error
	return ns, dbError(err, "Client")
}
