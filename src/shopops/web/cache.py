"""Results of the expensive reads (master table, findings), per workspace snapshot.

A snapshot is the warehouse's import version (count and last id of `imports`). When an import
lands, the first request for a key starts one refresh (never one per user: single flight) and
waits for it up to ``FRESH_WAIT`` seconds (requests meanwhile do not wait); if the refresh takes
longer, they answer from the previous snapshot — a whole earlier import state, never a half-imported file — and the next
requests get the new one as soon as it is ready.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")
FRESH_WAIT = 0.1
SIZE = 512

_lock = threading.Lock()
_values: dict[Hashable, tuple[Hashable, Any]] = {}  # key → (version, value)
_running: dict[Hashable, tuple[Hashable, threading.Event]] = {}  # key → (version, done)
_errors: dict[Hashable, BaseException] = {}


def clear() -> None:
    with _lock:
        _values.clear()
        _errors.clear()


def remembered(
    key: Hashable,
    version: Hashable,
    compute: Callable[[duckdb.DuckDBPyConnection], T],
    open_cursor: Callable[[], duckdb.DuckDBPyConnection],
) -> T:
    """The value of ``key`` at ``version``; ``compute`` gets its own cursor (it may outlive the request)."""
    with _lock:
        known = _values.get(key)
        if known is not None and known[0] == version:
            found: T = known[1]
            return found
        running = _running.get(key)
        started = running is None or running[0] != version
        if started:
            done = threading.Event()
            _running[key] = (version, done)
            threading.Thread(
                target=_refresh, args=(key, version, compute, open_cursor, done), daemon=True
            ).start()
        else:
            assert running is not None
            done = running[1]
    # Only the request that started the refresh gives it a moment; the others answer at once.
    if known is not None and not done.wait(FRESH_WAIT if started else 0):
        stale: T = known[1]
        return stale
    done.wait()
    with _lock:
        current = _values.get(key)
        if current is not None and current[0] == version:
            value: T = current[1]
            return value
        error = _errors.pop(key, None)
    if error is not None:
        raise error
    cursor = open_cursor()  # a newer snapshot replaced ours meanwhile: compute it here
    try:
        return compute(cursor)
    finally:
        cursor.close()


def _refresh(
    key: Hashable,
    version: Hashable,
    compute: Callable[[duckdb.DuckDBPyConnection], Any],
    open_cursor: Callable[[], duckdb.DuckDBPyConnection],
    done: threading.Event,
) -> None:
    cursor = open_cursor()
    try:
        value = compute(cursor)
    except BaseException as error:  # handed to the waiting request
        with _lock:
            _errors[key] = error
    else:
        with _lock:
            if len(_values) >= SIZE:
                _values.clear()
            _values[key] = (version, value)
    finally:
        cursor.close()
        with _lock:
            if _running.get(key, (None,))[0] == version:
                _running.pop(key, None)
        done.set()


def wait_idle(timeout: float = 60.0) -> None:
    """Wait for running refreshes (before the workspace's connection closes)."""
    with _lock:
        pending = [done for _, done in _running.values()]
    for done in pending:
        done.wait(timeout)
