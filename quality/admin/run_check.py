"""Run a quality check from a contract's page: upload a data file, see the result at once.

The contract page's quality panel (`admin/quality/contract_quality.html`) sends the
file here. The panel sits inside the contract's own form, so its button posts with
`formaction`: the contract's fields come along and are ignored. The file streams
through the checker from Django's upload (memory for small files, a temporary file
beyond FILE_UPLOAD_MAX_MEMORY_SIZE); files over PYCHARTER_QUALITY_UPLOAD_MAX_BYTES
are refused before any check, pointing to `manage.py run_quality_check`.

A check of the full dataset resolves the open violations nobody has taken on that
the file does not contain: the panel says how many that could be, and beyond
CONFIRM_RESOLUTIONS_OVER the steward must tick that they mean it (or say the file
is partial) before the check runs.

Files over PYCHARTER_QUALITY_JOB_THRESHOLD_BYTES do not wait for the check: the
upload is stored in a folder of its own and a job runs the same check in a worker,
with the same options; the steward follows it on the job's page.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from contracts.models import DataContract
from quality.checks.runner import (
    CONFIRM_RESOLUTIONS_OVER,
    QualityCheckError,
    auto_resolvable_count,
    format_of,
    quality_check_run,
)
from quality.jobs import check_outcome_message
from quality.services.check_jobs import quality_check_upload_enqueue

DEFAULT_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024
DEFAULT_JOB_THRESHOLD_BYTES = 1024 * 1024
#: The names of the panel's inputs (prefixed: they travel with the contract's form).
FILE_INPUT = "quality_check_file"
RECORD_ID_INPUT = "quality_check_record_id"
PARTIAL_INPUT = "quality_check_partial"
CONFIRM_INPUT = "quality_check_confirm_resolve"


def upload_max_bytes():
    return getattr(settings, "PYCHARTER_QUALITY_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


def job_threshold_bytes():
    return getattr(settings, "PYCHARTER_QUALITY_JOB_THRESHOLD_BYTES", DEFAULT_JOB_THRESHOLD_BYTES)


def _contract_or_404(contract_id):
    """The contract if it is in one of the user's spaces (the request's scope), else 404."""
    try:
        return DataContract.objects.only("id", "name", "version", "space_id").select_related(
            "space").get(pk=contract_id)
    except (DataContract.DoesNotExist, ValidationError, ValueError) as error:
        raise Http404(f"There is no data contract {contract_id} here.") from error


def run_check_view(request, contract_id, *, model_admin):
    """POST: check the uploaded file against the contract, then back to the contract's page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    contract = _contract_or_404(contract_id)
    if not (model_admin.has_run_check_permission(request)
            and request.tenant_access.can_edit_space(contract.space_id)):
        raise PermissionDenied
    contract_url = reverse("admin:contracts_datacontract_change", args=[contract.pk],
                           current_app=model_admin.admin_site.name)

    def refuse(text):
        model_admin.message_user(request, text, messages.ERROR)
        return HttpResponseRedirect(contract_url)

    uploaded = request.FILES.get(FILE_INPUT)
    if uploaded is None or not uploaded.size:
        return refuse("Choose a data file (CSV, JSON or JSON Lines) to run a quality check.")
    try:
        limit = upload_max_bytes()
        if uploaded.size > limit:
            return refuse(
                f"{uploaded.name} is {filesizeformat(uploaded.size)}; files over "
                f"{filesizeformat(limit)} cannot be checked here. Use "
                f"`manage.py run_quality_check` on the server instead."
            )
        try:
            data_format = format_of(uploaded.name)
        except QualityCheckError:
            return refuse(f"{uploaded.name}: the file name must end in .csv, .json, .jsonl "
                          f"or .ndjson, which tells its format.")
        full_dataset = not request.POST.get(PARTIAL_INPUT)
        resolvable = auto_resolvable_count(contract=contract) if full_dataset else 0
        if resolvable > CONFIRM_RESOLUTIONS_OVER and not request.POST.get(CONFIRM_INPUT):
            return refuse(
                f"Nothing was checked: a check of the full data would resolve up to {resolvable} "
                f"open violations that {uploaded.name} does not contain. Tick \"Resolve the open "
                f"violations the file does not contain\" to go ahead, or say that the file holds "
                f"only part of the data."
            )
        record_id_field = request.POST.get(RECORD_ID_INPUT, "").strip() or None
        uploaded.seek(0)
        if uploaded.size > job_threshold_bytes():
            try:
                job = quality_check_upload_enqueue(
                    contract=contract, uploaded=uploaded, data_format=data_format,
                    record_id_field=record_id_field, full_dataset=full_dataset, user=request.user,
                )
            except ValueError as error:
                return refuse(f"{uploaded.name} cannot be stored for a check: {error}")
            job_url = reverse("admin:tenancy_job_change", args=[job.pk],
                              current_app=model_admin.admin_site.name)
            model_admin.message_user(
                request,
                format_html('{} ({}) is queued for its quality check: follow it on '
                            '<a href="{}">its job</a>.', uploaded.name,
                            filesizeformat(uploaded.size), job_url),
                messages.INFO,
            )
            return HttpResponseRedirect(job_url)
        try:
            outcome = quality_check_run(
                contract=contract, source=uploaded.file, data_format=data_format,
                record_id_field=record_id_field, actor=request.user.get_username(),
                full_dataset=full_dataset, source_name=uploaded.name,
            )
        except QualityCheckError as error:
            return refuse(f"The quality check could not run: {error}")
    finally:
        uploaded.close()
    model_admin.message_user(
        request, check_outcome_message(contract, outcome),
        messages.SUCCESS if outcome.passed and outcome.complete else messages.WARNING,
    )
    return HttpResponseRedirect(contract_url)
