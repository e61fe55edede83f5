"""The returns demo (issue 16): 山岚服饰's after-sales with their planted causes, the 千牛 退款管理
exports of 54 and 42 columns, the 淘宝 review CSVs (one per item), the 抖店 售后 and 评价 exports — read
back from the files and checked against ``manifest["returns"]``.

Rates here are computed from the files (the 千牛 宝贝报表 for the paid lines) and the manifest's
cases, never from the generator's own numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from shopops.demo.douyin import DOUYIN_SHOP
from shopops.demo.profiles import FIELD
from shopops.demo.run import generate
from shopops.demo.simulation import simulate

END = dt.date(2026, 11, 29)
DAYS = 90
SEED = 7
SHOP = "山岚服饰"
SIZE = ("尺码不合适", "大小尺寸与商品描述不符")
DEFECT = ("质量问题", "商品褪色/掉色")
MISPICK = ("卖家发错货", "少件/漏发")
SUBJECTIVE = ("不喜欢/效果不好", "七天无理由退换货", "不想要了")
MIN_ORDERS = 20


@dataclass(frozen=True)
class Demo:
    folder: Path
    manifest: dict[str, Any]
    files: list[Path]

    @property
    def returns(self) -> dict[str, Any]:
        return self.manifest["returns"]  # type: ignore[no-any-return]

    def cases(self, shop: str) -> list[dict[str, Any]]:
        return [c for c in self.returns["cases"] if c["shop"] == shop]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("returns")
    made = generate(folder, days=DAYS, end=END, seed=SEED, platforms=True, stock=True)
    return Demo(folder, json.loads(made.manifest.read_text(encoding="utf-8")), made.files)


def sheet(path: Path) -> list[list[Any]]:
    """A workbook's first sheet, or a CSV (千牛's GB18030 download), as rows of cells."""
    if path.suffix == ".csv":
        with path.open(encoding="gb18030", newline="") as handle:
            return list(csv.reader(handle))
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


@dataclass(frozen=True)
class Paid:
    order_id: str
    sku: str
    style: str
    size: str
    paid: dt.date


def paid_lines(demo: Demo) -> list[Paid]:
    """山岚服饰's paid lines from its 千牛 宝贝报表 (every line its own order)."""
    skus = demo.manifest["stock"]["skus"]
    (path,) = (demo.folder / SHOP).glob("ExportOrderDetailList_*.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        facts = skus.get(row["商家编码"], {})
        out.append(
            Paid(row["主订单编号"], row["商家编码"], facts.get("style", row["商家编码"]), facts.get("size", ""),
                 dt.date.fromisoformat(row["订单付款时间"][:10]))
        )  # fmt: skip
    return out


def wilson(k: int, n: int, z: float = 1.96) -> float:
    p = k / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


def rates(
    lines: Iterable[Paid], cases: list[dict[str, Any]], reasons: tuple[str, ...], key: Callable[[Paid], str]
) -> dict[str, tuple[int, int]]:
    """(cases with one of ``reasons``, paid orders) per key of the lines."""
    lines = list(lines)
    hit = {c["order_id"] for c in cases if c["reason"] in reasons}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        out[key(line)][1] += 1
        out[key(line)][0] += line.order_id in hit
    return {k: (v[0], v[1]) for k, v in out.items()}


def top_by_wilson(table: dict[str, tuple[int, int]]) -> str:
    able = {k: v for k, v in table.items() if v[1] >= MIN_ORDERS}
    return max(able, key=lambda k: wilson(*able[k]))


def total(table: dict[str, tuple[int, int]]) -> float:
    return sum(k for k, _ in table.values()) / sum(n for _, n in table.values())


# --- the planted causes ---------------------------------------------------------------------------


def test_the_size_style_returns_for_size_several_times_the_shop(demo: Demo) -> None:
    planted = demo.returns["planted"]["size"]
    lines, cases = paid_lines(demo), demo.cases(SHOP)
    by_style = rates(lines, cases, SIZE, lambda p: p.style)
    k, n = by_style[planted["style"]]
    assert 3 <= (k / n) / total(by_style) <= 4.5, (k, n, total(by_style))
    assert top_by_wilson(by_style) == planted["style"]
    by_sku = rates(lines, cases, SIZE, lambda p: p.sku)
    assert demo.manifest["stock"]["skus"][top_by_wilson(by_sku)]["style"] == planted["style"]
    sized = [c for c in cases if c["style"] == planted["style"] and c["reason"] in SIZE]
    assert sum(c["size"] in planted["sizes"] for c in sized) / len(sized) >= 0.75  # mostly S and M
    assert {c["cause"] for c in sized} == {"size"}
    assert any("偏小" in c["detail"] for c in sized)


def test_the_defect_batch_returns_for_quality_a_third_of_its_orders(demo: Demo) -> None:
    planted = demo.returns["planted"]["defect_batch"]
    first, last = dt.date.fromisoformat(planted["paid_from"]), dt.date.fromisoformat(planted["paid_to"])
    assert 12 <= (last - first).days + 1 <= 16
    lines, cases = paid_lines(demo), demo.cases(SHOP)
    batch = [p for p in lines if p.sku in planted["skus"]]
    inside = rates([p for p in batch if first <= p.paid <= last], cases, DEFECT, lambda p: "batch")["batch"]
    outside = rates([p for p in batch if not first <= p.paid <= last], cases, DEFECT, lambda p: "b")["b"]
    assert inside[1] >= 60 and 0.22 <= inside[0] / inside[1] <= 0.4, inside
    assert outside[0] / outside[1] < 0.03, outside
    window = [p for p in lines if first <= p.paid <= last]
    assert top_by_wilson(rates(window, cases, DEFECT, lambda p: p.style)) == planted["style"]
    assert top_by_wilson(rates(window, cases, DEFECT, lambda p: p.sku)) in planted["skus"]
    # period over period: the style's quality rate in the window against the same days before it
    before = first - dt.timedelta(days=(last - first).days + 1)
    style = [p for p in lines if p.style == planted["style"]]
    now = rates([p for p in style if first <= p.paid <= last], cases, DEFECT, lambda p: "s")["s"]
    then = rates([p for p in style if before <= p.paid < first], cases, DEFECT, lambda p: "s")["s"]
    assert now[0] / now[1] - then[0] / then[1] >= 0.1
    texts = [c["detail"] for c in cases if c["cause"] == "defect"]
    assert texts and all(
        any(w in t for w in ("开线", "起球", "掉色", "线头", "脱线", "做工", "发白")) for t in texts
    )


def test_the_mispick_week_sends_the_wrong_goods(demo: Demo) -> None:
    planted = demo.returns["planted"]["mispick_week"]
    first, last = dt.date.fromisoformat(planted["from"]), dt.date.fromisoformat(planted["to"])
    assert (last - first).days == 6
    assert END - dt.timedelta(days=59) <= first and last <= END - dt.timedelta(days=14)
    lines, cases = paid_lines(demo), demo.cases(SHOP)
    weeks = rates(lines, cases, MISPICK, lambda p: str((p.paid - first).days // 7))
    week = weeks.pop("0")
    assert 0.05 <= week[0] / week[1] <= 0.1, week
    assert all(k / n < 0.015 for k, n in weeks.values() if n >= 300), weeks
    assert top_by_wilson(weeks | {"0": week}) == "0"
    skus = {c["sku"] for c in cases if c["cause"] == "mispick"}
    assert len(skus) >= 20  # many SKUs, not one


def test_last_seasons_styles_grow_subjective_returns_at_the_end(demo: Demo) -> None:
    """Paid in the last four weeks (less the last 10 days, whose returns are still to come) against
    the four weeks before, and against the other styles."""
    planted = demo.returns["planted"]["seasonal"]
    first, last = dt.date.fromisoformat(planted["paid_from"]), END - dt.timedelta(days=10)
    lines, cases = paid_lines(demo), demo.cases(SHOP)
    ours = [p for p in lines if p.style in planted["styles"]]
    late = rates([p for p in ours if first <= p.paid <= last], cases, SUBJECTIVE, lambda p: "s")["s"]
    early = rates([p for p in ours if first - dt.timedelta(28) <= p.paid < first], cases, SUBJECTIVE,
                  lambda p: "s")["s"]  # fmt: skip
    others = [p for p in lines if p.style not in planted["styles"] and first <= p.paid <= last]
    rest = rates(others, cases, SUBJECTIVE, lambda p: "s")["s"]
    assert late[0] / late[1] >= 2 * max(early[0] / early[1], rest[0] / rest[1]), (late, early, rest)
    assert {c["cause"] for c in cases if c["style"] in planted["styles"] and c["reason"] in SUBJECTIVE} == {
        "subjective", "normal"}  # fmt: skip


def test_base_rates_are_an_apparel_shops(demo: Demo) -> None:
    cases, orders = demo.cases(SHOP), len(paid_lines(demo))
    before = sum(c["shipped"] == "发货前" for c in cases) / orders
    after = sum(c["shipped"] == "发货后" for c in cases) / orders
    assert 0.025 <= before <= 0.045 and 0.08 <= after <= 0.13, (before, after)
    reasons = Counter(c["reason"] for c in cases if c["shipped"] == "发货后")
    assert reasons.most_common(1)[0][0] == "尺码不合适"
    assert {c["kind"] for c in cases} == {"仅退款", "退货退款", "换货"}
    assert all(Decimal(c["amount"]) == 0 for c in cases if c["kind"] == "换货")
    assert any(c["partial"] for c in cases) and {c["responsible"] for c in cases} == {"买家", "卖家", "物流"}
    assert {c["status_class"] for c in cases} == {"成功", "关闭", "处理中"}
    assert {c["cause"] for c in cases} == {"size", "defect", "mispick", "subjective", "normal"}


# --- the files -------------------------------------------------------------------------------------


def test_the_54_column_refund_export(demo: Demo) -> None:
    path = demo.folder / demo.returns["refund_files"][SHOP]
    header, *rows = sheet(path)
    assert len(header) == 54 and header.count("退款完结时间") == 2 and header.count("退款的申请时间") == 2
    assert not any(name.endswith(".1") for name in header)
    assert {"支付单号", "商品 id", "手工退款 / 系统退款", "部分退款 / 全部退款", "买家会员名称"} <= set(
        header
    )
    assert "支付宝交易号" not in header
    done = [i for i, name in enumerate(header) if name == "退款完结时间"]
    asked = [i for i, name in enumerate(header) if name == "退款的申请时间"]
    want = {c["id"]: c for c in demo.cases(SHOP)}
    assert len(rows) == len(want)
    for row in rows:
        assert row[done[0]] == row[done[1]] and row[asked[0]] == row[asked[1]]
        record = dict(zip(header, row, strict=True))
        case = want[record["退款编号"]]
        assert (record["订单编号"], record["买家退款金额"], record["退款状态"], record["买家退款原因"]) == (
            case["order_id"], case["amount"], case["status"], case["reason"])  # fmt: skip
        assert (record["售后类型"], record["退款完结时间"] or None) == (case["kind"], case["completed_at"])
        assert record["是否零秒响应"] in ("是", "否")
        shipped = bool(record["发货物流信息"])
        assert shipped == (case["shipped"] == "发货后")
        assert record["货物状态"] == case["goods_status"]


def test_the_shops_master_truths_are_its_successful_refunds(demo: Demo) -> None:
    path = demo.folder / demo.returns["refund_files"][SHOP]
    header, *rows = sheet(path)
    by_day: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        record = dict(zip(header, row, strict=False))  # the first of two same-named columns is kept
        if record["退款状态"] == "退款成功":
            by_day[record["退款完结时间"][:10]] += Decimal(record["买家退款金额"])
    days = demo.manifest["shops"][SHOP]["days"]
    for day, truth in days.items():
        assert Decimal(truth["refund_amount"]) == by_day.get(day, Decimal(0)), day
    assert sum(by_day.values()) > 0


def test_the_42_column_export_keeps_the_simulations_refunds(demo: Demo) -> None:
    header, *rows = sheet(demo.folder / f"退款管理_{FIELD.name}.xlsx")
    assert len(header) == 42 and len(set(header)) == 42
    assert {"支付宝交易号", "手工退款/系统退款", "是否需要退货", "部分退款/全部退款"} <= set(header)
    start = END - dt.timedelta(days=DAYS - 1)
    history = simulate(FIELD, start, DAYS, SEED, 2)
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["退款编号"], r["买家退款金额"], r["退款状态"], r["买家退款原因"], r["退款的申请时间"], r["退款完结时间"])
            for r in records] == [
        (f.refund_id, f"{f.amount:.2f}", f.status, f.reason, f"{f.applied_at:%Y-%m-%d %H:%M:%S}",
         f"{f.completed_at:%Y-%m-%d %H:%M:%S}" if f.completed_at else "")
        for f in history.refunds
    ]  # fmt: skip
    assert {r["是否需要退货"] for r in records} == {"是", "否"}


def test_the_review_csvs_are_the_plugins_one_per_item(demo: Demo) -> None:
    entries = [f for f in demo.returns["files"] if f["source"] == "taobao_reviews"]
    want = [r for r in demo.returns["reviews"] if r["shop"] == SHOP]
    assert len(entries) == len({w["item_id"] for w in want}) >= 20  # one file per item with a review
    (report,) = (demo.folder / SHOP).glob("【生意参谋平台】【商品每日数据】*.csv")
    with report.open(encoding="gb18030", newline="") as handle:
        lines = list(csv.reader(handle))
    first = next(i for i, line in enumerate(lines) if line[:1] == ["统计日期"])
    code_of = {line[1]: line[3] for line in lines[first + 1 :]}  # 商品ID → 货号 (款式编码 or 组合商品编码)
    rows: list[list[str]] = []
    for entry in entries:
        path = demo.folder / entry["path"]
        item = path.stem.rsplit("_", 1)[1]  # the page's 宝贝ID, 12 digits, as the operator names the file
        assert entry["shop"] == SHOP and path in demo.files and path.name == f"淘宝评价_{SHOP}_{item}.csv"
        assert len(item) == 12 and item.isdigit()
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header, *held = list(csv.reader(handle))
        assert header == ["评论内容", "追加评论", "评分", "日期", "SKU", "用户昵称", "商家回复", "平台"]
        mine = [w for w in want if w["file"] == entry["path"]]
        assert [(r[0], r[2], r[3], r[4], r[5]) for r in held] == [
            (w["content"], str(w["score"]), w["date"], w["spec"], w["buyer"]) for w in mine
        ]
        # the item's page: each review is of a SKU of the item's 货号 (its style's, or the 组合 itself)
        assert {w["item_id"] for w in mine} == {item}
        assert all(w["sku"] == code_of[item] or w["sku"].startswith(f"{code_of[item]}-") for w in mine)
        assert len({(r[3], r[5], r[4], r[0]) for r in held}) == len(held)  # no two rows the same
        rows += held
    assert len(rows) == len(want)
    assert all(
        r[4].startswith(("颜色分类:", "套餐类型:")) and len(r[5]) == 4 and r[5][1:3] == "**" for r in rows
    )
    assert all(r[7] == "淘宝" for r in rows) and {int(r[2]) for r in rows} <= {1, 2, 3, 4, 5}


def test_reviews_follow_the_causes(demo: Demo) -> None:
    reviews = [r for r in demo.returns["reviews"] if r["shop"] == SHOP]
    assert sum(r["score"] >= 4 for r in reviews) / len(reviews) >= 0.8  # good reviews dominate
    words = {"size": ("偏小", "尺码"), "defect": ("开线", "起球", "质量", "掉色", "线头"),
             "mispick": ("发错", "少件", "颜色不对", "发来")}  # fmt: skip
    for cause, said in words.items():
        bad = [r for r in reviews if r["cause"] == cause]
        assert len(bad) >= 10 and all(any(w in r["content"] for w in said) for r in bad), cause
        assert all(r["score"] <= 4 for r in bad)
    cases = {c["id"]: c for c in demo.cases(SHOP)}
    for review in reviews:
        if review["case_id"] is not None:
            assert cases[review["case_id"]]["order_id"] == review["order_id"]
    assert sum(r["follow_up"] is not None for r in reviews) >= 30
    recent = END - dt.timedelta(days=29)
    waiting = [
        r
        for r in reviews
        if r["score"] <= 2 and not r["replied"] and dt.date.fromisoformat(r["date"]) >= recent
    ]
    assert 3 <= len(waiting) <= 25  # 待处理差评: a handful
    old = [r for r in reviews if r["score"] <= 2 and dt.date.fromisoformat(r["date"]) < recent]
    assert sum(r["replied"] for r in old) / len(old) >= 0.8


def test_the_douyin_after_sale_files(demo: Demo) -> None:
    entries = [f for f in demo.returns["files"] if f["source"] == "douyin_after_sales"]
    assert len(entries) == 2 and {f["shop"] for f in entries} == {DOUYIN_SHOP}
    (text_header, *text_rows), (code_header, *code_rows) = (sheet(demo.folder / f["path"]) for f in entries)
    assert text_header == code_header and len(text_header) == 50
    assert text_header[:7] == [
        "售后单号",
        "订单号",
        "商品单号",
        "售后类型",
        "售后状态",
        "售后申请时间",
        "退商品金额（元）",
    ]
    codes = demo.returns["douyin_codes"]
    kinds = {row[3] for row in text_rows} | {row[4] for row in text_rows}
    assert kinds <= set(codes["type"].values()) | set(codes["status"].values()) and "退款成功" in kinds
    assert {row[3] for row in code_rows} <= set(codes["type"]) and {row[4] for row in code_rows} <= set(
        codes["status"]
    )
    assert len(code_rows) - len({tuple(r) for r in code_rows}) == 1  # one push written twice
    cases = {c["id"]: c for c in demo.cases(DOUYIN_SHOP)}
    assert {row[0] for row in text_rows + code_rows} == set(cases)
    index = {name: i for i, name in enumerate(text_header)}
    for row in text_rows + code_rows:
        goods, postage = Decimal(row[index["退商品金额（元）"]]), Decimal(row[index["退运费金额（元）"]])
        assert Decimal(row[index["退款金额（元）"]]) == goods + postage == Decimal(cases[row[0]]["amount"])
    assert any(Decimal(c["postage"]) > 0 for c in cases.values())
    assert {c["type_code"] for c in cases.values()} >= {0, 1, 2, 3, 6, 7}
    # the order export's 售后状态 says the same as the 售后 files
    (orders,) = demo.folder.glob(f"抖店订单导出_{DOUYIN_SHOP}_*.csv")
    with orders.open(encoding="utf-8-sig", newline="") as handle:
        status = {row["子订单编号"].strip(): row["售后状态"] for row in csv.DictReader(handle)}
    by_line = {c["line_id"]: c["status"] for c in cases.values()}
    assert {line: s for line, s in status.items() if s != "-"} == by_line


def test_the_douyin_review_export(demo: Demo) -> None:
    entry = next(f for f in demo.returns["files"] if f["source"] == "douyin_reviews")
    header, *rows = sheet(demo.folder / entry["path"])
    assert header[:7] == ["评价日期", "订单ID", "商品ID", "商品名称", "商品规格", "商品评价得分", "评价内容"]
    assert header[7:] == ["用户昵称", "评价等级", "追评内容", "追评时间", "商家是否回复", "回复内容"]
    want = [r for r in demo.returns["reviews"] if r["shop"] == DOUYIN_SHOP]
    assert [(r[1], r[2], r[4], int(r[5]), r[6]) for r in rows] == [
        (w["order_id"], w["item_id"], w["spec"], w["score"], w["content"]) for w in want
    ]
    assert len({(r[1], r[2], r[4]) for r in rows}) == len(rows)
    assert {r[11] for r in rows} == {"已回复", "未回复"} and {r[8] for r in rows} == {"好评", "中评", "差评"}


def test_every_returns_file_is_generated_and_named_for_its_shop(demo: Demo) -> None:
    for entry in demo.returns["files"]:
        path = demo.folder / entry["path"]
        assert path in demo.files and entry["shop"] in path.name
    assert demo.folder / demo.returns["refund_files"][SHOP] in demo.files
