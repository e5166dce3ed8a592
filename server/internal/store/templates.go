package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/audit"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// CustomTemplate is a clinician's own note template. Sections is the JSON
// of []api.TemplateSection.
type CustomTemplate struct {
	ID          string
	ClinicianID string
	Name        string
	Sections    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TemplateSectionsOf decodes a custom template's sections.
func TemplateSectionsOf(raw string) []api.TemplateSection {
	var ss []api.TemplateSection
	_ = json.Unmarshal([]byte(raw), &ss) // written only by this package
	return ss
}

// NoteTemplate is the template as the generator and the matcher use it.
func (t *CustomTemplate) NoteTemplate() note.Template {
	out := note.Template{ID: note.TemplateID(t.ID), Name: t.Name}
	for _, s := range TemplateSectionsOf(t.Sections) {
		out.Sections = append(out.Sections, note.SectionDef{Key: s.Key, Title: s.Title, Aliases: s.Aliases, DrawsFrom: s.DrawsFrom})
	}
	return out
}

// NoteTemplate returns a built-in template or one of the clinician's own.
func (s *Store) NoteTemplate(ctx context.Context, clinicianID, id string) (note.Template, error) {
	if t, ok := note.Lookup(note.TemplateID(id)); ok {
		return t, nil
	}
	ct, err := s.CustomTemplate(ctx, clinicianID, id)
	if err != nil {
		return note.Template{}, err
	}
	return ct.NoteTemplate(), nil
}

// CustomTemplates returns the clinician's own templates by name.
func (s *Store) CustomTemplates(ctx context.Context, clinicianID string) ([]CustomTemplate, error) {
	var ts []CustomTemplate
	err := s.db.WithContext(ctx).Where("clinician_id = ?", clinicianID).Order("name, id").Find(&ts).Error
	return ts, dbError(err, "Template")
}

// CustomTemplate returns one of the clinician's own templates.
func (s *Store) CustomTemplate(ctx context.Context, clinicianID, id string) (*CustomTemplate, error) {
	return owned[CustomTemplate](ctx, s, clinicianID, id, "Template")
}

var errBuiltinTemplate = &api.Error{Code: api.CodeConflict, Message: "Built-in templates cannot be changed; create your own template instead."}

// CreateTemplate adds a template of the clinician's own.
func (s *Store) CreateTemplate(ctx context.Context, clinicianID string, req api.TemplateRequest) (*CustomTemplate, error) {
	if req.Name == nil {
		return nil, invalid("name", "Name the template.")
	}
	if req.Sections == nil {
		return nil, invalid("sections", "Add at least one section.")
	}
	now := s.now()
	t := &CustomTemplate{ID: NewID(), ClinicianID: clinicianID, CreatedAt: now, UpdatedAt: now}
	if err := s.applyTemplate(ctx, t, req); err != nil {
		return nil, err
	}
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return audit.RecordTx(ctx, tx, audit.TemplateWrite, t.ID)
	})
	if err != nil {
		return nil, dbError(err, "Template")
	}
	return t, nil
}

// UpdateTemplate renames a template or replaces its sections. Notes
// already written keep their sections as they were.
func (s *Store) UpdateTemplate(ctx context.Context, clinicianID, id string, req api.TemplateRequest) (*CustomTemplate, error) {
	if _, ok := note.Lookup(note.TemplateID(id)); ok {
		return nil, errBuiltinTemplate
	}
	t, err := s.CustomTemplate(ctx, clinicianID, id)
	if err != nil {
		return nil, err
	}
	if err := s.applyTemplate(ctx, t, req); err != nil {
		return nil, err
	}
	t.UpdatedAt = s.now()
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&CustomTemplate{}).Where("id = ? AND clinician_id = ?", id, clinicianID).
			Updates(map[string]any{"name": t.Name, "sections": t.Sections, "updated_at": t.UpdatedAt})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return audit.RecordTx(ctx, tx, audit.TemplateWrite, id)
	})
	if err != nil {
		return nil, dbError(err, "Template")
	}
	return t, nil
}

// DeleteTemplate deletes one of the clinician's templates. Its notes keep
// their sections; a note still being written from it fails with a reason.
func (s *Store) DeleteTemplate(ctx context.Context, clinicianID, id string) error {
	if _, ok := note.Lookup(note.TemplateID(id)); ok {
		return errBuiltinTemplate
	}
	if !ValidID(id) {
		return ErrNotFound("Template")
	}
	err := s.Transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND clinician_id = ?", id, clinicianID).Delete(&CustomTemplate{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return audit.RecordTx(ctx, tx, audit.TemplateDelete, id)
	})
	return dbError(err, "Template")
}

