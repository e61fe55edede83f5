-- 017: 绩效考核 (staff KPI). Who works here (staff), what a manager typed in for them (staff_inputs),
-- the scorecards imported from the Excel template (scorecard_lines), and the bonus a manager
-- signed off (staff_bonus). Money is DECIMAL; a blank is NULL (unknown), never 0.

-- 员工名单: one row per person. shops: the shops they answer for, separated by 、 or ','; '' = all.
-- user_name: their dashboard login, so that an operator sees their own card (and no one else's).
CREATE TABLE staff (
    shop         VARCHAR NOT NULL DEFAULT '*',
    person       VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,            -- 客服售前 / 客服售后 / 运营 / 推广 / 美工 … (a scorecard's role)
    shops        VARCHAR NOT NULL DEFAULT '',
    user_name    VARCHAR,
    start_date   DATE,                        -- 入职日期 (or the day they took this role)
    end_date     DATE,                        -- 离职日期 (or the last day in this role)
    status       VARCHAR,                     -- 在职 / 离职 / 调岗
    covered_day  DATE,
    import_id    BIGINT,
    source_row   INTEGER
);

-- 手工录入: a figure no export carries (美工 task counts, a manager's 质检分, 出勤率, a 销售目标),
-- one row per period, person and item, with who entered it.
CREATE TABLE staff_inputs (
    shop         VARCHAR NOT NULL DEFAULT '*',
    period       VARCHAR NOT NULL,            -- 2026-11 | 2026-Q4 | 2026 as written
    person       VARCHAR NOT NULL,
    item         VARCHAR NOT NULL,            -- the input's name, as a scorecard line names it
    value        DOUBLE,
    entered_by   VARCHAR NOT NULL,
    entered_on   DATE,
    note         VARCHAR,
    covered_day  DATE,
    import_id    BIGINT,
    source_row   INTEGER
);

-- 评分表 from `shopops template scorecard`: one row per line of a role's card.
CREATE TABLE scorecard_lines (
    shop         VARCHAR NOT NULL DEFAULT '*',
    role         VARCHAR NOT NULL,
    valid_from   VARCHAR NOT NULL,            -- 生效期间: the month the card applies from (2026-11)
    version      VARCHAR,                     -- the card's 口径版本
    line_no      INTEGER NOT NULL,
    name         VARCHAR NOT NULL,            -- 考核项
    metric       VARCHAR,                     -- a catalog metric key …
    input        VARCHAR,                     -- … or a manual input's name
    unit         VARCHAR,                     -- a manual input's 单位: 比率 / 分数 / 数量 / 金额
    scope        VARCHAR,                     -- own | shops
    target_input VARCHAR,                     -- 完成率: metric ÷ this input (or 'targets': the shop targets)
    weight       DOUBLE,
    target       DOUBLE,
    direction    VARCHAR,
    method       VARCHAR,                     -- bands | linear | formula
    bands        VARCHAR,                     -- "≥0.45:100；≥0.40:80 …"
    floor_value  DOUBLE,                      -- linear: the value that scores 0
    formula      VARCHAR,
    cap          DOUBLE,
    basis        VARCHAR,                     -- the line's 口径版本
    tiers        VARCHAR,                     -- "金牌≥90×1.2；银牌≥80×1.0 …" (any one row of the card)
    covered_day  DATE,
    import_id    BIGINT,
    source_row   INTEGER
);

-- A bonus a manager signed off (`shopops staff bonus --save`): what each person got, so the next
-- period's sheet shows the change. Written once per period and role; a later save replaces it.
CREATE TABLE staff_bonus (
    period       VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,
    person       VARCHAR NOT NULL,
    score        DECIMAL(8, 2),
    tier         VARCHAR,
    amount       DECIMAL(18, 2),
    method       VARCHAR NOT NULL,            -- pool | base
    basis        DECIMAL(18, 2) NOT NULL,     -- the pool, or the base
    saved_by     VARCHAR NOT NULL,
    saved_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
