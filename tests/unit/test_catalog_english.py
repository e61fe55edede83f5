"""Every metric has an English name for the English dashboard (``label_en``), and a catalog entry
without one is refused."""

from __future__ import annotations

import re

import pytest

from shopops.errors import DefinitionError
from shopops.metrics.catalog import load_catalog, parse_catalog

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def test_every_metric_has_an_english_name_without_chinese() -> None:
    catalog = load_catalog()
    missing = [key for key, metric in catalog.metrics.items() if not metric.label_en]
    assert missing == []
    chinese = {key: m.label_en for key, m in catalog.metrics.items() if CJK.search(m.label_en)}
    assert chinese == {}
    assert catalog.metrics["gmv"].label_en == "GMV (paid amount)"
    assert catalog.metrics["ad_spend_keyword"].label_en == "Ad spend · Keyword ads (Zhitongche)"


def test_a_metric_without_an_english_name_is_refused() -> None:
    entry = {
        "key": "x",
        "label": "甲",
        "section": "s",
        "definition": "d",
        "formula": "gmv",
        "unit": "money",
        "direction": "up",
    }
    with pytest.raises(DefinitionError, match="metric x: missing label_en"):
        parse_catalog(
            {"sections": ["s"], "measures": {"gmv": {"sources": ["sycm_shop"]}}, "metrics": [entry]}
        )
    parsed = parse_catalog(
        {
            "sections": ["s"],
            "measures": {"gmv": {"sources": ["sycm_shop"]}},
            "metrics": [entry | {"label_en": "X"}],
        }
    )
    assert parsed.metrics["x"].label_en == "X"
