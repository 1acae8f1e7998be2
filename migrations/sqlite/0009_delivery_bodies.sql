-- The frozen request body moves out of the deliveries row into a table of its
-- own. A delivery's row changes on every claim and attempt; its body never
-- does. With the body inline, each change rewrote about a kilobyte (and the
-- pages around it) into the WAL; now it rewrites a narrow row, and scans of
-- the deliveries table (statistics, charts) read a tenth of the pages.
CREATE TABLE delivery_bodies (
    delivery_id INTEGER PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
    body        TEXT    NOT NULL
);
INSERT INTO delivery_bodies (delivery_id, body) SELECT id, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN body;
