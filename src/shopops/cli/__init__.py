"""The `shopops` command line: a thin layer over :class:`shopops.workspace.Workspace`."""
