"""The demo's 绩效 team (issue 17) scored by `shopops staff score`, checked against the scores the
generator computed on its own from its truths (``manifest["staff"]``, demo/staff_truth.py): every
person's total to the cent, tier, rank and each line's score.

Built once for the module: the demo's exports of 120 days to 2026-10-28 — the service window is
07-01 … 10-28, so 2026-Q3 is whole and September has settled (its days are ≥ 4 days before the
export and the import) — with every shop, the 客服 team and the three 绩效 sheets, imported through
the CLI as a user would (the 店铺组 of the 目标表 defined first with `shopops targets group`). The
kinds of export 绩效 reads nothing from (reviews, live sessions, stock snapshots, 赤兔's hourly,
attendance and week reports) are left out to keep it fast.

Where the product and the truth disagree, the case is marked ``xfail(strict=True)`` with the reason
(the product's, see KNOWN): fixing the product turns it into a failure that asks to remove the mark.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from python_calamine import CalamineWorkbook
from rich.cells import cell_len

from shopops.analysis.targets.store import load_targets
from shopops.cli.demo_accounts import staff_logins
from shopops.demo.returns_demo import returns_file_shops
from shopops.demo.run import configure, generate, stock_file_shops
from shopops.demo.service import file_shops
from shopops.demo.staff_truth import CARDS
from shopops.web import accounts
from shopops.workspace import Workspace
from tests.conftest import run_cli

END, DAYS, SEED = dt.date(2026, 10, 28), 120, 20261125
MONTH, BEFORE, QUARTER = "2026-09", "2026-08", "2026-Q3"
TEAM = {
    "客服售前": ["大壮", "小美", "小雨", "豆豆", "阿宁", "阿岚", "阿飞", "青青"],
    "客服售后": ["乐乐", "安安", "小溪", "小满"],
    "推广": ["阿凯"],
    "美工": ["阿美"],
    "运营": ["林娜", "老王"],
}
SKIPPED = (  # file names of export kinds no 绩效 line reads
    "淘宝评价_", "商品评价_", "罗盘_直播复盘_", "主播排班表", "聚水潭_商品库存_", "旺店通_库存_",
    "赤兔_分时接待_", "赤兔_遵时率_", "自定义报表_",
)  # fmt: skip
# (period, person) → why the product's score is not the truth's: none at present. Found so far and
# fixed: a 客单价目标 pro-rated by days held like an amount (阿飞 2026-09, 小雨 2026-08) and summed over
# a quarter's months; a joiner's quarterly 销售目标 pro-rated twice (小雨 2026-Q3).
KNOWN: dict[tuple[str, str], str] = {}


@dataclass
class Built:
    root: Path
    manifest: dict[str, Any]
    boards: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def cli(self, *args: str | Path) -> Result:
        return run_cli("--workspace", self.root, *args)

    def scores(self, period: str) -> dict[str, dict[str, Any]]:
        """`shopops staff score --period P --format json`, by person (run once per period)."""
        if period not in self.boards:
            result = self.cli("staff", "score", "--period", period, "--format", "json")
            assert result.exit_code == 0, result.output
            self.boards[period] = {row["person"]: row for row in json.loads(result.stdout)}
        return self.boards[period]

    def truth(self, period: str, person: str) -> dict[str, Any]:
        (row,) = [r for r in self.manifest["staff"]["scores"][period] if r["person"] == person]
        return row  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("staff_demo")
    exports = root / "exports"
    generated = generate(
        exports, days=DAYS, end=END, seed=SEED, platforms=True, service=True, stock=True, staff=True
    )
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    with Workspace.init(root) as workspace:
        configure(workspace, platforms=True, stock=True)
    for name, shops in manifest["staff"]["groups"].items():
        result = run_cli("-w", root, "targets", "group", name, "--shops", ",".join(shops))
        assert result.exit_code == 0, result.output
    shop_of = file_shops(exports, manifest) | stock_file_shops(exports, manifest)
    shop_of |= returns_file_shops(exports, manifest)
    batches: dict[str | None, list[Path]] = {}
    for path in generated.files:
        if not any(part in path.name for part in SKIPPED):
            batches.setdefault(shop_of.get(path), []).append(path)
    for shop, paths in batches.items():
        result = run_cli("-w", root, "import", *(["--shop", shop] if shop else []), *paths)
        assert result.exit_code == 0, result.output
    return Built(root, manifest)


def cents(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_demo_team_and_its_periods(built: Built) -> None:
    staff = built.manifest["staff"]
    assert staff["scored"] == {"month": MONTH, "before": BEFORE, "quarter": QUARTER}
    for period in (MONTH, BEFORE, QUARTER):
        people = {
            role: sorted(r["person"] for r in staff["scores"][period] if r["role"] == role) for role in TEAM
        }
        assert people == {role: sorted(names) for role, names in TEAM.items()}
    tiers = {r["tier"] for r in staff["scores"][MONTH]}
    assert tiers == {"金牌", "银牌", "铜牌", "待改进", None}  # None: 售后 without 满意 counts, below


CASES = [
    pytest.param(
        period,
        role,
        person,
        id=f"{period}-{person}",
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN[(period, person)])]
        if (period, person) in KNOWN
        else [],
    )
    for period in (MONTH, BEFORE, QUARTER)
    for role, people in TEAM.items()
    for person in people
]


@pytest.mark.parametrize(("period", "role", "person"), CASES)
def test_every_score_is_the_truth(built: Built, period: str, role: str, person: str) -> None:
    truth = built.truth(period, person)
    got = built.scores(period)[person]
    assert got["role"] == role
    weights = [(line["metric"], line["weight"]) for line in got["lines"]]  # DESIGN §5: metric weight score
    assert weights == [(line.metric or line.input, line.weight) for line in CARDS[role]]  # an input: its name
    lines = [(line["name"], cents(line["score"]), cents(line["weighted"])) for line in got["lines"]]
    assert lines == [(line["name"], cents(line["score"]), cents(line["weighted"])) for line in truth["lines"]]
    values = [line["value"] for line in got["lines"]]
    assert values == [
        None if t["value"] is None else pytest.approx(t["value"], rel=1e-12) for t in truth["lines"]
    ]
    assert cents(got["total"]) == cents(truth["total"])
    assert (got["tier"], got["rank"], got["peers"]) == (truth["tier"], truth["rank"], truth["peers"])
    assert got["proration"] == pytest.approx(float(Fraction(truth["proration"])), abs=1e-6)
    assert got["provisional"] is False  # September's days settled 4 days before the export and import


def test_a_line_without_its_figure_leaves_the_total_unknown(built: Built) -> None:
    """小野家居 and 山岚服饰 have no 千牛 export with the 满意 counts: their 售后's 满意率 is unknown."""
    for person in ("小溪", "小满"):
        got = built.scores(MONTH)[person]
        satisfaction = next(line for line in got["lines"] if line["name"] == "满意率")
        assert (got["total"], got["tier"], got["rank"], satisfaction["score"]) == (None, None, None, None)
        assert "缺 满意率，总分未知" in got["notes"]


