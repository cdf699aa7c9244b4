"""Comments, attachments and annotations that can hang on any object (seed 004, polymorphism).

Each points at its target with a content type and an object id (text, since owners
have a string key and everything else a UUID). The database cannot enforce such a
reference, so the application does: the services check that the target exists and
belongs to the same space (or organization, for reference data), deleting a target
deletes what hangs on it (tenancy.shared.delete_attached), and `check_integrity`
finds and removes what raw SQL deletes left behind.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from seal.models import SealableModel

from tenancy.models.workspace import Organization, Space
from tenancy.scoping import organization_scoped_manager


class AttachedToObject(SealableModel):
    """The polymorphic reference and the tenant every shared resource carries."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+",
        verbose_name="object type",
    )
    object_id = models.CharField("object id", max_length=255)
    target = GenericForeignKey("content_type", "object_id")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name="organization"
    )
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name="space", help_text="The target's space; empty for reference data.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name="author",
    )
    created_at = models.DateTimeField("at", default=timezone.now, db_default=Now(),
                                      editable=False)

    # Reference data belongs to an organization, so the organization is the dimension
    # every row has; the selectors narrow to the user's spaces.
    objects = organization_scoped_manager()

    class Meta:
        abstract = True


class Comment(AttachedToObject):
    """A steward's message in the discussion thread of an object."""

    body = models.TextField("comment")

    class Meta:
        ordering = ["created_at"]
        verbose_name = "comment"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="tenancy_comment_target_idx")
        ]

    def __str__(self):
        return self.body[:80]


def attachment_path(attachment, filename):
    return f"attachments/{attachment.organization_id}/{attachment.id}/{filename}"


class Attachment(AttachedToObject):
    """Evidence attached to an object: a file kept in the configured storage.

    Downloaded only through a view that checks the user may see the target;
    never served from a public media URL.
    """

    file = models.FileField("file", upload_to=attachment_path, max_length=500)
    filename = models.CharField("file name", max_length=255)
    content_type_sniffed = models.CharField(
        "type", max_length=100, help_text="Detected from the content, not the file name."
    )
    size = models.PositiveBigIntegerField("size (bytes)")

    class Meta:
        ordering = ["created_at"]
        verbose_name = "attachment"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="tenancy_attach_target_idx")
        ]

    def __str__(self):
        return self.filename


class AnnotationKind(models.TextChoices):
    PII = "pii", "PII"
    DEPRECATED = "deprecated", "Deprecated"
    QUESTION = "question", "Question"
    NOTE = "note", "Note"


class Annotation(AttachedToObject):
    """A structured note pinned to one field of a contract's schema (e.g. "PII")."""

    field_name = models.CharField(
        "field", max_length=255, help_text="The schema property the note is about."
    )
    kind = models.CharField("kind", max_length=20, choices=AnnotationKind.choices)
    text = models.TextField("text", blank=True, default="")

    class Meta:
        ordering = ["field_name", "created_at"]
        verbose_name = "annotation"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="tenancy_annot_target_idx")
        ]

    def __str__(self):
        return f"{self.field_name}: {self.get_kind_display()}"
