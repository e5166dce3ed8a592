-- +goose Up
-- Client display names and external references are sealed like note text
-- (sealing.go): the plaintext sort key goes. The clients list sorts and
-- filters the caller's clients after opening them (ListClients).
DROP INDEX clients_by_name;
ALTER TABLE clients DROP COLUMN sort_name;
CREATE INDEX clients_by_clinician ON clients (clinician_id, id);

-- +goose Down
DROP INDEX clients_by_clinician;
ALTER TABLE clients ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
CREATE INDEX clients_by_name ON clients (clinician_id, sort_name, id);