def test_explain_prints_the_working_of_every_line(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "1000")
    truth = built.truth(MONTH, "小美")
    result = built.cli("staff", "score", "--period", MONTH, "--explain", "小美")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    worked = [line for line in lines if line.startswith("· ")]
    assert [line.split()[1] for line in worked] == [line["name"] for line in truth["lines"]]
    for text, line in zip(worked, truth["lines"], strict=True):
        weight = next(card.weight for card in CARDS["客服售前"] if card.name == line["name"])
        assert text.endswith(f" {line['score']} 分 × {weight}% = {line['weighted']}"), text
    conversion = f"询单转化率 {round(truth['lines'][1]['value'] * 100, 1):g}% = "
    assert worked[1].startswith(f"· {conversion}") and "（询单->最终付款人数 ÷ 询单人数）" in worked[1]
    rank = f"岗位内第 {truth['rank']}/{truth['peers']} 名"
    assert f"总分 {truth['total']}（{truth['tier']}，{rank}）" in lines


def test_the_leaver_is_pro_rated_and_says_so(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "1000")
    truth = built.truth(MONTH, "阿飞")
    left = next(m["end_date"] for m in built.manifest["staff"]["members"] if m["person"] == "阿飞")
    assert (left, truth["active_days"], truth["period_days"]) == ("2026-09-28", 28, 30)
    note = "09-28 离职，按 28/30 天折算目标与奖金"
    assert built.scores(MONTH)["阿飞"]["notes"] == note
    result = built.cli("staff", "score", "--period", MONTH, "--explain", "阿飞")
    assert result.exit_code == 0, result.output
    assert f"注：{note}" in result.stdout.splitlines()
    completion = next(line for line in result.stdout.splitlines() if line.startswith("· 指标完成率"))
    share = re.search(r"销售目标 [\d,.]+ × (\d+)/(\d+)", completion)  # the 销售目标: his days' share
    assert share is not None and Fraction(int(share[1]), int(share[2])) == Fraction(28, 30), completion


