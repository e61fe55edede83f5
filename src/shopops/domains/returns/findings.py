"""The returns findings in the common :class:`Finding` shape, joining `shopops findings` and the 日报,
ranked with the others by 涉及金额.

**When.** A finding is dated on the day D it was judged on, and looks at the trailing window of
:data:`WINDOW_DAYS` days of payment dates ending on D, as known on D (cases applied by D), against the
window just before it, as known on its own last day (the same maturity: a cohort's rate keeps rising
for ``rules.provisional_days``, so a young window is never compared with a mature one). ``findings
--from S --to E`` judges every day from S to E; a key flagged on a run of days is one finding dated on
the run's latest day with ``since`` its first (runs are not followed back before S); the 日报 asks for
one day, so it shows what is flagged on that day.

**Kinds** (per shop; the focus list's figures, :mod:`items`; a row gets the first that holds):

- **退货率突增** — a SKU's or style's Wilson lower bound of its 退货率 is ≥ ``rules.high_rate``, or up
  by ≥ ``rules.jump_points`` on the window before (which had ≥ ``rules.min_orders`` 支付子订单) and
  above that window's upper bound (the two intervals apart: not chance). 严重 when both hold, else 警告.
- **新主因** — one reason class makes ≥ ``rules.dominant_share`` of a SKU's or style's 退货子订单 (at
  least :data:`MIN_CLASS_RETURNS` of them) and made less than that share in the window before (which
  had ≥ ``rules.min_orders`` 支付子订单), and the class itself rose: its rate's lower bound (class
  returns ÷ 支付子订单) is ≥ :data:`OUTLIER_FACTOR` × the larger of its rate before and the shop's rate
  of that class in the window — not a share won because the other reasons fell, nor five returns of
  a class the SKU simply had none of before (the shop's own mix is the floor). 警告. (A defect batch:
  品质 takes over.)
- **<class>退货偏高** (尺码退货偏高, 品质退货偏高 …) — a lasting cause that never jumped: a SKU or style
  whose rate in one class has a lower bound ≥ :data:`OUTLIER_FACTOR` × the shop's other products' rate
  of that class and ≥ :data:`OUTLIER_POINTS` above it, with ≥ :data:`MIN_CLASS_RETURNS` such returns
  (:mod:`class_rates`). 警告. (A size chart that runs small.) When another kind wins, its text still
  names the class that stands out.
- **仓配退货突增** — shop level: the 仓配 class's share of the 退货子订单 of orders paid in one week
  (Monday–Sunday) has a Wilson lower bound ≥ its share over the :data:`BASELINE_WEEKS` weeks before +
  ``rules.jump_points`` (≥ :data:`MIN_WAREHOUSE_RETURNS` 仓配 returns that week, ≥
  :data:`MIN_BASELINE_RETURNS` returns in the weeks before). This is how a warehouse mis-pick week
  shows: it touches many SKUs, each too small alone. A week is judged on the
  ``rules.provisional_days`` days after it ends (while its returns come in). 警告.

Only SKUs and styles with ≥ ``rules.min_orders`` 支付子订单 in the window are judged. A style group
(a style's SKUs; a SKU without 款式编码 is its own) gives one finding a day: the style's own when the
style (of several SKUs) is flagged, with its flagged SKUs as ``children`` (each with its own kind);
else its SKUs flagged with the first kind (退货率突增, 新主因, 退货偏高), grouped (``children``) when
there are several. A run is followed while the same statement (label) holds on the same group.

**涉及金额** = the 退款金额 of the returns judged (成功 + 处理中: what the requests ask back) — of the
SKU or style in the window, or of the week's 仓配 returns. ``provisional``: the window ends within
``rules.provisional_days`` of the latest paid order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import duckdb
import polars as pl

from shopops.analysis.anomalies.finding import Finding, grouped
from shopops.analysis.calendar import PromoCalendar
from shopops.domains.returns.class_rates import class_outliers
from shopops.domains.returns.cohorts import Cohorts, load_cohorts
from shopops.domains.returns.items import By, focus_from, returned_lines, wilson_expr, wilson_lower
from shopops.domains.returns.rules import ReturnRules

WINDOW_DAYS = 30  # the trailing window of payment dates a day's findings look at (近30天, as 品质退款率)
MIN_CLASS_RETURNS = 5  # 新主因 / 退货偏高: the class's 退货子订单 at least this many
OUTLIER_FACTOR = 2.0  # 退货偏高: a class's rate (its lower bound) ≥ this × the shop's other products' rate
OUTLIER_POINTS = 0.02  # … and ≥ 2 percentage points above it (a towel's 0.9% against 0.4% is no cause)
WAREHOUSE = "仓配"  # the reason class of warehouse and courier faults (reason_classes.yaml)
BASELINE_WEEKS = 4
MIN_WAREHOUSE_RETURNS = 5
MIN_BASELINE_RETURNS = 10
JUMP, HIGH, REASON, WEEK = "退货率突增", "退货偏高", "新主因", "仓配退货突增"
KINDS = (JUMP, REASON, HIGH)  # the SKUs of a style group show the first of these they have
METRICS = {
    JUMP: "returns_rate",
    HIGH: "returns_class_rate",
    REASON: "returns_reason",
    WEEK: "returns_warehouse",
}

# (shop, what: the finding's label — 退货率突增, 尺码退货偏高 … —, group: a style, a SKU without style,
# or a week's Monday): a run is followed while the same statement holds on the same group.
Key = tuple[str, str, str]


def returns_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    calendar: PromoCalendar | None = None,
    settings: Mapping[str, Any] | None = None,
    rules: ReturnRules | None = None,
) -> list[Finding]:
    """The returns findings judged from ``start`` to ``end`` (``shops`` None or empty: every shop);
    ``settings``: the parsed shopops.yaml (its ``returns:`` section) when ``rules`` is not given."""
    rules = rules or ReturnRules.from_settings(dict(settings or {}))
    # Findings test every SKU and style of a shop each day (1,500 of them in a big shop): their bounds
    # are taken at the stricter finding_confidence, so that chance does not fill the 日报 (the focus
    # list, read by a person, keeps rules.confidence)
    rules = replace(rules, confidence=max(rules.confidence, rules.finding_confidence))
    first = start - dt.timedelta(days=2 * WINDOW_DAYS - 1)
    data = load_cohorts(con, first, end, shops, rules)
    if data.lines.is_empty():
        return []
    flagged: dict[dt.date, dict[Key, Finding]] = {}
    day = start
    while day <= end:
        flagged[day] = {**_item_findings(data, day, rules), **_warehouse_findings(data, day, rules)}
        day += dt.timedelta(days=1)
    found = _runs(flagged)
    if calendar is not None:
        found = [_with_context(f, calendar) for f in found]
    return sorted(found, key=lambda f: (f.date, f.shop, f.rank, f.metric, f.item))


def _runs(flagged: dict[dt.date, dict[Key, Finding]]) -> list[Finding]:
    """One finding per run of consecutive days a key stays flagged, the run's last day's, with since."""
    days = sorted(flagged)
    found = []
    for index, day in enumerate(days):
        after = flagged[days[index + 1]] if index + 1 < len(days) else {}
        for key, finding in flagged[day].items():
            if key in after:
                continue
            since = day
            for earlier in reversed(days[:index]):
                if key not in flagged[earlier]:
                    break
                since = earlier
            found.append(_since(finding, since) if since < day else finding)
    return found


def _since(finding: Finding, since: dt.date) -> Finding:
    children = tuple(replace(c, since=since) for c in finding.children)
    return replace(finding, since=since, children=children)


def _with_context(finding: Finding, calendar: PromoCalendar) -> Finding:
    context = calendar.day(finding.date)
    return replace(finding, context=context.label) if context.special else finding


def _window(day: dt.date) -> tuple[dt.date, dt.date]:
    return day - dt.timedelta(days=WINDOW_DAYS - 1), day


def _provisional(data: Cohorts, day: dt.date, rules: ReturnRules) -> bool:
    return data.latest is not None and (data.latest - day).days < rules.provisional_days


def _item_findings(data: Cohorts, day: dt.date, rules: ReturnRules) -> dict[Key, Finding]:
    """The 退货率突增, 新主因 and 退货偏高 findings judged on ``day``, one per shop and style group."""
    start, end = _window(day)
    provisional = _provisional(data, day, rules)
    levels = {by: _level(data, start, end, day, by, rules) for by in ("sku", "style")}
    result: dict[Key, Finding] = {}
    flagged = {by: frame.filter(pl.col("kind").is_not_null()) for by, frame in levels.items()}
    groups = {(r["shop"], r["group"]) for frame in flagged.values() for r in frame.iter_rows(named=True)}
    for shop, group in sorted(groups):
        style_rows = flagged["style"].filter((pl.col("shop") == shop) & (pl.col("group") == group)).to_dicts()
        style = style_rows[0] if style_rows and style_rows[0]["skus"] > 1 else None
        rows = flagged["sku"].filter((pl.col("shop") == shop) & (pl.col("group") == group)).to_dicts()
        children = [_finding(day, row, row["kind"], rules, provisional, level="sku") for row in rows]
        if style is not None:  # the style stands out: its finding, with its flagged SKUs under it
            found = _style_finding(day, style, children, rules, provisional)
            result[(shop, found.metric_label, group)] = found
            continue
        if not children:  # a style of one SKU, judged on the style's rows only (no SKU code)
            found = _finding(day, style_rows[0], style_rows[0]["kind"], rules, provisional, level="style")
            result[(shop, found.metric_label, group)] = found
            continue
        kind = next(k for k in KINDS if any(r["kind"] == k for r in rows))
        same = [c for c, r in zip(children, rows, strict=True) if r["kind"] == kind]
        label = same[0].metric_label if kind != HIGH or len({c.metric_label for c in same}) == 1 else HIGH
        text = _group_text(label, group, levels["style"], shop, same)
        result[(shop, label, group)] = grouped(same, metric_label=label, explanation=text)
    return result


def _style_finding(
    day: dt.date, style: Mapping[str, Any], children: list[Finding], rules: ReturnRules, provisional: bool
) -> Finding:
    parent = _finding(day, style, style["kind"], rules, provisional, level="style")
    if not children:
        return parent
    ordered = tuple(sorted(children, key=lambda f: (-(f.impact or 0.0), f.rank, f.item)))
    named = "、".join(f"{c.item} {c.metric_label}" for c in ordered[:3]) + (
        f" 等 {len(ordered)} 个" if len(ordered) > 3 else ""
    )
    worst = min([parent, *ordered], key=lambda f: f.rank).severity
    text = f"{parent.explanation}；其中 {len(ordered)} 个 SKU：{named}"
    return replace(parent, explanation=text, severity=worst, children=ordered)


def _level(
    data: Cohorts, start: dt.date, end: dt.date, day: dt.date, by: By, rules: ReturnRules
) -> pl.DataFrame:
    """The focus list of the window (as known on ``day``) with each row's class outlier and kind."""
    frame = focus_from(data, start, end, rules=rules, by=by, as_of=day).frame
    frame = frame.with_columns(
        group=pl.coalesce("style", "sku"), key=pl.col("sku") if by == "sku" else pl.coalesce("style", "sku")
    )
    outliers = class_outliers(
        data,
        start,
        end,
        by=by,
        as_of=day,
        confidence=rules.confidence,
        factor=OUTLIER_FACTOR,
        min_points=OUTLIER_POINTS,
        min_returns=MIN_CLASS_RETURNS,
    )
    returned = returned_lines(data, start, end, day)
    shop_lines = (
        data.lines.filter(pl.col("day").is_between(start, end))
        .group_by("shop")
        .agg(pl.col("lines").sum().alias("shop_lines"))
    )
    class_rates = (
        returned.group_by("shop", "reason_class")
        .agg(pl.len().alias("class_returns"))
        .join(shop_lines, on="shop")
        .select(
            "shop",
            pl.col("reason_class").alias("top_class"),
            shop_class_rate=pl.col("class_returns") / pl.col("shop_lines"),
        )
    )
    return (
        frame.join(outliers, on=["shop", "key"], how="left")
        .join(class_rates, on=["shop", "top_class"], how="left")
        .with_columns(kind=_kind(rules))
    )


