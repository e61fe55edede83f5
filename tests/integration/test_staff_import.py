"""The staff domain's own sheets through `shopops template` and `shopops import` (issue 17): the staff list
(员工名单), the manual inputs (绩效手工录入) and the scorecard (评分表) — their templates filled with their
own examples import; a whole card from the template is the card in effect; a bad file is refused whole
and leaves every table as it was; the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from click.testing import Result
from python_calamine import CalamineWorkbook

from tests.conftest import run_cli

SHOP, OTHER = "某某旗舰店", "某某专营店"  # the shops the templates' examples name
LIST_HEADER = "姓名,岗位,负责店铺,登录账号,入职日期,离职日期,状态"
INPUT_HEADER = "期间,姓名,项目,数值,录入人,录入日期,备注"
CARD_HEADER = [
    "岗位", "生效月份", "版本", "序号", "考核项", "指标", "手工项", "单位", "范围", "完成率目标", "权重", "目标", "方向",
    "分档", "保底值", "公式", "封顶", "口径版本", "等级",
]  # fmt: skip
TIERS = "金牌≥92×1.3；银牌≥82×1.0；铜牌≥72×0.6；待改进≥0×0"
# A whole 客服售前 card as the template's rows: the weights add to 100.
WHOLE_CARD = [
    ["客服售前", "2026-11", "v2", "1", "指标完成率", "service_sales", "", "", "本人", "销售目标", "30", "1", "up", "≥100%:100；≥90%:85；≥80%:70", "", "", "", "", TIERS],
    ["客服售前", "2026-11", "v2", "2", "询单转化率", "inquiry_conversion", "", "", "本人", "", "20", "0.45", "up", "≥0.45:100；≥0.40:80；≥0.35:60", "", "", "", "付款口径", ""],
    ["客服售前", "2026-11", "v2", "3", "客单价", "service_aov", "", "", "本人", "客单价目标", "20", "1", "up", "", "0.8", "", "", "", ""],
    ["客服售前", "2026-11", "v2", "4", "回复率", "service_reply_rate", "", "", "本人", "", "20", "0.98", "", "≥98%:100；≥95%:80", "", "", "", "", ""],
    ["客服售前", "2026-11", "v2", "5", "响应时间", "service_response_seconds", "", "", "", "", "5", "35", "", "≤35:100；≤45:80；≤55:60", "", "", "", "", ""],
    ["客服售前", "2026-11", "v2", "6", "出勤率", "", "出勤率", "比率", "", "", "5", "1", "", "≥1:100；≥0.95:80", "", "", "", "", ""],
]  # fmt: skip


def cli(root: Path, *args: str | Path) -> Result:
    return run_cli("--workspace", root, *args)


def ok(root: Path, *args: str | Path) -> str:
    result = cli(root, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run_cli("init", root).exit_code == 0
    for shop in (SHOP, OTHER):
        ok(root, "shop", "add", shop, "--platform", "tmall")
    return root


def counts(root: Path) -> dict[str, int]:
    """Rows of every table of the warehouse (but the migrations' own record)."""
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        names = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                " AND table_name <> 'schema_migrations' ORDER BY 1"
            ).fetchall()
        ]
        return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] for name in names}
    finally:
        con.close()


def query(root: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def template(root: Path, name: str, folder: Path) -> Path:
    path = folder / f"{name}-template.xlsx"
    ok(root, "template", name, "-o", path)
    return path


def header_of(path: Path) -> list[str]:
    return [str(cell) for cell in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0]]


def examples_of(path: Path) -> list[list[str]]:
    """The 示例 rows the template's 填写说明 shows (cells joined with " | ")."""
    rows = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("填写说明").to_python(skip_empty_area=False)
    )
    start = next(i for i, row in enumerate(rows) if row and row[0] == "示例") + 1
    found = []
    for row in rows[start:]:
        text = str(row[1]) if len(row) > 1 else ""
        if " | " not in text:
            break
        found.append([cell.strip() for cell in text.split(" | ")])
    return found


