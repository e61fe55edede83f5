"""生意参谋 竞品分析 and 入店来源 exports: detected, stored as indices, never printed as money."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

SHOP = "云朵旗舰店"
ITEM_EXPORT = """【生意参谋平台】竞品分析
统计日期,竞品ID,竞品名称,交易指数,流量指数,搜索人气,收藏人气,加购人气,支付转化指数
2026-11-01,5550001,竞品面霜,"12,345",8800,5600,1200,1500,320
2026-11-02,5550001,竞品面霜,"13,010",9100,5800,1300,1600,335
"""
TRAFFIC_EXPORT = """统计日期,商品ID,店铺名称,流量来源,流量指数,支付转化指数,本店访客数,本店支付买家数
2026-11-01,5550001,竞店A,手淘搜索,3000,310,,
2026-11-01,5550001,竞店A,直通车,1000,280,,
2026-11-01,6100123,,手淘搜索,,,600,30
2026-11-01,6100123,,直通车,,,400,8
"""


def test_sycm_rival_exports_are_stored_as_indices(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert run_cli("init", root).exit_code == 0
    assert run_cli("--workspace", root, "shop", "add", SHOP, "--platform", "tmall").exit_code == 0
    items = tmp_path / "竞品分析.csv"
    items.write_text(ITEM_EXPORT, encoding="utf-8")
    traffic = tmp_path / "入店来源.csv"
    traffic.write_text(TRAFFIC_EXPORT, encoding="utf-8")
    result = run_cli("--workspace", root, "import", items, traffic)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "✓ 竞品分析.csv — 生意参谋 · 竞品分析（sycm_rival_item）：2 行，2026-11-01…2026-11-02，店铺 云朵旗舰店",
        "✓ 入店来源.csv — 生意参谋 · 竞品入店来源（sycm_rival_traffic）：4 行，2026-11-01，店铺 云朵旗舰店",
    ]
    mix = json.loads(run_cli("--workspace", root, "rival", "traffic", "--format", "json").output)
    rival = {m["traffic_source"]: m for m in mix if m["item_id"] == "5550001"}
    ours = {m["traffic_source"]: m for m in mix if m["item_id"] == "6100123"}
    assert rival["手淘搜索"]["index_share"] == 0.75 and ours["直通车"]["conversion_rate"] == 0.02
    day = ("--from", "2026-11-01", "--to", "2026-11-01")
    table = run_cli("--workspace", root, "rival", "traffic", *day, "--format", "table")  # not TSV: piped
    assert "3,000" in table.output and "¥" not in table.output
    # Without our own 交易指数 there is no mapping: a clear message, no traceback.
    estimate = run_cli("--workspace", root, "rival", "estimate", "--to", "2026-11-02")
    assert (estimate.exit_code, estimate.output) == (
        1,
        "错误 指数还原 至少需要 7 天同时有本店交易指数和支付金额（找到 0 天）"
        "— 导入同一段日期的 生意参谋 本店交易指数（sycm_own_index）和 店铺整体 导出\n",
    )
    price = run_cli(
        "--workspace", root, "rival", "price", "竞店A", "5550001", "¥89.90", "--date", "2026-11-02"
    )
    assert price.exit_code == 0, price.output
    note = run_cli("--workspace", root, "rival", "note", "竞店A", "双11 直播间 5 折", "--date", "2026-11-02")
    assert note.exit_code == 0, note.output
    bad = run_cli("--workspace", root, "rival", "price", "竞店A", "5550001", "八十", "--date", "2026-11-02")
    assert (bad.exit_code, bad.output) == (1, "错误 价格 '八十' 不是金额 — 例如写 89.90\n")
    notes = json.loads(
        run_cli("--workspace", root, "rival", "notes", "--to", "2026-11-02", "--format", "json").output
    )
    assert [(n["price"], n["note"]) for n in notes] == [(None, "双11 直播间 5 折"), (89.9, "")]
