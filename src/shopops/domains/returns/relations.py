"""The relations every returns analysis reads: the after-sale cases, the paid lines they are rates
of, and what each SKU is. Written once so that summary, reasons, items, findings, the sheet and the
page count a return the same way.

- ``CASES``: one row per after-sale case of every platform — 千牛 退款管理 (core ``refunds``) and 抖店
  售后表 (``after_sales``). Columns:

  - ``shop``, ``source`` ('qianniu_refunds' / 'douyin_after_sales'), ``case_id`` (退款编号 / 售后单号),
    ``order_id``, ``sku`` (商品编码 / 商家编码; for 抖店 without it, the 商品ID), ``spec`` (抖店 商品规格),
    ``item_id``, ``title``;
  - ``kind``: 仅退款, 退货退款, 换货 — or, 抖店 only, 价保, 补寄, 取消 (not returns: :data:`RETURN_KINDS`
    leaves them out of every rate) — null when the file does not say (千牛's short export: neither
    售后类型 nor 是否需要退货). 千牛: 售后类型, else 是否需要退货 (是 → 退货退款, 否 → 仅退款). 抖店:
    售后类型 as text or code (research §4.1: 0 退货, 1 售后仅退款, 2 发货前退款, 3 换货, 4 系统取消,
    5 用户取消, 6 价保, 7 补寄);
  - ``shipped``: 发货前 / 发货后 / null (unknown) — only refunds after shipment cost freight. 千牛: 发货后
    when 发货物流信息 is written, 货物状态 says the buyer has the goods (买家已收到货 / 买家已退货) or the
    case is a 退货退款 / 换货; 发货前 when 货物状态 is 买家未收到货 with no 发货物流信息. 抖店: 发货前退款
    (2) is 发货前, 退货 / 售后仅退款 / 换货 发货后;
  - ``outcome``: 成功 (the money went back, or the exchange was made: 千牛 退款成功, or a text with
    成功/完成/完结 such as 换货成功; 抖店 12 成功, 53 逆向交易完成, or a text with 成功/完成), 关闭 (退款关闭,
    or a text with 关闭/拒绝/撤销/取消; 抖店 27 拒绝申请, 28 失败, 29 退货后拒绝退款, 51 取消成功, or a text
    with 关闭/拒绝/失败/取消/撤销), else 处理中;
  - ``amount`` (refunded: 千牛 买家退款金额; 抖店 退款金额 with postage, else 退商品金额 + 退运费金额),
    ``goods_amount`` (抖店 退商品金额; 千牛: ``amount``, which has no postage column), ``postage``
    (抖店 退运费金额, else null);
  - ``paid_at`` (the order's payment: the case's own column, else the order's in 千牛 已卖出的宝贝 /
    抖店 订单), ``applied_at``, ``completed_at`` (the money's day; 千牛 退款完结时间);
  - ``reason`` (买家退款原因 / 售后原因), ``reason_detail`` (退款说明 / 问题描述), ``responsible`` (责任方).

- ``LINES``: the paid order lines a rate is of, per shop — 千牛 宝贝报表 (``order_lines``) and 抖店
  订单 (``douyin_order_lines``): ``shop``, ``line_id``, ``order_id``, ``sku`` (商家编码 / 商品ID),
  ``title``, ``quantity``, ``amount`` (what the line was paid), ``paid_at``.

- ``ATTRIBUTES``: per shop and SKU, its style, colour, size and name from the product master (the
  SKU's latest version that states each). Shop '*' rows (every shop) stay rows of shop '*': a caller
  falls back to them where a shop has no row of its own.

SQL text for a ``WITH`` clause, no parameters.
"""

from __future__ import annotations

RETURN_KINDS = ("仅退款", "退货退款", "换货")  # the rest (价保, 补寄, 取消) are not returns

_QIANNIU_KIND = """CASE
    WHEN r.after_sale_type LIKE '%换货%' THEN '换货'
    WHEN r.after_sale_type LIKE '%退货%' THEN '退货退款'
    WHEN r.after_sale_type LIKE '%退款%' THEN '仅退款'
    WHEN trim(r.return_required) = '是' THEN '退货退款'
    WHEN trim(r.return_required) = '否' THEN '仅退款'
END"""

_DOUYIN_KIND = """CASE
    WHEN t IN ('0', '退货', '退货退款') THEN '退货退款'
    WHEN t IN ('1', '2', '售后仅退款', '发货前退款', '仅退款', '未发货仅退款', '已发货仅退款') THEN '仅退款'
    WHEN t IN ('3', '换货') THEN '换货'
    WHEN t IN ('4', '5', '系统取消', '用户取消', '取消') THEN '取消'
    WHEN t IN ('6', '价保') THEN '价保'
    WHEN t IN ('7', '补寄') THEN '补寄'
END"""

