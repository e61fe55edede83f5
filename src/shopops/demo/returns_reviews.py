"""Reviews that follow the orders and their after-sales: 山岚服饰's (the 淘宝 review CSV a browser
plugin exports) and 山野好物抖音店's (the 抖店 评价 export).

Good reviews dominate (about one order in five is reviewed, mostly 5 stars). A buyer with a bad
experience reviews more often and says why: the size style's buyers write 偏小/尺码不准 (some who kept
the piece too), the bad batch's 开线/起球/掉色, the mis-pick week's 发错货/少件/颜色不对. A review comes
2–10 days after the parcel arrived; some get a 追评 later. The shop answers most 中差评 within days —
not yet the ones of the last 3 days, and it missed a handful in the last 30 (待处理差评).

The plugin CSV (research §4.1, idx:51928979635; UTF-8 with BOM) has no order number and no item
column: a review is ``评论内容, 追加评论, 评分, 日期, SKU, 用户昵称, 商家回复, 平台`` with the SKU as
``颜色分类:黑色;尺码:M`` and the nickname masked (``s**4``). The plugin scrapes one item page at a time,
so there is one file per item, named with the item's 宝贝ID as the operator saves it
(``淘宝评价_山岚服饰_712000063352.csv``): one for each item with a review. ``manifest["returns"]["reviews"]``
says which file, order and SKU each review came from. No two rows of a file share 日期, 用户昵称, SKU
and 评论内容.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopops.demo import returns_text as tx
from shopops.demo.douyin import DOUYIN_SHOP, PRODUCTS, DouyinLine
from shopops.demo.returns import Case, Plan, sku_index
from shopops.demo.returns_douyin import SPECS, DouyinCase
from shopops.demo.simulation import Order
from shopops.demo.stock_catalog import SHOP
from shopops.demo.writers import write_csv, write_xlsx

if TYPE_CHECKING:
    from shopops.demo.stock import StockHistory
    from shopops.demo.stock_catalog import Sku as StyleSku

TAOBAO_HEADER = ["评论内容", "追加评论", "评分", "日期", "SKU", "用户昵称", "商家回复", "平台"]
DOUYIN_HEADER = [
    "评价日期", "订单ID", "商品ID", "商品名称", "商品规格", "商品评价得分", "评价内容", "用户昵称", "评价等级", "追评内容",
    "追评时间", "商家是否回复", "回复内容",
]  # fmt: skip
REVIEW_RATE = 0.2  # of orders without an after-sale


@dataclass
class Review:
    shop: str
    order_id: str
    line_id: str
    sku: str  # 商品编码 (抖店: 商品ID)
    item_id: str
    spec: str  # SKU / 商品规格 as written
    buyer: str  # the nickname as written (masked)
    score: int
    content: str
    reviewed_at: dt.datetime
    # the planted cause it follows (size / defect / mispick / subjective), "complaint" (a bad
    # experience of another kind) or "normal"
    cause: str
    case_id: str | None
    follow_up: str = ""
    follow_up_at: dt.datetime | None = None
    reply: str = ""


def _masked(buyer: str) -> str:
    return f"{buyer[0]}**{buyer[-1]}"


def _good(rng: random.Random) -> tuple[int, str]:
    score = rng.choices((5, 4, 3), (0.85, 0.12, 0.03))[0]
    if score == 3:
        return score, rng.choice(tx.OK_REVIEWS)
    ending = rng.choice(tx.GOOD_ENDINGS)
    text = f"{rng.choice(tx.GOOD_OPENINGS)}，{rng.choice(tx.GOOD_MIDDLES)}"
    return score, f"{text}，{ending}" if ending else text


def _apparel_opinion(
    rng: random.Random, case: Case | None, sku: StyleSku | None, plan: Plan, paid: dt.date
) -> tuple[str, float, tuple[int, ...], tuple[str, ...]] | None:
    """(cause, chance of a review, scores, texts) — None: a good review, if any."""
    if case is not None:
        if case.shipped == "发货前":
            return ("normal", 0.0, (), ())
        if case.cause in ("size", "defect", "mispick"):
            chance = {"size": 0.4, "defect": 0.55, "mispick": 0.5}[case.cause]
            scores = (2, 3) if case.cause == "size" else (1, 2)
            return (case.cause, chance, scores, tx.BAD_REVIEWS[case.cause])
        if case.group in ("quality", "logistics", "mispick"):
            return ("complaint", 0.35, (1, 2, 3), tx.BAD_REVIEWS[case.group])
        if case.group == "size":
            return ("complaint", 0.15, (3, 4), tx.GRUMBLES["size_other"])
        if case.group == "subjective":
            cause = "subjective" if case.cause == "subjective" else "complaint"
            return (cause, 0.08, (3, 4), tx.BAD_REVIEWS["subjective"])
        return None
    code, style, size = (sku.code, sku.style.code, sku.size) if sku is not None else ("", "", "")
    if style == plan.size_style and size in plan.size_sizes and rng.random() < 0.25:
        return ("size", REVIEW_RATE, (3, 4), tx.GRUMBLES["size"])
    batch = code in plan.defect_skus and plan.defect_from <= paid <= plan.defect_to
    if batch and rng.random() < 0.3:
        return ("defect", REVIEW_RATE * 1.5, (2, 3), tx.GRUMBLES["defect"])
    return None


def _reply(rng: random.Random, score: int, age_days: float, *, texts: tuple[str, ...]) -> str:
    chance = 0.3 if score >= 4 else 0.2 if age_days <= 3 else 0.85 if age_days <= 30 else 0.95
    return rng.choice(texts) if rng.random() < chance else ""


def apparel_reviews(
    h: StockHistory, orders: list[Order], cases: list[Case], plan: Plan, seed: int
) -> list[Review]:
    """山岚服饰's reviews, in date order."""
    rng = random.Random(f"{seed}-{SHOP}-reviews")
    now = dt.datetime.combine(h.dates[-1], dt.time(23, 59, 59))
    skus = sku_index(h)
    by_order = {c.order.order_id: c for c in cases}
    names = {c.code: c.name for c in h.combos}
    seen: set[tuple[str, str, str, str, str]] = set()
    reviews: list[Review] = []
    for order in orders:
        assert order.paid_at is not None
        line = order.lines[0]
        case, sku = by_order.get(order.order_id), skus.get(line.sku.code)
        arrived = case.delivered_at if case is not None and case.delivered_at else (
            order.paid_at + dt.timedelta(hours=rng.randint(30, 110))
        )  # fmt: skip
        opinion = _apparel_opinion(rng, case, sku, plan, order.paid_at.date())
        chance = REVIEW_RATE if opinion is None else opinion[1]
        at = arrived + dt.timedelta(days=rng.randint(2, 10), seconds=rng.randint(0, 86_399))
        if rng.random() >= chance or at > now:
            continue
        if opinion is None:
            cause, (score, text) = "normal", _good(rng)
        else:
            cause, score, text = opinion[0], rng.choice(opinion[2]), rng.choice(opinion[3])
        colour, size = (sku.colour, sku.size) if sku is not None else ("", "")
        others = [c for c in ("黑色", "白色", "灰色", "卡其") if c != colour]
        text = text.format(size=size or "M", colour=colour or "黑色", other_colour=rng.choice(others))
        spec = (
            f"颜色分类:{colour};尺码:{size}"
            if sku is not None
            else f"套餐类型:{names.get(line.sku.code, '')}"
        )
        buyer = _masked(order.buyer)
        key = (line.sku.item_id, at.date().isoformat(), buyer, spec, text)
        if key in seen:  # the plugin's rows must stay apart: say it a little differently
            text = f"{text}。"
            key = (line.sku.item_id, at.date().isoformat(), buyer, spec, text)
            if key in seen:
                continue
        seen.add(key)
        review = Review(SHOP, order.order_id, line.line_id, line.sku.code, line.sku.item_id, spec, buyer, score,
                        text, at, cause, case.refund_id if case else None)  # fmt: skip
        _finish(rng, review, now, bad=score <= 3)
        reviews.append(review)
    return sorted(reviews, key=lambda r: r.reviewed_at)


