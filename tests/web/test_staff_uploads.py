"""The 绩效 sheets (员工名单, 绩效手工录入, 评分表) decide people's scores and bonus: from the dashboard only an
admin or a 主管 (manager) may import them — an operator must not upload a 主管评分 of 100 for themselves,
by the page or the API — and a refused file changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from shopops.web import accounts, cache
from tests.web.conftest import PASSWORD, WebDemo, build_web_demo, logged_in
from tests.web.test_upload_trust import refused_record, table_counts

INPUTS_HEADER = ["期间", "姓名", "项目", "数值", "录入人", "录入日期", "备注"]
REFUSED = (
    "你的账号不能导入这类文件 (绩效录入.xlsx: is a 绩效手工录入, which only admin or manager accounts may"
    " import — ask one of them to import it; nothing was imported)"
)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDemo]:
    demo = build_web_demo(tmp_path_factory.mktemp("staff_uploads"))
    accounts.add_user(demo.workspace.connection, "boss", PASSWORD, "manager", None)
    yield demo
    cache.wait_idle()
    demo.workspace.close()


def inputs_book(path: Path, value: object) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(INPUTS_HEADER)
    sheet.append(["2026-11", "alice", "主管评分", value, "alice", "2026-12-01", ""])
    book.save(path)
    return path


@pytest.mark.parametrize("how", ["page", "api"])
def test_an_operator_cannot_import_staff_inputs(web: WebDemo, tmp_path: Path, how: str) -> None:
    before = table_counts(web)
    path = inputs_book(tmp_path / "绩效录入.xlsx", 100)
    if how == "page":
        client, csrf = logged_in(web.app, "alice")
        response = client.post(
            "/imports/upload", data={"csrf_token": csrf}, files={"files": (path.name, path.read_bytes())}
        )
    else:
        client = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['alice']}"})
        response = client.post("/api/imports", files={"files": (path.name, path.read_bytes())})
    assert REFUSED in refused_record(response)
    assert table_counts(web) == before


def test_a_manager_imports_them(web: WebDemo, tmp_path: Path) -> None:
    path = inputs_book(tmp_path / "绩效录入.xlsx", 88)
    client, csrf = logged_in(web.app, "boss")
    response = client.post(
        "/imports/upload", data={"csrf_token": csrf}, files={"files": (path.name, path.read_bytes())}
    )
    assert response.status_code == 200, response.text
    rows = web.workspace.connection.execute(
        "SELECT period, person, item, value, entered_by FROM staff_inputs"
    ).fetchall()
    assert rows == [("2026-11", "alice", "主管评分", 88.0, "alice")]
