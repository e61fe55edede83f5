-- 019: a dashboard user's remembered choices (issue 19), e.g. which sections of the 总表 they show
-- (key 'table.columns'). One row per user and key; the value is a JSON text. Written only through
-- ScopedData.save_preference, which records each change in the audit log.

CREATE TABLE user_preference (
    user_name  VARCHAR NOT NULL,              -- users.name
    key        VARCHAR NOT NULL,              -- e.g. table.columns
    value      VARCHAR NOT NULL,              -- JSON, e.g. {"hidden": ["推广", "DSR"]}
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (user_name, key)
);
