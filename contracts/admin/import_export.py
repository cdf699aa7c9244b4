"""django-import-export in the steward admin: files in and out of one tenant.

An import is always into one space the user may edit, chosen on the import form
(organization data goes to that space's organization); the resource is built with
that space and the user (`TenantResource(space=..., actor=...)`), so it reads and
writes nothing outside it. The confirm step carries the space again and checks it
again: a tampered form cannot import into a space the user may not edit.

Between the preview and the confirm step the file waits in the temporary storage. The
confirm page carries a signed reference to it, bound to the user and the space of the
preview: nobody confirms a file they did not upload, into another space, or names any
other file of the temporary folder.

An upload is read as the commands read files: at most PYCHARTER_MAX_IMPORT_BYTES,
UTF-8, JSON and YAML through the contract loader (no aliases, no tags, bounded
nesting), text that cannot be stored refused; every problem names the file, line
and field instead of the exception that stopped the reading.

An export is the changelist's filtered list, which the request's scope already limits
to the user's spaces and organizations; viewers may export what they can see.
"""

from functools import cached_property
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from contracts.admin.export_jobs import ExportJobMixin
from contracts.admin.import_jobs import ImportJobMixin
from contracts.documents.errors import DocumentError
from contracts.documents.loading import decode_utf8
from contracts.documents.upload import upload_file_name
from contracts.resources import FORMATS
from tenancy.models import Space


def editable_spaces(request):
    """The spaces where the request's user may import, by organization and name."""
    return (
        Space.objects.filter(id__in=request.tenant_access.editable_space_ids)
        .select_related("organization")
        .order_by("organization__name", "name")
    )


class SpaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, space):
        return f"{space.organization.name} / {space.name}"


def _space_field(spaces, widget=None):
    field = SpaceChoiceField(
        queryset=spaces, label="Space", widget=widget,
        help_text="Contracts go into this space; owners, systems and domains into its "
                  "organization.",
    )
    field.spaces = list(spaces)
    return field


class SpaceImportForm(ImportForm):
    """The import form with the space to import into: a choice when the user may edit
    several spaces, else the only one."""

    field_order = ["space", "resource", "import_file", "format"]

    def __init__(self, formats, resources, *, spaces, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["space"] = _space_field(spaces)
        self.order_fields(self.field_order)
        choices = self.fields["space"].spaces
        if len(choices) == 1:
            self.fields["space"].widget = forms.HiddenInput()
            self.initial.setdefault("space", choices[0].pk)

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.PYCHARTER_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload_file_name(upload.name)}: the file is larger than the limit of "
                f"{limit} bytes"
            )
        return upload


PENDING_IMPORT_SALT = "contracts.admin.import_export.pending_import"
#: How long a previewed file may wait for its confirmation.
PENDING_IMPORT_MAX_AGE = 24 * 60 * 60
UNKNOWN_PENDING_IMPORT = ("This import was not previewed by you for this space, or it has "
                          "expired: upload the file again.")


def pending_import_reference(*, user, space, file_name):
    """The signed name of a previewed file, valid only for `user` and `space`."""
    return signing.dumps({"user": user.pk, "space": str(space.pk), "file": file_name},
                         salt=PENDING_IMPORT_SALT)


class PendingImportConfirmForm(ConfirmImportForm):
    """A confirm step whose file is the one this user previewed for the space chosen on the
    form (its `space` field)."""

    def __init__(self, *, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def clean_import_file_name(self):
        try:
            pending = signing.loads(self.cleaned_data["import_file_name"],
                                    salt=PENDING_IMPORT_SALT, max_age=PENDING_IMPORT_MAX_AGE)
        except signing.BadSignature:
            raise ValidationError(UNKNOWN_PENDING_IMPORT, code="unknown_import") from None
        if pending["user"] != self.user.pk:
            raise ValidationError(UNKNOWN_PENDING_IMPORT, code="unknown_import")
        self.pending_space_id = pending["space"]
        return pending["file"]

    def clean(self):
        cleaned = super().clean()
        space = cleaned.get("space")
        if (space is not None and "import_file_name" in cleaned
                and str(space.pk) != self.pending_space_id):
            self.add_error("import_file_name", UNKNOWN_PENDING_IMPORT)
        return cleaned


class SpaceConfirmImportForm(PendingImportConfirmForm):
    """The confirm step: the space comes back from the page and is checked again."""

    def __init__(self, *, spaces, **kwargs):
        super().__init__(**kwargs)
        self.fields["space"] = _space_field(spaces, widget=forms.HiddenInput())


class PendingImportMixin:
    """For an import admin whose import form chooses a `space` and whose confirm form is a
    `PendingImportConfirmForm`: the preview hands out the signed reference of its file."""

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            space = import_form.cleaned_data["space"]
            initial["space"] = space.pk
            initial["import_file_name"] = pending_import_reference(
                user=request.user, space=space, file_name=initial["import_file_name"]
            )
        return initial

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # Confirmed already (a second click), or the temporary folder was emptied.
            messages.error(request, UNKNOWN_PENDING_IMPORT)
            return HttpResponseRedirect(reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import",
                current_app=self.admin_site.name,
            ))


