package store

import (
	"context"
	"sort"
	"strings"
	"unicode"
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
	case hasHiddenControls(name):
		return "", invalid(field, "The name contains control or text-direction characters; type it again without them.")
	}
	return name, nil
}

// hasHiddenControls reports whether s holds control characters (line
// breaks, tabs, NUL...), line or paragraph separators, or the Unicode
// bidirectional controls that make a name display as something else
// (U+202E turns "Robin\u202Eegap" into what looks like "Robinpage").
// Zero-width joiners stay allowed: scripts and emoji need them.
func hasHiddenControls(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return true
		case r == '\u061C', r == '\u200E', r == '\u200F', r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			return true
		}
	}
	return false
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
	if hasHiddenControls(v) {
		return nil, invalid("external_ref", "The external reference contains control or text-direction characters.")
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
		ID: NewID(), ClinicianID: clinicianID, DisplayName: name,
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
	return owned[Client](ctx, s, clinicianID, id, "Client")
}

// ClientFilter selects a page of clients.
type ClientFilter struct {
	Query           string // case-insensitive substring of the display name
	IncludeArchived bool
	Limit           int
	Cursor          string
}

// ListClients returns the clinician's clients by name, a page at a time.
// Anonymous sessions have no client row, so they never appear here. Names
// are sealed, so the database can neither sort nor search them: the
// caller's clients are read and opened, then filtered and sorted here
// (BenchmarkListClients: a few milliseconds for a thousand clients). The
// cursor is the id of a page's last client, never its name.
func (s *Store) ListClients(ctx context.Context, clinicianID string, f ClientFilter) ([]Client, string, error) {
	limit := clampLimit(f.Limit)
	q := s.db.WithContext(ctx).Where("clinician_id = ?", clinicianID)
	if !f.IncludeArchived {
		q = q.Where("archived_at IS NULL")
	}
	var all []Client
	if err := q.Find(&all).Error; err != nil {
		return nil, "", dbError(err, "Client")
	}
	query := searchKey(f.Query)
	keyed := make([]keyedClient, 0, len(all))
	for _, c := range all {
		k := searchKey(c.DisplayName)
		if strings.Contains(k, query) {
			keyed = append(keyed, keyedClient{key: k, client: c})
		}
	}
	sort.Slice(keyed, func(i, j int) bool { return keyed[i].less(keyed[j]) })
	if f.Cursor != "" {
		after, err := s.cursorClient(ctx, clinicianID, f.Cursor)
		if err != nil {
			return nil, "", err
		}
		first := sort.Search(len(keyed), func(i int) bool { return after.less(keyed[i]) })
		keyed = keyed[first:]
	}
	page := make([]Client, 0, min(limit+1, len(keyed)))
	for _, k := range keyed[:min(limit+1, len(keyed))] {
		page = append(page, k.client)
	}
	cs, next := TrimPage(page, limit, func(last Client) string { return encodeCursor("", last.ID) })
	return cs, next, nil
}

// searchKey is how names compare in the clients list: case-insensitively,
// ignoring surrounding space.
func searchKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// keyedClient is a client with its sort key.
type keyedClient struct {
	key    string
	client Client
}

func (k keyedClient) less(o keyedClient) bool {
	if k.key != o.key {
		return k.key < o.key
	}
	return k.client.ID < o.client.ID
}

// cursorClient is the client a page ended with (archived or not).
func (s *Store) cursorClient(ctx context.Context, clinicianID, cursor string) (keyedClient, error) {
	_, id, err := decodeCursor(cursor)
	if err != nil {
		return keyedClient{}, err
	}
	c, err := s.Client(ctx, clinicianID, id)
	if err != nil {
		_, _, err = decodeCursor("")
		return keyedClient{}, err
	}
	return keyedClient{key: searchKey(c.DisplayName), client: *c}, nil
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
			Updates(map[string]any{"display_name": c.DisplayName, "kind": c.Kind, "external_ref": c.ExternalRef, "updated_at": c.UpdatedAt}).Error
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
