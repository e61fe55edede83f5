"""`shopops live …`: the group of the live domain's commands (registered through ``DOMAIN.commands``).

Each subcommand lives in its own ``cli_<name>.py`` module and is named in :data:`SUBCOMMANDS` as
``"module:attribute"``; the group imports a module only when its commands are listed or one is
run, so ``shopops live review`` does not load the monitor's server. To add one, write
``cli_monitor.py`` with ``monitor_command`` and add one line here::

    "monitor": "shopops.domains.live.cli_monitor:monitor_command",

(``live_group.add_command(command)`` works too, for a command built elsewhere at run time.)
"""

from __future__ import annotations

import importlib

import click

SUBCOMMANDS: dict[str, str] = {
    "review": "shopops.domains.live.cli_review:review_command",
    "intervals": "shopops.domains.live.cli_intervals:intervals_command",
    "alerts": "shopops.domains.live.cli_intervals:alerts_command",
    "monitor": "shopops.domains.live.cli_monitor:monitor_command",
    "replay": "shopops.domains.live.cli_monitor:replay_command",
}


class LiveGroup(click.Group):
    """A click group whose subcommands in :data:`SUBCOMMANDS` are imported when first wanted."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in SUBCOMMANDS:
            self.add_command(_load(SUBCOMMANDS[cmd_name]), cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *SUBCOMMANDS})


def _load(part: str) -> click.Command:
    module, _, attribute = part.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{part} is a {type(command).__name__}, not a click command")
    return command


@click.group("live", cls=LiveGroup)
def live_group() -> None:
    """直播: the 直播复盘 of a session (罗盘, 抖店 orders, 千川, 主播排班表, the 直播大屏 feed)."""
