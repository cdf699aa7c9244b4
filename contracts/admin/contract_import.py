""""Import contract file": a steward uploads one PyCharter contract file (YAML or JSON, whole
contract or ODCS v3), sees what the import would do, and confirms.

Files over PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES are not previewed: they are kept for a job
and a worker imports them (`contracts.jobs`), the steward following it on the job's page.

The preview is a dry run of `contract_documents_import`. Between preview and confirmation
the file travels in the page itself: its bytes, the space, the replace choice and the
user, signed with `django.core.signing`, so that nothing of it can be changed on the way
and the confirmation re-reads exactly what was previewed. The space is checked again on
confirmation, as the user's rights may have changed since.
"""

import base64

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from contracts.admin.import_export import SpaceChoiceField, editable_spaces
from contracts.documents.errors import DocumentError
from contracts.documents.upload import contract_upload_parse, upload_file_name
from contracts.jobs import DOCUMENT_IMPORT_JOB_KIND
from contracts.services.document_import import DocumentImportError, contract_documents_import
from tenancy.job_files import job_upload_enqueue
from tenancy.scoping import space_scope

SIGNING_SALT = "contracts.admin.contract_import"
#: How long a preview may be confirmed (seconds).
CONFIRM_MAX_AGE = 60 * 60


class ContractFileUploadForm(forms.Form):
    space = SpaceChoiceField(queryset=None, label="Space",
                             help_text="The contract goes into this space, its owners, systems "
                                       "and domains into its organization.")
    contract_file = forms.FileField(
        label="Contract file",
        help_text="A whole PyCharter contract (.yaml, .yml or .json) or an Open Data Contract "
                  "Standard v3 document.",
    )
    replace = forms.BooleanField(
        required=False, label="Replace a draft",
        help_text="Replace an existing draft of the same name and version with the file's "
                  "content.",
    )

    def __init__(self, *args, spaces, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["space"].queryset = spaces
        choices = list(spaces)
        if len(choices) == 1:
            self.fields["space"].widget = forms.HiddenInput()
            self.initial.setdefault("space", choices[0].pk)

    def clean_contract_file(self):
        upload = self.cleaned_data["contract_file"]
        name = upload_file_name(upload.name)
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"{name}: the file is larger than the limit of {self.max_bytes} bytes"
            )
        return upload


class ContractFileConfirmForm(forms.Form):
    """The previewed upload, signed; `clean` gives back what was signed, or an error."""

    payload = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args, user, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.spaces = spaces

    def clean_payload(self):
        try:
            payload = signing.loads(self.cleaned_data["payload"], salt=SIGNING_SALT,
                                    max_age=CONFIRM_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError("The preview has expired: upload the file again.") from None
        except signing.BadSignature:
            raise forms.ValidationError("The preview was changed: upload the file again.") from None
        space = self.spaces.filter(pk=payload["space"]).first()
        if payload["user"] != str(self.user.pk) or space is None:
            raise forms.ValidationError("You may not import into this space.")
        return {**payload, "space": space, "content": base64.b64decode(payload["content"])}


def sign_upload(*, user, space, name, content, replace):
    return signing.dumps(
        {"user": str(user.pk), "space": str(space.pk), "name": name, "replace": replace,
         "content": base64.b64encode(content).decode("ascii")},
        salt=SIGNING_SALT, compress=True,
    )


def _import(request, *, space, name, content, replace, dry_run):
    """(summary, notes) of importing the file, or raises DocumentError/DocumentImportError."""
    max_bytes = settings.PYCHARTER_MAX_CONTRACT_BYTES
    parsed, notes = contract_upload_parse(content, name=name, max_bytes=max_bytes)
    with space_scope(space):
        summary = contract_documents_import(
            space=space, parsed=parsed, actor=request.user, replace=replace, source=name,
            dry_run=dry_run,
        )
    return summary, notes


def contract_file_import_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    spaces = editable_spaces(request)
    max_bytes = settings.PYCHARTER_MAX_CONTRACT_BYTES
    context = {"errors": [], "preview": None}
    form = ContractFileUploadForm(spaces=spaces, max_bytes=max_bytes)

    if request.method == "POST" and "payload" in request.POST:
        confirm = ContractFileConfirmForm(request.POST, user=request.user, spaces=spaces)
        if not confirm.is_valid():
            context["errors"] = confirm.errors["payload"]
        else:
            upload = confirm.cleaned_data["payload"]
            try:
                summary, _ = _import(request, space=upload["space"], name=upload["name"],
                                     content=upload["content"], replace=upload["replace"],
                                     dry_run=False)
            except DocumentError as error:
                context["errors"] = [str(error)]
            except DocumentImportError as error:
                context["errors"] = error.messages
            else:
                return _imported(model_admin, request, summary)
    elif request.method == "POST":
        form = ContractFileUploadForm(request.POST, request.FILES, spaces=spaces,
                                      max_bytes=max_bytes)
        if form.is_valid():
            threshold = settings.PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES
            if form.cleaned_data["contract_file"].size > threshold:
                return _queued(model_admin, request, form)
            context.update(_preview(request, form, max_bytes))

    return TemplateResponse(
        request,
        "admin/contracts/datacontract/import_contract_file.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": "Import contract file",
            "form": form,
            "max_bytes": max_bytes,
            **context,
        },
    )


