"""退换货与差评 (returns) benchmark: a year of a large Taobao apparel shop, its 退款管理 and its reviews.

Generates (vectorised numpy, fixed seed) one apparel shop of S SKUs (styles of 2 colours × 4 sizes,
one 商品ID a style) and a year of sales (2025-12-01 … 2026-11-30):

* 千牛 宝贝报表: N order lines (子订单; 15 % of the orders have two lines; ~3 % of the orders unpaid,
  交易关闭 without 付款时间), the stock benchmark's 12 headers (``LINES_HEADER``);
* 千牛 订单报表: one row per order (买家会员名, 总金额, 买家实际支付金额 net of refunds, 退款金额 …): the
  总表's 支付金额 and the buyers a review is linked by;
* 千牛 退款管理, the 54-column export (``shopops.demo.returns_exports.QIANNIU_54``: 退款完结时间 and
  退款的申请时间 written twice, 商品 id with a space, 支付单号): a case on about 10 % of the paid lines —
  仅退款 before shipment (拍错/不想要, 极速退款 in seconds), and after shipment 退货退款, 换货 or a 仅退款
  that keeps the goods, with the platform's reason vocabulary (``shopops.demo.returns_text``), the
  steps of an open case at the export's moment, 货物状态, 发货物流信息, 责任方 …; one style (the best
  seller) has a size chart that runs small: 尺码 returns ×10 on S and ×8 on M;
* a 淘宝 review plugin CSV (评论内容, 追加评论, 评分, 日期, SKU, 用户昵称 masked as ``山**k``, 商家回复, 平台):
  R reviews of delivered lines, buyers with a bad after-sale (and the planted style's) writing the
  bad ones; some 中差评 of the last 30 days unanswered (待处理差评);
* 商品资料 (our template): 款式编码, 商品编码, 颜色, 规格, 商品ID per SKU.

Each step runs in a fresh ``spawn`` subprocess, which sends its wall and CPU seconds (CPU: all threads)
and its peak RSS:

* load: ``Workspace.init`` + ``add_shop``, then 商品资料, 订单报表 and 宝贝报表 through
  ``Workspace.import_file`` (each CSV after its baseline: DuckDB's own ``CREATE TABLE t AS SELECT *
  FROM read_csv(file)`` into a fresh DuckDB file, in the same process);
* the year's 退款管理 file, after its baseline, in a process of its own; the reviews CSV likewise;
* then each query in its own process (``Workspace.open``, not timed; ``ReturnRules`` from the
  workspace's settings), each beside a floor — one hand-written DuckDB query of the same core answer,
  in a process of its own: ``returns_summary`` for the last 30 days (floor: the refund rate by
  completion day and by payment day straight from ``refunds`` and ``orders``), ``reason_pareto``
  (floor: the class counts of this and the previous 30 days), ``focus_items`` by SKU and by style
  (floor: the Wilson ranking in SQL), ``returns_findings`` for the last day and the last 7 days
  (floor: the SKUs and styles whose Wilson lower bound passes ``high_rate`` on each judged day), and
  ``review_list`` + ``review_themes`` for the reply window and the whole year (floor: the 中差评,
  their 待处理 flag and the buyer + 规格 link in SQL).

It prints the steps, the ratios to the baselines and floors, and exits 1 when a figure is wrong (see
``checks``): rows per file; the summary's cases, amounts, 支付金额 and both rates = the floor's = the
generator's; the Pareto's classes = the floor's = the generator's; the focus lists' top 20 = the
floor's, their rows and sums = the generator's, the planted style (its S or M SKU) first; the planted
style among the findings, and every group the floor flags among them; the reviews' grades, 待处理差评
and links = the floor's, the grades and pending = the generator's, every linked review linked to its
true order; the planted style's themes led by a 尺码 word. A step whose RSS passes ``--max-rss-mb`` is
stopped (its subprocess ends) and reported.

    python benchmarks/returns_benchmark.py                                       # full size
    python benchmarks/returns_benchmark.py --orders 100000 --reviews 5000        # development
    python benchmarks/returns_benchmark.py --orders 20000 --skus 160 --reviews 2000  # smoke run (CI)

See docs/benchmarks.md for the measured figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing as mp
import os
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from memory_watch import MB, Watcher  # the script's folder is on sys.path
from shopops.demo import returns_text as tx
from shopops.demo.exports import PRODUCT_LIST_HEADER
from shopops.demo.returns_exports import QIANNIU_54
from shopops.demo.returns_reviews import TAOBAO_HEADER
from shopops.demo.stock_exports import LINES_HEADER

END = dt.date(2026, 11, 30)
DAYS = 365
FIRST = END - dt.timedelta(days=DAYS - 1)
NOW = DAYS * 86400 - 1  # the exports' moment: END 23:59:59, in seconds from FIRST 00:00
SHOP = "山岚服饰旗舰店"
SEED = 20261130
SIZES = ("S", "M", "L", "XL")
SIZE_SHARE = np.array([0.2, 0.35, 0.3, 0.15])
COLOUR_SHARE = np.array([0.6, 0.4])
COLOURS = ("黑色", "白色", "灰色", "藏青", "卡其", "米色")
CATEGORIES = ("T恤", "衬衫", "卫衣", "裤装", "连衣裙", "外套")
PLANTED_FACTOR = {"S": 10.0, "M": 8.0}  # the planted style's 尺码 returns × the shop's, by size
AFTER_SCALE = 0.7  # of returns_text.AFTER_SHIPMENT (about 12 %): 8.6 % after shipment, 2.5 % before
BEFORE_RATE = 0.025
PERIOD = 30  # the summary, Pareto and focus list: the last 30 days (the CLI's default)
HIGH_RATE = 0.20  # ReturnRules.high_rate: a Wilson lower bound above it is 退货率突增
MIN_ORDERS = 20  # ReturnRules.min_orders
Z = 1.959963984540054  # the two-sided 95 % normal quantile
TOP = 20  # focus-list rows compared with the floor

AFTER_REASONS = tuple(tx.AFTER_SHIPMENT)
BEFORE_REASONS = tuple(tx.BEFORE_SHIPMENT)
REASONS = AFTER_REASONS + tuple(r for r in BEFORE_REASONS if r not in AFTER_REASONS)
# 退款原因 → the default reason class (reason_classes.yaml), written out by hand for the floor and truth
REASON_CLASS = {
    "尺码不合适": "尺码", "大小尺寸与商品描述不符": "尺码",
    "质量问题": "品质", "商品褪色/掉色": "品质", "材质、面料与商品描述不符": "品质", "颜色、款式、图案与描述不符": "品质",
    "包装/商品破损/污渍": "品质",
    "卖家发错货": "仓配", "少件/漏发": "仓配", "快递一直未送到": "仓配", "空包裹/少货": "仓配", "未按约定时间发货": "仓配",
    "不喜欢/效果不好": "主观", "七天无理由退换货": "主观", "不想要了": "主观", "多拍/拍错/不想要": "主观",
    "协商一致退款": "服务/其他", "其他": "服务/其他", "地址/电话信息填写错误": "服务/其他",
}  # fmt: skip
CLASSES = ("仓配", "尺码", "品质", "主观", "服务/其他")
GROUP = dict.fromkeys(tx.SIZE_REASONS, "size") | dict.fromkeys(tx.QUALITY_REASONS, "quality")
GROUP |= dict.fromkeys(tx.MISPICK_REASONS, "mispick") | dict.fromkeys(tx.SUBJECTIVE_REASONS, "subjective")
GROUP |= dict.fromkeys(tx.LOGISTICS_REASONS, "logistics")
KEEP = {"快递一直未送到": 1.0, "空包裹/少货": 1.0, "少件/漏发": 1.0, "协商一致退款": 1.0,
        "质量问题": 0.3, "商品褪色/掉色": 0.3, "包装/商品破损/污渍": 0.5}  # fmt: skip  # 仅退款 keeping the goods
EXCHANGE = {"尺码不合适": 0.25, "卖家发错货": 0.6, "质量问题": 0.1}
KINDS = ("仅退款", "退货退款", "换货")
# 退款状态: final ones, then the open steps (千牛's wording; 换货 as the demo writes it)
STATUSES = (
    "退款成功", "退款关闭", "换货成功", "换货关闭",
    "买家已经申请退款，等待卖家同意", "卖家已经同意退款，等待买家退货", "买家已经退货，等待卖家确认收货",
    "换货待处理", "待买家退货", "买家已退货，待收货",
)  # fmt: skip
SUCCESS, CLOSED = 0, 1  # indices of 退款成功 and 退款关闭 (the money's outcomes)
# relations.CASES' outcome: 成功 = 退款成功, 换货成功; 关闭 = 退款关闭, 换货关闭; the rest 处理中
DONE, SHUT = (0, 2), (1, 3)
DONE_SQL, SHUT_SQL = "('退款成功', '换货成功')", "('退款关闭', '换货关闭')"
GOODS = ("买家未收到货", "买家已收到货", "买家已退货")
HOUR, DAY = 3600, 86400
ORDERS_HEADER = [
    "订单编号", "买家会员名", "买家应付邮费", "总金额", "买家实际支付金额", "订单状态", "收货地址", "订单创建时间",
    "订单付款时间", "宝贝标题", "宝贝总数量", "退款金额",
]  # fmt: skip
PROVINCES = ("浙江省 杭州市", "江苏省 南京市", "广东省 广州市", "上海 上海市", "北京 北京市", "四川省 成都市")


# -- the shop -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """Per SKU (style-major, then colour, then size): codes, names, the style's price and demand."""

    styles: list[str]
    sku: list[str]
    style_of: np.ndarray  # style index per SKU
    colour: list[str]
    size: list[str]
    size_index: np.ndarray
    name: list[str]
    item_id: list[str]  # the style's 商品ID
    price: np.ndarray  # cents
    weight: np.ndarray  # the SKU's share of the order lines
    planted: int  # the style whose size chart runs small

    @property
    def n(self) -> int:
        return len(self.sku)


