-- +goose Up
-- The join code is kept sealed (like note text), so the clinician can see
-- and copy the link again after a reload; the hash still finds the link.
ALTER TABLE telehealth_links ADD COLUMN join_code TEXT NOT NULL DEFAULT '';

-- Single-use tickets that open a call's signalling socket (browsers cannot
-- send Authorization on a WebSocket). Only a hash of the ticket is kept.
CREATE TABLE call_tickets (
    ticket_hash  TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX call_tickets_session ON call_tickets (session_id);

-- A recording uploaded in chunks is playable from its first chunk on;
-- complete says it has been finished (and assembled into storage_key).
ALTER TABLE recordings ADD COLUMN chunks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recordings ADD COLUMN complete BOOLEAN NOT NULL DEFAULT TRUE;
CREATE TABLE recording_chunks (
    session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    chunk_index  INTEGER NOT NULL,
    storage_key  TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, chunk_index)
);

-- +goose Down
DROP TABLE recording_chunks;
ALTER TABLE recordings DROP COLUMN complete;
ALTER TABLE recordings DROP COLUMN chunks;
DROP TABLE call_tickets;
ALTER TABLE telehealth_links DROP COLUMN join_code;
