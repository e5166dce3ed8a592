-- +goose Up
-- Append-only record of who read or changed clinical data. No note text.
CREATE TABLE audit_events (
    id           TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    action       TEXT NOT NULL,
    resource_id  TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    client_ip    TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_newest ON audit_events (clinician_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE audit_events;
