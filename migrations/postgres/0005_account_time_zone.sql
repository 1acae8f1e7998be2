-- The account's time zone (an IANA name): "a contact's date is reached" fires on
-- that day where the account is, not in UTC.
ALTER TABLE accounts ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
