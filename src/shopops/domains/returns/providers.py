"""The 退货 measures of the 总表 per shop and day: the successful after-sale refunds of 千牛 退款管理
and 抖店 售后表 by the day the money went back (退款完结时间 / 售后完结时间), split by kind, by
shipment and by reason class (品退).

Only returns count (仅退款, 退货退款, 换货, or a kind the file does not state): 价保, 补寄 and 取消
are not returns. A day inside the date range of a shop's 退款/售后 import with no refund is 0; a
shop without such an import is unknown ("—"), never 0. A split that some refund of the day cannot be
put in (not known whether it had shipped; a kind the file does not state) is unknown for the day.

品退 needs the reason classes, which are a setting (``returns: reason_classes``). A provider is SQL
without settings, so the classes reach it through the table ``return_reason_classes``, which the
domain's settings hook (:func:`keep_rules`) rewrites from shopops.yaml each time the workspace opens;
where it is empty (a warehouse opened without a workspace) the defaults of ``reason_classes.yaml``
apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from shopops.domains.returns.relations import CASES, RETURN_KINDS
from shopops.domains.returns.rules import ReturnRules
from shopops.metrics.providers import Provider, covered


def keep_rules(con: duckdb.DuckDBPyConnection, settings: Mapping[str, Any]) -> None:
    """The settings hook: ``return_reason_classes`` holds the workspace's reason classes (a bad
    ``returns:`` section is refused here, in one line, by every command)."""
    store_rules(con, ReturnRules.from_settings(dict(settings)))


def store_rules(con: duckdb.DuckDBPyConnection, rules: ReturnRules) -> None:
    """Make ``rules``' classes the ones the 总表's 品退 reads (written only when they differ)."""
    rows = [
        (position, c.name, list(c.words), c.name in rules.product_classes)
        for position, c in enumerate(rules.reason_classes, start=1)
    ]
    stored = con.execute(
        "SELECT position, name, words, product FROM return_reason_classes ORDER BY position"
    ).fetchall()
    if [tuple(row) for row in stored] == rows:
        return  # nothing to write: most commands open the workspace without changing shopops.yaml
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM return_reason_classes")
        con.executemany("INSERT INTO return_reason_classes VALUES (?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reason_class_ctes(cases: str = "cases") -> str:
    """CTEs after ``cases``: ``reason_products`` says, per reason ('' for none), whether it falls in a
    product class (品退) under the workspace's classes (the defaults where none are stored).

    A reason is in the first class with one of its words in it, else in the last class
    (rules.classify). Written as joins, not lambdas over subqueries, so Spark SQL runs it too.
    """
    rules = ReturnRules()
    defaults = ", ".join(
        f"({position}, {_literal(c.name)}, CAST([{', '.join(map(_literal, c.words))}] AS VARCHAR[]),"
        f" {str(c.name in rules.product_classes).upper()})"
        for position, c in enumerate(rules.reason_classes, start=1)
    )
    return f"""classes AS (
    SELECT position AS class_position, name, words, product FROM return_reason_classes
    UNION ALL
    SELECT * FROM (VALUES {defaults}) AS d(class_position, name, words, product)
    WHERE NOT EXISTS (SELECT 1 FROM return_reason_classes)
),
class_words AS (SELECT class_position, unnest(words) AS word FROM classes),
reasons AS (SELECT DISTINCT coalesce(reason, '') AS reason FROM {cases}),
reason_classes AS (
    SELECT r.reason, coalesce(min(w.class_position), (SELECT max(class_position) FROM classes)) AS class_position
    FROM reasons r LEFT JOIN class_words w ON contains(r.reason, w.word)
    GROUP BY r.reason
),
reason_products AS (
    SELECT r.reason, c.product FROM reason_classes r JOIN classes c ON c.class_position = r.class_position
)"""


def returns_providers() -> list[Provider]:
    kinds = ", ".join(map(_literal, RETURN_KINDS))
    return [
        Provider(
            "returns_cases",
            "千牛·退款管理 + 抖店·售后表（成功退款，按完结日）",
            f"""
WITH cases AS ({CASES}),
{reason_class_ctes()},
days AS (SELECT * FROM {covered("refunds")} UNION SELECT * FROM {covered("after_sales")}),
won AS (
    SELECT c.shop, CAST(c.completed_at AS DATE) AS date, c.kind, c.shipped, c.amount, rp.product
    FROM cases c LEFT JOIN reason_products rp ON rp.reason = coalesce(c.reason, '')
    WHERE outcome = '成功' AND (kind IS NULL OR kind IN ({kinds})) AND completed_at IS NOT NULL
)
SELECT d.shop, d.date,
       coalesce(sum(w.amount), 0) AS return_success_amount,
       CASE WHEN count(*) FILTER (WHERE w.shipped IS NULL AND w.shop IS NOT NULL) = 0
            THEN coalesce(sum(w.amount) FILTER (WHERE w.shipped = '发货后'), 0) END AS return_after_shipment_amount,
       CASE WHEN count(*) FILTER (WHERE w.kind IS NULL AND w.shop IS NOT NULL) = 0
            THEN coalesce(sum(w.amount) FILTER (WHERE w.kind = '仅退款'), 0) END AS return_refund_only_amount,
       CASE WHEN count(*) FILTER (WHERE w.kind IS NULL AND w.shop IS NOT NULL) = 0
            THEN coalesce(sum(w.amount) FILTER (WHERE w.kind = '退货退款'), 0) END AS return_goods_amount,
       coalesce(sum(w.amount) FILTER (WHERE w.product), 0) AS return_product_amount
FROM days d LEFT JOIN won w ON w.shop = d.shop AND w.date = d.date
GROUP BY ALL""",
        )
    ]
