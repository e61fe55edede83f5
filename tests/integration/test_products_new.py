"""`shopops products new` on the stock demo's apparel shop: the 上新 curves against the manifest.

The demo launches six styles in the last 30 days with a planted outlook (``takes_off``, ``stuck``,
``arriving``: created, stock not in yet) and a cohort of earlier launches per category. The expected
units, visitors, cohort percentiles and verdicts are computed here from the manifest's daily units
(packs exploded), its 商品效果 days and its creation dates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from rich.cells import cell_len

from shopops.domains.stock.launches import launches
from tests.integration.products_fixture import END, SHOP, ProductsDemo, products_demo

SINCE = END - dt.timedelta(days=29)
COHORT_DAYS = 180


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ProductsDemo:
    return products_demo(tmp_path_factory)


def window(launch: dt.date, days: int) -> list[dt.date]:
    return [launch + dt.timedelta(days=i) for i in range(days)]


def expected(demo: ProductsDemo) -> dict[str, dict[str, Any]]:
    """Per new style: units/visitors/buyers of days 1–7/14/30, the cohort and the verdict."""
    styles = demo.truth["styles"]
    first = demo.first_day

    def known(span: list[dt.date]) -> bool:  # inside the exports (sales and 商品效果 cover every day)
        return span[0] >= first and span[-1] <= END

    def units(code: str, span: list[dt.date]) -> int | None:
        return demo.style_units(code, span[0], span[-1]) if known(span) else None

    def traffic(code: str, span: list[dt.date], field: str) -> int | None:
        days = styles[code]["daily"]
        return sum(days.get(d.isoformat(), {}).get(field, 0) for d in span) if known(span) else None

    out = {}
    for code, style in styles.items():
        launch = dt.date.fromisoformat(style["created"])
        if not SINCE <= launch <= END:
            continue
        age = (END - launch).days + 1
        row: dict[str, Any] = {"launch": launch, "age_days": age, "skus": len(style["skus"])}
        cohort = [
            (other, dt.date.fromisoformat(s["created"]))
            for other, s in styles.items()
            if s["category"] == style["category"]
            and launch - dt.timedelta(days=COHORT_DAYS) <= dt.date.fromisoformat(s["created"]) < launch
        ]

        def values(days: int, cohort: list[tuple[str, dt.date]] = cohort) -> list[int]:
            found = (units(o, window(start, days)) for o, start in cohort)
            return [v for v in found if v is not None]

        for n in (7, 14, 30):
            span = window(launch, n)
            row[f"units_{n}d"] = units(code, span)
            visitors, buyers = traffic(code, span, "visitors"), traffic(code, span, "buyers")
            row[f"visitors_{n}d"], row[f"buyers_{n}d"] = visitors, buyers
            row[f"conversion_{n}d"] = buyers / visitors if buyers is not None and visitors else None
            row[f"cohort_median_{n}d"] = float(np.percentile(values(n), 50)) if values(n) else None
        days = min(age, 30)
        mine, peers = units(code, window(launch, days)), values(days)
        assert mine is not None  # the exports cover every day of the demo
        low, high = (float(np.percentile(peers, q)) for q in (25, 75))
        verdict = "起量" if mine > high else "滞后" if mine < low else "跟随" if mine or high else None
        row |= {"verdict_days": days, "verdict_units": mine, "cohort_size": len(peers), "verdict": verdict,
                "cohort_p25": low, "cohort_p75": high}  # fmt: skip
        out[code] = row
    return out


def test_new_styles_are_the_manifests(demo: ProductsDemo) -> None:
    want = expected(demo)
    with duckdb.connect(str(demo.root / "warehouse.duckdb"), read_only=True) as con:
        result = launches(con, SINCE, END, [SHOP])
    rows = {r["style"]: r for r in result.frame.iter_rows(named=True)}
    assert set(rows) == set(want) == {s["style"] for s in demo.truth["planted"]["new_styles"]}
    for code, figures in want.items():
        row = rows[code]
        assert {k: row[k] for k in figures} == figures, code
        assert row["launch_basis"] == "创建时间"
        daily = [
            demo.style_units(code, d, d) for d in window(figures["launch"], min(figures["age_days"], 30))
        ]
        assert row["daily_units"] == ",".join(map(str, daily))
    assert list(rows) == sorted(rows, key=lambda c: want[c]["launch"], reverse=True)  # newest first
    assert not any("商品效果" in note and "没有" in note for note in result.notes)


def test_who_takes_off_and_who_is_stuck(demo: ProductsDemo) -> None:
    """The planted outlooks: a style that takes off is 起量, a stuck one 滞后; one whose stock has not
    arrived (and whose cohort sold nothing in its first days either) gets no verdict."""
    rows = {r["style"]: r for r in demo.json("products", "new", "--since", str(SINCE), "--to", str(END))}
    verdicts = {"takes_off": "起量", "stuck": "滞后", "arriving": None}
    for planted in demo.truth["planted"]["new_styles"]:
        assert rows[planted["style"]]["verdict"] == verdicts[planted["role"]], planted


def test_by_sku_has_no_visitors(demo: ProductsDemo) -> None:
    rows = demo.json("products", "new", "--by", "sku")
    new = {
        sku
        for code, s in demo.truth["styles"].items()
        if SINCE.isoformat() <= s["created"]
        for sku in s["skus"]
    }
    assert {r["sku"] for r in rows} == new
    for row in rows:
        launch = dt.date.fromisoformat(row["launch"])
        assert row["units_7d"] == (
            demo.units(row["sku"], launch, launch + dt.timedelta(days=6)) if row["age_days"] >= 7 else None
        )
        assert row["visitors_7d"] is None  # 商品效果 has no SKU grain


def test_missing_item_exports_make_visitors_unknown(demo: ProductsDemo, tmp_path: Path) -> None:
    root = demo.copy(tmp_path / "ws")
    gap = END - dt.timedelta(days=3)
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM sycm_item_day WHERE date >= ?", [gap])
        con.execute(
            "UPDATE imports SET date_max = ? WHERE target_table = 'sycm_item_day'",
            [gap - dt.timedelta(days=1)],
        )
    rows = {r["style"]: r for r in demo.json("products", "new", root=root)}
    want = expected(demo)
    for code, row in rows.items():
        launch = want[code]["launch"]
        for n in (7, 14, 30):
            inside = launch + dt.timedelta(days=n - 1) < gap
            assert row[f"visitors_{n}d"] == (want[code][f"visitors_{n}d"] if inside else None), (code, n)
    result = demo.cli("products", "new", root=root)
    flat = "".join(result.output.split())
    assert f"山岚服饰：生意参谋商品效果缺{gap}~{END}中的4天" in flat
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM sycm_item_day")
        con.execute("DELETE FROM imports WHERE target_table = 'sycm_item_day'")
    flat = "".join(demo.cli("products", "new", root=root).output.split())
    assert "山岚服饰：没有生意参谋商品效果的导出，访客、转化率为—" in flat


def test_the_table_fits_80_columns(demo: ProductsDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = demo.cli("products", "new")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"上新 {SINCE} ~ {END} · {SHOP}"
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    want = expected(demo)
    counts = {v: sum(1 for r in want.values() if r["verdict"] == v) for v in ("起量", "跟随", "滞后")}
    assert f"判断：起量 {counts['起量']}、跟随 {counts['跟随']}、滞后 {counts['滞后']}" in result.output


def test_nothing_launched_is_one_line(demo: ProductsDemo) -> None:
    early = demo.first_day - dt.timedelta(days=400)
    result = demo.cli("products", "new", "--since", str(early), "--to", str(early + dt.timedelta(days=10)))
    assert result.exit_code == 0
    assert result.output.startswith(
        f"{early} ~ {early + dt.timedelta(days=10)} 没有上新的款（上新日取商品资料的创建时间）：先导入"
    )
