-- +goose Up
-- Who signed a note: the clinician's id and their name as it was at signing.
ALTER TABLE notes ADD COLUMN signed_by_id TEXT;
ALTER TABLE notes ADD COLUMN signed_by_name TEXT;

-- +goose Down
ALTER TABLE notes DROP COLUMN signed_by_name;
ALTER TABLE notes DROP COLUMN signed_by_id;