def _kind(rules: ReturnRules) -> pl.Expr:
    # A jump must be more than chance: the lower bound up by jump_points and above the whole interval
    # of the window before (its upper bound), else 1,500 SKUs of 25–50 orders each give a few a day.
    before_upper = wilson_expr(pl.col("prev_returns"), pl.col("prev_lines"), rules.confidence, upper=True)
    jump = (pl.col("lower_bound") >= rules.high_rate) | (
        (pl.col("lower_bound_change").fill_null(-1.0) >= rules.jump_points)
        & (pl.col("lower_bound") > before_upper.fill_null(1.0))
    )
    count = (pl.col("top_class_share") * pl.col("returns")).round(0)
    before = pl.col("top_class_prev_share").fill_null(0.0) * pl.col("prev_returns") / pl.col("prev_lines")
    dominant = (
        (pl.col("top_class_share") >= rules.dominant_share)
        & (count >= MIN_CLASS_RETURNS)
        & ~pl.col("new")
        & (pl.col("top_class_prev_share").fill_null(0.0) < rules.dominant_share)
        # the class itself rose: its rate's lower bound ≥ OUTLIER_FACTOR × its rate before (not others
        # falling), and × the shop's rate of the class (not a class it simply had none of before)
        & (
            wilson_expr(count, pl.col("lines"), rules.confidence)
            >= OUTLIER_FACTOR * pl.max_horizontal(before, pl.col("shop_class_rate").fill_null(0.0))
        )
        & (wilson_expr(count, pl.col("lines"), rules.confidence) > 0)
    )
    return (
        pl.when(jump)
        .then(pl.lit(JUMP))
        .when(dominant)
        .then(pl.lit(REASON))
        .when(pl.col("out_class").is_not_null())
        .then(pl.lit(HIGH))
    )


