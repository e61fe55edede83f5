-- 008: the audit log (issue "Run it safely for a team"). One row per change: who, when, from
-- where, what. Rows are only ever inserted (shopops.warehouse.audit.record); nothing in ShopOps
-- updates or deletes them. Each row carries the sha256 of its content and of the row it follows
-- (prev_id), so `shopops audit --verify` finds rows edited or removed by hand.

CREATE SEQUENCE audit_ids START 1;

CREATE TABLE audit_log (
    audit_id   BIGINT PRIMARY KEY,
    changed_at TIMESTAMP NOT NULL,            -- local time of the change
    actor      VARCHAR NOT NULL,              -- OS user (CLI) or dashboard user name
    via        VARCHAR NOT NULL,              -- cli | web | api:<token label>
    action     VARCHAR NOT NULL,              -- import, shop.add, user.password, login.failed …
    target     VARCHAR NOT NULL DEFAULT '',   -- what was changed: a file, a shop, a user …
    shops      VARCHAR NOT NULL DEFAULT '',   -- shops concerned, comma-separated; '*' every shop; '' none
    detail     VARCHAR NOT NULL DEFAULT '{}', -- JSON object, kept as the text that was hashed
    prev_id    BIGINT,                        -- the newest row this transaction saw (NULL: the first)
    row_hash   VARCHAR NOT NULL               -- sha256 of the previous row's hash and this row's content
);
