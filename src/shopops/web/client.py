"""The CLI side while `shopops serve` runs: imports and whole commands go to the server's local endpoints."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from shopops.errors import WorkspaceError
from shopops.warehouse.audit import os_user
from shopops.web.security import LOCAL_HEADER, ServeInfo

TIMEOUT = 3600.0


def forward_import(
    info: ServeInfo, files: list[Path], shop: str | None, source: str | None
) -> list[dict[str, Any]]:
    body = {"paths": [str(p.resolve()) for p in files], "shop": shop, "source": source, "user": os_user()}
    records: list[dict[str, Any]] = _post(info, "/api/local/import", body, "the import")
    return records


def forward_command(
    info: ServeInfo, argv: list[str], cwd: Path, stdin: str | None, width: int | None = None
) -> tuple[int, str, str]:
    """Run a whole `shopops` command in the running dashboard: (exit code, stdout, stderr).

    ``width``: the caller's terminal width, or None when its standard output is no terminal.
    """
    answer: dict[str, Any] = _post(
        info,
        "/api/local/cli",
        {"args": argv, "cwd": str(cwd), "input": stdin, "user": os_user(), "width": width},
        "the command",
    )
    return int(answer["exit_code"]), str(answer["stdout"]), str(answer["stderr"])


def answers(info: ServeInfo, timeout: float = 5.0) -> bool:
    """Whether the dashboard of the serve file answers on its port and accepts its secret.

    An empty command is sent to the local CLI endpoint: a server that accepts the secret
    refuses the body (422) without running anything; any other server (or one that does not
    know this secret) answers otherwise, and a port nobody listens on not at all.
    """
    request = urllib.request.Request(
        info.local_url + "/api/local/cli",
        data=b"{}",
        headers={"Content-Type": "application/json", LOCAL_HEADER: info.secret},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return False
    except urllib.error.HTTPError as error:
        return error.code == 422
    except OSError:  # refused, reset, timed out
        return False


def _post(info: ServeInfo, path: str, body: dict[str, Any], what: str) -> Any:
    request = urllib.request.Request(
        info.local_url + path,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", LOCAL_HEADER: info.secret},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")
        with contextlib.suppress(ValueError):
            detail = str(json.loads(detail).get("detail", detail))
        raise WorkspaceError(f"the running dashboard refused {what}: {detail}") from None
    except OSError as error:
        raise WorkspaceError(
            f"`shopops serve` (pid {info.pid}) holds the warehouse but does not answer on port {info.port}"
            f" ({error}) — stop it and run the command again"
        ) from None