def _label(kind: str, row: Mapping[str, Any]) -> str:
    return f"{row['out_class']}退货偏高" if kind == HIGH else kind


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _money(value: object) -> str:
    return "—" if value is None else f"¥{float(value):,.0f}"  # type: ignore[arg-type]


def _reasons(row: Mapping[str, Any]) -> str:
    parts = []
    for which in ("top", "second"):
        reason = row[f"{which}_reason"]
        if reason is not None:
            parts.append(f"{reason} {row[f'{which}_reason_share']:.0%}（{row[f'{which}_reason_class']}）")
    return "、".join(parts) or "—"


def _sizes(row: Mapping[str, Any], level: str) -> str:
    """Where the returns fall: a style's sizes and colours; the focus size's rate against the others."""
    parts = []
    if level == "style":
        parts += [f"尺码 {row['sizes']}"] if row["sizes"] else []
        parts += [f"颜色 {row['colors']}"] if row["colors"] else []
    if row["focus_size"] is not None and row["other_sizes_rate"] is not None:
        parts.append(
            f"{row['focus_size']} 码退货率 {_pct(row['size_rate'])}，同款其他尺码 {_pct(row['other_sizes_rate'])}"
        )
    return "；".join(parts)


def _rate_text(row: Mapping[str, Any], rules: ReturnRules) -> str:
    head = (
        f"近{WINDOW_DAYS}天付款 {row['lines']} 单、退货 {row['returns']} 单，退货率 {_pct(row['rate'])}"
        f"（Wilson 下限 {_pct(row['lower_bound'])}）"
    )
    if row["new"]:
        return head + f"，上期不足 {rules.min_orders} 单"
    change = row["lower_bound_change"]
    return (
        head
        + f"，上期 {_pct(row['prev_rate'])}（下限 {_pct(row['prev_lower_bound'])}，{change * 100:+.1f}pp）"
    )


