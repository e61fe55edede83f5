"""The bad-input gallery: every file here must be rejected with one clear line.

The rule: a file that cannot be imported gets one line naming the file and, where known, the
row, column and value, and saying how to fix it; the command exits 1 and the warehouse is left
exactly as it was.

Each ``Case`` below is one bad file and the exact ``✗`` line the user sees. Text files live in
``tests/gallery/files/``; files that only a library can write (a workbook, a ZIP) are built into
``tmp_path`` by the function named in ``BUILDERS``. ``screenshot.xlsx`` is a 1x1 PNG and
``report_gzipped.csv`` a gzip-compressed CSV, both committed as they are.

Every case is run once through the real CLI against a fresh copy of a workspace with two shops.
``test_rejected_cleanly`` checks exit code, that the CLI failed as a user error (no traceback)
and that the warehouse is unchanged; ``test_message`` checks that stderr is exactly that one
line. A case whose message is not yet what it should be is marked ``message_xfail``, one that makes
the CLI crash ``crash_xfail``; the reason says what is wrong in src/.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.domains.returns.rules import ReturnRules
from tests.gallery.accepted import ACCEPTED

FILES = Path(__file__).parent / "files"
SHOP = "某某旗舰店"
OTHER_SHOP = "另一家店"
SHOPS = {SHOP: "tmall", OTHER_SHOP: "taobao"}
REGISTERED = "另一家店, 某某旗舰店"  # how the CLI lists them (ORDER BY name)

NUMBER_HINT = "write a plain number such as 1234.56 (¥ and thousands separators are fine)"
DATE_PROBLEM = "is not a date in a sensible range (2000-01-01 to a year from today)"
DATE_HINT = "use a date such as 2024-11-24 or 2024/11/24"
ALIAS_HINT = (
    "add the missing names as aliases in shopops.yaml, or import with --source KEY --map 源列=column"
    " (see `shopops sources`)"
)
EMPTY = "is empty — export the report again; it holds no rows"
BINARY = (
    "is not a spreadsheet or text table (it holds binary data)"
    " — import the CSV, .xls or .xlsx file the platform exported"
)

# -- files that are built at test time ---------------------------------------------------------


def build_truncated_xlsx(folder: Path) -> Path:
    """The first half of a real .xlsx, as left by an interrupted download."""
    whole = folder / "whole.xlsx"
    workbook = xlsxwriter.Workbook(str(whole))
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["统计日期", "访客数", "支付金额"])
    for i in range(200):
        sheet.write_row(i + 1, 0, [f"2024-11-{i % 28 + 1:02d}", 100 + i, 12.5 * i])
    workbook.close()
    data = whole.read_bytes()
    target = folder / "某某旗舰店_truncated.xlsx"
    target.write_bytes(data[: len(data) // 2])
    return target


def build_two_file_zip(folder: Path) -> Path:
    target = folder / "two_reports.zip"
    body = "统计日期,访客数,支付金额\n2024-11-01,100,1234.56\n"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("某某旗舰店_1101.csv", body)
        archive.writestr("某某旗舰店_1102.csv", body)
    return target


def build_item_xlsx_not_whole(folder: Path) -> Path:
    """生意参谋 商品效果 workbook with two title rows; 商品访客数 on Excel row 5 is "1.5"."""
    target = folder / "某某旗舰店_商品效果.xlsx"
    workbook = xlsxwriter.Workbook(str(target))
    sheet = workbook.add_worksheet("商品效果")
    sheet.write(0, 0, "生意参谋 商品效果")
    sheet.write(1, 0, "统计时间：2024-11-01 ~ 2024-11-02")
    sheet.write_row(2, 0, ["统计日期", "商品ID", "支付金额", "商品访客数"])
    sheet.write_row(3, 0, ["2024-11-01", "623456789012", 10.5, 3])
    sheet.write_row(4, 0, ["2024-11-02", "623456789012", 12.5, "1.5"])
    workbook.close()
    return target


def build_blank_rows_xlsx(folder: Path) -> Path:
    """Header on Excel row 3 below two empty rows; the bad 支付金额 "abc" is on Excel row 5."""
    target = folder / "某某旗舰店_blank_rows_above_header.xlsx"
    workbook = xlsxwriter.Workbook(str(target))
    sheet = workbook.add_worksheet("Sheet1")
    sheet.write_row(2, 0, ["统计日期", "访客数", "支付金额"])
    sheet.write_row(3, 0, ["2024-11-01", 100, 1.5])
    sheet.write_row(4, 0, ["2024-11-02", 120, "abc"])
    workbook.close()
    return target


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "某某旗舰店_truncated.xlsx": build_truncated_xlsx,
    "two_reports.zip": build_two_file_zip,
    "某某旗舰店_商品效果.xlsx": build_item_xlsx_not_whole,
    "某某旗舰店_blank_rows_above_header.xlsx": build_blank_rows_xlsx,
}


# -- the gallery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    message: str  # the exact stderr line, without the leading "✗ "
    args: tuple[str, ...] = ()
    message_xfail: str | None = None  # the message is not yet the one we want
    crash_xfail: str | None = None  # the CLI does not even fail cleanly


GALLERY: list[Case] = [
    Case("empty", "empty.csv", f"empty.csv: {EMPTY}", ("--shop", SHOP)),
    Case("whitespace-only", "whitespace_only.csv", f"whitespace_only.csv: {EMPTY}", ("--shop", SHOP)),
    Case("png-renamed-xlsx", "screenshot.xlsx", f"screenshot.xlsx: {BINARY}", ("--shop", SHOP)),
    Case("gzip-renamed-csv", "report_gzipped.csv", f"report_gzipped.csv: {BINARY}", ("--shop", SHOP)),
    Case(
        "truncated-xlsx",
        "某某旗舰店_truncated.xlsx",
        "某某旗舰店_truncated.xlsx: is a damaged or incomplete workbook or ZIP file"
        " — download the export again; the file was probably cut off",
    ),
    Case(
        "zip-with-two-files",
        "two_reports.zip",
        "two_reports.zip: is a ZIP holding 2 files (某某旗舰店_1101.csv, 某某旗舰店_1102.csv);"
        " ShopOps reads a ZIP with exactly one export — unpack it and import the files one by one",
    ),
    Case(
        "excel-2003-xml-spreadsheet",
        "excel_2003_xml.xls",
        "excel_2003_xml.xls: is an Excel 2003 XML spreadsheet, which ShopOps cannot read"
        " — open it in Excel and save it as .xlsx, then import that file",
        ("--shop", SHOP),
    ),
    Case(
        "missing-file",
        "does_not_exist.csv",
        "does_not_exist.csv: does not exist or is not a file — check the path",
        ("--shop", SHOP),
    ),
    Case(
        "unknown-headers-nothing-close",
        "unrelated_headers.csv",
        f"unrelated_headers.csv: headers (编号, 名字, 口味) match no known export type — {ALIAS_HINT}",
        ("--shop", SHOP),
    ),
    Case(
        "unknown-headers-closest-sources",
        "orders_renamed_headers.csv",
        "orders_renamed_headers.csv: headers (订单号码, 付款时间, 实付金额) match no known export type;"
        " closest: qianniu_orders (lacks 订单编号); qianniu_order_lines (lacks 子订单编号, 购买数量)"
        f" — {ALIAS_HINT}",
        ("--shop", SHOP),
    ),
    Case(
        "required-column-missing",
        "店铺整体_no_gmv.csv",
        "店铺整体_no_gmv.csv: headers (统计日期, 访客数, 浏览量) match no known export type;"
        " closest: sycm_shop_daily (lacks 支付金额); sycm_item_daily (lacks 商品ID, 支付金额)"
        f" — {ALIAS_HINT}",
        ("--shop", SHOP),
    ),
    Case(
        "required-column-missing-forced-source",
        "店铺整体_no_gmv.csv",
        "店铺整体_no_gmv.csv: is a 生意参谋 · 店铺整体日报 export (sycm_shop_daily)"
        " but has no column 支付金额 (accepted names: 支付金额)"
        " — add the file's name for it under aliases: sycm_shop_daily: gmv in shopops.yaml,"
        " or pass --map 源列=gmv",
        ("--shop", SHOP, "--source", "sycm_shop_daily"),
    ),
    Case(
        "money-not-a-number",
        "某某旗舰店_bad_money.csv",
        f'某某旗舰店_bad_money.csv, row 3, column "支付金额": value "十二元" is not an amount of money'
        f" — {NUMBER_HINT}",
    ),
    Case(
        "money-too-large",
        "某某旗舰店_order_id_in_money_column.csv",
        '某某旗舰店_order_id_in_money_column.csv, row 2, column "支付金额": value "3912345678901234567"'
        f" is not an amount of money — {NUMBER_HINT}",
    ),
    Case(
        "whole-number-in-xlsx-with-title-rows",
        "某某旗舰店_商品效果.xlsx",
        '某某旗舰店_商品效果.xlsx, row 5, column "商品访客数": value "1.5" is not a whole number'
        f" — {NUMBER_HINT}",
    ),
    Case(
        "date-1899",
        "某某旗舰店_1899.csv",
        f'某某旗舰店_1899.csv, row 3, column "统计日期": value "1899-12-31" {DATE_PROBLEM} — {DATE_HINT}',
    ),
    Case(
        "date-2199",
        "某某旗舰店_2199.csv",
        f'某某旗舰店_2199.csv, row 2, column "统计日期": value "2199-01-01" {DATE_PROBLEM} — {DATE_HINT}',
    ),
    Case(
        "two-bad-dates",
        "某某旗舰店_two_bad_dates.csv",
        f'某某旗舰店_two_bad_dates.csv, row 3, column "统计日期": value "2024-13-45" {DATE_PROBLEM}'
        f" (and 1 more row like it) — {DATE_HINT}",
    ),
    Case(
        "order-id-in-scientific-notation",
        "某某旗舰店_订单报表_saved_by_excel.csv",
        '某某旗舰店_订单报表_saved_by_excel.csv, row 3, column "订单编号": value "1.23457E+18" is an ID that'
        " Excel turned into scientific notation, so its digits are lost — export the file again and import"
        " it without opening and saving it in Excel",
    ),
    Case(
        "shop-unknown",
        "生意参谋_店铺整体.csv",
        "生意参谋_店铺整体.csv: does not say which shop it belongs to"
        f" — pass --shop NAME (registered: {REGISTERED}) or put the shop name in the file name",
    ),
    Case(
        "shop-ambiguous",
        "某某旗舰店_vs_另一家店.csv",
        f"某某旗舰店_vs_另一家店.csv: names several shops ({REGISTERED})"
        f" — pass --shop NAME (registered: {REGISTERED}) or put the shop name in the file name",
    ),
    Case(
        "shop-option-not-registered",
        "生意参谋_店铺整体.csv",
        "生意参谋_店铺整体.csv: shop '隔壁小店' is not registered"
        " — add it with `shopops shop add 隔壁小店 --platform tmall|taobao|jd|douyin`",
        ("--shop", "隔壁小店"),
    ),
    Case(
        "shop-column-not-registered",
        "orders_with_shop_column.csv",
        'orders_with_shop_column.csv, row 3, column "店铺名称": value "隔壁小店" is not a registered shop'
        " — add it with `shopops shop add 隔壁小店 --platform tmall|taobao|jd|douyin`",
    ),
    Case(
        "header-only",
        "某某旗舰店_header_only.csv",
        "某某旗舰店_header_only.csv: has a 生意参谋 · 店铺整体日报 header but no data rows"
        " — fill in the rows, or export the report again for a date range that has data",
    ),
    Case(
        "header-and-total-row-only",
        "某某旗舰店_total_row_only.csv",
        "某某旗舰店_total_row_only.csv: has a 生意参谋 · 店铺整体日报 header but no data rows"
        " — fill in the rows, or export the report again for a date range that has data",
    ),
    Case(
        "gb18030-undecodable",
        "某某旗舰店_garbled.csv",
        "某某旗舰店_garbled.csv, row 2: is neither UTF-8 nor GBK/GB18030 text"
        " — save it again as CSV (UTF-8) or Excel (.xlsx) and import that file",
    ),
    Case(
        "one-byte-cut-character",
        "某某旗舰店_cut_character.csv",
        "某某旗舰店_cut_character.csv, row 1: is neither UTF-8 nor GBK/GB18030 text"
        " — save it again as CSV (UTF-8) or Excel (.xlsx) and import that file",
    ),
    Case(
        "bad-value-after-blank-line",
        "某某旗舰店_blank_line_in_data.csv",
        '某某旗舰店_blank_line_in_data.csv, row 4, column "支付金额": value "abc" is not an amount of money'
        f" — {NUMBER_HINT}",
    ),
    Case(
        "bad-value-below-blank-excel-rows",
        "某某旗舰店_blank_rows_above_header.xlsx",
        '某某旗舰店_blank_rows_above_header.xlsx, row 5, column "支付金额": value "abc" is not an amount of'
        f" money — {NUMBER_HINT}",
    ),
    # -- nothing silently lost, merged or put in the wrong shop --------------------------------
    Case(
        "item-rows-forced-into-shop-day",
        "某某旗舰店_商品明细_as_shop_daily.csv",
        "某某旗舰店_商品明细_as_shop_daily.csv: rows 2 and 3 are two different rows for the same 统计日期"
        " 2024-11-01 (and 1 more 统计日期 like it), but a 生意参谋 · 店铺整体日报 export has one row per"
        " 店铺、统计日期 — this looks like a 生意参谋 · 商品效果 export: import it with --source sycm_item_daily",
        ("--source", "sycm_shop_daily"),
    ),
    Case(
        "one-order-twice-with-different-amounts",
        "某某旗舰店_订单_same_id_twice.csv",
        "某某旗舰店_订单_same_id_twice.csv: rows 2 and 4 are two different rows for the same 订单编号"
        " 3912345678901234567, but a 千牛 · 订单报表（订单级） export has one row per 店铺、订单编号"
        " — remove the extra rows, or check that the file is the export you meant",
    ),
    Case(
        "shop-option-against-shop-column",
        "orders_two_shops.csv",
        'orders_two_shops.csv, row 3, column "店铺名称": value "另一家店" names another shop than --shop'
        " 某某旗舰店 — drop --shop to import each row under the shop its column names, or fix the file",
        ("--shop", SHOP),
    ),
    Case(
        "shop-option-against-file-name",
        "另一家店_店铺整体.csv",
        "另一家店_店铺整体.csv: is for shop 另一家店 (named in its file name), but --shop says 某某旗舰店"
        " — drop --shop to import it as 另一家店, or rename the file if it really is 某某旗舰店's",
        ("--shop", SHOP),
    ),
    Case(
        "required-measure-placeholder",
        "某某旗舰店_gmv_na.csv",
        '某某旗舰店_gmv_na.csv, row 3, column "支付金额": value "N/A" is empty or a placeholder, but every row'
        " of a 生意参谋 · 店铺整体日报 export needs 支付金额 (and 1 more row like it) — fill in the number"
        " (0 if there was none) or remove the row, then import the file again",
    ),
    Case(
        "tie-with-both-reports-named",
        "某某旗舰店_直通车_引力魔方_计划报表.csv",
        "某某旗舰店_直通车_引力魔方_计划报表.csv: matches several export types equally: ylmf_report"
        " (引力魔方 / 钻展（精准人群推广）· 计划报表), ztc_report (直通车（关键词推广）· 计划报表)"
        " — its name or title names several of them; pass --source ylmf_report or --source ztc_report",
    ),
    Case(
        "bad-value-after-multiline-cell",
        "某某旗舰店_订单_multiline_address.csv",
        '某某旗舰店_订单_multiline_address.csv, row 3, column "买家实际支付金额": value "八元"'
        f" is not an amount of money — {NUMBER_HINT}",
    ),
    # 赤兔 custom reports carry their period only in the file name (自定义报表_…_{from}至{to}.xlsx).
    Case(
        "service-custom-report-without-period",
        "自定义报表_客服数据23年新.csv",
        "自定义报表_客服数据23年新.csv: is a 赤兔/千牛 · 客服绩效 export (chitu_service) but has no column"
        " 日期 (accepted names: 日期, 统计日期, 时间, 日期范围, 统计周期) and its file name states no period"
        " — add the period the file covers to its name, e.g. …_2026-11-01至2026-11-07.xlsx",
        ("--shop", SHOP),
    ),
    Case(
        "service-duration-in-words",
        "赤兔_售前明细_下单优先判定_2026-11-01至2026-11-02.csv",
        '赤兔_售前明细_下单优先判定_2026-11-01至2026-11-02.csv, row 3, column "平均接待时长": value "八分钟"'
        " is not a length of time — write seconds (528) or a duration such as 8分48秒 or 1小时2分3秒",
        ("--shop", SHOP),
    ),
    Case(
        "service-period-backwards",
        "赤兔_客服绩效_周.csv",
        '赤兔_客服绩效_周.csv, row 2, column "日期": value "2026-11-07至2026-11-01" is not a day or a date'
        " range (2000-01-01 to a year from today) — write a day such as 2026-11-01 or a range such as"
        " 2026-11-01至2026-11-07",
        ("--shop", SHOP),
    ),
    # 聚水潭 销售: two exports of the same day pasted into one file would count that day twice.
    Case(
        "erp-sales-same-day-twice",
        "聚水潭_销售多维度_付款时间_两次导出.csv",
        "聚水潭_销售多维度_付款时间_两次导出.csv: rows 2 and 4 are two different rows for the same 店铺 某某旗舰店,"
        " 日期 2024-11-01, 商品编码 T1-白-M, but a 聚水潭 · 销售（多维度） export has one row per 店铺、日期、商品编码"
        " — remove the extra rows, or check that the file is the export you meant",
    ),
    # 旺店通-style 任意时间 is no date; a 销售明细 row is dated by it.
    Case(
        "erp-sales-detail-anytime",
        "聚水潭_销售明细_任意时间.csv",
        '聚水潭_销售明细_任意时间.csv, row 3, column "付款日期": value "任意时间" is empty, but every row needs it'
        " (it identifies the row) — fill it in or remove the row",
    ),
    # eFAST 进销存 without 商品编码 (期末 ≠ 期初 + 入 − 出 is not an error; this is).
    Case(
        "efast-movement-without-style",
        "eFAST_商品进销存_2024-11-01至2024-11-30_无商品编码.csv",
        "eFAST_商品进销存_2024-11-01至2024-11-30_无商品编码.csv: headers (仓库, 商品名称, 颜色, 尺码, 商品条形码,"
        " 期初库存 …) match no known export type; closest: efast_movement (lacks 商品编码); jst_stock (lacks"
        f" 商品编码) — {ALIAS_HINT}",
        ("--shop", SHOP),
    ),
    # A stock snapshot names each SKU × 仓库 once; the ERP constant (聚水潭) is no part of the message.
    Case(
        "stock-sku-twice",
        "聚水潭_商品库存_20241129_同款两行.csv",
        "聚水潭_商品库存_20241129_同款两行.csv: rows 2 and 3 are two different rows for the same 统计日期"
        " 2024-11-29, 商品编码 A1-M, but a 聚水潭 · 商品库存 export has one row per 店铺、统计日期、仓库、商品编码"
        " — remove the extra rows, or check that the file is the export you meant",
        ("--shop", SHOP),
    ),
    # A stock row without its 商品编码 cannot be stored under a SKU: the file is refused, not cut.
    Case(
        "stock-sku-blank",
        "聚水潭_商品库存_20241128_缺商品编码.csv",
        '聚水潭_商品库存_20241128_缺商品编码.csv, row 3, column "商品编码": is empty or a placeholder, but every'
        " row of a 聚水潭 · 商品库存 export needs 商品编码 — fill in the 商品编码 or remove the row, then import the"
        " file again",
        ("--shop", SHOP),
    ),
    # Returns and reviews (issue 16). A review export without its score cannot say 差评 from 好评.
    Case(
        "review-without-score",
        "评价插件_无评分.csv",
        "评价插件_无评分.csv: headers (评论内容, 追加评论, 日期, SKU, 用户昵称, 商家回复 …) match no known export"
        " type; closest: taobao_reviews (lacks 评分); jd_selfrun_stock (lacks on_hand/available) — "
        + ALIAS_HINT,
        ("--shop", OTHER_SHOP),
    ),
    # A 抖店 售后表 is a Douyin shop's: named for a 天猫 shop, the file is refused, not stored there.
    Case(
        "douyin-after-sales-into-tmall",
        "抖店_售后表_天猫店.csv",
        "抖店_售后表_天猫店.csv: is a 抖店 · 售后表 export, which does not fit shop '某某旗舰店' on platform tmall"
        " — pass the right --shop, or check the file",
        ("--shop", SHOP),
    ),
    # The 54-column 千牛 退款管理 (退款完结时间 written twice): one 退款编号 with two different rows.
    Case(
        "refund-twice-different",
        "某某旗舰店_退款管理_同一退款两行.csv",
        "某某旗舰店_退款管理_同一退款两行.csv: rows 2 and 3 are two different rows for the same 退款编号 R1, but a"
        " 千牛 · 退款管理 export has one row per 店铺、退款编号 — remove the extra rows, or check that the file is"
        " the export you meant",
        ("--shop", SHOP),
    ),
    # Staff KPI (issue 17): our own sheets, checked across rows before they are stored (staff/staged.py).
    Case(
        "staff-list-unknown-shop",
        "员工名单_未登记店铺.csv",
        "员工名单_未登记店铺.csv, row 3 (阿飞): shop '隔壁小店' is not a registered shop (另一家店、某某旗舰店)"
        " — write shop names, several separated by 、, or leave it empty for every shop",
    ),
    Case(
        "staff-list-leaves-before-joining",
        "员工名单_离职早于入职.csv",
        "员工名单_离职早于入职.csv, row 2 (阿飞): leaving date 2026-11-01 is before the start date 2026-11-10"
        " — correct one of them",
    ),
    Case(
        "staff-inputs-period-unreadable",
        "绩效录入_期间有误.csv",
        "绩效录入_期间有误.csv, row 3 (小美): period '2026-13' cannot be read"
        " — write 2026-11 (month), 2026-Q4 (quarter) or 2026 (year)",
    ),
    Case(
        "scorecard-month-unreadable",
        "评分表_生效月份有误.csv",
        "评分表_生效月份有误.csv, row 3: 生效月份 '2026-13' is not a month — write a month such as 2026-11",
    ),
    # A 评分表 is refused whole; one problem is one line, naming the rows of the file it is on.
    Case(
        "scorecard-weights-add-to-95",
        "评分表_权重合计95.csv",
        "评分表_权重合计95.csv 未导入（评分表有问题，改好后再导入）：第 2–7 行 客服售前（2026-11 起）："
        "权重合计 95%，应为 100%（差 5%）",
    ),
    Case(
        "scorecard-unknown-metric",
        "评分表_指标不存在.csv",
        "评分表_指标不存在.csv 未导入（评分表有问题，改好后再导入）：第 5 行（回复率）：指标 reply_rate 不在指标目录里"
        " — shopops metrics 列出全部指标",
    ),
]


# -- running the CLI ---------------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Outcome:
    exit_code: int
    stderr_lines: list[str]
    exception: BaseException | None
    tables: dict[str, int]  # row counts of every table except shops/schema_migrations
    shops: list[tuple[str, str]]


def invoke(*args: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["--lang", "en", *args])  # the gallery states its messages in English
    return result.exit_code, ANSI.sub("", result.stdout), ANSI.sub("", result.stderr), result.exception


def warehouse_state(workspace: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    try:
        names = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                " AND table_name NOT IN ('shops', 'schema_migrations') ORDER BY table_name"
            ).fetchall()
        ]
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
        shops = con.execute("SELECT name, platform FROM shops ORDER BY name").fetchall()
    finally:
        con.close()
    return counts, shops


@pytest.fixture(scope="module")
def run_case(template_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], Outcome]:
    """Each case runs once, in its own copy of the template workspace; both tests read the result."""
    cache: dict[str, Outcome] = {}

    def run(case: Case) -> Outcome:
        if case.id not in cache:
            folder = tmp_path_factory.mktemp(case.id)
            workspace = folder / "ws"
            shutil.copytree(template_workspace, workspace)
            path = BUILDERS[case.file](folder) if case.file in BUILDERS else FILES / case.file
            code, _, stderr, exception = invoke("-w", str(workspace), "import", str(path), *case.args)
            tables, shops = warehouse_state(workspace)
            cache[case.id] = Outcome(code, stderr.splitlines(), exception, tables, shops)
        return cache[case.id]

    return run


def _params(kind: str) -> list[object]:
    params = []
    for case in GALLERY:
        reasons = [case.crash_xfail] if kind == "clean" else [case.crash_xfail, case.message_xfail]
        reason = next((r for r in reasons if r), None)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


# -- the tests ---------------------------------------------------------------------------------


def test_gallery_files_all_used() -> None:
    used = {case.file for case in GALLERY} | {case.file for case in ACCEPTED}
    committed = {path.name for path in FILES.iterdir()}
    assert committed - used == set()
    assert {case.file for case in GALLERY if case.file not in BUILDERS} - committed == {"does_not_exist.csv"}
    assert len({case.id for case in GALLERY}) == len(GALLERY)


@pytest.mark.parametrize("case", _params("clean"))
def test_rejected_cleanly(case: Case, run_case: Callable[[Case], Outcome]) -> None:
    outcome = run_case(case)
    assert outcome.exit_code == 1
    # A user error ends in sys.exit/ctx.exit; anything else is a traceback, i.e. a bug.
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert outcome.stderr_lines
    assert outcome.stderr_lines[0].startswith(f"✗ {case.file}")
    assert outcome.tables
    # Only the template's own records remain: adding its shops (a refused import records nothing), and
    # the copy of shopops.yaml's reason classes every command keeps (returns: reason_classes).
    settings = {"return_reason_classes": len(ReturnRules().reason_classes)}
    assert outcome.tables == dict.fromkeys(outcome.tables, 0) | {"audit_log": len(SHOPS)} | settings
    assert outcome.shops == sorted(SHOPS.items())


@pytest.mark.parametrize("case", _params("message"))
def test_message(case: Case, run_case: Callable[[Case], Outcome]) -> None:
    """stderr is exactly one line: the message (no traceback, no summary after a single file)."""
    assert run_case(case).stderr_lines == [f"✗ {case.message}"]


def test_tables_checked_include_targets(run_case: Callable[[Case], Outcome]) -> None:
    """The "warehouse unchanged" check really looks at the import log and the target tables."""
    tables = run_case(GALLERY[0]).tables
    assert {"imports", "sycm_shop_day", "sycm_item_day", "orders", "order_lines"} <= set(tables)


def test_good_file_next_to_bad_files_still_imports(tmp_path: Path, template_workspace: Path) -> None:
    """A folder holding one good and one bad file: exit 1, the good file is imported, the bad one not."""
    workspace = tmp_path / "ws"
    shutil.copytree(template_workspace, workspace)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FILES / "某某旗舰店_1899.csv", inbox)
    good = '统计日期,访客数,支付金额\n2024-11-01,100,"1,234.56"\n'
    (inbox / "某某旗舰店_生意参谋.csv").write_text(good, encoding="utf-8")
    code, stdout, stderr, _ = invoke("-w", str(workspace), "import", str(inbox))
    assert code == 1
    assert stdout.splitlines() == [
        "✓ 某某旗舰店_生意参谋.csv — 生意参谋 · 店铺整体日报 (sycm_shop_daily):"
        " 1 row, 2024-11-01, shop 某某旗舰店"
    ]
    # With two or more files the (transient) progress bar leaves an empty line on a non-terminal stderr.
    assert [line for line in stderr.splitlines() if line] == [
        f'✗ 某某旗舰店_1899.csv, row 3, column "统计日期": value "1899-12-31" {DATE_PROBLEM} — {DATE_HINT}',
        "1 of 2 files were not imported; the others were.",
    ]
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT shop, date, visitors, gmv FROM sycm_shop_day").fetchall() == [
            (SHOP, dt.date(2024, 11, 1), 100, Decimal("1234.56"))
        ]
        assert con.execute("SELECT file_name, rows_imported FROM imports").fetchall() == [
            ("某某旗舰店_生意参谋.csv", 1)
        ]
    finally:
        con.close()
