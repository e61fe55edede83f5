"""Workspace discovery, shops, sources listing, custom mappings, migrations."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from shopops.demo.writers import write_csv
from shopops.warehouse.connection import migration_scripts
from tests.conftest import run_cli


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ops"
    assert run_cli("init", root).exit_code == 0
    return root


def test_init_creates_the_layout_and_migrations_are_recorded(workspace: Path) -> None:
    assert (workspace / "shopops.yaml").is_file() and (workspace / "inbox").is_dir()
    assert (workspace / "reports").is_dir()
    with duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()]
    assert versions == [v for v, _, _ in migration_scripts()]
    assert run_cli("init", workspace).exit_code == 0  # a second init changes nothing


def test_workspace_is_found_by_option_environment_and_folder(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run_cli("-w", workspace, "shop", "add", "甲店", "--platform", "taobao").exit_code == 0
    monkeypatch.setenv("SHOPOPS_HOME", str(workspace))
    assert "甲店" in run_cli("shop", "list").output
    monkeypatch.delenv("SHOPOPS_HOME")
    monkeypatch.chdir(workspace / "inbox")
    assert "甲店" in run_cli("shop", "list").output
    monkeypatch.chdir(tmp_path)
    result = run_cli("shop", "list")
    assert result.exit_code == 1
    assert result.output == (
        f"错误 {tmp_path} 没有 ShopOps 工作区 — 用 `shopops init 目录` 创建，然后传入 --workspace 目录、"
        "设置 SHOPOPS_HOME=目录，或在工作区目录中运行命令\n"
    )


def test_shop_errors_say_how_to_fix(workspace: Path) -> None:
    run_cli("-w", workspace, "shop", "add", "甲店", "--platform", "taobao")
    again = run_cli("-w", workspace, "shop", "add", "甲店", "--platform", "tmall")
    assert (
        again.exit_code == 1
        and again.output == "错误 店铺 '甲店' 已存在（平台 taobao）— 见 `shopops shop list`\n"
    )
    bad = run_cli("-w", workspace, "shop", "add", "乙店", "--platform", "pdd")
    assert bad.exit_code == 2  # usage error from the option's choices
    rate = run_cli("-w", workspace, "shop", "add", "丙店", "--platform", "tmall", "--fee-rate", "5")
    assert rate.exit_code == 1 and rate.output == "错误 --fee-rate 5 须为 0 到 1 之间的小数（0.05 = 5%）\n"


def test_sources_lists_every_export_type(workspace: Path) -> None:
    result = run_cli("-w", workspace, "sources", "--format", "json")
    keys = {s["key"] for s in json.loads(result.output)}
    assert {
        "sycm_shop_daily",
        "sycm_item_daily",
        "qianniu_orders",
        "qianniu_order_lines",
        "qianniu_refunds",
        "ztc_report",
        "ylmf_report",
        "wxt_report",
        "taobao_union",
        "sku_cost",
    } <= keys


def test_unknown_file_imports_with_a_mapping_that_is_saved_as_a_source(
    workspace: Path, tmp_path: Path
) -> None:
    run_cli("-w", workspace, "shop", "add", "甲店", "--platform", "taobao")
    header = ["单号", "付款于", "实收"]
    first = write_csv(
        tmp_path / "erp-orders-1.csv", header, [["A1", "2026-11-01 10:00:00", "99.50"], ["A2", "", "10.00"]]
    )
    refused = run_cli("-w", workspace, "import", first)
    assert refused.exit_code == 1 and refused.output == (
        "✗ erp-orders-1.csv：表头（单号, 付款于, 实收）不匹配任何已知导出类型 — 在 shopops.yaml 中把缺的列名加为别名，"
        "或用 --source KEY --map 源列=标准列名 导入（见 `shopops sources`）\n"
    )
    mapped = run_cli(
        "-w",
        workspace,
        "import",
        first,
        "--map",
        "单号=order_id,付款于=paid_at,实收=total_amount",
        "--save-source",
        "erp_orders",
    )
    assert mapped.exit_code == 0, mapped.output
    assert "已保存自定义来源 erp_orders" in mapped.output
    second = write_csv(tmp_path / "erp-orders-2.csv", header, [["A3", "2026-11-02 09:00:00", "20.00"]])
    again = run_cli("-w", workspace, "import", second)
    assert again.exit_code == 0, again.output
    assert "（erp_orders）：1 行，2026-11-02，" in again.output
    table = run_cli("-w", workspace, "table", "master", "--from", "2026-11-01", "--to", "2026-11-02").output
    assert [line.split(",")[3] for line in table.splitlines()[1:]] == ["99.50", "20.00"]


def test_a_header_alias_in_the_config_is_used(workspace: Path, tmp_path: Path) -> None:
    run_cli("-w", workspace, "shop", "add", "甲店", "--platform", "taobao")
    config = workspace / "shopops.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "\naliases: {}", "\naliases:\n  taobao_union:\n    commission: [佣金支出]"
        ),
        encoding="utf-8",
    )
    file = write_csv(tmp_path / "联盟.csv", ["统计日期", "佣金支出"], [["2026-11-01", "12.30"]])
    result = run_cli("-w", workspace, "import", file)
    assert result.exit_code == 0, result.output
    table = run_cli("-w", workspace, "table", "master", "--from", "2026-11-01", "--to", "2026-11-01").output
    assert "12.30" in table