def _finding(
    day: dt.date, row: Mapping[str, Any], kind: str, rules: ReturnRules, provisional: bool, *, level: str
) -> Finding:
    item = str(row["sku"] if level == "sku" else row["group"])
    who = f"{item}（{row['name']}）" if row["name"] else item
    where = _sizes(row, level)
    driver = row["top_class"]
    if kind == JUMP:
        value, before = row["rate"], None if row["new"] else row["prev_rate"]
        both = row["lower_bound"] >= rules.high_rate and (row["lower_bound_change"] or 0) >= rules.jump_points
        severity, rule = ("critical" if both else "warning"), "returns_rate_jump"
        text = f"{who} {_rate_text(row, rules)}；主要原因 {_reasons(row)}"
    elif kind == HIGH:
        value, before, driver = row["out_rate"], row["shop_rate"], row["out_class"]
        severity, rule = "warning", "returns_class_rate"
        times = row["out_lower"] / row["shop_rate"] if row["shop_rate"] else None
        text = (
            f"{who} {driver}类退货 {row['out_returns']} 单，{driver}退货率 {_pct(value)}（Wilson 下限 "
            f"{_pct(row['out_lower'])}），本店其他商品 {_pct(before)}"
            + (f"，下限是其 {times:.1f} 倍" if times is not None else "")
            + f"；主要原因 {_reasons(row)}；{_rate_text(row, rules)}"
        )
    else:
        value, before = row["top_class_share"], row["top_class_prev_share"]
        severity, rule = "warning", "returns_new_reason"
        text = (
            f"{who} {row['top_class']} 类原因占退货 {row['top_class_share']:.0%}"
            f"（{round(row['top_class_share'] * row['returns'])}/{row['returns']}），上期 {_pct(before)}；"
            f"主要原因 {_reasons(row)}；{_rate_text(row, rules)}"
        )
    if kind != HIGH and row["out_class"] is not None:  # it also stands out in a class: say so
        text += f"；{row['out_class']}退货率 {_pct(row['out_rate'])}，本店其他商品 {_pct(row['shop_rate'])}"
    text += (f"；{where}" if where else "") + f"；退款 {_money(row['amount'])}"
    return Finding(
        date=day,
        shop=str(row["shop"]),
        metric=METRICS[kind],
        metric_label=_label(kind, row),
        value=None if value is None else round(float(value), 4),
        expected_low=None,
        expected_high=None if before is None else round(float(before), 4),
        severity=severity,
        provisional=provisional,
        rule=rule,
        direction="up",
        driver=str(driver or ""),
        item=item,
        explanation=text,
        impact=None if row["amount"] is None else round(float(row["amount"]), 2),
    )


