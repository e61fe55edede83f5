"""The 竞品 page on generated rival data: one item's numbers against hand-computed values, estimates
labelled 估算 with a range, price changes and 上新, and a user limited to shop A never sees shop B."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl
import pytest

from shopops.web import cache
from tests.web.conftest import SHOP_A, SHOP_B, WebDemo, build_web_demo, logged_in
from tests.web.rival_data import OUR_PRICE, RIVAL_DAYS, RIVALS_START, RivalData, add_rival_data, our_units


@pytest.fixture(scope="module")
def rival_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebDemo, RivalData]]:
    base = tmp_path_factory.mktemp("rival_web")
    demo = build_web_demo(base)
    generated = add_rival_data(demo, base / "rivals")
    yield demo, generated
    cache.wait_idle()
    demo.workspace.close()


def cells(html: str, key: str) -> dict[str, str]:
    """The side-by-side row of one rival item: cell class → its first line of text."""
    row = re.search(rf'<tr data-item="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {key}"
    found = re.findall(r'class="num ([a-z-]+)">(.*?)(?:<br>|</td>)', row.group(1), re.S)
    return {name: text.strip() for name, text in found} | {"row": row.group(1)}


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text))


def test_one_item_side_by_side_by_hand(rival_web: tuple[WebDemo, RivalData]) -> None:
    demo, generated = rival_web
    client, _ = logged_in(demo.app, "admin")
    html = client.get("/rivals").text
    assert f"{RIVALS_START} ~ 2026-11-24" in html and "<h1>竞品 · 面霜" in html
    item = generated.snapshots.filter(pl.col("item_id") == "R600000").sort("date")
    counted = item[1:]  # the first snapshot only starts the counter
    units = int(counted["units"].sum())
    revenue = round(sum(u * p for u, p in zip(counted["units"], counted["price"], strict=True)), 2)
    row = cells(html, "竞店01|R600000")
    assert number(row["rival-price"]) == pytest.approx(item["price"][-1])  # back from the cut: 82.90
    assert number(row["rival-units"]) == units
    assert number(row["rival-per-day"]) == pytest.approx(round(units / (RIVAL_DAYS - 1), 1))
    assert row["rival-revenue"].startswith("估算 ≈") and "¥" not in row["rival-revenue"]
    assert number(row["rival-revenue"].split("≈")[1]) == pytest.approx(revenue)
    # Our 700001 in both shops: A sells 10 + day, B sells 5 a day; A at ¥99, B at ¥120.
    ours = (
        [our_units(SHOP_A, d) for d in range(RIVAL_DAYS)],
        [our_units(SHOP_B, d) for d in range(RIVAL_DAYS)],
    )
    gmv = sum(ours[0]) * OUR_PRICE[SHOP_A] + sum(ours[1]) * OUR_PRICE[SHOP_B]
    assert (sum(ours[0]), sum(ours[1]), gmv) == (420, 105, 54180)
    assert number(row["our-units"]) == 525
    assert number(row["our-gmv"]) == gmv and row["our-gmv"].startswith("¥")
    assert number(row["our-price"]) == pytest.approx(round(gmv / 525, 2))  # 103.20
    assert number(row["our-per-day"]) == 25.0


def test_index_estimate_has_a_range_that_holds_the_known_money(rival_web: tuple[WebDemo, RivalData]) -> None:
    demo, generated = rival_web
    client, _ = logged_in(demo.app, "admin")
    row = cells(client.get("/rivals").text, "竞店01|R600000")
    index = re.search(r"估算 ≈ ([\d,]+)<br><small class=\"muted\">([\d,]+) ~ ([\d,]+) · 竞店整体", row["row"])
    assert index, row["row"]
    estimate, low, high = (number(index.group(i)) for i in (1, 2, 3))
    shop = generated.snapshots.filter(pl.col("rival_shop") == "竞店01")
    truth = float((shop["units"] * shop["price"]).sum())  # every item of 竞店01, every day
    assert low <= truth <= high and low < estimate < high
    assert estimate == pytest.approx(truth, rel=0.08)


def test_price_changes_new_items_and_charts(rival_web: tuple[WebDemo, RivalData]) -> None:
    demo, generated = rival_web
    plants = generated.plants
    client, _ = logged_in(demo.app, "admin")
    html = client.get("/rivals", params={"item": f"竞店01|{plants.price_cut_item}"}).text
    changes = html.split('id="price-changes"')[1].split("</table>")[0]
    cut = re.search(
        rf"<td>{plants.price_cut_day}</td><td>竞店01 {plants.price_cut_item}</td>(.*?)</tr>", changes, re.S
    )
    assert cut, changes
    assert f"{plants.old_price:,.2f}" in cut.group(1) and f"{plants.new_price:,.2f}" in cut.group(1)
    assert "-50.0%" in cut.group(1) and "降价促销" in cut.group(1)
    assert "/static/rivals.js" in html and '"label": "我方 700001"' in html
    group = client.get("/rivals", params={"group": "面霜"}).text
    new = group.split('id="new-items"')[1].split("</table>")[0]
    assert f"<td>{plants.new_item_day}</td><td>竞店03</td><td>{plants.new_item}" in new
    assert "计数重置" in cells(group, f"竞店02|{plants.reset_item}")["row"]
    english = client.get("/lang/en", params={"next": "/rivals"}).text
    assert "Rival vs our item" in english and "Recent price changes" in english


def test_a_scoped_user_sees_our_items_only_in_their_shops(rival_web: tuple[WebDemo, RivalData]) -> None:
    demo, _ = rival_web
    client, _ = logged_in(demo.app, "alice")
    for query in (
        {},
        {"item": "竞店02|R600001"},
        {"group": "面霜", "from": "2026-11-01", "to": "2026-11-24"},
    ):
        response = client.get("/rivals", params=query)
        assert response.status_code == 200 and SHOP_B not in response.text
        assert "800001" not in response.text  # shop B's paired item, not even its id
    html = client.get("/rivals").text
    row = cells(html, "竞店01|R600000")
    assert number(row["our-units"]) == 420 and number(row["our-gmv"]) == 420 * OUR_PRICE[SHOP_A]
    assert "对标商品不在你的店铺范围内" in cells(html, "竞店02|R600001")["row"]


def test_rival_findings_are_listed_without_a_note_form(rival_web: tuple[WebDemo, RivalData]) -> None:
    """Notes are kept per own shop: a 竞品 finding (a rival shop's) gets none, ours keep theirs."""
    demo, generated = rival_web
    client, _ = logged_in(demo.app, "admin")
    day = generated.plants.price_cut_day
    html = client.get("/findings", params={"from": str(day), "to": str(day)}).text
    rows = re.findall(r"<tr class=\"sev-.*?</tr>", html, re.S)
    rival_rows = [row for row in rows if "<td>竞店" in row]
    assert rival_rows, "the planted price cut is listed"
    assert all("/findings/note" not in row for row in rival_rows)
    own_rows = [row for row in rows if f"<td>{SHOP_A}</td>" in row or f"<td>{SHOP_B}</td>" in row]
    assert all("/findings/note" in row for row in own_rows)