_DOUYIN_OUTCOME = """CASE
    WHEN s IN ('12', '53') THEN '成功'
    WHEN s IN ('27', '28', '29', '51') THEN '关闭'
    WHEN regexp_matches(s, '关闭|拒绝|失败|取消|撤销') THEN '关闭'
    WHEN regexp_matches(s, '成功|完成') THEN '成功'
    ELSE '处理中'
END"""

CASES = f"""
SELECT r.shop, 'qianniu_refunds' AS source, r.refund_id AS case_id, r.order_id,
       r.sku_code AS sku, CAST(NULL AS VARCHAR) AS spec, r.item_id, r.title,
       {_QIANNIU_KIND} AS kind,
       CASE
           WHEN nullif(trim(r.shipping_info), '') IS NOT NULL THEN '发货后'
           WHEN r.goods_status IN ('买家已收到货', '买家已退货') THEN '发货后'
           WHEN r.after_sale_type LIKE '%换货%' OR r.after_sale_type LIKE '%退货%' THEN '发货后'
           WHEN trim(r.return_required) = '是' THEN '发货后'
           WHEN r.goods_status = '买家未收到货' THEN '发货前'
       END AS shipped,
       CASE
           WHEN r.status = '退款成功' THEN '成功'
           WHEN regexp_matches(r.status, '关闭|拒绝|撤销|取消') THEN '关闭'
           WHEN regexp_matches(r.status, '成功|完成|完结') THEN '成功'  -- 换货成功 …
           ELSE '处理中'
       END AS outcome,
       r.refund_amount AS amount, r.refund_amount AS goods_amount, CAST(NULL AS DECIMAL(18, 2)) AS postage,
       coalesce(r.paid_at, o.paid_at) AS paid_at, r.applied_at, r.completed_at,
       nullif(trim(r.reason), '') AS reason, r.reason_detail, r.responsible
FROM refunds r
LEFT JOIN (SELECT shop, order_id, min(paid_at) AS paid_at FROM orders GROUP BY ALL) o
       ON o.shop = r.shop AND o.order_id = r.order_id
UNION ALL
SELECT a.shop, 'douyin_after_sales', a.after_sale_id, a.order_id,
       coalesce(a.sku_code, a.item_id, l.product_id), a.sku_spec, coalesce(a.item_id, l.product_id),
       coalesce(a.title, l.title),
       {_DOUYIN_KIND.replace("t IN", "trim(a.after_sale_type) IN")},
       CASE
           WHEN trim(a.after_sale_type) IN ('2', '发货前退款', '未发货仅退款') THEN '发货前'
           WHEN trim(a.after_sale_type) IN ('0', '1', '3', '退货', '退货退款', '售后仅退款', '已发货仅退款', '换货')
               THEN '发货后'
       END,
       {_DOUYIN_OUTCOME.replace("s IN", "trim(a.status) IN").replace("(s,", "(trim(a.status),")},
       coalesce(a.refund_amount, a.goods_amount + a.postage_amount, a.goods_amount),
       coalesce(a.goods_amount, a.refund_amount - a.postage_amount), a.postage_amount,
       coalesce(a.paid_at, l.paid_at), a.applied_at, a.completed_at,
       nullif(trim(a.reason), ''), a.reason_detail, CAST(NULL AS VARCHAR)
FROM after_sales a
LEFT JOIN douyin_order_lines l ON l.shop = a.shop AND l.line_id = a.line_id
"""

LINES = """
SELECT shop, line_id, order_id, coalesce(sku_code, item_id) AS sku, title, quantity,
       coalesce(paid_amount, price * quantity) AS amount, paid_at
FROM order_lines WHERE paid_at IS NOT NULL
UNION ALL
SELECT shop, line_id, order_id, product_id, title, quantity, payable, paid_at
FROM douyin_order_lines WHERE paid_at IS NOT NULL
"""

ATTRIBUTES = """
SELECT shop, sku,
       arg_max(style, cost_from) FILTER (WHERE style IS NOT NULL) AS style,
       arg_max(color, cost_from) FILTER (WHERE color IS NOT NULL) AS color,
       arg_max(size, cost_from) FILTER (WHERE size IS NOT NULL) AS size,
       arg_max(name, cost_from) FILTER (WHERE name IS NOT NULL) AS name
FROM product_master GROUP BY shop, sku
"""
