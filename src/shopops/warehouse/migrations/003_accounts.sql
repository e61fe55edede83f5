-- Dashboard accounts (issue 5): users, login sessions, API tokens, notes on findings.

CREATE TABLE users (
    name           VARCHAR PRIMARY KEY,
    password_hash  VARCHAR NOT NULL,          -- argon2id
    role           VARCHAR NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    shops          VARCHAR,                   -- comma-separated shops the user may see; NULL = every shop
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE web_sessions (
    token_hash     VARCHAR PRIMARY KEY,       -- sha256 of the cookie value
    user_name      VARCHAR NOT NULL,
    csrf_token     VARCHAR NOT NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    expires_at     TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    token_hash     VARCHAR PRIMARY KEY,       -- sha256 of the token
    user_name      VARCHAR NOT NULL,
    label          VARCHAR,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE finding_note_ids START 1;

CREATE TABLE finding_notes (
    note_id        BIGINT PRIMARY KEY DEFAULT nextval('finding_note_ids'),
    date           DATE NOT NULL,
    shop           VARCHAR NOT NULL,
    metric         VARCHAR NOT NULL,
    channel        VARCHAR NOT NULL DEFAULT '',
    acknowledged   BOOLEAN NOT NULL DEFAULT false,
    comment        VARCHAR,
    user_name      VARCHAR NOT NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
