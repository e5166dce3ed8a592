-- +goose Up
-- The keys that have sealed data in this database (see store/keys.go). A
-- server whose key file lacks one of the keys still in use refuses to start,
-- instead of failing on every read of a note.
CREATE TABLE encryption_keys (
    id            TEXT PRIMARY KEY,
    first_used_at TIMESTAMPTZ NOT NULL,
    -- Set by rotate-key once nothing is sealed with this key any more: the
    -- key may then be removed from the key file.
    retired_at    TIMESTAMPTZ
);

-- +goose Down
DROP TABLE encryption_keys;
