"""One language per run: Chinese by default (C, POSIX, no locale), English with --lang en or an English locale."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from shopops.cli.main import cli
from shopops.workspace import Workspace

SHOP = "某某旗舰店"
NO_LOCALE = {"LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "SHOPOPS_LANG": None}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lang") / "ws"
    with Workspace.init(root) as created:
        created.add_shop(SHOP, "tmall")
    (root / "empty.csv").write_text("", encoding="utf-8")
    (root / f"{SHOP}_店铺整体.csv").write_text("统计日期,访客数,支付金额\nabc,1,2\n", encoding="utf-8")
    return root


def run(root: Path, *args: str, **environ: str | None) -> Result:
    env = {**NO_LOCALE, **environ}
    return CliRunner().invoke(cli, ["-w", str(root), *args], env=env)


UNKNOWN_SHOP = ("table", "master", "--from", "2026-11-01", "--to", "2026-11-02", "--shop", "无此店")
ERRORS = {
    "zh": {
        UNKNOWN_SHOP: f"错误 店铺 '无此店' 未登记（已有：{SHOP}）— 见 `shopops shop list`",
        ("push",): "错误 shopops.yaml 中没有推送渠道 — 在 push.channels 下添加一个（参考其中注释掉的示例），"
        "或用 --dry-run 只打印简报",
    },
    "en": {
        UNKNOWN_SHOP: f"Error shop '无此店' is not registered (shops: {SHOP}) — see `shopops shop list`",
        ("push",): "Error no push channels in shopops.yaml — add one under push.channels (see the commented"
        " example there), or use --dry-run to only print the summary",
    },
}
IMPORTS = {
    "zh": [
        "✗ empty.csv：是空文件 — 重新导出报表；这个文件没有任何行",
        f"✗ {SHOP}_店铺整体.csv 第 2 行「统计日期」列：值 “abc” 不是合理范围内的日期（2000-01-01 到一年后的今天）"
        " — 写 2024-11-24 或 2024/11/24 这样的日期",
        "2 个文件中有 2 个未导入；其余已导入。",
    ],
    "en": [
        "✗ empty.csv: is empty — export the report again; it holds no rows",
        f'✗ {SHOP}_店铺整体.csv, row 2, column "统计日期": value "abc" is not a date in a sensible range'
        " (2000-01-01 to a year from today) — use a date such as 2024-11-24 or 2024/11/24",
        "2 of 2 files were not imported; the others were.",
    ],
}
BAD_DATE = {
    "zh": "Error: Invalid value for '--date' / '-d': '2026-13-01' 不是 2026-11-24 这样的日期",
    "en": "Error: Invalid value for '--date' / '-d': '2026-13-01' is not a date like 2026-11-24",
}
WAYS = [
    ("zh", [], {}),
    ("zh", [], {"LANG": "C"}),
    ("zh", [], {"LANG": "C.UTF-8"}),
    ("en", ["--lang", "en"], {}),
    ("en", [], {"LANG": "en_US.UTF-8"}),
    ("en", [], {"SHOPOPS_LANG": "en", "LANG": "C"}),
    ("zh", ["--lang", "zh"], {"LANG": "en_US.UTF-8"}),
]


@pytest.mark.parametrize(("lang", "option", "environ"), WAYS)
def test_errors_speak_the_language_of_the_run(
    workspace: Path, lang: str, option: list[str], environ: dict[str, str]
) -> None:
    for args, line in ERRORS[lang].items():
        result = run(workspace, *option, *args, **environ)
        assert (result.exit_code, result.stderr.strip()) == (1, line)
    files = [str(workspace / "empty.csv"), str(workspace / f"{SHOP}_店铺整体.csv")]
    imported = run(workspace, *option, "import", *files, **environ)
    # (a run of two files leaves the progress bar's empty line on a non-terminal stderr)
    assert [line for line in imported.stderr.splitlines() if line] == IMPORTS[lang]
    dated = run(workspace, *option, "report", "daily", "--date", "2026-13-01", **environ)
    assert dated.exit_code == 2
    assert dated.stderr.strip().splitlines()[-1] == BAD_DATE[lang]


def test_the_cli_s_own_lines_follow_the_language(tmp_path: Path) -> None:
    zh = run(tmp_path / "a", "init", str(tmp_path / "a"))
    en = run(tmp_path / "b", "--lang", "en", "init", str(tmp_path / "b"))
    assert zh.stdout.splitlines()[0] == f"已创建工作区 {tmp_path / 'a'}"
    assert en.stdout.splitlines() == [
        f"created the workspace {tmp_path / 'b'}",
        "  next: shopops shop add 店铺名 --platform tmall|taobao|jd|douyin",
        f"  then run commands inside that folder, or set SHOPOPS_HOME={tmp_path / 'b'}",
    ]