def _group_text(label: str, group: str, styles: pl.DataFrame, shop: str, children: list[Finding]) -> str:
    """A style's SKUs flagged the same way (the style itself not): who, and the style's figures."""
    rows = styles.filter((pl.col("shop") == shop) & (pl.col("group") == group)).to_dicts()
    style = rows[0] if rows else None
    name = f"（{style['name']}）" if style and style["name"] else ""
    skus = "、".join(c.item for c in children[:3]) + (f" 等 {len(children)} 个" if len(children) > 3 else "")
    total = sum(c.impact for c in children if c.impact is not None)
    text = f"款式 {group}{name} {len(children)} 个 SKU {label}（{skus}），合计退款 ¥{total:,.0f}"
    if style is not None:
        text += (
            f"；款式退货率 {_pct(style['rate'])}（下限 {_pct(style['lower_bound'])}，{style['lines']} 单），"
            f"上期 {_pct(None if style['new'] else style['prev_rate'])}；主要原因 {_reasons(style)}"
        )
        where = _sizes(style, "style")
        text += f"；{where}" if where else ""
    return text


def _warehouse_findings(data: Cohorts, day: dt.date, rules: ReturnRules) -> dict[Key, Finding]:
    """The 仓配 weeks judged on ``day``: the Monday–Sunday weeks that ended in the last
    ``rules.provisional_days`` days, each against the weeks before it, as known on ``day``."""
    if WAREHOUSE not in rules.class_names:
        return {}
    result: dict[Key, Finding] = {}
    last_sunday = day - dt.timedelta(days=(day.weekday() + 1) % 7)
    sunday = last_sunday
    while (day - sunday).days < max(rules.provisional_days, 1):
        monday = sunday - dt.timedelta(days=6)
        returned = returned_lines(data, monday - dt.timedelta(days=7 * BASELINE_WEEKS), sunday, day)
        for shop in sorted(set(returned["shop"].to_list())):
            finding = _week(data, returned.filter(pl.col("shop") == shop), shop, monday, day, rules)
            if finding is not None:
                result[(shop, WEEK, monday.isoformat())] = finding
        sunday -= dt.timedelta(days=7)
    return result


