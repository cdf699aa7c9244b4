"""Admin imports too large for a request: the upload is kept and a worker imports it.

Over PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES the import page skips its preview: the file is
stored (in a folder of its own, for the space chosen on the form, which the form already
limits to the spaces the user edits), a job is queued, and the steward lands on the job's
page. The worker imports it as `import_data` does, all rows or none, and the job's error
names the file, line, row and field of every problem. Smaller files keep the preview.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from tenancy.job_files import job_upload_enqueue

#: The job kind that imports a stored file through the resource registry (registered by the
#: quality app, whose bulk readers serve every resource).
FILE_IMPORT_JOB_KIND = "quality.file_import"
#: Uploads wait for their import job under jobs/imports/.
IMPORT_UPLOADS_PURPOSE = "imports"
#: Formats a streamed import (violations) reads.
STREAMED_EXTENSIONS = ("csv", "json")


class ImportJobMixin:
    """For an import-export admin whose import form chooses a `space`: large uploads become
    jobs. Put it before the import-export mixins."""

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and (form.cleaned_data["import_file"].size
                                    > settings.PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES):
                response = self.import_job_start(request, form)
                if response is not None:
                    return response
        return super().import_action(request, **kwargs)

    def import_job_start(self, request, form):
        """Queue the import of the form's upload; None (with the reason on the form's page)
        when it cannot run as a job."""
        upload = form.cleaned_data["import_file"]
        resource_class = self.choose_import_resource_class(form, request)
        extension = self.get_import_formats()[int(form.cleaned_data["format"])]().get_extension()
        if resource_class.registry_name == "violations" and extension not in STREAMED_EXTENSIONS:
            self.message_user(request, f"{upload.name}: large violation files are streamed "
                              "from CSV or JSON; YAML cannot be streamed.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        changelist_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                                 current_app=self.admin_site.name)
        try:
            job = job_upload_enqueue(
                kind=FILE_IMPORT_JOB_KIND, space=form.cleaned_data["space"], user=request.user,
                uploaded=upload, purpose=IMPORT_UPLOADS_PURPOSE,
                payload={"resource": resource_class.registry_name, "format": extension,
                         "result_url": changelist_url},
            )
        except ValueError as error:
            self.message_user(request, f"{upload.name} cannot be stored for an import: {error}",
                              messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        job_url = reverse("admin:tenancy_job_change", args=[job.pk],
                          current_app=self.admin_site.name)
        self.message_user(request, format_html(
            '{} ({}) is queued for import: follow it on <a href="{}">its job</a>.',
            upload.name, filesizeformat(upload.size), job_url,
        ), messages.INFO)
        return HttpResponseRedirect(job_url)
