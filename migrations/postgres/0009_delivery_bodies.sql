-- The frozen request body moves out of the deliveries row into a table of its
-- own. A delivery's row changes on every claim and attempt; its body never
-- does. With the body inline, each change wrote a new row version carrying
-- about a kilobyte; now it is a narrow row, and scans of the deliveries table
-- (statistics, charts) read a fraction of the pages.
CREATE TABLE delivery_bodies (
    delivery_id BIGINT PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
    body        TEXT   NOT NULL
);
INSERT INTO delivery_bodies (delivery_id, body) SELECT id, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN body;