def _preview(request, form, max_bytes):
    upload = form.cleaned_data["contract_file"]
    name = upload_file_name(upload.name)
    space, replace = form.cleaned_data["space"], form.cleaned_data["replace"]
    content = upload.read(max_bytes + 1)
    try:
        summary, notes = _import(request, space=space, name=name, content=content,
                                 replace=replace, dry_run=True)
    except DocumentError as error:
        return {"errors": [str(error)]}
    except DocumentImportError as error:
        return {"errors": error.messages}
    payload = sign_upload(user=request.user, space=space, name=name, content=content,
                          replace=replace)
    if len(payload) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return {"errors": [
            f"{name}: the file is too large to confirm from this page; import it with "
            "`manage.py import_contract`."
        ]}
    return {
        "preview": {
            "file_name": name,
            "space": space,
            "contracts": summary.contracts,
            "reference_created": {kind: count for kind, count
                                  in summary.reference_created.items() if count},
            "notes": notes,
        },
        "confirm_form": ContractFileConfirmForm(
            initial={"payload": payload}, user=request.user, spaces=None
        ),
    }


def _queued(model_admin, request, form):
    """A file too large to preview in a request: a worker imports it (see contracts.jobs)."""
    upload = form.cleaned_data["contract_file"]
    job = job_upload_enqueue(
        kind=DOCUMENT_IMPORT_JOB_KIND, space=form.cleaned_data["space"], user=request.user,
        uploaded=upload, purpose="contract-files",
        payload={"replace": form.cleaned_data["replace"]},
    )
    job_url = reverse("admin:tenancy_job_change", args=[job.pk],
                      current_app=model_admin.admin_site.name)
    model_admin.message_user(request, format_html(
        '{} ({}) is too large to preview here; it is queued for import: follow it on '
        '<a href="{}">its job</a>.', upload_file_name(upload.name),
        filesizeformat(upload.size), job_url,
    ), messages.INFO)
    return HttpResponseRedirect(job_url)


def _imported(model_admin, request, summary):
    for result in summary.contracts:
        model_admin.message_user(
            request, f"{result.contract.name} {result.contract.version}: {result.outcome}",
            messages.SUCCESS,
        )
    created = ", ".join(f"{count} {kind}" for kind, count in summary.reference_created.items()
                        if count)
    if created:
        model_admin.message_user(request, f"Reference data created: {created}",
                                 messages.SUCCESS)
    if len(summary.contracts) == 1:
        return HttpResponseRedirect(
            reverse("admin:contracts_datacontract_change", args=[summary.contracts[0].contract.pk])
        )
    return HttpResponseRedirect(reverse("admin:contracts_datacontract_changelist"))