def filled(template_path: Path, rows: list[list[str]], target: Path) -> Path:
    """The template's first sheet, its header and these rows (as text, as a user types them)."""
    header = header_of(template_path)
    workbook = xlsxwriter.Workbook(str(target))
    sheet = workbook.add_worksheet(CalamineWorkbook.from_path(str(template_path)).sheet_names[0])
    for column, label in enumerate(header):
        sheet.write_string(0, column, label)
    for number, values in enumerate(rows, start=1):
        assert len(values) == len(header), values
        for column, value in enumerate(values):
            if value != "":
                sheet.write_string(number, column, value)
    workbook.close()
    return target


def csv_file(folder: Path, name: str, header: str, *rows: str) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def refused(root: Path, path: Path) -> list[str]:
    """Import a file that must be refused: exit 1, every table as it was; the ✗ lines."""
    before = counts(root)
    result = cli(root, "import", path)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert counts(root) == before
    return result.stderr.splitlines()


# -- the templates, filled with their own examples -------------------------------------------


def test_the_staff_list_template_with_its_examples_imports(root: Path, tmp_path: Path) -> None:
    path = template(root, "staff-list", tmp_path)
    assert header_of(path) == LIST_HEADER.split(",")
    examples = examples_of(path)
    assert [row[0] for row in examples] == ["小美", "阿飞", "老王"]
    output = ok(root, "import", filled(path, examples, tmp_path / "员工名单.xlsx"))
    assert output.splitlines()[0].startswith("✓ 员工名单.xlsx — 员工名单（绩效）（staff_list）：3 行，")
    assert query(
        root, "SELECT person, role, shops, user_name, start_date, end_date, status FROM staff ORDER BY 1"
    ) == [
        ("小美", "客服售前", SHOP, "xiaomei", dt.date(2025, 3, 1), None, "在职"),
        ("老王", "运营", f"{SHOP}、{OTHER}", "wang", dt.date(2023, 6, 1), None, "在职"),
        ("阿飞", "客服售前", SHOP, None, dt.date(2024, 1, 5), dt.date(2026, 11, 10), "离职"),
    ]


def test_the_inputs_template_with_its_examples_imports(root: Path, tmp_path: Path) -> None:
    path = template(root, "staff-inputs", tmp_path)
    assert header_of(path) == INPUT_HEADER.split(",")
    output = ok(root, "import", filled(path, examples_of(path), tmp_path / "绩效录入.xlsx"))
    assert output.splitlines()[0].startswith("✓ 绩效录入.xlsx — 绩效手工录入（staff_inputs）：3 行，")
    stored = query(
        root,
        "SELECT period, person, item, value, entered_by, entered_on, note FROM staff_inputs ORDER BY 2, 3",
    )
    assert stored == [
        ("2026-11", "小美", "出勤率", 1.0, "张主管", dt.date(2026, 12, 2), None),  # 100% is read as 1.0
        ("2026-11", "小美", "销售目标", 60000.0, "张主管", dt.date(2026, 11, 1), "月初定"),
        ("2026-11", "阿美", "设计评分", 88.0, "张主管", dt.date(2026, 12, 2), "双11主图"),
    ]


def test_the_scorecard_template_with_its_examples_imports(root: Path, tmp_path: Path) -> None:
    path = template(root, "scorecard", tmp_path)
    assert header_of(path) == CARD_HEADER
    ok(root, "import", filled(path, examples_of(path), tmp_path / "评分表示例.xlsx"))


def whole_card(root: Path, folder: Path, name: str = "评分表_客服售前.xlsx") -> Path:
    return filled(template(root, "scorecard", folder), WHOLE_CARD, folder / name)


