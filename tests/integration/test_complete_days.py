"""Complete days on generated order exports: an export pulled at 00:37 has not covered its last day.

The demo's 千牛 order export (云朵旗舰店) is cut as if pulled at a given moment: orders created
later are not in it, and orders paid later are still unpaid in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from shopops.demo.run import configure, generate
from shopops.metrics.completeness import partial_days
from shopops.workspace import Workspace
from tests.conftest import run_cli

END = dt.date(2026, 11, 24)
SHOP = "云朵旗舰店"
CREATED, PAID = "订单创建时间", "订单付款时间"


def _pulled_at(exports: Path, moment: dt.datetime, target: Path) -> Path:
    """The demo's order export as it would have been downloaded at ``moment``."""
    source = next(exports.glob("ExportOrderList_*.csv"))
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    kept = []
    for row in rows:
        if dt.datetime.fromisoformat(row[CREATED]) > moment:
            continue
        if row[PAID] and dt.datetime.fromisoformat(row[PAID]) > moment:
            row[PAID] = ""  # not paid yet when the export was taken
        kept.append(row)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    return target


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("complete") / "exports"
    generate(folder, days=21, end=END, seed=7)
    return folder


def _workspace(base: Path, export: Path) -> Path:
    root = base / "ws"
    with Workspace.init(root) as workspace:
        configure(workspace)
        workspace.import_file(export)
    return root


def test_an_export_pulled_after_midnight_has_not_covered_its_last_day(exports: Path, tmp_path: Path) -> None:
    moment = dt.datetime.combine(END, dt.time(0, 37))
    root = _workspace(tmp_path, _pulled_at(exports, moment, tmp_path / "订单_0037.csv"))
    with Workspace.open(root) as workspace:
        partial = partial_days(workspace.connection)
        assert [(p.shop, p.date, p.table) for p in partial] == [(SHOP, END, "orders")]
        assert partial[0].reason.startswith("订单导出最后一笔下单在 00:")
        assert partial[0].reason.endswith("的订单（这一天还没导完）")
        assert workspace.data_dates()[1] == END - dt.timedelta(days=1)
        assert workspace.incomplete_days() == partial
        frame = workspace.master_table(END - dt.timedelta(days=1), END, shops=[SHOP])
        assert frame["complete"].to_list() == [True, False]
        week = workspace.master_table(END - dt.timedelta(days=6), END, shops=[SHOP], grain="week", total=True)
        assert week.filter(week["date"] == dt.date(2026, 11, 23))["complete"].to_list() == [False, False]
    findings = run_cli("--workspace", root, "findings", "--format", "json")
    assert findings.stderr.startswith(
        "注意 2026-11-24 数据不完整，默认用 2026-11-23（云朵旗舰店：订单导出最后一笔下单在 00:"
    )
    assert max((f["date"] for f in json.loads(findings.stdout)), default="") <= "2026-11-23"


def test_an_export_pulled_late_in_the_evening_covers_its_day(exports: Path, tmp_path: Path) -> None:
    """After 23:50 hardly any orders come: the day counts as whole."""
    moment = dt.datetime.combine(END, dt.time(23, 50))
    root = _workspace(tmp_path, _pulled_at(exports, moment, tmp_path / "订单_2350.csv"))
    with Workspace.open(root) as workspace:
        assert partial_days(workspace.connection) == []
        assert workspace.data_dates()[1] == END


def test_payments_after_the_last_order_created_are_an_incomplete_day(exports: Path, tmp_path: Path) -> None:
    """An export of the orders created up to 11-23 23:59, with one of them paid on 11-24."""
    moment = dt.datetime.combine(END, dt.time(0, 0))
    export = _pulled_at(exports, moment - dt.timedelta(seconds=1), tmp_path / "订单_到23日.csv")
    text = export.read_text(encoding="utf-8-sig").splitlines()
    unpaid = next(i for i, line in enumerate(text) if ",交易关闭," not in line and ",," in line and i > 0)
    assert unpaid  # an order created on 11-23 not paid by midnight …
    fields = next(csv.reader([text[unpaid]]))
    fields[8] = "2026-11-24 09:15:00"  # … paid the next morning, as a later download would show
    fields[5] = "交易成功"
    buffer = io.StringIO()
    csv.writer(buffer).writerow(fields)
    text[unpaid] = buffer.getvalue().rstrip("\r\n")
    export.write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    root = _workspace(tmp_path, export)
    with Workspace.open(root) as workspace:
        partial = partial_days(workspace.connection)
        assert [p.date for p in partial] == [END]
        assert partial[0].reason.endswith("11-24 只有此前下单、当天付款的订单")
        assert workspace.data_dates()[1] == END - dt.timedelta(days=1)
