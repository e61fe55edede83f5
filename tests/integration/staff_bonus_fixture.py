"""A small 绩效 team in a real workspace, for the bonus and workbook tests: the test writes a 赤兔 售前明细
(one row per 旺旺 and day, the same figures every day), a staff list (员工名单) and the manual inputs
(绩效手工录入), and imports them as a user would. The figures are chosen so that each line of the
客服售前 preset card lands on a known band, and the totals can be added up by hand:

September 2026 (30 days) — 指标完成率 30 %, 询单转化率 20 %, 客单价 20 %, 回复率 20 %, 响应 5 %, 出勤 5 %:

- 小美   sales 1,000/day = 30,000 of 30,000 → 100; 10/20 = 50 % → 100; 125 of 125 → 100; 50/50 → 100;
  20 s → 100; 出勤 100 % → 100 = **100.00** (金牌)
- 阿宁   27,000 of 30,000 = 90 % → 85 × 30 % = 25.5; 8/20 = 40 % → 80 × 20 % = 16; 150 of 125 → 20;
  49/50 = 98 % → 20; 40 s → 80 × 5 % = 4; 出勤 96 % → 80 × 5 % = 4 = **89.50** (银牌)
- 阿飞   joined 09-11: 20 of 30 days (2/3), target 30,000 × 2/3 = 20,000; 1,200 × 20 = 24,000 → 30;
  7/20 = 35 % → 60 × 20 % = 12; 150 vs 125 → 20; 38/40 = 95 % → 80 × 20 % = 16; 50 s → 60 × 5 % = 3;
  出勤 100 % → 5 = **86.00** (银牌, pro-rated 2/3)
- HOSTILE  as 小美 but 出勤 90 % → 60 × 5 % = 3 = **98.00** (金牌)
- LONG   as 小美 but 6/20 = 30 % → 0 and 出勤 96 % → 4 = **79.00** (铜牌)

HOSTILE (a formula) and LONG (36 characters, seven of them refused in a sheet name) are names from
files that must stay text in every cell and become valid sheet names.

August 2026 (31 days): the same figures per day (targets 31,000), 阿飞 not yet there: 100, 89.5,
98, 79. October 2026: the same again, but 小美's 10-30 and 10-31 are 延迟统计 (not settled): her
score is 暂定.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result

from shopops.workspace import Workspace
from tests.conftest import run_cli

SHOP = "云朵旗舰店"
HOSTILE = "=cmd|' /C calc'!A0"
LONG = "[组长]小雨/售前*夜班?:\\值守超长名字一二三四五六七八九十甲乙丙丁戊己庚辛壬癸"
PEOPLE = ("小美", "阿宁", "阿飞", HOSTILE, LONG)
JOINED = dt.date(2026, 9, 11)
SEPTEMBER = {"小美": 100.0, "阿宁": 89.5, "阿飞": 86.0, HOSTILE: 98.0, LONG: 79.0}
AUGUST = {"小美": 100.0, "阿宁": 89.5, HOSTILE: 98.0, LONG: 79.0}
TIERS = {"小美": "金牌", "阿宁": "银牌", "阿飞": "银牌", HOSTILE: "金牌", LONG: "铜牌"}
# per day: 接待人数, 询单人数, 询单->最终付款人数, 销售额, 销售人数, 平均响应(秒), 未回复人数
DAILY = {
    "小美": (50, 20, 10, "1000.00", 8, 20, 0),
    "阿宁": (50, 20, 8, "900.00", 6, 40, 1),
    "阿飞": (40, 20, 7, "1200.00", 8, 50, 2),
    HOSTILE: (50, 20, 10, "1000.00", 8, 20, 0),
    LONG: (50, 20, 6, "1000.00", 8, 20, 0),
}
ATTENDANCE = {"小美": "100%", "阿宁": "96%", "阿飞": "100%", HOSTILE: "90%", LONG: "96%"}
MONTHS = ("2026-08", "2026-09", "2026-10")
PENDING = {("小美", dt.date(2026, 10, 30)), ("小美", dt.date(2026, 10, 31))}


@dataclass
class StaffTeam:
    root: Path
    files: Path

    def cli(self, *args: str | Path) -> Result:
        return run_cli("--workspace", self.root, *args)


def build_team(base: Path) -> StaffTeam:
    root, files = base / "ws", base / "files"
    files.mkdir(parents=True)
    with Workspace.init(root) as workspace:
        workspace.add_shop(SHOP, "tmall")
    written = [write_chitu(files), write_staff_list(files), write_inputs(files)]
    result = run_cli("--workspace", root, "import", "--shop", SHOP, *written)
    assert result.exit_code == 0, result.output
    return StaffTeam(root, files)


def copy_team(team: StaffTeam, base: Path) -> StaffTeam:
    """A copy of the team's workspace, for a test that writes to it (--save)."""
    shutil.copytree(team.root, base / "ws")
    return StaffTeam(base / "ws", team.files)


def write_chitu(folder: Path) -> Path:
    path = folder / "赤兔_售前明细_下单优先判定_2026-08-01至2026-10-31.csv"
    header = [
        "日期",
        "旺旺",
        "接待人数",
        "询单人数",
        "询单->最终付款人数",
        "销售额",
        "销售人数",
        "平均响应(秒)",
        "未回复人数",
    ]
    rows: list[list[object]] = []
    day = dt.date(2026, 8, 1)
    while day <= dt.date(2026, 10, 31):
        for person, figures in DAILY.items():
            if person == "阿飞" and day < JOINED:
                continue
            row: list[object] = [day.isoformat(), person, *figures]
            if (person, day) in PENDING:
                row[4] = "延迟统计"
            rows.append(row)
        day += dt.timedelta(days=1)
    return write_csv(path, header, rows)


def write_staff_list(folder: Path) -> Path:
    header = ["姓名", "岗位", "负责店铺", "登录账号", "入职日期", "离职日期", "状态"]
    rows = [
        [person, "客服售前", SHOP, "", JOINED.isoformat() if person == "阿飞" else "2025-01-01", "", "在职"]
        for person in PEOPLE
    ]
    return write_csv(folder / "员工名单.csv", header, rows)


def write_inputs(folder: Path) -> Path:
    header = ["期间", "姓名", "项目", "数值", "录入人", "录入日期", "备注"]
    rows = []
    for month in MONTHS:
        days = 31 if month != "2026-09" else 30
        for person in PEOPLE:
            rows.append([month, person, "销售目标", str(1000 * days), "张主管", "2026-11-01", ""])
            rows.append([month, person, "客单价目标", "125", "张主管", "2026-11-01", ""])
            rows.append([month, person, "出勤率", ATTENDANCE[person], "张主管", "2026-11-01", ""])
    return write_csv(folder / "绩效录入.csv", header, rows)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