def catalog(skus: int, seed: int = SEED) -> Catalog:
    rng = np.random.default_rng([seed, 0])
    per_style = 2 * len(SIZES)
    n_styles = skus // per_style
    style_of = np.repeat(np.arange(n_styles), per_style)
    colour_slot = np.tile(np.repeat([0, 1], len(SIZES)), n_styles)
    size_index = np.tile(np.arange(len(SIZES)), 2 * n_styles)
    first = rng.integers(0, len(COLOURS), n_styles)
    second = (first + rng.integers(1, len(COLOURS), n_styles)) % len(COLOURS)
    colour_index = np.where(colour_slot == 0, first[style_of], second[style_of])
    styles = [f"SL{s:05d}" for s in range(n_styles)]
    colour = [COLOURS[c] for c in colour_index]
    size = [SIZES[z] for z in size_index]
    sku = [f"{styles[s]}-{c}-{z}" for s, c, z in zip(style_of, colour, size, strict=True)]
    name = [f"山岚{CATEGORIES[s % len(CATEGORIES)]}{s:05d}" for s in style_of]
    item_id = [str(652_000_000_000 + 7919 * s) for s in style_of]
    style_price = rng.integers(59, 400, n_styles) * 100 - np.where(rng.random(n_styles) < 0.5, 10, 0)
    style_weight = rng.lognormal(0.0, 1.1, n_styles)
    weight = style_weight[style_of] * COLOUR_SHARE[colour_slot] * SIZE_SHARE[size_index]
    return Catalog(
        styles=styles,
        sku=sku,
        style_of=style_of,
        colour=colour,
        size=size,
        size_index=size_index,
        name=name,
        item_id=item_id,
        price=style_price[style_of],
        weight=weight / weight.sum(),
        planted=int(np.argmax(style_weight)),
    )


@dataclass(frozen=True)
class Sales:
    """Orders (sorted by creation, numbered 1 …) and their lines; seconds from FIRST 00:00."""

    created: np.ndarray
    paid_at: np.ndarray  # -1: unpaid
    buyer: np.ndarray
    line_order: np.ndarray  # the order of each line
    line_sku: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray  # cents: price × quantity
    buyers: list[str]

    @property
    def orders(self) -> int:
        return len(self.created)

    @property
    def lines(self) -> int:
        return len(self.line_order)


def day_weights() -> np.ndarray:
    offsets = np.arange(DAYS)
    dates = np.datetime64(FIRST) + offsets.astype("timedelta64[D]")
    weekday = (FIRST.weekday() + offsets) % 7
    weekly = np.array([0.95, 0.9, 0.9, 0.95, 1.05, 1.15, 1.1])[weekday]
    season = 1 + 0.25 * np.sin(2 * np.pi * (offsets / 365 + 0.2))
    month_day = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    promo = np.where(
        (month == 11) & (month_day == 11), 5.0, np.where((month == 6) & (month_day == 18), 3.0, 1.0)
    )
    weights = weekly * season * promo
    return np.asarray(weights / weights.sum())


def buyer_names(count: int, seed: int = SEED) -> list[str]:
    """Unique 买家会员名: 15 % ``tb`` + 10 digits (masked ``t**7``: many buyers fit), the others a
    Chinese first character, a code and a last letter or digit."""
    rng = np.random.default_rng([seed, 1])
    heads = [chr(0x4E00 + 37 * k) for k in range(600)]
    tails = "abcdefghijkmnpqrstuvwxyz0123456789"
    head, tail = rng.integers(0, len(heads), count), rng.integers(0, len(tails), count)
    tb = rng.random(count) < 0.15
    return [
        f"tb{(i * 7_919_113) % 10**10:010d}"
        if tb[i]
        else f"{heads[head[i]]}{np.base_repr(i, 36).lower()}{tails[tail[i]]}"
        for i in range(count)
    ]


