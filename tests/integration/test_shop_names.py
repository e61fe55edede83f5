"""Shop names that a list of shops (users' shops are stored comma-separated, `--shops A,B`) could not
hold are refused by `shopops shop add` — and by every other path, since the Workspace checks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopops.errors import WorkspaceError
from shopops.workspace import Workspace
from tests.conftest import run_cli

COMMA_EN = "contains a comma — lists of shops are separated by commas; choose a name without , or ，"
COMMA_ZH = "含逗号 — 店铺列表用逗号分隔；请换一个不含 , 或 ， 的名称"
CONTROL_EN = "contains a control character (tab, line break …) — type it on one line"
CONTROL_ZH = "含控制字符（制表符、换行 …）— 请写成一行"


# (name, the error raised (English), the line `shopops shop add` prints (Chinese, the default))
@pytest.mark.parametrize(
    ("name", "message", "shown"),
    [
        ("A,B", f"shop name 'A,B' {COMMA_EN}", f"店铺名 'A,B' {COMMA_ZH}"),
        ("云朵，小野", f"shop name '云朵，小野' {COMMA_EN}", f"店铺名 '云朵，小野' {COMMA_ZH}"),
        ("云朵\t旗舰店", f"shop name '云朵\\t旗舰店' {CONTROL_EN}", f"店铺名 '云朵\\t旗舰店' {CONTROL_ZH}"),
        ("云朵\n旗舰店", f"shop name '云朵\\n旗舰店' {CONTROL_EN}", f"店铺名 '云朵\\n旗舰店' {CONTROL_ZH}"),
        ("云朵\u2028旗舰店", f"shop name '云朵\\u2028旗舰店' {CONTROL_EN}", f"店铺名 '云朵\\u2028旗舰店' {CONTROL_ZH}"),
        (" 云朵旗舰店", "shop name ' 云朵旗舰店' starts or ends with a space — write '云朵旗舰店'", "店铺名 ' 云朵旗舰店' 首尾有空格 — 请写 '云朵旗舰店'"),
        ("云朵旗舰店\u3000", "shop name '云朵旗舰店\\u3000' starts or ends with a space — write '云朵旗舰店'", "店铺名 '云朵旗舰店\\u3000' 首尾有空格 — 请写 '云朵旗舰店'"),
        ("  ", "a shop needs a name", "店铺需要一个名称"),
    ],
)  # fmt: skip
def test_shop_add_refuses_names_a_shop_list_cannot_hold(
    tmp_path: Path, name: str, message: str, shown: str
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root).close()
    result = run_cli("--workspace", root, "shop", "add", name, "--platform", "tmall")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"错误 {shown}"]
    english = run_cli("--lang", "en", "--workspace", root, "shop", "add", name, "--platform", "tmall")
    assert english.output.strip().splitlines() == [f"Error {message}"]
    with Workspace.open(root) as workspace:
        assert workspace.shops() == []
        with pytest.raises(WorkspaceError) as refused:
            workspace.add_shop(name, "tmall")
        assert str(refused.value) == message


def test_names_with_markup_or_formula_characters_are_fine(tmp_path: Path) -> None:
    """Only the list separator and control characters are refused: pages and CSVs escape the rest."""
    root = tmp_path / "ws"
    Workspace.init(root).close()
    names = ["</script><img src=x onerror=alert(1)>", "=cmd|' /C calc'!A0", "云朵 旗舰店"]
    for name in names:
        result = run_cli("--workspace", root, "shop", "add", name, "--platform", "tmall")
        assert result.exit_code == 0, result.output
    with Workspace.open(root) as workspace:
        assert sorted(shop for shop, _, _ in workspace.shops()) == sorted(names)
