"""Building blocks shared by the PyCharter tables."""

import uuid

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from seal.models import SealableModel


class Status(models.TextChoices):
    """Lifecycle status of a contract and its metadata record (the ERD's `status`)."""

    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    DEPRECATED = "deprecated", "Deprecated"


def uuid_primary_key():
    return models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


def created_at_field():
    """`created_at` filled by Django, and by the database for rows other tools insert."""
    return models.DateTimeField(
        "created at", default=timezone.now, db_default=Now(), editable=False
    )


def updated_at_field():
    """`updated_at` kept current by Django (and by a trigger on PostgreSQL for raw updates)."""
    return models.DateTimeField("updated at", auto_now=True, db_default=Now())


class TimestampedModel(SealableModel):
    """A PyCharter table with the ERD's `created_at` / `updated_at` audit columns."""

    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        abstract = True
