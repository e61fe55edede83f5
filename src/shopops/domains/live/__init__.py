"""直播 (live rooms): the 直播复盘 after a session, and 场控 during it — minute by minute.

During a live, a board-capture tool appends the room's 直播大屏 readings (cumulative counters and
gauges) to a file in ``inbox/live/`` or POSTs them to ``/api/live/{room}/snapshots``. ``feed``
reads them, ``store`` keeps each snapshot once (per room and 采集时间) with where it came from,
``intervals`` turns counters into per-interval deltas and ratios, ``plan`` paces GMV and 千川 spend
against the 直播计划, ``alerts`` judges each new interval and ``service`` runs it all inside
``shopops serve`` (or ``shopops live monitor``): the live page updates itself and the group gets
one message per bad stretch, not one per snapshot. After the live, ``review`` is the 直播复盘 with
the minute-level figures per anchor shift and product. Parts are named, not imported: see
:mod:`shopops.domains`.
"""

from importlib import resources

from shopops.domains import Domain

HERE = resources.files(__name__)

DOMAIN = Domain(
    name="live",
    label="直播",
    sources=HERE / "sources",
    migrations=HERE / "migrations",
    # A live is not daily: days without one are not "missing" (no 缺 N 天 for the feed or the plan).
    undated_tables=("live_plan", "live_snapshot"),
    commands=("shopops.domains.live.cli:live_group",),
    routes=("shopops.domains.live.page:router",),
    templates=HERE / "templates",
    pages=(("live", "/live", "直播"),),
    services=("shopops.domains.live.runtime:LiveService",),
    settings_hooks=("shopops.domains.live.live_settings:check_settings",),
    translations=HERE / "i18n.yaml",
)
