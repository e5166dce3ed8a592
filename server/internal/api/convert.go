package api

import (
	"encoding/json"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

func toClient(c *store.Client) *api.Client {
	if c == nil {
		return nil
	}
	return &api.Client{
		ID: c.ID, DisplayName: c.DisplayName, Kind: api.ClientKind(c.Kind), ExternalRef: c.ExternalRef,
		ArchivedAt: c.ArchivedAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func toSession(s *store.Session) api.Session {
	out := api.Session{
		ID: s.ID, Type: api.SessionType(s.Type), Status: api.SessionStatus(s.Status),
		Consent:   api.Consent{Obtained: s.ConsentObtained, Method: api.ConsentMethod(s.ConsentMethod), RecordedAt: &s.ConsentRecordedAt},
		StartedAt: s.StartedAt, EndedAt: s.EndedAt, NoteStatus: api.NoteStatus(s.NoteStatus), Label: s.Label,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
	switch {
	case s.ClientID != nil && s.Client != nil:
		out.Client = toClient(s.Client)
		out.DisplayLabel = s.Client.DisplayName
	case s.Anonymous != nil:
		a := api.Anonymous(*s.Anonymous)
		out.Anonymous = &a
		out.DisplayLabel = a.Label()
	default:
		out.DisplayLabel = "Unassigned"
	}
	return out
}

func toAssignments(hs []store.SessionAssignment) []api.Assignment {
	out := make([]api.Assignment, len(hs))
	for i, h := range hs {
		out[i] = api.Assignment{ClientID: h.ClientID, ChangedAt: h.ChangedAt}
		if h.Anonymous != nil {
			a := api.Anonymous(*h.Anonymous)
			out[i].Anonymous = &a
		}
	}
	return out
}

// toNote is a note with its addenda and, once signed, the amendments of
// its session made since (amendments may hold the session's others too).
func toNote(n *store.Note, addenda []store.NoteAddendum, amendments []store.SessionAmendment) api.Note {
	out := api.Note{
		ID: n.ID, SessionID: n.SessionID, Template: note.TemplateID(n.Template), Status: api.NoteStatus(n.Status),
		FailureReason: n.FailureReason, Sections: store.SectionsOf(n.Sections), Version: n.Version,
		Generator: n.Generator, GeneratorNote: n.GeneratorNote, LeftOut: store.LeftOutOf(n.LeftOut),
		RiskMentioned: n.RiskMentioned, SignedAt: n.SignedAt, Addenda: make([]api.Addendum, len(addenda)),
		Amendments: []api.Amendment{}, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt,
	}
	if n.SignedByID != nil {
		out.SignedBy = &api.Signer{ID: *n.SignedByID}
		if n.SignedByName != nil {
			out.SignedBy.Name = *n.SignedByName
		}
	}
	for i, a := range addenda {
		out.Addenda[i] = api.Addendum{ID: a.ID, Text: a.Text, CreatedAt: a.CreatedAt}
	}
	for _, a := range amendments {
		if n.SignedAt != nil && !a.CreatedAt.Before(*n.SignedAt) {
			out.Amendments = append(out.Amendments, api.Amendment{At: a.CreatedAt, Reason: a.Reason, Field: a.Field, Old: a.OldValue, New: a.NewValue})
		}
	}
	return out
}

func toInsertion(i *store.NoteInsertion) api.Insertion {
	out := api.Insertion{ID: i.ID, NoteID: i.NoteID, Origin: i.Origin, NoteVersion: i.NoteVersion, CreatedAt: i.CreatedAt}
	_ = json.Unmarshal([]byte(i.Fields), &out.Fields) // written by RecordInsertion
	return out
}
