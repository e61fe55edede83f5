"""Loading and validating the metric catalog (definitions/catalog.yaml, joined by each domain's metrics.yaml).

Problems are collected with their context and raised together, so a broken catalog says
everything that is wrong with it at once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from shopops.channels import ad_channels
from shopops.domains import domains
from shopops.errors import DefinitionError

UNITS = ("money", "count", "ratio", "score")
DIRECTIONS = ("up", "down", "none")
DISPLAYS = ("", "percent", "multiple")
AGGREGATES = ("sum", "daily_sum", "last", "max")
FUNCTIONS = ("total",)


@dataclass(frozen=True)
class Measure:
    key: str
    sources: tuple[str, ...]
    aggregate: str
    decided_by: str | None = None
    label: str = ""  # what it counts, in words, where a working shows it (a ratio's side)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    section: str
    definition: str
    formula: str
    unit: str
    direction: str
    display: str = ""  # how a ratio is shown: "" or "percent" (3.45%), "multiple" (ROI 2.35)
    channel: str = ""  # the ad channel of a metric repeated per channel ({channel} keys)
    watched: bool = True  # the findings baseline watches it (false: a domain's own rules do)
    label_en: str = ""  # the name in the English dashboard (required in the catalog's YAML)

    @property
    def is_ratio(self) -> bool:
        return self.unit == "ratio"

    @property
    def is_multiple(self) -> bool:
        return self.display == "multiple"


@dataclass(frozen=True)
class Catalog:
    measures: dict[str, Measure]
    metrics: dict[str, Metric]
    sections: tuple[str, ...] = ()

    def metric(self, key: str) -> Metric:
        return self.metrics[key]

    def label(self, key: str) -> str:
        return self.metrics[key].label if key in self.metrics else key

    def only(self, keys: Iterable[str]) -> Catalog:
        """The part of the catalog ``keys`` need: those metrics, the metrics their formulas name, and
        the measures underneath — so a master table of a few metrics reads only their providers."""
        metrics: dict[str, Metric] = {}
        waiting = list(keys)
        while waiting:
            key = waiting.pop()
            if key in metrics or key not in self.metrics:
                continue
            metrics[key] = self.metrics[key]
            waiting += [name for name in formula_names(self.metrics[key].formula) if name in self.metrics]
        names = {name for metric in metrics.values() for name in formula_names(metric.formula)}
        measures = {key: measure for key, measure in self.measures.items() if key in names}
        return Catalog(measures, metrics, self.sections)


def _expand(text: str, channel_key: str, channel_label: str, channel_label_en: str = "") -> str:
    return (
        text.replace("{channel}", channel_key)
        .replace("{channel_label_en}", channel_label_en)
        .replace("{channel_label}", channel_label)
    )


def parse_catalog(data: dict[str, Any]) -> Catalog:
    problems: list[str] = []
    channels = ad_channels()
    measures: dict[str, Measure] = {}
    for raw_key, spec in (data.get("measures") or {}).items():
        keys = (
            [(_expand(raw_key, c.key, c.label), c) for c in channels]
            if "{channel}" in raw_key
            else [(raw_key, None)]
        )
        for key, _ in keys:
            aggregate = spec.get("aggregate", "sum")
            if aggregate not in AGGREGATES:
                problems.append(f"measure {key}: aggregate {aggregate!r} is not one of {AGGREGATES}")
            measures[key] = Measure(
                key,
                tuple(spec.get("sources", [])),
                aggregate,
                spec.get("decided_by"),
                str(spec.get("label", "")),
            )
    sections = tuple(str(s) for s in data.get("sections") or [])
    if not sections:
        problems.append("sections: list the report sections (综合销售, 推广 …) in display order")
    metrics: dict[str, Metric] = {}
    for entry in data.get("metrics") or []:
        raw_key = entry.get("key", "?")
        variants = (
            [(c.key, c.label, c.label_en or c.label) for c in channels]
            if "{channel}" in raw_key
            else [("", "", "")]
        )
        for channel_key, channel_label, channel_label_en in variants:
            key = _expand(raw_key, channel_key, channel_label)
            where = f"metric {key}"
            for needed in ("label", "label_en", "section", "definition", "formula", "unit", "direction"):
                if not entry.get(needed):
                    problems.append(f"{where}: missing {needed}")
            if entry.get("unit") not in UNITS:
                problems.append(f"{where}: unit {entry.get('unit')!r} is not one of {UNITS}")
            if entry.get("direction") not in DIRECTIONS:
                problems.append(f"{where}: direction {entry.get('direction')!r} is not one of {DIRECTIONS}")
            if sections and entry.get("section") and entry.get("section") not in sections:
                problems.append(f"{where}: section {entry.get('section')!r} is not one of {sections}")
            if entry.get("display", "") not in DISPLAYS:
                problems.append(f"{where}: display {entry.get('display')!r} is not one of {DISPLAYS[1:]}")
            if key in metrics:
                problems.append(f"{where}: defined twice")
            formula = str(entry.get("formula", ""))
            if channel_key:
                formula = _expand(formula, channel_key, channel_label)
            elif "{channel}" in formula:
                formula = formula.replace(
                    "total(" + raw_key_in_total(formula) + ")",
                    "total("
                    + ", ".join(_expand(raw_key_in_total(formula), c.key, c.label) for c in channels)
                    + ")",
                )
            metrics[key] = Metric(
                key=key,
                label=_expand(str(entry.get("label", "")), channel_key, channel_label),
                section=str(entry.get("section", "")),
                definition=_expand(str(entry.get("definition", "")), channel_key, channel_label),
                formula=formula,
                unit=str(entry.get("unit")),
                direction=str(entry.get("direction")),
                display=str(entry.get("display", "")),
                channel=channel_key,
                watched=bool(entry.get("watched", True)),
                label_en=_expand(
                    str(entry.get("label_en", "")), channel_key, channel_label, channel_label_en
                ),
            )
    catalog = Catalog(measures, metrics, sections)
    for metric in metrics.values():
        problems.extend(f"metric {metric.key}: {p}" for p in formula_problems(metric.formula, catalog))
    problems.extend(_cycles(catalog))
    if problems:
        raise DefinitionError("metric catalog: " + "; ".join(problems))
    return catalog


def raw_key_in_total(formula: str) -> str:
    start = formula.index("total(") + len("total(")
    return formula[start : formula.index(")", start)]


def formula_names(formula: str) -> set[str]:
    tree = ast.parse(formula, mode="eval")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id not in FUNCTIONS}


def formula_problems(formula: str, catalog: Catalog) -> list[str]:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as error:
        return [f"formula {formula!r} is not valid: {error.msg}"]
    problems = []
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.Name,
        ast.Constant,
        ast.Call,
        ast.Load,
        ast.Add,
        ast.Sub,
        ast.Mult,
        ast.Div,
        ast.USub,
    )
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            problems.append(f"formula {formula!r} uses {type(node).__name__}, which is not allowed")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            problems.append(f"formula {formula!r} calls an unknown function")
    for name in formula_names(formula):
        if name not in catalog.measures and name not in catalog.metrics:
            problems.append(f"formula {formula!r} names {name!r}, which is neither a measure nor a metric")
    return problems


def _cycles(catalog: Catalog) -> list[str]:
    problems = []

    def visit(key: str, path: tuple[str, ...]) -> None:
        metric = catalog.metrics[key]
        for name in formula_names(metric.formula):
            if name in catalog.metrics and name != key and name not in catalog.measures:
                if name in path:
                    problems.append(f"metric {key}: formula cycle {' → '.join((*path, name))}")
                    return
                visit(name, (*path, name))

    for key in catalog.metrics:
        visit(key, (key,))
    return problems


@cache
def load_catalog() -> Catalog:
    text = resources.files("shopops.metrics").joinpath("definitions/catalog.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    for domain in domains():
        if domain.metrics is not None:
            extra = yaml.safe_load(domain.metrics.read_text(encoding="utf-8")) or {}
            data = join_catalog(data, extra, f"domain {domain.name} ({domain.metrics.name})")
    return parse_catalog(data)


def join_catalog(data: dict[str, Any], extra: dict[str, Any], where: str) -> dict[str, Any]:
    """A domain's metrics joining the one catalog: its new sections after ours, its measures and
    metrics added (a key defined twice is an error: 口径 is written once)."""
    unknown = set(extra) - {"sections", "measures", "metrics"}
    if unknown:
        raise DefinitionError(f"{where}: unknown keys {sorted(unknown)} (sections, measures, metrics)")
    measures = dict(data.get("measures") or {})
    for key, spec in (extra.get("measures") or {}).items():
        if key in measures:
            raise DefinitionError(f"{where}: measure {key} is already defined")
        measures[key] = spec
    sections = list(data.get("sections") or [])
    sections += [s for s in extra.get("sections") or [] if s not in sections]
    metrics = list(data.get("metrics") or []) + list(extra.get("metrics") or [])
    return {**data, "sections": sections, "measures": measures, "metrics": metrics}
