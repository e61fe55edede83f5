"""The Parquet export: every table read back from the files its manifest names equals the warehouse's,
to the row; a second export writes only what changed; a failed one leaves the previous one readable."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from shopops.errors import UserError
from shopops.warehouse import parquet_export
from shopops.warehouse.parquet_export import (
    EXCLUDED_TABLES,
    MANIFEST_NAME,
    ExportedTable,
    export_parquet,
    read_manifest,
)
from shopops.warehouse.parquet_manifest import escape_path_name
from shopops.workspace import Workspace

HOSTILE = "A/B=C%"  # every character of it but the letters is escaped in a Hive path
CHINESE = "店 #1 云朵"
SHOPS = ("云朵旗舰店", HOSTILE, CHINESE)
DAYS = (dt.date(2026, 10, 30), dt.date(2026, 10, 31), dt.date(2026, 11, 1))


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """Three shops with two months of 生意参谋 days, orders (one never paid) and a product BOM."""
    with Workspace.init(tmp_path / "ws") as ws:
        for shop in SHOPS:
            ws.add_shop(shop, "tmall")
        con = ws.connection
        con.executemany(
            "INSERT INTO sycm_shop_day (shop, date, visitors, gmv, conversion_rate, import_id)"
            " VALUES (?, ?, ?, ?, ?, 1)",
            [
                [shop, day, 100 + n, Decimal(f"{n}.05"), 0.0345 if n % 2 else None]
                for n, (shop, day) in enumerate((s, d) for s in SHOPS for d in DAYS)
            ],
        )
        con.executemany(
            "INSERT INTO orders (shop, order_id, paid_at, paid_amount, import_id) VALUES (?, ?, ?, ?, 2)",
            [
                [SHOPS[0], "o1", dt.datetime(2026, 10, 31, 23, 59, 59), Decimal("10.00")],
                [SHOPS[0], "o1", dt.datetime(2026, 10, 31, 23, 59, 59), Decimal("10.00")],  # a duplicate
                [SHOPS[0], "o2", None, Decimal("5.50")],  # not paid: no month
                [HOSTILE, "o3", dt.datetime(2026, 11, 1), None],
            ],
        )
        con.execute(
            "INSERT INTO product_bom (shop, combo_sku, sku, quantity, import_id) VALUES (?, 'C', 'S', 2, 3)",
            [CHINESE],
        )
        yield ws


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " AND table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows if name not in EXCLUDED_TABLES]


def read_back(con: duckdb.DuckDBPyConnection, root: Path, table: ExportedTable) -> duckdb.DuckDBPyRelation:
    """The table as a reader of the export sees it: the manifest's files, the path's shop added back."""
    files = [str(root / part.path) for part in table.partitions]
    columns = ", ".join(f'"{name}"' for name, _ in table.columns)
    hive = ", ".join(f"'{column}': 'VARCHAR'" for column in table.partition_by)
    options = f"hive_partitioning = true, hive_types = {{{hive}}}" if hive else "hive_partitioning = false"
    return con.sql(f"SELECT {columns} FROM read_parquet({files!r}, {options})")


def assert_same_rows(con: duckdb.DuckDBPyConnection, root: Path, table: ExportedTable) -> None:
    exported = read_back(con, root, table)
    original = con.sql(f'SELECT * FROM "{table.name}"')
    assert exported.types == original.types, table.name
    assert exported.columns == original.columns, table.name
    assert sorted(exported.fetchall(), key=repr) == sorted(original.fetchall(), key=repr), table.name


def part_files(root: Path) -> set[str]:
    return {
        Path(folder, name).relative_to(root).as_posix()
        for folder, _, names in os.walk(root)
        for name in names
        if name.endswith(".parquet")
    }


def named(root: Path) -> set[str]:
    return {part.path for table in read_manifest(root).tables.values() for part in table.partitions}


def test_a_full_export_reads_back_as_the_warehouse(workspace: Workspace, tmp_path: Path) -> None:
    con, root = workspace.connection, tmp_path / "export"
    seen: list[tuple[str, int, int]] = []
    result = export_parquet(con, root, progress=lambda label, done, total: seen.append((label, done, total)))
    manifest = read_manifest(root)
    assert sorted(manifest.tables) == exported_tables(con)
    assert not EXCLUDED_TABLES & set(manifest.tables)
    assert manifest.format == "shopops-parquet/1" and manifest.duckdb_version == duckdb.__version__
    assert dt.datetime.fromisoformat(manifest.exported_at).utcoffset() == dt.timedelta(0)
    for table in manifest.tables.values():
        assert table.columns == tuple(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"
                " ORDER BY ordinal_position",
                [table.name],
            ).fetchall()
        )
        assert [(table.rows,)] == con.execute(f'SELECT count(*) FROM "{table.name}"').fetchall()
        if table.partitions:
            assert_same_rows(con, root, table)
    tables = manifest.tables
    assert tables["sycm_shop_day"].partition_by == ("shop", "month")
    assert tables["orders"].partition_by == ("shop", "month")  # by paid_at
    assert tables["product_bom"].partition_by == ("shop",)
    assert tables["shops"].partition_by == ()  # its shop is called name
    assert tables["return_reason_classes"].columns[2] == ("words", "VARCHAR[]")
    assert (
        tables["shops"].partitions[0].path
        == f"shops/part-{tables['shops'].partitions[0].fingerprint}.parquet"
    )
    assert tables["erp_sales"].partitions == () and tables["erp_sales"].rows == 0
    total = sum(len(t.partitions) for t in tables.values())
    assert (result.tables, result.partitions_written, result.partitions_unchanged) == (len(tables), total, 0)
    assert (result.rows_written, result.rows_total) == (sum(t.rows for t in tables.values()),) * 2
    assert (result.partitions_removed, result.full, result.reason) == (0, True, None)
    assert part_files(root) == named(root)
    assert not [name for name in os.listdir(root) if name.startswith(".")]
    assert sorted(label for label, _, _ in seen[:-1]) == sorted(tables)  # each table once it is done
    assert [done for _, done, _ in seen] == [*range(1, len(tables) + 1), len(tables)]
    assert seen[-1] == (MANIFEST_NAME, len(tables), len(tables))


def test_shop_names_and_missing_dates_take_hive_paths(workspace: Workspace, tmp_path: Path) -> None:
    con, root = workspace.connection, tmp_path / "export"
    export_parquet(con, root)
    tables = read_manifest(root).tables
    folders = {os.path.dirname(part.path) for part in tables["sycm_shop_day"].partitions}
    assert folders == {
        "sycm_shop_day/shop=A%2FB%3DC%25/month=2026-10",
        "sycm_shop_day/shop=A%2FB%3DC%25/month=2026-11",
        "sycm_shop_day/shop=店 %231 云朵/month=2026-10",
        "sycm_shop_day/shop=店 %231 云朵/month=2026-11",
        "sycm_shop_day/shop=云朵旗舰店/month=2026-10",
        "sycm_shop_day/shop=云朵旗舰店/month=2026-11",
    }
    orders = {os.path.dirname(p.path): p.rows for p in tables["orders"].partitions}
    assert orders == {
        "orders/shop=云朵旗舰店/month=2026-10": 2,
        "orders/shop=云朵旗舰店/month=__HIVE_DEFAULT_PARTITION__": 1,
        "orders/shop=A%2FB%3DC%25/month=2026-11": 1,
    }
    hive = "hive_partitioning = true, hive_types = {'shop': 'VARCHAR', 'month': 'VARCHAR'}"
    files = [str(root / p.path) for p in tables["orders"].partitions]
    back = con.sql(f"SELECT shop, month, order_id FROM read_parquet({files!r}, {hive}) ORDER BY order_id")
    assert back.fetchall() == [
        (SHOPS[0], "2026-10", "o1"),
        (SHOPS[0], "2026-10", "o1"),
        (SHOPS[0], None, "o2"),
        (HOSTILE, "2026-11", "o3"),
    ]
    in_file = con.sql(f"SELECT * FROM read_parquet('{files[0]}', hive_partitioning = false)").columns
    assert "shop" not in in_file and "month" not in in_file  # Hive style: the path holds them
    assert escape_path_name("a\"#%'*/:=?\\{[]^\x7f\x01\x1f b-_.,;!()中") == (
        "a%22%23%25%27%2A%2F%3A%3D%3F%5C%7B%5B%5D%5E%7F%01%1F b-_.,;!()中"
    )


def test_nothing_changed_writes_no_file(workspace: Workspace, tmp_path: Path) -> None:
    con, root = workspace.connection, tmp_path / "export"
    first = export_parquet(con, root)
    stamps = {path: (root / path).stat().st_mtime_ns for path in part_files(root)}
    again = export_parquet(con, root)
    assert (again.partitions_written, again.rows_written, again.partitions_removed) == (0, 0, 0)
    assert again.partitions_unchanged == first.partitions_written
    assert (again.full, again.reason, again.rows_total) == (False, None, first.rows_total)
    assert {path: (root / path).stat().st_mtime_ns for path in part_files(root)} == stamps


def test_only_the_changed_shop_month_is_written_again(workspace: Workspace, tmp_path: Path) -> None:
    con, root = workspace.connection, tmp_path / "export"
    export_parquet(con, root)
    before = named(root)
    folder = "sycm_shop_day/shop=A%2FB%3DC%25/month=2026-10"
    (old,) = [path for path in before if path.startswith(folder + "/")]
    con.execute("UPDATE sycm_shop_day SET gmv = gmv + 0.01 WHERE shop = ? AND date = ?", [HOSTILE, DAYS[0]])
    result = export_parquet(con, root)
    assert (result.partitions_written, result.rows_written, result.partitions_removed) == (1, 2, 0)
    after = named(root)
    (new,) = after - before
    assert before - after == {old} and new.startswith(folder + "/part-") and new != old
    assert not (root / old).exists() and part_files(root) == after
    assert_same_rows(con, root, read_manifest(root).tables["sycm_shop_day"])


def test_a_duplicate_row_is_a_change(workspace: Workspace, tmp_path: Path) -> None:
    """The fingerprint sums the rows' hashes: a second copy of a row changes it (xor would not)."""
    con, root = workspace.connection, tmp_path / "export"
    export_parquet(con, root)
    con.execute("INSERT INTO orders SELECT * FROM orders WHERE order_id = 'o1' LIMIT 1")
    result = export_parquet(con, root)
    assert (result.partitions_written, result.rows_written) == (1, 3)


