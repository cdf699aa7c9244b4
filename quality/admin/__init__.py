"""The stewards' quality admin; importing the package registers every quality model."""

from quality.admin import alert_channels, alerts, metrics, transitions, violations

__all__ = ["alert_channels", "alerts", "metrics", "transitions", "violations"]
