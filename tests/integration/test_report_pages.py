"""How many A4 pages the 日报 / 周报 / 月报 print, measured by LibreOffice → PDF: only the reading
sheets print (总表, 趋势, 异常发现), the 总表 one page wide; the others keep an empty print area."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from shopops.workspace import Workspace
from tests.conftest import DEMO_END, DemoWorkspace, run_cli

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    OFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it"
)


def printed_pages(workbook: Path, folder: Path) -> tuple[int, str]:
    """(pages, text of the PDF's page objects) of the workbook printed by LibreOffice."""
    assert OFFICE is not None
    profile = (folder / "lo-profile").as_uri()
    completed = subprocess.run(
        [
            OFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(folder)},
        check=False,
    )
    pdf = folder / f"{workbook.stem}.pdf"
    assert completed.returncode == 0 and pdf.is_file(), completed.stdout + completed.stderr
    content = pdf.read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", content)), content.decode("latin-1")


def report(demo_root: Path, folder: Path, kind: str, *extra: str) -> Path:
    target = folder / f"{kind}.xlsx"
    result = run_cli("--workspace", demo_root, "report", kind, *extra, "-o", target)
    assert result.exit_code == 0, result.output
    return target


def test_the_demo_daily_report_prints_on_four_pages(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    path = report(imported_demo.root, tmp_path, "daily", "--date", DEMO_END.isoformat())
    pages, _ = printed_pages(path, tmp_path)
    print(f"demo 日报 {DEMO_END}: {pages} printed pages ({len(imported_demo.manifest['shops'])} shops)")
    assert 3 <= pages <= 4  # 总表 (one page wide), 趋势, 异常发现


@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_the_demo_weekly_and_monthly_reports_print_on_few_pages(
    imported_demo: DemoWorkspace, tmp_path: Path, kind: str
) -> None:
    pages, _ = printed_pages(report(imported_demo.root, tmp_path, kind), tmp_path)
    print(f"demo {kind}: {pages} printed pages")
    assert 2 <= pages <= 4  # 总表 and 趋势; no 异常发现 sheet


def test_an_orders_only_shop_prints_on_three_pages(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    """A Taobao shop with only its 千牛 订单报表 imported: no 推广, 直播, 利润 … pages of "—"; the
    sections without data are named under the 总表 with the exports that would fill them."""
    export = next(f for f in imported_demo.files if f.name.startswith("订单报表_"))
    shop = export.name.split("_")[1]
    root = tmp_path / "ws"
    with Workspace.init(root) as workspace:
        workspace.add_shop(shop, "taobao")
    imported = run_cli("--workspace", root, "import", export, "--shop", shop)
    assert imported.exit_code == 0, imported.output
    path = report(root, tmp_path, "daily", "--date", DEMO_END.isoformat())
    pages, _ = printed_pages(path, tmp_path)
    print(f"orders-only shop {shop} 日报: {pages} printed pages")
    assert pages <= 3
    book = CalamineWorkbook.from_path(str(path))
    cells = [str(c) for row in book.get_sheet_by_name("总表").to_python() for c in row]
    assert "推广" not in cells and "支付金额" in cells  # a section with no data is no band
    hints = [c for c in cells if c.startswith("未列出 ")]
    assert any(c.startswith("未列出 推广：导入 ") for c in hints), hints
    assert "访客数" not in cells  # a metric no shop knows is no row
    subtitle = book.get_sheet_by_name("推广").to_python()[1][0]
    assert subtitle.endswith(
        "本表不打印（打印只出 总表、趋势、异常发现）；要打印本表：选中该表，页面布局 › 打印区域 › 取消打印区域"
    )
