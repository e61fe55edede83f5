-- 012: what the ERP says was sold and moved (商品与库存, issue 15).
--
-- erp_sales: the ERP's sales by SKU (聚水潭 销售/多维度 and 销售明细), one row per file row. The ERP
-- serves several shops: 店铺 says each row's shop. The 多维度 report is exported by 付款时间 or by
-- 发货时间 with one column 日期; date_basis says which (from the file name) and the two are kept
-- apart. A re-export replaces the shop-days of its basis whole (the two reports by payment replace
-- each other: never counted twice). relations.SOLD takes a shop-day from here when this table has a
-- row of it by payment (付款, else 未注明), else from the paid order lines.
CREATE TABLE erp_sales (
    shop             VARCHAR NOT NULL,
    erp              VARCHAR NOT NULL,          -- 聚水潭
    day              DATE NOT NULL,             -- 日期 / 付款日期
    date_basis       VARCHAR NOT NULL,          -- what 日期 is: 付款, 发货, 下单 (file name), else 未注明
    channel          VARCHAR,                   -- 渠道
    order_id         VARCHAR,                   -- 内部订单号 (销售明细)
    influencer       VARCHAR,                   -- 达人编号 (销售明细)
    sku              VARCHAR,                   -- 商品编码; empty cells are kept and reported
    style            VARCHAR,                   -- 款式编码
    spec             VARCHAR,                   -- 颜色规格
    category         VARCHAR,                   -- 产品分类
    cost_price       DECIMAL(18, 2),            -- 成本价
    sold_units       BIGINT,                    -- 销售数量
    shipped_units    BIGINT,                    -- 实发数量
    sales_amount     DECIMAL(18, 2),            -- 销售金额
    shipped_amount   DECIMAL(18, 2),            -- 实发金额
    return_units     BIGINT,                    -- 退货数量 (returns asked for)
    returned_units   BIGINT,                    -- 实退数量 (returns received back)
    return_amount    DECIMAL(18, 2),            -- 退货金额
    refunded_amount  DECIMAL(18, 2),            -- 实退金额
    import_id        BIGINT,
    source_row       INTEGER
);

-- stock_movement: an ERP 进销存 (eFAST) — per warehouse × SKU × period, the stock at the period's
-- start and end and what moved in between. Figures as the file writes them (some eFAST versions
-- write the outbound columns negative; relations.MOVEMENTS reads them by size). 期末 need not equal
-- 期初 + 入库 − 出库 (eFAST itself counts 调整数 in or out of the totals depending on its version).
-- A re-export of the same period and warehouse replaces it whole.
CREATE TABLE stock_movement (
    shop              VARCHAR NOT NULL,
    erp               VARCHAR NOT NULL,         -- eFAST
    period_start      DATE NOT NULL,            -- 业务日期 from (期初 = stock before this day)
    period_end        DATE NOT NULL,            -- 业务日期 to (期末 = stock after this day)
    warehouse         VARCHAR NOT NULL DEFAULT '',  -- 仓库
    sku               VARCHAR,                  -- 商品条形码 (as in efast_stock); empty cells reported
    style             VARCHAR,                  -- 商品编码
    name              VARCHAR,
    color             VARCHAR,
    size              VARCHAR,
    opening           BIGINT,                   -- 期初库存
    opening_value     DECIMAL(18, 2),           -- 期初金额 (= 期初库存 × 价格)
    inbound           BIGINT,                   -- 入库总数
    purchase_in       BIGINT,                   -- 采购入库数
    purchase_return   BIGINT,                   -- 采购退货数
    wholesale_out     BIGINT,                   -- 批发销货数
    wholesale_return  BIGINT,                   -- 批发退货数
    adjustment        BIGINT,                   -- 调整数 (signed)
    outbound          BIGINT,                   -- 出库总数
    transfer_in       BIGINT,                   -- 移入数
    transfer_out      BIGINT,                   -- 移出数
    retail_out        BIGINT,                   -- 零售发货数
    retail_return     BIGINT,                   -- 零售退货数
    closing           BIGINT,                   -- 期末库存
    price             DECIMAL(18, 2),           -- 价格 (the report's price type: 吊牌价, 成本价 or 进货价)
    closing_value     DECIMAL(18, 2),           -- 期末金额 (= 期末库存 × 价格)
    import_id         BIGINT,
    source_row        INTEGER
);
