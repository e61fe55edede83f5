-- 014: 退换货与差评 (returns and reviews, issue 16). The 千牛 退款管理 rows stay in the core's refunds
-- table (the 总表 sums it; 013 added what the returns analysis reads); these are the other platforms'
-- after-sales and every platform's reviews.
--
-- after_sales: 抖店 售后表, one row per 售后单 (reference/next-batch-research.md §4.1). 售后类型 and
-- 售后状态 arrive as text or as 抖店's codes (0 退货, 1 售后仅退款, 2 发货前退款, 3 换货 …; 12 成功 …):
-- kept as written, read by returns.relations. refund_amount includes the postage refunded
-- (退运费金额); goods_amount is 退商品金额 alone.
CREATE TABLE after_sales (
    shop             VARCHAR NOT NULL,
    after_sale_id    VARCHAR NOT NULL,   -- 售后单号
    order_id         VARCHAR,            -- 订单号
    line_id          VARCHAR,            -- 商品单号 (the sub-order)
    item_id          VARCHAR,            -- 商品ID
    title            VARCHAR,            -- 商品名称
    sku_spec         VARCHAR,            -- 商品规格
    sku_code         VARCHAR,            -- 商家编码
    quantity         BIGINT,             -- 售后商品数量
    after_sale_type  VARCHAR,            -- 售后类型 (text or code)
    status           VARCHAR,            -- 售后状态 (text or code)
    applied_at       TIMESTAMP,          -- 售后申请时间
    completed_at     TIMESTAMP,          -- 售后完结时间 / 退款时间
    paid_at          TIMESTAMP,          -- 订单支付时间
    goods_amount     DECIMAL(18, 2),     -- 退商品金额（元）
    postage_amount   DECIMAL(18, 2),     -- 退运费金额（元）
    refund_amount    DECIMAL(18, 2),     -- 退款金额（元）: goods + postage
    reason           VARCHAR,            -- 售后原因 / 退款原因
    reason_detail    VARCHAR,            -- 问题描述
    goods_status     VARCHAR,            -- 货物状态 / 收货状态
    return_tracking  VARCHAR,            -- 退货物流单号
    import_id        BIGINT NOT NULL,
    source_row       INTEGER
);

-- reviews: 抖店 评价 export (one row per order line reviewed) and the 淘宝/天猫 review CSV a browser
-- plugin writes (no order number: linked to an order by returns.reviews where it can be).
CREATE TABLE reviews (
    shop             VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,   -- douyin_reviews / taobao_reviews
    reviewed_at      TIMESTAMP NOT NULL, -- 评价日期 / 日期
    order_id         VARCHAR,            -- 订单ID
    item_id          VARCHAR,            -- 商品ID
    title            VARCHAR,            -- 商品名称
    sku_spec         VARCHAR,            -- 商品规格 / SKU
    score            BIGINT,             -- 商品评价得分 / 评分 (1–5)
    level            VARCHAR,            -- 评价等级: 好评 / 中评 / 差评 (when the file says)
    content          VARCHAR,            -- 评价内容 / 评论内容
    follow_up        VARCHAR,            -- 追评内容 / 追加评论
    follow_up_at     TIMESTAMP,          -- 追评时间
    replied          VARCHAR,            -- 商家是否回复
    reply            VARCHAR,            -- 回复内容 / 商家回复
    buyer            VARCHAR,            -- 用户昵称 (often masked: t**9)
    platform_label   VARCHAR,            -- 平台 (the plugin's column)
    import_id        BIGINT NOT NULL,
    source_row       INTEGER
);