def test_a_whole_card_from_the_template_is_the_card_in_effect(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = ok(root, "import", whole_card(root, tmp_path))
    assert output.splitlines()[0].startswith(
        "✓ 评分表_客服售前.xlsx — 评分表（绩效）（staff_scorecard）：6 行，"
    )
    monkeypatch.setenv("COLUMNS", "400")
    shown = ok(root, "staff", "cards", "--role", "客服售前", "-p", "2026-11").splitlines()
    # the weights print as 30.0% (see the xfail below); 出勤率's rule: see the xfail after it
    assert [line.replace(".0% · ", "% · ") for line in shown if not line.startswith("  6.")][:-2] == [
        "评分表 客服售前（2026-11 起，评分表_客服售前.xlsx） 版本 v2",
        "  1. 指标完成率 30% · 客服销售额 service_sales（本人） ÷ 销售目标",
        "     分档：≥100% 100 · ≥90% 85 · ≥80% 70 · 其余 0",
        "  2. 询单转化率 20% · 询单转化率 inquiry_conversion（本人）",
        "     分档：≥45% 100 · ≥40% 80 · ≥35% 60 · 其余 0",
        "  3. 客单价 20% · 客服客单价 service_aov（本人） ÷ 客单价目标",
        "     线性：80% 得 0 分 → 100% 得 100 分",
        "  4. 回复率 20% · 客服回复率 service_reply_rate（本人）",
        "     分档：≥98% 100 · ≥95% 80 · 其余 0",
        "  5. 响应时间 5% · 平均响应（秒） service_response_seconds（本人）",
        "     分档：≤35 100 · ≤45 80 · ≤55 60 · 其余 0",
    ]
    assert shown[-3].replace(".0% · ", "% · ") == "  6. 出勤率 5% · 手工录入「出勤率」"
    assert (
        shown[-1]
        == "  等级：金牌 ≥92（系数 1.3）；银牌 ≥82（系数 1.0）；铜牌 ≥72（系数 0.6）；待改进 ≥0（系数 0）"
    )
    before = ok(root, "staff", "cards", "--role", "客服售前", "-p", "2026-10").splitlines()[0]
    assert before == "评分表 客服售前（2026-01 起，预设） 版本 预设 2026.1"  # the preset until 2026-10
    assert query(root, "SELECT line_no, name, source_row FROM scorecard_lines ORDER BY 1") == [
        (1, "指标完成率", 2), (2, "询单转化率", 3), (3, "客单价", 4), (4, "回复率", 5), (5, "响应时间", 6), (6, "出勤率", 7),
    ]  # fmt: skip


def test_an_imported_cards_weights_print_like_the_presets(root: Path, tmp_path: Path) -> None:
    ok(root, "import", whole_card(root, tmp_path))
    shown = ok(root, "staff", "cards", "--role", "客服售前", "-p", "2026-11").splitlines()
    assert shown[1].startswith("  1. 指标完成率 30% · ")


def test_an_imported_input_lines_rule_prints_its_thresholds(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(root, "import", whole_card(root, tmp_path))
    monkeypatch.setenv("COLUMNS", "400")
    shown = ok(root, "staff", "cards", "--role", "客服售前", "-p", "2026-11").splitlines()
    assert shown[-2] in ("     分档：≥100% 100 · ≥95% 80 · 其余 0", "     分档：≥1 100 · ≥0.95 80 · 其余 0")


def test_a_card_whose_weights_add_to_95_is_refused_whole(root: Path, tmp_path: Path) -> None:
    ok(root, "import", whole_card(root, tmp_path))
    rows = [list(row) for row in WHOLE_CARD]
    for row in rows:
        row[2] = "v3"  # a new version of the same role and month: it would replace v2
    rows[2][10] = "15"  # 客单价 20 → 15: 30 + 20 + 15 + 20 + 5 + 5 = 95
    bad = filled(template(root, "scorecard", tmp_path), rows, tmp_path / "评分表_95.xlsx")
    before = query(root, "SELECT * EXCLUDE (import_id) FROM scorecard_lines ORDER BY line_no")
    lines = refused(root, bad)
    assert lines[0].startswith("✗ 评分表_95.xlsx")
    assert "未导入（评分表有问题，改好后再导入）" in lines[0]
    assert lines == [
        "✗ 评分表_95.xlsx 未导入（评分表有问题，改好后再导入）：第 2–7 行 客服售前（2026-11 起）：权重合计 95%，应为 100%（差 5%）"
    ]
    assert query(root, "SELECT * EXCLUDE (import_id) FROM scorecard_lines ORDER BY line_no") == before
    shown = ok(root, "staff", "cards", "--role", "客服售前", "-p", "2026-11").splitlines()
    assert shown[0] == "评分表 客服售前（2026-11 起，评分表_客服售前.xlsx） 版本 v2"


def test_a_refused_cards_weights_name_its_rows(root: Path, tmp_path: Path) -> None:
    rows = [list(row) for row in WHOLE_CARD]
    rows[2][10] = "15"
    lines = refused(root, filled(template(root, "scorecard", tmp_path), rows, tmp_path / "评分表_95.xlsx"))
    assert any("第 2–7 行" in line and "权重合计 95%" in line for line in lines)


def test_a_refused_cards_line_problem_names_its_row(root: Path, tmp_path: Path) -> None:
    rows = [list(row) for row in WHOLE_CARD]
    rows[3][5] = "reply_rate"  # 回复率, on the file's row 5
    rows[4][13] = "≤45:80；≤35:100"  # 响应时间, row 6: bands out of order
    lines = refused(root, filled(template(root, "scorecard", tmp_path), rows, tmp_path / "评分表_坏.xlsx"))
    assert lines == [
        "✗ 评分表_坏.xlsx 未导入（评分表有问题，改好后再导入）：",
        "第 5 行（回复率）：指标 reply_rate 不在指标目录里 — shopops metrics 列出全部指标",
        "第 6 行（响应时间）：分档未按顺序：第 2 档 ≤35 应高于第 1 档 ≤45",
    ]


def test_a_scorecard_with_a_month_that_is_no_month(root: Path, tmp_path: Path) -> None:
    rows = [list(row) for row in WHOLE_CARD]
    rows[1][1] = "2026-13"
    lines = refused(root, filled(template(root, "scorecard", tmp_path), rows, tmp_path / "评分表_月份.xlsx"))
    assert len(lines) == 1
    assert lines[0].endswith("第 3 行 生效月份 '2026-13' 不是月份 — 写 2026-11 这样的月份")


def test_reimporting_the_same_files_changes_nothing(root: Path, tmp_path: Path) -> None:
    staff = csv_file(tmp_path, "员工名单.csv", LIST_HEADER, f"小美,客服售前,{SHOP},xiaomei,2025-03-01,,在职")
    inputs = csv_file(tmp_path, "绩效录入.csv", INPUT_HEADER, "2026-11,小美,出勤率,96%,张主管,2026-12-02,")
    card = whole_card(root, tmp_path)
    ok(root, "import", staff, inputs, card)
    before = counts(root)
    output = ok(root, "import", staff, inputs, card).splitlines()
    assert output == [
        "= 员工名单.csv — 员工名单（绩效）（staff_list）：已导入过，没有改动",
        "= 绩效录入.csv — 绩效手工录入（staff_inputs）：已导入过，没有改动",
        "= 评分表_客服售前.xlsx — 评分表（绩效）（staff_scorecard）：已导入过，没有改动",
    ]
    assert counts(root) == before


def test_a_new_staff_list_replaces_each_persons_row(root: Path, tmp_path: Path) -> None:
    ok(
        root,
        "import",
        csv_file(tmp_path, "名单1.csv", LIST_HEADER, f"小美,客服售前,{SHOP},xiaomei,2025-03-01,,在职"),
    )
    changed = csv_file(
        tmp_path,
        "名单2.csv",
        LIST_HEADER,
        f"小美,客服售后,{SHOP},xiaomei,2025-03-01,,在职",  # 小美 moved to 售后
        "阿宁,客服售前,,,2026-11-10,,在职",  # blank shops: every shop
    )
    ok(root, "import", changed)
    assert query(root, "SELECT person, role, shops FROM staff ORDER BY 1 DESC") == [
        ("阿宁", "客服售前", ""),
        ("小美", "客服售后", SHOP),
    ]


def test_inputs_percent_is_a_fraction(root: Path, tmp_path: Path) -> None:
    inputs = csv_file(
        tmp_path,
        "绩效录入.csv",
        INPUT_HEADER,
        "2026-11,小美,出勤率,96%,张主管,2026-12-02,",
        "2026-11,阿宁,出勤率,0.96,张主管,2026-12-02,",
        "2026-11,小美,质检分,88,张主管,2026-12-02,",
        "2026-Q4,小美,销售目标,180000,张主管,2026-10-01,季度",
    )
    ok(root, "import", inputs)
    assert query(root, "SELECT period, person, item, value FROM staff_inputs ORDER BY source_row") == [
        ("2026-11", "小美", "出勤率", 0.96),
        ("2026-11", "阿宁", "出勤率", 0.96),
        ("2026-11", "小美", "质检分", 88.0),
        ("2026-Q4", "小美", "销售目标", 180000.0),
    ]


# -- refused sheets (their ✗ lines are in the bad-input gallery) -----------------------------


def test_a_staff_list_with_an_unknown_shop_is_refused(root: Path, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "员工名单_未登记店铺.csv",
        LIST_HEADER,
        f"小美,客服售前,{SHOP},xiaomei,2025-03-01,,在职",
        "阿飞,客服售前,隔壁小店,,2024-01-05,,在职",
    )
    (line,) = refused(root, path)
    assert line.startswith("✗ 员工名单_未登记店铺.csv")
    assert line.endswith(
        f"第 3 行（阿飞） 负责店铺 '隔壁小店' 不是已登记的店铺（{OTHER}、{SHOP}） — 改成店铺名，多个店铺用、分开，留空表示全部店铺"
    )


def test_a_staff_list_leaving_before_joining_is_refused(root: Path, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path, "员工名单_日期.csv", LIST_HEADER, f"阿飞,客服售前,{SHOP},,2026-11-10,2026-11-01,离职"
    )
    (line,) = refused(root, path)
    assert line.endswith("第 2 行（阿飞） 离职日期 2026-11-01 早于入职日期 2026-11-10 — 改正其中一个")


def test_inputs_with_a_bad_period_are_refused(root: Path, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "绩效录入_期间.csv",
        INPUT_HEADER,
        "2026-11,小美,出勤率,96%,张主管,2026-12-02,",
        "2026年13月,小美,销售目标,60000,张主管,2026-11-01,",
    )
    (line,) = refused(root, path)
    assert "第 3 行（小美）期间 '2026年13月' 读不出来" in line


# -- scorecards.yaml in the workspace, through the CLI ---------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "scorecards:\n  - role: 客服售前\n    from: [2026-11\n",
            "scorecards.yaml 第 4 行 不是合法的 YAML — 检查缩进和冒号",
        ),
        (
            "scorecards:\n  - role: 客服售前\n    from: 2026-11\n    lines:\n      - name: 出勤率\n        input: 出勤率\n"
            "        weight: 95\n        bands: [[1, 100]]\n",
            "scorecards.yaml 第 1 张评分表（客服售前）：权重合计 95%，应为 100%（差 5%）",
        ),
    ],
    ids=["yaml-syntax", "weights-95"],
)
def test_a_broken_scorecards_yaml_is_one_line(root: Path, text: str, message: str) -> None:
    (root / "scorecards.yaml").write_text(text, encoding="utf-8")
    for command in (("staff", "cards", "-p", "2026-11"),):
        result = cli(root, *command)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [f"错误 {message}"]


def test_scores_before_any_export_is_imported(root: Path, tmp_path: Path) -> None:
    staff = csv_file(
        tmp_path,
        "员工名单.csv",
        LIST_HEADER,
        f"小美,客服售前,{SHOP},xiaomei,2025-03-01,,在职",
        f"老王,运营,{SHOP},wang,2023-06-01,,在职",  # a card with the shops' lines (总表)
    )
    inputs = csv_file(tmp_path, "绩效录入.csv", INPUT_HEADER, "2026-11,小美,出勤率,96%,张主管,2026-12-02,")
    ok(root, "import", staff, inputs)
    rows = ok(root, "staff", "score", "-p", "2026-11", "--format", "csv").splitlines()
    assert [row.split(",")[:5] for row in rows[1:]] == [  # no figures yet: unknown totals
        ["小美", "客服售前", SHOP, "", ""],
        ["老王", "运营", SHOP, "", ""],
    ]
