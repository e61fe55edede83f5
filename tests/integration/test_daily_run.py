"""`shopops run daily`: inbox → import → 日报 → findings → push, every step said, none fatal to the others."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from tests.conftest import DEMO_END, DemoWorkspace, run_cli


def fill_inbox(demo: DemoWorkspace) -> Path:
    inbox = demo.root / "inbox"
    for path in demo.files:
        shutil.copy2(path, inbox / path.name)
    (inbox / "店铺整体_坏.csv").write_text("统计日期,访客数,支付金额\n2026-11-24,100,12x\n", encoding="utf-8")
    return inbox


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_daily_imports_reports_and_finds(fresh_demo: DemoWorkspace) -> None:
    inbox = fill_inbox(fresh_demo)
    result = run_cli("-w", fresh_demo.root, "run", "daily", "--no-push")
    assert result.exit_code == 1, result.output  # one file was rejected
    archive = next((inbox / "imported").iterdir())
    assert sorted(p.name for p in archive.iterdir()) == sorted(p.name for p in fresh_demo.files)
    assert sorted(p.name for p in inbox.iterdir()) == [
        "imported",
        "店铺整体_坏.csv",
        "店铺整体_坏.csv.error.txt",
    ]
    report = fresh_demo.root / "reports" / f"日报_{DEMO_END}.xlsx"
    assert report.is_file()
    assert f"✓ 日报 {DEMO_END}" in result.output
    assert f"✓ {DEMO_END} 发现" in result.output
    assert result.output.rstrip().endswith(f"完成：导入 {len(fresh_demo.files)} 个文件，拒绝 1 个")

    again = run_cli("-w", fresh_demo.root, "run", "daily", "--no-push")
    assert again.exit_code == 0, again.output  # the rejected file waits until it changes
    assert "inbox/ 中没有新文件" in again.output and "完成：导入 0 个文件，拒绝 0 个" in again.output


def test_a_failing_push_channel_does_not_fail_the_run(fresh_demo: DemoWorkspace) -> None:
    inbox = fill_inbox(fresh_demo)
    (inbox / "店铺整体_坏.csv").unlink()
    config = fresh_demo.root / "shopops.yaml"
    text = config.read_text(encoding="utf-8")
    channel = (
        f'  channels:\n    运营群: {{kind: wecom, webhook: "http://127.0.0.1:{closed_port()}/send?key=k"}}\n'
    )
    text = text.replace("  backoff: 2 ", "  backoff: 0 ").replace("  channels: {}\n", channel)
    config.write_text(text, encoding="utf-8")
    result = run_cli("-w", fresh_demo.root, "run", "daily")
    assert result.exit_code == 0, result.output
    assert "⚠ 运营群（企业微信） 发送失败" in result.output
    assert (fresh_demo.root / "logs" / "push.log").read_text(encoding="utf-8").count("attempt") >= 2


def test_watch_runs_once_files_have_settled(fresh_demo: DemoWorkspace) -> None:
    inbox = fill_inbox(fresh_demo)
    (inbox / "店铺整体_坏.csv").unlink()
    result = run_cli(
        "-w",
        fresh_demo.root,
        "watch",
        "--no-push",
        "--interval",
        "0.05",
        "--settle",
        "0.2",
        "--max-runs",
        "1",
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"正在监视 {fresh_demo.root / 'inbox'}")
    assert result.output.rstrip().endswith(f"完成：导入 {len(fresh_demo.files)} 个文件，拒绝 0 个")
    assert (fresh_demo.root / "reports" / f"日报_{DEMO_END}.xlsx").is_file()
    assert sorted(p.name for p in inbox.iterdir()) == ["imported"]
