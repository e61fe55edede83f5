"""The message catalog: every message a user can be shown has its translation, and it translates."""

from __future__ import annotations

import re

import pytest

from shopops.cli.messages import Catalog, catalog, language_from_environment, localize, shape
from tests.unit.message_sites import check_sites, has_words, sites


def test_every_raised_message_has_a_catalog_entry() -> None:
    """A new message needs its entry in src/shopops/cli/messages_errors.yaml
    (``python -m tests.unit.message_sites`` prints the ones missing)."""
    found = sites()
    assert len(found) > 300  # the scan itself still finds the raise sites
    known = catalog().shapes()
    missing = sorted({f"{s.path}:{s.line} {s.template}" for s in found if s.shape not in known})
    assert missing == []


def test_every_text_of_a_health_check_has_a_catalog_entry() -> None:
    """`shopops doctor` says each check's result and fix in the run's language: a new text in
    src/shopops/health.py needs its entry in src/shopops/cli/messages_health.yaml."""
    found = check_sites()
    assert len(found) > 45  # the scan itself still finds the checks' texts
    known = catalog().shapes()
    missing = sorted({f"{s.path}:{s.line} {s.template}" for s in found if s.shape not in known})
    assert missing == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "warehouse.duckdb (26.8 MB) reads: 55 tables, 279,057 rows; checkpoint done",
            "warehouse.duckdb（26.8 MB）可读：55 张表，279,057 行；已做检查点（CHECKPOINT）",
        ),
        (
            "小野家居 has 2 exports late: 千牛 · 退款管理 9 days; 生意参谋 · 店铺整体 12 days",
            "小野家居 有 2 种导出迟了：千牛 · 退款管理 9 天; 生意参谋 · 店铺整体 12 天",
        ),
        (
            "download and import it (shopops import FILE, or inbox/); ignore it if 云朵旗舰店 no longer uses that export",
            "下载并导入（shopops import 文件，或放进 inbox/）；云朵旗舰店 已不用这种导出的话，忽略即可",
        ),
        (
            "holiday data through 2027-01-29 (chinese-calendar 1.11.0 knows holidays up to 2026;"
            " 2027 from shopops.yaml (10 days off))",
            "节假日数据到 2027-01-29（chinese-calendar 1.11.0 的节假日数据截至 2026；2027 年取自 shopops.yaml，放假 10 天）",
        ),
        (
            "shopops serve runs on this workspace (pid 4242, port 8123)",
            "shopops serve 正在这个工作区上运行（pid 4242，端口 8123）",
        ),
        ("6 ok, 3 warnings, 0 failed", "正常 6 项，警告 3 项，失败 0 项"),
    ],
)
def test_a_health_check_is_said_in_chinese_and_back(english: str, chinese: str) -> None:
    assert localize(english, "zh") == chinese
    if " days; " not in english:  # (a list joined by "; " is said joined by "; ", as it went)
        assert localize(chinese, "en") == english


def test_the_scan_reads_templates_as_raised() -> None:
    texts = {s.template for s in sites()}
    assert "shop {shop} is not registered (shops: {value}) — see `shopops shop list`" in texts
    assert "is not a date in a sensible range (2000-01-01 to a year from today)" in texts  # a ValueType's
    assert "use a date such as 2024-11-24 or 2024/11/24" in texts  # a module's _DATE_HINT
    assert shape("{a}{b} x {c}") == "{} x {}"
    assert not has_words("{label}: {problem}")


def _names(text: str) -> set[str]:
    return {re.sub(r"_?\d+$", "", n) for n in re.findall(r"(?<!\{)\{([A-Za-z_]\w*)\}", text)}


def test_both_sides_of_an_entry_have_the_same_placeholders() -> None:
    wrong = [
        (e.sides["en"].text, e.sides["zh"].text)
        for e in catalog().entries
        if "src" not in e.sides and _names(e.sides["en"].text) != _names(e.sides["zh"].text)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "zh"),
        ({"LANG": "C"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, "zh"),  # LC_ALL wins, as in POSIX
        ({"LANG": "C", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "SHOPOPS_LANG": "zh"}, "zh"),
        ({"SHOPOPS_LANG": "en"}, "en"),
    ],
)
def test_the_language_comes_from_the_environment(environ: dict[str, str], expected: str) -> None:
    assert language_from_environment(environ) == expected


def test_user_values_stay_as_typed() -> None:
    message = "shop 'Shop {x} — one' is not registered (shops: 某某旗舰店, a.csv) — see `shopops shop list`"
    assert (
        localize(message, "zh")
        == "店铺 'Shop {x} — one' 未登记（已有：某某旗舰店, a.csv）— 见 `shopops shop list`"
    )


def test_an_import_error_is_translated_part_by_part() -> None:
    message = (
        'x.csv, row 3, column "支付金额": value "十二元" is not an amount of money'
        " (and 2 more rows like it) — write a plain number such as 1234.56 (¥ and thousands separators are fine)"
    )
    assert localize(message, "zh") == (
        "x.csv 第 3 行「支付金额」列：值 “十二元” 不是金额（还有 2 行同样的问题）"
        " — 写普通数字，如 1234.56（可以带 ¥ 和千位分隔符）"
    )
    assert localize(message, "en") == message


def test_a_chinese_message_is_said_in_english() -> None:
    assert localize("保底 100 元高于封顶 50 元 — 调低 --floor 或调高 --cap", "en") == (
        "the floor of 100 yuan is above the cap of 50 yuan — lower --floor or raise --cap"
    )
    assert localize("完成：导入 3 个文件，拒绝 1 个", "en") == "done: imported 3 files, rejected 1"


def test_an_unknown_text_is_left_as_it_is() -> None:
    assert localize("something nobody wrote down", "zh") == "something nobody wrote down"
    assert Catalog.from_pairs([]).translate("x", "zh") is None


def test_a_count_placeholder_matches_only_a_number() -> None:
    assert localize("it holds no rows", "zh") == "it holds no rows"
    assert localize("3 rows", "zh") == "3 行"
