"""The metric catalog is valid data, and broken catalogs are refused with every problem named."""

from __future__ import annotations

import pytest

from shopops.errors import DefinitionError
from shopops.metrics.catalog import load_catalog, parse_catalog


def test_every_metric_has_label_definition_and_a_known_formula() -> None:
    catalog = load_catalog()
    assert len(catalog.metrics) >= 30
    for metric in catalog.metrics.values():
        assert metric.label and metric.definition and metric.section
    assert catalog.metrics["ad_spend_keyword"].label == "推广花费·关键词推广（直通车）"
    assert catalog.metrics["ad_spend"].formula.startswith("total(ad_spend_keyword, ad_spend_display")


def test_broken_catalog_lists_every_problem() -> None:
    data = {
        "measures": {"gmv": {"sources": ["sycm_shop"], "aggregate": "average"}},
        "metrics": [
            {
                "key": "a",
                "label": "甲",
                "section": "s",
                "definition": "d",
                "formula": "gmv / nothing",
                "unit": "money",
                "direction": "up",
            },
            {
                "key": "b",
                "label": "乙",
                "section": "s",
                "definition": "d",
                "formula": "c",
                "unit": "percent",
                "direction": "sideways",
            },
            {
                "key": "c",
                "label": "丙",
                "section": "s",
                "definition": "d",
                "formula": "b + 1",
                "unit": "count",
                "direction": "up",
            },
        ],
    }
    with pytest.raises(DefinitionError) as caught:
        parse_catalog(data)
    message = str(caught.value)
    assert "aggregate 'average'" in message
    assert "names 'nothing', which is neither a measure nor a metric" in message
    assert "unit 'percent'" in message and "direction 'sideways'" in message
    assert "formula cycle" in message


def test_formula_may_not_call_arbitrary_code() -> None:
    data = {
        "measures": {},
        "metrics": [
            {
                "key": "x",
                "label": "x",
                "section": "s",
                "definition": "d",
                "formula": "__import__('os')",
                "unit": "count",
                "direction": "up",
            }
        ],
    }
    with pytest.raises(DefinitionError, match="unknown function"):
        parse_catalog(data)