def test_a_partition_whose_rows_are_gone_is_removed(workspace: Workspace, tmp_path: Path) -> None:
    con, root = workspace.connection, tmp_path / "export"
    export_parquet(con, root)
    con.execute("DELETE FROM sycm_shop_day WHERE shop = ?", [HOSTILE])
    result = export_parquet(con, root)
    assert (result.partitions_written, result.partitions_removed) == (0, 2)
    assert not (root / "sycm_shop_day" / "shop=A%2FB%3DC%25").exists()  # nor its folders
    assert part_files(root) == named(root)
    assert_same_rows(con, root, read_manifest(root).tables["sycm_shop_day"])


def test_a_new_table_comes_along_and_a_dropped_one_leaves(workspace: Workspace, tmp_path: Path) -> None:
    con, root = workspace.connection, tmp_path / "export"
    con.execute("CREATE TABLE visits (shop VARCHAR, seen TIMESTAMP, day DATE, note VARCHAR)")
    con.execute(
        "INSERT INTO visits VALUES ('x', '2026-01-05 10:00', '2026-02-01', 'a'), ('x', NULL, NULL, 'b')"
    )
    export_parquet(con, root)
    visits = read_manifest(root).tables["visits"]
    assert visits.partition_by == ("shop", "month")  # from the first DATE column, before any TIMESTAMP
    assert sorted(os.path.dirname(p.path) for p in visits.partitions) == [
        "visits/shop=x/month=2026-02",
        "visits/shop=x/month=__HIVE_DEFAULT_PARTITION__",
    ]
    assert_same_rows(con, root, visits)
    con.execute("DROP TABLE visits")
    result = export_parquet(con, root)
    assert "visits" not in read_manifest(root).tables and not (root / "visits").exists()
    assert (result.partitions_written, result.partitions_removed) == (0, 2)


