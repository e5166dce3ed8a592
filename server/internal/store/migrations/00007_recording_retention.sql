-- +goose Up
-- A recording is deleted once its session's note is signed and the
-- retention period (SIDENOTE_RECORDING_RETENTION) has passed, unless the
-- clinician chose to keep it. The row stays, with purged_at, as a record
-- that there was one.
ALTER TABLE recordings ADD COLUMN keep BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE recordings ADD COLUMN delete_after TIMESTAMPTZ;
ALTER TABLE recordings ADD COLUMN purged_at TIMESTAMPTZ;
CREATE INDEX recordings_due ON recordings (delete_after) WHERE purged_at IS NULL AND keep = FALSE;

-- +goose Down
DROP INDEX recordings_due;
ALTER TABLE recordings DROP COLUMN purged_at;
ALTER TABLE recordings DROP COLUMN delete_after;
ALTER TABLE recordings DROP COLUMN keep;
