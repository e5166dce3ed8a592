-- +goose Up
-- What a generated note holds besides its sections: the source sentences it
-- left out, with why (JSON of []note.LeftOut, sealed like the sections: it
-- is clinical text), whether the sources mention risk (suicidal or
-- homicidal ideation, self-harm, abuse, a safety plan), and why the note
-- was written by a generator other than the configured one.
ALTER TABLE notes ADD COLUMN left_out TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notes ADD COLUMN risk_mentioned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE notes ADD COLUMN generator_note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notes DROP COLUMN generator_note;
ALTER TABLE notes DROP COLUMN risk_mentioned;
ALTER TABLE notes DROP COLUMN left_out;
