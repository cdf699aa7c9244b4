"""Background work of the quality app: quality checks of uploaded files, file imports from the
admin, exports of long lists, alert deliveries."""

import dataclasses

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from contracts.models import DataContract
from quality.alerting.outbox import deliveries_due, deliveries_send
from quality.bulk.imports import data_file_import
from quality.checks.runner import QualityCheckError, quality_check_run
from quality.models import AlertDelivery, DeliveryStatus
from tenancy.audit import audit_actor
from tenancy.commands import spaces_all
from tenancy.job_files import job_file_delete_on_commit, job_file_local_path
from tenancy.jobs import JobFailure, JobOutcome, job_kind
from tenancy.scoping import space_scope


def check_outcome_message(contract, outcome):
    """What a steward reads about a finished check."""
    metric = outcome.metric
    verdict = "passed" if outcome.passed else "failed"
    message = (
        f"Quality check of {contract.name} {contract.version} {verdict}: score "
        f"{metric.overall_score:.1f}, {metric.record_count} record"
        f"{'' if metric.record_count == 1 else 's'}, {metric.invalid_count} invalid; "
        f"violations opened {outcome.violations_opened}, updated {outcome.violations_updated}, "
        f"reopened {outcome.violations_reopened}, resolved {outcome.violations_resolved}."
    )
    if outcome.violations_flagged:
        message += (f" {outcome.violations_flagged} taken-on violations were not found: they "
                    f"stay with their assignees, marked as not found.")
    if not outcome.complete:
        message += (" The check is INCOMPLETE (part of the file could not be read), so it "
                    "resolved nothing: " + "; ".join(outcome.incomplete_reasons))
    return message


@job_kind("quality.check_run", label="Quality check")
def quality_check_job(*, job, payload, progress):
    """Check an uploaded file kept in storage, as the admin does for small files; progress
    counts the file's bytes read. The file is removed once the check is committed; a failed
    check keeps it for a retry."""
    contract = DataContract.objects.only("id", "name", "version", "space_id").get(
        pk=payload["contract_id"]
    )
    stored = payload["stored_name"]
    size = default_storage.size(stored)
    progress(0, size)
    with default_storage.open(stored, "rb") as source:
        try:
            outcome = quality_check_run(
                contract=contract, source=source, data_format=payload["format"],
                record_id_field=payload.get("record_id_field"), actor=payload["actor"],
                full_dataset=payload["full_dataset"], source_name=payload["file_name"],
                progress=lambda records: progress(source.tell(), size),
            )
        except QualityCheckError as error:
            raise QualityCheckError(f"The quality check could not run: {error}") from None
    progress(size, size)
    transaction.on_commit(lambda: default_storage.delete(stored))
    return JobOutcome(
        summary=check_outcome_message(contract, outcome), target=outcome.metric,
        url=reverse("admin:quality_qualitymetric_change", args=[outcome.metric.pk]),
    )


FILE_IMPORT_JOB_KIND = "quality.file_import"


@job_kind(FILE_IMPORT_JOB_KIND, label="Import")
def file_import_job(*, job, payload, progress):
    """An admin upload too large for its request, imported as `import_data` does: all rows or
    none, every problem named by the upload's file name, line, row and field. The stored file
    is removed once the rows are committed; a failed import keeps it for a retry."""
    file_name = payload["file_name"]
    with job_file_local_path(payload["stored_name"]) as path:
        try:
            summary = data_file_import(
                space=job.space, resource_name=payload["resource"], path=path,
                file_format=payload["format"], actor=job.requested_by or f"job:{job.kind}",
                progress=progress,
            )
        except ValueError as error:
            raise JobFailure(f"{file_name}: {error}") from None
    if not summary.ok:
        problems = [str(dataclasses.replace(problem, path=file_name))
                    for problem in summary.problems]
        if summary.unreported_problem_count:
            problems.append(f"and {summary.unreported_problem_count} more")
        raise JobFailure(
            f"Nothing was imported: {summary.problem_count} "
            f"error{'s' if summary.problem_count != 1 else ''} in {file_name}.\n"
            + "\n".join(problems)
        )
    job_file_delete_on_commit(payload["stored_name"])
    return JobOutcome(
        summary=(f"Imported {payload['resource']} from {file_name} into {job.space}: "
                 f"{summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged, "
                 f"{summary.skipped} skipped."),
        url=payload.get("result_url", ""),
    )


@task()
def alert_deliveries_retry():
    """Periodic, space by space: send the deliveries that are due and were not queued (a
    lost task, a worker that died mid-send), after giving the failed ones that used all
    their attempts a new round (what `manage.py deliver_alerts` does by hand)."""
    counts = {"delivered": 0, "failed": 0}
    for space in spaces_all():
        with space_scope(space), audit_actor(name="job:alert_deliveries_retry",
                                             source="job:alert_deliveries_retry"):
            AlertDelivery.objects.filter(
                status=DeliveryStatus.FAILED, next_attempt_at__isnull=True
            ).update(attempts=0, next_attempt_at=timezone.now())
            while due := deliveries_due():
                sent = deliveries_send(delivery_ids=due)
                counts = {name: counts[name] + sent[name] for name in counts}
    return counts
