-- 005: JD and Douyin canonical tables.
-- Same rules as 001: provenance on every row (import_id, source_row), money DECIMAL(18,2),
-- ratios as reported DOUBLE fractions, unknown NULL. JD order exports reuse `orders`; 京准通 and
-- 千川 reports reuse `ad_plan_day` (channels jd_express / jd_touchpoint / jd_fullsite / qianchuan).

ALTER TABLE ad_plan_day ADD COLUMN net_gmv DECIMAL(18, 2);   -- 千川 净成交金额 (refunds deducted)
ALTER TABLE ad_plan_day ADD COLUMN net_orders BIGINT;         -- 千川 净成交订单数

-- 京东商智 店铺/流量 funnel, one row per shop per day. JD says 客户 where Taobao says 买家.
CREATE TABLE jd_shop_day (
    shop               VARCHAR NOT NULL,
    date               DATE NOT NULL,
    pageviews          BIGINT,
    visitors           BIGINT,
    gmv                DECIMAL(18, 2),   -- 成交金额 (JD basis, see the catalog)
    customers          BIGINT,           -- 成交客户数
    paid_orders        BIGINT,           -- 成交单量
    units              BIGINT,           -- 成交商品件数
    conversion_rate    DOUBLE,
    aov                DECIMAL(18, 2),
    cart_customers     BIGINT,           -- 加购客户数
    order_customers    BIGINT,           -- 下单客户数
    order_amount       DECIMAL(18, 2),   -- 下单金额
    avg_stay_seconds   DOUBLE,
    import_id          BIGINT NOT NULL,
    source_row         INTEGER
);

-- 京东商智 商品/SKU daily: stock, shipments, price and status per SKU (price changes and 上下柜 derive from it)
CREATE TABLE jd_sku_day (
    shop               VARCHAR NOT NULL,
    date               DATE NOT NULL,
    sku_id             VARCHAR NOT NULL,
    sku_name           VARCHAR,
    category           VARCHAR,
    price              DECIMAL(18, 2),   -- 京东价 on that day
    status             VARCHAR,          -- 上柜 / 下柜
    visitors           BIGINT,
    units              BIGINT,           -- 成交商品件数
    gmv                DECIMAL(18, 2),
    stock_units        BIGINT,           -- 库存件数
    shipped_units      BIGINT,           -- 出库件数
    import_id          BIGINT NOT NULL,
    source_row         INTEGER
);

-- 京东 优惠券 / 促销 effect report, one row per coupon (or promotion) per day
CREATE TABLE jd_coupon_day (
    shop               VARCHAR NOT NULL,
    date               DATE NOT NULL,
    coupon_id          VARCHAR NOT NULL,
    coupon_name        VARCHAR,
    kind               VARCHAR,          -- 东券 / 京券 / 满减 / 直降 …
    issued             BIGINT,           -- 领取张数
    used               BIGINT,           -- 使用张数
    cost               DECIMAL(18, 2),   -- 优惠金额 borne by the shop
    gmv                DECIMAL(18, 2),   -- 用券成交金额
    orders             BIGINT,
    import_id          BIGINT NOT NULL,
    source_row         INTEGER
);

-- 京东联盟 merchant report, one row per shop per day
CREATE TABLE jd_union_day (
    shop               VARCHAR NOT NULL,
    date               DATE NOT NULL,
    orders             BIGINT,
    referred_gmv       DECIMAL(18, 2),
    commission         DECIMAL(18, 2),
    import_id          BIGINT NOT NULL,
    source_row         INTEGER
);

