package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sidenote/sidenote/server/internal/seal"
)

// EncryptionKey records a key that has sealed data in this database.
type EncryptionKey struct {
	ID          string
	FirstUsedAt time.Time
	RetiredAt   *time.Time
}

// registerKey records the active key before anything is sealed with it, and
// refuses to run with a key file that lacks a key still in use: reads of
// every note sealed with it would fail.
func (s *Store) registerKey(ctx context.Context) error {
	active := s.keys.ActiveID()
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.Assignments(map[string]any{"retired_at": nil}),
	}).Create(&EncryptionKey{ID: active, FirstUsedAt: s.now()}).Error
	if err != nil {
		return fmt.Errorf("record encryption key: %w", err)
	}
	var inUse []string
	if err := s.db.WithContext(ctx).Model(&EncryptionKey{}).Where("retired_at IS NULL").Pluck("id", &inUse).Error; err != nil {
		return fmt.Errorf("read encryption keys: %w", err)
	}
	held := s.keys.IDs()
	var missing []string
	for _, id := range inUse {
		if !slices.Contains(held, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the database holds data sealed with key(s) %s, which the key file does not contain: start with the key file those were made with", strings.Join(missing, ", "))
	}
	return nil
}

// RotationProgress reports what one Rotate call did.
type RotationProgress struct {
	Resealed int      // values re-encrypted with the active key
	Skipped  int      // values changed by someone else meanwhile: already current
	Retired  []string // keys no longer used by any value
}

// rotationBatch is how many rows one transaction re-seals: small enough
// that a running server never waits long on a row lock.
const rotationBatch = 200

// sealedTable describes how to walk one table holding sealed values.
type sealedTable struct {
	table, column string
	key           []string // primary key columns, in keyset order
}

var sealedTables = []sealedTable{
	{"notes", "sections", []string{"id"}},
	{"notes", "left_out", []string{"id"}},
	{"note_versions", "sections", []string{"note_id", "version"}},
	{"note_addenda", "text", []string{"id"}},
	{"session_sources", "text", []string{"session_id", "kind"}},
	{"telehealth_links", "join_code", []string{"session_id"}},
	{"session_amendments", "old_value", []string{"id"}},
	{"session_amendments", "new_value", []string{"id"}},
	{"session_amendments", "reason", []string{"id"}},
	{"clients", "display_name", []string{"id"}},
	{"clients", "external_ref", []string{"id"}},
}

// Rotate re-encrypts every sealed value not sealed with the active key (and
// seals any value written before encryption), in small transactions, while
// the server keeps running. It is resumable: run it again after an
// interruption and it continues with what is left. When nothing remains
// sealed with an older key, that key is marked retired and may be removed
// from the key file.
//
// usedElsewhere names keys that still seal data outside the database (the
// recordings, which the caller re-seals first): they are never retired.
func (s *Store) Rotate(ctx context.Context, usedElsewhere []string, progress func(table string, done int)) (RotationProgress, error) {
	var total RotationProgress
	if err := s.registerKey(ctx); err != nil {
		return total, err
	}
	current := "sn1:" + s.keys.ActiveID() + ":%"
	for _, t := range sealedTables {
		done := 0
		for {
			n, skipped, err := s.rotateBatch(ctx, t, current)
			if err != nil {
				return total, fmt.Errorf("rotate %s: %w", t.table, err)
			}
			total.Resealed += n
			total.Skipped += skipped
			done += n
			if progress != nil && n > 0 {
				progress(t.table, done)
			}
			if n+skipped == 0 {
				break
			}
		}
	}
	retired, err := s.retireUnusedKeys(ctx, usedElsewhere)
	total.Retired = retired
	return total, err
}

// rotateBatch re-seals up to rotationBatch values of t that are not sealed
// with the active key. Each row is updated only if it still holds the value
// read, so a concurrent edit (already sealed with the active key) wins.
func (s *Store) rotateBatch(ctx context.Context, t sealedTable, current string) (resealed, skipped int, err error) {
	cols := strings.Join(t.key, ", ")
	where := t.column + " NOT LIKE ?"
	aad := t.table + "." + t.column
	err = s.Transaction(ctx, func(tx *gorm.DB) error {
		rows, err := tx.Raw("SELECT "+cols+", "+t.column+" FROM "+t.table+" WHERE "+where+" ORDER BY "+cols+" LIMIT ?", current, rotationBatch).Rows()
		if err != nil {
			return err
		}
		type row struct {
			key   []any
			value string
		}
		var batch []row
		for rows.Next() {
			r := row{key: make([]any, len(t.key))}
			dest := make([]any, len(t.key)+1)
			for i := range t.key {
				dest[i] = &r.key[i]
			}
			dest[len(t.key)] = &r.value
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range batch {
			plain := r.value
			if seal.IsSealed(r.value) {
				if plain, err = s.keys.Open(r.value, aad); err != nil {
					return fmt.Errorf("row %v: %w", r.key, err)
				}
			}
			cond := make([]string, len(t.key))
			for i, k := range t.key {
				cond[i] = k + " = ?"
			}
			args := append([]any{s.keys.Seal(plain, aad)}, r.key...)
			args = append(args, r.value)
			res := tx.Exec("UPDATE "+t.table+" SET "+t.column+" = ? WHERE "+strings.Join(cond, " AND ")+" AND "+t.column+" = ?", args...)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				resealed++
			} else {
				skipped++
			}
		}
		return nil
	})
	return resealed, skipped, err
}

// retireUnusedKeys marks retired every key that no sealed value names.
func (s *Store) retireUnusedKeys(ctx context.Context, usedElsewhere []string) ([]string, error) {
	var keys []EncryptionKey
	if err := s.db.WithContext(ctx).Where("retired_at IS NULL AND id <> ?", s.keys.ActiveID()).Find(&keys).Error; err != nil {
		return nil, err
	}
	var retired []string
	for _, k := range keys {
		used, err := s.keyInUse(ctx, k.ID)
		if err != nil {
			return retired, err
		}
		if used || slices.Contains(usedElsewhere, k.ID) {
			continue
		}
		if err := s.db.WithContext(ctx).Model(&EncryptionKey{}).Where("id = ?", k.ID).Update("retired_at", s.now()).Error; err != nil {
			return retired, err
		}
		retired = append(retired, k.ID)
	}
	return retired, nil
}

func (s *Store) keyInUse(ctx context.Context, id string) (bool, error) {
	for _, t := range sealedTables {
		var one int
		err := s.db.WithContext(ctx).Raw("SELECT 1 FROM "+t.table+" WHERE "+t.column+" LIKE ? LIMIT 1", "sn1:"+id+":%").Row().Scan(&one)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
	}
	return false, nil
}
