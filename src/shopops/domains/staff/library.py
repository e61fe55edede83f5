"""Where the scorecards in effect come from: the presets, the workspace's scorecards.yaml, imported sheets.

A card is chosen per role and period (:func:`cards.card_for`): the latest ``from`` month on or before
the period's start wins, and at the same month an imported sheet wins over scorecards.yaml, which
wins over a preset — each card says where it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml

from shopops.domains.staff.cards import Card, CardError, parse_cards
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.warehouse_settings import folder_beside

CARDS_FILE = "scorecards.yaml"
PRESETS = "预设"
_ORIGIN_RANK = {PRESETS: 0, CARDS_FILE: 1}  # an imported sheet (its file name): 2


def preset_text() -> str:
    """presets.yaml as written (its comments name the evidence): a scorecards.yaml to start from."""
    return resources.files(__package__ or "").joinpath("presets.yaml").read_text(encoding="utf-8")


def preset_cards(catalog: Catalog | None = None) -> list[Card]:
    return parse_cards(yaml.safe_load(preset_text())["scorecards"], PRESETS, catalog or load_catalog())


def workspace_cards(folder: Path | None, catalog: Catalog) -> list[Card]:
    """The cards of ``scorecards.yaml`` in the workspace folder (none when there is no such file)."""
    path = folder / CARDS_FILE if folder is not None else None
    if path is None or not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" 第 {mark.line + 1} 行" if mark is not None else ""
        raise CardError(f"{CARDS_FILE}{where} 不是合法的 YAML — 检查缩进和冒号") from error
    entries = data.get("scorecards") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise CardError(
            f"{CARDS_FILE}：应以 scorecards: 开头，下面每张评分表一项（格式见 shopops staff cards --init 写出的预设）"
        )
    return parse_cards(entries, CARDS_FILE, catalog)


def imported_cards(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> list[Card]:
    """The cards imported from the Excel template, one per role and 生效月份 (the last import's)."""
    frame = con.execute(
        "SELECT l.*, i.file_name FROM scorecard_lines l LEFT JOIN imports i USING (import_id)"
        " ORDER BY role, valid_from, line_no"
    ).fetchall()
    columns = [d[0] for d in con.description or []]
    rows = [dict(zip(columns, row, strict=True)) for row in frame]
    cards: list[Card] = []
    for (role, valid_from), group in grouped(rows).items():
        origin = str(group[0].get("file_name") or "导入的评分表")
        cards += parse_cards([card_mapping(role, valid_from, group)], origin, catalog)
    return cards


def all_cards(con: duckdb.DuckDBPyConnection, catalog: Catalog | None = None) -> list[Card]:
    catalog = catalog or load_catalog()
    found = (
        preset_cards(catalog) + workspace_cards(folder_beside(con), catalog) + imported_cards(con, catalog)
    )
    chosen: dict[tuple[str, str], Card] = {}
    for card in found:  # the same role and month: the later source wins
        key = (card.role, card.valid_from.key)
        if key not in chosen or _rank(card) >= _rank(chosen[key]):
            chosen[key] = card
    return list(chosen.values())


def _rank(card: Card) -> int:
    return _ORIGIN_RANK.get(card.origin, 2)


def grouped(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault((str(row["role"]), str(row["valid_from"])), []).append(row)
    return groups


# 单位 of a manual input line, as the sheet writes it (a metric line's comes from the catalog)
UNITS = {"比率": "ratio", "百分比": "ratio", "分数": "score", "分": "score", "数量": "count", "金额": "money"}
# ≥0.45:100 ；≤35：100 … (full- or half-width colon, any of ；; , between bands)
_BAND = re.compile(r"^\s*(?P<sign>[≥≤>=<]*)\s*(?P<threshold>-?[\d.]+%?)\s*[:：]\s*(?P<score>-?[\d.]+)\s*$")
# 金牌≥90×1.2 (× or x or *)
_TIER = re.compile(
    r"^\s*(?P<label>[^≥>=\d]+?)\s*[≥>=]+\s*(?P<minimum>[\d.]+)\s*(?:[×xX*]\s*(?P<coef>[\d.]+))?\s*$"
)


def card_mapping(role: str, valid_from: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One card as ``parse_cards`` reads it, from the sheet's rows of one role and 生效月份 (each row's
    ``_row``, or ``source_row``, names it in a problem)."""
    lines = []
    tiers: list[dict[str, Any]] | str | None = None
    version = None
    for row in rows:
        version = version or row.get("version")
        if row.get("tiers"):
            tiers = parse_tiers(str(row["tiers"]))
        line: dict[str, Any] = {"_row": row.get("_row") or row.get("source_row"), "name": row.get("name")}
        if row.get("unit"):
            line["unit"] = UNITS.get(str(row["unit"]).strip(), str(row["unit"]).strip())
        for key in ("metric", "input", "target_input", "weight", "target", "direction", "formula", "basis"):
            if row.get(key) not in (None, ""):
                line[key] = row[key]
        if row.get("target_input") in ("目标表", "targets"):
            line["target_input"] = "targets"
        scope = str(row.get("scope") or "").strip()
        if scope:
            line["scope"] = {"本人": "own", "负责店铺": "shops", "店铺": "shops"}.get(scope, scope)
        if row.get("cap") is not None:
            line["cap"] = row["cap"]
        if row.get("bands"):
            line["bands"], sign = parse_bands(str(row["bands"]))
            line.setdefault("direction", "down" if sign == "≤" else "up")
        elif row.get("floor_value") is not None:
            line["linear"] = {"floor": row["floor_value"], "target": row.get("target")}
        lines.append(line)
    numbers = [int(n) for row in rows if (n := row.get("_row") or row.get("source_row")) is not None]
    mapping: dict[str, Any] = {"role": role, "from": valid_from, "lines": lines}
    if numbers:
        mapping["_rows"] = (min(numbers), max(numbers))
    if version:
        mapping["version"] = version
    if tiers is not None:
        mapping["tiers"] = tiers
    return mapping


def parse_bands(text: str) -> tuple[list[list[float]] | str, str]:
    """ "≥0.45:100；≥0.40:80" → [[0.45, 100], [0.40, 80]] and the sign; the text itself when unreadable
    (parse_cards then says how a band is written)."""
    bands = []
    signs = set()
    for part in re.split(r"[；;，,、\n]+", text.strip()):
        if not part.strip():
            continue
        match = _BAND.match(part)
        if match is None:
            return text, ""
        threshold = match["threshold"]
        value = float(threshold.rstrip("%")) / (100 if threshold.endswith("%") else 1)
        bands.append([value, float(match["score"])])
        signs.add("≤" if "≤" in match["sign"] or "<" in match["sign"] else "≥")
    return bands, (signs.pop() if len(signs) == 1 else "≥")


def parse_tiers(text: str) -> list[dict[str, Any]] | str:
    tiers = []
    for part in re.split(r"[；;，,、\n]+", text.strip()):
        if not part.strip():
            continue
        match = _TIER.match(part)
        if match is None:
            return text
        tiers.append(
            {"label": match["label"], "min": float(match["minimum"]), "coefficient": match["coef"] or 0}
        )
    return tiers