-- 抖店 订单导出: one row per 子订单 (sub-order); 主订单编号 groups them.
CREATE TABLE douyin_order_lines (
    shop                VARCHAR NOT NULL,
    line_id             VARCHAR NOT NULL,   -- 子订单编号
    order_id            VARCHAR,            -- 主订单编号
    product_id          VARCHAR,
    title               VARCHAR,
    quantity            BIGINT,
    unit_price          DECIMAL(18, 2),     -- 商品金额 (per unit)
    payable             DECIMAL(18, 2),     -- 订单应付金额
    postage             DECIMAL(18, 2),
    discount_total      DECIMAL(18, 2),
    platform_discount   DECIMAL(18, 2),
    merchant_discount   DECIMAL(18, 2),
    creator_discount    DECIMAL(18, 2),
    status              VARCHAR,
    after_sale_status   VARCHAR,
    created_at          TIMESTAMP,
    paid_at             TIMESTAMP,
    completed_at        TIMESTAMP,
    creator_id          VARCHAR,            -- 达人ID
    creator_name        VARCHAR,
    traffic_source      VARCHAR,            -- 流量来源 (… 精选联盟 …)
    traffic_type        VARCHAR,            -- 流量体裁 (直播 / 短视频 / 商品卡 …)
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);

-- 罗盘 直播 per-session workbook, one table per sheet.
CREATE TABLE live_session (                -- 基本信息
    shop                VARCHAR NOT NULL,
    session_id          VARCHAR NOT NULL,
    date                DATE NOT NULL,
    title               VARCHAR,
    account             VARCHAR,
    started_at          TIMESTAMP,
    ended_at            TIMESTAMP,
    user_paid_amount    DECIMAL(18, 2),     -- 直播间用户支付金额 (not 成交金额)
    gpm_reported        DECIMAL(18, 2),     -- 千次观看用户支付金额 as exported
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);

CREATE TABLE live_session_overview (       -- 整体看板
    shop                VARCHAR NOT NULL,
    session_id          VARCHAR NOT NULL,
    date                DATE,
    viewers             BIGINT,             -- 直播间观看人数
    views               BIGINT,             -- 直播间观看次数
    avg_online          BIGINT,
    avg_watch_seconds   DOUBLE,
    gmv                 DECIMAL(18, 2),     -- 直播间成交金额
    buyers              BIGINT,
    paid_orders         BIGINT,
    new_followers       BIGINT,
    view_to_buy_rate    DOUBLE,             -- 直播间观看-成交率(人数), as exported
    click_to_buy_rate   DOUBLE,
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);

CREATE TABLE live_session_funnel (         -- 转化漏斗: one row per step
    shop                VARCHAR NOT NULL,
    session_id          VARCHAR NOT NULL,
    date                DATE,
    step                VARCHAR NOT NULL,
    people              BIGINT,
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);

CREATE TABLE live_session_channel (        -- 渠道分析
    shop                VARCHAR NOT NULL,
    session_id          VARCHAR NOT NULL,
    date                DATE,
    channel             VARCHAR NOT NULL,
    viewers             BIGINT,
    gmv                 DECIMAL(18, 2),
    qianchuan_spend     DECIMAL(18, 2),
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);

CREATE TABLE live_session_item (           -- 商品明细
    shop                VARCHAR NOT NULL,
    session_id          VARCHAR NOT NULL,
    date                DATE,
    product_id          VARCHAR NOT NULL,
    title               VARCHAR,
    exposures           BIGINT,
    clicks              BIGINT,
    units               BIGINT,
    gmv                 DECIMAL(18, 2),
    buyers              BIGINT,
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);

-- 主播排班表: who was on air when (GMV of orders paid in the slot is credited to the anchor)
CREATE TABLE anchor_schedule (
    shop                VARCHAR NOT NULL,
    date                DATE NOT NULL,
    anchor              VARCHAR NOT NULL,
    starts_at           TIMESTAMP NOT NULL,
    ends_at             TIMESTAMP NOT NULL,
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);

-- 抖音 短视频 data, one row per video per day
CREATE TABLE short_video_day (
    shop                VARCHAR NOT NULL,
    date                DATE NOT NULL,
    video_id            VARCHAR NOT NULL,
    title               VARCHAR,
    plays               BIGINT,
    completion_rate     DOUBLE,
    likes               BIGINT,
    comments            BIGINT,
    shares              BIGINT,
    new_followers       BIGINT,
    product_clicks      BIGINT,
    orders              BIGINT,
    gmv                 DECIMAL(18, 2),
    import_id           BIGINT NOT NULL,
    source_row          INTEGER
);
