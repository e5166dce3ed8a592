package store

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/sidenote/sidenote/server/internal/seal"
)

// sealedColumns are the columns that hold clinical text, by table: they are
// encrypted at rest. Every read and write of these models through GORM goes
// through the callbacks below, so no store method can forget to seal or
// open them.
var sealedColumns = map[string][]string{
	"notes":              {"sections", "left_out"},
	"note_versions":      {"sections"},
	"note_addenda":       {"text"},
	"session_sources":    {"text"},
	"session_amendments": {"old_value", "new_value", "reason"},
	"clients":            {"display_name", "external_ref"},
	"telehealth_links":   {"join_code"},
}

// sealing is a GORM plugin that seals sealedColumns before INSERT and
// UPDATE and opens them after SELECT. Values are bound to their column
// ("notes.sections") so a ciphertext copied elsewhere does not open.
type sealing struct{ keys *seal.Keyring }

func (sealing) Name() string { return "sidenote:sealing" }

func (p sealing) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	if err := cb.Create().Before("gorm:create").Register("sidenote:seal_create", p.sealModels); err != nil {
		return err
	}
	// The caller keeps using the struct it created: give it its text back.
	if err := cb.Create().After("gorm:create").Register("sidenote:open_created", p.openModels); err != nil {
		return err
	}
	if err := cb.Update().Before("gorm:update").Register("sidenote:seal_update", p.sealUpdate); err != nil {
		return err
	}
	if err := cb.Update().After("gorm:update").Register("sidenote:open_updated", p.openModels); err != nil {
		return err
	}
	return cb.Query().After("gorm:query").Register("sidenote:open_query", p.openModels)
}

// sealedFields returns the schema fields to seal in the statement's model,
// or nil when it has none.
func sealedFields(tx *gorm.DB) []*schema.Field {
	sch := tx.Statement.Schema
	if sch == nil {
		return nil
	}
	var fields []*schema.Field
	for _, col := range sealedColumns[sch.Table] {
		if f := sch.LookUpField(col); f != nil {
			fields = append(fields, f)
		}
	}
	return fields
}

func aad(sch *schema.Schema, f *schema.Field) string { return sch.Table + "." + f.DBName }

// eachModel calls fn on every model value the statement carries: one struct
// or the elements of a slice. Other destinations (Pluck into []string, say)
// are not models and are left alone.
func eachModel(tx *gorm.DB, fn func(rv reflect.Value) error) error {
	rv := reflect.Indirect(tx.Statement.ReflectValue)
	modelType := tx.Statement.Schema.ModelType
	switch rv.Kind() {
	case reflect.Struct:
		if rv.Type() == modelType {
			return fn(rv)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			if el := reflect.Indirect(rv.Index(i)); el.Kind() == reflect.Struct && el.Type() == modelType {
				if err := fn(el); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (p sealing) sealModels(tx *gorm.DB) {
	p.transformModels(tx, func(v, aad string) (string, error) { return p.keys.Seal(v, aad), nil })
}

func (p sealing) openModels(tx *gorm.DB) {
	p.transformModels(tx, func(v, aad string) (string, error) { return openWith(p.keys, v, aad) })
}

// openWith opens v, sealed for column aad, with keys; a value written
// before encryption passes as is (rotate-key seals it).
func openWith(keys *seal.Keyring, v, aad string) (string, error) {
	if !seal.IsSealed(v) {
		return v, nil
	}
	plain, err := keys.Open(v, aad)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", aad, err)
	}
	return plain, nil
}

// transformModels replaces each sealed field of the statement's models
// with fn(value, column).
func (p sealing) transformModels(tx *gorm.DB, fn func(v, aad string) (string, error)) {
	fields := sealedFields(tx)
	if len(fields) == 0 || tx.Error != nil {
		return
	}
	ctx := tx.Statement.Context
	err := eachModel(tx, func(rv reflect.Value) error {
		for _, f := range fields {
			v, _ := f.ValueOf(ctx, rv)
			var set any
			switch s := v.(type) {
			case string:
				out, err := fn(s, aad(tx.Statement.Schema, f))
				if err != nil {
					return err
				}
				set = out
			case *string: // a nullable column: NULL stays NULL
				if s == nil {
					continue
				}
				out, err := fn(*s, aad(tx.Statement.Schema, f))
				if err != nil {
					return err
				}
				set = &out
			default:
				continue
			}
			if err := f.Set(ctx, rv, set); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tx.AddError(err)
	}
}

// sealUpdate seals sealed columns in Updates(map) and Update(col, value);
// updates from a struct go through sealModels.
func (p sealing) sealUpdate(tx *gorm.DB) {
	fields := sealedFields(tx)
	if len(fields) == 0 || tx.Error != nil {
		return
	}
	values, ok := tx.Statement.Dest.(map[string]any)
	if !ok {
		p.sealModels(tx)
		return
	}
	for _, f := range fields {
		for _, name := range []string{f.DBName, f.Name} {
			switch s := values[name].(type) {
			case string:
				values[name] = p.keys.Seal(s, aad(tx.Statement.Schema, f))
			case *string:
				if s != nil {
					sealed := p.keys.Seal(*s, aad(tx.Statement.Schema, f))
					values[name] = &sealed
				}
			}
		}
	}
}

// openClient opens the sealed columns of a client read outside its own
// statement: joined to a session, or scanned by hand (ListSessions).
func (s *Store) openClient(c *Client) error {
	if c == nil {
		return nil
	}
	name, err := s.openColumn(c.DisplayName, "clients.display_name")
	if err != nil {
		return err
	}
	c.DisplayName = name
	if c.ExternalRef != nil {
		ref, err := s.openColumn(*c.ExternalRef, "clients.external_ref")
		if err != nil {
			return err
		}
		c.ExternalRef = &ref
	}
	return nil
}

// openColumn opens one sealed value of column ("table.column").
func (s *Store) openColumn(v, column string) (string, error) { return openWith(s.keys, v, column) }
