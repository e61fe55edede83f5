"""The 退货 page over a real HTTP server on 127.0.0.1, on the web demo (云朵旗舰店's short 千牛 退款
export, imported here, and 小野家居's 42-column one) plus a 54-column export of shop B whose reasons and texts carry
markup: the summary per shop and 合计 as `returns summary` gives it, the reason classes and the
chart's JSON, shop scoping (another shop's refunds are never shown, even by URL), hostile reasons
shown as text and JSON embedded inert, an empty workspace saying what to import."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shopops.domains.returns.rules import ReturnRules
from shopops.domains.returns.summary import returns_summary
from shopops.web import cache
from tests.conftest import DEMO_END
from tests.stock_files import write_xlsx
from tests.web.conftest import PASSWORD, SHOP_A, SHOP_B, LiveServer, build_web_demo, serving

HOSTILE_REASON = "</script><img src=x onerror=alert('reason')>质量问题"
HOSTILE_TITLE = "<b onmouseover=alert(1)>毛巾</b>"
HEADER_54 = [
    "订单编号", "退款编号", "支付单号", "订单付款时间", "商品 id", "商品编码", "退款完结时间", "退款完结时间",
    "买家实际支付金额", "宝贝标题", "买家退款金额", "手工退款 / 系统退款", "售后类型", "退款的申请时间",
    "退款的申请时间", "退款状态", "货物状态", "发货物流信息", "买家退款原因", "买家退款说明", "责任方", "售中或售后",
]  # fmt: skip


def hostile_refunds(folder: Path) -> Path:
    paid = f"{DEMO_END - dt.timedelta(days=5)} 10:00:00"
    done = f"{DEMO_END - dt.timedelta(days=1)} 12:00:00"
    rows = [
        ["990001", "R990001", "P1", paid, "1", "X-1", done, done, "80.00", HOSTILE_TITLE, "80.00", "系统退款",
         "退货退款", paid, paid, "退款成功", "买家已退货", "中通 1", HOSTILE_REASON, "<script>x</script>", "卖家", "售后"],
    ]  # fmt: skip
    return write_xlsx(folder / f"退款管理_{SHOP_B}_hostile.xlsx", HEADER_54, rows)


@pytest.fixture(scope="module")
def returns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    base = tmp_path_factory.mktemp("returns_web")
    demo = build_web_demo(base)
    demo.workspace.import_file(demo.held_back)  # 云朵旗舰店's 退款管理 (the upload tests' file)
    demo.workspace.import_file(hostile_refunds(base), shop=SHOP_B)
    with serving(demo) as server:
        yield server
    cache.wait_idle()
    demo.workspace.close()


def client_for(server: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def cells(page: str, table: str) -> list[list[str]]:
    body = page.split(f'id="{table}"')[1].split("</table>", maxsplit=1)[0].split("<tbody>")[1]
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_summary_is_the_commands(returns_server: LiveServer) -> None:
    client = client_for(returns_server, "admin")
    page = client.get("/returns", params={"to": DEMO_END.isoformat()}).text
    assert "退货与评价 · 全部店铺" in page
    start = DEMO_END - dt.timedelta(days=29)
    assert f"{start} ~ {DEMO_END}" in page
    rows = cells(page, "returns-summary")
    workspace = returns_server.demo.workspace
    expected = returns_summary(workspace.connection, start, DEMO_END, None, ReturnRules()).frame
    assert [r[0] for r in rows] == expected["shop"].to_list() == [SHOP_A, SHOP_B, "合计"]
    for row, record in zip(rows, expected.iter_rows(named=True), strict=True):
        assert row[1] == f"{record['success_cases']:,}"
        assert row[2] == f"{float(record['success_amount']):,.2f}"
        rate = record["refund_rate_completed"]
        assert row[9] == ("—" if rate is None else f"{rate:.2%}")
    # the reason classes: every class of the chart is a row, shares add up to 100%
    chart = json.loads(page.split('id="pareto-data" type="application/json">')[1].split("</script>")[0])
    assert [r[0] for r in cells(page, "returns-pareto")] == chart["labels"]
    assert chart["cumulative"][-1] == 100.0


def test_a_user_of_shop_a_never_sees_another_shops_refunds(returns_server: LiveServer) -> None:
    client = client_for(returns_server, "alice")
    page = client.get("/returns").text
    assert SHOP_B not in page and "毛巾" not in page
    assert [r[0] for r in cells(page, "returns-summary")] == [SHOP_A, "合计"]
    response = client.get("/returns", params={"shop": SHOP_B})
    assert response.status_code == 403 and SHOP_B not in response.text


def test_reasons_and_titles_with_markup_stay_text(returns_server: LiveServer) -> None:
    client = client_for(returns_server, "admin")
    page = client.get("/returns", params={"shop": SHOP_B, "by": "sku", "to": DEMO_END.isoformat()}).text
    assert "<img src=x" not in page and "<b onmouseover" not in page and "<script>x" not in page
    assert "&lt;img src=x onerror=alert(&#39;reason&#39;)&gt;质量问题" in page  # 主要原因 of 品质
    for attributes, text in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        if "src=" in attributes:
            assert text == ""
            continue
        assert 'type="application/json"' in attributes and not re.search(r"[<>&]", text)


def test_an_empty_workspace_says_what_to_import(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from shopops.web import accounts
    from shopops.web.app import create_app
    from shopops.workspace import Workspace

    workspace = Workspace.init(tmp_path / "empty")
    workspace.add_shop(SHOP_A, "tmall")
    accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", [])
    with TestClient(create_app(workspace)) as client:
        assert client.post("/login", data={"name": "admin", "password": PASSWORD}).status_code in (200, 303)
        page = client.get("/returns").text
    workspace.close()
    assert "还没有退款或售后数据。" in page and "qianniu_refunds" in page and "douyin_after_sales" in page
