"""`shopops reviews`: the bad and middling reviews (中差评), each linked to its order, its SKU and any
refund of that order, the ones still to be answered first (待处理差评).

口径 (every output names them in its notes):

- **差评 / 中评.** The file's 评价等级 where it has one (抖店); else the score: 差评 ≤ ``bad_score`` (2),
  中评 = ``middling_score`` (3), 好评 above (``returns:`` in shopops.yaml).
- **Order.** 抖店 reviews carry their 订单ID: linked by it (the 抖店 订单 line by 订单ID as 主订单编号 or
  子订单编号, and 商品ID) — 订单号. The 淘宝/天猫 plugin CSV has no order number: a review is linked to
  the shop's paid order of the same buyer (千牛 订单报表 买家会员名), paid in the :data:`LINK_DAYS` days
  before the review, whose line is of the review's SKU — only when exactly one order fits. A masked
  nickname ("t**9") fits the buyers with those visible characters, under the same rule: one fitting
  order, or none. The plugin scrapes one item page at a time, so a file is one item's and its name
  gives the item (宝贝ID, ``reviews.item_id``; see sources/taobao_reviews.yaml). With the item, the
  review's SKU is the item's SKU whose 颜色 and 尺码 (product master) are in its 规格, and the order's
  line must be of that SKU — 买家+商品+规格; the SKU known but no one order — 仅商品 (SKU 已知，订单未定).
  Without the item, a line fits when its SKU's 颜色 and 尺码 (or its 商家编码) are in the 规格 — 买家+规格.
  Every other review is 未关联. ``link_note`` says why (for 仅商品 and 未关联) or which buyer a masked
  nickname was taken for.
- **Item → SKUs.** The SKUs of a 商品ID: the product master's (商品ID column), the 千牛 宝贝报表 lines
  that carry 商品ID and 商家编码, and the 生意参谋 商品效果's 货号 — a 款式编码 (its SKUs) or a 商家编码.
  An item whose only SKU has neither 颜色 nor 尺码 (a 组合/套餐) is that SKU whatever the 规格 says.
- **SKU.** ``sku`` is the key the returns analyses use (千牛: 商家编码, else 商品ID; 抖店: 商品ID);
  ``sku_code`` the product master's SKU (千牛: the line's 商家编码, or the item's SKU the 规格 names;
  抖店: the one SKU of the 商品ID whose 颜色 and 尺码 the 规格 names), with its 款式/颜色/尺码 — filled
  whenever the SKU is known, the order or not; the 规格 text is always kept.
- **Refund.** The after-sale cases of the linked order (``relations.CASES``): the one of the same SKU,
  else the latest applied; ``refund_cases`` counts them all.
- **待处理差评.** A 中差评 written at most ``review_window_days`` (30) days before today, the merchant
  not having replied (商家是否回复 否, or no 商家回复 text): a buyer may still change it. Listed
  first, the nearest deadline first, with the days left; then the others, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import polars as pl

from shopops.domains.returns.relations import ATTRIBUTES, CASES
from shopops.domains.returns.rules import ReturnRules

# A masked nickname fitting more buyers than this is not followed to their orders: joining thousands
# of buyers' orders cost a big shop's year 15 s and 2.8 GB, and none of 1,687 such reviews ever
# pointed to one order (docs/benchmarks.md, returns). A few hundred buyers still can, with the 规格.
CROWDED_MASK = 1000
LINK_DAYS = 90  # a 淘宝 review is written within 15 days of receipt: an order paid earlier is not its order
BAD, MIDDLING, GOOD = "差评", "中评", "好评"
BY_ORDER, BY_ITEM, BY_BUYER = "订单号", "买家+商品+规格", "买家+规格"
ITEM_ONLY, UNLINKED = "仅商品", "未关联"  # 仅商品: the SKU is known, the order is not
CHINA = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, no daylight saving

REVIEW_COLUMNS = (
    "shop", "grade", "score", "reviewed_at", "pending", "deadline", "days_left", "replied",
    "content", "follow_up", "follow_up_at", "reply", "buyer",
    "link", "link_note", "order_id", "line_id", "paid_at",
    "sku", "sku_code", "spec", "style", "color", "size", "item_id", "title",
    "refund_id", "refund_kind", "refund_reason", "refund_class", "refund_outcome", "refund_amount",
    "refund_cases", "source", "source_row",
)  # fmt: skip


@dataclass(frozen=True)
class ReviewList:
    frame: pl.DataFrame  # REVIEW_COLUMNS, 待处理差评 first
    notes: list[str] = field(default_factory=list)
    has_reviews: bool = False  # any review of the shops at all (else: nothing imported yet)
    today: dt.date | None = None


def china_today() -> dt.date:
    """Today in China (the reply window counts the shop's days)."""
    return dt.datetime.now(CHINA).date()


def review_list(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None,
    rules: ReturnRules,
    *,
    today: dt.date,
    grades: Sequence[str] = (BAD, MIDDLING),
) -> ReviewList:
    """The reviews written from ``start`` to ``end`` (dates, inclusive) of ``grades`` — by default the
    中差评; ``(差评, 中评, 好评)`` for all — linked to order, SKU and refund, 待处理差评 first."""
    params: dict[str, object] = {
        "start": start,
        "after": end + dt.timedelta(days=1),
        "grades": list(grades),
        "bad": rules.bad_score,
        "middling": rules.middling_score,
        "window": rules.review_window_days,
        "today": today,
    }
    scope = ""
    if shops:
        scope = " AND list_contains($shops, shop)"
        params["shops"] = list(shops)
    exists = con.execute(f"SELECT count(*) FROM reviews WHERE true{scope}", _only(params, "shops")).fetchall()
    sql = _SQL.format(
        attributes=ATTRIBUTES,
        cases=CASES,
        scope=scope.replace("shop)", "v.shop)"),
        link_days=LINK_DAYS,
        crowd=CROWDED_MASK,
        grade=_GRADE,
        fits_line=_fits("k.color", "k.size", "ol.sku_code"),
        fits_item=_fits("k.color", "k.size", "s.sku"),
        refund_class=rules.class_sql("c.reason"),
    )
    frame = con.sql(sql, params=params).pl()
    counts = dict(frame["link"].value_counts().iter_rows()) if frame.height else {}
    pending = int(frame["pending"].sum()) if frame.height else 0
    notes = [
        f"{BAD}：评分 ≤ {rules.bad_score} 或 评价等级为差评；{MIDDLING}：评分 {rules.middling_score} 或 评价等级为中评"
        "（文件有评价等级时以它为准）",
        f"待处理差评 {pending} 条：评价后 {rules.review_window_days} 天内（买家可修改中差评）且商家未回复，"
        f"剩余天数少的在前；今天 = {today}",
        "关联订单："
        + "、".join(
            f"{link} {counts.get(link, 0)}" for link in (BY_ORDER, BY_ITEM, BY_BUYER, ITEM_ONLY, UNLINKED)
        )
        + f"（淘宝/天猫 插件导出没有订单号：按买家昵称、SKU 和评价前 {LINK_DAYS} 天内付款的订单关联，只有一笔订单"
        "符合时才关联，打码昵称同样；文件名里有商品ID（一个商品一个文件）时先定 SKU — 订单定不了的为"
        f"{ITEM_ONLY}）",
    ]
    return ReviewList(frame.select(REVIEW_COLUMNS), notes, bool(exists[0][0]), today)


def _only(params: dict[str, object], *names: str) -> dict[str, object]:
    return {k: v for k, v in params.items() if k in names}


_GRADE = f"""CASE
    WHEN v.level LIKE '%差评%' THEN '{BAD}' WHEN v.level LIKE '%中评%' THEN '{MIDDLING}'
    WHEN v.level LIKE '%好评%' THEN '{GOOD}'
    WHEN v.score <= $bad THEN '{BAD}' WHEN v.score = $middling THEN '{MIDDLING}'
    WHEN v.score > $middling THEN '{GOOD}'
END"""


def _fits(color: str, size: str, code: str) -> str:
    """SQL: the review's 规格 names this SKU — its 颜色 and 尺码 (those known, at least one) are among
    the 规格's values ("尺码:XL（建议…）" holds XL), or its code is one of them."""

    def has(value: str) -> str:
        return (
            f"len(list_filter(r.spec_values, lambda s: s = {value} OR (starts_with(s, {value})"
            f" AND substr(s, length({value}) + 1, 1) IN (' ', '(', '（', '[', '【')))) > 0"
        )

    return (
        f"coalesce((({color} IS NOT NULL OR {size} IS NOT NULL) AND ({color} IS NULL OR {has(color)})"
        f" AND ({size} IS NULL OR {has(size)})) OR list_contains(r.spec_values, {code}), false)"
    )


_SQL = r"""
WITH attributes AS ({attributes}),
cases AS ({cases}),
sku_info AS (
    SELECT a.shop, a.sku, a.style, a.color, a.size, a.name, i.item_id
    FROM attributes a
    JOIN (SELECT shop, sku, arg_max(item_id, cost_from) FILTER (WHERE item_id IS NOT NULL) AS item_id
          FROM product_master GROUP BY shop, sku) i ON i.shop = a.shop AND i.sku = a.sku
),
r AS (
    SELECT row_number() OVER (ORDER BY v.shop, v.reviewed_at, v.import_id, v.source_row) AS rid,
           v.* REPLACE (nullif(trim(v.item_id), '') AS item_id),  -- '': a plugin file without the item
           CAST(v.reviewed_at AS DATE) AS review_date, {grade} AS grade,
           list_filter(list_transform(string_split_regex(coalesce(v.sku_spec, ''), '[;；,，\n]+'),
                                      lambda s: trim(regexp_replace(s, '^[^:：]*[:：]', ''))),
                       lambda s: s <> '') AS spec_values,
           nullif(trim(v.buyer), '') AS nick,
           regexp_matches(coalesce(v.buyer, ''), '[*＊]') AS masked,
           regexp_replace(replace(replace(replace(trim(v.buyer), '\', '\\'), '%', '\%'), '_', '\_'),
                          '[*＊]+', '%', 'g') AS pattern
    FROM reviews v
    WHERE v.reviewed_at >= $start AND v.reviewed_at < $after{scope}
),
graded AS (SELECT * FROM r WHERE list_contains($grades, grade)),
-- per shop, its own product-master rows and the '*' rows of SKUs it has none of
known AS (
    SELECT s.shop, i.sku, i.style, i.color, i.size, i.name, i.item_id
    FROM (SELECT DISTINCT shop FROM graded) s JOIN sku_info i ON i.shop = s.shop
    UNION ALL
    SELECT s.shop, i.sku, i.style, i.color, i.size, i.name, i.item_id
    FROM (SELECT DISTINCT shop FROM graded) s JOIN sku_info i ON i.shop = '*'
    WHERE NOT EXISTS (SELECT 1 FROM sku_info o WHERE o.shop = s.shop AND o.sku = i.sku)
),
-- the SKUs of each reviewed 商品ID: the product master's 商品ID, the 宝贝报表 lines with 商品ID and
-- 商家编码, the 商品效果 货号 (a 款式编码: its SKUs; or a SKU's own code)
items AS (SELECT DISTINCT shop, item_id FROM graded WHERE item_id IS NOT NULL),
item_codes AS (
    SELECT DISTINCT d.shop, d.item_id, d.item_code
    FROM sycm_item_day d JOIN items i ON i.shop = d.shop AND i.item_id = d.item_id
    WHERE d.item_code IS NOT NULL
),
item_skus AS (
    SELECT k.shop, k.item_id, k.sku FROM known k JOIN items i ON i.shop = k.shop AND i.item_id = k.item_id
    UNION
    SELECT l.shop, l.item_id, l.sku_code FROM order_lines l JOIN items i ON i.shop = l.shop AND i.item_id = l.item_id
    WHERE l.sku_code IS NOT NULL
    UNION
    SELECT c.shop, c.item_id, k.sku FROM item_codes c JOIN known k ON k.shop = c.shop AND k.style = c.item_code
    UNION
    SELECT c.shop, c.item_id, c.item_code FROM item_codes c
    WHERE EXISTS (SELECT 1 FROM known k WHERE k.shop = c.shop AND k.sku = c.item_code)
       OR EXISTS (SELECT 1 FROM order_lines l WHERE l.shop = c.shop AND l.sku_code = c.item_code)
),
item_names AS (
    SELECT shop, item_id, arg_max(name, day) AS name FROM (
        SELECT d.shop, d.item_id, d.item_name AS name, d.date AS day
        FROM sycm_item_day d JOIN items i ON i.shop = d.shop AND i.item_id = d.item_id
        UNION ALL
        SELECT l.shop, l.item_id, l.title, CAST(l.paid_at AS DATE)
        FROM order_lines l JOIN items i ON i.shop = l.shop AND i.item_id = l.item_id
    ) WHERE name IS NOT NULL GROUP BY ALL
),
-- a review with a 商品ID: the item's SKUs whose 颜色/尺码 (or code) its 规格 names; an item with one SKU
-- of neither 颜色 nor 尺码 (a 组合) is that SKU
item_fit AS (
    SELECT r.rid, s.sku, k.style, {fits_item} AS fits,
           k.sku IS NOT NULL AND k.color IS NULL AND k.size IS NULL AS bare,
           count(*) OVER (PARTITION BY r.rid) AS skus
    FROM graded r JOIN item_skus s ON s.shop = r.shop AND s.item_id = r.item_id
    LEFT JOIN known k ON k.shop = r.shop AND k.sku = s.sku
),
item_pick AS (SELECT rid, sku FROM item_fit WHERE fits OR (skus = 1 AND bare)),
by_item AS (
    SELECT f.rid, max(f.skus) AS skus, count(p.sku) AS fit_skus, any_value(p.sku) AS sku,
           count(DISTINCT f.style) AS styles, any_value(f.style) AS style
    FROM item_fit f LEFT JOIN item_pick p ON p.rid = f.rid AND p.sku = f.sku
    GROUP BY f.rid
),
-- 淘宝/天猫 without the item: the buyers whose nickname fits (exactly, or the visible characters of a
-- masked one), their paid orders before the review, then those orders' lines that fit the 规格
nick AS (
    SELECT rid, shop, item_id, nick, masked, pattern, reviewed_at, left(nick, 1) AS head,
           CASE WHEN right(nick, 1) NOT IN ('*', '＊') THEN right(nick, 1) END AS tail
    FROM graded WHERE source = 'taobao_reviews' AND nick IS NOT NULL
),
buyers AS (
    SELECT DISTINCT shop, buyer, left(buyer, 1) AS head, right(buyer, 1) AS tail
    FROM orders
    WHERE buyer IS NOT NULL AND paid_at > $start - INTERVAL {link_days} DAY AND paid_at < $after
      AND shop IN (SELECT shop FROM nick WHERE item_id IS NULL)
),
-- a masked nickname whose visible characters fit more than {crowd} buyers ("t**7" of the many
-- tb1234…7 default names) is not followed (said in its note): a few such reviews would join
-- millions of orders, and never single one out
crowded AS (
    SELECT n.rid, count(*) AS buyers
    FROM nick n JOIN buyers b ON b.shop = n.shop AND b.head = n.head
    WHERE n.masked AND n.item_id IS NULL AND (n.tail IS NULL OR b.tail = n.tail)
      AND b.buyer LIKE n.pattern ESCAPE '\'
    GROUP BY n.rid HAVING count(*) > {crowd}
),
fitting AS (
    SELECT n.rid, b.buyer FROM nick n JOIN buyers b ON b.shop = n.shop AND b.buyer = n.nick
    WHERE NOT n.masked AND n.item_id IS NULL
    UNION ALL
    SELECT n.rid, b.buyer FROM nick n JOIN buyers b ON b.shop = n.shop AND b.head = n.head AND b.tail = n.tail
    WHERE n.masked AND n.item_id IS NULL AND b.buyer LIKE n.pattern ESCAPE '\'
      AND n.rid NOT IN (SELECT rid FROM crowded)
    UNION ALL
    SELECT n.rid, b.buyer FROM nick n JOIN buyers b ON b.shop = n.shop AND b.head = n.head
    WHERE n.masked AND n.item_id IS NULL AND n.tail IS NULL AND b.buyer LIKE n.pattern ESCAPE '\'
      AND n.rid NOT IN (SELECT rid FROM crowded)
),
buyer_orders AS (
    SELECT f.rid, o.order_id, o.buyer
    FROM fitting f JOIN nick n ON n.rid = f.rid JOIN orders o ON o.shop = n.shop AND o.buyer = f.buyer
    WHERE o.paid_at <= n.reviewed_at AND o.paid_at > n.reviewed_at - INTERVAL {link_days} DAY
),
candidates AS (
    SELECT b.rid, b.order_id, b.buyer, ol.line_id, ol.paid_at, coalesce(ol.sku_code, ol.item_id) AS sku,
           ol.sku_code, ol.item_id, ol.title
    FROM buyer_orders b JOIN graded r ON r.rid = b.rid
    JOIN order_lines ol ON ol.shop = r.shop AND ol.order_id = b.order_id
    LEFT JOIN known k ON k.shop = r.shop AND k.sku = ol.sku_code
    WHERE {fits_line}
    -- with the item: the paid lines of its SKUs the 规格 names, of a buyer the nickname fits
    UNION ALL
    SELECT n.rid, o.order_id, o.buyer, ol.line_id, ol.paid_at, ol.sku_code, ol.sku_code, ol.item_id, ol.title
    FROM nick n JOIN item_pick p ON p.rid = n.rid
    JOIN order_lines ol ON ol.shop = n.shop AND ol.sku_code = p.sku
    JOIN orders o ON o.shop = ol.shop AND o.order_id = ol.order_id
    WHERE o.paid_at <= n.reviewed_at AND o.paid_at > n.reviewed_at - INTERVAL {link_days} DAY
      AND (o.buyer = n.nick OR (n.masked AND o.buyer LIKE n.pattern ESCAPE '\'))
),
taobao AS (
    SELECT rid, max(fit_orders) AS fit_orders, max(fit_buyers) AS fit_buyers, max(fit_lines) AS fit_lines,
           any_value(order_id) AS order_id, any_value(buyer) AS buyer, any_value(line_id) AS line_id,
           any_value(paid_at) AS paid_at, any_value(sku) AS sku, any_value(sku_code) AS sku_code,
           any_value(item_id) AS item_id, any_value(title) AS title
    FROM (
        SELECT *, count(DISTINCT order_id) OVER (PARTITION BY rid) AS fit_orders,
               count(DISTINCT buyer) OVER (PARTITION BY rid) AS fit_buyers,
               count(DISTINCT sku) OVER (PARTITION BY rid) AS fit_lines
        FROM candidates
    ) GROUP BY rid
),
buyer_counts AS (SELECT rid, count(DISTINCT order_id) AS orders FROM buyer_orders GROUP BY rid),
shop_orders AS (SELECT DISTINCT shop FROM order_lines),
-- 抖店: the order lines of the review's 订单ID (主订单编号 or 子订单编号) and 商品ID
douyin_lines AS (
    SELECT r.rid, l.order_id, l.line_id, l.paid_at, l.title
    FROM graded r JOIN douyin_order_lines l ON l.shop = r.shop AND l.order_id = r.order_id
    WHERE r.item_id IS NULL OR l.product_id IS NULL OR l.product_id = r.item_id
    UNION
    SELECT r.rid, l.order_id, l.line_id, l.paid_at, l.title
    FROM graded r JOIN douyin_order_lines l ON l.shop = r.shop AND l.line_id = r.order_id
    WHERE r.item_id IS NULL OR l.product_id IS NULL OR l.product_id = r.item_id
),
douyin AS (
    SELECT rid, count(*) AS lines, any_value(order_id) AS order_id,
           CASE WHEN count(*) = 1 THEN any_value(line_id) END AS line_id, min(paid_at) AS paid_at,
           any_value(title) AS title
    FROM douyin_lines GROUP BY rid
),
noted AS (
    SELECT r.*, t.fit_orders = 1 AS one_order, b.fit_skus = 1 AS one_sku, b.fit_skus,
           r.source = 'taobao_reviews' AND r.item_id IS NOT NULL AS by_item,
           CASE
               WHEN r.nick IS NULL THEN '评价没有买家昵称'
               WHEN r.item_id IS NULL AND len(r.spec_values) = 0 THEN '评价没有规格'
               WHEN so.shop IS NULL THEN '没有该店的订单导出（千牛 订单报表与宝贝报表）'
               WHEN c.rid IS NOT NULL THEN '打码昵称符合 ' || c.buyers || ' 个买家，无法定到一笔订单'
               WHEN t.fit_buyers > 1 THEN '打码昵称符合 ' || t.fit_buyers || ' 个买家的 ' || t.fit_orders || ' 笔订单'
               WHEN t.fit_orders > 1 AND r.item_id IS NOT NULL
                   THEN '该买家有 ' || t.fit_orders || ' 笔这个 SKU 的订单，不能确定是哪一笔'
               WHEN t.fit_orders > 1 THEN '该买家有 ' || t.fit_orders || ' 笔规格相符的订单，不能确定是哪一笔'
               WHEN r.item_id IS NOT NULL THEN '评价前 {link_days} 天内没有符合该昵称的买家付款买过这个 SKU'
               WHEN o.rid IS NULL THEN '评价前 {link_days} 天内没有该买家付款的订单'
               ELSE '该买家的 ' || o.orders || ' 笔订单规格都不符（或商品资料缺颜色/尺码）'
           END AS order_note,
           CASE
               WHEN b.rid IS NULL
                   THEN '商品 ' || r.item_id || ' 的 SKU 未知（导入 生意参谋 商品效果、带商品ID的宝贝报表或商品资料）'
               WHEN b.fit_skus = 0 THEN '商品 ' || r.item_id || ' 没有与规格相符的 SKU（或商品资料缺颜色/尺码）'
               WHEN b.fit_skus > 1 THEN '商品 ' || r.item_id || ' 有 ' || b.fit_skus || ' 个 SKU 与规格相符'
           END AS sku_note
    FROM graded r
    LEFT JOIN taobao t ON t.rid = r.rid
    LEFT JOIN buyer_counts o ON o.rid = r.rid
    LEFT JOIN by_item b ON b.rid = r.rid
    LEFT JOIN shop_orders so ON so.shop = r.shop
    LEFT JOIN crowded c ON c.rid = r.rid
),
linked AS (
    SELECT r.*,
           CASE WHEN r.order_id IS NOT NULL THEN '订单号'
                WHEN r.one_order AND r.by_item THEN '买家+商品+规格'
                WHEN r.one_order THEN '买家+规格'
                WHEN r.by_item AND r.one_sku THEN '仅商品' ELSE '未关联' END AS link,
           CASE
               WHEN r.order_id IS NOT NULL THEN
                   CASE WHEN d.rid IS NULL THEN '订单未导入' WHEN d.lines > 1 THEN '订单里有多行同一商品' END
               WHEN r.one_order AND r.masked THEN '昵称打码，唯一符合：' || t.buyer
               WHEN r.one_order THEN NULL
               WHEN r.source <> 'taobao_reviews' THEN '文件没有订单号'
               WHEN r.by_item AND r.one_sku THEN 'SKU 已知，订单未定：' || r.order_note
               WHEN r.by_item AND coalesce(r.fit_skus, 0) = 0 THEN r.sku_note
               WHEN r.by_item THEN r.sku_note || '；' || r.order_note
               ELSE r.order_note
           END AS link_note,
           coalesce(d.order_id, r.order_id, CASE WHEN r.one_order THEN t.order_id END) AS linked_order,
           coalesce(d.line_id, CASE WHEN r.one_order AND t.fit_lines = 1 THEN t.line_id END) AS line_id,
           coalesce(d.paid_at, CASE WHEN r.one_order THEN t.paid_at END) AS paid_at,
           coalesce(r.item_id, CASE WHEN r.one_order AND t.fit_lines = 1 THEN t.item_id END) AS item,
           coalesce(r.title, d.title, CASE WHEN r.one_order AND t.fit_lines = 1 THEN t.title END, n.name) AS name,
           coalesce(CASE WHEN r.one_order AND t.fit_lines = 1 THEN t.sku END,
                    CASE WHEN r.by_item AND r.one_sku THEN b.sku END, r.item_id) AS sku,
           coalesce(CASE WHEN r.one_order AND t.fit_lines = 1 THEN t.sku_code END,
                    CASE WHEN r.one_sku THEN b.sku END) AS sku_code,
           CASE WHEN b.styles = 1 THEN b.style END AS item_style
    FROM noted r
    LEFT JOIN taobao t ON t.rid = r.rid
    LEFT JOIN douyin d ON d.rid = r.rid
    LEFT JOIN by_item b ON b.rid = r.rid
    LEFT JOIN item_names n ON n.shop = r.shop AND n.item_id = r.item_id
),
refund AS (
    SELECT x.rid, c.case_id, c.kind, c.reason, c.outcome, c.amount, {refund_class} AS reason_class,
           count(*) OVER (PARTITION BY x.rid) AS cases,
           row_number() OVER (PARTITION BY x.rid ORDER BY
               coalesce(c.sku = x.sku OR c.sku = x.sku_code OR c.item_id = x.item, false) DESC,
               c.applied_at DESC NULLS LAST, c.case_id) AS pick
    FROM linked x JOIN cases c ON c.shop = x.shop AND c.order_id = x.linked_order
),
answered AS (
    SELECT x.*,
           coalesce(trim(x.replied) IN ('是', '已回复', 'Y', 'y', 'yes', 'true', '1')
                    OR nullif(trim(x.reply), '') IS NOT NULL, false) AS was_replied,
           CASE WHEN x.review_date <= $today AND x.review_date + $window >= $today
                THEN CAST(x.review_date + $window - $today AS BIGINT) END AS left_days
    FROM linked x
)
SELECT x.shop, x.grade, x.score, x.reviewed_at,
       x.grade IN ('差评', '中评') AND NOT x.was_replied AND x.left_days IS NOT NULL AS pending,
       x.review_date + $window AS deadline, x.left_days AS days_left, x.was_replied AS replied,
       x.content, x.follow_up, x.follow_up_at, x.reply, x.buyer,
       x.link, x.link_note, x.linked_order AS order_id, x.line_id, x.paid_at,
       coalesce(x.sku, x.sku_code) AS sku, x.sku_code, x.sku_spec AS spec,
       coalesce(k.style, x.item_style) AS style, k.color, k.size, x.item AS item_id,
       coalesce(x.name, k.name) AS title,
       f.case_id AS refund_id, f.kind AS refund_kind, f.reason AS refund_reason,
       f.reason_class AS refund_class, f.outcome AS refund_outcome, f.amount AS refund_amount,
       coalesce(f.cases, 0) AS refund_cases, x.source, x.source_row
FROM answered x
LEFT JOIN known k ON k.shop = x.shop AND k.sku = x.sku_code
LEFT JOIN refund f ON f.rid = x.rid AND f.pick = 1
ORDER BY pending DESC,
         CASE WHEN pending THEN epoch(x.reviewed_at) ELSE -epoch(x.reviewed_at) END, x.shop, x.rid
"""
