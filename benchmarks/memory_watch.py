"""A benchmark's measuring process watches its own memory (imported by the benchmark scripts, whose
folder is on ``sys.path`` when they run: ``python benchmarks/<name>.py``, and in their spawned child).

:class:`Watcher` polls the process's RSS every 10 ms: the peak of the current step and of the run.
Past the limit it sends what it knows over the pipe and ends the process, so that a step that would
exhaust a shared machine's memory is stopped and reported instead.
"""

from __future__ import annotations

import os
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

MB = 1024 * 1024


class Watcher:
    """Polls the process's RSS: the peak of the current step and of the run; past ``limit`` it sends
    what it knows and ends the process (a step that would exhaust the machine's memory)."""

    def __init__(self, conn: Connection, limit_mb: float) -> None:
        self.conn, self.limit = conn, limit_mb * MB
        self.step, self.step_peak, self.peak = "start", 0, 0
        self.began = time.perf_counter()
        self.sending = threading.Lock()  # the step's report and the stop message share the pipe
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        process = psutil.Process()
        while not self.stop.is_set():
            rss = process.memory_info().rss
            self.step_peak, self.peak = max(self.step_peak, rss), max(self.peak, rss)
            if rss > self.limit:
                after = time.perf_counter() - self.began
                self.send({"aborted": self.step, "rss_mb": rss / MB, "after_s": after})
                os._exit(3)
            time.sleep(0.01)

    def send(self, message: dict[str, Any]) -> None:
        with self.sending:
            self.conn.send(message)

    def begin(self, step: str) -> None:
        self.step, self.step_peak = step, psutil.Process().memory_info().rss
        self.began = time.perf_counter()