def _finish(rng: random.Random, review: Review, now: dt.datetime, *, bad: bool) -> None:
    """追评 and the shop's reply, as of the export."""
    if rng.random() < (0.2 if bad else 0.06):
        later = review.reviewed_at + dt.timedelta(days=rng.randint(3, 20), seconds=rng.randint(0, 86_399))
        if later <= now:
            review.follow_up_at = later
            review.follow_up = rng.choice(tx.FOLLOW_UPS_BAD if bad else tx.FOLLOW_UPS_GOOD)
    age = (now - review.reviewed_at).total_seconds() / 86400
    sorry = tx.REPLIES_BAD.get(review.cause, tx.REPLIES_BAD["other"])
    review.reply = _reply(rng, review.score, age, texts=sorry if bad else tx.REPLIES_GOOD)


def douyin_reviews(lines: list[DouyinLine], cases: list[DouyinCase], end: dt.date, seed: int) -> list[Review]:
    """山野好物抖音店's reviews: one per order and product at most, in date order."""
    rng = random.Random(f"{seed}-{DOUYIN_SHOP}-reviews")
    now = dt.datetime.combine(end, dt.time(23, 59, 59))
    by_line = {c.line.line_id: c for c in cases}
    done: set[tuple[str, int]] = set()
    reviews: list[Review] = []
    for line in lines:
        if line.paid_at is None or (line.order_id, line.product) in done:
            continue
        done.add((line.order_id, line.product))
        case = by_line.get(line.line_id)
        arrived = line.paid_at + dt.timedelta(hours=rng.randint(50, 130))
        at = arrived + dt.timedelta(days=rng.randint(2, 10), seconds=rng.randint(0, 86_399))
        group = {"包装/商品破损/污渍": "damage", "质量问题": "quality", "少件/漏发": "mispick", "卖家发错货": "mispick",
                 "快递一直未送到": "logistics"}.get(case.reason, "") if case else ""  # fmt: skip
        if case is not None and case.type_code == 2:
            chance = 0.0
        elif group:
            chance = 0.45
        else:
            chance = REVIEW_RATE * (0.3 if case is not None else 1)
        if rng.random() >= chance or at > now:
            continue
        if group:
            score, text, cause = (
                rng.choice((1, 2)),
                rng.choice(tx.DOUYIN_BAD[group][line.product]),
                "complaint",
            )
        else:
            score = rng.choices((5, 4, 3), (0.85, 0.12, 0.03))[0]
            good = rng.choice(tx.DOUYIN_GOOD[line.product])
            text = f"{good}，{rng.choice(tx.DOUYIN_GOOD_ANY)}" if rng.random() < 0.5 else good
            cause = "subjective" if case is not None else "normal"
        product_id = PRODUCTS[line.product][0]
        review = Review(DOUYIN_SHOP, line.order_id, line.line_id, product_id, product_id, SPECS[line.product],
                        rng.choice(tx.DOUYIN_NICKS), score, text, at, cause, case.case_id if case else None)  # fmt: skip
        _finish(rng, review, now, bad=score <= 3)
        reviews.append(review)
    return sorted(reviews, key=lambda r: r.reviewed_at)


