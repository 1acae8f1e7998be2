-- Contacts and what they belong to. Field values (built-in and custom) live in one
-- JSON object keyed by the field catalogue's keys; email is also a column because
-- it identifies a contact within its account.
CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL,
    fields     TEXT    NOT NULL DEFAULT '{}',
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    CONSTRAINT contacts_email_key UNIQUE (account_id, email)
);

CREATE TABLE custom_fields (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key        TEXT   NOT NULL,
    label      TEXT   NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('text', 'number', 'date')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);

CREATE TABLE groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    CONSTRAINT groups_name_key UNIQUE (account_id, name)
);

CREATE TABLE group_members (
    group_id   BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (group_id, contact_id)
);
CREATE INDEX group_members_contact ON group_members (contact_id);

-- Subscription, update-profile and survey forms; each has a public page at
-- /f/{public_id}, an id that cannot be guessed.
CREATE TABLE forms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('subscription', 'update_profile', 'survey')),
    name       TEXT    NOT NULL,
    public_id  TEXT    NOT NULL,
    definition TEXT    NOT NULL DEFAULT '{}',
    created_at BIGINT  NOT NULL,
    CONSTRAINT forms_public_key UNIQUE (public_id)
);

CREATE TABLE mailings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE scenarios (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'archived')),
    -- The trigger, entry rule and step graph, as the API and editor send them.
    definition   TEXT    NOT NULL,
    -- Optimistic concurrency: a save names the version it edited.
    version      BIGINT  NOT NULL DEFAULT 1,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX scenarios_account_status ON scenarios (account_id, status);

-- Things that happened to contacts, waiting for the engine: the durable inbox
-- between the API (or forms, tracking, sweeps) and enrolment.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    contact_id   BIGINT  NOT NULL,
    kind         TEXT    NOT NULL,
    data         TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT  NOT NULL,
    processed_at BIGINT
);
CREATE INDEX events_unprocessed ON events (id) WHERE processed_at IS NULL;

-- A contact's way through one scenario, one row per pass. A wait is a due time.
CREATE TABLE journeys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scenario_id  BIGINT  NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
    contact_id   BIGINT  NOT NULL,
    pass         BIGINT  NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('active', 'done', 'exited')),
    current_step TEXT,
    due_at       BIGINT,
    lease_until  BIGINT,
    lease_owner  TEXT,
    entered_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    CONSTRAINT journeys_pass_key UNIQUE (scenario_id, contact_id, pass)
);
CREATE INDEX journeys_due ON journeys (due_at) WHERE state = 'active';
CREATE INDEX journeys_step ON journeys (scenario_id, current_step) WHERE state = 'active';

-- Time-based triggers already fired: a sweep never fires twice for the same
-- scenario, contact and occasion (a date, or a consent expiry).
CREATE TABLE trigger_fires (
    scenario_id BIGINT NOT NULL,
    contact_id  BIGINT NOT NULL,
    occasion    TEXT   NOT NULL,
    fired_at    BIGINT NOT NULL,
    PRIMARY KEY (scenario_id, contact_id, occasion)
);

-- Which contacts currently match a segment trigger: entry happens on the change
-- from not matching to matching.
CREATE TABLE segment_members (
    scenario_id BIGINT NOT NULL,
    contact_id  BIGINT NOT NULL,
    PRIMARY KEY (scenario_id, contact_id)
);
