"""Docs are checked by tests: the metric reference is generated and every 中文 label is in the glossary."""

from __future__ import annotations

from pathlib import Path

from shopops.ingest.sources import load_builtin_specs
from shopops.metrics.catalog import load_catalog
from shopops.reports.metric_docs import metrics_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_metric_reference_is_current() -> None:
    committed = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert committed == metrics_markdown(), "run: shopops metrics --format markdown > docs/metrics.md"


def test_glossary_names_every_metric_and_source() -> None:
    glossary = (ROOT / "docs" / "GLOSSARY.md").read_text(encoding="utf-8")
    missing = [
        f"{m.label} ({m.key})"
        for m in load_catalog().metrics.values()
        if f"`{m.key}`" not in glossary and "{channel}" not in m.key and not m.key.startswith("ad_spend_")
    ]
    missing += [s.key for s in load_builtin_specs() if f"`{s.key}`" not in glossary]
    assert missing == []


def test_readme_states_the_two_fresh_machine_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e . && shopops demo" in readme
    assert "pip install -e '.[dev,bench,spark]' && scripts/check" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[dev,bench,spark]' && scripts/check" in ci