def write_taobao_reviews(folder: Path, reviews: list[Review]) -> list[tuple[Path, list[Review]]]:
    """One plugin CSV per item with reviews, ``淘宝评价_<shop>_<宝贝ID>.csv``, by 宝贝ID; each with its reviews."""
    by_item: dict[str, list[Review]] = {}
    for review in reviews:
        by_item.setdefault(review.item_id, []).append(review)
    written = []
    for item_id, held in sorted(by_item.items()):
        rows = [[r.content, r.follow_up, r.score, f"{r.reviewed_at:%Y-%m-%d}", r.spec, r.buyer, r.reply, "淘宝"]
                for r in held]  # fmt: skip
        path = write_csv(folder / f"淘宝评价_{SHOP}_{item_id}.csv", TAOBAO_HEADER, rows, encoding="utf-8-sig")
        written.append((path, held))
    return written


def write_douyin_reviews(path: Path, reviews: list[Review]) -> Path:
    rows: list[list[object]] = []
    for r in reviews:
        level = "好评" if r.score >= 4 else "中评" if r.score == 3 else "差评"
        rows.append(
            [f"{r.reviewed_at:%Y-%m-%d %H:%M:%S}", r.order_id, r.item_id, PRODUCTS_BY_ID[r.item_id], r.spec,
             r.score, r.content, r.buyer, level, r.follow_up,
             f"{r.follow_up_at:%Y-%m-%d %H:%M:%S}" if r.follow_up_at else "", "已回复" if r.reply else "未回复",
             r.reply]
        )  # fmt: skip
    return write_xlsx(path, DOUYIN_HEADER, rows, sheet="评价列表")


PRODUCTS_BY_ID = {product_id: title for product_id, title, _ in PRODUCTS}


def review_json(review: Review, file: str) -> dict[str, Any]:
    return {
        "shop": review.shop, "file": file, "order_id": review.order_id, "line_id": review.line_id,
        "sku": review.sku, "item_id": review.item_id, "spec": review.spec, "buyer": review.buyer,
        "score": review.score, "content": review.content, "follow_up": review.follow_up or None,
        "date": review.reviewed_at.date().isoformat(),
        "reviewed_at": review.reviewed_at.strftime("%Y-%m-%d %H:%M:%S"), "replied": bool(review.reply),
        "reply": review.reply or None, "cause": review.cause, "case_id": review.case_id,
    }  # fmt: skip
