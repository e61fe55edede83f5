"""The truths of the 总表's 退货 metrics per shop and day, from the simulation (not from the files).

The catalog's 退货 section (售后成功退款金额, 仅退款/退货退款/发货后/品退 amounts and their rates) sums
the successful after-sale cases by the day their money went back. Here they are computed from what
the demo drew: the main shops' refunds (云朵旗舰店's short export says neither kind nor shipment;
小野家居's 42-column one says both, as :func:`returns_exports.kinds_42` decided), 山岚服饰's cases and
the Douyin shop's after-sales (``manifest["returns"]["cases"]``: kind, shipped, status class, amount
with postage). A shop-day is known when it lies in the date range of one of the shop's refund files
(千牛: 退款完结时间; 抖店 售后表: 售后申请时间), as an import's range makes it; else unknown.

品退 is the demo's own list of its product-fault reasons (:data:`QUALITY`), not the domain's mapping:
a test checks the two agree on every reason the demo writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shopops.demo.manifest import to_json
from shopops.demo.returns_exports import kinds_42
from shopops.demo.simulation import ShopHistory

RETURN_KINDS = ("仅退款", "退货退款", "换货")
# The reasons the demo writes that are the product's own fault (品质; default product_classes)
QUALITY = frozenset(
    {
        "质量问题",
        "与商品描述不符",
        "颜色、款式、图案与描述不符",
        "材质、面料与商品描述不符",
        "包装/商品破损/污渍",
        "商品褪色/掉色",
    }
)
KEYS = (
    "after_sale_refund_amount",
    "refund_only_amount",
    "return_refund_amount",
    "after_shipment_refund_amount",
    "product_refund_amount",
)
RATES = {
    "after_sale_refund_rate": "after_sale_refund_amount",
    "after_shipment_refund_rate": "after_shipment_refund_amount",
    "product_refund_rate": "product_refund_amount",
}


@dataclass(frozen=True)
class Won:
    """A successful return case: its day, amount, kind and shipment (None: the file does not say)."""

    day: dt.date
    amount: Decimal
    kind: str | None
    shipped: str | None
    reason: str


def add_returns_truth(manifest: dict[str, Any], main: Sequence[tuple[ShopHistory, str]]) -> None:
    """Write the 退货 metrics into every shop-day of ``manifest["shops"]``; ``main``: the main shops'
    histories with their export format ("a": the short 退款管理, "b": the 42-column one)."""
    won: dict[str, list[Won]] = defaultdict(list)
    ranges: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for history, style in main:
        shop = history.profile.name
        kinds = kinds_42(history) if style == "b" else {}
        done = [r.completed_at.date() for r in history.refunds if r.completed_at is not None]
        if done:
            ranges[shop].append((min(done), max(done)))
        for refund in history.refunds:
            if refund.status != "退款成功" or refund.completed_at is None:
                continue
            kind = shipped = None
            if refund.refund_id in kinds:
                before, returned = kinds[refund.refund_id]
                kind, shipped = ("退货退款" if returned else "仅退款"), ("发货前" if before else "发货后")
            won[shop].append(Won(refund.completed_at.date(), refund.amount, kind, shipped, refund.reason))
    cases = manifest.get("returns", {}).get("cases", []) if isinstance(manifest.get("returns"), dict) else []
    _add_cases(cases, won, ranges)
    for shop, facts in manifest["shops"].items():
        for day, truth in facts["days"].items():
            values = _day(dt.date.fromisoformat(day), won.get(shop, []), ranges.get(shop, []), truth["gmv"])
            truth.update({key: to_json(value) for key, value in values.items()})


def _add_cases(
    cases: Iterable[dict[str, Any]],
    won: dict[str, list[Won]],
    ranges: dict[str, list[tuple[dt.date, dt.date]]],
) -> None:
    dated: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for case in cases:
        douyin = case["source"] == "douyin_after_sales"
        stamp = case["applied_at"] if douyin else case["completed_at"]  # the file's date column
        if stamp:
            dated[(case["shop"], case["file"])].append(_day_of(stamp))
        if case["status_class"] != "成功" or not case["completed_at"] or case["kind"] not in RETURN_KINDS:
            continue
        won[case["shop"]].append(
            Won(
                _day_of(case["completed_at"]),
                Decimal(case["amount"]),
                case["kind"],
                case["shipped"],
                case["reason"],
            )
        )
    for (shop, _), days in dated.items():
        ranges[shop].append((min(days), max(days)))


def _day_of(stamp: str) -> dt.date:
    return dt.date.fromisoformat(stamp[:10])


def _day(day: dt.date, won: list[Won], ranges: list[tuple[dt.date, dt.date]], gmv: Any) -> dict[str, Any]:
    if not any(first <= day <= last for first, last in ranges):
        return dict.fromkeys((*KEYS, *RATES), None)
    today = [w for w in won if w.day == day]
    kinds_known = all(w.kind is not None for w in today)
    shipped_known = all(w.shipped is not None for w in today)
    values: dict[str, Any] = {
        "after_sale_refund_amount": sum((w.amount for w in today), Decimal(0)),
        "refund_only_amount": _sum(today, lambda w: w.kind == "仅退款") if kinds_known else None,
        "return_refund_amount": _sum(today, lambda w: w.kind == "退货退款") if kinds_known else None,
        "after_shipment_refund_amount": _sum(today, lambda w: w.shipped == "发货后")
        if shipped_known
        else None,
        "product_refund_amount": _sum(today, lambda w: w.reason in QUALITY),
    }
    for rate, amount in RATES.items():
        part = values[amount]
        values[rate] = (
            None if part is None or gmv is None or Decimal(str(gmv)) == 0 else float(part) / float(gmv)
        )
    return values


def _sum(won: list[Won], keep: Any) -> Decimal:
    return sum((w.amount for w in won if keep(w)), Decimal(0))
