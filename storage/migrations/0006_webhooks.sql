-- Webhook endpoints, the deliveries the outbox fans each event out to, and
-- the log of every attempt to deliver one.

-- enabled_events is "*" or the types between commas with a comma at each
-- end (",order.paid,refund.succeeded,"), so the fan-out matches a type with
-- one LIKE. secret and previous_secret are sealed (AES-256-GCM); signing
-- needs the secret itself, so it cannot be hashed. A deleted endpoint keeps
-- its row, with status 'deleted' and no secrets, so its attempts still
-- point somewhere.
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    merchant_id                TEXT NOT NULL REFERENCES merchants (id),
    livemode                   BOOLEAN NOT NULL,
    url                        TEXT NOT NULL,
    description                TEXT NOT NULL,
    enabled_events             TEXT NOT NULL,
    status                     TEXT NOT NULL,
    disabled_reason            TEXT,
    secret                     TEXT NOT NULL,
    previous_secret            TEXT,
    previous_secret_expires_at TIMESTAMPTZ,
    created_at                 TIMESTAMPTZ NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints (merchant_id, livemode, id);

-- One row per event and endpoint. A dispatcher claims a due row by moving
-- next_attempt_at past its lease and setting claim_token; it records the
-- outcome only while the token is still its own, and every change that ends
-- a claim clears the token. attempts counts claims, so no two claims of a
-- row share an attempt number. The primary key leads with event_id: a
-- dispatcher writes many events of one endpoint at a time, and a key led by
-- the endpoint tempts the planner to read all of that endpoint's rows.
-- Stopping an endpoint's deliveries reads the pending ones by the due index.
CREATE TABLE webhook_deliveries (
    event_id        TEXT NOT NULL REFERENCES events (id),
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claim_token     TEXT,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- status_code is NULL when no response came back; error says why then.
-- response_body holds the first KiB of the answer, for the delivery log.
CREATE TABLE webhook_attempts (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL,
    endpoint_id   TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    status_code   INTEGER,
    latency_ms    BIGINT NOT NULL,
    error         TEXT,
    response_body TEXT NOT NULL,
    delivered     BOOLEAN NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (event_id, endpoint_id) REFERENCES webhook_deliveries (event_id, endpoint_id)
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
