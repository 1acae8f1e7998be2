-- Where a Send a Webhook step sends: URL, headers and signing secret, shared by the
-- deliveries made while that configuration was in force (deliveries stay small).
CREATE TABLE webhook_targets (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    url            TEXT    NOT NULL,
    -- JSON array of [name, value] pairs, as validated by the step configuration.
    headers        TEXT    NOT NULL,
    signing_secret TEXT,
    fingerprint    TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    CONSTRAINT webhook_targets_fingerprint_key UNIQUE (account_id, fingerprint)
);

-- A contact reaching a step, once per pass: the "reached" statistic.
CREATE TABLE step_passes (
    account_id  BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scenario_id BIGINT  NOT NULL,
    step_id     TEXT    NOT NULL,
    contact_id  BIGINT  NOT NULL,
    pass        BIGINT  NOT NULL,
    reached_at  BIGINT  NOT NULL,
    PRIMARY KEY (scenario_id, step_id, contact_id, pass)
);

-- One webhook request for one contact at one step: its frozen body and its state.
CREATE TABLE deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scenario_id     BIGINT  NOT NULL,
    step_id         TEXT    NOT NULL,
    contact_id      BIGINT  NOT NULL,
    pass            BIGINT  NOT NULL,
    target_id       BIGINT  NOT NULL REFERENCES webhook_targets(id),
    event_id        TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'accepted', 'failed')),
    created_at      BIGINT  NOT NULL,
    deadline_at     BIGINT  NOT NULL,
    next_attempt_at BIGINT,
    lease_until     BIGINT,
    lease_owner     TEXT,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    last_status     BIGINT ,
    last_error      TEXT,
    finished_at     BIGINT,
    CONSTRAINT deliveries_event_key UNIQUE (event_id),
    CONSTRAINT deliveries_pass_key UNIQUE (scenario_id, step_id, contact_id, pass)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_step_state ON deliveries (scenario_id, step_id, state);

-- Every attempt of a delivery.
CREATE TABLE attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id BIGINT  NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    attempt_no  BIGINT  NOT NULL,
    started_at  BIGINT  NOT NULL,
    duration_ms BIGINT  NOT NULL,
    status      BIGINT ,
    error_class TEXT,
    excerpt     TEXT    NOT NULL,
    CONSTRAINT attempts_no_key UNIQUE (delivery_id, attempt_no)
);
