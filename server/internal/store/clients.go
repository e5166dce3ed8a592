package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
)

const maxNameLen = 200

func invalid(field, message string) error {
	return &api.Error{Code: api.CodeInvalidField, Field: field, Message: message}
}

func validKind(k api.ClientKind) bool {
	return k == api.ClientIndividual || k == api.ClientCouple
}

func cleanName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", invalid(field, "Enter a name; a pseudonym is fine.")
	case utf8.RuneCountInString(name) > maxNameLen:
		return "", invalid(field, "The name is too long (200 characters at most).")
	}
	return name, nil
}

func cleanExternalRef(ref *string) (*string, error) {
	if ref == nil {
		return nil, nil
	}
	v := strings.TrimSpace(*ref)
	if v == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(v) > maxNameLen {
		return nil, invalid("external_ref", "The external reference is too long (200 characters at most).")
	}
	return &v, nil
}

// CreateClient adds a client profile for the clinician.
func (s *Store) CreateClient(ctx context.Context, clinicianID string, req api.CreateClientRequest) (*Client, error) {
	name, err := cleanName("display_name", req.DisplayName)
	if err != nil {
		return nil, err
	}
	if !validKind(req.Kind) {
		return nil, invalid("kind", "kind must be individual or couple.")
	}
	ref, err := cleanExternalRef(req.ExternalRef)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &Client{
		ID: NewID(), ClinicianID: clinicianID, DisplayName: name, SortName: strings.ToLower(name),
		Kind: string(req.Kind), ExternalRef: ref, CreatedAt: now, UpdatedAt: now,
	}
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.ClientCreate, c.ID)
	})
	if err != nil {
		return nil, dbError(err, "Client")
	}
	return c, nil
}

// Client returns one of the clinician's clients, archived or not.
func (s *Store) Client(ctx context.Context, clinicianID, id string) (*Client, error) {
	if !ValidID(id) {
		return nil, ErrNotFound("Client")
	}
	var c Client
	err := s.db.WithContext(ctx).Where("id = ? AND clinician_id = ?", id, clinicianID).Take(&c).Error
	if err != nil {
		return nil, dbError(err, "Client")
	}
	return &c, nil
}

// ClientFilter selects a page of clients.
type ClientFilter struct {
	Query           string // case-insensitive substring of the display name
	IncludeArchived bool
	Limit           int
	Cursor          string
}

// ListClients returns the clinician's clients by name, a page at a time.
// Anonymous sessions have no client row, so they never appear here.
func (s *Store) ListClients(ctx context.Context, clinicianID string, f ClientFilter) ([]Client, string, error) {
	limit := clampLimit(f.Limit)
	q := s.db.WithContext(ctx).Where("clinician_id = ?", clinicianID)
	if !f.IncludeArchived {
		q = q.Where("archived_at IS NULL")
	}
	if f.Query != "" {
		q = q.Where("sort_name LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(strings.TrimSpace(f.Query)))+"%")
	}
	if f.Cursor != "" {
		name, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("(sort_name, id) > (?, ?)", name, id)
	}
	var cs []Client
	if err := q.Order("sort_name, id").Limit(limit + 1).Find(&cs).Error; err != nil {
		return nil, "", dbError(err, "Client")
	}
	cs, next := TrimPage(cs, limit, func(last Client) string { return encodeCursor(last.SortName, last.ID) })
	return cs, next, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateClient changes the fields present in req.
func (s *Store) UpdateClient(ctx context.Context, clinicianID, id string, req api.UpdateClientRequest) (*Client, error) {
	c, err := s.Client(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	if req.DisplayName != nil {
		if c.DisplayName, err = cleanName("display_name", *req.DisplayName); err != nil {
			return nil, err
		}
		c.SortName = strings.ToLower(c.DisplayName)
	}
	if req.Kind != nil {
		if !validKind(*req.Kind) {
			return nil, invalid("kind", "kind must be individual or couple.")
		}
		c.Kind = string(*req.Kind)
	}
	if req.ExternalRef != nil {
		if c.ExternalRef, err = cleanExternalRef(req.ExternalRef); err != nil {
			return nil, err
		}
	}
	c.UpdatedAt = s.now()
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&Client{}).Where("id = ? AND clinician_id = ?", c.ID, clinicianID).
			Updates(map[string]any{"display_name": c.DisplayName, "sort_name": c.SortName, "kind": c.Kind, "external_ref": c.ExternalRef, "updated_at": c.UpdatedAt}).Error
		if err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.ClientUpdate, c.ID)
	})
	if err != nil {
		return nil, dbError(err, "Client")
	}
	return c, nil
}

// ArchiveClient hides a client from lists; its sessions keep their history.
func (s *Store) ArchiveClient(ctx context.Context, clinicianID, id string) error {
	c, err := s.Client(ctx, clinicianID, id)
	if err != nil {
		return err
	}
	if c.ArchivedAt != nil {
		return nil
	}
	now := s.now()
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&Client{}).Where("id = ? AND clinician_id = ?", id, clinicianID).
			Updates(map[string]any{"archived_at": now, "updated_at": now}).Error
		if err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.ClientArchive, id)
	})
	return dbError(err, "Client")
}
