"""The stewards' quality admin; importing the package registers every quality model."""

from quality.admin import alerts, metrics, transitions, violations

__all__ = ["alerts", "metrics", "transitions", "violations"]
