"""Backup and restore: demo workspace → backup → restore elsewhere → the same warehouse, to the row."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.operations.archive import MANIFEST, WAREHOUSE_MEMBER, write_archive
from shopops.warehouse.connection import migration_scripts
from shopops.workspace import Workspace
from tests.conftest import DemoWorkspace, run_cli

AGAIN = "重新完整复制这个文件，或换一份备份"


@pytest.fixture(scope="module")
def source(imported_demo: DemoWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the imported demo workspace (backups write to the audit log of what they back up)."""
    root = tmp_path_factory.mktemp("backup") / "source"
    shutil.copytree(imported_demo.root, root)
    return root


@pytest.fixture(scope="module")
def backup_file(source: Path) -> Path:
    target = source.parent / "demo-backup.zip"
    result = run_cli("-w", source, "backup", "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"✓ 已备份 → {target}（") and "张表" in result.stdout
    return target


def tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [database]
        ).fetchall()
    ]


@pytest.fixture
def both(source: Path, tmp_path: Path, backup_file: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """The source and its restored copy attached side by side (read-only), and the copy's root."""
    restored = tmp_path / "restored"
    result = run_cli("restore", backup_file, "--to", restored)
    assert result.exit_code == 0, result.output
    assert f"为新工作区 {restored}" in result.stdout
    con = duckdb.connect()
    con.execute(f"ATTACH '{source / 'warehouse.duckdb'}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{restored / 'warehouse.duckdb'}' AS b (READ_ONLY)")
    yield con, restored
    con.close()


def test_round_trip_keeps_every_table_and_the_master_table(
    both: tuple[duckdb.DuckDBPyConnection, Path], source: Path, backup_file: Path
) -> None:
    con, restored = both
    manifest = json.loads(zipfile.ZipFile(backup_file).read(MANIFEST))
    assert tables(con, "a") == tables(con, "b") == sorted(manifest["tables"])
    assert manifest["schema_version"] == max(v for v, _, _ in migration_scripts())
    for table in tables(con, "a"):
        count = con.execute(f"SELECT count(*) FROM b.{table}").fetchone()
        if table == "audit_log":  # the backup's own record comes after the copy; the restore adds one
            assert count == (manifest["tables"][table] + 1,)
            continue
        assert count == (manifest["tables"][table],), table
        assert con.execute(f"SELECT count(*) FROM a.{table}").fetchone() == count, table
        for first, second in (("a", "b"), ("b", "a")):  # identical rows, DECIMAL values to the cent
            only = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM {first}.{table} EXCEPT ALL SELECT * FROM {second}.{table})"
            ).fetchone()
            assert only == (0,), f"{table}: rows only in {first}"
    column_types = (
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = ? ORDER BY ALL"
    )
    assert con.execute(column_types, ["a"]).fetchall() == con.execute(column_types, ["b"]).fetchall()
    original = con.execute("SELECT * FROM a.audit_log ORDER BY audit_id").fetchall()
    copied = con.execute("SELECT * FROM b.audit_log ORDER BY audit_id").fetchall()
    assert copied[:-1] == original[: len(copied) - 1]
    assert copied[-1][4] == "restore" and copied[-1][5] == backup_file.name
    sequences = "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE database_name = ? ORDER BY 1"
    assert con.execute(sequences, ["a"]).fetchall() == con.execute(sequences, ["b"]).fetchall()

    con.close()  # the CLI below opens both warehouses
    with Workspace.open(source) as workspace:
        first, last = workspace.data_dates()
    assert first is not None and last is not None
    span = ("table", "master", "--from", str(first), "--to", str(last), "--format", "csv")
    before = run_cli("-w", source, *span)
    after = run_cli("-w", restored, *span)
    assert before.exit_code == after.exit_code == 0
    assert len(before.stdout.splitlines()) == 2 * ((last - first).days + 1) + 1  # two shops a day
    assert after.stdout == before.stdout


