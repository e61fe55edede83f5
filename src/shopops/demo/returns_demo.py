"""The returns demo put together: the files each shop adds and ``manifest["returns"]``.

``manifest["returns"]`` (JSON, money as text):

- ``planted``: the planted causes of 山岚服饰 (:class:`returns.Plan`: size, defect_batch,
  mispick_week, seasonal);
- ``cases``: every after-sale case of 山岚服饰 (its 54-column 千牛 退款管理) and of 山野好物抖音店 (its
  two 售后 files): id, shop, source, file, order and line, SKU (style, colour, size), kind
  (仅退款/退货退款/换货 — 抖店 also 价保/补寄), shipped (发货前/发货后), status and status class
  (成功/关闭/处理中), amounts, times, reason, 说明, 责任方 and the demo's cause label (size, defect,
  mispick, subjective, normal);
- ``reviews``: every review with its file (山岚服饰: one plugin CSV per item, its 宝贝ID in the name),
  the order, line, SKU and item it came from, its score, text, date and whether the shop replied;
- ``files``: the files this adds, each with the shop to import it for (their names say it too);
  ``refund_files``: the 千牛 退款管理 export of each shop whose cases are listed (written with the
  shop's other exports);
- ``douyin_codes``: the 抖店 售后类型 / 售后状态 codes and the text the text file writes for each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopops.demo.douyin import DOUYIN_SHOP, simulate_douyin
from shopops.demo.returns import Case, case_json, make_plan, sku_index
from shopops.demo.returns_douyin import (
    STATUSES,
    TYPES,
    douyin_case_json,
    douyin_cases,
    order_statuses,
    write_after_sales,
)
from shopops.demo.returns_reviews import (
    apparel_reviews,
    douyin_reviews,
    review_json,
    write_douyin_reviews,
    write_taobao_reviews,
)
from shopops.demo.simulation import ShopHistory
from shopops.demo.stock_catalog import SHOP

if TYPE_CHECKING:
    from shopops.demo.stock import StockHistory

Part = dict[str, Any]


def _span(first: dt.date, last: dt.date) -> str:
    return f"{first:%Y%m%d}-{last:%Y%m%d}"


def write_apparel_returns(
    root: Path, h: StockHistory, shop: ShopHistory, seed: int
) -> tuple[list[Path], Part]:
    """山岚服饰's review CSVs — one per item with reviews, named with its 宝贝ID, as the browser plugin
    exports an item page — (in ``root/山岚服饰/``) and its part of ``manifest["returns"]``; its cases
    are ``shop.refunds`` (written as the 54-column 退款管理 with its other 千牛 exports)."""
    cases = [c for c in shop.refunds if isinstance(c, Case)]
    plan = make_plan(h, shop.orders, seed)
    reviews = apparel_reviews(h, shop.orders, cases, plan, seed)
    folder = root / SHOP
    folder.mkdir(parents=True, exist_ok=True)
    refund_file = f"{SHOP}/退款管理_{SHOP}.csv"
    skus = sku_index(h)
    part: Part = {
        "planted": plan.to_json(),
        "cases": [case_json(c, skus, refund_file) for c in cases],
        "reviews": [],
        "files": [],
        "refund_files": {SHOP: refund_file},
    }
    paths = []
    for path, held in write_taobao_reviews(folder, reviews):  # one file per item, named with its 宝贝ID
        name = path.relative_to(root).as_posix()
        paths.append(path)
        part["files"].append({"path": name, "shop": SHOP, "source": "taobao_reviews"})
        part["reviews"] += [review_json(r, name) for r in held]
    part["reviews"].sort(key=lambda r: (r["reviewed_at"], r["order_id"]))
    return paths, part


def write_douyin_returns(
    root: Path, start: dt.date, days: int, seed: int
) -> tuple[list[Path], Part, dict[str, str]]:
    """The Douyin shop's two 售后 files and its 评价 export (in ``root``), their manifest part, and the
    售后状态 its order export writes per 子订单 (:func:`returns_douyin.order_statuses`)."""
    end = start + dt.timedelta(days=days - 1)
    lines, _ = simulate_douyin(start, days, seed)
    cases = douyin_cases(lines, end, seed)
    files: list[Path] = []
    part: Part = {"cases": [], "reviews": [], "files": []}
    for path, held in write_after_sales(root, cases, start, end):
        name = path.relative_to(root).as_posix()
        files.append(path)
        part["files"].append({"path": name, "shop": DOUYIN_SHOP, "source": "douyin_after_sales"})
        part["cases"] += [douyin_case_json(c, name) for c in held]
    reviews = douyin_reviews(lines, cases, end, seed)
    path = write_douyin_reviews(root / f"抖店_商品评价_{DOUYIN_SHOP}_{_span(start, end)}.xlsx", reviews)
    files.append(path)
    name = path.relative_to(root).as_posix()
    part["files"].append({"path": name, "shop": DOUYIN_SHOP, "source": "douyin_reviews"})
    part["reviews"] = [review_json(r, name) for r in reviews]
    part["douyin_codes"] = {
        "type": {str(k): v for k, v in TYPES.items()},
        "status": {str(k): v for k, v in STATUSES.items()},
    }
    return files, part, order_statuses(cases)


def add_returns(manifest: dict[str, Any], part: Part) -> None:
    """Merge one shop's part into ``manifest["returns"]``."""
    into = manifest.setdefault(
        "returns", {"planted": {}, "cases": [], "reviews": [], "files": [], "refund_files": {}}
    )
    into["planted"].update(part.get("planted", {}))
    into["refund_files"].update(part.get("refund_files", {}))
    for key in ("cases", "reviews", "files"):
        into[key] += part.get(key, [])
    if "douyin_codes" in part:
        into["douyin_codes"] = part["douyin_codes"]


def returns_file_shops(folder: Path, manifest: dict[str, Any]) -> dict[Path, str | None]:
    """The shop of each file the returns demo adds under ``folder``."""
    returns = manifest.get("returns")
    files = returns.get("files", []) if isinstance(returns, dict) else []
    return {folder / f["path"]: f["shop"] for f in files}
