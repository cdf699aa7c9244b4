"""Admin exports of long lists: a worker writes the file, the job's page offers it.

Over PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS rows the export form queues a job instead of
answering with the file. A job belongs to one space and only that space's members reach
its file, so a large export is of one space: the one the list is filtered by, else the
only space the user sees (reference data: the only organization). The worker rebuilds the
list the user saw (the same admin, filters and search, as that user, narrowed to the job's
space: it runs in that space's scope) and writes it in batches, so that neither the
request nor the worker holds the whole list in memory.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from tenancy.job_files import job_file_write
from tenancy.jobs import JobFailure, JobOutcome, job_enqueue, job_kind
from tenancy.models import Space
from tenancy.scoping import Access, access_for

LIST_EXPORT_JOB_KIND = "contracts.list_export"
#: Rows read and written at a time.
EXPORT_BATCH_ROWS = 5_000


class ExportJobMixin:
    """For an import-export admin: exports of more rows than the threshold become jobs. Put it
    before the import-export mixins."""

    def export_action(self, request):
        if request.method == "POST" and self.has_export_permission(request):
            form = self.get_export_form_class()(
                self.get_export_formats(), self.get_export_resource_classes(request),
                data=request.POST,
            )
            if form.is_valid() and "export_items" not in request.POST:
                rows = self.get_export_queryset(request).count()
                if rows > settings.PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS:
                    return self.export_job_start(request, form, rows)
        return super().export_action(request)

    def export_job_start(self, request, form, rows):
        space = self._export_space(request)
        if space is None:
            self.message_user(request, (
                f"This list has {rows:,} rows, more than the "
                f"{settings.PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS:,} exported at once: a larger "
                "export is written for one space. Filter the list by space, then export."
            ), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        job = job_enqueue(kind=LIST_EXPORT_JOB_KIND, space=space, user=request.user, payload={
            "model": self.opts.label_lower, "query": request.GET.urlencode(),
            "format": int(form.cleaned_data["format"]),
            "resource": int(form.cleaned_data.get("resource") or 0),
        })
        job_url = reverse("admin:tenancy_job_change", args=[job.pk],
                          current_app=self.admin_site.name)
        self.message_user(request, format_html(
            'The export of {} rows of {} is being written: download it from '
            '<a href="{}">its job</a>.', f"{rows:,}", space, job_url,
        ), messages.INFO)
        return HttpResponseRedirect(job_url)

    def _export_space(self, request):
        access = request.tenant_access
        chosen = request.GET.get("space__id__exact")
        if chosen:
            space_ids = [space_id for space_id in access.space_ids if str(space_id) == chosen]
        elif len(access.space_ids) == 1 or (
            len(access.organization_ids) == 1 and not _has_space(self.model)
        ):
            space_ids = list(access.space_ids[:1])
        else:
            space_ids = []
        return Space.objects.filter(pk__in=space_ids).first()


def _has_space(model):
    return any(field.name == "space" for field in model._meta.get_fields())


@job_kind(LIST_EXPORT_JOB_KIND, label="Export")
def list_export_job(*, job, payload, progress):
    """Write the list the user exported, in batches, and keep the file on the job."""
    user = job.requested_by
    if user is None or not access_for(user).can_view_space(job.space_id):
        raise JobFailure("The user who asked for this export no longer sees this space.")
    model_admin = admin.site._registry[apps.get_model(payload["model"])]
    request = RequestFactory().get(f"/?{payload['query']}")
    request.user = user
    request.tenant_access = Access(space_ids=(job.space_id,),
                                   organization_ids=(job.space.organization_id,))
    file_format = model_admin.get_export_formats()[payload["format"]]()
    resource_class = model_admin.get_export_resource_classes(request)[payload["resource"]]
    resource = resource_class(**model_admin.get_export_resource_kwargs(request))
    queryset = model_admin.get_export_queryset(request)
    total = queryset.count()
    progress(0, total)
    name = (f"{model_admin.opts.verbose_name_plural.replace(' ', '-')}-{job.space.slug}-"
            f"{timezone.now():%Y%m%d-%H%M%S}.{file_format.get_extension()}")

    def write(binary):
        writer = _BatchWriter(binary, file_format.get_extension())
        done = 0
        for batch, rows in _batches(queryset):
            writer.add(file_format.export_data(resource.export(queryset=batch)))
            done += rows
            progress(done, total)
        writer.close()

    stored_name = job_file_write(purpose="exports", name=name, write=write)
    job.result_file.name = stored_name
    job.save(update_fields=["result_file"])
    noun = model_admin.opts.verbose_name if total == 1 else model_admin.opts.verbose_name_plural
    return JobOutcome(summary=f"{total:,} {noun} of {job.space} exported to {name}.",
                      url=reverse("admin:tenancy_job_download", args=[job.pk]))


def _batches(queryset):
    """(queryset of the next rows, their number), EXPORT_BATCH_ROWS at a time, in the list's
    order: the ids stream from one cursor, each batch is read whole."""
    batch = []
    for pk in queryset.values_list("pk", flat=True).iterator(chunk_size=EXPORT_BATCH_ROWS):
        batch.append(pk)
        if len(batch) == EXPORT_BATCH_ROWS:
            yield queryset.filter(pk__in=batch), len(batch)
            batch = []
    if batch:
        yield queryset.filter(pk__in=batch), len(batch)


class _BatchWriter:
    """One file of the format from the exports of consecutive batches: CSV keeps the first
    header only, JSON joins the arrays, YAML lists simply follow each other."""

    def __init__(self, binary, extension):
        self.binary = binary
        self.extension = extension
        self.empty = True

    def add(self, text):
        if self.extension == "csv" and not self.empty:
            text = text.partition("\r\n")[2]
        elif self.extension == "json":
            inner = text.strip()[1:-1].strip()
            if not inner:
                return
            text = ("[" if self.empty else ", ") + inner
        elif self.extension == "yaml" and text.strip() == "[]":
            return
        self.binary.write(text.encode("utf-8"))
        self.empty = False

    def close(self):
        if self.extension == "json":
            self.binary.write(b"[]" if self.empty else b"]")
        elif self.extension == "yaml" and self.empty:
            self.binary.write(b"[]\n")
