package store

import (
	"context"

	"gorm.io/gorm"
)

// exportBatch is how many clients or sessions an export reads at a time:
// memory stays bounded however much a clinician has written.
const exportBatch = 100

// SessionRecord is a session with everything that hangs off it.
type SessionRecord struct {
	Session    Session // soft-deleted sessions included, DeletedAt set
	History    []SessionAssignment
	Sources    []SessionSource
	Amendments []SessionAmendment // oldest first
	Recording  *Recording
	Telehealth *TelehealthLink
	Notes      []NoteRecord
}

// NoteRecord is a note with all its versions, addenda and insertion receipts.
type NoteRecord struct {
	Note       Note
	Versions   []NoteVersion // oldest first
	Addenda    []NoteAddendum
	Insertions []NoteInsertion
}

// ExportClients calls each with the clinician's clients, archived ones
// included, a batch at a time in id order.
func (s *Store) ExportClients(ctx context.Context, clinicianID string, each func([]Client) error) error {
	return inBatches(func(after string) ([]Client, error) {
		var cs []Client
		err := s.db.WithContext(ctx).Where("clinician_id = ? AND id > ?", clinicianID, after).
			Order("id").Limit(exportBatch).Find(&cs).Error
		return cs, err
	}, func(c Client) string { return c.ID }, each)
}

// ExportSessions calls each with the clinician's sessions, deleted ones
// included, each with its history, sources, recording metadata, telehealth
// link and notes, a batch at a time in id order. Every model is read through
// GORM, so sealed columns arrive opened.
func (s *Store) ExportSessions(ctx context.Context, clinicianID string, each func([]SessionRecord) error) error {
	return inBatches(func(after string) ([]SessionRecord, error) {
		var ss []Session
		err := s.db.WithContext(ctx).Unscoped().Joins("Client").
			Where("sessions.clinician_id = ? AND sessions.id > ?", clinicianID, after).
			Order("sessions.id").Limit(exportBatch).Find(&ss).Error
		if err != nil || len(ss) == 0 {
			return nil, err
		}
		for i := range ss {
			if err := s.openClient(ss[i].Client); err != nil { // joined: not opened by the plugin
				return nil, err
			}
		}
		return s.sessionRecords(ctx, clinicianID, ss)
	}, func(r SessionRecord) string { return r.Session.ID }, each)
}

// sessionRecords loads what hangs off a batch of sessions, one query per
// table.
func (s *Store) sessionRecords(ctx context.Context, clinicianID string, ss []Session) ([]SessionRecord, error) {
	db := s.db.WithContext(ctx)
	ids := make([]string, len(ss))
	records := make([]SessionRecord, len(ss))
	bySession := make(map[string]*SessionRecord, len(ss))
	for i := range ss {
		ids[i] = ss[i].ID
		records[i] = SessionRecord{Session: ss[i], History: []SessionAssignment{}, Sources: []SessionSource{}, Notes: []NoteRecord{}}
		bySession[ss[i].ID] = &records[i]
	}
	mine := func(table string) *gorm.DB {
		return db.Where(table+".clinician_id = ? AND "+table+".session_id IN ?", clinicianID, ids)
	}

	var history []SessionAssignment
	if err := mine("session_assignments").Order("changed_at, id").Find(&history).Error; err != nil {
		return nil, err
	}
	for _, h := range history {
		r := bySession[h.SessionID]
		r.History = append(r.History, h)
	}
	var sources []SessionSource
	if err := mine("session_sources").Order("kind").Find(&sources).Error; err != nil {
		return nil, err
	}
	for _, src := range sources {
		r := bySession[src.SessionID]
		r.Sources = append(r.Sources, src)
	}
	var amendments []SessionAmendment
	if err := mine("session_amendments").Order("created_at, id").Find(&amendments).Error; err != nil {
		return nil, err
	}
	for _, a := range amendments {
		r := bySession[a.SessionID]
		r.Amendments = append(r.Amendments, a)
	}
	var recs []Recording
	if err := mine("recordings").Find(&recs).Error; err != nil {
		return nil, err
	}
	for i := range recs {
		bySession[recs[i].SessionID].Recording = &recs[i]
	}
	var links []TelehealthLink
	if err := mine("telehealth_links").Find(&links).Error; err != nil {
		return nil, err
	}
	for i := range links {
		bySession[links[i].SessionID].Telehealth = &links[i]
	}

	var notes []Note
	if err := mine("notes").Order("created_at, id").Find(&notes).Error; err != nil {
		return nil, err
	}
	if len(notes) == 0 {
		return records, nil
	}
	noteIDs := make([]string, len(notes))
	noteRecords := make(map[string]*NoteRecord, len(notes))
	for i, n := range notes {
		noteIDs[i] = n.ID
		r := bySession[n.SessionID]
		r.Notes = append(r.Notes, NoteRecord{Note: n, Versions: []NoteVersion{}, Addenda: []NoteAddendum{}, Insertions: []NoteInsertion{}})
	}
	for i := range records {
		for j := range records[i].Notes {
			noteRecords[records[i].Notes[j].Note.ID] = &records[i].Notes[j]
		}
	}
	// note_versions has no clinician_id: the notes above are the caller's.
	var versions []NoteVersion
	if err := db.Where("note_id IN ?", noteIDs).Order("note_id, version").Find(&versions).Error; err != nil {
		return nil, err
	}
	for _, v := range versions {
		n := noteRecords[v.NoteID]
		n.Versions = append(n.Versions, v)
	}
	var addenda []NoteAddendum
	if err := db.Where("clinician_id = ? AND note_id IN ?", clinicianID, noteIDs).Order("created_at, id").Find(&addenda).Error; err != nil {
		return nil, err
	}
	for _, a := range addenda {
		n := noteRecords[a.NoteID]
		n.Addenda = append(n.Addenda, a)
	}
	var insertions []NoteInsertion
	if err := db.Where("clinician_id = ? AND note_id IN ?", clinicianID, noteIDs).Order("created_at, id").Find(&insertions).Error; err != nil {
		return nil, err
	}
	for _, in := range insertions {
		n := noteRecords[in.NoteID]
		n.Insertions = append(n.Insertions, in)
	}
	return records, nil
}

// inBatches pages through rows by id: next returns the batch after the
// given id ("" for the first), each receives every non-empty batch.
func inBatches[T any](next func(after string) ([]T, error), idOf func(T) string, each func([]T) error) error {
	after := ""
	for {
		batch, err := next(after)
		if err != nil {
			return dbError(err, "Export")
		}
		if len(batch) == 0 {
			return nil
		}
		if err := each(batch); err != nil {
			return err
		}
		if len(batch) < exportBatch {
			return nil
		}
		after = idOf(batch[len(batch)-1])
	}
}
