"""The 总表 page: which columns it shows and what its cells say.

- Columns come in the catalog's sections (综合销售, 推广 …); each user chooses the sections they see,
  remembered on the server (preference ``table.columns``: ``{"hidden": [sections]}``).
- A column empty for every selected shop over the shown period is left out unless asked for
  (``empty=1``); the page says how many were left out.
- A 合计 value that rests on some of the shops only carries its coverage mark ("5,189 ⁽³⁄₄⁾") and a
  note naming the shops it leaves out (:mod:`shopops.metrics.totals`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import polars as pl

from shopops.metrics.catalog import Catalog, Metric, load_catalog
from shopops.metrics.totals import TOTAL_SHOP, Coverage, total_coverage
from shopops.web.i18n import translate
from shopops.web.views import basis_note_of, fmt

PREFERENCE = "table.columns"
FIXED = {"date": "日期", "shop": "店铺"}
SECTIONS_EN = {
    "综合销售": "Sales",
    "推广": "Advertising",
    "淘客与直播": "Affiliates & live",
    "成本利润": "Cost & profit",
    "退款": "Refunds",
    "DSR": "DSR",
    "退货": "Returns",
    "客服": "Customer service",
}


def section_label(section: str, lang: str) -> str:
    if lang != "en":
        return section
    translated = translate(section, lang)
    return translated if translated != section else SECTIONS_EN.get(section, section)


def metric_label(metric: Metric, lang: str) -> str:
    """The column's name: the English label (``label_en``, where the catalog has one) in English."""
    if lang == "en":
        return str(getattr(metric, "label_en", "") or metric.label)
    return metric.label


def hidden_sections(saved: Any, catalog: Catalog | None = None) -> list[str]:
    """The sections a saved preference hides (sections no longer in the catalog are dropped)."""
    sections = (catalog or load_catalog()).sections
    hidden = saved.get("hidden") if isinstance(saved, dict) else None
    if not isinstance(hidden, list):
        return []
    return [s for s in sections if s in hidden]


def preference_of(shown: Collection[str], catalog: Catalog | None = None) -> dict[str, list[str]]:
    """The value to remember when the chooser shows ``shown`` (unknown names are ignored)."""
    return {"hidden": [s for s in (catalog or load_catalog()).sections if s not in shown]}


def coverage_note(coverage: Coverage, label: str, lang: str) -> str:
    if lang == "en":
        return f"{label}: total of {coverage.fraction} shops (missing {', '.join(coverage.missing)})"
    return coverage.note(label)


def table_view(
    frame: pl.DataFrame,
    grain: str,
    *,
    hidden: Collection[str] = (),
    show_empty: bool = False,
    lang: str = "zh",
) -> dict[str, Any]:
    """Header, rows and chooser of the 总表 over ``frame`` (a master table, with 合计 rows or not)."""
    cat = load_catalog()
    metrics = [cat.metrics[c] for c in frame.columns if c in cat.metrics]
    shop_rows = frame.filter(pl.col("shop") != TOTAL_SHOP)
    empty = {m.key for m in metrics if shop_rows.height and shop_rows[m.key].null_count() == shop_rows.height}
    chosen = [m for m in metrics if m.section not in hidden]
    left_out = [m for m in chosen if m.key in empty]
    shown = chosen if show_empty else [m for m in chosen if m.key not in empty]
    sections = [
        {
            "name": s,
            "label": section_label(s, lang),
            "shown": s not in hidden,
            "columns": sum(1 for m in metrics if m.section == s),
        }
        for s in cat.sections
        if any(m.section == s for m in metrics)
    ]
    header = [
        {"key": key, "label": translate(text, lang), "definition": "", "section": "", "fixed": True}
        for key, text in FIXED.items()
    ] + [
        {
            "key": m.key,
            "label": metric_label(m, lang),
            "definition": str(getattr(m, "definition_en", "") or m.definition)
            if lang == "en"
            else m.definition,
            "section": m.section,
            "fixed": False,
        }
        for m in shown
    ]
    # The metrics whose 合计 can be partial (not the per-channel 推广花费: unknown there is "not used").
    coverage = total_coverage(frame) if shop_rows.height < frame.height else {}
    rows = [_row(record, shown, coverage, lang) for record in frame.to_dicts()]
    return {
        "header": header,
        "rows": rows,
        "grain": grain,
        "basis_note": basis_note_of(frame),
        "sections": sections,
        "empty_hidden": 0 if show_empty else len(left_out),
        "empty_count": len(left_out),
        "show_empty": show_empty,
    }


def _row(
    record: dict[str, Any], shown: list[Metric], coverage: dict[tuple[dt.date, str], Coverage], lang: str
) -> dict[str, Any]:
    total = record["shop"] == TOTAL_SHOP
    cells: list[dict[str, Any]] = [
        {"text": str(record["date"]), "sort": str(record["date"]), "css": "fixed c-date"},
        {
            "text": translate(TOTAL_SHOP, lang) if total else str(record["shop"]),
            "sort": str(record["shop"]),
            "css": "fixed c-shop",
        },
    ]
    if record.get("complete") is False:  # an export has not covered the whole day (period)
        cells[0]["badge"] = "数据不完整"
    for m in shown:
        value = record.get(m.key)
        cell = {"text": fmt(m, value), "sort": "" if value is None else float(value), "css": "num"}
        found = coverage.get((record["date"], m.key)) if total and value is not None else None
        if found is not None and found.partial:
            cell["mark"] = found.mark
            cell["note"] = coverage_note(found, metric_label(m, lang), lang)
        cells.append(cell | {"section": m.section})
    return {"cells": cells, "total": total}