def sales(cat: Catalog, n_lines: int, seed: int = SEED) -> Sales:
    rng = np.random.default_rng([seed, 2])
    n_orders = math.ceil(n_lines / 1.15) + 64
    sizes = np.where(rng.random(n_orders) < 0.15, 2, 1)
    n_orders = int(np.searchsorted(np.cumsum(sizes), n_lines)) + 1
    sizes = sizes[:n_orders]
    day = rng.choice(DAYS, n_orders, p=day_weights())
    created = day * DAY + rng.integers(7 * HOUR, DAY - 900, n_orders)
    order = np.argsort(created, kind="stable")
    created, sizes = created[order], sizes[order]
    paid = rng.random(n_orders) >= 0.03
    paid_at = np.where(paid, created + rng.integers(20, 900, n_orders), -1)
    buyers = buyer_names(max(200, n_orders // 3))
    buyer = rng.integers(0, len(buyers), n_orders)
    line_order = np.repeat(np.arange(n_orders), sizes)[:n_lines]
    line_sku = rng.choice(cat.n, n_lines, p=cat.weight)
    second = np.r_[False, line_order[1:] == line_order[:-1]]
    clash = second & np.r_[False, line_sku[1:] == line_sku[:-1]]
    line_sku = np.where(clash, (line_sku + 1) % cat.n, line_sku)
    quantity = np.where(rng.random(n_lines) < 0.08, 2, 1)
    return Sales(
        created=created,
        paid_at=paid_at,
        buyer=buyer,
        line_order=line_order,
        line_sku=line_sku,
        quantity=quantity,
        amount=cat.price[line_sku] * quantity,
        buyers=buyers,
    )


@dataclass(frozen=True)
class Cases:
    """One after-sale case per line that has one (in 退款编号 order, i.e. by 申请时间)."""

    line: np.ndarray
    reason: np.ndarray  # index into REASONS
    kind: np.ndarray  # index into KINDS
    before: np.ndarray  # bool: a refund before shipment
    applied: np.ndarray
    completed: np.ndarray  # -1: still open
    status: np.ndarray  # index into STATUSES
    goods: np.ndarray  # index into GOODS
    amount: np.ndarray  # cents
    partial: np.ndarray
    zero_second: np.ndarray
    shipped: np.ndarray  # the line's shipment (seconds), for 发货物流信息 and 售中/售后
    returned: np.ndarray  # 买家退货时间, -1: none
    phase_after: np.ndarray  # bool: 售后 (after the buyer confirmed receipt)

    @property
    def n(self) -> int:
        return len(self.line)


def _uniform(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return (rng.uniform(low, high, n) * HOUR).astype(np.int64)


def shipping(s: Sales, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line: shipped, delivered and receipt-confirmed moments (seconds); meaningless if unpaid."""
    rng = np.random.default_rng([seed, 3])
    paid = s.paid_at[s.line_order]
    in_day = paid % DAY
    shipped = (paid // DAY) * DAY + np.where(in_day < 16 * HOUR, 17 * HOUR, 41 * HOUR)
    shipped = shipped + _uniform(rng, 0, 3, s.lines)
    delivered = shipped + _uniform(rng, 30, 96, s.lines)
    confirmed = delivered + _uniform(rng, 2, 200, s.lines)
    return shipped, delivered, confirmed


def _reasons(cat: Catalog, s: Sales, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line: a refund before shipment, a case after shipment, and its reason (index into REASONS)."""
    n = s.lines
    paid = s.paid_at[s.line_order]
    u_before, u_after = rng.random(n), rng.random(n)
    before = (paid >= 0) & (u_before < BEFORE_RATE)
    # after shipment: a reason with the shop's chances, 尺码 × the factor on the planted style's S and M
    base = np.array([tx.AFTER_SHIPMENT[r] for r in AFTER_REASONS]) * AFTER_SCALE
    tables = [base]
    for size in ("S", "M"):
        rates = base.copy()
        for size_reason in tx.SIZE_REASONS:
            rates[AFTER_REASONS.index(size_reason)] *= PLANTED_FACTOR[size]
        tables.append(rates)
    planted = cat.style_of[s.line_sku] == cat.planted
    table = np.where(planted & (cat.size_index[s.line_sku] == 0), 1, 0)
    table = np.where(planted & (cat.size_index[s.line_sku] == 1), 2, table)
    cumulative = np.array([np.cumsum(t) for t in tables])  # 3 × reasons
    after = (paid >= 0) & ~before & (u_after < cumulative[:, -1][table])
    picked = np.argmax(u_after[:, None] < cumulative[table], axis=1)
    before_pick = rng.choice(len(BEFORE_REASONS), n, p=_norm([tx.BEFORE_SHIPMENT[r] for r in BEFORE_REASONS]))
    reason = np.where(before, np.array([REASONS.index(r) for r in BEFORE_REASONS])[before_pick], 0)
    reason = np.where(after, np.array([REASONS.index(r) for r in AFTER_REASONS])[picked], reason)
    return before, after, reason


def _steps(
    rng: np.random.Generator,
    applied: np.ndarray,
    before: np.ndarray,
    only_refund: np.ndarray,
    is_exchange: np.ndarray,
) -> dict[str, np.ndarray]:
    """A case's steps: a 仅退款 agreed (or closed) within hours — 极速退款 in seconds for most before
    shipment —; a return or exchange goes back and forth. Done by the export's moment, or open at a step."""
    n = len(applied)
    zero = before & (rng.random(n) < 0.65)
    agree = rng.random(n)
    quick_end = np.where(
        zero,
        applied + rng.integers(0, 60, n),
        np.where(before, applied + _uniform(rng, 0.5, 8, n), applied + _uniform(rng, 2, 48, n)),
    )
    closed = rng.random(n) < 0.1
    agreed = applied + _uniform(rng, 0.5, 20, n)
    sent = agreed + _uniform(rng, 2, 48, n)
    back = sent + _uniform(rng, 36, 96, n)
    slow_end = np.where(closed, applied + _uniform(rng, 24, 144, n), back + _uniform(rng, 1, 24, n))
    end = np.where(only_refund, quick_end, slow_end)
    ok = np.where(only_refund, zero | (agree < 0.88), ~closed)
    done = end <= NOW
    returned = ~only_refund & ~closed & (sent <= NOW)
    final = np.where(ok, np.where(is_exchange, 2, SUCCESS), np.where(is_exchange, 3, CLOSED))
    step = np.where(agreed > NOW, 0, np.where((sent > NOW) | ~returned, 1, 2))
    open_status = np.where(only_refund, 4, np.where(is_exchange, 7 + step, 4 + step))
    return {
        "status": np.where(done, final, open_status),
        "completed": np.where(done, end, -1),
        "returned": np.where(returned, sent, -1),
        "zero": zero,
    }


def cases(cat: Catalog, s: Sales, seed: int = SEED) -> Cases:
    rng = np.random.default_rng([seed, 4])
    n = s.lines
    paid = s.paid_at[s.line_order]
    shipped, delivered, confirmed = shipping(s, seed)
    before, after, reason = _reasons(cat, s, rng)
    lost = reason == REASONS.index("快递一直未送到")
    gap = np.maximum((shipped - paid) / HOUR - 0.1, 0.06)
    applied = np.where(
        before,
        paid + (rng.uniform(0.05, 1.0, n) * gap * HOUR).astype(np.int64),
        np.where(lost, shipped + _uniform(rng, 5 * 24, 8 * 24, n), delivered + _uniform(rng, 2, 6.5 * 24, n)),
    )
    keep = np.array([KEEP.get(r, 0.0) for r in REASONS])[reason]
    exchange = np.array([EXCHANGE.get(r, 0.0) for r in REASONS])[reason]
    draw = rng.random(n)
    only_refund = before | (draw < keep)
    is_exchange = ~only_refund & (draw < keep + (1 - keep) * exchange)
    steps = _steps(rng, applied, before, only_refund, is_exchange)
    goods = np.where(before | (only_refund & lost), 0, np.where(steps["returned"] >= 0, 2, 1))
    # 仅退款 keeping a flawed piece: 10–30 % back; 少件 of two: one piece; an exchange: nothing
    whole = np.isin(reason, [REASONS.index(r) for r in ("快递一直未送到", "空包裹/少货", "少件/漏发")])
    partial_share = only_refund & ~before & ~whole
    amount = np.where(partial_share, np.maximum(s.amount * rng.choice([10, 20, 30], n) // 100, 500), s.amount)
    piece = (reason == REASONS.index("少件/漏发")) & (s.quantity > 1)
    amount = np.where(is_exchange, 0, np.where(piece, cat.price[s.line_sku], amount))
    line = np.nonzero((before | after) & (applied <= NOW))[0]
    line = line[np.argsort(applied[line], kind="stable")]
    return Cases(
        line=line,
        reason=reason[line],
        kind=np.where(only_refund, 0, np.where(is_exchange, 2, 1))[line],
        before=before[line],
        applied=applied[line],
        completed=steps["completed"][line],
        status=steps["status"][line],
        goods=goods[line],
        amount=amount[line],
        partial=(partial_share | piece)[line],
        zero_second=steps["zero"][line],
        shipped=shipped[line],
        returned=steps["returned"][line],
        phase_after=(applied >= confirmed)[line],
    )


def _norm(values: list[float]) -> np.ndarray:
    array = np.array(values)
    return np.asarray(array / array.sum())


@dataclass(frozen=True)
class Reviews:
    """The review plugin's rows, by 日期 (row i is the file's line i + 2)."""

    line: np.ndarray  # the reviewed order line
    at: np.ndarray  # seconds
    score: np.ndarray
    content: list[str]
    follow_up: list[str]
    reply: list[str]
    nick: list[str]  # masked
    spec: list[str]

    @property
    def n(self) -> int:
        return len(self.line)

    def pending(self) -> np.ndarray:
        """待处理差评: a 中差评 of the last 30 days (dates) with no reply."""
        recent = self.at // DAY >= DAYS - 1 - 30
        return np.asarray((self.score <= 3) & recent & np.array([not r for r in self.reply], dtype=bool))


def reviews(cat: Catalog, s: Sales, c: Cases, count: int, seed: int = SEED) -> Reviews:
    """``count`` reviews of delivered lines (fewer if fewer were delivered by the end), 2–10 days
    after delivery; a line with an after-shipment case is 5 times as likely to be reviewed, and badly."""
    rng = np.random.default_rng([seed, 5])
    _, delivered, _ = shipping(s, seed)
    at = delivered + rng.integers(2 * DAY, 10 * DAY, s.lines)
    case_of = np.full(s.lines, -1)
    case_of[c.line] = np.arange(c.n)
    has_case = case_of >= 0
    before = has_case & c.before[np.maximum(case_of, 0)]
    after = has_case & ~before
    group = np.array([GROUP.get(r, "other") for r in REASONS])[c.reason[np.maximum(case_of, 0)]]
    planted = (cat.style_of[s.line_sku] == cat.planted) & (cat.size_index[s.line_sku] <= 1)
    eligible = np.nonzero((s.paid_at[s.line_order] >= 0) & ~before & (at <= NOW))[0]
    weight = np.where(
        after[eligible] & np.isin(group[eligible], ["size", "quality", "mispick", "logistics"]), 5.0, 1.0
    )
    weight = np.where(after[eligible] & (group[eligible] == "subjective"), 2.0, weight)
    weight = np.where(planted[eligible] & ~after[eligible], 2.0, weight)
    keys = np.log(rng.random(len(eligible))) / weight  # Efraimidis–Spirakis: the largest keys
    take = min(count, len(eligible))
    chosen = eligible[np.argpartition(-keys, take - 1)[:take]] if take else eligible[:0]
    chosen = chosen[np.argsort(at[chosen], kind="stable")]
    draws = rng.random((len(chosen), 6))
    rows: dict[tuple[int, str, str, str], tuple[int, int, str, str, str, str]] = {}
    for index, line in enumerate(chosen.tolist()):
        u = draws[index]
        sku = int(s.line_sku[line])
        colour, size = cat.colour[sku], cat.size[sku]
        others = [x for x in COLOURS if x != colour]
        cause = str(group[line]) if after[line] else ("grumble" if planted[line] and u[0] < 0.25 else "")
        score, text, bad = _opinion(rng, cause, int(c.reason[case_of[line]]) if after[line] else -1, u)
        text = text.format(size=size, colour=colour, other_colour=others[int(u[1] * len(others))])
        follow = ""
        if u[2] < 0.08:
            follow = str(rng.choice(tx.FOLLOW_UPS_BAD if bad else tx.FOLLOW_UPS_GOOD))
        age = NOW - int(at[line])
        texts: tuple[str, ...]
        if score <= 3:
            answered = age >= 3 * DAY and u[3] < (0.85 if age <= 30 * DAY else 0.95)
            texts = tx.REPLIES_BAD.get(cause, tx.REPLIES_BAD["other"])
        else:
            answered, texts = u[3] < 0.3, tx.REPLIES_GOOD
        reply = str(texts[int(u[4] * len(texts))]) if answered else ""
        name = s.buyers[int(s.buyer[s.line_order[line]])]
        nick, spec = f"{name[0]}**{name[-1]}", f"颜色分类:{colour};尺码:{size}"
        rows.setdefault((int(at[line]), nick, spec, text), (line, score, text, follow, reply, nick))
    kept = list(rows.items())
    return Reviews(
        line=np.array([v[0] for _, v in kept], dtype=np.int64),
        at=np.array([k[0] for k, _ in kept], dtype=np.int64),
        score=np.array([v[1] for _, v in kept], dtype=np.int64),
        content=[v[2] for _, v in kept],
        follow_up=[v[3] for _, v in kept],
        reply=[v[4] for _, v in kept],
        nick=[v[5] for _, v in kept],
        spec=[k[2] for k, _ in kept],
    )


def _opinion(rng: np.random.Generator, cause: str, reason: int, u: np.ndarray) -> tuple[int, str, bool]:
    """(score, text with {size}/{colour}/{other_colour}, bad) of one review."""
    if cause in ("size", "quality", "mispick", "logistics") or (cause == "subjective" and u[5] < 0.4):
        key = cause
        if cause == "quality":
            key = "defect" if REASONS[reason] in ("质量问题", "商品褪色/掉色") else "quality"
        score = int(rng.choice([1, 2])) if u[5] < 0.75 or cause == "subjective" else 3
        return score, str(rng.choice(tx.BAD_REVIEWS[key])), True
    if cause == "grumble":
        return 3, str(rng.choice(tx.GRUMBLES["size"])), True
    score = int(rng.choice([5, 4, 3], p=[0.85, 0.12, 0.03]))
    if score == 3:
        return score, str(rng.choice(tx.OK_REVIEWS)), False
    ending = str(rng.choice(tx.GOOD_ENDINGS))
    text = f"{rng.choice(tx.GOOD_OPENINGS)}，{rng.choice(tx.GOOD_MIDDLES)}"
    return score, f"{text}，{ending}" if ending else text, False


# -- the files ----------------------------------------------------------------------------------


def order_id(index: np.ndarray) -> pl.Series:
    return pl.Series(index + 3_900_000_000_000_000_001).cast(pl.String)


def stamp(seconds: np.ndarray) -> pl.Series:
    """``YYYY-MM-DD HH:MM:SS`` of seconds from FIRST 00:00; empty where negative."""
    moments = np.datetime64(FIRST, "s") + np.maximum(seconds, 0).astype("timedelta64[s]")
    text = pl.Series(moments.astype("datetime64[ms]")).dt.strftime("%Y-%m-%d %H:%M:%S")
    return pl.select(pl.when(pl.Series(seconds) >= 0).then(text).otherwise(pl.lit(""))).to_series()


def money(cents: np.ndarray) -> pl.Series:
    frame = pl.DataFrame({"c": cents.astype(np.int64)})
    return frame.select(
        pl.format("{}.{}", pl.col("c") // 100, (pl.col("c") % 100).cast(pl.String).str.zfill(2))
    ).to_series()


def write_csv(frame: pl.DataFrame, path: Path, *, bom: bool = False) -> Path:
    """As the platforms write it: an empty cell is nothing (not ``""``)."""
    frame.with_columns(pl.col(pl.String).replace("", None)).write_csv(path, include_bom=bom)
    return path


def titles(cat: Catalog) -> list[str]:
    return [f"{n} {c} {z}" for n, c, z in zip(cat.name, cat.colour, cat.size, strict=True)]


def write_products(cat: Catalog, folder: Path) -> Path:
    """商品资料 in our template: a row per SKU with 款式编码, 颜色, 规格, 商品ID and 店铺."""
    style_index = cat.style_of
    frame = pl.DataFrame(
        {
            "图片": [""] * cat.n,
            "款式编码": [cat.styles[s] for s in style_index],
            "商品编码": cat.sku,
            "颜色": cat.colour,
            "规格": cat.size,
            "基本售价": money(cat.price),
            "成本价": money(cat.price * 2 // 5),
            "成本生效日期": [""] * cat.n,
            "创建时间": ["2025-06-01"] * cat.n,
            "分类": [CATEGORIES[s % len(CATEGORIES)] for s in style_index],
            "年份": [2026] * cat.n,
            "季节": ["四季"] * cat.n,
            "商品名称": cat.name,
            "商品ID": cat.item_id,
            "店铺": [SHOP] * cat.n,
            "供应商名称": ["杭州某某服饰厂"] * cat.n,
        }
    )
    assert frame.columns == PRODUCT_LIST_HEADER
    return write_csv(frame, folder / "商品资料.csv")


def success_refunds(s: Sales, c: Cases) -> np.ndarray:
    """Per line, the cents refunded by its successful case (退款成功)."""
    refunded = np.zeros(s.lines, dtype=np.int64)
    ok = c.status == SUCCESS
    refunded[c.line[ok]] = c.amount[ok]
    return refunded


def order_totals(s: Sales) -> np.ndarray:
    return np.bincount(s.line_order, weights=s.amount, minlength=s.orders).astype(np.int64)


def write_orders(cat: Catalog, s: Sales, c: Cases, folder: Path) -> Path:
    """千牛 订单报表: a row per order; 买家实际支付金额 net of the successful refunds, 退款金额 theirs."""
    rng = np.random.default_rng([SEED, 6])
    total = order_totals(s)
    refunded = np.bincount(s.line_order, weights=success_refunds(s, c), minlength=s.orders).astype(np.int64)
    units = np.bincount(s.line_order, weights=s.quantity, minlength=s.orders).astype(np.int64)
    first_line = np.searchsorted(s.line_order, np.arange(s.orders))
    paid = s.paid_at >= 0
    status = np.where(~paid | (refunded >= total), "交易关闭", "交易成功")
    frame = pl.DataFrame(
        {
            "订单编号": order_id(np.arange(s.orders)),
            "买家会员名": pl.Series(s.buyers).gather(s.buyer),
            "买家应付邮费": ["0.00"] * s.orders,
            "总金额": money(total),
            "买家实际支付金额": money(np.where(paid, total - refunded, 0)),
            "订单状态": status,
            "收货地址": pl.Series(PROVINCES).gather(rng.integers(0, len(PROVINCES), s.orders)),
            "订单创建时间": stamp(s.created),
            "订单付款时间": stamp(s.paid_at),
            "宝贝标题": pl.Series(titles(cat)).gather(s.line_sku[first_line]),
            "宝贝总数量": units,
            "退款金额": money(refunded),
        }
    )
    assert frame.columns == ORDERS_HEADER
    return write_csv(frame, folder / f"订单报表_{SHOP}_{FIRST:%Y%m%d}-{END:%Y%m%d}.csv")


def write_lines(cat: Catalog, s: Sales, c: Cases, folder: Path) -> Path:
    """千牛 宝贝报表: a row per 子订单, the lines of an unpaid order 交易关闭 without 付款时间."""
    refunded = success_refunds(s, c)
    paid = s.paid_at[s.line_order] >= 0
    frame = pl.DataFrame(
        {
            "子订单编号": pl.Series(np.arange(s.lines) + 3_950_000_000_000_000_001).cast(pl.String),
            "主订单编号": order_id(s.line_order),
            "标题": pl.Series(titles(cat)).gather(s.line_sku),
            "价格": money(cat.price[s.line_sku]),
            "购买数量": s.quantity,
            "商家编码": pl.Series(cat.sku).gather(s.line_sku),
            "订单状态": np.where(~paid | (refunded >= s.amount), "交易关闭", "交易成功"),
            "买家实际支付金额": money(np.where(paid, s.amount - refunded, 0)),
            "退款状态": np.where(refunded > 0, "退款成功", ""),
            "退款金额": money(refunded),
            "订单创建时间": stamp(s.created[s.line_order]),
            "订单付款时间": stamp(s.paid_at[s.line_order]),
        }
    )
    assert frame.columns == LINES_HEADER
    return write_csv(frame, folder / f"宝贝报表_{SHOP}_{FIRST:%Y%m%d}-{END:%Y%m%d}.csv")


def details(cat: Catalog, s: Sales, c: Cases) -> list[str]:
    """买家退款说明: one of the reason's phrasings, with the line's size and colour."""
    rng = np.random.default_rng([SEED, 7])
    picks = rng.random((c.n, 3))
    out = []
    for index in range(c.n):
        sku = int(s.line_sku[c.line[index]])
        reason = REASONS[c.reason[index]]
        small = reason == "尺码不合适" and cat.style_of[sku] == cat.planted
        texts = tx.DETAILS.get("尺码偏小" if small else reason, tx.DETAILS["其他"])
        u = picks[index]
        colour, size = cat.colour[sku], cat.size[sku]
        others = [x for x in COLOURS if x != colour]
        sizes = [x for x in SIZES if x != size]
        out.append(
            texts[int(u[0] * len(texts))].format(
                size=size,
                colour=colour,
                other_colour=others[int(u[1] * len(others))],
                other_size=sizes[int(u[2] * len(sizes))],
            )
        )
    return out


def write_refunds(cat: Catalog, s: Sales, c: Cases, folder: Path) -> Path:
    """千牛 退款管理, 54 columns (two names written twice, both cells the same), one row per case."""
    rng = np.random.default_rng([SEED, 8])
    line_order = s.line_order[c.line]
    sku = s.line_sku[c.line]
    done = stamp(c.completed)
    applied = stamp(c.applied)
    ok = c.status == SUCCESS
    returns = c.kind != 0
    group = [GROUP.get(REASONS[r], "other") for r in c.reason]
    responsible = np.where(
        c.before,
        np.where(
            np.isin(c.reason, [REASONS.index("未按约定时间发货"), REASONS.index("协商一致退款")]),
            "卖家",
            "买家",
        ),
        np.where(
            (c.reason == REASONS.index("尺码不合适")) | (np.array(group) == "subjective"),
            "买家",
            np.where(np.array(group) == "logistics", "物流", "卖家"),
        ),
    )
    tracking = pl.Series(rng.integers(10**11, 10**12, c.n)).cast(pl.String)
    has_return = c.returned >= 0
    operator = np.where(
        ok & ~c.zero_second, np.where(rng.random(c.n) < 0.5, "山岚服饰:售后小林", "山岚服饰:售后阿青"), ""
    )
    paid_day = stamp(s.paid_at[line_order]).str.slice(0, 10).str.replace_all("-", "")
    empty = [""] * c.n
    columns: dict[str, Any] = {
        "订单编号": order_id(line_order),
        "退款编号": pl.Series(np.arange(c.n) + 2_109_000_000_000_001).cast(pl.String),
        "支付单号": paid_day + "2200" + pl.Series(line_order + 1).cast(pl.String).str.zfill(16),
        "订单付款时间": stamp(s.paid_at[line_order]),
        "商品 id": pl.Series(cat.item_id).gather(sku),
        "商品编码": pl.Series(cat.sku).gather(sku),
        "退款完结时间": done,
        "退款完结时间#2": done,
        "买家实际支付金额": money(order_totals(s)[line_order]),
        "宝贝标题": pl.Series(titles(cat)).gather(sku),
        "买家退款金额": money(c.amount),
        "手工退款 / 系统退款": np.where(ok, np.where(c.zero_second, "系统退款", "手工退款"), ""),
        "售后类型": np.array(KINDS)[c.kind],
        "退款的申请时间": applied,
        "退款的申请时间#2": applied,
        "超时时间": stamp(np.where(c.completed < 0, c.applied + 48 * HOUR, -1)),
        "完结时间": done,
        "退款状态": np.array(STATUSES)[c.status],
        "货物状态": np.array(GOODS)[c.goods],
        "退货物流信息": np.where(has_return, "中通快递 735" + tracking.to_numpy().astype(str), ""),
        "发货物流信息": np.where(c.before, "", "圆通速递 YT" + (tracking.to_numpy().astype(str)) + "7"),
        "客服介入状态": ["客服未介入"] * c.n,
        "卖家真实姓名": ["杭州山岚服饰有限公司"] * c.n,
        "卖家真实姓名 (新)": ["杭州山岚服饰有限公司"] * c.n,
        "卖家退货地址": np.where(returns, "浙江省 杭州市 余杭区 星桥街道 山岚仓 售后组", ""),
        "卖家邮编": np.where(returns, "311100", ""),
        "卖家电话": np.where(returns, "0571-86120331", ""),
        "卖家手机": np.where(returns, "138****4471", ""),
        "退货物流单号": np.where(has_return, "735" + tracking.to_numpy().astype(str), ""),
        "退货物流公司": np.where(has_return, "中通快递", ""),
        "买家退款原因": np.array(REASONS)[c.reason],
        "买家退款说明": details(cat, s, c),
        "买家退货时间": stamp(c.returned),
        "责任方": responsible,
        "售中或售后": np.where(c.phase_after & ~c.before, "售后", "售中"),
        "备注标签": empty,
        "商家备注": empty,
        "部分退款 / 全部退款": np.where(c.partial, "部分退款", "全部退款"),
        "审核操作人": operator,
        "审核操作人新会员名": operator,
        "举证超时": empty,
        "是否零秒响应": np.where(c.zero_second, "是", "否"),
        "退款操作人": operator,
        "退款操作人新会员名": operator,
        "退款原因标签": [tx.REASON_TAGS[g] for g in group],
        "业务类型": ["普通交易"] * c.n,
        "是否帮他退款": ["否"] * c.n,
        "帮他退款操作账号": empty,
        "小额收款": ["否"] * c.n,
        "淘特订单": ["否"] * c.n,
        "百亿补贴超链退款信息": empty,
        "智能退款策略": np.where(c.zero_second, "极速退款", ""),
        "执行方案": empty,
        "买家会员名称": pl.Series(s.buyers).gather(s.buyer[line_order]),
    }
    header = [name.split("#")[0] for name in columns]
    assert header == QIANNIU_54, "the 54-column 退款管理 header"
    path = folder / f"退款管理_{SHOP}_{FIRST:%Y%m%d}-{END:%Y%m%d}.csv"
    with path.open("wb") as handle:
        handle.write((",".join(header) + "\n").encode("utf-8"))
        frame = pl.DataFrame(columns).with_columns(pl.col(pl.String).replace("", None))
        frame.write_csv(handle, include_header=False)
    return path


def write_reviews(r: Reviews, folder: Path) -> Path:
    """The 淘宝 review plugin's CSV (UTF-8 with BOM): no order number, the nickname masked."""
    frame = pl.DataFrame(
        {
            "评论内容": r.content,
            "追加评论": r.follow_up,
            "评分": r.score,
            "日期": stamp(r.at),
            "SKU": r.spec,
            "用户昵称": r.nick,
            "商家回复": r.reply,
            "平台": ["淘宝"] * r.n,
        }
    )
    assert frame.columns == TAOBAO_HEADER
    return write_csv(frame, folder / f"淘宝评价_{SHOP}.csv", bom=True)


# -- the truth ----------------------------------------------------------------------------------


def period_days(length: int = PERIOD) -> tuple[dt.date, dt.date]:
    return END - dt.timedelta(days=length - 1), END


def wilson(returns: np.ndarray, lines: np.ndarray) -> np.ndarray:
    n = lines.astype(float)
    p = returns / n
    return np.asarray(
        (p + Z * Z / (2 * n) - Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))) / (1 + Z * Z / n)
    )


def truth(cat: Catalog, s: Sales, c: Cases, r: Reviews) -> dict[str, Any]:
    """What the summary, Pareto, focus lists and review list must say, from the generator's arrays."""
    first = DAYS - PERIOD  # day index of the period's first day
    in_period = lambda days: (days >= first) & (days < DAYS)  # noqa: E731
    line_paid = s.paid_at[s.line_order]
    case_paid = line_paid[c.line] // DAY
    applied, completed = c.applied // DAY, np.where(c.completed >= 0, c.completed // DAY, -1)
    ok, closed = np.isin(c.status, DONE), np.isin(c.status, SHUT)
    done = ok & in_period(completed)
    cohort = ok & in_period(case_paid)
    order_paid = np.where(s.paid_at >= 0, s.paid_at // DAY, -1)
    summary = {
        "success_cases": int(done.sum()),
        "success_amount": int(c.amount[done].sum()),
        "refund_only_cases": int((done & (c.kind == 0)).sum()),
        "return_refund_cases": int((done & (c.kind == 1)).sum()),
        "exchange_cases": int((done & (c.kind == 2)).sum()),
        "after_shipment_cases": int((done & ~c.before).sum()),
        "open_cases": int((~ok & ~closed & in_period(applied)).sum()),
        "closed_cases": int((closed & in_period(applied)).sum()),
        "gmv": int(order_totals(s)[in_period(order_paid)].sum()),
        "paid_orders": int(in_period(order_paid).sum()),
        "cohort_amount": int(c.amount[cohort].sum()),
        "cohort_orders": len(np.unique(s.line_order[c.line[cohort & (c.kind <= 1)]])),
    }
    classes = np.array([REASON_CLASS[x] for x in REASONS])[c.reason]
    pareto = {}
    for name in CLASSES:
        now = (classes == name) & ~closed & in_period(applied)
        before = (classes == name) & ~closed & (applied >= first - PERIOD) & (applied < first)
        pareto[name] = [int(now.sum()), int(c.amount[now].sum()), int(before.sum())]
    paid_lines = (line_paid >= 0) & in_period(line_paid // DAY)
    returned = c.line[~closed & in_period(case_paid)]
    focus = {}
    for by, key in (("sku", np.arange(cat.n)), ("style", cat.style_of)):
        lines = np.bincount(key[s.line_sku[paid_lines]], minlength=key.max() + 1)
        returns = np.bincount(key[s.line_sku[returned]], minlength=key.max() + 1)
        listed = lines >= MIN_ORDERS
        names = np.array(cat.sku if by == "sku" else cat.styles)
        lower = np.where(listed, wilson(returns, np.maximum(lines, 1)), -1.0)
        order = np.lexsort((names, -returns, -returns / np.maximum(lines, 1), -lower))
        focus[by] = {
            "rows": int(listed.sum()),
            "lines": int(lines[listed].sum()),
            "returns": int(returns[listed].sum()),
            "first": str(names[order[0]]),
        }
    return {"summary": summary, "pareto": pareto, "focus": focus, "reviews": review_truth(cat, s, r)}


def review_truth(cat: Catalog, s: Sales, r: Reviews) -> dict[str, Any]:
    """Per review window: the 中差评 by grade and the 待处理差评; per file row, the true order."""
    pending = r.pending()
    found: dict[str, Any] = {}
    for window, first in (("30d", DAYS - 1 - 30), ("year", 0)):
        chosen = r.at // DAY >= first
        found[window] = {
            "差评": int((chosen & (r.score <= 2)).sum()),
            "中评": int((chosen & (r.score == 3)).sum()),
            "pending": int((chosen & pending).sum()),
        }
    orders = order_id(s.line_order[r.line]).to_list()
    found["orders"] = {row + 2: order for row, order in enumerate(orders)}  # file row → 订单编号
    return found


# -- the floors: one hand-written DuckDB query each -----------------------------------------------


FLOOR_SUMMARY = f"""
WITH c AS (
    SELECT *, status IN {DONE_SQL} AND CAST(completed_at AS DATE) BETWEEN $start AND $end AS done,
           CAST(coalesce(applied_at, completed_at) AS DATE) BETWEEN $start AND $end AS asked,
           status IN {DONE_SQL} AND CAST(paid_at AS DATE) BETWEEN $start AND $end AS cohort
    FROM refunds WHERE shop = $shop
), o AS (
    SELECT sum(total_amount) AS gmv, count(*) AS paid_orders FROM orders
    WHERE shop = $shop AND CAST(paid_at AS DATE) BETWEEN $start AND $end
)
SELECT count(*) FILTER (WHERE done) AS success_cases,
       coalesce(sum(refund_amount) FILTER (WHERE done), 0) AS success_amount,
       count(*) FILTER (WHERE done AND after_sale_type = '仅退款') AS refund_only_cases,
       count(*) FILTER (WHERE done AND after_sale_type = '退货退款') AS return_refund_cases,
       count(*) FILTER (WHERE done AND after_sale_type = '换货') AS exchange_cases,
       count(*) FILTER (WHERE done AND (shipping_info IS NOT NULL OR goods_status <> '买家未收到货')) AS after_shipment_cases,
       count(*) FILTER (WHERE asked AND status NOT IN {DONE_SQL} AND status NOT IN {SHUT_SQL}) AS open_cases,
       count(*) FILTER (WHERE asked AND status IN {SHUT_SQL}) AS closed_cases,
       any_value(o.gmv) AS gmv, any_value(o.paid_orders) AS paid_orders,
       coalesce(sum(refund_amount) FILTER (WHERE cohort), 0) AS cohort_amount,
       count(DISTINCT order_id) FILTER (WHERE cohort AND after_sale_type IN ('仅退款', '退货退款')) AS cohort_orders,
       CAST(success_amount AS DOUBLE) / CAST(any_value(o.gmv) AS DOUBLE) AS refund_rate_completed,
       CAST(cohort_amount AS DOUBLE) / CAST(any_value(o.gmv) AS DOUBLE) AS refund_rate_cohort
FROM c, o
"""


def reason_class_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{reason}' THEN '{name}'" for reason, name in REASON_CLASS.items())
    return f"CASE {column} {cases} ELSE '服务/其他' END"


FLOOR_PARETO = f"""
SELECT {reason_class_sql("reason")} AS class, count(*) FILTER (WHERE day >= $start) AS count,
       coalesce(sum(refund_amount) FILTER (WHERE day >= $start), 0) AS amount,
       count(*) FILTER (WHERE day < $start) AS count_prev
FROM (SELECT *, CAST(coalesce(applied_at, completed_at) AS DATE) AS day FROM refunds WHERE shop = $shop)
WHERE status NOT IN {SHUT_SQL} AND day BETWEEN $before AND $end
GROUP BY 1
"""

WILSON_SQL = f"""(p + {Z * Z} / (2 * lines) - {Z} * sqrt(p * (1 - p) / lines + {Z * Z} / (4 * lines * lines)))
    / (1 + {Z * Z} / lines)"""

FLOOR_FOCUS = f"""
WITH lines AS (
    SELECT sku_code AS sku, count(*) AS n FROM order_lines
    WHERE shop = $shop AND paid_at IS NOT NULL AND CAST(paid_at AS DATE) BETWEEN $start AND $end GROUP BY 1
), returned AS (
    SELECT sku_code AS sku, count(DISTINCT order_id) AS n FROM refunds
    WHERE shop = $shop AND status NOT IN {SHUT_SQL} AND CAST(paid_at AS DATE) BETWEEN $start AND $end GROUP BY 1
), styles AS (
    SELECT DISTINCT sku, style FROM product_master WHERE shop = $shop
), per AS (
    SELECT {{key}} AS key, sum(l.n) AS lines, coalesce(sum(r.n), 0) AS returns
    FROM lines l LEFT JOIN returned r USING (sku) LEFT JOIN styles m USING (sku) GROUP BY 1
)
SELECT key, lines, returns, returns / lines AS rate, {WILSON_SQL} AS lower_bound
FROM (SELECT *, CAST(returns AS DOUBLE) / lines AS p FROM per WHERE lines >= {MIN_ORDERS})
ORDER BY lower_bound DESC, rate DESC, returns DESC, key
"""

FLOOR_FINDINGS = f"""
WITH days AS (
    SELECT unnest($days) AS day
), lines AS (
    SELECT sku_code AS sku, CAST(paid_at AS DATE) AS paid, count(*) AS n FROM order_lines
    WHERE shop = $shop AND paid_at IS NOT NULL GROUP BY ALL
), returned AS (
    SELECT sku_code AS sku, order_id, min(CAST(paid_at AS DATE)) AS paid,
           min(CAST(coalesce(applied_at, completed_at) AS DATE)) AS known
    FROM refunds WHERE shop = $shop AND status NOT IN {SHUT_SQL} GROUP BY ALL
), styles AS (
    SELECT DISTINCT sku, style FROM product_master WHERE shop = $shop
), window_lines AS (
    SELECT d.day, l.sku, sum(l.n) AS lines FROM days d JOIN lines l ON l.paid BETWEEN d.day - 29 AND d.day GROUP BY ALL
), window_returns AS (
    SELECT d.day, r.sku, count(*) AS returns FROM days d
    JOIN returned r ON r.paid BETWEEN d.day - 29 AND d.day AND r.known <= d.day GROUP BY ALL
), per_sku AS (
    SELECT l.day, l.sku, m.style, l.lines, coalesce(r.returns, 0) AS returns
    FROM window_lines l LEFT JOIN window_returns r USING (day, sku) LEFT JOIN styles m USING (sku)
), levels AS (
    SELECT day, 'sku' AS level, sku AS key, style, lines, returns FROM per_sku
    UNION ALL
    SELECT day, 'style', style, style, sum(lines), sum(returns) FROM per_sku GROUP BY day, style
)
SELECT day, level, key, style, lines, returns, {WILSON_SQL} AS lower_bound
FROM (SELECT *, CAST(returns AS DOUBLE) / lines AS p FROM levels WHERE lines >= {MIN_ORDERS})
WHERE {WILSON_SQL} >= {HIGH_RATE}
ORDER BY day, level, key
"""

FLOOR_REVIEWS = """
WITH r AS (
    SELECT source_row, reviewed_at, CAST(reviewed_at AS DATE) AS day, content, follow_up, reply, buyer,
           CASE WHEN score <= 2 THEN '差评' ELSE '中评' END AS grade,
           regexp_extract(sku_spec, '颜色分类:([^;]*)', 1) AS colour, regexp_extract(sku_spec, '尺码:(.*)$', 1) AS size
    FROM reviews WHERE shop = $shop AND reviewed_at >= $start AND reviewed_at < $after AND score <= 3
), candidates AS (  -- a masked nickname h**t: the buyers with that first and last character
    SELECT DISTINCT r.source_row, o.order_id, l.sku_code AS sku
    FROM r
    JOIN orders o ON o.shop = $shop AND left(o.buyer, 1) = left(r.buyer, 1) AND right(o.buyer, 1) = right(r.buyer, 1)
         AND o.paid_at <= r.reviewed_at AND o.paid_at > r.reviewed_at - INTERVAL 90 DAY
    JOIN order_lines l ON l.shop = $shop AND l.order_id = o.order_id
    JOIN product_master m ON m.shop = $shop AND m.sku = l.sku_code AND m.color = r.colour AND m.size = r.size
), linked AS (  -- exactly one order of a fitting buyer has a line of that colour and size
    SELECT source_row, any_value(order_id) AS order_id, CASE WHEN count(DISTINCT sku) = 1 THEN any_value(sku) END AS sku
    FROM candidates GROUP BY 1 HAVING count(DISTINCT order_id) = 1
)
SELECT r.source_row, r.grade, nullif(trim(r.reply), '') IS NULL AND r.day BETWEEN $today - 30 AND $today AS pending,
       k.order_id, m.style, contains(concat_ws(chr(10), r.content, r.follow_up), '偏小') AS small
FROM r LEFT JOIN linked k USING (source_row)
LEFT JOIN (SELECT DISTINCT sku, style FROM product_master WHERE shop = $shop) m ON m.sku = k.sku
"""


# -- measuring (each step in a fresh spawn subprocess) --------------------------------------------


def _timed(
    watcher: Watcher, name: str, call: Callable[[], Any], describe: Callable[[Any], dict[str, Any]]
) -> Any:
    """Run one step: wall and CPU seconds (all threads), the step's peak RSS and ``describe(value)``."""
    watcher.begin(name)
    began, cpu = time.perf_counter(), time.process_time()
    value = call()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = watcher.step_peak / MB
    watcher.send({"step": name, "seconds": seconds, "cpu": cpu, "peak_mb": peak, **describe(value)})
    return value


def _imported(result: Any) -> dict[str, Any]:
    return {
        "rows": result.rows,
        "source": result.source_key,
        "dates": [str(result.date_min), str(result.date_max)],
        "skipped": result.skipped_rows,
    }


def _baseline(path: str, target: str) -> dict[str, Any]:
    """DuckDB's own reader into a fresh DuckDB file: the floor of an import."""
    import duckdb

    Path(target).unlink(missing_ok=True)
    with duckdb.connect(target) as base:
        base.execute("SET enable_progress_bar = false")
        base.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [path])
        rows = base.execute("SELECT count(*) FROM t").fetchone()
        columns = base.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 't'").fetchone()
    return {"rows": int(rows[0]) if rows else 0, "columns": int(columns[0]) if columns else 0}


def _load(paths: dict[str, str], limit_mb: float, conn: Connection) -> None:
    """The first process: a workspace, then 商品资料, 订单报表 and 宝贝报表, each CSV after its baseline."""
    from shopops.workspace import Workspace

    watcher = Watcher(conn, limit_mb)

    def init() -> Any:
        workspace = Workspace.init(Path(paths["root"]))
        workspace.connection.execute("SET enable_progress_bar = false")
        workspace.add_shop(SHOP, "tmall")
        return workspace

    workspace = _timed(watcher, "init", init, lambda _: {})
    with workspace:
        _timed(
            watcher,
            "import_products",
            lambda: workspace.import_file(Path(paths["products"]), shop=SHOP),
            _imported,
        )
        for name in ("orders", "lines"):
            path = paths[name]
            _timed(watcher, f"baseline_{name}", partial(_baseline, path, paths["baseline"]), dict)
            _timed(
                watcher, f"import_{name}", partial(workspace.import_file, Path(path), shop=SHOP), _imported
            )
    watcher.stop.set()
    watcher.send({"done": True, "peak_mb": watcher.peak / MB})


def _import(paths: dict[str, str], name: str, limit_mb: float, conn: Connection) -> None:
    """A fresh process for one file: its baseline, then ``import_file`` into the workspace."""
    from shopops.workspace import Workspace

    watcher = Watcher(conn, limit_mb)
    with Workspace.open(Path(paths["root"])) as workspace:
        workspace.connection.execute("SET enable_progress_bar = false")
        _timed(watcher, f"baseline_{name}", lambda: _baseline(paths[name], paths["baseline"]), lambda v: v)
        _timed(
            watcher, f"import_{name}", lambda: workspace.import_file(Path(paths[name]), shop=SHOP), _imported
        )
    watcher.stop.set()
    watcher.send({"done": True, "peak_mb": watcher.peak / MB})


def _cents(value: Any) -> int | None:
    return None if value is None else round(float(value) * 100)


SUMMARY_KEYS = (
    "success_cases", "success_amount", "refund_only_cases", "return_refund_cases", "exchange_cases",
    "after_shipment_cases",
    "open_cases", "closed_cases", "gmv", "paid_orders", "cohort_amount", "cohort_orders",
)  # fmt: skip


def describe_summary(row: dict[str, Any]) -> dict[str, Any]:
    figures = {
        k: _cents(row[k]) if k in ("success_amount", "gmv", "cohort_amount") else row[k] for k in SUMMARY_KEYS
    }
    return {"figures": figures, "rates": [row["refund_rate_completed"], row["refund_rate_cohort"]]}


def describe_pareto(frame: pl.DataFrame) -> dict[str, Any]:
    return {
        "classes": {
            row["class"]: [int(row["count"]), _cents(row["amount"]), int(row["count_prev"])]
            for row in frame.iter_rows(named=True)
        }
    }


def describe_focus(frame: pl.DataFrame, key: str) -> dict[str, Any]:
    top = frame.head(TOP).select(key, "lines", "returns", "lower_bound").rows()
    return {
        "rows": frame.height,
        "lines": int(frame["lines"].sum()),
        "returns": int(frame["returns"].sum()),
        "top": [list(row) for row in top],
    }


def describe_findings(found: list[Any]) -> dict[str, Any]:
    return {
        "findings": [
            [str(f.date), str(f.since or ""), f.metric_label, f.item, [c.item for c in f.children]]
            for f in found
        ]
    }


def describe_reviews(frame: pl.DataFrame) -> dict[str, Any]:
    linked = frame.filter(pl.col("link") == "买家+规格").select("source_row", "order_id").rows()
    return {
        "grades": {g: int((frame["grade"] == g).sum()) for g in ("差评", "中评")},
        "pending": int(frame["pending"].sum()),
        "linked": sorted([int(r), str(o)] for r, o in linked),
    }


def describe_floor_reviews(frame: pl.DataFrame, planted: str) -> dict[str, Any]:
    linked = frame.filter(pl.col("order_id").is_not_null()).select("source_row", "order_id").rows()
    bad = frame.filter((pl.col("grade") == "差评") & (pl.col("style") == planted))
    return {
        "grades": {g: int((frame["grade"] == g).sum()) for g in ("差评", "中评")},
        "pending": int(frame["pending"].sum()),
        "linked": sorted([int(r), str(o)] for r, o in linked),
        "small": int(bad["small"].sum()),
    }


def describe_themes(frame: pl.DataFrame, planted: str) -> dict[str, Any]:
    rows = frame.filter(pl.col("product") == planted).select("keyword", "mentions", "reason_class").rows()
    return {"rows": frame.height, "planted": [list(r) for r in rows]}


QUERIES = (
    "summary", "floor_summary", "pareto", "floor_pareto", "focus_sku", "floor_focus_sku", "focus_style",
    "floor_focus_style", "findings_1d", "floor_findings_1d", "findings_7d", "floor_findings_7d",
    "reviews_30d", "floor_reviews_30d", "reviews_year", "floor_reviews_year",
)  # fmt: skip


def _query(paths: dict[str, str], step: str, limit_mb: float, conn: Connection) -> None:
    """A fresh process per query (as a ``shopops returns …`` command runs): open the workspace, run it once."""
    from shopops.domains.returns.rules import ReturnRules
    from shopops.workspace import Workspace

    watcher = Watcher(conn, limit_mb)
    with Workspace.open(Path(paths["root"])) as workspace:
        con = workspace.connection
        con.execute("SET enable_progress_bar = false")
        rules = ReturnRules.from_settings(workspace.settings.raw)
        if step.startswith("floor_"):
            _floor_step(watcher, step, con, rules.review_window_days, paths["planted"])
        else:
            _product_step(watcher, step, con, rules, paths["planted"])
    watcher.stop.set()
    watcher.send({"done": True, "peak_mb": watcher.peak / MB})


def _product_step(watcher: Watcher, step: str, con: Any, rules: Any, planted: str) -> None:
    """One of the domain's calls, as its command makes it."""
    from shopops.domains.returns.findings import returns_findings
    from shopops.domains.returns.items import focus_items
    from shopops.domains.returns.pareto import reason_pareto
    from shopops.domains.returns.reviews import review_list
    from shopops.domains.returns.summary import returns_summary
    from shopops.domains.returns.themes import review_themes

    start, end = period_days()
    shops = [SHOP]
    if step == "summary":
        summary = lambda: returns_summary(con, start, end, shops, rules).frame  # noqa: E731
        _timed(
            watcher,
            step,
            summary,
            lambda f: describe_summary(f.filter(pl.col("shop") == SHOP).row(0, named=True)),
        )
    elif step == "pareto":
        _timed(watcher, step, lambda: reason_pareto(con, start, end, shops, rules).frame, describe_pareto)
    elif step.startswith("focus_"):
        by: Any = step.removeprefix("focus_")
        focus = lambda: focus_items(con, start, end, shops, rules, by=by).frame  # noqa: E731
        _timed(watcher, step, focus, lambda f: describe_focus(f, by))
    elif step.startswith("findings_"):
        first = end - dt.timedelta(days=6 if step.endswith("7d") else 0)
        findings = lambda: returns_findings(con, first, end, shops, rules=rules)  # noqa: E731
        _timed(watcher, step, findings, describe_findings)
    elif step.startswith("reviews_"):
        window = step.removeprefix("reviews_")
        first = FIRST if window == "year" else end - dt.timedelta(days=rules.review_window_days)
        listing = lambda: review_list(con, first, end, shops, rules, today=end).frame  # noqa: E731
        listed = _timed(watcher, step, listing, describe_reviews)
        themes = lambda: review_themes(listed, rules, by="style")  # noqa: E731
        _timed(watcher, f"themes_{window}", themes, lambda f: describe_themes(f, planted))
    else:
        raise ValueError(step)


def _floor_step(watcher: Watcher, step: str, con: Any, review_window: int, planted: str) -> None:
    """One hand-written DuckDB query of the same core answer."""
    start, end = period_days()
    sql = lambda text, **params: con.sql(text, params={"shop": SHOP, **params}).pl()  # noqa: E731
    if step == "floor_summary":
        floor = lambda: sql(FLOOR_SUMMARY, start=start, end=end)  # noqa: E731
        _timed(watcher, step, floor, lambda f: describe_summary(f.row(0, named=True)))
    elif step == "floor_pareto":
        before = start - dt.timedelta(days=PERIOD)
        _timed(watcher, step, lambda: sql(FLOOR_PARETO, start=start, end=end, before=before), describe_pareto)
    elif step.startswith("floor_focus_"):
        key = "l.sku" if step.endswith("sku") else "m.style"
        floor = lambda: sql(FLOOR_FOCUS.format(key=key), start=start, end=end)  # noqa: E731
        _timed(watcher, step, floor, lambda f: describe_focus(f, "key"))
    elif step.startswith("floor_findings_"):
        days = [end - dt.timedelta(days=k) for k in range(7 if step.endswith("7d") else 1)]
        floor = lambda: sql(FLOOR_FINDINGS, days=days)  # noqa: E731
        _timed(watcher, step, floor, lambda f: {"flagged": [[str(r[0]), r[1], r[2], r[3]] for r in f.rows()]})
    elif step.startswith("floor_reviews_"):
        first = FIRST if step.endswith("year") else end - dt.timedelta(days=review_window)
        floor = lambda: sql(FLOOR_REVIEWS, start=first, after=end + dt.timedelta(days=1), today=end)  # noqa: E731
        _timed(watcher, step, floor, lambda f: describe_floor_reviews(f, planted))
    else:
        raise ValueError(step)


def _measure(target: Callable[..., None], *args: Any) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Run ``target(*args, pipe)`` in a fresh spawn subprocess: its steps and its last message."""
    context = mp.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*args, sender))
    process.start()
    sender.close()
    steps: dict[str, dict[str, Any]] = {}
    ending: dict[str, Any] = {"exitcode": None}
    while True:
        try:
            message = receiver.recv()
        except EOFError:
            break
        if "step" in message:
            steps[message["step"]] = message
        else:
            ending = message
    process.join()
    ending.setdefault("exitcode", process.exitcode)
    return steps, ending


# -- the parent: generate, run, check -------------------------------------------------------------


LABELS = {
    "init": "Workspace.init + add_shop",
    "import_products": "import 商品资料",
    "baseline_orders": "DuckDB read_csv → table, 订单报表 (baseline)",
    "import_orders": "import 订单报表",
    "baseline_lines": "DuckDB read_csv → table, 宝贝报表 (baseline)",
    "import_lines": "import 宝贝报表",
    "baseline_refunds": "DuckDB read_csv → table, 退款管理 (baseline)",
    "import_refunds": "import 退款管理 (54 columns)",
    "baseline_reviews": "DuckDB read_csv → table, 评价 (baseline)",
    "import_reviews": "import 评价 CSV",
    "summary": "returns_summary, last 30 days",
    "floor_summary": "floor: refund rates by completion/payment day",
    "pareto": "reason_pareto, last 30 days vs the 30 before",
    "floor_pareto": "floor: reason classes, both periods",
    "focus_sku": "focus_items by SKU, last 30 days",
    "floor_focus_sku": "floor: Wilson ranking by SKU",
    "focus_style": "focus_items by style, last 30 days",
    "floor_focus_style": "floor: Wilson ranking by style",
    "findings_1d": "returns_findings, the last day",
    "floor_findings_1d": "floor: Wilson ≥ high_rate, the last day",
    "findings_7d": "returns_findings, the last 7 days",
    "floor_findings_7d": "floor: Wilson ≥ high_rate, 7 days",
    "reviews_30d": "review_list, reply window (31 days)",
    "themes_30d": "review_themes by style, reply window",
    "floor_reviews_30d": "floor: 中差评, 待处理, buyer+规格 link",
    "reviews_year": "review_list, whole year",
    "themes_year": "review_themes by style, whole year",
    "floor_reviews_year": "floor: 中差评, 待处理, link (year)",
}
PAIRS = {  # step → the step it is measured against
    **{f"import_{n}": f"baseline_{n}" for n in ("orders", "lines", "refunds", "reviews")},
    **{
        q: f"floor_{q}"
        for q in ("summary", "pareto", "focus_sku", "focus_style", "findings_1d", "findings_7d")
    },
    "reviews_30d": "floor_reviews_30d",
    "reviews_year": "floor_reviews_year",
}


def finding_groups(findings: list[list[Any]] | None, style_of: dict[str, str]) -> set[str]:
    """The styles (or SKUs without one) the findings name: an item, or its grouped children's."""
    groups: set[str] = set()
    for _, _, _, item, children in findings or []:
        for name in [item] if item else children:
            groups.add(style_of.get(name, name))
    groups.discard("")
    return groups


def checks(
    steps: dict[str, dict[str, Any]], want: dict[str, Any], files: dict[str, int], cat: Catalog
) -> dict[str, bool]:
    """Exact outcomes; a missing step (stopped, failed) fails its checks."""

    def got(step: str, key: str) -> Any:
        return steps.get(step, {}).get(key)

    planted = cat.styles[cat.planted]
    found = {
        "商品资料: one row per SKU": got("import_products", "rows") == cat.n,
    }
    for name, source in (
        ("orders", "qianniu_orders"),
        ("lines", "qianniu_order_lines"),
        ("refunds", "qianniu_refunds"),
        ("reviews", "taobao_reviews"),
    ):
        found[f"{name}: {source}, every row, = the baseline's rows"] = (
            got(f"import_{name}", "source") == source
            and got(f"import_{name}", "rows") == files[name]
            and got(f"baseline_{name}", "rows") == files[name]
            and got(f"import_{name}", "skipped") == 0
        )
    found["退款管理: 54 columns (the repeated names read by DuckDB too)"] = (
        got("baseline_refunds", "columns") == 54
    )
    summary = want["summary"]
    for step, label in (("summary", "summary"), ("floor_summary", "floor")):
        figures = got(step, "figures") or {}
        found[f"{label}: cases, amounts, 支付金额, cohort = generator's"] = figures == summary
        rates = got(step, "rates") or [None, None]
        expected = [summary["success_amount"] / summary["gmv"], summary["cohort_amount"] / summary["gmv"]]
        found[f"{label}: refund rate by completion day and by payment day = generator's"] = all(
            r is not None and math.isclose(r, e, rel_tol=1e-9) for r, e in zip(rates, expected, strict=True)
        )
    pareto = want["pareto"]
    for step, label in (("pareto", "pareto"), ("floor_pareto", "floor")):
        classes = got(step, "classes") or {}
        found[f"{label}: per reason class, count, amount, count before = generator's"] = {
            k: v for k, v in classes.items() if v != [0, 0, 0]
        } == {k: v for k, v in pareto.items() if v != [0, 0, 0]}
    for by in ("sku", "style"):
        step, floor, truth_by = f"focus_{by}", f"floor_focus_{by}", want["focus"][by]
        found[f"focus by {by}: rows, Σ lines, Σ returns = generator's"] = all(
            got(step, k) == truth_by[k] and got(floor, k) == truth_by[k] for k in ("rows", "lines", "returns")
        )
        top, floor_top = got(step, "top") or [], got(floor, "top") or []
        found[f"focus by {by}: top {TOP} = the floor's (key, lines, returns, Wilson ±1e-9)"] = len(
            top
        ) == len(floor_top) > 0 and all(
            a[:3] == b[:3] and math.isclose(a[3], b[3], abs_tol=1e-9)
            for a, b in zip(top, floor_top, strict=True)
        )
        first = top[0][0] if top else None
        expected_first = truth_by["first"]
        planted_first = (
            first == planted
            if by == "style"
            else bool(first and first.startswith(planted) and first[-2:] in ("-S", "-M"))
        )
        found[
            f"focus by {by}: first = generator's, the planted style's" + (" S or M" if by == "sku" else "")
        ] = first == expected_first and planted_first
    style_of = {sku: cat.styles[s] for sku, s in zip(cat.sku, cat.style_of, strict=True)}
    for window in ("1d", "7d"):
        groups = finding_groups(got(f"findings_{window}", "findings"), style_of)
        flagged = {row[3] or row[2] for row in got(f"floor_findings_{window}", "flagged") or []}
        found[f"findings {window}: the planted style is found"] = planted in groups
        found[f"findings {window}: every style the floor puts above high_rate is found"] = (
            f"findings_{window}" in steps and flagged <= groups
        )
    truth_reviews = want["reviews"]
    for window in ("30d", "year"):
        step, floor, truth_window = f"reviews_{window}", f"floor_reviews_{window}", truth_reviews[window]
        found[f"reviews {window}: 差评, 中评, 待处理差评 = floor's = generator's"] = all(
            got(s, "grades") == {"差评": truth_window["差评"], "中评": truth_window["中评"]}
            and got(s, "pending") == truth_window["pending"]
            for s in (step, floor)
        )
        linked = got(step, "linked")
        found[f"reviews {window}: buyer+规格 links = the floor's"] = linked is not None and linked == got(
            floor, "linked"
        )
        found[f"reviews {window}: every linked review → its true order"] = bool(linked) and all(
            truth_reviews["orders"].get(row) == order for row, order in linked
        )
        themes = got(f"themes_{window}", "planted") or []
        classed = [row for row in themes if row[2] is not None]
        small = next((row[1] for row in themes if row[0] == "偏小"), 0)
        found[f"themes {window}: the planted style's first classed keyword is 尺码, 偏小 = floor's count"] = (
            bool(classed) and classed[0][2] == "尺码" and small == got(floor, "small") and small > 0
        )
    return found


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal cells (a Chinese character takes two)."""
    cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - cells, 0)


def _print_steps(steps: dict[str, dict[str, Any]]) -> None:
    print(f"| {_pad('step', 46)} | {'seconds':>8} | {'CPU s':>8} | {'× floor':>8} | {'peak MB':>8} |")
    print(f"|{'-' * 48}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
    for step, label in LABELS.items():
        if step not in steps:
            print(f"| {_pad(label, 46)} | {'—':>8} | {'':>8} | {'':>8} | {'':>8} |")
            continue
        s = steps[step]
        floor = steps.get(PAIRS.get(step, ""), {}).get("seconds")
        ratio = f"{s['seconds'] / floor:.1f}×" if floor else ""
        print(
            f"| {_pad(label, 46)} | {s['seconds']:>8.2f} | {s['cpu']:>8.2f} | {ratio:>8} | {s['peak_mb']:>8,.0f} |"
        )


def generate(
    args: argparse.Namespace, folder: Path
) -> tuple[Catalog, dict[str, Any], dict[str, int], dict[str, str]]:
    began = time.perf_counter()
    cat = catalog(args.skus)
    s = sales(cat, args.orders)
    c = cases(cat, s)
    r = reviews(cat, s, c, args.reviews)
    paths = {
        "products": str(write_products(cat, folder)),
        "orders": str(write_orders(cat, s, c, folder)),
        "lines": str(write_lines(cat, s, c, folder)),
        "refunds": str(write_refunds(cat, s, c, folder)),
        "reviews": str(write_reviews(r, folder)),
        "root": str(folder / "ws"),
        "baseline": str(folder / "baseline.duckdb"),
        "planted": cat.styles[cat.planted],
    }
    want = truth(cat, s, c, r)
    files = {"orders": s.orders, "lines": s.lines, "refunds": c.n, "reviews": r.n}
    size = {k: Path(paths[k]).stat().st_size / MB for k in ("orders", "lines", "refunds", "reviews")}
    paid = int((s.paid_at[s.line_order] >= 0).sum())
    print(
        f"generated {cat.n:,} SKUs in {len(cat.styles):,} styles, {s.lines:,} order lines ({paid:,} paid) in"
        f" {s.orders:,} orders ({size['lines']:,.0f} + {size['orders']:,.0f} MB), {c.n:,} 退款管理 rows"
        f" ({c.n / paid:.1%} of the paid lines, {size['refunds']:,.0f} MB), {r.n:,} reviews"
        f" ({size['reviews']:,.1f} MB), in {time.perf_counter() - began:.1f} s"
    )
    kinds = ", ".join(f"{k} {int((c.kind == i).sum()):,}" for i, k in enumerate(KINDS))
    outcomes = {
        "退款成功": int((c.status == SUCCESS).sum()),
        "退款关闭": int((c.status == CLOSED).sum()),
        "换货成功/关闭": int(np.isin(c.status, [2, 3]).sum()),
        "open": int((c.status >= 4).sum()),
    }
    print(
        f"  cases: {kinds}; {', '.join(f'{k} {v:,}' for k, v in outcomes.items())};"
        f" planted size problem: style {paths['planted']} (S ×{PLANTED_FACTOR['S']:g}, M ×{PLANTED_FACTOR['M']:g} 尺码)"
    )
    bad = int((r.score <= 2).sum())
    print(
        f"  reviews: 差评 {bad:,}, 中评 {int((r.score == 3).sum()):,}, 待处理差评 {int(r.pending().sum()):,}"
    )
    return cat, want, files, paths


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000, help="order lines (子订单) over the year")
    parser.add_argument("--skus", type=int, default=8_000, help="SKUs (styles of 2 colours × 4 sizes)")
    parser.add_argument("--reviews", type=int, default=50_000, help="reviews in the plugin CSV")
    parser.add_argument(
        "--max-rss-mb", type=float, default=10_000, help="stop a measuring process past this RSS (MB)"
    )
    parser.add_argument("--keep", type=Path, help="keep the files and the workspace in this folder")
    args = parser.parse_args()
    if args.orders < 5_000 or args.skus < 80 or args.reviews < 100:
        parser.error("--orders at least 5,000, --skus at least 80, --reviews at least 100")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="returns-bench-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        cat, want, files, paths = generate(args, folder)
        steps, ending = _measure(_load, paths, args.max_rss_mb)
        endings = {"load": ending}
        if "done" in ending:
            for name in ("refunds", "reviews"):
                found, endings[name] = _measure(_import, paths, name, args.max_rss_mb)
                steps |= found
        if all("done" in end for end in endings.values()):
            for query in QUERIES:
                found, endings[query] = _measure(_query, paths, query, args.max_rss_mb)
                steps |= found
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    _print_steps(steps)
    for process, end in endings.items():
        if "aborted" in end:
            print(
                f"STOPPED in {LABELS.get(end['aborted'], end['aborted'])} after {end['after_s']:.1f} s:"
                f" RSS {end['rss_mb']:,.0f} MB passed --max-rss-mb {args.max_rss_mb:,.0f}"
            )
        elif "done" not in end:
            print(f"the {process} process ended with status {end['exitcode']} before its last step")
    peaks = ", ".join(f"{p} {e['peak_mb']:,.0f}" for p, e in endings.items() if "done" in e)
    print(f"peak RSS per process (MB): {peaks}")
    _print_figures(steps, want)
    results = checks(steps, want, files, cat)
    for name, passed in results.items():
        print(f"{'OK      ' if passed else 'MISMATCH'} {name}")
    return 0 if all(results.values()) and all("done" in end for end in endings.values()) else 1


def _print_figures(steps: dict[str, dict[str, Any]], want: dict[str, Any]) -> None:
    """The figures the checks compare, as the generator has them (and what the product found)."""
    s = want["summary"]
    print(
        f"summary (last {PERIOD} days): {s['success_cases']:,} successful refunds ¥{s['success_amount'] / 100:,.2f}"
        f" of 支付金额 ¥{s['gmv'] / 100:,.2f} ({s['paid_orders']:,} orders): {s['success_amount'] / s['gmv']:.2%}"
        f" by completion day, {s['cohort_amount'] / s['gmv']:.2%} by payment day; {s['open_cases']:,} open,"
        f" {s['closed_cases']:,} closed"
    )
    print("reasons: " + ", ".join(f"{k} {v[0]:,} (before {v[2]:,})" for k, v in want["pareto"].items()))
    for by in ("sku", "style"):
        top = steps.get(f"focus_{by}", {}).get("top") or []
        head = "; ".join(f"{k} {r}/{n} ({lb:.1%})" for k, n, r, lb in top[:3])
        print(f"focus by {by}: {want['focus'][by]['rows']:,} rows; first: {head}")
    for window in ("1d", "7d"):
        found = steps.get(f"findings_{window}", {}).get("findings") or []
        labels: dict[str, int] = {}
        for row in found:
            labels[row[2]] = labels.get(row[2], 0) + 1
        flagged = steps.get(f"floor_findings_{window}", {}).get("flagged") or []
        print(
            f"findings {window}: {len(found)} ({', '.join(f'{k} {v}' for k, v in sorted(labels.items()))});"
            f" the floor puts {len({row[3] or row[2] for row in flagged})} styles above high_rate"
            f" ({len(flagged)} SKU/style-days)"
        )
    for window in ("30d", "year"):
        step = steps.get(f"reviews_{window}", {})
        linked = len(step.get("linked") or [])
        themes = steps.get(f"themes_{window}", {})
        words = ", ".join(f"{k} {m}" for k, m, _ in (themes.get("planted") or [])[:4])
        print(
            f"reviews {window}: {step.get('grades')}, 待处理 {step.get('pending')}, {linked:,} linked by buyer+规格;"
            f" planted style's themes: {words}"
        )


if __name__ == "__main__":
    sys.exit(main())
