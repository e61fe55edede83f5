"""`shopops shop rename` and `shopops shop remove`: no row keeps the old name, in any table."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.operations.archive import MANIFEST
from tests.conftest import DemoWorkspace, run_cli

SHOP_A = "云朵旗舰店"
SHOP_B = "小野家居"


@pytest.fixture
def root(imported_demo: DemoWorkspace, tmp_path: Path) -> Path:
    """A copy of the imported demo with the shop also named in users, targets, groups, rivals and notes."""
    root = tmp_path / "ws"
    shutil.copytree(imported_demo.root, root)
    for name, shops in (("alice", f"{SHOP_A},{SHOP_B}"), ("bob", SHOP_B)):
        args = [
            "-w",
            str(root),
            "user",
            "add",
            name,
            "--role",
            "operator",
            "--shops",
            shops,
            "--password-stdin",
        ]
        assert CliRunner().invoke(cli, args, input="long-password-1\n").exit_code == 0
    for args in (
        ("targets", "set", "-p", "2026-11", "-m", "gmv", "-v", "300000", "-s", SHOP_B),
        ("targets", "group", "家居组", "--shops", f"{SHOP_A},{SHOP_B}"),
        ("rival", "add", "对手店", "--platform", "taobao", "--our-shop", SHOP_B),
        (
            "rival",
            "add",
            "对手店",
            "-p",
            "taobao",
            "--item",
            "A1",
            "--our-shop",
            SHOP_B,
            "--our-item",
            "6100123",
        ),
    ):
        result = run_cli("-w", root, *args)
        assert result.exit_code == 0, result.output
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute(
            "INSERT INTO finding_notes (date, shop, metric, acknowledged, user_name) VALUES (?, ?, 'gmv', true, 'alice')",
            [dt.date(2026, 11, 24), SHOP_B],
        )
    return root


def naming(root: Path, name: str) -> dict[str, int]:
    """Rows of every table (the audit log aside: history) with a text column that is ``name`` or a
    comma-separated list holding it — found by looking at every column, not the code's own list."""
    found: dict[str, int] = {}
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, list(column_name) FROM duckdb_columns()"
            " WHERE data_type = 'VARCHAR' AND table_name <> 'audit_log' AND NOT internal"
            " AND database_name = current_database() AND schema_name = 'main' GROUP BY table_name ORDER BY 1"
        ).fetchall()
        for table, names in columns:
            where = " OR ".join(f"list_contains(string_split({c}, ','), $1)" for c in names)
            row = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", [name]).fetchone()
            if row and row[0]:
                found[table] = row[0]
    return found


def master(root: Path) -> list[str]:
    result = run_cli(
        "-w", root, "table", "master", "--from", "2026-11-04", "--to", "2026-11-24", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_rename_moves_every_row_to_the_new_name(root: Path) -> None:
    before = naming(root, SHOP_B)
    assert {"shops", "sycm_shop_day", "orders", "imports", "users", "targets", "shop_groups"} <= set(before)
    assert {"rival_shops", "rival_items", "finding_notes"} <= set(before)
    table_before = master(root)

    result = run_cli("-w", root, "shop", "rename", SHOP_B, "大野家居")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"✓ 已将店铺 {SHOP_B} 改名为 大野家居：shops 1 行，")
    assert (
        f"sycm_shop_day {before['sycm_shop_day']} 行" in lines[0]
        and f"users {before['users']} 行" in lines[0]
    )
    assert lines[1] == "  shopops.yaml 的 shipping.shops 也已改为 大野家居"
    assert result.stderr == ""

    assert naming(root, SHOP_B) == {}
    assert naming(root, "大野家居") == before
    table_after = master(root)
    assert sorted(line.replace("大野家居", SHOP_B) for line in table_after) == sorted(table_before)
    listed = run_cli("-w", root, "user", "list").stdout
    assert "云朵旗舰店、大野家居" in listed and SHOP_B not in listed
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        record = con.execute(
            "SELECT action, target, shops FROM audit_log ORDER BY audit_id DESC LIMIT 1"
        ).fetchone()
    assert record == ("shop.rename", SHOP_B, "大野家居")


def test_rename_refuses_names_that_cannot_be(root: Path) -> None:
    before = naming(root, SHOP_B)
    exists = f"店铺 '{SHOP_A}' 已存在 — 换一个名称（或先删除它：shopops shop remove {SHOP_A}）"
    comma = "店铺名 '小野,家居' 含逗号 — 店铺列表用逗号分隔；请换一个不含 , 或 ， 的名称"
    cases = [
        (SHOP_B, SHOP_A, exists),
        (SHOP_B, "小野,家居", comma),
        ("小野", "大野", "没有店铺 '小野' — 用 `shopops shop list` 查看店铺名"),
    ]
    for old, new, message in cases:
        result = run_cli("-w", root, "shop", "rename", old, new)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"错误 {message}\n")
    assert naming(root, SHOP_B) == before


def test_remove_asks_backs_up_and_deletes_every_row(root: Path) -> None:
    before = naming(root, SHOP_B)
    others = naming(root, SHOP_A)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT count(*) FROM imports WHERE list_contains(string_split(shops, ','), ?) AND shops LIKE '%,%'",
            [SHOP_B],
        ).fetchone()
    shared = row[0] if row else 0

    args = ["-w", str(root), "shop", "remove", SHOP_B]
    declined = CliRunner().invoke(cli, args, input="n\n")
    assert declined.exit_code == 1
    assert declined.stderr.endswith(f"未删除店铺 {SHOP_B}，没有任何改动（不询问: --yes）\n")
    assert naming(root, SHOP_B) == before and not (root / "backups").exists()

    result = run_cli("-w", root, "shop", "remove", SHOP_B, "--yes")
    assert result.exit_code == 0, result.output
    [backup] = (root / "backups").glob("before-remove-*.zip")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"✓ 已先备份 → {backup}（")
    # An import of both shops (the demo's 商品资料) keeps its other shop: its list is edited, not deleted.
    deleted = {"shops": 1} | {table: n for table, n in before.items() if table not in ("shops", "users")}
    deleted["imports"] -= shared
    per_table = "，".join(f"{table} {n:,} 行" for table, n in deleted.items())
    assert lines[1] == f"✓ 已删除店铺 {SHOP_B}：共 {sum(deleted.values()):,} 行（{per_table}）"
    edited = f"imports {shared} 行，users {before['users']} 行" if shared else f"users {before['users']} 行"
    assert lines[2] == f"  店铺列表中去掉了 {SHOP_B}：{edited}"  # alice keeps 云朵旗舰店
    assert result.stderr == f"注意：shopops.yaml 仍写着 {SHOP_B} — 如也要改，请在那里修改\n"

    assert naming(root, SHOP_B) == {}
    assert naming(root, SHOP_A) == others  # the other shop keeps every row
    assert all(line.split(",")[1] == SHOP_A for line in master(root)[1:])
    listed = run_cli("-w", root, "user", "list").stdout
    assert "alice" in listed and "bob" in listed  # bob keeps his account, with no shop left

    kept = json.loads(zipfile.ZipFile(backup).read(MANIFEST))
    assert kept["tables"]["sycm_shop_day"] == before["sycm_shop_day"] + others["sycm_shop_day"]
    restored = root.parent / "restored"
    assert run_cli("restore", backup, "--to", restored).exit_code == 0
    assert naming(restored, SHOP_B) == before
