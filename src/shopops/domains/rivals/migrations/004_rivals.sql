-- 004: competitor tracking (竞店/竞品).
-- The registry (rival shops and items, paired with our own item, in groups) is written by
-- `shopops rival add`; everything else is imported and keeps its provenance (import_id, source_row),
-- except manual entries, which record who entered them and when.
-- 生意参谋 competitor figures are indices (交易指数, 流量指数 …), never money: they are DOUBLE and are
-- only turned into money by the fitted 指数还原 mapping, as an estimate with a range.

CREATE TABLE rival_shops (
    name        VARCHAR PRIMARY KEY,
    platform    VARCHAR NOT NULL DEFAULT 'taobao',
    our_shop    VARCHAR NOT NULL DEFAULT '*',       -- our shop it competes with, '*' = all
    group_name  VARCHAR NOT NULL DEFAULT '',
    note        VARCHAR NOT NULL DEFAULT '',
    added_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE rival_items (
    rival_shop   VARCHAR NOT NULL,
    item_id      VARCHAR NOT NULL,
    title        VARCHAR NOT NULL DEFAULT '',
    our_shop     VARCHAR NOT NULL DEFAULT '*',
    our_item_id  VARCHAR NOT NULL DEFAULT '',       -- our item it competes with ('' = not paired)
    group_name   VARCHAR NOT NULL DEFAULT '',
    added_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (rival_shop, item_id)
);

-- Item snapshots (a crawler, a plugin, a 店查查 export, cosmetic.csv …): one row per item per day.
-- sales_total is a cumulative counter (累计销量); sales_30d a rolling 30-day count (月销量). Which one a
-- file holds is decided by its mapping, never guessed.
CREATE TABLE rival_snapshots (
    shop          VARCHAR NOT NULL DEFAULT '*',     -- our shop that tracks it, '*' = all
    date          DATE NOT NULL,
    rival_shop    VARCHAR NOT NULL DEFAULT '',
    item_id       VARCHAR NOT NULL,
    title         VARCHAR,
    price         DECIMAL(18, 2),
    sales_total   BIGINT,
    sales_30d     BIGINT,
    review_count  BIGINT,
    import_id     BIGINT,
    source_row    INTEGER
);

-- 生意参谋 竞店/竞品 (and our own shop's) index per day. item_id '' = the shop as a whole.
CREATE TABLE rival_index_day (
    shop                 VARCHAR NOT NULL,          -- our shop whose 生意参谋 the export came from
    date                 DATE NOT NULL,
    subject              VARCHAR NOT NULL CHECK (subject IN ('own', 'rival')),
    rival_shop           VARCHAR NOT NULL DEFAULT '',
    item_id              VARCHAR NOT NULL DEFAULT '',
    title                VARCHAR,
    trade_index          DOUBLE,                    -- 交易指数
    traffic_index        DOUBLE,                    -- 流量指数
    search_popularity    DOUBLE,                    -- 搜索人气
    favorite_popularity  DOUBLE,                    -- 收藏人气
    cart_popularity      DOUBLE,                    -- 加购人气
    conversion_index     DOUBLE,                    -- 支付转化指数
    import_id            BIGINT,
    source_row           INTEGER
);

-- 入店来源 per rival item (and ours) per day: 流量指数 for rivals, real 访客数 where the row is ours.
CREATE TABLE rival_traffic_day (
    shop              VARCHAR NOT NULL,
    date              DATE NOT NULL,
    rival_shop        VARCHAR NOT NULL DEFAULT '',
    item_id           VARCHAR NOT NULL DEFAULT '',
    traffic_source    VARCHAR NOT NULL,
    traffic_index     DOUBLE,
    conversion_index  DOUBLE,
    our_visitors      BIGINT,
    our_buyers        BIGINT,
    import_id         BIGINT,
    source_row        INTEGER
);

-- Prices and notes entered by hand (`shopops rival price|note`).
CREATE TABLE rival_manual (
    date        DATE NOT NULL,
    rival_shop  VARCHAR NOT NULL,
    item_id     VARCHAR NOT NULL DEFAULT '',
    price       DECIMAL(18, 2),
    note        VARCHAR NOT NULL DEFAULT '',
    entered_by  VARCHAR NOT NULL DEFAULT '',
    entered_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
