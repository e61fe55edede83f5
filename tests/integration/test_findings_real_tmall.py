"""The real Tmall order export of February 2020 (a shop hit by the epidemic), as a new user meets it.

What must hold (issue 13): the collapse is found although there are not 4 weeks of history, the
day without orders is a finding, the checks that could not run say so, and 03-01 — six orders
paid that day from orders created in February — is an incomplete day no default uses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from shopops.cli.main import cli
from tests.conftest import DATASETS

TMALL = DATASETS / "tmall_order_report.csv"
SHOP = "天猫店"
COLD = "历史不足 4 周，按规则判断"
SKIPPED_0301 = "2020-03-01 数据不完整，默认用 2020-02-29（天猫店：订单导出按下单时间只到 02-29 23:59，03-01 只有此前下单、当天付款的订单）"

pytestmark = pytest.mark.skipif(
    not TMALL.is_file(), reason=f"{TMALL} is absent (see shared/datasets/SOURCES.md)"
)


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def tmall(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tmall") / "ws"
    assert _run(root.parent, "init", str(root)).exit_code == 0
    assert _run(root, "shop", "add", SHOP, "--platform", "tmall").exit_code == 0
    result = _run(root, "import", str(TMALL), "--shop", SHOP)
    assert result.exit_code == 0, result.output
    return root


def _findings(root: Path, *args: str) -> tuple[list[dict[str, Any]], str]:
    result = _run(root, "findings", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records, result.stderr


def _notes(path: Path) -> list[str]:
    """The 总表 sheet's notes about incomplete days."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("总表").to_python()
    return [c for row in sheet for c in row if isinstance(c, str) and "不完整" in c]


def test_the_collapse_is_found_without_four_weeks_of_history(tmall: Path) -> None:
    records, _ = _findings(tmall, "--from", "2020-02-01", "--to", "2020-02-29")
    sales = {r["date"]: r for r in records if r["metric"] == "gmv" and not r["rule"].startswith("item_")}
    # 02-08: ¥342 after ¥12,505; 02-10…02-15: ¥5,243 down to ¥22 — each day, against the level before.
    for day in ("02-08", "02-10", "02-11", "02-12", "02-13", "02-14", "02-15"):
        found = sales[f"2020-{day}"]
        assert found["direction"] == "down" and found["severity"] == "critical", found
        assert found["basis"] == COLD
    assert sales["2020-02-12"]["value"] == 22.0 and "gmv_level" in sales["2020-02-12"]["rule"]
    # 02-16: no order at all inside the export's range — 零销售 and 无数据 in one finding.
    gap = sales["2020-02-16"]
    assert set(gap["rule"].split("+")) == {"zero_sales", "gmv_level", "no_data"}
    assert gap["explanation"] == (
        "订单导出覆盖 02-01…03-01，02-16 却一笔订单都没有（近几天每天约 87 笔）："
        "是全天零成交，还是导出漏了这一天？请核对，必要时补导这一天"
    )
    # 02-17/18: the recovery (¥0 → ¥29,063) and the jump after it (→ ¥83,372).
    assert sales["2020-02-17"]["rule"] == "gmv_recovery" and sales["2020-02-17"]["direction"] == "up"
    assert sales["2020-02-17"]["explanation"].startswith("GMV 从 0 到 ¥29,063")
    assert sales["2020-02-18"]["rule"] == "gmv_change" and sales["2020-02-18"]["value"] == 83372.45
    # Ranked by money at stake: the day without orders weighs a usual day's sales.
    assert gap["impact"] == 28578.0


def test_findings_say_which_checks_could_not_run(tmall: Path) -> None:
    _, stderr = _findings(tmall, "--from", "2020-02-01", "--to", "2020-02-29")
    assert stderr.splitlines()[-2:] == [
        "未能检查：天猫店 · 同星期基线、单品：历史不足 4 周（最早数据 2020-02-01），"
        "02-01…02-29 按规则判断（环比、近期水平、零销售、无数据）",
        "未能检查：天猫店 · 转化率、推广 ROI、淘客佣金、DSR：没有这些数据（未导入相应报表）",
    ]


def test_the_half_day_is_marked_and_no_default_uses_it(tmall: Path) -> None:
    table = _run(tmall, "table", "master", "--from", "2020-02-28", "--to", "2020-03-01", "--format", "json")
    rows = {r["date"]: r for r in json.loads(table.stdout)}
    assert [rows[d]["complete"] for d in ("2020-02-28", "2020-02-29", "2020-03-01")] == [True, True, False]
    assert rows["2020-03-01"]["gmv"] == 476.0  # kept and shown, only marked

    findings = _run(tmall, "findings", "--format", "json")
    assert findings.stderr.splitlines()[0] == f"注意 {SKIPPED_0301}"
    assert max(r["date"] for r in json.loads(findings.stdout)) <= "2020-02-29"

    explained = _run(tmall, "explain", "--format", "json")
    record = json.loads(explained.stdout)
    assert (record["vs"], record["date"]) == ("2020-02-28", "2020-02-29")
    assert explained.stderr.splitlines()[0] == f"注意 {SKIPPED_0301}"

    report = _run(tmall, "report", "daily", "-o", str(tmall / "daily.xlsx"))
    assert report.exit_code == 0, report.output
    assert "2020-02-29" in report.stdout and "2020-03-01" not in report.stdout
    assert _notes(tmall / "daily.xlsx") == [SKIPPED_0301.replace("默认用", "本报表默认写")]
    asked = _run(tmall, "report", "daily", "--date", "2020-03-01", "-o", str(tmall / "0301.xlsx"))
    assert asked.exit_code == 0, asked.output
    assert _notes(tmall / "0301.xlsx") == [
        "数据不完整：2020-03-01 天猫店：订单导出按下单时间只到 02-29 23:59，03-01 只有此前下单、当天付款的订单；"
        "该日的数字不全，不要当作全天。"
    ]

    assert (
        _run(tmall, "targets", "set", "-s", SHOP, "-p", "2020-02", "-m", "gmv", "-v", "2500000").exit_code
        == 0
    )
    paced = _run(tmall, "targets", "pace", "--format", "json")
    assert [p["as_of"] for p in json.loads(paced.stdout)] == ["2020-02-29"]

    pushed = _run(tmall, "push", "--dry-run")
    assert pushed.stdout.splitlines()[:2] == [
        "店铺日报 2020-02-29（周六）",
        "  （03-01 数据不完整，本简报写最近完整的一天）",
    ]


def test_an_asked_for_incomplete_day_is_shown_but_not_silently(tmall: Path) -> None:
    """Asking for 03-01 explicitly gives it (marked), with no skipped-day note."""
    result = _run(tmall, "explain", "--date", "2020-03-01", "--format", "json")
    assert json.loads(result.stdout)["date"] == "2020-03-01"
    assert "注意" not in result.stderr
