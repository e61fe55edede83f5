"""The demo's JD and Douyin shops, hooked into ``generate`` and ``configure`` (see run.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from pathlib import Path

from shopops.demo.douyin import DOUYIN_FEE_RATE, DOUYIN_SHOP, write_douyin
from shopops.demo.jd import JD_FEE_RATE, JD_SHIPPING, JD_SHOP, write_jd
from shopops.demo.manifest import to_json
from shopops.demo.returns_demo import add_returns, write_douyin_returns

PLATFORM_SHOPS: list[tuple[str, str, Decimal]] = [
    (JD_SHOP, "jd", JD_FEE_RATE),
    (DOUYIN_SHOP, "douyin", DOUYIN_FEE_RATE),
]


def add_platform_shops(
    manifest: dict[str, object], folder: Path, start: dt.date, days: int, seed: int
) -> list[Path]:
    """Write the JD and Douyin exports and add their true values to ``manifest``; the Douyin shop's
    售后 and 评价 exports too (``manifest["returns"]``, see demo/returns_demo.py)."""
    returns_files, returns, after_sales = write_douyin_returns(folder, start, days, seed)
    files: list[Path] = []
    for name, platform, fee_rate, shipping, write in (
        (JD_SHOP, "jd", JD_FEE_RATE, JD_SHIPPING, write_jd),
        (DOUYIN_SHOP, "douyin", DOUYIN_FEE_RATE, None, partial(write_douyin, after_sales=after_sales)),
    ):
        written, truth = write(folder, start, days, seed)
        files.extend(written)
        manifest["shops"][name] = {  # type: ignore[index]
            "platform": platform,
            "fee_rate": str(fee_rate),
            "shipping_per_order": None if shipping is None else str(shipping),
            "days": {date: {k: to_json(v) for k, v in values.items()} for date, values in truth.items()},
        }
    add_returns(manifest, returns)
    return files + returns_files
