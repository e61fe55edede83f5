"""The rival registry: shops and items we follow, paired with our own item, in groups; manual entries."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import duckdb

from shopops.errors import UserError
from shopops.platforms import PLATFORMS


@dataclass(frozen=True)
class RivalItem:
    rival_shop: str
    item_id: str
    title: str
    our_shop: str
    our_item_id: str
    group_name: str


def add_rival_shop(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    platform: str = "taobao",
    our_shop: str = "*",
    group: str = "",
    note: str = "",
) -> bool:
    """Register (or update) a rival shop; True when it is new."""
    name = name.strip()
    if not name:
        raise UserError("a rival shop needs a name")
    if platform not in PLATFORMS:
        raise UserError(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}")
    _check_our_shop(con, our_shop)
    exists = con.execute("SELECT 1 FROM rival_shops WHERE name = ?", [name]).fetchall() != []
    con.execute(
        "INSERT INTO rival_shops (name, platform, our_shop, group_name, note) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET platform = excluded.platform, our_shop = excluded.our_shop,"
        " group_name = excluded.group_name, note = excluded.note",
        [name, platform, our_shop, group, note],
    )
    return not exists


def add_rival_item(
    con: duckdb.DuckDBPyConnection,
    rival_shop: str,
    item_id: str,
    *,
    title: str = "",
    our_shop: str = "*",
    our_item_id: str = "",
    group: str = "",
) -> bool:
    """Register (or update) a rival item, optionally paired with our item; True when it is new."""
    item_id = item_id.strip()
    if not item_id:
        raise UserError("a rival item needs its item id (商品ID)")
    _check_our_shop(con, our_shop)
    if con.execute("SELECT 1 FROM rival_shops WHERE name = ?", [rival_shop]).fetchall() == []:
        add_rival_shop(con, rival_shop, our_shop=our_shop, group=group)
    exists = (
        con.execute(
            "SELECT 1 FROM rival_items WHERE rival_shop = ? AND item_id = ?", [rival_shop, item_id]
        ).fetchall()
        != []
    )
    con.execute(
        "INSERT INTO rival_items (rival_shop, item_id, title, our_shop, our_item_id, group_name)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rival_shop, item_id) DO UPDATE SET"
        " title = excluded.title, our_shop = excluded.our_shop, our_item_id = excluded.our_item_id,"
        " group_name = excluded.group_name",
        [rival_shop, item_id, title, our_shop, our_item_id, group],
    )
    return not exists


def list_rivals(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Every registered rival shop with its items (a shop without items gives one row, item_id '')."""
    rows = con.execute(
        "SELECT s.name, s.platform, coalesce(i.our_shop, s.our_shop), coalesce(nullif(i.group_name, ''),"
        " s.group_name), coalesce(i.item_id, ''), coalesce(i.title, ''), coalesce(i.our_item_id, ''),"
        " (SELECT max(date) FROM rival_snapshots r WHERE r.rival_shop = s.name"
        "  AND (i.item_id IS NULL OR r.item_id = i.item_id))"
        " FROM rival_shops s LEFT JOIN rival_items i ON i.rival_shop = s.name ORDER BY 1, 5"
    ).fetchall()
    names = ["rival_shop", "platform", "our_shop", "group", "item_id", "title", "our_item_id", "last_seen"]
    return [dict(zip(names, row, strict=True)) for row in rows]


def add_manual(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    rival_shop: str,
    item_id: str = "",
    *,
    price: str | None = None,
    note: str = "",
) -> None:
    """A price seen by hand (e.g. a 活动价 on the item page) or a note about a rival on a day."""
    amount: Decimal | None = None
    if price is not None:
        try:
            amount = Decimal(price.replace("¥", "").replace(",", "").strip())
        except InvalidOperation:
            raise UserError(f"price {price!r} is not an amount of money — write e.g. 89.90") from None
        if amount <= 0:
            raise UserError(f"price {price} must be more than 0")
    if amount is None and not note.strip():
        raise UserError("give a --price or a --note")
    if price is not None and not item_id:
        raise UserError("a price belongs to an item: pass --item ITEM_ID")
    con.execute(
        "INSERT INTO rival_manual (date, rival_shop, item_id, price, note, entered_by) VALUES (?, ?, ?, ?, ?, ?)",
        [day, rival_shop, item_id, amount, note.strip(), _user()],
    )


def _check_our_shop(con: duckdb.DuckDBPyConnection, shop: str) -> None:
    if shop != "*" and con.execute("SELECT 1 FROM shops WHERE name = ?", [shop]).fetchall() == []:
        raise UserError(f"our shop {shop!r} is not registered — see `shopops shop list`")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
