"""Importing is idempotent, and a corrected later export replaces the rows it covers."""

from __future__ import annotations

import duckdb

from shopops.demo.writers import write_csv
from tests.conftest import DemoWorkspace


def table_counts(demo: DemoWorkspace) -> dict[str, int]:
    with duckdb.connect(str(demo.root / "warehouse.duckdb"), read_only=True) as con:
        tables = [
            "sycm_shop_day",
            "orders",
            "order_lines",
            "refunds",
            "ad_plan_day",
            "affiliate_day",
            "product_master",
        ]
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # type: ignore[index]


def test_importing_everything_twice_gives_the_same_table(fresh_demo: DemoWorkspace) -> None:
    first = fresh_demo.cli("import", *fresh_demo.files)
    assert first.exit_code == 0, first.output
    counts = table_counts(fresh_demo)
    table = fresh_demo.cli("table", "master", "--to", fresh_demo.manifest["end"]).output
    second = fresh_demo.cli("import", *fresh_demo.files)
    assert second.exit_code == 0, second.output
    assert second.output.count("：已导入过，没有改动\n") == len(fresh_demo.files)
    assert table_counts(fresh_demo) == counts
    assert fresh_demo.cli("table", "master", "--to", fresh_demo.manifest["end"]).output == table


def test_a_corrected_export_replaces_the_days_it_covers(fresh_demo: DemoWorkspace) -> None:
    assert fresh_demo.cli("import", *fresh_demo.files).exit_code == 0
    before = table_counts(fresh_demo)
    # A later 生意参谋 download of the last 3 days, where the platform corrected the figures.
    header = ["统计日期", "访客数", "支付金额", "淘宝客佣金"]
    end = fresh_demo.manifest["end"]
    days = sorted(fresh_demo.manifest["shops"]["云朵旗舰店"]["days"])[-3:]
    rows = [[day, 1000 + i, "8,888.88" if day == end else "100.00", "1.00"] for i, day in enumerate(days)]
    corrected = write_csv(fresh_demo.exports / "生意参谋_店铺整体_云朵旗舰店_更正.csv", header, rows)
    result = fresh_demo.cli("import", corrected)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"✓ {corrected.name} — 生意参谋 · 店铺整体日报（sycm_shop_daily）：3 行，{days[0]}…{end}，店铺 云朵旗舰店"
        "（替换了 3 行旧数据）\n"
    )
    assert table_counts(fresh_demo) == before
    out = fresh_demo.cli("table", "master", "--from", end, "--to", end, "--shop", "云朵旗舰店").output
    line = out.splitlines()[1].split(",")
    assert line[3] == "8888.88"  # gmv
    assert line[4] == str(1000 + 2)  # visitors
