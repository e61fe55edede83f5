"""The audit log through the real CLI: every change a command makes is recorded exactly once, with
who (the OS user), from where (cli), what and when; a refused import records nothing; `shopops audit`
lists, filters and exports the records, and `--verify` finds a record edited by hand."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
import re
from pathlib import Path
from typing import Any

import duckdb
from rich.cells import cell_len

from shopops.demo.writers import write_csv
from shopops.ingest.pipeline import file_hash
from tests.conftest import DemoWorkspace

ME = getpass.getuser()
CLOUD = "云朵旗舰店"
SRC = Path(__file__).resolve().parents[2] / "src" / "shopops"


def log(demo: DemoWorkspace, *args: str) -> list[dict[str, Any]]:
    result = demo.cli("audit", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records


def ok(demo: DemoWorkspace, *args: str | Path, stdin: str | None = None) -> str:
    from click.testing import CliRunner

    from shopops.cli.main import cli

    result = CliRunner().invoke(cli, ["--workspace", str(demo.root), *map(str, args)], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def new_since(demo: DemoWorkspace, before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {r["id"] for r in before}
    return [r for r in log(demo) if r["id"] not in seen]


def shop_export(demo: DemoWorkspace) -> Path:
    return next(f for f in demo.files if "店铺整体_" in f.name and CLOUD in f.name)


def test_an_import_is_recorded_once_and_a_refused_one_not_at_all(fresh_demo: DemoWorkspace) -> None:
    demo = fresh_demo
    # `configure` registered the demo shops through Workspace.add_shop: one record each.
    first = log(demo)
    assert [(r["action"], r["actor"], r["via"]) for r in first] == [("shop.add", ME, "cli")] * len(first)
    assert CLOUD in {r["target"] for r in first} and len(first) == 2

    # An accepted import: one record with the file, its sha256, source, shops and rows.
    export = shop_export(demo)
    before = log(demo)
    output = ok(demo, "import", export)
    (record,) = new_since(demo, before)
    assert (record["action"], record["actor"], record["via"], record["target"]) == (
        "import",
        ME,
        "cli",
        export.name,
    )
    detail = record["detail"]
    assert detail["sha256"] == file_hash(export)
    assert (detail["source"], detail["shops"], detail["rows_replaced"]) == ("sycm_shop_daily", [CLOUD], 0)
    assert f"：{detail['rows']} 行，" in output and record["shops"] == [CLOUD]

    # The same file again changes nothing, and records nothing.
    before = log(demo)
    assert "：已导入过，没有改动" in ok(demo, "import", export)
    assert new_since(demo, before) == []

    # A corrected later export replaces 3 days: its record says so.
    end = demo.manifest["end"]
    days = sorted(demo.manifest["shops"][CLOUD]["days"])[-3:]
    rows = [[day, 1000 + i, "8,888.88" if day == end else "100.00"] for i, day in enumerate(days)]
    corrected = write_csv(
        demo.exports / f"店铺整体_{CLOUD}_更正.csv", ["统计日期", "访客数", "支付金额"], rows
    )
    ok(demo, "import", corrected)
    (record,) = new_since(demo, before)
    assert (record["detail"]["rows"], record["detail"]["rows_replaced"]) == (3, 3)

    # A refused file leaves no record.
    bad = write_csv(
        demo.exports / f"店铺整体_{CLOUD}_坏.csv", ["统计日期", "访客数", "支付金额"], [[end, 1, "12,3x4"]]
    )
    before = log(demo)
    refused = demo.cli("import", bad)
    assert (
        refused.exit_code == 1
        and "第 2 行「支付金额」列：值 “12,3x4” 不是金额 — 写普通数字" in refused.output
    )
    assert new_since(demo, before) == []


def test_every_other_change_made_on_the_command_line_is_recorded_once(fresh_demo: DemoWorkspace) -> None:
    demo = fresh_demo
    # Shops, users, targets and a saved mapping: one record each, in this order.
    before = log(demo)
    ok(demo, "shop", "add", "新开小店", "--platform", "taobao", "--fee-rate", "0.03")
    ok(
        demo,
        "user",
        "add",
        "小王",
        "--role",
        "operator",
        "--shops",
        CLOUD,
        "--password-stdin",
        stdin="pass-word-1\n",
    )
    ok(demo, "user", "password", "小王", "--password-stdin", stdin="pass-word-2\n")
    ok(demo, "user", "remove", "小王")
    ok(demo, "targets", "set", "-p", "2026-11", "-m", "gmv", "-v", "600000", "-s", CLOUD)
    ok(demo, "targets", "group", "主力店", "--shops", f"{CLOUD},新开小店")
    ok(demo, "targets", "remove", "-p", "2026-11", "-m", "gmv", "-s", CLOUD)
    mapped = write_csv(
        demo.exports / "自制日报.csv", ["日子", "人数", "成交"], [["2026-11-01", "10", "99.00"]]
    )
    ok(
        demo,
        "import",
        mapped,
        "--shop",
        "新开小店",
        "--map",
        "日子=date,人数=visitors,成交=gmv",
        "--save-source",
        "自制日报",
    )
    changes = new_since(demo, before)
    assert [(r["action"], r["target"]) for r in changes] == [
        ("shop.add", "新开小店"),
        ("user.add", "小王"),
        ("user.password", "小王"),
        ("user.remove", "小王"),
        ("target.set", f"2026-11 {CLOUD} gmv"),
        ("target.group", "主力店"),
        ("target.remove", f"2026-11 {CLOUD} gmv"),
        ("import", "自制日报.csv"),
        ("source.save", "自制日报"),
    ]
    assert {(r["actor"], r["via"]) for r in changes} == {(ME, "cli")}
    by_action = {r["action"]: r for r in changes}
    assert by_action["shop.add"]["detail"] == {"shop": "新开小店", "platform": "taobao", "fee_rate": "0.03"}
    assert by_action["user.add"]["detail"] == {"role": "operator", "shops": [CLOUD]}
    assert by_action["user.add"]["shops"] == [CLOUD]
    assert by_action["target.set"]["detail"]["value"] == "600000.00"
    assert by_action["target.group"]["shops"] == [CLOUD, "新开小店"]
    assert by_action["source.save"]["detail"]["map"] == {"日子": "date", "人数": "visitors", "成交": "gmv"}
    assert all(dt.datetime.fromisoformat(r["at"]).date() == dt.date.today() for r in changes)
    ids = [r["id"] for r in log(demo)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_listing_filters_and_exports(fresh_demo: DemoWorkspace) -> None:
    demo = fresh_demo
    ok(demo, "shop", "add", "=cmd|' /C calc'!A0", "--platform", "taobao")
    ok(demo, "user", "add", "@boss", "--role", "admin", "--password-stdin", stdin="pass-word-1\n")
    today = dt.date.today()
    assert len(log(demo, "--from", str(today), "--to", str(today))) == 4
    assert log(demo, "--from", str(today + dt.timedelta(days=1))) == []
    assert log(demo, "--to", str(today - dt.timedelta(days=1))) == []
    assert [r["target"] for r in log(demo, "--action", "user")] == ["@boss"]
    assert [r["target"] for r in log(demo, "--action", "user.add")] == ["@boss"]
    assert log(demo, "--action", "user.remove") == []

    # CSV: a header, one row per record, formula-like cells neutralised with a leading '.
    text = ok(demo, "audit", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "id",
        "at",
        "actor",
        "via",
        "action",
        "action_label",
        "target",
        "shops",
        "detail",
    ]
    assert len(rows) == 4
    assert rows[2]["target"] == "'=cmd|' /C calc'!A0" and rows[2]["action_label"] == "添加店铺"
    assert rows[3]["target"] == "'@boss" and json.loads(rows[3]["detail"]) == {"role": "admin", "shops": None}
    assert rows[3]["shops"] == "*"
    out = demo.root / "审计.csv"
    ok(demo, "audit", "--format", "csv", "-o", str(out))
    assert out.read_text(encoding="utf-8-sig") == text

    # The table: Chinese headers, every line within 80 columns.
    table = ok(demo, "audit")
    assert all(word in table for word in ("时间", "谁", "来源", "操作", "对象", "详情", "添加用户"))
    assert max(cell_len(line) for line in table.splitlines()) <= 80

    bad = demo.cli("audit", "--from", str(today), "--to", str(today - dt.timedelta(days=1)))
    assert (
        bad.exit_code == 1
        and bad.stderr.count("\n") == 1
        and "晚于 --to" in bad.stderr
        and "— 请对调" in bad.stderr
    )


def test_verify_finds_records_edited_or_removed_by_hand(fresh_demo: DemoWorkspace) -> None:
    demo = fresh_demo
    ok(demo, "shop", "add", "新开小店", "--platform", "taobao")
    assert re.search(
        r"审计记录完整: 3 条记录均未被改动 .*最新 #3 sha256 [0-9a-f]{16}", ok(demo, "audit", "--verify")
    )

    with duckdb.connect(str(demo.root / "warehouse.duckdb")) as con:
        con.execute("UPDATE audit_log SET actor = 'someone-else' WHERE audit_id = 2")
    result = demo.cli("audit", "--verify")
    assert result.exit_code == 1
    assert "✗ record #2 (" in result.stdout and "was changed after it was written" in result.stdout
    assert "record #3" not in result.stdout  # it hashed record 2's stored hash, which is unchanged
    assert result.stderr.count("\n") == 1 and "审计日志：3 条记录中有 1 条未通过校验" in result.stderr

    # Hiding the edit by recomputing record 2's hash breaks record 3, which hashed the old one.
    with duckdb.connect(str(demo.root / "warehouse.duckdb")) as con:
        con.execute("UPDATE audit_log SET row_hash = repeat('0', 64) WHERE audit_id = 2")
        con.execute("DELETE FROM audit_log WHERE audit_id = 1")
    result = demo.cli("audit", "--verify")
    assert result.exit_code == 1
    assert "✗ record #2 follows record #1, which is missing" in result.stdout
    assert "✗ record #3 (" in result.stdout and "审计日志：2 条记录中有 2 条未通过校验" in result.stderr


def test_no_code_path_rewrites_audit_records() -> None:
    rewriting = re.compile(r"(UPDATE|DELETE\s+FROM|DROP\s+TABLE|TRUNCATE)\s+(IF\s+EXISTS\s+)?audit_log", re.I)
    found = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*")
        if path.suffix in (".py", ".sql") and rewriting.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
