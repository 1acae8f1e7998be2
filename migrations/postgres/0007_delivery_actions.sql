-- Resend and cancel, with who did it and when.
CREATE TABLE delivery_actions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    delivery_id BIGINT  NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    action      TEXT    NOT NULL CHECK (action IN ('resend', 'cancel')),
    actor       TEXT    NOT NULL,
    reason      TEXT,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX delivery_actions_delivery ON delivery_actions (delivery_id);

-- Which of a target's headers hold secrets, so the delivery log can mask them.
ALTER TABLE webhook_targets ADD COLUMN secret_headers TEXT NOT NULL DEFAULT '[]';
