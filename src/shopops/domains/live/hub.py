"""The live rooms' news board inside one process: the latest picture of each room, handed to every
page that follows it (any thread publishes; each follower reads on its own event loop).

A follower that falls behind does not pile up pictures: it gets the latest one (a picture is the
whole room, not a change), so twenty open pages cost one JSON text per update, not twenty.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

Listener = Callable[[str, str], None]  # (shop, room): new readings were stored


@dataclass(eq=False)
class _Follower:
    loop: asyncio.AbstractEventLoop
    event: asyncio.Event = field(default_factory=asyncio.Event)
    seen: int = 0


class LiveHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[tuple[str, str], tuple[int, str]] = {}  # (shop, room) → (version, JSON)
        self._followers: dict[tuple[str, str], set[_Follower]] = {}
        self._listeners: list[Listener] = []
        self._version = 0

    # -- readings stored (the API, the inbox watcher) → whoever recomputes the room ----------------

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def stored(self, shop: str, room: str) -> None:
        for listener in list(self._listeners):
            listener(shop, room)

    # -- pictures → pages ---------------------------------------------------------------------

    def publish(self, shop: str, room: str, text: str) -> None:
        with self._lock:
            self._version += 1
            self._latest[(shop, room)] = (self._version, text)
            followers = list(self._followers.get((shop, room), ()))
        for follower in followers:
            try:
                follower.loop.call_soon_threadsafe(follower.event.set)
            except RuntimeError:  # its loop has closed: the page went away
                self._drop((shop, room), follower)

    def latest(self, shop: str, room: str) -> str | None:
        with self._lock:
            found = self._latest.get((shop, room))
        return None if found is None else found[1]

    async def follow(self, shop: str, room: str) -> AsyncGenerator[str, None]:
        """Each new picture of the room (the current one first, if any), until the caller stops."""
        follower = _Follower(asyncio.get_running_loop())
        key = (shop, room)
        with self._lock:
            self._followers.setdefault(key, set()).add(follower)
            if key in self._latest:
                follower.event.set()
        try:
            while True:
                await follower.event.wait()
                follower.event.clear()
                with self._lock:
                    version, text = self._latest.get(key, (0, ""))
                if version > follower.seen:
                    follower.seen = version
                    yield text
        finally:
            self._drop(key, follower)

    def _drop(self, key: tuple[str, str], follower: _Follower) -> None:
        with self._lock:
            self._followers.get(key, set()).discard(follower)
