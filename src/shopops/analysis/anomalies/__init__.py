"""Anomaly detection: findings per shop and day from the baselines and the rule presets."""

from shopops.analysis.anomalies.config import AlertSettings, alert_settings
from shopops.analysis.anomalies.detect import detect_findings
from shopops.analysis.anomalies.finding import SEVERITY_LABELS, Finding

__all__ = ["SEVERITY_LABELS", "AlertSettings", "Finding", "alert_settings", "detect_findings"]