def _week(
    data: Cohorts, returned: pl.DataFrame, shop: str, monday: dt.date, day: dt.date, rules: ReturnRules
) -> Finding | None:
    sunday = monday + dt.timedelta(days=6)
    in_week = returned.filter(pl.col("day") >= monday)
    before = returned.filter(pl.col("day") < monday)
    warehouse = in_week.filter(pl.col("reason_class") == WAREHOUSE)
    if warehouse.height < MIN_WAREHOUSE_RETURNS or before.height < MIN_BASELINE_RETURNS:
        return None
    share = warehouse.height / in_week.height
    lower = wilson_lower(warehouse.height, in_week.height, rules.confidence) or 0.0
    baseline = before.filter(pl.col("reason_class") == WAREHOUSE).height / before.height
    if lower < baseline + rules.jump_points:
        return None
    lines = data.lines.filter((pl.col("shop") == shop) & pl.col("day").is_between(monday, sunday))[
        "lines"
    ].sum()
    skus = warehouse.group_by("sku").agg(pl.len().alias("n")).sort(["n", "sku"], descending=[True, False])
    reasons = (
        warehouse.group_by("reason").agg(pl.len().alias("n")).sort(["n", "reason"], descending=[True, False])
    )
    named = "、".join(f"{s} {n}" for s, n in skus.head(3).iter_rows()) + (" 等" if skus.height > 3 else "")
    top = "、".join(f"{r} {n}" for r, n in reasons.head(2).iter_rows())
    amount = warehouse["amount"].sum()
    per_hundred = f"，每 100 单付款 {warehouse.height / lines * 100:.1f} 单" if lines else ""
    text = (
        f"{monday:%m-%d}…{sunday:%m-%d} 付款的订单：仓配类退货 {warehouse.height} 单，占该周退货 {share:.0%}"
        f"（{warehouse.height}/{in_week.height}，Wilson 下限 {lower:.0%}），此前 {BASELINE_WEEKS} 周 {baseline:.0%}"
        f"（{before.height} 单退货）；涉及 {skus.height} 个 SKU（{named}）{per_hundred}；"
        f"主要原因 {top}；退款 {_money(amount)}"
    )
    return Finding(
        date=day,
        shop=shop,
        metric=METRICS[WEEK],
        metric_label=WEEK,
        value=round(share, 4),
        expected_low=None,
        expected_high=round(baseline, 4),
        severity="warning",
        provisional=_provisional(data, day, rules),
        rule="returns_warehouse_week",
        direction="up",
        driver=WAREHOUSE,
        explanation=text,
        impact=None if amount is None else round(float(amount), 2),
    )
