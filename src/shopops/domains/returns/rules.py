"""The returns settings (``returns:`` in shopops.yaml): the reason classes and the thresholds.

The reason classes are data: ``reason_classes.yaml`` next to this module holds the defaults and a
workspace replaces them whole with ``returns: reason_classes: [{name, words}, …]`` (and
``product_classes``, the classes whose refunds are 品退). A reason belongs to the first class whose
words it contains; one that matches none is the last class (服务/其他). :func:`class_sql` gives the
same rule as SQL, so the Python and the warehouse never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any

import yaml

from shopops.errors import WorkspaceError

OTHER = "服务/其他"
WHERE = "shopops.yaml: returns"


@dataclass(frozen=True)
class ReasonClass:
    name: str
    words: tuple[str, ...]


def _default_classes() -> tuple[tuple[ReasonClass, ...], tuple[str, ...]]:
    text = (resources.files(__package__) / "reason_classes.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return _classes(data["classes"], "reason_classes.yaml"), tuple(data["product_classes"])


@dataclass(frozen=True)
class ReturnRules:
    reason_classes: tuple[ReasonClass, ...] = field(default_factory=lambda: _default_classes()[0])
    product_classes: tuple[str, ...] = field(default_factory=lambda: _default_classes()[1])
    # A cohort by payment date keeps growing for about two weeks (refunds are asked for after
    # receipt; 7 days 无理由 plus shipping): its rates are provisional for this many days.
    provisional_days: int = 14
    # The focus list ranks by the Wilson lower bound of the return rate at this confidence, and
    # leaves out SKUs and styles with fewer paid order lines than min_orders.
    confidence: float = 0.95
    # Findings (日报, `shopops findings`) judge every SKU and style daily: their bounds at 99%, so that
    # among 1,500 SKUs chance alone rarely passes (benchmarks/returns_benchmark.py measures it)
    finding_confidence: float = 0.99
    min_orders: int = 20
    high_rate: float = 0.20  # 高退款率 SKU: a lower bound above 20% (research §4.2, idx:70922346985)
    jump_points: float = 0.10  # a finding: the rate's lower bound up by ≥ 10 points on the period before
    dominant_share: float = 0.5  # a finding: one class makes ≥ 50% of a SKU's returns, and did not before
    bad_score: int = 2  # 差评: 评分 ≤ 2 (where the file gives no 评价等级)
    middling_score: int = 3  # 中评: 评分 = 3
    review_window_days: int = 30  # 待处理差评: a buyer may change a 中差评 within 30 days of writing it

    @classmethod
    def from_settings(cls, raw: object) -> ReturnRules:
        section = raw.get("returns", {}) if isinstance(raw, dict) else {}
        section = section if isinstance(section, dict) else {}
        names = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in section if k not in names)
        if unknown:
            raise WorkspaceError(f"{WHERE}.{unknown[0]} is not a 退货 setting (use {', '.join(names)})")
        values: dict[str, Any] = {}
        if "reason_classes" in section:
            values["reason_classes"] = _classes(section["reason_classes"], CONFIG_PLACE)
        if "product_classes" in section:
            chosen = section["product_classes"]
            if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
                raise WorkspaceError(f"{WHERE}.product_classes must be a list of class names, e.g. [品质]")
            values["product_classes"] = tuple(chosen)
        for key in names:
            if key in section and key not in ("reason_classes", "product_classes"):
                values[key] = _number(key, section[key], getattr(cls(), key))
        rules = cls(**values)
        known = {c.name for c in rules.reason_classes}
        for name in rules.product_classes:
            if name not in known:
                raise WorkspaceError(
                    f"{WHERE}.product_classes names {name!r}, not a reason class ({', '.join(sorted(known))})"
                )
        _check(rules)
        return rules

    @property
    def class_names(self) -> list[str]:
        return [c.name for c in self.reason_classes]

    def classify(self, reason: str | None) -> str:
        """The class of one 退款原因 (None or blank: the last class)."""
        text = reason or ""
        for reason_class in self.reason_classes:
            if any(word in text for word in reason_class.words):
                return reason_class.name
        return self.reason_classes[-1].name

    def class_sql(self, column: str) -> str:
        """A SQL CASE giving the class of ``column`` (a VARCHAR expression), the rule of :meth:`classify`."""
        branches = []
        for reason_class in self.reason_classes[:-1]:
            if reason_class.words:
                tests = " OR ".join(
                    f"contains(coalesce({column}, ''), {_literal(w)})" for w in reason_class.words
                )
                branches.append(f"WHEN {tests} THEN {_literal(reason_class.name)}")
        last = _literal(self.reason_classes[-1].name)
        return f"(CASE {' '.join(branches)} ELSE {last} END)" if branches else last


CONFIG_PLACE = f"{WHERE}.reason_classes"


def _classes(raw: object, where: str) -> tuple[ReasonClass, ...]:
    example = "e.g. [{name: 品质, words: [质量, 破损]}, {name: 服务/其他, words: []}]"
    if not isinstance(raw, list) or not raw:
        raise WorkspaceError(f"{where} must be a list of classes, {example}")
    classes = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise WorkspaceError(f"{where}: class {index} needs a name and words, {example}")
        words = item.get("words") or []
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise WorkspaceError(
                f"{where}: class {item['name']}'s words must be a list of texts, e.g. [质量, 破损]"
            )
        classes.append(ReasonClass(item["name"].strip(), tuple(w.strip() for w in words)))
    names = [c.name for c in classes]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise WorkspaceError(f"{where}: class {twice[0]} is listed twice")
    return tuple(classes)


def _number(key: str, value: object, default: float | int) -> float | int:
    try:
        return int(value) if isinstance(default, int) else float(value)  # type: ignore[call-overload,arg-type]
    except (TypeError, ValueError):
        raise WorkspaceError(
            f"{WHERE}.{key} is {value!r}, not a number — write e.g. {key}: {default}"
        ) from None


def _check(rules: ReturnRules) -> None:
    for key, ok, rule in (
        ("provisional_days", rules.provisional_days >= 0, "a number of days ≥ 0, e.g. 14"),
        ("confidence", 0.5 <= rules.confidence < 1, "a confidence between 0.5 and 1, e.g. 0.95"),
        (
            "finding_confidence",
            0.5 <= rules.finding_confidence < 1,
            "a confidence between 0.5 and 1, e.g. 0.99",
        ),
        ("min_orders", rules.min_orders >= 1, "a number of order lines ≥ 1, e.g. 20"),
        ("high_rate", 0 < rules.high_rate < 1, "a rate between 0 and 1, e.g. 0.2"),
        ("jump_points", 0 < rules.jump_points < 1, "a rate between 0 and 1, e.g. 0.1"),
        ("dominant_share", 0 < rules.dominant_share <= 1, "a share above 0 and at most 1, e.g. 0.5"),
        ("bad_score", 1 <= rules.bad_score < rules.middling_score, "a score from 1, below middling_score"),
        ("middling_score", rules.middling_score < 5, "a score below 5, e.g. 3"),
        ("review_window_days", rules.review_window_days >= 1, "a number of days ≥ 1, e.g. 30"),
    ):
        if not ok:
            raise WorkspaceError(f"{WHERE}.{key} must be {rule}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
