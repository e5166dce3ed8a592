-- +goose Up
-- sidenote: postgres only
-- Replicas cache live tokens (store/tokencache.go) and must forget one the
-- moment it is revoked, deleted or made to expire sooner, by whatever
-- statement or cascade: each such row notifies the channel the store
-- LISTENs on, with the token's hash, when its transaction commits. (Use
-- only ever moves an expiry later.)
-- +goose StatementBegin
CREATE FUNCTION api_tokens_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sidenote_token_revoked', OLD.token_hash);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER api_tokens_revoked AFTER UPDATE OF revoked_at, expires_at ON api_tokens
    FOR EACH ROW WHEN (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.expires_at < OLD.expires_at)
    EXECUTE FUNCTION api_tokens_notify_revoked();
CREATE TRIGGER api_tokens_deleted AFTER DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION api_tokens_notify_revoked();

-- +goose Down
DROP TRIGGER api_tokens_deleted ON api_tokens;
DROP TRIGGER api_tokens_revoked ON api_tokens;
DROP FUNCTION api_tokens_notify_revoked();
