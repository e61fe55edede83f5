"""The dashboard on the real Tmall export: it opens on the latest complete day and says why.

03-01 holds six payments of orders created in February (the export ends with 02-29 23:59): the
overview opens on 02-29 with a note, the 总表 marks 03-01, the 异常 page says what it could not check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shopops.web import accounts, cache
from shopops.web.app import create_app
from shopops.workspace import Workspace
from tests.conftest import DATASETS, run_cli
from tests.web.conftest import PASSWORD, logged_in

TMALL = DATASETS / "tmall_order_report.csv"
SHOP = "天猫店"
NOTE = "2020-03-01 数据不完整，默认用 2020-02-29（天猫店：订单导出按下单时间只到 02-29 23:59，03-01 只有此前下单、当天付款的订单）"

pytestmark = pytest.mark.skipif(
    not TMALL.is_file(), reason=f"{TMALL} is absent (see shared/datasets/SOURCES.md)"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("tmall-web") / "ws"
    assert run_cli("init", root).exit_code == 0
    assert run_cli("--workspace", root, "shop", "add", SHOP, "--platform", "tmall").exit_code == 0
    assert run_cli("--workspace", root, "import", TMALL, "--shop", SHOP).exit_code == 0
    assert (
        run_cli(
            "--workspace", root, "targets", "set", "-p", "2020-02", "-m", "gmv", "-v", "2500000"
        ).exit_code
        == 0
    )
    workspace = Workspace.open(root)
    accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", None)
    client, _ = logged_in(create_app(workspace), "admin")
    yield client
    cache.wait_idle()
    workspace.close()


def test_the_overview_opens_on_the_latest_complete_day(client: TestClient) -> None:
    page = client.get("/").text
    assert "<small>2020-02-29</small>" in page
    assert NOTE in page and 'class="note incomplete-note"' in page
    asked = client.get("/?date=2020-03-01").text
    assert "<small>2020-03-01</small>" in asked
    assert "天猫店：订单导出按下单时间只到 02-29 23:59，03-01 只有此前下单、当天付款的订单</p>" in asked


def test_the_master_table_marks_the_incomplete_day(client: TestClient) -> None:
    page = client.get("/table?from=2020-02-28&to=2020-03-01").text
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    marked = [row.split("</td>")[0] for row in rows if "数据不完整" in row]
    assert len(rows) == 3 and len(marked) == 1 and "2020-03-01" in marked[0]


def test_the_findings_page_says_what_it_could_not_check(client: TestClient) -> None:
    page = client.get("/findings?from=2020-02-01&to=2020-02-29").text
    assert "未能检查：天猫店 · 转化率、推广 ROI、淘客佣金、DSR：没有这些数据（未导入相应报表）" in page
    assert "订单导出覆盖 02-01…03-01，02-16 却一笔订单都没有" in page


def test_the_targets_page_gives_the_forecast_range_and_why(client: TestClient) -> None:
    """On 02-20 the month-end forecast's range holds the actual ¥2,474,347: widened after the shift."""
    page = client.get("/targets?date=2020-02-20").text
    found = re.search(r"¥([\d,.]+) ~ ¥([\d,.]+)</td>", page)
    assert found, page
    low, high = (float(x.replace(",", "")) for x in found.groups())
    assert low < 2474347.07 < high
    assert "区间已放宽" in page and "近期水平突变" in page
