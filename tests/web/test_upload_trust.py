"""Uploads the operator can trust: a file name never breaks the server or escapes the upload
folder, a file over the limit is stopped while it streams in, and a user limited to shop A can
never cause one row of shop B to be written — by any route, in any sheet of a workbook."""

from __future__ import annotations

import csv
import errno
import html
import io
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import xlsxwriter
from fastapi.testclient import TestClient

from shopops.web import cache, receiving
from tests.web.conftest import SHOP_A, SHOP_B, WebDemo, build_web_demo, logged_in, serving

BOUNDARY = "----shopops-test-boundary"
ORDER_HEADER = ["订单编号", "订单付款时间", "总金额", "买家实际支付金额", "店铺名称"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDemo]:
    """A demo of this module's own: the refusals below must leave it as it was."""
    demo = build_web_demo(tmp_path_factory.mktemp("trust"))
    yield demo
    cache.wait_idle()
    demo.workspace.close()


def table_counts(demo: WebDemo) -> dict[str, int]:
    """Rows of every table of the warehouse (tokens and users too) but the log-in sessions and the
    audit log (a log-in is recorded there); of the audit log, its import records are counted."""
    con = demo.workspace.connection
    names = [
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    ]
    assert "orders" in names and "imports" in names
    counts = {
        name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])  # type: ignore[index]
        for name in names
        if name not in ("web_sessions", "audit_log")
    }
    if "audit_log" in names:
        row = con.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()
        counts["audit_log: import"] = int(row[0]) if row else 0
    return counts


def rows_of_shop(demo: WebDemo, shop: str) -> dict[str, int]:
    """Rows per table that belong to ``shop`` (tables with a shop column)."""
    con = demo.workspace.connection
    tables = [
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'main'"
            " AND column_name = 'shop' ORDER BY 1"
        ).fetchall()
    ]
    return {
        t: int(con.execute(f'SELECT count(*) FROM "{t}" WHERE shop = ?', [shop]).fetchone()[0])  # type: ignore[index]
        for t in tables
    }


def multipart(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    """A multipart/form-data body written by hand (httpx would escape a NUL in a file name)."""
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'.encode()
        if filename is not None:
            disposition += b'; filename="' + filename.replace('"', '\\"').encode() + b'"'
        body += f"--{BOUNDARY}\r\n".encode() + b"Content-Disposition: " + disposition + b"\r\n\r\n"
        body += content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


FileTuple = tuple[str, IO[bytes] | bytes, str]
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def orders_csv(rows: list[tuple[str, str]], *, with_shop: bool = True) -> bytes:
    """A 千牛 order export: (order id, shop) per row, paid in December (after the demo's days)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ORDER_HEADER if with_shop else ORDER_HEADER[:-1])
    for index, (order_id, shop) in enumerate(rows):
        line = [order_id, f"2026-12-0{1 + index % 5} 10:0{index % 10}:00", "128.00", "120.00"]
        writer.writerow([*line, shop] if with_shop else line)
    return out.getvalue().encode("utf-8")


def two_sheet_workbook(path: Path, second_shop: str, first_order: int = 1) -> Path:
    """Sheet 1: a 生意参谋 店铺整体 export (the file is named for shop A); sheet 2: a 千牛 order
    export whose 店铺名称 is ``second_shop``."""
    workbook = xlsxwriter.Workbook(str(path))
    overview = workbook.add_worksheet("店铺整体")
    for col, text in enumerate(["统计日期", "访客数", "支付金额", "支付买家数", "备注"]):
        overview.write_string(0, col, text)
    for row, day in enumerate(("2026-12-01", "2026-12-02"), start=1):
        overview.write_row(row, 0, [day, 1000 + row, f"{5000 + row}.00", 40 + row, "看过"])
    orders = workbook.add_worksheet("订单")
    for col, text in enumerate(ORDER_HEADER):
        orders.write_string(0, col, text)
    for row in range(1, 4):
        order_id = f"390000000000000{first_order + row:04d}"
        orders.write_row(row, 0, [order_id, f"2026-12-01 1{row}:00:00", "99.00", "90.00", second_shop])
    workbook.close()
    return path


def detail(response: httpx.Response) -> str:
    """The error message of an API (JSON) or page (HTML) answer."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json()["detail"])
    return html.unescape(response.text)


# -- file names ------------------------------------------------------------------------------

BAD_NAMES = [
    ("..", '文件名无效：".." 指的是文件夹，不是文件 (invalid file name "..": it names a folder, not a file)'),
    (
        "a/..",
        '文件名无效："a/.." 指的是文件夹，不是文件 (invalid file name "a/..": it names a folder, not a file)',
    ),
    (".", '文件名无效："." 指的是文件夹，不是文件 (invalid file name ".": it names a folder, not a file)'),
    ("a/", '文件名无效："a/" 指的是文件夹，不是文件 (invalid file name "a/": it names a folder, not a file)'),
    ("/", '文件名无效："/" 指的是文件夹，不是文件 (invalid file name "/": it names a folder, not a file)'),
    (
        "..\\..",
        '文件名无效："..\\\\.." 指的是文件夹，不是文件 (invalid file name "..\\\\..": it names a folder, not a file)',
    ),
    ("", "文件名无效：文件名为空，或没有选择文件 (invalid file name: it is empty, or no file was chosen)"),
    (
        "a\x00.csv",
        '文件名无效："a\\u0000.csv" 含有空字符 NUL (invalid file name "a\\u0000.csv": it contains a NUL character)',
    ),
    (
        "a\x07.csv",
        '文件名无效："a\\u0007.csv" 含有控制字符 (invalid file name "a\\u0007.csv": it contains a control character)',
    ),
]


@pytest.mark.parametrize(("name", "message"), BAD_NAMES, ids=[repr(n) for n, _ in BAD_NAMES])
def test_a_bad_file_name_is_a_400_with_its_reason_on_every_route(
    web: WebDemo, name: str, message: str
) -> None:
    before = table_counts(web)
    api = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['admin']}"})
    body = multipart([("files", name, b"x,y\n1,2\n")])
    response = api.post("/api/imports", content=body, headers=MULTIPART)
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": message}
    page, csrf = logged_in(web.app, "admin")
    body = multipart([("csrf_token", None, csrf.encode()), ("files", name, b"x,y\n1,2\n")])
    response = page.post("/imports/upload", content=body, headers=MULTIPART)
    assert response.status_code == 400, response.text
    assert message in detail(response)
    assert table_counts(web) == before


