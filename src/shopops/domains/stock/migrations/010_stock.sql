-- 010: products and stock (商品与库存).
-- A stock file is a snapshot of one day, SKU × warehouse: a re-export of that day replaces the
-- day's rows of that ERP whole (a SKU missing from the new file is gone, as in the ERP). Each ERP
-- names its figures differently; they are mapped to one canonical set (research §2.1, "Naming map"):
--   on_hand       主仓实际库存(数) / 实际库存 / 实物库存 / 库存 / 数量
--   order_locked  订单占有(数) / 实物锁定 / 锁定量
--   in_transit    采购在途(数) + 调拨在途(数) (kept apart, summed by the analysis)
--   available     可用数 / 可用库存 / 可发库存 (each source's YAML says which it takes)

CREATE TABLE stock_snapshot (
    shop                  VARCHAR NOT NULL,
    erp                   VARCHAR NOT NULL,        -- 聚水潭, 旺店通, eFAST, 京东自营
    period_start          DATE NOT NULL,           -- the snapshot's day
    period_end            DATE NOT NULL,           -- the same day (a snapshot has no range)
    warehouse             VARCHAR NOT NULL DEFAULT '',
    sku                   VARCHAR NOT NULL,        -- 商品编码 / 商家编码 (the code the order lines carry)
    style                 VARCHAR,                 -- 款式编码 / 货品编号
    name                  VARCHAR,
    color                 VARCHAR,
    size                  VARCHAR,
    category              VARCHAR,
    on_hand               BIGINT,
    order_locked          BIGINT,
    in_transit_purchase   BIGINT,
    in_transit_transfer   BIGINT,
    available             BIGINT,
    created_at            DATE,                    -- 单品创建时间 where the ERP states it
    import_id             BIGINT,
    source_row            INTEGER
);

-- The product master: 聚水潭 商品资料, 千牛 宝贝 lists, our template. One row per SKU and shop.
CREATE TABLE product_master (
    shop          VARCHAR NOT NULL,
    sku           VARCHAR NOT NULL,
    style         VARCHAR,
    name          VARCHAR,
    color         VARCHAR,
    size          VARCHAR,
    category      VARCHAR,
    season        VARCHAR,
    year          BIGINT,
    created_at    DATE,
    list_price    DECIMAL(18, 2),
    cost_price    DECIMAL(18, 2),
    supplier      VARCHAR,
    import_id     BIGINT,
    source_row    INTEGER
);

-- 组合商品: a combo's sale is its components' sales (组合商品编码 → 商品编码 × 数量).
CREATE TABLE product_bom (
    shop        VARCHAR NOT NULL,
    combo_sku   VARCHAR NOT NULL,
    sku         VARCHAR NOT NULL,
    quantity    BIGINT NOT NULL,
    import_id   BIGINT,
    source_row  INTEGER
);