def _permission(model_admin, request, code):
    """The tenant right that the import-export permission code names ("add" -> may edit)."""
    return getattr(model_admin, f"has_{code}_permission")(request)


class TenantImportExportMixin(ImportJobMixin, ExportJobMixin, PendingImportMixin,
                              ImportExportMixin):
    """Import and export for an admin built on `TenantModelAdmin` and a `TenantResource`.

    Who may import or export follows the tenant rights behind the permission codes
    of the settings (IMPORT_EXPORT_IMPORT_PERMISSION_CODE "add": users who may edit;
    IMPORT_EXPORT_EXPORT_PERMISSION_CODE "view": everyone who sees the list), not
    Django's model permissions, which stewards do not hold.
    """

    import_formats = FORMATS
    export_formats = FORMATS
    import_form_class = SpaceImportForm
    confirm_form_class = SpaceConfirmImportForm
    # The selectable-fields form builds resources without a tenant.
    export_form_class = ExportForm
    import_error_display = ("message", "row")

    def has_import_permission(self, request):
        return _permission(self, request, settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE)

    def has_export_permission(self, request):
        return _permission(self, request, settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE)

    def create_import_form(self, request):
        return self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request),
            spaces=editable_spaces(request), **self.get_import_form_kwargs(request),
        )

    def create_confirm_form(self, request, import_form=None):
        return self.get_confirm_form_class(request)(
            spaces=editable_spaces(request),
            **self.get_confirm_form_kwargs(request, import_form),
        )

    def get_import_resource_kwargs(self, request, form=None, **kwargs):
        cleaned = getattr(form, "cleaned_data", None) or {}
        # Before a space is chosen the resources only list their columns.
        return {"space": cleaned.get("space"), "actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        # The export is given the changelist's queryset, already limited to the user's
        # tenants; the resource reads no rows of its own.
        return {"space": None, "actor": request.user}

    def add_data_read_fail_error_to_form(self, form, error):
        """The reader's own message, with the upload's name, line and field."""
        upload = form.cleaned_data["import_file"]
        name = upload_file_name(upload.name)
        if isinstance(error, UnicodeDecodeError):
            upload.seek(0)
            try:
                decode_utf8(upload.read(), PurePosixPath(name))
            except DocumentError as decoding:
                error = decoding
        if isinstance(error, DocumentError):
            form.add_error("import_file", str(
                DocumentError(name, error.location, error.field, error.message)
            ))
            return
        super().add_data_read_fail_error_to_form(form, error)

    def get_import_data_kwargs(self, **kwargs):
        kwargs.pop("form", None)
        kwargs.pop("request", None)
        return kwargs


class ContractImportExportMixin(TenantImportExportMixin):
    """The contract list's imports: contracts, and their ownership and system links, each
    on its own page (`import/?resource=<index>`); its export is the contracts."""

    import_export_change_list_template = "admin/contracts/datacontract/change_list.html"
    #: (title of the page and button, resource class); the first is the default page.
    import_pages = ()

    @cached_property
    def _page_resource_classes(self):
        # Named for their page: the library names a resource by `get_display_name`, which
        # only model resources have.
        return [
            type(resource_class.__name__, (resource_class,),
                 {"get_display_name": classmethod(lambda cls, title=title: title),
                  "__module__": resource_class.__module__})
            for title, resource_class in self.import_pages
        ]

    def get_import_resource_classes(self, request):
        return self._page_resource_classes

    def get_export_resource_classes(self, request):
        return [self.import_pages[0][1]]

    def _import_page(self, request):
        try:
            index = int(request.GET.get("resource", 0))
        except ValueError:
            index = 0
        return index if 0 <= index < len(self.import_pages) else 0

    def create_import_form(self, request):
        form = super().create_import_form(request)
        # Each page imports one resource: the choice is the page's, not the user's.
        form.fields["resource"].widget = forms.HiddenInput()
        form.initial["resource"] = str(self._import_page(request))
        if form.is_bound:
            form.data = form.data.copy()
            form.data["resource"] = str(self._import_page(request))
        return form

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if not hasattr(response, "context_data"):
            return response  # a large upload became a job
        title = self.import_pages[self._import_page(request)][0]
        response.context_data["title"] = title
        response.context_data["fields_list"] = [
            (name, columns) for name, columns in response.context_data["fields_list"]
            if name == title
        ]
        return response

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        import_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        extra_context["import_pages"] = [
            (title, f"{import_url}?resource={index}")
            for index, (title, _) in enumerate(self.import_pages)
        ]
        return super().changelist_view(request, extra_context)
