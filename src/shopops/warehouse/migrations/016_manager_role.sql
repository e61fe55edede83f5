-- 016: a 主管 (manager) account role (issue 17): like an operator on the dashboard, and in addition
-- sees the 绩效 (staff KPI) cards of the people of their shops; an operator sees only their own card.
-- DuckDB cannot change a CHECK constraint in place, so the table is copied (as 007 did for tokens).

CREATE TABLE users_016 (
    name           VARCHAR PRIMARY KEY,
    password_hash  VARCHAR NOT NULL,          -- argon2id
    role           VARCHAR NOT NULL CHECK (role IN ('admin', 'manager', 'operator', 'viewer')),
    shops          VARCHAR,                   -- comma-separated shops the user may see; NULL = every shop
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

INSERT INTO users_016 SELECT name, password_hash, role, shops, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_016 RENAME TO users;
