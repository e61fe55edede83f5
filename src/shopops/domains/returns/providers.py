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

_CLASS_TYPE = "STRUCT(name VARCHAR, words VARCHAR[])[]"


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


def _defaults() -> tuple[str, str]:
    """The default classes and product classes as SQL literals (no braces: provider SQL is formatted)."""
    rules = ReturnRules()
    classes = ", ".join(
        f"struct_pack(name := {_literal(c.name)}, words := CAST([{', '.join(map(_literal, c.words))}] AS VARCHAR[]))"
        for c in rules.reason_classes
    )
    products = ", ".join(map(_literal, rules.product_classes))
    return f"[{classes}]", f"CAST([{products}] AS VARCHAR[])"


def product_test(reason: str) -> str:
    """SQL: whether ``reason`` falls in a product class (品退), under the workspace's classes."""
    classes, products = _defaults()
    stored = "(SELECT list(struct_pack(name := name, words := words) ORDER BY position) FROM return_reason_classes)"
    stored_products = (
        "(SELECT list(name ORDER BY position) FILTER (WHERE product) FROM return_reason_classes)"
    )
    chosen = f"coalesce({stored}, CAST({classes} AS {_CLASS_TYPE}))"
    some = "(SELECT count(*) > 0 FROM return_reason_classes)"
    product = (
        f"(CASE WHEN {some} THEN coalesce({stored_products}, CAST([] AS VARCHAR[])) ELSE {products} END)"
    )
    # The first class with one of its words in the reason; none: the last class (rules.classify).
    first = (
        f"coalesce(list_filter({chosen}, lambda c: len(list_filter(c.words,"
        f" lambda w: contains(coalesce({reason}, ''), w))) > 0)[1].name, {chosen}[-1].name)"
    )
    return f"list_contains({product}, {first})"


def returns_providers() -> list[Provider]:
    kinds = ", ".join(map(_literal, RETURN_KINDS))
    return [
        Provider(
            "returns_cases",
            "千牛·退款管理 + 抖店·售后表（成功退款，按完结日）",
            f"""
WITH cases AS ({CASES}),
days AS (SELECT * FROM {covered("refunds")} UNION SELECT * FROM {covered("after_sales")}),
won AS (
    SELECT shop, CAST(completed_at AS DATE) AS date, kind, shipped, amount, {product_test("reason")} AS product
    FROM cases WHERE outcome = '成功' AND (kind IS NULL OR kind IN ({kinds})) AND completed_at IS NOT NULL
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
