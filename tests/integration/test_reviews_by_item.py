"""`shopops reviews` with the browser plugin's files as it really writes them: one CSV per item page,
the item's 宝贝ID in the file's name (sources/taobao_reviews.yaml). The item gives the SKU (the item's
SKU whose 颜色 and 尺码 the 规格 names); that SKU and the buyer give the order when one order fits.

Two workspaces: a small hand-made shop with a case for each rule, and the demo's 山岚服饰 (the stock
shop alone, written as ``shopops demo`` writes it) checked against the demo's truth: every SKU and
order linked is the true one, and a review has its order exactly when one order of its SKU fits its
masked buyer — counted here from the imported orders, not by the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.demo.stock import write_stock_shop
from shopops.domains.returns.reviews import china_today, review_list
from shopops.domains.returns.rules import ReturnRules
from shopops.domains.returns.themes import review_themes
from shopops.workspace import Workspace
from tests.stock_files import write_xlsx

TMALL = "山岚服饰"
T = china_today()
HEADER = ["评论内容", "追加评论", "评分", "日期", "SKU", "用户昵称", "商家回复", "平台"]
SL01, SL02, PACK, NOBODY = "600123456789", "600987654321", "611111111111", "699999999999"
BLUE_M, BLUE_L, BLACK_M = "颜色分类:雾霾蓝;尺码:M", "颜色分类:雾霾蓝;尺码:L", "颜色分类:黑色;尺码:M"
GREY_M = "颜色分类:灰色;尺码:M"
ORDERS = [  # order, buyer, days ago, 商家编码, 商品ID on the 宝贝报表 line (only the pack's has one)
    ("O1", "tom_cat9", 10, "SL01-BLU-M", ""), ("O2", "tina_9", 9, "SL01-BLK-M", ""),
    ("O3", "ted9", 20, "SL01-BLU-M", ""), ("O4", "tao9", 18, "SL01-BLU-L", ""),
    ("O6", "tim_1", 6, "SL02-WHT-M", ""), ("O7", "tu_1", 5, "SL02-WHT-S", ""), ("O8", "zoe8", 5, "ZH01", PACK),
    ("O9", "tia9", 7, "SL01-GRY-M", ""), ("O10", "tod9", 8, "SL01-GRY-M2", ""),  # two SKUs of 灰色 M
]  # fmt: skip
# The plugin's files: name → (days ago, buyer, 规格, score, text)
FILES = {
    f"评价_{SL01}.csv": [  # SL01's item: the product master's 商品ID
        (3, "tom_cat9", BLUE_M, 1, "衣服偏小，洗了就起球"),
        (2, "t**9", BLUE_M, 1, "起球严重，还有色差"),  # tom_cat9 and ted9 bought 雾霾蓝 M
        (1, "t**9", BLACK_M, 2, "发错货了，少件"),  # only tina_9 bought 黑色 M
        (1, "x**y", BLUE_L, 2, "偏小一码"),  # nobody x…y bought 雾霾蓝 L
        (1, "t**9", "颜色分类:红色;尺码:M", 1, "红色掉色"),  # SL01 has no 红色
        (2, "t**9", GREY_M, 2, "颜色发灰"),  # 灰色 M is two SKUs: tia9 and tod9 bought one each
        (2, "tia9", GREY_M, 1, "灰色有色差"),  # one order of the two SKUs: its line says which
    ],
    f"淘宝评价_{TMALL}_{SL02}.csv": [(1, "t**1", "颜色分类:白色;尺码:M", 1, "开线了")],  # 商品效果 货号 SL02
    # a 组合: one SKU, neither 颜色 nor 尺码
    f"评价_{PACK}.csv": [(1, "z**8", "套餐类型:两件装", 2, "少件，只到一件")],
    f"评价_{TMALL}_20261130.csv": [(2, "t**9", BLACK_M, 2, "颜色不对")],  # a date is no item: buyer + 规格
    f"评价_{NOBODY}.csv": [(1, "t**9", BLACK_M, 1, "没收到货")],  # an item nothing else knows
}
COLUMN_FILE = "评价导出_带宝贝ID.csv"  # a plugin version with its own item column
COLUMN_ROWS = [(1, "t**1", "颜色分类:白色;尺码:S", 2, "有线头", SL02)]


def day(days_ago: int, time: str = "10:00:00") -> str:
    return f"{T - dt.timedelta(days=days_ago)} {time}"


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def plugin_rows(rows: Sequence[tuple[Any, ...]]) -> list[list[object]]:
    return [
        [text, "", score, day(ago)[:10], spec, buyer, "", "天猫", *more]
        for ago, buyer, spec, score, text, *more in rows
    ]


def review_files(folder: Path) -> list[Path]:
    files = [write_csv(folder / name, HEADER, plugin_rows(rows)) for name, rows in FILES.items()]
    return [*files, write_csv(folder / COLUMN_FILE, [*HEADER, "宝贝ID"], plugin_rows(COLUMN_ROWS))]


def import_file(root: Path, path: Path) -> str:
    result = CliRunner().invoke(cli, ["-w", str(root), "import", str(path), "--shop", TMALL])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop's 订单报表, 宝贝报表, 商品资料 and 商品效果 — no review yet."""
    base = tmp_path_factory.mktemp("by_item")
    root = base / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(TMALL, "tmall")
    files = [
        write_csv(
            base / f"ExportOrderList_{TMALL}.csv",
            ["订单编号", "买家会员名", "订单付款时间", "总金额", "买家实际支付金额", "订单状态"],
            [[o, buyer, day(ago), "129.00", "129.00", "交易成功"] for o, buyer, ago, _, _ in ORDERS],
        ),
        write_csv(
            base / f"{TMALL}_宝贝报表.csv",
            ["子订单编号", "主订单编号", "商家编码", "商品ID", "购买数量", "订单付款时间", "价格", "标题"],
            [
                [f"L{o}", o, sku, item, 1, day(ago), "129.00", "两件装" if item else "上衣"]
                for o, _, ago, sku, item in ORDERS
            ],
        ),
        write_xlsx(
            base / "聚水潭_商品资料.xlsx",
            ["款式编码", "商品编码", "颜色", "规格", "商品名称", "商品ID"],
            [
                ["SL01", "SL01-BLU-M", "雾霾蓝", "M", "加绒卫衣", SL01],
                ["SL01", "SL01-BLU-L", "雾霾蓝", "L", "加绒卫衣", SL01],
                ["SL01", "SL01-BLK-M", "黑色", "M", "加绒卫衣", SL01],
                ["SL01", "SL01-GRY-M", "灰色", "M", "加绒卫衣", SL01],
                ["SL01", "SL01-GRY-M2", "灰色", "M", "加绒卫衣", SL01],  # the same, coded again
                ["SL02", "SL02-WHT-S", "白色", "S", "白T恤", ""],
                ["SL02", "SL02-WHT-M", "白色", "M", "白T恤", ""],
                ["", "ZH01", "", "", "两件装", ""],
            ],
        ),
        write_csv(
            base / f"【生意参谋平台】【商品每日数据】{TMALL}.csv",
            ["统计日期", "商品ID", "商品名称", "货号", "商品访客数", "支付买家数", "支付件数", "支付金额"],
            [[day(6)[:10], SL02, "白T恤 纯棉", "SL02", 40, 1, 1, "59.00"]],
        ),
    ]
    for path in files:
        import_file(root, path)
    return root


