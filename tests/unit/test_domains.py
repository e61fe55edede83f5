"""The domain registry (DESIGN §7): domains found through entry points, their parts joining the core."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import shopops.domains as registry
from shopops.cli.main import _ShopOpsGroup
from shopops.domains import Domain, DomainError, domains, parts
from shopops.errors import DefinitionError
from shopops.ingest.sources import load_builtin_specs
from shopops.metrics import catalog
from shopops.warehouse.connection import Warehouse, migration_scripts
from shopops.web.app import nav

RIVAL_SOURCES = {
    "rival_snapshot",
    "sycm_rival_item",
    "sycm_rival_shop",
    "sycm_own_index",
    "sycm_rival_traffic",
}


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[metadata.EntryPoint]]:
    """Entry points of the group as the test lists them (the registry's cache cleared before and after)."""
    listed: list[metadata.EntryPoint] = []
    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: listed)
    domains.cache_clear()
    yield listed
    domains.cache_clear()


def test_the_built_in_domains_are_found_through_their_entry_points() -> None:
    assert [d.name for d in domains()] == ["live", "returns", "rivals", "service", "staff", "stock"]
    live, returns, rivals, service, staff, stock = domains()
    assert (live.label, live.pages) == ("直播", (("live", "/live", "直播"),))
    assert [s.__name__ for s in parts("services")] == ["LiveService"]
    assert stock.label == "商品与库存" and stock.undated_tables == ("product_bom",)
    assert (rivals.label, service.label, returns.label) == ("竞品", "客服", "退货与评价")
    assert rivals.pages == (("rivals", "/rivals", "竞品"),)
    assert stock.pages == (("stock", "/stock", "商品"),)
    assert service.pages == (("service", "/service", "客服"),)
    assert returns.pages == (("returns", "/returns", "退货"),)
    assert (staff.label, staff.pages) == ("绩效", (("staff", "/staff", "绩效"),))
    assert staff.undated_tables == ("staff", "staff_inputs", "scorecard_lines")
    assert returns.per_shop_tables == ("after_sales", "reviews")
    assert [p.__name__ for p in parts("providers")] == ["returns_providers", "service_providers"]
    assert [p.__name__ for p in parts("findings")] == [
        "returns_findings", "rival_findings", "service_findings", "stock_findings",
    ]  # fmt: skip
    assert [p.__name__ for p in parts("sheets")] == [
        "returns_sheet",
        "rival_sheet",
        "service_sheet",
        "staff_sheet",
        "stock_sheet",
    ]
    assert [p.__name__ for p in parts("person_providers")] == ["service_person_providers"]
    assert [p.__name__ for p in parts("review_sections")] == ["team_review"]
    assert [c.name for c in parts("commands")] == [
        "live",
        "returns",
        "reviews",
        "rival",
        "service",
        "staff",
        "stock",
        "products",
    ]
    assert [r.routes[0].path for r in parts("routes")] == [
        "/live",
        "/returns",
        "/rivals",
        "/service",
        "/staff",
        "/stock",
    ]
    assert [h.__name__ for h in parts("settings_hooks")] == ["check_settings", "keep_rules"]
    assert service.undated_tables == ("service_roster",)


def test_a_domain_that_fails_to_load_is_named_in_one_line(
    fake_entry_points: list[metadata.EntryPoint],
) -> None:
    fake_entry_points.append(metadata.EntryPoint("broken", "shopops_no_such_domain:DOMAIN", registry.GROUP))
    with pytest.raises(DomainError) as caught:
        domains()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        "domain entry point broken = 'shopops_no_such_domain:DOMAIN' (group shopops.domains)"
    )
    assert "ModuleNotFoundError" in message


def test_an_entry_point_must_be_a_domain_of_its_own_name(
    fake_entry_points: list[metadata.EntryPoint],
) -> None:
    fake_entry_points.append(metadata.EntryPoint("odd", "shopops.domains:GROUP", registry.GROUP))
    with pytest.raises(DomainError, match=r"is a str, not a shopops\.domains\.Domain"):
        domains()
    fake_entry_points[:] = [metadata.EntryPoint("other", "shopops.domains.rivals:DOMAIN", registry.GROUP)]
    domains.cache_clear()
    with pytest.raises(DomainError, match="names its domain 'rivals'"):
        domains()


def test_a_part_that_cannot_be_loaded_names_its_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Domain(name="broken", label="坏", findings=("shopops.domains.rivals.findings:no_such",))
    monkeypatch.setattr(registry, "domains", lambda: (broken,))
    with pytest.raises(
        DomainError, match=r"^domain broken: cannot load 'shopops.domains.rivals.findings:no_such'"
    ):
        parts("findings")


