"""The gallery's workspace: two shops, nothing imported; each case works on a copy of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gallery.test_bad_input_gallery import SHOPS, invoke


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "ws"
    assert invoke("init", str(root))[0] == 0
    for name, platform in SHOPS.items():
        assert invoke("-w", str(root), "shop", "add", name, "--platform", platform)[0] == 0
    return root
