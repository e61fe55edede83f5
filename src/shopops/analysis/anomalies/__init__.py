"""Anomaly detection: findings per shop and day from the baselines and the rule presets."""

from shopops.analysis.anomalies.config import AlertSettings, alert_settings
from shopops.analysis.anomalies.detect import Detection, detect, detect_findings
from shopops.analysis.anomalies.finding import SEVERITY_LABELS, Finding
from shopops.analysis.anomalies.skipped import SkippedCheck

__all__ = [
    "SEVERITY_LABELS",
    "AlertSettings",
    "Detection",
    "Finding",
    "SkippedCheck",
    "alert_settings",
    "detect",
    "detect_findings",
]
