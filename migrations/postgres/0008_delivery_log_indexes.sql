-- The delivery log pages newest first by id within a step, optionally by state:
-- these two indexes keep a page fast at a million rows (and still serve the
-- per-state counts of the step's statistics).
DROP INDEX deliveries_step_state;
CREATE INDEX deliveries_step_state_id ON deliveries (scenario_id, step_id, state, id);
CREATE INDEX deliveries_step_id ON deliveries (scenario_id, step_id, id);
