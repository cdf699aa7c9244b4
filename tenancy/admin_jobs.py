"""Jobs in the admin: what runs in the background for the user's spaces, and how far it is.

Read-only (the workers write jobs); a steward retries a failed job from the list or its
page. Pages of queued and running jobs poll the job's status URL and move the progress
bar without a reload.
"""

from pathlib import PurePosixPath

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from tenancy.admin_base import ReadOnlyAdminMixin, TenantModelAdmin
from tenancy.jobs import JOB_KINDS, job_enqueue, job_retry
from tenancy.models import Job, JobState, Space

#: What a job's file is served as (always as an attachment, never rendered).
DOWNLOAD_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json",
                  ".yaml": "application/yaml"}


@admin.register(Job)
class JobModelAdmin(ReadOnlyAdminMixin, TenantModelAdmin):
    list_display = ("kind_label", "space", "requested_by", "state", "progress_bar",
                    "created_at", "finished_at")
    list_filter = ("state", "kind", "space")
    list_select_related = ("space", "requested_by")
    fields = ("kind_label", "space", "requested_by", "state", "progress_bar", "error",
              "result_summary", "result_link", "attempts", "created_at", "started_at",
              "finished_at")
    readonly_fields = fields
    actions = ("retry_failed",)
    change_form_template = "admin/tenancy/job/change_form.html"
    change_list_template = "admin/tenancy/job/change_list.html"

    class Media:
        css = {"all": ("pycharter/jobs.css",)}
        js = ("pycharter/jobs.js",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("space", "requested_by")

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, job):
        kind = JOB_KINDS.get(job.kind)
        return kind.label if kind else job.kind

    @admin.display(description="progress")
    def progress_bar(self, job):
        total = job.progress_total or ""
        label = f"{job.progress_done:,} / {total:,}" if total else f"{job.progress_done:,}"
        polling = job.state in (JobState.QUEUED, JobState.RUNNING)
        return format_html(
            '<span class="job-progress" data-state="{}"{}>'
            '<progress max="{}" value="{}"></progress> <span class="job-progress-label">{}'
            "</span></span>",
            job.state,
            format_html(' data-status-url="{}"', self._status_url(job)) if polling else "",
            total or 1, job.progress_done if total else (1 if job.state == JobState.DONE else 0),
            label,
        )

    @admin.display(description="result")
    def result_link(self, job):
        url = job.result_url or self._result_admin_url(job)
        if not url:
            return job.result_summary or "—"
        return format_html('<a href="{}">{}</a>', url, job.result_summary or url)

    def _result_admin_url(self, job):
        if job.result_content_type_id is None:
            return ""
        model = ContentType.objects.get_for_id(job.result_content_type_id).model_class()
        if model is None or model not in self.admin_site._registry:
            return ""
        try:
            return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                           args=[quote(job.result_object_id)], current_app=self.admin_site.name)
        except NoReverseMatch:
            return ""

    def _status_url(self, job):
        return reverse("admin:tenancy_job_status", args=[job.pk],
                       current_app=self.admin_site.name)

    # Retry -----------------------------------------------------------------------------

    def has_retry_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    @admin.action(description="Retry the selected failed jobs", permissions=["retry"])
    def retry_failed(self, request, queryset):
        access = request.tenant_access
        retried = 0
        for job in queryset.filter(state=JobState.FAILED):
            if access.can_edit_space(job.space_id):
                job_retry(job=job, user=request.user)
                retried += 1
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} job(s) queued again."
                          + (f" {skipped} skipped: only failed jobs of spaces you edit are "
                             "retried." if skipped else ""),
                          messages.SUCCESS if retried else messages.WARNING)

    def retry_view(self, request, object_id):
        job = self.get_object(request, unquote(object_id))
        if not self.has_retry_permission(request, job):
            raise PermissionDenied
        try:
            job_retry(job=job, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, "The job is queued again.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:tenancy_job_change", args=[job.pk], current_app=self.admin_site.name)
        )

    # Work a steward starts from here ----------------------------------------------------

    def audit_export_view(self, request):
        """POST space=<id>: export that space's audit log in the background."""
        space = Space.objects.filter(
            pk=request.POST.get("space"), id__in=request.tenant_access.editable_space_ids
        ).first()
        if space is None:
            raise Http404("No such space among those you edit.")
        job = job_enqueue(kind="tenancy.audit_export", space=space, user=request.user,
                          payload={})
        self.message_user(request, f"The audit log export of {space} is queued.",
                          messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:tenancy_job_change", args=[job.pk], current_app=self.admin_site.name)
        )

    def changelist_view(self, request, extra_context=None):
        exportable = Space.objects.filter(
            id__in=request.tenant_access.editable_space_ids
        ).order_by("name")
        return super().changelist_view(
            request, {"exportable_spaces": exportable, **(extra_context or {})}
        )

    # A file the job wrote ---------------------------------------------------------------

    def download_view(self, request, object_id):
        """The job's file, to the users who see the job's space (others: 404, as missing)."""
        job = self.get_object(request, unquote(object_id))
        if not job.result_file or not request.tenant_access.can_view_space(job.space_id):
            raise Http404("No such file.")
        name = PurePosixPath(job.result_file.name).name
        response = FileResponse(
            job.result_file.open("rb"), as_attachment=True, filename=name,
            content_type=DOWNLOAD_TYPES.get(PurePosixPath(name).suffix,
                                            "application/octet-stream"),
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    # Status, polled by the pages -------------------------------------------------------

    def status_view(self, request, object_id):
        job = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return JsonResponse({
            "id": str(job.pk),
            "state": job.state,
            "progress_done": job.progress_done,
            "progress_total": job.progress_total,
            "percent": job.progress_percent,
            "error": job.error,
            "result_summary": job.result_summary,
            "result_url": job.result_url or self._result_admin_url(job),
        })

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None:
            context["may_retry"] = (obj.state == JobState.FAILED
                                    and self.has_retry_permission(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("audit-export/", view(require_POST(self.audit_export_view)),
                 name="tenancy_job_audit_export"),
            path("<path:object_id>/status/", view(self.status_view), name="tenancy_job_status"),
            path("<path:object_id>/retry/", view(require_POST(self.retry_view)),
                 name="tenancy_job_retry"),
            path("<path:object_id>/download/", view(self.download_view),
                 name="tenancy_job_download"),
            *super().get_urls(),
        ]
