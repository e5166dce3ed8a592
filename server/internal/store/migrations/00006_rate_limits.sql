-- +goose Up
-- Token buckets of the rate limits every replica must share (sign-in per
-- client address): tokens left as of refilled_us, microseconds since the
-- Unix epoch, kept as a number so one statement does the refill arithmetic
-- on PostgreSQL and SQLite alike.
CREATE TABLE rate_limit_buckets (
    bucket_key  TEXT PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    refilled_us BIGINT NOT NULL
);
CREATE INDEX rate_limit_buckets_refilled ON rate_limit_buckets (refilled_us);

-- +goose Down
DROP TABLE rate_limit_buckets;
