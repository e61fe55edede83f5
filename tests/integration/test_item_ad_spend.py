"""A 生意参谋 商品效果 export's 推广花费 column is stored per item-day, not dropped."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from shopops.workspace import Workspace
from tests.conftest import run_cli

HEADER = "统计日期,商品ID,商品名称,货号,商品访客数,支付买家数,支付件数,支付金额,成功退款金额,推广花费"


def test_item_spend_is_stored_and_unknown_when_the_file_has_no_such_column(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert run_cli("init", workspace).exit_code == 0
    assert run_cli("-w", workspace, "shop", "add", "云朵旗舰店", "--platform", "tmall").exit_code == 0
    with_spend = tmp_path / "【生意参谋平台】商品效果_0101.csv"
    with_spend.write_text(
        HEADER
        + '\n2026-01-01,6001,羽绒服,YR-1,120,6,7,"1,234.50",100.00,"1,058.36"'
        + "\n2026-01-01,6002,围巾,WJ-2,30,1,1,59.00,0.00,-\n",
        encoding="utf-8",
    )
    without = tmp_path / "【生意参谋平台】商品效果_0102.csv"
    without.write_text(
        HEADER.removesuffix(",推广花费") + "\n2026-01-02,6001,羽绒服,YR-1,100,5,5,880.00,0.00\n",
        encoding="utf-8",
    )
    for path in (with_spend, without):
        result = run_cli("-w", workspace, "import", path, "--shop", "云朵旗舰店")
        assert result.exit_code == 0, result.output
        assert "sycm_item_daily" in result.output
    with Workspace.open(workspace) as opened:
        rows = opened.connection.execute(
            "SELECT date::VARCHAR, item_id, gmv, ad_spend FROM sycm_item_day ORDER BY date, item_id"
        ).fetchall()
    assert rows == [
        ("2026-01-01", "6001", Decimal("1234.50"), Decimal("1058.36")),
        ("2026-01-01", "6002", Decimal("59.00"), None),  # "-" is unknown, not 0
        ("2026-01-02", "6001", Decimal("880.00"), None),  # no such column: unknown
    ]