def test_a_restored_warehouse_numbers_imports_after_the_last_one(
    both: tuple[duckdb.DuckDBPyConnection, Path],
) -> None:
    con, restored = both
    con.close()
    with duckdb.connect(str(restored / "warehouse.duckdb")) as copy:
        last = copy.execute("SELECT max(import_id) FROM imports").fetchone()
        assert last is not None and last[0] > 1
        assert copy.execute("SELECT nextval('import_id_seq')").fetchone() == (last[0] + 1,)


def test_verify_says_what_the_backup_holds(backup_file: Path) -> None:
    result = run_cli("backup", "--verify", backup_file)
    assert result.exit_code == 0, result.output
    manifest = json.loads(zipfile.ZipFile(backup_file).read(MANIFEST))
    rows = sum(manifest["tables"].values())
    assert result.stdout == (
        f"✓ {backup_file.name} 完好: ShopOps {manifest['shopops_version']}，{manifest['created_at']}，"
        f"数据结构 {manifest['schema_version']:03d}，{len(manifest['tables'])} 张表，{rows:,} 行，"
        "2 个文件的大小与 sha256 一致\n"
    )
    assert set(manifest["members"]) == {WAREHOUSE_MEMBER, "shopops.yaml"}


def test_a_truncated_backup_is_refused_by_verify_and_restore(
    source: Path, backup_file: Path, tmp_path: Path
) -> None:
    data = backup_file.read_bytes()
    name_length, extra_length = struct.unpack("<HH", data[26:30])  # the warehouse is the first member
    start = 30 + name_length + extra_length
    packed = zipfile.ZipFile(backup_file).getinfo(WAREHOUSE_MEMBER).compress_size
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: start + 1000])
    expected = f"错误 cut.zip：成员 {WAREHOUSE_MEMBER} 只剩 1,000 字节（应有 {packed:,} 字节，文件被截断了） — {AGAIN}\n"
    verify = run_cli("backup", "--verify", cut)
    assert (verify.exit_code, verify.stdout, verify.stderr) == (1, "", expected)
    target = tmp_path / "never"
    restore = run_cli("restore", cut, "--to", target)
    assert (restore.exit_code, restore.stdout, restore.stderr) == (1, "", expected)
    assert not target.exists() and [p.name for p in tmp_path.iterdir()] == ["cut.zip"]
    over = run_cli("-w", source, "restore", cut, "--force")  # refused before the safety backup
    assert (over.exit_code, over.stdout, over.stderr) == (1, "", expected)
    assert not (source / "backups").exists()

    cut.write_bytes(data[:-10])  # only the end (the ZIP directory) is missing
    verify = run_cli("backup", "--verify", cut)
    assert verify.exit_code == 1
    assert verify.stderr == (
        f"错误 cut.zip：它的 ZIP 目录（在文件末尾）缺失或损坏（文件被截断了） — {AGAIN}\n"
    )


