-- A step pass is only ever found by its key (scenario, step, contact, pass), so
-- the table is stored as that key's B-tree alone. With a rowid, each pass was
-- written twice: the row, and the index that makes the key unique.
CREATE TABLE step_passes_by_key (
    account_id  BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scenario_id BIGINT  NOT NULL,
    step_id     TEXT    NOT NULL,
    contact_id  BIGINT  NOT NULL,
    pass        BIGINT  NOT NULL,
    reached_at  BIGINT  NOT NULL,
    PRIMARY KEY (scenario_id, step_id, contact_id, pass)
) WITHOUT ROWID;
INSERT INTO step_passes_by_key (account_id, scenario_id, step_id, contact_id, pass, reached_at)
    SELECT account_id, scenario_id, step_id, contact_id, pass, reached_at FROM step_passes;
DROP TABLE step_passes;
ALTER TABLE step_passes_by_key RENAME TO step_passes;
