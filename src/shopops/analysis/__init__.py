"""Analyses over the metrics layer: anomaly findings, change explanations, targets and forecasts.

Analyses read figures only through ``shopops.metrics`` (and the warehouse connection) and return
data (dataclasses, frames); reports, the CLI and delivery render them.
"""