def test_a_changed_backup_is_refused(backup_file: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.zip"
    data = bytearray(backup_file.read_bytes())
    data[2000] ^= 0xFF
    changed.write_bytes(bytes(data))
    result = run_cli("backup", "--verify", changed)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误 changed.zip：成员 {WAREHOUSE_MEMBER} 已损坏（")
    assert result.stderr.endswith(f"：文件被改动过） — {AGAIN}\n") and result.stderr.count("\n") == 1

    # A member replaced together with its CRC (a well-formed ZIP): its sha256 no longer matches.
    swapped = tmp_path / "swapped.zip"
    with zipfile.ZipFile(backup_file) as original, zipfile.ZipFile(swapped, "w") as copy:
        for info in original.infolist():
            content = original.read(info)
            copy.writestr(info.filename, content + b"#" if info.filename == "shopops.yaml" else content)
    result = run_cli("backup", "--verify", swapped)
    assert result.exit_code == 1
    assert result.stderr.startswith("错误 swapped.zip：成员 shopops.yaml 有 ")
    assert result.stderr.endswith(f"（文件被改动过） — {AGAIN}\n")

    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello", encoding="utf-8")
    result = run_cli("backup", "--verify", not_zip)
    assert (
        result.stderr
        == "错误 notes.zip 不是 ShopOps 备份（不是 ZIP 文件）— 传入 `shopops backup` 写出的文件\n"
    )


def test_a_backup_of_a_newer_schema_is_refused(backup_file: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(backup_file) as archive:
        archive.extractall(unpacked)
        manifest = json.loads(archive.read(MANIFEST))
    newer = tmp_path / "newer.zip"
    manifest["schema_version"] = 999
    del manifest["members"]
    members = [(name, unpacked / name) for name in (WAREHOUSE_MEMBER, "shopops.yaml")]
    write_archive(newer, members, manifest)
    newest = max(v for v, _, _ in migration_scripts())
    result = run_cli("restore", newer, "--to", tmp_path / "new")
    assert result.exit_code == 1
    assert result.stderr == (
        f"错误 newer.zip 由更新版本的 ShopOps 制作（{manifest['shopops_version']}，结构版本 999，"
        f"本版本只认识到 {newest:03d}）— 升级 ShopOps（pip install -U shopops）后再恢复\n"
    )
    assert not (tmp_path / "new").exists()


def test_restore_over_a_workspace_needs_force_and_backs_it_up_first(
    backup_file: Path, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    assert run_cli("restore", backup_file, "--to", root).exit_code == 0
    assert run_cli("-w", root, "shop", "add", "新开小店", "--platform", "taobao").exit_code == 0
    (root / "shopops.yaml").write_text(
        (root / "shopops.yaml").read_text(encoding="utf-8") + "\n# changed after the backup\n",
        encoding="utf-8",
    )

    refused = run_cli("-w", root, "restore", backup_file)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"错误 恢复 {backup_file.name} 会替换 {root} 处的工作区 — 确认请加 --force（会先备份），"
        "或用 --to 目录 恢复到新文件夹\n"
    )
    result = run_cli("-w", root, "restore", backup_file, "--force")
    assert result.exit_code == 0, result.output
    [before] = (root / "backups").glob("before-restore-*.zip")
    assert result.stdout.splitlines()[0].startswith(f"✓ 已先备份当前工作区 → {before}（")
    with Workspace.open(root) as workspace:
        assert "新开小店" not in {name for name, _, _ in workspace.shops()}
        actions = [
            r[0]
            for r in workspace.connection.execute("SELECT action FROM audit_log ORDER BY audit_id").fetchall()
        ]
    assert actions[-3:] == ["shop.add", "backup", "restore"]  # the log is kept, with the restore
    assert "# changed after the backup" not in (root / "shopops.yaml").read_text(encoding="utf-8")
    kept = json.loads(zipfile.ZipFile(before).read(MANIFEST))
    original = json.loads(zipfile.ZipFile(backup_file).read(MANIFEST))
    assert kept["tables"]["shops"] == original["tables"]["shops"] + 1  # the new shop is in the safety copy

    again = run_cli("restore", before, "--to", tmp_path / "ws-before")
    assert again.exit_code == 0, again.output
    assert "新开小店" in run_cli("-w", tmp_path / "ws-before", "shop", "list").stdout


def test_restore_into_a_folder_that_is_not_empty_is_refused(backup_file: Path, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("restore", backup_file, "--to", tmp_path / "full")
    assert result.exit_code == 1
    assert result.stderr == (
        f"错误 {tmp_path / 'full'} 不是空的 — 恢复到新文件夹，或用"
        f" `shopops -w {tmp_path / 'full'} restore {backup_file} --force` 替换那里的工作区\n"
    )
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]


def test_daily_run_keeps_the_newest_backups(backup_file: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert run_cli("restore", backup_file, "--to", root).exit_code == 0
    config = root / "shopops.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\nbackup: {keep: 2, dir: safe}\n", encoding="utf-8"
    )
    day = str(dt.date(2026, 11, 24))
    made = []
    for _ in range(3):
        result = run_cli("-w", root, "run", "daily", "--no-push", "--date", day)
        assert result.exit_code == 0, result.output
        line = next(line for line in result.stdout.splitlines() if line.startswith("✓ 备份 → "))
        made.append(Path(line.removeprefix("✓ 备份 → ").split("（")[0]))
        assert line.endswith(("（保留最近 2 份每日备份）", "（保留最近 2 份每日备份，删除了 1 份更早的）"))
    assert all(path.parent == root / "safe" for path in made)
    assert sorted((root / "safe").glob("daily-*.zip")) == sorted(made[1:])

    config.write_text(config.read_text(encoding="utf-8").replace("keep: 2", "keep: -1"), encoding="utf-8")
    bad = run_cli("-w", root, "backup")
    assert bad.exit_code == 1
    assert bad.stderr == "错误 shopops.yaml：backup.keep 是 -1；请写 0 或更大的整数（0 = 不做每日备份）\n"


def test_commands_are_handed_to_a_running_dashboard(
    backup_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While `shopops serve` runs, its connection makes the copy, the rename, the removal and the
    restore: no command opens the warehouse itself, and the server sees every change at once."""
    from shopops.web import cache
    from shopops.web.app import create_app
    from tests.web.conftest import WebDemo, serving

    root = tmp_path / "served"
    assert run_cli("restore", backup_file, "--to", root).exit_code == 0
    workspace = Workspace.open(root)
    web = WebDemo(root, root, root, workspace, create_app(workspace), {})
    monkeypatch.chdir(tmp_path)
    try:
        with serving(web, local_cli=True):

            def no_second_writer(*_: object) -> None:
                raise AssertionError(
                    "the CLI opened the warehouse itself instead of handing the command over"
                )

            monkeypatch.setattr(Workspace, "open", no_second_writer)
            result = run_cli("-w", root, "backup", "-o", "served.zip")
            assert result.exit_code == 0, result.output
            assert result.stdout.startswith(f"✓ 已备份 → {tmp_path / 'served.zip'}（")
            assert run_cli("backup", "--verify", "served.zip").exit_code == 0

            result = run_cli("-w", root, "shop", "rename", "小野家居", "大野家居")
            assert result.exit_code == 0, result.output
            assert "大野家居" in {name for name, _, _ in workspace.shops()}
            assert (
                "大野家居" in workspace.settings.shipping_by_shop
            )  # the yaml rule followed, and was reloaded

            args = ["-w", str(root), "shop", "remove", "大野家居"]
            result = CliRunner().invoke(cli, args, input="y\n", catch_exceptions=False)
            assert result.exit_code == 0, result.output
            assert {name for name, _, _ in workspace.shops()} == {"云朵旗舰店"}

            result = run_cli("-w", root, "restore", "served.zip", "--force")
            assert result.exit_code == 0, result.output
            assert {name for name, _, _ in workspace.shops()} == {"云朵旗舰店", "小野家居"}
            assert "小野家居" in workspace.settings.shipping_by_shop
    finally:
        cache.wait_idle()
        workspace.close()


def test_restore_over_a_workspace_rolls_back_no_security_state(backup_file: Path, tmp_path: Path) -> None:
    """A token revoked since the backup stays revoked; every login session ends."""
    from shopops.web import accounts

    root = tmp_path / "ws"
    assert run_cli("restore", backup_file, "--to", root).exit_code == 0
    with Workspace.open(root) as workspace:
        con = workspace.connection
        carol = accounts.add_user(con, "carol", "long-password-1", "admin", None)
        token = accounts.create_token(con, "carol")
        accounts.create_session(con, carol)
    assert run_cli("-w", root, "backup", "-o", tmp_path / "with-token.zip").exit_code == 0
    assert run_cli("-w", root, "user", "revoke", "carol", "--all").exit_code == 0

    result = run_cli("-w", root, "restore", tmp_path / "with-token.zip", "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "  审计日志与 API 令牌保持原样（已吊销的令牌不会复活），所有登录会话已结束，请重新登录网页"
    )
    with Workspace.open(root) as workspace:
        con = workspace.connection
        assert accounts.get_user(con, "carol") is not None  # the users are the backup's
        with pytest.raises(accounts.TokenRejected, match="was revoked"):
            accounts.user_for_token(con, token)
        assert con.execute("SELECT count(*) FROM web_sessions").fetchone() == (0,)