def test_a_quarter_scores_from_its_own_sums(built: Built) -> None:
    rows = built.scores(QUARTER)
    assert sorted(rows) == sorted(name for names in TEAM.values() for name in names)
    for person, row in rows.items():
        truth = built.truth(QUARTER, person)
        assert row["proration"] == pytest.approx(float(Fraction(truth["proration"])), abs=1e-6)
        if (QUARTER, person) not in KNOWN:
            assert (cents(row["total"]), row["tier"]) == (cents(truth["total"]), truth["tier"]), person
    assert rows["小雨"]["notes"] == "08-19 入职，按 43/92 天折算目标与奖金"


def test_the_readme_commands_fit_80_columns(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    commands: list[tuple[str, ...]] = [
        ("staff", "cards"),
        ("staff", "score", "--period", MONTH),
        ("staff", "score", "-p", MONTH, "-r", "客服售前"),
        ("staff", "score", "-p", QUARTER, "--months"),
        ("staff", "bonus", "-p", MONTH, "--pool", "50000"),
    ]
    for args in commands:
        result = built.cli(*args)
        assert result.exit_code == 0, (args, result.output)
        lines = result.stdout.splitlines()
        assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
        if args[1] != "score":
            continue
        board = built.manifest["staff"]["scores"][args[3]]
        people = [r for r in board if len(args) < 6 or r["role"] == args[5]]
        for truth in people:  # each person's row is one line: the name, then the total
            (row,) = [line for line in lines if line.split()[:1] == [truth["person"]]]
            shown = "—" if truth["total"] is None else truth["total"]
            if (args[3], truth["person"]) not in KNOWN and "--months" not in args:
                assert shown in row.split(), row


def test_the_sheets_are_the_templates_and_read_as_written(built: Built, tmp_path: Path) -> None:
    exports = built.root / "exports"
    for template, name in (("staff-list", "员工名单"), ("staff-inputs", "绩效录入"), ("targets", "目标表")):
        blank = tmp_path / f"{template}.xlsx"
        assert built.cli("template", template, "-o", blank).exit_code == 0
        assert _header(exports / f"{name}.xlsx") == _header(blank)
    staff = built.manifest["staff"]
    written = {
        (i["period"], i["person"], i["item"]): (
            i["value"],
            i["entered_by"],
            dt.date.fromisoformat(i["entered_on"]),
        )
        for i in staff["inputs"]
    }
    assert {entered for _, entered, _ in written.values()} == {"张主管", "李总"}
    assert written[(MONTH, "小美", "销售目标")][2] == dt.date(2026, 9, 1)  # targets at the month's start
    assert written[(MONTH, "小美", "出勤率")][2] >= dt.date(2026, 10, 1)  # the rest after it
    with Workspace.open(built.root) as workspace:
        con = workspace.connection
        rows = con.execute("SELECT period, person, item, value, entered_by, entered_on FROM staff_inputs")
        stored = {(p, person, item): (value, by, on) for p, person, item, value, by, on in rows.fetchall()}
        targets = {(t.period.key, t.scope.key, t.metric): t.value for t in load_targets(con)[0]}
    assert stored == written
    assert targets == {(t["period"], t["scope"], t["metric"]): Decimal(t["value"]) for t in staff["targets"]}


def _header(path: Path) -> list[str]:
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    return [str(cell) for cell in sheet[0]]


def test_the_demo_accounts(built: Built) -> None:
    logins = {login: (password, whose) for login, password, whose in staff_logins(built.root)}
    assert {login: whose for login, (_, whose) in logins.items()} == {
        "zhuguan": "张主管（主管）",
        "xiaomei": "小美（运营）",
        "laowang": "老王（运营）",
    }
    with Workspace.open(built.root) as workspace:
        con = workspace.connection
        users = {u.name: (u.role, u.shops) for u in accounts.list_users(con)}
        assert users == {
            "zhuguan": ("manager", None),
            "xiaomei": ("operator", ("云朵旗舰店",)),
            "laowang": ("operator", ("云朵旗舰店", "小野家居")),
        }
        for login, (password, _) in logins.items():
            assert accounts.check_password(con, login, password) is not None
        staff = dict(
            con.execute("SELECT person, user_name FROM staff WHERE user_name IS NOT NULL").fetchall()
        )
    assert staff == {"小美": "xiaomei", "老王": "laowang"}
