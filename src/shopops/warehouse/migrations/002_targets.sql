-- 002: targets (目标) and shop groups (店铺组).
-- One row per period and scope, one column per metric that can have a target (wide, like the
-- operator's 目标表). A sheet imported with `shopops import` has origin 'sheet' and keeps its
-- provenance (import_id, source_row); `shopops targets set` writes rows with origin 'cli'.
-- period is kept as written (2026 | 2026-Q4 | 2026-11, also 2026年11月 …) and read leniently.
-- Per period, scope and metric the most recently updated non-empty value is the target.
-- Money is DECIMAL(18,2); ratio targets (ROI, 转化率, 退款率, 推广费比) are DOUBLE; unknown is NULL.

CREATE TABLE targets (
    period                VARCHAR NOT NULL,
    shop                  VARCHAR NOT NULL,            -- a shop, or '*' (all shops, or the group below)
    shop_group            VARCHAR NOT NULL DEFAULT '', -- a group from shop_groups, '' = none
    origin                VARCHAR NOT NULL DEFAULT 'sheet' CHECK (origin IN ('sheet', 'cli')),
    gmv                   DECIMAL(18, 2),
    net_sales             DECIMAL(18, 2),
    gross_profit          DECIMAL(18, 2),
    net_profit            DECIMAL(18, 2),
    paid_orders           BIGINT,
    units                 BIGINT,
    ad_spend              DECIMAL(18, 2),
    affiliate_commission  DECIMAL(18, 2),
    refund_amount         DECIMAL(18, 2),
    aov                   DECIMAL(18, 2),
    ad_roi                DOUBLE,
    conversion_rate       DOUBLE,
    refund_rate           DOUBLE,
    ad_spend_ratio        DOUBLE,
    updated_at            TIMESTAMP NOT NULL DEFAULT current_timestamp,
    import_id             BIGINT,                      -- NULL for rows set on the command line
    source_row            INTEGER
);

CREATE TABLE shop_groups (
    group_name  VARCHAR NOT NULL,
    shop        VARCHAR NOT NULL,
    PRIMARY KEY (group_name, shop)
);
