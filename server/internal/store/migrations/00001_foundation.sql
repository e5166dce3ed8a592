-- +goose Up
CREATE TABLE clinicians (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- One row per external identity (dev login, Google, Microsoft, OIDC issuer).
CREATE TABLE identities (
    id           TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    provider     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (provider, subject)
);
CREATE INDEX identities_clinician ON identities (clinician_id);

-- Opaque API tokens, stored as SHA-256 hashes only.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_clinician ON api_tokens (clinician_id, created_at DESC);

CREATE TABLE clients (
    id           TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    sort_name    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('individual', 'couple')),
    external_ref TEXT,
    archived_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX clients_by_name ON clients (clinician_id, sort_name, id);

CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY,
    clinician_id        TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    client_id           TEXT REFERENCES clients(id),
    anonymous           TEXT CHECK (anonymous IN ('individual', 'couple')),
    type                TEXT NOT NULL,
    status              TEXT NOT NULL,
    note_status         TEXT NOT NULL DEFAULT '',
    consent_obtained    BOOLEAN NOT NULL,
    consent_method      TEXT NOT NULL,
    consent_recorded_at TIMESTAMPTZ NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    ended_at            TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    deleted_at          TIMESTAMPTZ,
    CHECK (client_id IS NULL OR anonymous IS NULL)
);
CREATE INDEX sessions_newest ON sessions (clinician_id, started_at DESC, id DESC);
CREATE INDEX sessions_client ON sessions (client_id, started_at DESC, id DESC);

-- Every change of who a session belongs to, oldest first.
CREATE TABLE session_assignments (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    client_id    TEXT REFERENCES clients(id),
    anonymous    TEXT,
    changed_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_assignments_session ON session_assignments (session_id, changed_at);

-- +goose Down
DROP TABLE session_assignments;
DROP TABLE sessions;
DROP TABLE clients;
DROP TABLE api_tokens;
DROP TABLE identities;
DROP TABLE clinicians;
