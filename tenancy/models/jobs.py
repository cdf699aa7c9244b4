"""Long work that runs in a worker process instead of a web request.

A Job is what a steward follows: which kind of work, in which space, who asked,
where it is (queued, running with its progress, done, failed with the error) and
what it wrote. The queue itself (django-tasks' database backend) only carries
the job's id; everything a steward reads is here, scoped to the job's space.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from seal.models import SealableModel

from tenancy.models.workspace import Space
from tenancy.scoping import space_scoped_manager


class JobState(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class Job(SealableModel):
    """One run of long work in a space, asked for by a user (or a process).

    Invariants: `started_at` is set once the job leaves the queue, `finished_at` once it
    is done or failed; a failed job wrote nothing (its work runs in one transaction) and
    only a failed job is retried, which puts it back in the queue.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("kind", max_length=100, help_text="Which work the job does.")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="jobs",
                              verbose_name="space")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="asked by",
    )
    state = models.CharField("state", max_length=10, choices=JobState.choices,
                             default=JobState.QUEUED)
    payload = models.JSONField("payload", default=dict, blank=True,
                               help_text="What the work needs (file names, options).")
    progress_done = models.PositiveBigIntegerField("done", default=0,
                                                   help_text="Units of work done so far.")
    progress_total = models.PositiveBigIntegerField(
        "total", null=True, blank=True, help_text="Units of work in all; empty while unknown.",
    )
    error = models.TextField("error", blank=True, default="")
    result_summary = models.TextField("result", blank=True, default="")
    result_content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="result type",
    )
    result_object_id = models.CharField("result id", max_length=255, blank=True, default="")
    result = GenericForeignKey("result_content_type", "result_object_id")
    result_url = models.CharField("result link", max_length=500, blank=True, default="",
                                  help_text="Where to read what the job wrote, when it is "
                                  "not an object (e.g. a file to download).")
    result_file = models.FileField(
        "result file", max_length=500, blank=True, default="",
        help_text="A file the job wrote (e.g. an export), downloaded from the job's page by "
        "the members of its space only.",
    )
    attempts = models.PositiveIntegerField("attempts", default=0)
    created_at = models.DateTimeField("queued at", default=timezone.now, db_default=Now(),
                                      editable=False)
    started_at = models.DateTimeField("started at", null=True, blank=True)
    finished_at = models.DateTimeField("finished at", null=True, blank=True)

    objects = space_scoped_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "job"
        indexes = [models.Index(fields=["state", "created_at"], name="tenancy_job_state_idx")]

    def __str__(self):
        return f"{self.kind} ({self.state})"

    @property
    def progress_percent(self):
        """0-100 when the total is known, else None."""
        if not self.progress_total:
            return 100 if self.state == JobState.DONE else None
        return min(100, round(100 * self.progress_done / self.progress_total))