def test_a_failed_export_leaves_the_previous_one_readable(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con, root = workspace.connection, tmp_path / "export"
    export_parquet(con, root)
    manifest = (root / MANIFEST_NAME).read_bytes()
    files = part_files(root)
    con.execute("UPDATE sycm_shop_day SET visitors = visitors + 1")
    con.execute("DELETE FROM orders WHERE paid_at IS NULL")

    def fail(_root: Path, _manifest: object) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(parquet_export, "write_manifest", fail)
    with pytest.raises(OSError, match="the disk went away"):
        export_parquet(con, root)
    assert (root / MANIFEST_NAME).read_bytes() == manifest
    assert all((root / path).is_file() for path in named(root))
    assert part_files(root) == files  # the new files are taken away again, the old ones all kept
    assert not [name for name in os.listdir(root) if name.startswith(".")]
    tables = read_manifest(root).tables
    assert len(read_back(con, root, tables["sycm_shop_day"]).fetchall()) == 9
    assert len(read_back(con, root, tables["orders"]).fetchall()) == 4
    monkeypatch.undo()
    result = export_parquet(con, root)
    assert (result.partitions_written, result.partitions_removed) == (6, 1)
    assert part_files(root) == named(root)


def test_partitions_split_by_duckdb_are_written_whole(workspace: Workspace, tmp_path: Path) -> None:
    """With few files open at a time, DuckDB's PARTITION_BY writes a partition in several files:
    each such partition is then written alone, so that a partition is still one file."""
    con, root = workspace.connection, tmp_path / "export"
    con.execute(
        "CREATE TABLE clicks AS SELECT ['云朵旗舰店', 'A/B=C%', '店 #1 云朵'][1 + i % 3] AS shop,"
        " DATE '2026-01-01' + (i % 60)::INTEGER AS date, i AS n FROM range(3000) r(i)"
    )
    con.execute("SET GLOBAL partitioned_write_max_open_files = 1")
    con.execute("SET GLOBAL partitioned_write_flush_threshold = 1")
    try:
        split = tmp_path / "split"
        con.execute(f"COPY (SELECT shop, n FROM clicks) TO '{split}' (FORMAT parquet, PARTITION_BY (shop))")
        assert max(len(names) for _, _, names in os.walk(split)) > 1  # DuckDB does split them
        export_parquet(con, root)
    finally:
        con.execute("RESET GLOBAL partitioned_write_max_open_files")
        con.execute("RESET GLOBAL partitioned_write_flush_threshold")
    clicks = read_manifest(root).tables["clicks"]
    assert len(clicks.partitions) == len({os.path.dirname(p.path) for p in clicks.partitions}) == 7
    assert part_files(root) == named(root)
    assert_same_rows(con, root, clicks)


def test_a_folder_of_other_files_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    root = tmp_path / "mine"
    root.mkdir()
    (root / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UserError) as refused:
        export_parquet(workspace.connection, root)
    assert str(refused.value) == (
        f"{root} is not empty and holds no ShopOps Parquet export (no manifest.json) — export into a new"
        " or empty folder"
    )
    (root / MANIFEST_NAME).write_text('{"name": "my web app"}', encoding="utf-8")
    with pytest.raises(UserError) as foreign:
        export_parquet(workspace.connection, root)
    assert str(foreign.value) == (
        f"{root} is not empty and its manifest.json is not a ShopOps export manifest — export into a new"
        " or empty folder"
    )
    assert sorted(os.listdir(root)) == [MANIFEST_NAME, "notes.txt"]
    assert (root / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_manifest_of_another_duckdb_means_a_full_export(workspace: Workspace, tmp_path: Path) -> None:
    con, root = workspace.connection, tmp_path / "export"
    first = export_parquet(con, root)
    data = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    data["duckdb_version"] = "0.9.2"
    (root / MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")
    (root / "README.txt").write_text("ours to keep", encoding="utf-8")  # beside an export: left alone
    result = export_parquet(con, root)
    assert (result.full, result.partitions_written, result.partitions_unchanged) == (
        True,
        first.partitions_written,
        0,
    )
    assert result.reason == (
        f"the earlier export was written with DuckDB 0.9.2, this is DuckDB {duckdb.__version__},"
        " whose row hashes may differ"
    )
    assert read_manifest(root).duckdb_version == duckdb.__version__
    assert part_files(root) == named(root) and (root / "README.txt").is_file()


def test_an_unreadable_manifest_or_an_unfinished_export_means_a_full_one(
    workspace: Workspace, tmp_path: Path
) -> None:
    con, root = workspace.connection, tmp_path / "export"
    export_parquet(con, root)
    (root / MANIFEST_NAME).write_text('{"format": "shopops-parquet/1", "tables": [', encoding="utf-8")
    result = export_parquet(con, root)
    assert result.full and result.partitions_unchanged == 0
    assert result.reason == (
        "the earlier export's manifest.json could not be read (Expecting value: line 1 column 44 (char 43))"
    )
    (root / MANIFEST_NAME).unlink()
    leftover = root / "gone_table" / "shop=x" / "part-0123456789abcdef.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"PAR1")
    (root / ".shopops-staging-abc" / "0").mkdir(parents=True)
    again = export_parquet(con, root)
    assert again.full and again.reason == "an earlier export did not finish (it left no manifest.json)"
    assert not (root / "gone_table").exists() and not (root / ".shopops-staging-abc").exists()
    assert part_files(root) == named(root)


def test_reading_a_missing_or_broken_manifest_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(UserError) as missing:
        read_manifest(tmp_path)
    assert str(missing.value) == (
        f"no ShopOps Parquet export at {tmp_path} (manifest.json is missing) — write one with"
        " `shopops export parquet DIR`"
    )
    (tmp_path / MANIFEST_NAME).write_text(
        json.dumps({"format": "shopops-parquet/1", "exported_at": "x", "duckdb_version": "1", "tables": {
            "t": {"columns": [["a", "INTEGER"]], "partition_by": [], "rows": 1,
                  "partitions": [{"path": "../../etc/passwd", "rows": 1, "fingerprint": "f"}]}}}),
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(UserError) as broken:
        read_manifest(tmp_path)
    assert str(broken.value) == (
        f"{tmp_path / MANIFEST_NAME} holds no readable ShopOps Parquet export manifest (a partition of table t"
        " has the path '../../etc/passwd', which is not inside the export) — write it again with"
        " `shopops export parquet DIR`"
    )
    (tmp_path / MANIFEST_NAME).write_text('{"format": "shopops-parquet/2"}', encoding="utf-8")
    with pytest.raises(UserError) as newer:
        read_manifest(tmp_path)
    assert str(newer.value) == (
        f"the Parquet export at {tmp_path / MANIFEST_NAME} is in format shopops-parquet/2, this ShopOps reads"
        " shopops-parquet/1 — write it again with `shopops export parquet DIR`"
    )
