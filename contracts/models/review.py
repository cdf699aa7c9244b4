"""A steward's request for review of a contract version, and the decision on it."""

from django.conf import settings
from django.db import models
from seal.models import SealableModel

from contracts.models.base import created_at_field, uuid_primary_key
from contracts.models.contract import DataContract
from tenancy.scoping import space_scoped_manager


class ReviewStatus(models.TextChoices):
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    OUTDATED = "outdated", "Edited after review"


class ContractReview(SealableModel):
    """One round of review of a draft contract version, in a space that requires review.

    The author asks (`in_review`); a second steward of the space, who is neither the
    one who asked nor the one who created the version, approves it or requests changes
    with a comment. An edit of the draft while it is in review or approved outdates the
    round: what was reviewed is no longer what would activate. The newest round of a
    version is its review state; only an approved version can be activated there.
    Belongs to the contract's space.
    """

    id = uuid_primary_key()
    data_contract = models.ForeignKey(
        DataContract, on_delete=models.CASCADE, related_name="reviews",
        verbose_name="data contract",
    )
    status = models.CharField("status", max_length=20, choices=ReviewStatus.choices,
                              default=ReviewStatus.IN_REVIEW)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name="requested by",
    )
    requested_by_name = models.CharField("requested by (name)", max_length=255)
    created_at = created_at_field()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="decided by",
    )
    decided_by_name = models.CharField("decided by (name)", max_length=255, blank=True,
                                       default="")
    decided_at = models.DateTimeField("decided at", null=True, blank=True)
    comment = models.TextField("comment", blank=True, default="",
                               help_text="What the reviewer approved, or what must change.")

    objects = space_scoped_manager("data_contract__space")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "contract review"

    def __str__(self):
        return f"Review of {self.data_contract_id}: {self.get_status_display()}"
