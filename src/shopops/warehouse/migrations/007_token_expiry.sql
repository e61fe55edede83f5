-- API tokens that expire and can be revoked (issue "Run it safely for a team", defect 3).
-- Every token gets a number (token_id, shown by `shopops user tokens NAME` and on 设置), an expiry,
-- the time it was last used (written at most once a minute) and the time it was revoked.
-- Tokens issued before this migration expire 90 days after it.

CREATE SEQUENCE api_token_ids START 1;

CREATE TABLE api_tokens_007 (
    token_id       BIGINT PRIMARY KEY DEFAULT nextval('api_token_ids'),
    token_hash     VARCHAR NOT NULL UNIQUE,   -- sha256 of the token; the token itself is never stored
    user_name      VARCHAR NOT NULL,
    label          VARCHAR,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    expires_at     TIMESTAMP NOT NULL,
    last_used_at   TIMESTAMP,                 -- NULL: never used
    revoked_at     TIMESTAMP                  -- NULL: not revoked
);

INSERT INTO api_tokens_007 (token_hash, user_name, label, created_at, expires_at)
SELECT token_hash, user_name, label, created_at, CAST(current_timestamp AS TIMESTAMP) + INTERVAL 90 DAY
FROM api_tokens
ORDER BY created_at, token_hash;

DROP TABLE api_tokens;
ALTER TABLE api_tokens_007 RENAME TO api_tokens;
