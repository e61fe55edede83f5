"""Explaining a change: the exact GMV decomposition and its drill-downs."""
