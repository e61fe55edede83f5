"""Faults of the machine, not of the input: each ends as one line (what, where, what to do).

Killed imports leave no litter outside the workspace, a full disk during an import changes
nothing, a damaged warehouse or one written by a newer ShopOps is named as such, and a stale
serve file (its pid reused) does not lock every command out. Everything runs the real CLI on
real DuckDB files; the full disk is a real one: the CLI runs in a subprocess whose file size
limit (RLIMIT_FSIZE) makes writes past it fail as they do on a full disk.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.warehouse.connection import migration_scripts
from shopops.web.security import SERVE_FILE
from shopops.workspace import STALE_AFTER, TEMP_NAME

FILES = Path(__file__).resolve().parents[1] / "gallery" / "files"
SHOP = "某某旗舰店"
SHOP_FILE = FILES / "生意参谋_店铺整体.csv"  # one row of 生意参谋 店铺整体 for 2024-11-01
ORDERS_HEADER = "订单编号,订单付款时间,买家实际支付金额"
RUN_CLI = "import sys; from shopops.cli.main import cli; cli(sys.argv[1:], prog_name='shopops')"
DAMAGED = (  # as `shopops` says it (Chinese, the default language)
    "{root} 中的 warehouse.duckdb 无法打开（{reason}）：已损坏"
    " — 恢复备份（shopops restore 文件），或将它移走后重新导入文件"
)


def invoke(*args: str | Path) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr, result.exception


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "ws"
    assert invoke("init", root)[0] == 0
    assert invoke("-w", root, "shop", "add", SHOP, "--platform", "tmall")[0] == 0
    return root


@pytest.fixture
def workspace(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    return root


def orders_csv(path: Path, rows: int, encoding: str = "utf-8") -> Path:
    lines = [ORDERS_HEADER]
    lines += [
        f"{3912345678901234567 + i},2024-11-{i % 28 + 1:02d} 10:{i % 60:02d}:00,{(i * 37) % 99999 / 100}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def state(root: Path) -> dict[str, object]:
    """What an import could change: its log, the rows, the schema record and the shops."""
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        return {
            "imports": con.execute("SELECT count(*) FROM imports").fetchall(),
            "orders": con.execute("SELECT count(*) FROM orders").fetchall(),
            "shop_days": con.execute("SELECT count(*) FROM sycm_shop_day").fetchall(),
            "schema": con.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall(),
            "shops": con.execute("SELECT name, platform FROM shops ORDER BY 1").fetchall(),
        }
    finally:
        con.close()


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is no ShopOps: its pid stands for a reused one."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def gone_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# -- 1. temporary folders ---------------------------------------------------------------------------


def test_imports_write_their_temporary_copies_inside_the_workspace(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the system's temp folder unusable, a GBK file with a blank line (a transcoded copy,
    then a copy with the blank line kept) still imports: nothing is written outside the workspace."""
    not_a_folder = tmp_path / "system-tmp"
    not_a_folder.write_text("a file where the system's temp folder should be", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    export = tmp_path / f"{SHOP}_订单.csv"
    export.write_text(
        f"{ORDERS_HEADER}\n3912345678901234567,2024-11-01 10:00:00,12.50\n\n"
        "3912345678901234568,2024-11-01 11:00:00,8.00\n",
        encoding="gbk",
    )
    code, stdout, stderr, _ = invoke("-w", workspace, "import", export)
    assert (code, stderr) == (0, ""), stderr
    assert stdout == (
        f"✓ {export.name} — 千牛 · 订单报表（订单级）（qianniu_orders）：2 行，2024-11-01，店铺 {SHOP}（跳过 1 行：空行 1）\n"
    )
    assert list((workspace / TEMP_NAME).iterdir()) == []


def test_a_killed_import_leaves_its_folder_in_the_workspace_and_the_next_command_removes_it(
    workspace: Path, tmp_path: Path
) -> None:
    export = orders_csv(tmp_path / f"{SHOP}_订单.csv", 300_000, encoding="gbk")
    temp = workspace / TEMP_NAME
    child = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "-w", str(workspace), "import", str(export)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(temp.glob("shopops-*/*")) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.poll() is None, "the import ended before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    left = list(temp.iterdir())
    assert [p.name.startswith(f"shopops-{child.pid}-") for p in left] == [True]
    code, _, stderr, _ = invoke("-w", workspace, "shop", "list")
    assert (code, stderr) == (0, "")
    assert list(temp.iterdir()) == []
    assert state(workspace)["imports"] == [(0,)]


def test_leftovers_are_removed_at_open_but_not_the_folders_of_running_processes(
    workspace: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    temp = workspace / TEMP_NAME
    dead = temp / f"shopops-{gone_pid()}-killed"
    running = temp / f"shopops-{sleeper.pid}-importing"
    ours = temp / f"shopops-{os.getpid()}-ours"
    old = temp / f"shopops-{sleeper.pid}-two-days-old"
    stray = temp / "someone-elses.csv"
    for folder in (dead, running, ours, old):
        folder.mkdir()
        (folder / "copy.utf8.csv").write_text("x", encoding="utf-8")
    stray.write_text("x", encoding="utf-8")
    two_days_ago = time.time() - 2 * STALE_AFTER
    os.utime(old, (two_days_ago, two_days_ago))
    code, _, stderr, _ = invoke("-w", workspace, "shop", "list")
    assert (code, stderr) == (0, "")
    assert sorted(p.name for p in temp.iterdir()) == sorted([running.name, ours.name, stray.name])


def test_init_keeps_the_temp_folder_out_of_git(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    root.mkdir()
    (root / ".gitignore").write_text("*.xlsx", encoding="utf-8")
    assert invoke("init", root)[0] == 0
    assert invoke("init", root)[0] == 0  # a second init adds nothing
    assert (root / ".gitignore").read_text(encoding="utf-8") == f"*.xlsx\n{TEMP_NAME}/\n"


# -- 2. a full disk ---------------------------------------------------------------------------------

LIMITED_CLI = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from shopops.cli.main import cli
cli(sys.argv[2:], prog_name="shopops")
"""


def limited_cli(limit: int, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process that cannot write any file past ``limit`` bytes (a full disk)."""
    return subprocess.run(
        [sys.executable, "-c", LIMITED_CLI, str(limit), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


needs_rlimit = pytest.mark.skipif(
    not hasattr(signal, "SIGXFSZ"), reason="RLIMIT_FSIZE simulates a full disk on POSIX only"
)


def disk_full(file: str, where: Path | str) -> str:
    return f"✗ {file}：磁盘已满（正在写入 {where}）— 腾出空间后请重新导入；没有任何改动"


@needs_rlimit
def test_disk_full_while_transcoding_a_gbk_export(workspace: Path, tmp_path: Path) -> None:
    export = orders_csv(tmp_path / f"{SHOP}_订单.csv", 60_000, encoding="gbk")
    before = state(workspace)
    limit = (workspace / "warehouse.duckdb").stat().st_size + (1 << 18)
    assert export.stat().st_size > limit
    done = limited_cli(limit, "-w", workspace, "import", export)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [disk_full(export.name, workspace / TEMP_NAME)]
    assert state(workspace) == before
    assert list((workspace / TEMP_NAME).iterdir()) == []  # the partial copy is gone too
    code, stdout, _, _ = invoke("-w", workspace, "import", export)  # with space again, it imports
    assert code == 0 and "：60000 行，2024-11-01…2024-11-28，" in stdout


@needs_rlimit
def test_disk_full_while_duckdb_writes_the_warehouse(workspace: Path, tmp_path: Path) -> None:
    """A UTF-8 file DuckDB reads itself: the failing write is DuckDB's (the .wal or the file)."""
    export = orders_csv(tmp_path / f"{SHOP}_订单.csv", 60_000)
    before = state(workspace)
    limit = (workspace / "warehouse.duckdb").stat().st_size + (1 << 16)
    done = limited_cli(limit, "-w", workspace, "import", export)
    assert (done.returncode, done.stdout) == (1, "")
    warehouse = workspace.absolute() / "warehouse.duckdb"
    assert done.stderr.splitlines() in (
        [disk_full(export.name, f"{warehouse}.wal")],
        [disk_full(export.name, warehouse)],
    )
    assert state(workspace) == before
    code, stdout, _, _ = invoke("-w", workspace, "import", export)
    assert code == 0 and "：60000 行，2024-11-01…2024-11-28，" in stdout


@needs_rlimit
def test_disk_full_in_one_file_of_several_the_others_are_imported(workspace: Path, tmp_path: Path) -> None:
    big = orders_csv(tmp_path / f"{SHOP}_订单.csv", 60_000, encoding="gbk")
    limit = (workspace / "warehouse.duckdb").stat().st_size + (1 << 18)
    done = limited_cli(limit, "-w", workspace, "import", SHOP_FILE, big, "--shop", SHOP)
    assert done.returncode == 1
    assert done.stdout.startswith(f"✓ {SHOP_FILE.name} — ")
    assert [line for line in done.stderr.splitlines() if line] == [
        disk_full(big.name, workspace / TEMP_NAME),
        "2 个文件中有 1 个未导入；其余已导入。",
    ]
    assert state(workspace)["imports"] == [(1,)] and state(workspace)["orders"] == [(0,)]


SAME_PROCESS = """
import resource, signal, sys
from pathlib import Path
from shopops.errors import DiskFullError
from shopops.workspace import Workspace
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
workspace = Workspace(Path(sys.argv[1]))
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), hard))
try:
    workspace.import_file(Path(sys.argv[2]))
except DiskFullError as error:
    print("refused:", error)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again, same process and connection
print("imported:", workspace.import_file(Path(sys.argv[2])).rows)
workspace.close()
"""


@needs_rlimit
def test_a_long_running_process_survives_a_full_disk(workspace: Path, tmp_path: Path) -> None:
    """What `shopops serve` needs: after the refused import the same connection imports again."""
    export = orders_csv(tmp_path / f"{SHOP}_订单.csv", 60_000)
    limit = (workspace / "warehouse.duckdb").stat().st_size + (1 << 16)
    done = subprocess.run(
        [sys.executable, "-c", SAME_PROCESS, str(workspace), str(export), str(limit)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    refused, imported = done.stdout.splitlines()
    assert refused.startswith("refused: the disk is full (writing ") and refused.endswith(
        " — free some space and import again; nothing was changed"
    )
    assert imported == "imported: 60000"
    assert state(workspace)["imports"] == [(1,)]


# -- 3. a damaged warehouse -------------------------------------------------------------------------


def test_a_warehouse_of_garbage_bytes(workspace: Path) -> None:
    (workspace / "warehouse.duckdb").write_bytes(os.urandom(300_000))
    reason = 'The file "warehouse.duckdb" exists, but it is not a valid DuckDB database file!'
    for command in (("shop", "list"), ("import", str(SHOP_FILE))):
        code, stdout, stderr, exception = invoke("-w", workspace, *command)
        assert (code, stdout) == (1, "")
        assert isinstance(exception, SystemExit)
        assert stderr == f"错误 {DAMAGED.format(root=workspace, reason=reason)}\n"


def test_a_truncated_warehouse(workspace: Path) -> None:
    path = workspace / "warehouse.duckdb"
    path.write_bytes(path.read_bytes()[:5000])
    code, _, stderr, _ = invoke("-w", workspace, "table", "master", "--format", "csv")
    reason = 'Could not read enough bytes from file "warehouse.duckdb": attempted to read 3192 bytes from location 5000'
    assert code == 1
    assert stderr == f"错误 {DAMAGED.format(root=workspace, reason=reason)}\n"


def test_a_damaged_wal_is_named_too(workspace: Path) -> None:
    path = workspace / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SET checkpoint_threshold = '1GB'")
    con.execute("INSERT INTO shops (name, platform, fee_rate) VALUES ('另一家店', 'taobao', 0)")
    shutil.copy(path, workspace / "copy.duckdb")
    shutil.copy(f"{path}.wal", workspace / "copy.duckdb.wal")
    con.close()
    shutil.move(workspace / "copy.duckdb", path)
    wal = Path(f"{path}.wal")
    shutil.move(workspace / "copy.duckdb.wal", wal)
    data = bytearray(wal.read_bytes())
    data[len(data) // 2 :] = bytes(len(data) - len(data) // 2)
    wal.write_bytes(bytes(data))
    code, _, stderr, _ = invoke("-w", workspace, "shop", "list")
    assert code == 1
    assert stderr.count("\n") == 1
    assert stderr.startswith(
        f'错误 {workspace} 中的 warehouse.duckdb 无法打开（Failure while replaying WAL file "'
    )
    assert stderr.endswith(
        "）：已损坏 — 恢复备份（shopops restore 文件），或将它（连同 warehouse.duckdb.wal）移走后重新导入文件\n"
    )


# -- 4. a warehouse of a newer ShopOps --------------------------------------------------------------


def newest_known() -> int:
    return max(version for version, _, _ in migration_scripts())


def test_a_newer_schema_refuses_writing_and_allows_reading(workspace: Path) -> None:
    assert invoke("-w", workspace, "import", SHOP_FILE, "--shop", SHOP)[0] == 0
    future = newest_known() + 2
    con = duckdb.connect(str(workspace / "warehouse.duckdb"))
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, 'from_the_future')", [future])
    con.execute("ALTER TABLE sycm_shop_day ADD COLUMN added_later VARCHAR")
    con.close()
    before = state(workspace)
    refusal = (
        f"warehouse.duckdb 由更新版本的 ShopOps 写出（结构版本 {future:03d}，本版本只认识到 {newest_known():03d}）"
        "— 升级 ShopOps（pip install -U shopops）；仍可读取"
    )
    other = FILES / "某某旗舰店_订单报表_saved_by_excel.csv"
    for command in (
        ("import", str(other), str(SHOP_FILE)),
        ("shop", "add", "另一家店", "--platform", "taobao"),
        ("serve", "--port", "1"),
    ):
        code, stdout, stderr, exception = invoke("-w", workspace, *command)
        assert (code, stdout, stderr) == (1, "", f"错误 {refusal}\n"), command
        assert isinstance(exception, SystemExit)
    assert state(workspace) == before  # and no migration of this ShopOps ran on it

    code, stdout, stderr, _ = invoke(
        "-w", workspace, "table", "master", "--from", "2024-11-01", "--to", "2024-11-01", "--format", "csv"
    )
    assert (code, stderr) == (0, f"注意：{refusal}\n")
    header, row = stdout.splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["gmv"] == "1234.50"


def test_an_unknown_migration_name_is_refused_too(workspace: Path) -> None:
    version, name, _ = migration_scripts()[0]
    con = duckdb.connect(str(workspace / "warehouse.duckdb"))
    con.execute("UPDATE schema_migrations SET name = 'renamed_elsewhere' WHERE version = ?", [version])
    con.close()
    code, _, stderr, _ = invoke("-w", workspace, "import", SHOP_FILE, "--shop", SHOP)
    assert code == 1
    assert stderr == (
        f"错误 warehouse.duckdb 由另一个 ShopOps 写出（它的结构版本 {version:03d} 是 'renamed_elsewhere'，"
        f"这里的 {version:03d} 是 {name!r}）— 升级 ShopOps（pip install -U shopops）；仍可读取\n"
    )


# -- 5. a stale serve file --------------------------------------------------------------------------


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def write_serve_file(root: Path, pid: int, port: int) -> Path:
    path = root / SERVE_FILE
    path.write_text(json.dumps({"pid": pid, "host": "127.0.0.1", "port": port, "secret": "s3cret"}))
    return path


def test_a_serve_file_whose_pid_was_reused_is_removed(
    workspace: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    port = unused_port()
    serve_file = write_serve_file(workspace, sleeper.pid, port)
    code, stdout, stderr, _ = invoke("-w", workspace, "import", SHOP_FILE, "--shop", SHOP)
    assert code == 0 and stdout.startswith(f"✓ {SHOP_FILE.name} — ")
    assert stderr == (
        f"注意：已删除过期的 {SERVE_FILE}（pid {sleeper.pid} 不是此工作区的 `shopops serve`："
        f"端口 {port} 上没有回应）\n"
    )
    assert not serve_file.exists()
    code, _, stderr, _ = invoke("-w", workspace, "shop", "list")
    assert (code, stderr) == (0, "")


def test_a_serve_file_of_an_ended_server_is_removed(workspace: Path) -> None:
    pid = gone_pid()
    serve_file = write_serve_file(workspace, pid, unused_port())
    code, stdout, stderr, _ = invoke("-w", workspace, "shop", "list")
    assert code == 0 and SHOP in stdout
    assert stderr == f"注意：已删除过期的 {SERVE_FILE}（它的 `shopops serve`（pid {pid}）已结束）\n"
    assert not serve_file.exists()


def test_a_server_that_holds_the_warehouse_but_does_not_answer_yet_is_not_taken_for_stale(
    workspace: Path,
) -> None:
    """Its pid holds the warehouse (a server starting up, or hung): the file stays, the command
    says the server does not answer, and nothing is written behind the server's back."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(120)",
            str(workspace / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        port = unused_port()
        serve_file = write_serve_file(workspace, holder.pid, port)
        code, _, stderr, _ = invoke("-w", workspace, "shop", "add", "另一家店", "--platform", "taobao")
        assert code == 1
        assert stderr.startswith(
            f"错误 `shopops serve`（pid {holder.pid}）占用着仓库，但在端口 {port} 上没有回应（"
        )
        assert stderr.endswith("）— 停止它后重新运行命令\n")
        assert serve_file.exists()
    finally:
        holder.kill()
        holder.wait()
