"""Background work of the contracts app: contract files too large to import in a request;
exports of long admin lists (`contracts.admin.export_jobs`, registered on import)."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from contracts.admin import export_jobs  # noqa: F401  (registers the list export)
from contracts.documents.errors import DocumentError
from contracts.documents.upload import contract_upload_parse
from contracts.services.document_import import DocumentImportError, contract_documents_import
from tenancy.job_files import job_file_delete_on_commit
from tenancy.jobs import JobFailure, JobOutcome, job_kind

DOCUMENT_IMPORT_JOB_KIND = "contracts.document_import"


@job_kind(DOCUMENT_IMPORT_JOB_KIND, label="Contract file import")
def contract_file_import_job(*, job, payload, progress):
    """What "Import contract file" does on confirmation, for a file over the job threshold:
    without a preview, all or nothing, the errors naming the file, line and field."""
    name = payload["file_name"]
    max_bytes = settings.PYCHARTER_MAX_CONTRACT_BYTES
    with default_storage.open(payload["stored_name"], "rb") as stored:
        content = stored.read(max_bytes + 1)
    progress(0, 2)
    try:
        parsed, notes = contract_upload_parse(content, name=name, max_bytes=max_bytes)
        progress(1, 2)
        summary = contract_documents_import(space=job.space, parsed=parsed,
                                            actor=job.requested_by, replace=payload["replace"],
                                            source=name)
    except DocumentError as error:
        raise JobFailure(str(error)) from None
    except DocumentImportError as error:
        raise JobFailure("\n".join(error.messages)) from None
    progress(2, 2)
    job_file_delete_on_commit(payload["stored_name"])
    lines = [f"{result.contract.name} {result.contract.version}: {result.outcome}"
             for result in summary.contracts]
    created = ", ".join(f"{count} {kind}" for kind, count in summary.reference_created.items()
                        if count)
    if created:
        lines.append(f"reference data created: {created}")
    lines.extend(notes)
    only = summary.contracts[0].contract if len(summary.contracts) == 1 else None
    return JobOutcome(
        summary=f"{name}: " + "; ".join(lines) + ".",
        target=only,
        url=(reverse("admin:contracts_datacontract_change", args=[only.pk]) if only
             else reverse("admin:contracts_datacontract_changelist")),
    )
