-- Every submission of a form: who sent it, when, and (for surveys) the answers,
-- a JSON object of question id → answer. Instants are Unix milliseconds.
CREATE TABLE form_submissions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    form_id      BIGINT  NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    contact_id   BIGINT  NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    answers      TEXT    NOT NULL DEFAULT '{}',
    submitted_at BIGINT  NOT NULL
);
CREATE INDEX form_submissions_form ON form_submissions (form_id, id);
CREATE INDEX form_submissions_contact ON form_submissions (contact_id);

-- Secrets shared by every instance on this database (the key that signs tracking
-- and profile links). Created on first use with insert-if-absent, so instances
-- starting together agree on one value.
CREATE TABLE instance_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
