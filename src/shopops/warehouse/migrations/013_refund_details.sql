-- 013: what the 千牛 退款管理 export says about each refund beyond its amount (issue 16). The 42- and
-- 54-column exports (reference/next-batch-research.md §4.1, export-formats-and-metrics.md §1.7) name
-- the kind of after-sale, whether the goods had shipped, the buyer's explanation and who was at
-- fault; the returns domain reads them (reasons → causes). The core owns the table: the 总表's
-- 退款金额 is its sum.
ALTER TABLE refunds ADD COLUMN after_sale_type VARCHAR;   -- 售后类型: 仅退款 / 退货退款 / 换货 …
ALTER TABLE refunds ADD COLUMN goods_status VARCHAR;      -- 货物状态: 买家未收到货 / 买家已收到货 / 买家已退货
ALTER TABLE refunds ADD COLUMN shipping_info VARCHAR;     -- 发货物流信息 (blank: the order had not shipped)
ALTER TABLE refunds ADD COLUMN return_tracking VARCHAR;   -- 退货物流单号
ALTER TABLE refunds ADD COLUMN reason_detail VARCHAR;     -- 买家退款说明
ALTER TABLE refunds ADD COLUMN reason_tag VARCHAR;        -- 退款原因标签
ALTER TABLE refunds ADD COLUMN responsible VARCHAR;       -- 责任方
ALTER TABLE refunds ADD COLUMN sale_phase VARCHAR;        -- 售中或售后: 售中 / 售后
ALTER TABLE refunds ADD COLUMN item_id VARCHAR;           -- 商品id / 商品 id
ALTER TABLE refunds ADD COLUMN payment_id VARCHAR;        -- 支付宝交易号 / 支付单号
ALTER TABLE refunds ADD COLUMN refund_mode VARCHAR;       -- 手工退款/系统退款
ALTER TABLE refunds ADD COLUMN refund_scope VARCHAR;      -- 部分退款/全部退款
ALTER TABLE refunds ADD COLUMN buyer VARCHAR;             -- 买家会员名称 (some versions)