@pytest.fixture(scope="module")
def imported(shop: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    for path in review_files(tmp_path_factory.mktemp("review_files")):
        import_file(shop, path)
    return shop


def listed(root: Path, start: dt.date, end: dt.date = T, **kwargs: Any) -> list[dict[str, Any]]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        rows: list[dict[str, Any]] = review_list(
            con, start, end, [TMALL], ReturnRules(), today=end, **kwargs
        ).frame.to_dicts()
    return rows


def test_the_item_comes_from_the_file_name_or_its_column(shop: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(TMALL, "tmall")
    lines = [import_file(root, path) for path in review_files(tmp_path)]
    assert lines[0] == (
        f"✓ 评价_{SL01}.csv — 淘宝/天猫 · 评价（插件导出）（taobao_reviews）：7 行，{day(3)[:10]}…{day(1)[:10]}，"
        f"店铺 {TMALL}"
    )
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        items = con.sql(
            "SELECT i.file_name, list(DISTINCT r.item_id) FROM reviews r JOIN imports i USING (import_id)"
            " GROUP BY ALL"
        ).fetchall()
    assert dict(items) == {
        f"评价_{SL01}.csv": [SL01],
        f"淘宝评价_{TMALL}_{SL02}.csv": [SL02],
        f"评价_{PACK}.csv": [PACK],
        f"评价_{TMALL}_20261130.csv": [""],  # a date (8 digits) is no item: unknown, kept as the key ''
        f"评价_{NOBODY}.csv": [NOBODY],
        COLUMN_FILE: [SL02],
    }


def test_a_new_export_of_an_item_replaces_its_rows_and_no_other_items(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(TMALL, "tmall")
    same = [(1, "t**9", BLACK_M, 5, "此用户没有填写评价。")]  # the same row on two item pages
    import_file(root, write_csv(tmp_path / f"评价_{SL01}.csv", HEADER, plugin_rows(same)))
    import_file(root, write_csv(tmp_path / f"评价_{SL02}.csv", HEADER, plugin_rows(same)))
    later = tmp_path / "later"
    later.mkdir()
    grown = [*same, (0, "t**9", BLACK_M, 4, "还行")]
    assert import_file(root, write_csv(later / f"评价_{SL01}.csv", HEADER, plugin_rows(grown))).endswith(
        "（替换了 1 行旧数据）"
    )
    undated = tmp_path / f"评价_{TMALL}.csv"  # no item in the name: re-importing it replaces, too
    import_file(root, write_csv(undated, HEADER, plugin_rows(same)))
    assert import_file(root, write_csv(later / undated.name, HEADER, plugin_rows(grown))).endswith(
        "（替换了 1 行旧数据）"
    )
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        counts = con.sql("SELECT item_id, count(*) FROM reviews GROUP BY ALL ORDER BY ALL").fetchall()
    assert counts == [("", 2), (SL01, 2), (SL02, 1)]


def test_the_item_gives_the_sku_and_the_buyer_the_order(imported: Path) -> None:
    rows = listed(imported, T - dt.timedelta(days=10))
    picked = ("link", "link_note", "order_id", "sku", "sku_code", "style", "color", "size", "item_id")
    got = {r["content"]: tuple(r[k] for k in picked) for r in rows}
    assert got == {
        "衣服偏小，洗了就起球": ("买家+商品+规格", None, "O1", "SL01-BLU-M", "SL01-BLU-M", "SL01", "雾霾蓝", "M", SL01),
        "起球严重，还有色差": ("仅商品", "SKU 已知，订单未定：打码昵称符合 2 个买家的 2 笔订单", None, "SL01-BLU-M",
                        "SL01-BLU-M", "SL01", "雾霾蓝", "M", SL01),
        "发错货了，少件": ("买家+商品+规格", "昵称打码，唯一符合：tina_9", "O2", "SL01-BLK-M", "SL01-BLK-M", "SL01", "黑色",
                     "M", SL01),
        "偏小一码": ("仅商品", "SKU 已知，订单未定：评价前 90 天内没有符合该昵称的买家付款买过这个 SKU", None, "SL01-BLU-L",
                  "SL01-BLU-L", "SL01", "雾霾蓝", "L", SL01),
        "红色掉色": ("未关联", f"商品 {SL01} 没有与规格相符的 SKU（或商品资料缺颜色/尺码）", None, SL01, None, "SL01", None,
                  None, SL01),
        "颜色发灰": ("未关联", f"商品 {SL01} 有 2 个 SKU 与规格相符；打码昵称符合 2 个买家的 2 笔订单", None, SL01, None,
                  "SL01", None, None, SL01),
        "灰色有色差": ("买家+商品+规格", None, "O9", "SL01-GRY-M", "SL01-GRY-M", "SL01", "灰色", "M", SL01),
        "开线了": ("买家+商品+规格", "昵称打码，唯一符合：tim_1", "O6", "SL02-WHT-M", "SL02-WHT-M", "SL02", "白色", "M",
                 SL02),  # tu_1 fits t**1 too, but bought 白色 S
        "有线头": ("买家+商品+规格", "昵称打码，唯一符合：tu_1", "O7", "SL02-WHT-S", "SL02-WHT-S", "SL02", "白色", "S",
                SL02),
        "少件，只到一件": ("买家+商品+规格", "昵称打码，唯一符合：zoe8", "O8", "ZH01", "ZH01", None, None, None, PACK),
        "颜色不对": ("买家+规格", "昵称打码，唯一符合：tina_9", "O2", "SL01-BLK-M", "SL01-BLK-M", "SL01", "黑色", "M",
                  None),  # the date in its name is no item: linked by buyer + 规格, as a file without one
        "没收到货": ("未关联", f"商品 {NOBODY} 的 SKU 未知（导入 生意参谋 商品效果、带商品ID的宝贝报表或商品资料）", None,
                  NOBODY, None, None, None, None, NOBODY),  # never a guess from another item's lines
    }  # fmt: skip
    titles = {r["content"]: r["title"] for r in rows}
    # the order line's title, else the item's (商品效果), else the SKU's name in the product master
    assert (titles["开线了"], titles["红色掉色"], titles["起球严重，还有色差"]) == ("上衣", None, "加绒卫衣")


def test_the_notes_count_each_way_of_linking(imported: Path) -> None:
    with duckdb.connect(str(imported / "warehouse.duckdb"), read_only=True) as con:
        notes = review_list(con, T - dt.timedelta(days=10), T, [TMALL], ReturnRules(), today=T).notes
    assert notes[2].startswith("关联订单：订单号 0、买家+商品+规格 6、买家+规格 1、仅商品 2、未关联 3（")


def test_themes_per_style_count_the_reviews_the_item_placed(imported: Path) -> None:
    with duckdb.connect(str(imported / "warehouse.duckdb"), read_only=True) as con:
        frame = review_list(con, T - dt.timedelta(days=10), T, [TMALL], ReturnRules(), today=T).frame
    themes = review_themes(frame, ReturnRules(), by="style", top=None)
    # every review is a 差评: SL01's seven (its SKU unknown for two, its style not) and the dated file's
    # one linked by buyer + 规格; SL02's two; the 组合 by its SKU; the unknown item by its 商品ID
    assert dict(themes.select("product", "reviews").unique().iter_rows()) == {
        "SL01": 8,
        "SL02": 2,
        "ZH01": 1,
        NOBODY: 1,
    }


# --- the demo's shop -------------------------------------------------------------------------------

END = dt.date(2026, 11, 29)
DEMO_DAYS = 90
# 千牛 订单报表 and 宝贝报表, 生意参谋 商品效果, 聚水潭 商品资料
NEEDED = ("ExportOrder", "【生意参谋平台】【商品每日数据】", "聚水潭_商品资料")


@pytest.fixture(scope="module")
def demo_shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """山岚服饰 as `shopops demo` writes it (90 days): its orders, 商品效果, 商品资料 and the review files
    of the items with at least 3 差评 (about three quarters of them; all 54 files take ~10 s)."""
    base = tmp_path_factory.mktemp("demo_reviews")
    shop = write_stock_shop(base / "exports", END, DEMO_DAYS, 7)
    bad = Counter(r["file"] for r in shop.returns["reviews"] if r["score"] <= 2)
    chosen = {name for name, n in bad.items() if n >= 3}
    files = [e["path"] for e in shop.truth["files"] if Path(e["path"]).name.startswith(NEEDED)]
    root = base / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(TMALL, "taobao")
    with Workspace(root) as ws:
        for name in [*files, *sorted(chosen)]:
            ws.import_file(base / "exports" / name, shop=TMALL)
    return root, [r for r in shop.returns["reviews"] if r["file"] in chosen]


def test_the_demo_reviews_get_their_true_sku_and_order_when_one_order_fits(
    demo_shop: tuple[Path, list[dict[str, Any]]],
) -> None:
    root, truth = demo_shop
    rows = listed(root, END - dt.timedelta(days=DEMO_DAYS), END, grades=("差评", "中评", "好评"))
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        paid = con.sql(
            "SELECT l.sku_code, o.order_id, o.buyer, o.paid_at FROM orders o"
            " JOIN order_lines l ON l.shop = o.shop AND l.order_id = o.order_id WHERE o.paid_at IS NOT NULL"
        ).fetchall()
    by_sku: dict[str, list[tuple[str, str, dt.datetime]]] = {}
    for sku, order, buyer, at in paid:
        by_sku.setdefault(sku, []).append((order, buyer, at))
    want = {(r["content"], r["date"], r["buyer"], r["spec"], r["item_id"]): r for r in truth}
    assert len(rows) == len(truth) == len(want)
    linked: Counter[str] = Counter()
    for row in rows:
        true = want[
            (row["content"], row["reviewed_at"].date().isoformat(), row["buyer"], row["spec"], row["item_id"])
        ]
        assert (row["sku_code"], row["sku"]) == (true["sku"], true["sku"])  # known for every review, and true
        if "-" in true["sku"]:  # a style's SKU (a 组合 has neither style, colour nor size)
            assert row["style"] == true["sku"].rsplit("-", 2)[0] and row["color"] and row["size"]
        mask, written = row["buyer"], row["reviewed_at"]
        fitting = {
            order
            for order, buyer, at in by_sku[true["sku"]]
            if buyer[0] == mask[0]
            and buyer[-1] == mask[-1]
            and written - dt.timedelta(days=90) < at <= written
        }
        assert true["order_id"] in fitting
        expected = true["order_id"] if len(fitting) == 1 else None
        assert (row["order_id"], row["link"]) == (expected, "买家+商品+规格" if expected else "仅商品"), row
        linked[row["grade"]] += expected is not None
    bad = [r for r in rows if r["grade"] == "差评"]
    assert len(bad) >= 50 and 0 < linked["差评"] < len(bad)
