-- +goose Up
-- Reasoned changes to a session whose note is signed: who, when, type and
-- sources. Values and reasons are sealed like note text (sealing.go).
CREATE TABLE session_amendments (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    old_value    TEXT NOT NULL,
    new_value    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_amendments_session ON session_amendments (session_id, created_at, id);

-- Structured detail of an audit event (an amendment's field and old and new
-- ids, times or types); never clinical text.
ALTER TABLE audit_events ADD COLUMN detail TEXT NOT NULL DEFAULT '';

-- The email the provider gave for each sign-in identity, so the clinician
-- can tell their linked sign-ins apart (GET /api/v1/identities).
ALTER TABLE identities ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE identities DROP COLUMN email;
ALTER TABLE audit_events DROP COLUMN detail;
DROP TABLE session_amendments;
