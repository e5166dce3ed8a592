-- +goose Up
-- What the clinician wrote or said: one summary and one transcript per session.
CREATE TABLE session_sources (
    session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('summary', 'transcript')),
    text         TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, kind)
);

CREATE TABLE notes (
    id              TEXT PRIMARY KEY,
    clinician_id    TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    session_id      TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    template        TEXT NOT NULL,
    status          TEXT NOT NULL,
    failure_reason  TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL,
    sections        TEXT NOT NULL,
    generator       TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    signed_at       TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX notes_session ON notes (session_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX notes_idempotency ON notes (session_id, template, idempotency_key);

-- Every saved version of a note's sections, including the generated one.
CREATE TABLE note_versions (
    note_id    TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    sections   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (note_id, version)
);

CREATE TABLE note_addenda (
    id           TEXT PRIMARY KEY,
    note_id      TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    text         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX note_addenda_note ON note_addenda (note_id, created_at);

-- Where a note was inserted: origin and field labels only, no page content.
CREATE TABLE note_insertions (
    id           TEXT PRIMARY KEY,
    note_id      TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    origin       TEXT NOT NULL,
    note_version INTEGER NOT NULL,
    fields       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX note_insertions_note ON note_insertions (note_id, created_at DESC);

-- One recording per session; a new upload replaces the previous one.
CREATE TABLE recordings (
    session_id           TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    clinician_id         TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    storage_key          TEXT NOT NULL,
    content_type         TEXT NOT NULL,
    size_bytes           BIGINT NOT NULL,
    sha256               TEXT NOT NULL,
    transcription_status TEXT NOT NULL,
    transcription_error  TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

-- Telehealth join links: only a hash of the code is kept. The guest's email
-- is never stored: only that a guest joined and consented, and when.
CREATE TABLE telehealth_links (
    session_id         TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    clinician_id       TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    code_hash          TEXT NOT NULL UNIQUE,
    expires_at         TIMESTAMPTZ NOT NULL,
    guest_joined_at    TIMESTAMPTZ,
    guest_consented_at TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE telehealth_links;
DROP TABLE recordings;
DROP TABLE note_insertions;
DROP TABLE note_addenda;
DROP TABLE note_versions;
DROP TABLE notes;
DROP TABLE session_sources;
