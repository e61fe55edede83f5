"""Generated competitor data: planted events are found, 指数还原 recovers known money, the 竞品 sheet exists."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from shopops.demo.rivals import (
    own_index_export,
    rival_index_export,
    rival_snapshots,
    shop_daily_export,
    write_snapshots,
)
from tests.conftest import run_cli

SHOP = "云朵旗舰店"
OURS_START = dt.date(2026, 9, 1)
RIVALS_START = dt.date(2026, 10, 1)
DAYS = 30


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("rivals")
    root = base / "ws"
    assert run_cli("init", root).exit_code == 0
    assert run_cli("--workspace", root, "shop", "add", SHOP, "--platform", "tmall").exit_code == 0
    gmv = shop_daily_export(60, OURS_START, base / f"店铺整体_{SHOP}.csv")
    own_index_export(gmv, base / f"本店交易指数_{SHOP}.csv")
    frame, plants = rival_snapshots(items=40, days=DAYS, start=RIVALS_START)
    write_snapshots(frame, base / "竞品快照.csv")
    revenue = (
        frame.with_columns((pl.col("units") * pl.col("price")).alias("revenue"))
        .group_by("date", "rival_shop")
        .agg(pl.col("revenue").sum())
        .sort("date", "rival_shop")
    )
    rival_index_export(revenue, base / "竞店分析.csv")
    files = [
        base / f"店铺整体_{SHOP}.csv",
        base / f"本店交易指数_{SHOP}.csv",
        base / "竞品快照.csv",
        base / "竞店分析.csv",
    ]
    result = run_cli("--workspace", root, "import", *files)
    assert result.exit_code == 0, result.output
    return {"root": root, "plants": plants, "revenue": revenue, "output": result.output}


def _json(root: Path, *args: str) -> Any:
    result = run_cli("--workspace", root, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # checks that could not run: on stderr


def test_each_file_is_detected(generated: dict[str, Any]) -> None:
    output = generated["output"]
    for key in ("sycm_shop_daily", "sycm_own_index", "rival_snapshot", "sycm_rival_shop"):
        assert f"（{key}）：" in output


def test_planted_events_are_found(generated: dict[str, Any]) -> None:
    root, plants = generated["root"], generated["plants"]
    end = RIVALS_START + dt.timedelta(days=DAYS - 1)
    findings = _json(root, "findings", "--from", str(RIVALS_START), "--to", str(end))
    by_kind = {(f["metric"], f["item"], f["date"]) for f in findings}
    assert ("rival_price", plants.price_cut_item, str(plants.price_cut_day)) in by_kind
    cut = next(f for f in findings if f["metric"] == "rival_price" and f["item"] == plants.price_cut_item)
    assert cut["value"] == pytest.approx(plants.new_price) and cut["severity"] == "warning"
    new = [f for f in findings if f["metric"] == "rival_new_item" and f["item"] == plants.new_item]
    assert len(new) == 1 and new[0]["date"] == str(plants.new_item_day)
    assert new[0]["severity"] == "warning" and "起量" in new[0]["explanation"]
    reset = [f for f in findings if f["metric"] == "rival_sales" and f["item"] == plants.reset_item]
    assert [f["date"] for f in reset] == [str(plants.reset_day)] and "重置" in reset[0]["explanation"]
    changes = _json(root, "rival", "changes", "--from", str(RIVALS_START), "--to", str(end))
    cut_change = next(c for c in changes if c["item_id"] == plants.price_cut_item)
    assert cut_change["date"] == str(plants.price_cut_day) and cut_change["promotion"] is True
    assert (cut_change["old_price"], cut_change["new_price"]) == pytest.approx(
        (plants.old_price, plants.new_price)
    )


def test_index_mapping_recovers_known_money_within_its_stated_error(generated: dict[str, Any]) -> None:
    root, revenue = generated["root"], generated["revenue"]
    end = RIVALS_START + dt.timedelta(days=DAYS - 1)
    rows = _json(root, "rival", "estimate", "--from", str(RIVALS_START), "--to", str(end))
    truth = {(str(r["date"]), r["rival_shop"]): r["revenue"] for r in revenue.iter_rows(named=True)}
    assert len(rows) == len(truth)
    errors = np.array([abs(r["revenue_estimate"] / truth[(r["date"], r["shop"])] - 1) for r in rows])
    inside = np.mean([r["revenue_low"] <= truth[(r["date"], r["shop"])] <= r["revenue_high"] for r in rows])
    assert np.median(errors) < 0.08  # the generator's index noise is 3%
    assert inside >= 0.8  # the stated 90% range holds most known values
    result = run_cli("--workspace", root, "rival", "estimate", "--from", str(RIVALS_START), "--to", str(end))
    assert "估算" in result.output and "典型误差" in result.output and "¥" not in result.output


def test_daily_report_has_a_rivals_sheet(generated: dict[str, Any], tmp_path: Path) -> None:
    root = generated["root"]
    target = tmp_path / "日报.xlsx"
    end = RIVALS_START + dt.timedelta(days=DAYS - 1)
    result = run_cli("--workspace", root, "report", "daily", "--date", str(end), "-o", target)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        assert "竞品" in archive.read("xl/workbook.xml").decode()


def test_registry_pairs_a_rival_item_with_ours(generated: dict[str, Any]) -> None:
    root, plants = generated["root"], generated["plants"]
    added = run_cli(
        "--workspace",
        root,
        "rival",
        "add",
        "竞店01",
        "--platform",
        "tmall",
        "--item",
        plants.price_cut_item,
        "--our-item",
        "100200",
        "--our-shop",
        SHOP,
        "--group",
        "面霜",
    )
    assert added.exit_code == 0, added.output
    listed = _json(root, "rival", "list")
    row = next(r for r in listed if r["item_id"] == plants.price_cut_item)
    assert (row["our_item_id"], row["group"], row["our_shop"]) == ("100200", "面霜", SHOP)
    bad = run_cli(
        "--workspace", root, "rival", "add", "竞店01", "-p", "tmall", "--item", "1", "--our-shop", "没有这家"
    )
    assert bad.exit_code == 1 and bad.output == "错误 本店 '没有这家' 未登记 — 见 `shopops shop list`\n"