def test_nothing_is_written_outside_the_upload_folder(web: WebDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of a request lands in a folder of its own inside one temp folder in the
    workspace's `.tmp`, which is removed once the files are imported."""
    root = web.workspace.temp_root
    assert root is not None and root.parent == web.root
    before = set(root.iterdir())
    written: list[Path] = []
    original = receiving._Spool.write

    def spy(self: Any, data: bytes) -> None:
        written.append(self.path)
        original(self, data)

    monkeypatch.setattr(receiving._Spool, "write", spy)
    api = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['admin']}"})
    names = [
        "../../escape.csv",
        "a/../../escape.csv",
        "C:\\Users\\me\\..\\notes.csv",
        "notes.csv",
        "notes.csv",
    ]
    body = multipart([("files", name, b"x,y\n1,2\n") for name in names])
    response = api.post("/api/imports", content=body, headers=MULTIPART)
    assert response.status_code == 200, response.text
    assert [r["file"] for r in response.json()] == [
        "escape.csv",
        "escape.csv",
        "notes.csv",
        "notes.csv",
        "notes.csv",
    ]
    assert all(r["ok"] is False for r in response.json())  # not exports, but each got its answer
    assert len(written) == 5 and len(set(written)) == 5  # two files of one name never meet
    assert all(p.resolve().is_relative_to(root.resolve()) for p in written)
    assert set(root.iterdir()) == before  # the request's folder is gone
    assert not (web.root.parent / "escape.csv").exists() and not (root.parent / "escape.csv").exists()


def test_a_long_name_is_shortened_keeping_its_extension_and_shop(web: WebDemo) -> None:
    admin = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['admin']}"})
    name = "订单报表" + "很长的说明" * 30 + f"_{SHOP_A}.csv"
    assert len(name.encode()) > 255
    content = orders_csv([("3900000000000000101", SHOP_A)], with_shop=False)
    response = admin.post("/api/imports", files={"files": (name, content, "text/csv")})
    assert response.status_code == 200, response.text
    record = response.json()[0]
    assert record["ok"] is True, record
    assert record["shops"] == [SHOP_A]
    assert record["sent_as"] == name
    assert len(record["file"].encode()) <= 255
    assert record["file"].startswith("订单报表很长的说明") and record["file"].endswith(f"_{SHOP_A}.csv")
    assert "…" in record["file"]
    assert record["message"].endswith("（文件名超过 255 字节，已缩短 (file name shortened)）")