// applyTemplate validates req and sets the fields it has on t.
func (s *Store) applyTemplate(ctx context.Context, t *CustomTemplate, req api.TemplateRequest) error {
	if req.Name != nil {
		name, err := templateText("name", *req.Name)
		if err != nil {
			return err
		}
		if err := s.checkTemplateName(ctx, t, name); err != nil {
			return err
		}
		t.Name = name
	}
	if req.Sections != nil {
		sections, err := cleanTemplateSections(req.Sections)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(sections)
		t.Sections = string(raw)
	}
	return nil
}

// checkTemplateName refuses a name another of the clinician's templates, or
// a built-in one, already has: one list, each name once.
func (s *Store) checkTemplateName(ctx context.Context, t *CustomTemplate, name string) error {
	taken := &api.Error{Code: api.CodeConflict, Field: "name", Message: "You already have a template named " + quote(name) + "; choose another name."}
	for _, b := range note.Templates() {
		if fold(b.Name) == fold(name) || fold(string(b.ID)) == fold(name) {
			return taken
		}
	}
	mine, err := s.CustomTemplates(ctx, t.ClinicianID)
	if err != nil {
		return err
	}
	for _, o := range mine {
		if o.ID != t.ID && fold(o.Name) == fold(name) {
			return taken
		}
	}
	return nil
}

// templateText checks a name, title or alias: one line, 1 to
// api.MaxTemplateText characters.
func templateText(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", invalid(field, field+" must not be empty.")
	case utf8.RuneCountInString(v) > api.MaxTemplateText:
		return "", invalid(field, field+" is 80 characters at most.")
	case hasHiddenControls(v):
		return "", invalid(field, field+" is one line of text, without control or text-direction characters.")
	}
	return v, nil
}

// cleanTemplateSections validates sections and gives each a key.
func cleanTemplateSections(in []api.TemplateSection) ([]api.TemplateSection, error) {
	if len(in) == 0 || len(in) > api.MaxTemplateSections {
		return nil, invalid("sections", "A template has 1 to 20 sections.")
	}
	kinds := note.Kinds()
	out := make([]api.TemplateSection, len(in))
	titles, keys := map[string]bool{}, map[string]bool{}
	for i, sec := range in {
		at := "sections[" + strconv.Itoa(i) + "]"
		title, err := templateText(at+".title", sec.Title)
		if err != nil {
			return nil, err
		}
		if titles[fold(title)] {
			return nil, invalid(at+".title", "Two sections are titled "+quote(title)+".")
		}
		titles[fold(title)] = true
		if len(sec.Aliases) > api.MaxTemplateAliases {
			return nil, invalid(at+".aliases", "A section has 20 aliases at most.")
		}
		aliases := []string{}
		for j, a := range sec.Aliases {
			a, err := templateText(at+".aliases["+strconv.Itoa(j)+"]", a)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(aliases, func(o string) bool { return fold(o) == fold(a) }) {
				aliases = append(aliases, a)
			}
		}
		if len(sec.DrawsFrom) == 0 {
			return nil, invalid(at+".draws_from", "Choose the built-in sections this one is written from ("+strings.Join(kinds, ", ")+").")
		}
		var from []string
		for j, k := range sec.DrawsFrom {
			if !slices.Contains(kinds, k) {
				return nil, invalid(at+".draws_from["+strconv.Itoa(j)+"]", "draws_from may name "+strings.Join(kinds, ", ")+".")
			}
			if !slices.Contains(from, k) {
				from = append(from, k)
			}
		}
		out[i] = api.TemplateSection{Key: sec.Key, Title: title, Aliases: aliases, DrawsFrom: from}
	}
	// Keys the client sent back first, so a derived key never takes one.
	for i, sec := range out {
		if sec.Key == "" {
			continue
		}
		if !validSectionKey(sec.Key) {
			return nil, invalid("sections["+strconv.Itoa(i)+"].key", "A key is 1 to 40 lower-case letters, digits or _, starting with a letter.")
		}
		if keys[sec.Key] {
			return nil, invalid("sections["+strconv.Itoa(i)+"].key", "Two sections have the key "+quote(sec.Key)+".")
		}
		keys[sec.Key] = true
	}
	for i := range out {
		if out[i].Key != "" {
			continue
		}
		base := slugKey(out[i].Title)
		key := base
		for n := 2; keys[key]; n++ {
			key = base + "_" + strconv.Itoa(n)
		}
		keys[key] = true
		out[i].Key = key
	}
	return out, nil
}

func validSectionKey(k string) bool {
	if k == "" || len(k) > 40 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// slugKey derives a section key from its title: "Risk assessment" is
// risk_assessment.
func slugKey(title string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(title) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	k := strings.TrimRight(b.String(), "_")
	if len(k) > 34 {
		k = strings.TrimRight(k[:34], "_")
	}
	if k == "" || k[0] < 'a' || k[0] > 'z' {
		k = "section_" + k
	}
	return strings.TrimRight(k, "_")
}
