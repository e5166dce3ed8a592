-- +goose Up
-- Who signed a note: the clinician's id and their name as it was at signing.
ALTER TABLE notes ADD COLUMN signed_by_id TEXT;
ALTER TABLE notes ADD COLUMN signed_by_name TEXT;

-- A short label the clinician gives a session ("Tue 4 pm couple"), and the
-- same lower-cased for search (folded in Go: SQLite's lower() knows only
-- ASCII).
ALTER TABLE sessions ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN label_search TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN label_search;
ALTER TABLE sessions DROP COLUMN label;
ALTER TABLE notes DROP COLUMN signed_by_name;
ALTER TABLE notes DROP COLUMN signed_by_id;
