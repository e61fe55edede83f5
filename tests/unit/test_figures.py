"""A finding's figures are written one way (reports/figures.py) in the dashboard and the CLI: money
with thousands separators and 2 decimals, ratios as %, counts whole, never a float's full repr."""

from __future__ import annotations

from shopops.metrics.catalog import load_catalog
from shopops.reports.figures import expected_range, figure, money


def test_catalog_metrics_by_their_unit() -> None:
    metrics = load_catalog().metrics
    assert figure(metrics["affiliate_commission"], "affiliate_commission", 84.14999999999999) == "¥84.15"
    assert figure(metrics["gmv"], "gmv", 1234567.891) == "¥1,234,567.89"
    assert figure(metrics["units"], "units", 112.0) == "112"
    assert figure(metrics["visitors"], "visitors", 12345.4) == "12,345"
    assert figure(metrics["refund_rate"], "refund_rate", 0.277474) == "27.75%"
    assert figure(metrics["ad_roi"], "ad_roi", 2.4321) == "2.43"
    assert figure(metrics["gmv"], "gmv", None) == "—"
    assert money(-1234.5) == "−¥1,234.50"


def test_figures_outside_the_catalog_by_their_key() -> None:
    assert figure(None, "returns_class_rate", 0.1015) == "10.15%"
    assert figure(None, "returns_reason", 0.5556) == "55.56%"
    assert figure(None, "avg_response_seconds", 35.96715328467153) == "36.0 秒"
    assert figure(None, "avg_response_seconds", 35.96715328467153, lang="en") == "36.0 s"
    assert figure(None, "service_unreplied", 4.0) == "4"
    assert figure(None, "stock_out_risk", 6.66666) == "6.7 天"
    assert figure(None, "rival_price", 84.14999999999999) == "84.15"  # a rival's price: a plain number
    assert figure(None, "rival_price", 59.0) == "59"


def test_ranges_open_on_one_side_and_compact_money_for_the_terminal() -> None:
    metrics = load_catalog().metrics
    assert expected_range(None, "returns_rate", None, 0.0948) == "≤ 9.48%"
    assert expected_range(None, "returns_rate", 0.01, None) == "≥ 1.00%"
    assert expected_range(None, "returns_rate", None, None) == "—"
    gmv = metrics["gmv"]
    assert expected_range(gmv, "gmv", 41.08, 280.24) == "¥41.08 ~ ¥280.24"
    assert expected_range(gmv, "gmv", 41.08, 2800.4, compact=True) == "¥41.08 ~ ¥2,800"