def test_a_long_name_that_would_lose_its_shop_is_refused(web: WebDemo) -> None:
    before = table_counts(web)
    admin = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['admin']}"})
    name = "订单报表" + "很长的说明" * 15 + SHOP_B + "很长的说明" * 15 + ".csv"
    content = orders_csv([("3900000000000000102", SHOP_A)], with_shop=False)
    response = admin.post("/api/imports", files={"files": (name, content, "text/csv")})
    assert response.status_code == 400
    message = response.json()["detail"]
    assert message.startswith("文件名无效：")
    assert f"超过 255 字节，缩短会丢掉店铺名 {SHOP_B}，请改短文件名后重新上传" in message
    assert (
        "(invalid file name" in message
        and f"over 255 bytes, and shortening it would lose the shop name {SHOP_B}" in message
    )
    assert table_counts(web) == before


# -- size, while streaming -------------------------------------------------------------------


def test_an_over_limit_file_is_stopped_while_it_streams(
    web: WebDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real server on 127.0.0.1: the limit is 4 KB, the upload 32 MB. The file stops being
    written at 4 KB, the server never holds it in memory, the other file of the request is still
    answered and the big one is listed as refused; the warehouse gets nothing from it."""
    monkeypatch.setattr(receiving, "MAX_FILE_BYTES", 4096)
    big = tmp_path / f"订单报表_{SHOP_A}.csv"
    line = b"3900000000000000202,2026-12-02 10:00:00,1.00,1.00\n"
    with big.open("wb") as out:
        out.write(orders_csv([("3900000000000000201", SHOP_A)], with_shop=False))
        for _ in range(32):
            out.write(line * (1024 * 1024 // len(line) + 1))
    assert big.stat().st_size > 32 * 1024 * 1024
    stored: dict[Path, int] = {}
    original = receiving._Spool.write

    def spy(self: Any, data: bytes) -> None:
        stored[self.path] = stored.get(self.path, 0) + len(data)
        original(self, data)

    monkeypatch.setattr(receiving._Spool, "write", spy)
    before = table_counts(web)
    headers = {"Authorization": f"Bearer {web.tokens['admin']}"}
    refused = {
        "ok": False,
        "file": big.name,
        "message": "文件太大：超过 4 KB 的上限，未导入 (file too large: over the 4 KB limit; nothing was imported)",
    }
    with serving(web) as server, httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
        small: FileTuple = ("小文件.csv", b"x,y\n1,2\n", "text/csv")
        assert client.post("/api/imports", files={"files": small}).status_code == 200  # warm-up
        with big.open("rb") as stream:
            tracemalloc.start()
            try:
                response = client.post("/api/imports", files={"files": (big.name, stream, "text/csv")})
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert response.status_code == 200, response.text
        assert response.json() == [refused]
        assert max(stored.values()) <= 4096  # the file stopped being written at the limit
        assert peak < 4 * 1024 * 1024, peak  # a 32 MB upload never sat in memory (server and client)
        # With another file in the same request: that one is still read and answered.
        with big.open("rb") as stream:
            files: list[tuple[str, FileTuple]] = [("files", small), ("files", (big.name, stream, "text/csv"))]
            response = client.post("/api/imports", files=files)
    assert response.status_code == 200, response.text
    first, second = response.json()
    assert first["file"] == "小文件.csv" and first["ok"] is False  # answered (not an export)
    assert second == refused
    assert table_counts(web) == before


def test_the_page_lists_an_over_limit_file_as_refused(web: WebDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(receiving, "MAX_FILE_BYTES", 4096)
    before = table_counts(web)
    page, csrf = logged_in(web.app, "admin")
    files = {"files": (f"订单报表_{SHOP_A}.csv", b"a" * (1024 * 1024), "text/csv")}
    response = page.post("/imports/upload", data={"csrf_token": csrf}, files=files)
    assert response.status_code == 422
    assert (
        "文件太大：超过 4 KB 的上限，未导入 (file too large: over the 4 KB limit; nothing was imported)"
        in response.text
    )
    assert table_counts(web) == before


def test_a_request_over_the_total_limit_is_a_413(web: WebDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(receiving, "MAX_REQUEST_BYTES", 64 * 1024)
    before = table_counts(web)
    message = "上传太大：一次最多上传 64 KB (upload too large: at most 64 KB per request — upload the files in several goes)"
    body = multipart([("files", "a.csv", b"a" * (1024 * 1024))])
    with serving(web) as server:
        headers = {"Authorization": f"Bearer {web.tokens['admin']}", **MULTIPART}
        # declared up front (Content-Length) …
        response = httpx.post(server.url + "/api/imports", headers=headers, content=body, timeout=60)
        assert response.status_code == 413
        assert response.json() == {"detail": message}

        # … or found while streaming (chunked, no length)
        def chunks() -> Iterator[bytes]:
            for start in range(0, len(body), 16 * 1024):
                yield body[start : start + 16 * 1024]

        try:
            response = httpx.post(server.url + "/api/imports", headers=headers, content=chunks(), timeout=60)
        except httpx.TransportError:
            pass  # the server may close before the client has sent the rest
        else:
            assert response.status_code == 413
            assert response.json() == {"detail": message}
    page, csrf = logged_in(web.app, "admin")
    response = page.post(
        "/imports/upload", data={"csrf_token": csrf}, files={"files": ("a.csv", b"a" * 100_000)}
    )
    assert response.status_code == 413
    assert message in html.unescape(response.text)
    assert table_counts(web) == before


# -- every sheet, and the uploader's shops ---------------------------------------------------


def test_every_sheet_of_a_workbook_is_listed(tmp_path: Path, fresh_web: WebDemo) -> None:
    book = two_sheet_workbook(tmp_path / f"生意参谋店铺整体_{SHOP_A}.xlsx", SHOP_B)
    page, csrf = logged_in(fresh_web.app, "admin")
    response = page.post(
        "/api/imports", files={"files": (book.name, book.read_bytes())}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 200, response.text
    record = response.json()[0]
    assert record["ok"] is True, record
    assert record["file"] == book.name
    sheets = {s["sheet"]: s for s in record["sheets"]}
    assert sorted((s["sheet"], s["source_key"], s["rows"], s["shops"]) for s in sheets.values()) == [
        ("店铺整体", "sycm_shop_daily", 2, [SHOP_A]),
        ("订单", "qianniu_orders", 3, [SHOP_B]),
    ]
    assert record["rows"] == 5 and sorted(record["shops"]) == sorted([SHOP_A, SHOP_B])
    assert sheets["店铺整体"]["unused_columns"] == ["备注"]
    assert "未使用的列: 备注" in record["message"]
    assert {"unused_columns", "skipped", "shop_rows"} <= record.keys()
    imported_by = fresh_web.workspace.connection.execute(
        "SELECT count(*) FROM imports WHERE imported_by = 'web:admin' AND file_name LIKE ?", [f"{book.name}%"]
    ).fetchone()
    assert imported_by == (2,)  # both sheets' imports say who uploaded them
    # The page shows both sheets too.
    book2 = two_sheet_workbook(tmp_path / f"生意参谋店铺整体_{SHOP_A}_2.xlsx", SHOP_B, first_order=10)
    response = page.post(
        "/imports/upload", data={"csrf_token": csrf}, files={"files": (book2.name, book2.read_bytes())}
    )
    assert response.status_code == 200
    assert "↳ 店铺整体" in response.text and "↳ 订单" in response.text


def test_a_shop_column_spreads_rows_and_skips_are_reported(fresh_web: WebDemo) -> None:
    admin = TestClient(fresh_web.app, headers={"Authorization": f"Bearer {fresh_web.tokens['admin']}"})
    content = orders_csv(
        [("3900000000000000301", SHOP_A), ("3900000000000000302", SHOP_B), ("3900000000000000303", SHOP_B)]
    )
    content += "合计,,384.00,360.00,\n".encode()
    response = admin.post("/api/imports", files={"files": ("订单报表.csv", content, "text/csv")})
    record = response.json()[0]
    assert record["ok"] is True, record
    assert record["shop_rows"] == [{"shop": SHOP_A, "rows": 1}, {"shop": SHOP_B, "rows": 2}]
    assert record["skipped"] == [{"reason": "合计/汇总", "rows": 1}]
    assert f"（{SHOP_A} 1 行、{SHOP_B} 2 行）" in record["message"]
    assert "跳过 1 行（合计/汇总 1）" in record["message"]


def as_alice(web: WebDemo, how: str) -> tuple[TestClient, str, dict[str, str]]:
    """alice (operator limited to shop A): the upload URL and headers of the page or the API."""
    if how == "page":
        client, csrf = logged_in(web.app, "alice")
        return client, "/imports/upload", {"csrf_token": csrf}
    client = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['alice']}"})
    return client, "/api/imports", {}


def refused_record(response: httpx.Response) -> str:
    """The one file's refusal message, from the JSON answer or the page."""
    if response.headers["content-type"].startswith("application/json"):
        assert response.status_code == 200, response.text
        record = response.json()[0]
        assert record["ok"] is False, record
        return str(record["message"])
    assert response.status_code == 422, response.text
    rows = re.findall(r'<tr class="(ok|failed)">(.*?)</tr>', response.text, re.S)
    assert [kind for kind, _ in rows] == ["failed"], rows
    return html.unescape(rows[0][1])


@pytest.mark.parametrize("how", ["page", "api"])
@pytest.mark.parametrize("chosen", [SHOP_A, ""], ids=["form-shop-A", "no-form-shop"])
def test_a_scoped_operator_never_writes_a_row_of_another_shop(
    web: WebDemo, tmp_path: Path, how: str, chosen: str
) -> None:
    client, url, form = as_alice(web, how)
    data = {**form, "shop": chosen} if chosen else form
    before, before_b = table_counts(web), rows_of_shop(web, SHOP_B)
    book = two_sheet_workbook(tmp_path / f"生意参谋店铺整体_{SHOP_A}.xlsx", SHOP_B)
    attempts = {
        "(a) workbook whose 2nd sheet is B's": (book.name, book.read_bytes()),
        "(b) 店铺名称 column names B": ("订单报表.csv", orders_csv([("3900000000000000401", SHOP_B)])),
        "(b') column names A then B": (
            "订单报表.csv",
            orders_csv([("3900000000000000402", SHOP_A), ("3900000000000000403", SHOP_B)]),
        ),
        "(c) file name names B": (
            f"订单报表_{SHOP_B}.csv",
            orders_csv([("3900000000000000404", SHOP_A)], with_shop=False),
        ),
    }
    for what, (name, content) in attempts.items():
        response = client.post(url, data=data, files={"files": (name, content)})
        message = refused_record(response)
        assert name in message, (what, message)
        if chosen:  # the file's shop and the form's disagree
            assert SHOP_B in message and SHOP_A in message, (what, message)
        else:
            assert "文件含有你无权导入的店铺的数据，未导入任何内容" in message, (what, message)
            assert f"holds rows of shop {SHOP_B}" in message, (what, message)
        assert table_counts(web) == before, what
        assert rows_of_shop(web, SHOP_B) == before_b, what


def test_a_file_of_another_shop_already_imported_is_refused_not_shown(
    fresh_web: WebDemo, tmp_path: Path
) -> None:
    """(e) The importer answers "already imported" before it reads the rows: a file an admin
    imported for shop B must still be refused to alice, without showing what B's import holds."""
    admin = TestClient(fresh_web.app, headers={"Authorization": f"Bearer {fresh_web.tokens['admin']}"})
    book = two_sheet_workbook(tmp_path / f"生意参谋店铺整体_{SHOP_A}.xlsx", SHOP_B, first_order=20)
    named_b = (f"订单报表_{SHOP_B}.csv", orders_csv([("3900000000000000701", SHOP_A)], with_shop=False))
    column_b = ("订单报表.csv", orders_csv([("3900000000000000702", SHOP_B)]))
    for name, content in [(book.name, book.read_bytes()), named_b, column_b]:
        assert admin.post("/api/imports", files={"files": (name, content)}).json()[0]["ok"] is True
    before = table_counts(fresh_web)
    for how in ("page", "api"):
        client, url, form = as_alice(fresh_web, how)
        for name, content in [(book.name, book.read_bytes()), named_b, column_b]:
            message = refused_record(client.post(url, data=form, files={"files": (name, content)}))
            assert "文件含有你无权导入的店铺的数据，未导入任何内容" in message, message
            assert "已导入过" not in message and "2026-12" not in message, message
    assert table_counts(fresh_web) == before


@pytest.mark.parametrize("how", ["page", "api"])
def test_a_scoped_operator_cannot_name_another_shop_in_the_form(web: WebDemo, how: str) -> None:
    client, url, form = as_alice(web, how)
    before = table_counts(web)
    content = orders_csv([("3900000000000000501", SHOP_B)])
    response = client.post(url, data={**form, "shop": SHOP_B}, files={"files": ("订单报表.csv", content)})
    assert response.status_code == 403
    assert "无权查看该店铺或店铺不存在 (no such shop, or not yours)" in detail(response)
    assert SHOP_B not in detail(response)
    assert table_counts(web) == before


def test_a_scoped_operator_imports_an_erp_file_of_their_shop(fresh_web: WebDemo) -> None:
    alice = TestClient(fresh_web.app, headers={"Authorization": f"Bearer {fresh_web.tokens['alice']}"})
    content = orders_csv([("3900000000000000601", SHOP_A), ("3900000000000000602", SHOP_A)])
    before_b = rows_of_shop(fresh_web, SHOP_B)
    response = alice.post("/api/imports", files={"files": ("订单报表.csv", content)})
    record = response.json()[0]
    assert record["ok"] is True, record
    assert record["shops"] == [SHOP_A] and record["rows"] == 2
    assert rows_of_shop(fresh_web, SHOP_B) == before_b


def test_uploads_without_their_csrf_token_write_nothing(
    web: WebDemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token must come before the files: a forged form is refused before a byte is stored."""
    written: list[Path] = []
    monkeypatch.setattr(receiving._Spool, "write", lambda self, data: written.append(self.path))
    page, csrf = logged_in(web.app, "admin")
    for url in ("/imports/upload", "/api/imports"):
        late = multipart([("files", "a.csv", b"x\n"), ("csrf_token", None, csrf.encode())])
        assert page.post(url, content=late, headers=MULTIPART).status_code == 403
        forged = multipart([("csrf_token", None, b"forged"), ("files", "a.csv", b"x\n")])
        assert page.post(url, content=forged, headers=MULTIPART).status_code == 403
        wrong_header = {**MULTIPART, "X-CSRF-Token": "forged"}
        good_body = multipart([("csrf_token", None, csrf.encode()), ("files", "a.csv", b"x\n")])
        assert page.post(url, content=good_body, headers=wrong_header).status_code == 403
    assert written == []


def test_a_full_disk_while_receiving_is_told_not_a_crash(
    web: WebDemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Any, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(receiving._Spool, "write", full)
    before = table_counts(web)
    admin = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['admin']}"})
    response = admin.post("/api/imports", files={"files": ("a.csv", b"x,y\n1,2\n")})
    assert response.status_code == 400
    message = response.json()["detail"]
    assert message.startswith("磁盘已满，上传的文件没有保存，未导入任何内容 (the disk is full (writing ")
    assert message.endswith("— free some space and upload the files again; nothing was imported)")
    assert table_counts(web) == before


def test_a_viewer_cannot_upload(web: WebDemo) -> None:
    viewer = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['viewer']}"})
    response = viewer.post("/api/imports", files={"files": ("a.csv", b"x\n")})
    assert response.status_code == 403
    assert response.json() == {"detail": "只读用户不能导入文件 (viewers cannot import)"}


def test_a_form_without_files_or_not_multipart_is_a_400(web: WebDemo) -> None:
    admin = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['admin']}"})
    response = admin.post(
        "/api/imports", content=multipart([("shop", None, SHOP_A.encode())]), headers=MULTIPART
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": '请选择要上传的文件 (no file was uploaded: send them as the form field "files")'
    }
    response = admin.post("/api/imports", data={"shop": SHOP_A})
    assert response.status_code == 400
    assert response.json() == {
        "detail": '请用 multipart/form-data 上传文件 (send the files as multipart/form-data, form field "files")'
    }
    cut = multipart([("files", "a.csv", b"x,y\n1,2\n")])[:-30]
    response = admin.post("/api/imports", content=cut, headers=MULTIPART)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "上传不完整，请重新上传 (the upload was cut off — upload the files again)"
    }
