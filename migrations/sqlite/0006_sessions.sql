-- Browser sessions and the login rate limit. Instants are Unix milliseconds.
-- A session's id is the SHA-256 of the random cookie value: the database never
-- holds a usable cookie. `expires_at` is the earlier of last_seen_at + idle time
-- and created_at + the absolute lifetime; it slides forward as the user works.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id   BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Login attempts counted per normalised email (`email:…`) and per client address
-- (`address:…`) in a fixed window that starts with the first attempt. Rows, not
-- memory, so every instance sharing the database sees the same counts.
CREATE TABLE login_attempts (
    key          TEXT    PRIMARY KEY,
    window_start BIGINT  NOT NULL,
    count        BIGINT  NOT NULL
);
