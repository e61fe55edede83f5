"""Which export would fill a blank metric: from the catalog, the providers and the source specs.

A metric's formula names measures (and other metrics); each measure lists the providers that can
give it, best first; each provider reads warehouse tables; each table is filled by the exports
(source specs) of some platforms. Walking that chain for one platform gives the exports, in
preference order, that would give a metric for a shop of that platform. With a period's
master-table frame, only the parts that are actually missing are walked (a ratio whose numerator
is known names only what fills its denominator), and the imports table says whether an export was
never imported for the shop or does not reach the period.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import duckdb
import polars as pl

from shopops.channels import ad_channels
from shopops.ingest.sources import SourceSpec
from shopops.metrics.catalog import Catalog, formula_names, load_catalog
from shopops.metrics.coverage import undated_tables
from shopops.metrics.providers import Provider, providers
from shopops.metrics.totals import TOTAL_SHOP
from shopops.platforms import platform_label

NO_DATA = "该平台无此数据"
AD_TABLE = "ad_plan_day"
COST_TABLE = "product_master"
# A measure a provider computes from a column only some exports of its table carry: the 退款金额 of
# 千牛 订单报表 (the JD order export has none), the 买家 of an order export.
NEEDS_COLUMN = {
    ("orders", "refund_amount_by_payment"): "refund_amount",
    ("orders_refund_by_payment", "refund_amount"): "refund_amount",
    ("orders", "buyers"): "buyer",
}
# A measure a provider reads from another table than the one whose imports decide its days.
EXTRA_TABLES = {("live", "live_product_clickers"): ("live_session_funnel",)}


@dataclass(frozen=True)
class BlankMetric:
    shop: str
    platform: str
    metric: str
    label: str
    section: str
    exports: list[str]  # the exports that would fill it, most preferred first (empty: NO_DATA)
    reason: str  # 未导入 … / 已导入但本期没有覆盖 …（最近到 …）/ 该平台无此数据 / …


def _clean(sql: str) -> str:
    """The SQL without the subqueries that only exclude shops (NOT IN (SELECT …))."""
    return re.sub(r"NOT IN \(SELECT[^)]*\)", "", sql)


@cache
def _all_providers() -> dict[str, Provider]:
    return providers()


def _reads(provider: Provider, measure: str) -> bool:
    return re.search(rf"\b{re.escape(measure)}\b", provider.sql) is not None


def provider_tables(provider: Provider, spec_tables: Iterable[str]) -> tuple[str, ...]:
    """The export tables a provider's figures come from: those whose imports decide its days
    (``covered``), else every export table it reads (商品资料 last: it prices, it does not count)."""
    return _provider_tables(provider, frozenset(spec_tables))


@cache
def _provider_tables(provider: Provider, known: frozenset[str]) -> tuple[str, ...]:
    sql = _clean(provider.sql)
    decided = re.findall(r"i\.target_table = '(\w+)'", sql)
    found = decided or re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", sql)
    tables = [t for t in dict.fromkeys(found) if t in known]
    return tuple(sorted(tables, key=lambda t: t == COST_TABLE))


def _channel_of(measure: str) -> str | None:
    for channel in ad_channels():
        if measure == f"ad_spend_{channel.key}":
            return channel.key
    return None


def _gives_channel(spec: SourceSpec, channel: str) -> bool:
    """An ad report gives a channel when it is that channel's report, or when its channel column
    is read from names and its label or description names the channel."""
    fixed = spec.constants.get("channel")
    if fixed:
        return fixed == channel
    words = next(((c.label, *c.aliases) for c in ad_channels() if c.key == channel), ())
    text = f"{spec.label} {spec.description}"
    return any(word and word in text for word in words)


def _table_specs(table: str, platform: str, specs: Sequence[SourceSpec]) -> list[SourceSpec]:
    found = [s for s in specs if s.table == table and platform in s.platforms and not s.custom]
    # A spec keyed like its table stands for it (the others there are older templates of it).
    named = [s for s in found if s.key == table]
    return named or found


def measure_specs(measure: str, platform: str, specs: Sequence[SourceSpec]) -> list[tuple[int, SourceSpec]]:
    """(rank of the provider, spec) of the exports that give ``measure`` on ``platform``."""
    catalog = load_catalog()
    if measure not in catalog.measures:
        return []
    tables = {s.table for s in specs}
    channel = _channel_of(measure)
    found: list[tuple[int, SourceSpec]] = []
    for rank, key in enumerate(catalog.measures[measure].sources):
        provider = _all_providers().get(key)
        if provider is None or not _reads(provider, measure):
            continue
        column = NEEDS_COLUMN.get((key, measure))
        for table in (*provider_tables(provider, tables), *EXTRA_TABLES.get((key, measure), ())):
            for spec in _table_specs(table, platform, specs):
                if column and column not in {c.name for c in spec.columns}:
                    continue
                if channel and table == AD_TABLE and not _gives_channel(spec, channel):
                    continue
                found.append((rank, spec))
    return found


def _measures(key: str, catalog: Catalog, known: dict[str, bool] | None, seen: frozenset[str]) -> list[str]:
    """The measures under metric ``key`` that would need filling: with ``known`` (metric key →
    has a value), only those under the unknown parts."""
    names: list[str] = []
    formula = catalog.metrics[key].formula
    for name in sorted(formula_names(formula), key=formula.find):
        if name in catalog.metrics and name != key and name not in seen:
            if known is not None and known.get(name):
                continue
            names += _measures(name, catalog, known, seen | {key})
        elif name in catalog.measures:
            if known is not None and name != key and known.get(name):
                continue
            names.append(name)
    return list(dict.fromkeys(names))


def measure_possible(measure: str, platform: str, specs: Sequence[SourceSpec]) -> bool:
    """Whether a shop of ``platform`` can have the measure: an export of it gives it, or a provider
    computes it from no export at all (the shop's settings)."""
    if measure_specs(measure, platform, specs):
        return True
    tables = {s.table for s in specs}
    for key in load_catalog().measures[measure].sources:
        provider = _all_providers().get(key)
        if provider and _reads(provider, measure) and not provider_tables(provider, tables):
            return True
    return False


def metric_possible(
    key: str, platform: str, specs: Sequence[SourceSpec], seen: frozenset[str] = frozenset()
) -> bool:
    """Whether metric ``key`` can be known for a shop of ``platform``: every part of its formula can
    (a total(…) when one of its terms can)."""
    catalog = load_catalog()

    def possible(node: ast.AST) -> bool:
        if isinstance(node, ast.Expression):
            return possible(node.body)
        if isinstance(node, ast.BinOp):
            return possible(node.left) and possible(node.right)
        if isinstance(node, ast.UnaryOp):
            return possible(node.operand)
        if isinstance(node, ast.Call):
            return any(possible(arg) for arg in node.args)
        if isinstance(node, ast.Name):
            name = node.id
            if name in catalog.metrics and name != key and name not in seen:
                return metric_possible(name, platform, specs, seen | {key})
            return name not in catalog.measures or measure_possible(name, platform, specs)
        return True

    return possible(ast.parse(catalog.metrics[key].formula, mode="eval"))


def _labels(measures: Sequence[str], platform: str, specs: Sequence[SourceSpec]) -> list[SourceSpec]:
    ranked = [pair for measure in measures for pair in measure_specs(measure, platform, specs)]
    ordered = sorted(range(len(ranked)), key=lambda i: (ranked[i][0], i))
    return list({ranked[i][1].label: ranked[i][1] for i in ordered}.values())


def exports_for_metric(key: str, platform: str, specs: Sequence[SourceSpec]) -> list[str]:
    """The 中文 labels of the exports that would give metric ``key`` for a shop on ``platform``,
    most preferred first (a ratio: what gives either part, in provider order); empty when no export
    of the platform can give one of the parts it needs."""
    catalog = load_catalog()
    if key not in catalog.metrics or not metric_possible(key, platform, specs):
        return []
    return [s.label for s in _labels(_measures(key, catalog, None, frozenset()), platform, specs)]


def meaningful(key: str, platform: str, specs: Sequence[SourceSpec]) -> bool:
    """False for an ad channel no export of the platform reports (JD's 京东快车 for a Tmall shop)."""
    metric = load_catalog().metrics.get(key)
    if metric is None or not metric.channel:
        return True
    return bool(exports_for_metric(key, platform, specs))


def short_label(label: str) -> str:
    """直通车（关键词推广）· 计划报表 → 直通车 · 计划报表: the words in brackets left out, except
    the grain that tells two exports apart (千牛 · 订单报表（宝贝级）)."""
    return re.sub(r"\s*（[^）]*[^级）]）\s*", " ", label).replace("  ", " ").strip()


def section_exports(section: str, platform: str, specs: Sequence[SourceSpec]) -> list[str]:
    """The exports that fill a section's own measures on ``platform`` (not those of the figures it
    divides by, which belong to another section: 支付金额 under 推广费比)."""
    catalog = load_catalog()
    elsewhere = {
        m.formula for m in catalog.metrics.values() if m.section != section and m.formula in catalog.measures
    }
    keys = [m.key for m in catalog.metrics.values() if m.section == section and not m.channel]
    measures = [
        name
        for key in keys
        if metric_possible(key, platform, specs)
        for name in _measures(key, catalog, None, frozenset())
        if name not in elsewhere
    ]
    return [s.label for s in _labels(list(dict.fromkeys(measures)), platform, specs)]


def section_hint(section: str, platforms: Iterable[str], specs: Sequence[SourceSpec]) -> str:
    """One line for a section left out because no selected shop has data: which exports fill it,
    per platform when the shops' platforms differ."""
    chosen = list(dict.fromkeys(platforms))
    groups: dict[tuple[str, ...], list[str]] = {}
    for platform in chosen:
        labels = tuple(section_exports(section, platform, specs))
        if labels:
            groups.setdefault(labels, []).append(platform)
    if not groups:
        return f"{section}：所选店铺的平台没有可导入的此类数据"
    if len(groups) == 1 and len(next(iter(groups.values()))) == len(chosen):  # the same for every shop
        labels = next(iter(groups))
        return f"{section}：导入 " + " / ".join(labels[:2])
    most = 2 if len(groups) <= 2 else 1  # one line: fewer exports each when the platforms differ
    texts = [
        "/".join(platform_label(p) for p in group) + " " + " / ".join(short_label(x) for x in labels[:most])
        for labels, group in groups.items()
    ]
    return f"{section}：导入 " + "；".join(texts)


@dataclass(frozen=True)
class _Import:
    covers: bool  # an import of it reaches a day of the period for the shop
    last: dt.date | None  # the latest day any import of it has for the shop


def _imports(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dict[tuple[str, str], _Import]:
    rows = con.execute(
        """
SELECT i.source_key, u.shop, bool_or(i.date_min <= $end AND i.date_max >= $start), max(i.date_max)
FROM imports i, unnest(string_split(i.shops, ',')) u(shop)
GROUP BY ALL""",
        {"start": start, "end": end},
    ).fetchall()
    return {(key, shop): _Import(bool(covers), last) for key, shop, covers, last in rows}


def _status(
    exports: list[SourceSpec],
    shop: str,
    found: dict[tuple[str, str], _Import],
    specs: Sequence[SourceSpec],
    start: dt.date,
) -> str:
    """Why the exports that would fill a metric did not, judged on those preferred to the first
    one that is there for the period: imported but not for the period, never imported, or all
    there and still without a value."""
    undated = set(undated_tables())

    def state(spec: SourceSpec) -> _Import | None:
        keys = [spec.key, *(c.key for c in specs if c.custom and c.table == spec.table)]
        hits = [found[k, s] for k in keys for s in (shop, "*") if (k, s) in found]
        if not hits:
            return None
        last = max((h.last for h in hits if h.last), default=None)
        return _Import(spec.table in undated or any(h.covers for h in hits), last)

    states = [(spec, state(spec)) for spec in exports]
    there = [spec.label for spec, s in states if s and s.covers]
    before = list(itertools.takewhile(lambda pair: not (pair[1] and pair[1].covers), states))
    stale = [(spec, s.last) for spec, s in before if s]
    if stale:
        if all(spec.table.startswith("live_session") for spec, _ in stale):
            spec, last = stale[0]
            return f"本期没有直播场次（{spec.label} 只在开播日有数据，最近到 {last or '—'}）"
        told = "、".join(
            f"{spec.label}（最近到 {last}）"
            if last and last < start
            else f"{spec.label}（导入的文件没有本期）"
            for spec, last in stale
        )
        return f"已导入但本期没有覆盖 {told}"
    missing = [spec.label for spec, _ in before]
    if missing:
        told = " / ".join(missing)
        return f"未导入 {told}（已导入的 {'、'.join(there)} 没有这一项）" if there else f"未导入 {told}"
    if any(spec.table == COST_TABLE for spec in exports):
        return f"已导入 {'、'.join(there)}，但有商品缺成本价（见成本覆盖率）"
    return f"已导入 {'、'.join(there)}，本期仍无值（导出没有这一列，或分母为 0）"


def blank_metric_exports(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    specs: Sequence[SourceSpec],
    *,
    end: dt.date | None = None,
) -> list[BlankMetric]:
    """Every metric that is null for a shop in ``frame`` (a master-table frame of the period; 合计
    rows ignored), with the exports that would fill it and why it is blank. ``end``: the period's
    last day (default: the frame's last date). Ad channels of other platforms are left out."""
    catalog = load_catalog()
    shops = frame.filter(pl.col("shop") != TOTAL_SHOP)
    if shops.is_empty():
        return []
    start = min(shops["date"])
    found = _imports(con, start, end or max(shops["date"]))
    keys = [key for key in catalog.metrics if key in frame.columns]
    blank: list[BlankMetric] = []
    for shop in dict.fromkeys(shops["shop"]):
        rows = shops.filter(pl.col("shop") == shop)
        platform = str(rows["platform"][0])
        known = {key: rows[key].null_count() < rows.height for key in keys}
        for key in keys:
            if known[key] or not meaningful(key, platform, specs):
                continue
            metric = catalog.metrics[key]
            measures = _measures(key, catalog, known, frozenset())
            exports = _labels(measures, platform, specs) if metric_possible(key, platform, specs) else []
            if not metric_possible(key, platform, specs):
                reason = NO_DATA
            elif not measures:
                reason = "各部分都有值，分母为 0，无法计算"
            elif not exports:
                reason = "由店铺设置计算，请检查设置"
            else:
                reason = _status(exports, str(shop), found, specs, start)
            labels = [spec.label for spec in exports]
            blank.append(BlankMetric(str(shop), platform, key, metric.label, metric.section, labels, reason))
    return blank