def test_the_cli_says_in_one_line_which_domain_is_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(kind: str) -> list[object]:
        raise DomainError(
            "domain entry point broken = 'x:DOMAIN' (group shopops.domains) failed to load: Boom"
        )

    monkeypatch.setattr("shopops.cli.main.parts", broken)
    result = CliRunner().invoke(_ShopOpsGroup(name="shopops"), ["--help"])
    assert result.exit_code == 1
    assert "domain entry point broken" in result.output


def test_the_domains_sources_join_ours_in_the_usual_order() -> None:
    keys = [spec.key for spec in load_builtin_specs()]
    folders = [d.sources for d in domains()]
    assert all(folder is not None for folder in folders)
    rival_folder = next(d for d in domains() if d.name == "rivals").sources
    assert rival_folder is not None
    assert {entry.name.removesuffix(".yaml") for entry in rival_folder.iterdir()} == RIVAL_SOURCES
    builtin = Path(catalog.__file__).parents[1] / "ingest" / "sources" / "definitions"
    assert not {p.stem for p in builtin.glob("*.yaml")} & RIVAL_SOURCES
    domain_files = [Path(str(e)) for folder in folders if folder is not None for e in folder.iterdir()]
    files = sorted([*builtin.glob("*.yaml"), *domain_files], key=lambda p: p.name)
    assert keys == [p.stem for p in files]  # one order over ours and the domains' files: by file name


def test_migrations_keep_their_global_numbers() -> None:
    scripts = migration_scripts()
    assert [v for v, _, _ in scripts] == list(range(1, len(scripts) + 1))
    assert (4, "rivals") in [(v, n) for v, n, _ in scripts]
    assert "CREATE TABLE rival_shops" in scripts[3][2]
    assert (9, "service") in [(v, n) for v, n, _ in scripts]
    assert "CREATE TABLE service_agent_period" in scripts[8][2]
    assert (10, "stock") in [(v, n) for v, n, _ in scripts]
    assert (14, "returns") in [(v, n) for v, n, _ in scripts]


def test_a_missing_or_clashing_migration_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shopops.warehouse.connection.domain_files", lambda kind, suffix: [])
    with pytest.raises(DomainError, match=r"without gaps, found \[1, 2, 3, 5, .*is a domain missing\?"):
        migration_scripts()
    clash = tmp_path / "004_other.sql"
    clash.write_text("SELECT 1;", encoding="utf-8")
    monkeypatch.setattr("shopops.warehouse.connection.domain_files", lambda kind, suffix: [clash, clash])
    with pytest.raises(DomainError, match="migration 4 is defined twice"):
        migration_scripts()


def test_an_existing_warehouse_migrates_as_before(tmp_path: Path) -> None:
    """A warehouse at version 3 (before rivals) gets 004_rivals from the domain, then the rest, in order."""
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for version, name, sql in migration_scripts()[:3]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    con.close()
    fresh = Warehouse(tmp_path / "fresh.duckdb")
    upgraded = Warehouse(old)
    try:
        query = "SELECT version, name FROM schema_migrations ORDER BY version"
        assert upgraded.connection.execute(query).fetchall() == fresh.connection.execute(query).fetchall()
        columns = (
            "SELECT table_name, column_name, data_type, column_default, is_nullable"
            " FROM information_schema.columns ORDER BY table_name, ordinal_position"
        )
        assert upgraded.connection.execute(columns).fetchall() == fresh.connection.execute(columns).fetchall()
    finally:
        upgraded.close()
        fresh.close()


def test_a_domains_metrics_join_the_one_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "metrics.yaml"
    extra.write_text(
        "sections: [客服]\n"
        "metrics:\n"
        "  - {key: gmv_per_order, label: 每单支付金额, label_en: GMV per order, section: 客服, definition: 支付金额 / 支付订单数,\n"
        "     formula: gmv / paid_orders, unit: money, direction: up}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(catalog, "domains", lambda: (Domain(name="service", label="客服", metrics=extra),))
    catalog.load_catalog.cache_clear()
    try:
        joined = catalog.load_catalog()
        assert joined.metrics["gmv_per_order"].label == "每单支付金额"
        assert joined.sections[-1] == "客服"
        extra.write_text("measures:\n  gmv: {sources: [orders]}\n", encoding="utf-8")
        catalog.load_catalog.cache_clear()
        with pytest.raises(DefinitionError, match="measure gmv is already defined"):
            catalog.load_catalog()
    finally:
        catalog.load_catalog.cache_clear()


def test_the_domains_pages_follow_findings_in_the_nav() -> None:
    keys = [key for key, _, _ in nav()]
    after = keys.index("findings") + 1
    assert keys[after : after + 6] == [
        "live",
        "returns",
        "rivals",
        "service",
        "staff",
        "stock",
    ]  # in domain order
