-- +goose Up
-- A clinician's own note templates. sections is the JSON of the ordered
-- sections: key, title, aliases and the built-in kinds each draws from.
CREATE TABLE custom_templates (
    id           TEXT PRIMARY KEY,
    clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    sections     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX custom_templates_clinician ON custom_templates (clinician_id, name);

-- +goose Down
DROP TABLE custom_templates;
