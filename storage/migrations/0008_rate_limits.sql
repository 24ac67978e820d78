-- Counters of failed wallet sign-ins and sign-ups per client address, in
-- fixed windows, so that one stranger cannot sweep phone numbers. They
-- live in the database so every gateway process counts the same attempts.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    hits         INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
