-- 001: shops, import log and the canonical tables of the Taobao/Tmall exports.
-- Every imported table keeps provenance: import_id (→ imports) and source_row (row number in the file).
-- Money is DECIMAL(18,2); ratios as reported are DOUBLE fractions; unknown is NULL, never 0.

CREATE TABLE shops (
    name        VARCHAR PRIMARY KEY,
    platform    VARCHAR NOT NULL CHECK (platform IN ('tmall', 'taobao', 'jd', 'douyin')),
    fee_rate    DECIMAL(6, 4) NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE import_id_seq START 1;

CREATE TABLE imports (
    import_id      BIGINT PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    file_hash      VARCHAR NOT NULL,
    sheet          VARCHAR,
    source_key     VARCHAR NOT NULL,
    target_table   VARCHAR NOT NULL,          -- the canonical table the rows went to
    shops          VARCHAR NOT NULL,          -- comma-separated shop names the rows belong to
    rows_imported  BIGINT NOT NULL,
    rows_replaced  BIGINT NOT NULL,
    date_min       DATE,
    date_max       DATE,
    imported_at    TIMESTAMP NOT NULL,
    imported_by    VARCHAR
);

-- 生意参谋 店铺整体 (one row per shop per day)
CREATE TABLE sycm_shop_day (
    shop                  VARCHAR NOT NULL,
    date                  DATE NOT NULL,
    visitors              BIGINT,
    pageviews             BIGINT,
    buyers                BIGINT,
    gmv                   DECIMAL(18, 2),
    paid_orders           BIGINT,
    paid_sub_orders       BIGINT,
    units                 BIGINT,
    conversion_rate       DOUBLE,
    aov                   DECIMAL(18, 2),
    ad_spend_keyword      DECIMAL(18, 2),
    ad_spend_display      DECIMAL(18, 2),
    ad_spend_smart        DECIMAL(18, 2),
    ad_spend_fullsite     DECIMAL(18, 2),
    affiliate_commission  DECIMAL(18, 2),
    refund_amount         DECIMAL(18, 2),
    dsr_description       DOUBLE,
    dsr_service           DOUBLE,
    dsr_logistics         DOUBLE,
    import_id             BIGINT NOT NULL,
    source_row            INTEGER
);

-- 生意参谋 商品效果 (one row per shop, item and day)
CREATE TABLE sycm_item_day (
    shop              VARCHAR NOT NULL,
    date              DATE NOT NULL,
    item_id           VARCHAR NOT NULL,
    item_name         VARCHAR,
    item_code         VARCHAR,
    item_status       VARCHAR,
    visitors          BIGINT,
    pageviews         BIGINT,
    add_to_cart_buyers BIGINT,
    buyers            BIGINT,
    units             BIGINT,
    gmv               DECIMAL(18, 2),
    conversion_rate   DOUBLE,
    refund_amount     DECIMAL(18, 2),
    import_id         BIGINT NOT NULL,
    source_row        INTEGER
);

-- 千牛 已卖出的宝贝 — order level
CREATE TABLE orders (
    shop           VARCHAR NOT NULL,
    order_id       VARCHAR NOT NULL,
    buyer          VARCHAR,
    status         VARCHAR,
    created_at     TIMESTAMP,
    paid_at        TIMESTAMP,
    total_amount   DECIMAL(18, 2),
    paid_amount    DECIMAL(18, 2),
    postage        DECIMAL(18, 2),
    refund_amount  DECIMAL(18, 2),
    quantity       BIGINT,
    province       VARCHAR,
    title          VARCHAR,
    import_id      BIGINT NOT NULL,
    source_row     INTEGER
);

-- 千牛 已卖出的宝贝 — item (sub-order) level
CREATE TABLE order_lines (
    shop           VARCHAR NOT NULL,
    line_id        VARCHAR NOT NULL,
    order_id       VARCHAR,
    title          VARCHAR,
    price          DECIMAL(18, 2),
    quantity       BIGINT,
    sku_code       VARCHAR,
    item_id        VARCHAR,
    status         VARCHAR,
    paid_amount    DECIMAL(18, 2),
    refund_status  VARCHAR,
    refund_amount  DECIMAL(18, 2),
    created_at     TIMESTAMP,
    paid_at        TIMESTAMP,
    import_id      BIGINT NOT NULL,
    source_row     INTEGER
);

-- 千牛 退款管理
CREATE TABLE refunds (
    shop            VARCHAR NOT NULL,
    refund_id       VARCHAR NOT NULL,
    order_id        VARCHAR,
    paid_at         TIMESTAMP,
    applied_at      TIMESTAMP,
    completed_at    TIMESTAMP,
    paid_amount     DECIMAL(18, 2),
    refund_amount   DECIMAL(18, 2),
    status          VARCHAR,
    reason          VARCHAR,
    return_required VARCHAR,
    sku_code        VARCHAR,
    title           VARCHAR,
    import_id       BIGINT NOT NULL,
    source_row      INTEGER
);

-- 直通车 / 引力魔方 / 钻展 / 万相台无界 plan-level reports: several rows per shop, day and channel
CREATE TABLE ad_plan_day (
    shop          VARCHAR NOT NULL,
    date          DATE NOT NULL,
    channel       VARCHAR NOT NULL,
    plan_id       VARCHAR,
    plan_name     VARCHAR,
    subject_name  VARCHAR,
    impressions   BIGINT,
    clicks        BIGINT,
    spend         DECIMAL(18, 2),
    ad_gmv        DECIMAL(18, 2),
    ad_orders     BIGINT,
    import_id     BIGINT NOT NULL,
    source_row    INTEGER
);

-- 淘宝联盟 merchant report (one row per shop per day)
CREATE TABLE affiliate_day (
    shop            VARCHAR NOT NULL,
    date            DATE NOT NULL,
    clicks          BIGINT,
    commission      DECIMAL(18, 2),
    referred_gmv    DECIMAL(18, 2),
    settled_amount  DECIMAL(18, 2),
    import_id       BIGINT NOT NULL,
    source_row      INTEGER
);

-- SKU cost sheet (our template). shop '*' = every shop.
CREATE TABLE sku_costs (
    shop        VARCHAR NOT NULL,
    sku_code    VARCHAR NOT NULL,
    item_id     VARCHAR,
    title       VARCHAR,
    unit_cost   DECIMAL(18, 2) NOT NULL,
    valid_from  DATE NOT NULL,
    import_id   BIGINT NOT NULL,
    source_row  INTEGER
);
