"""Base classes for every admin of a tenant model: rights come from memberships.

Rows are already limited to the user's spaces by the request's scope (see
`tenancy.middleware`); these classes add who may change what: viewers read,
stewards and space admins edit in their spaces, organization admins in all the
spaces of their organization. Querysets are sealed, so a list or page that
would lazily load a relation per row fails in tests instead of going slow.

Every tenant admin also answers 404 for an object outside the user's scope (exactly
like a missing one), shows the object's audit log as its history page, and serves
the views that add to an object's thread (comments, attachments, annotations).
"""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import router
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from tenancy.audit_labels import audit_entries_named
from tenancy.markup import escaped
from tenancy.models import AuditLogEntry, Space

HISTORY_PAGE_SIZE = 100


def _access(request):
    return request.tenant_access


class TenantAdminMixin:
    """For models owned by a space (`space_path` leads to it) or an organization."""

    #: Path from the model to its space, e.g. "data_contract__space"; None for organization data.
    space_path = "space"
    #: Path from the model to its organization, for reference data.
    organization_path = None

    def get_queryset(self, request):
        return super().get_queryset(request).seal()

    def get_object(self, request, object_id, from_field=None):
        """The object, or a 404 when it is missing or outside the user's scope (the scoped
        managers make another space's object `DoesNotExist`; Django would redirect)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} matches the given id.")
        return obj

    def action_checkbox(self, obj):
        """The row's checkbox, the same HTML as Django's widget gives: rendering that widget's
        template for each row took a seventh of a list page's time."""
        label = gettext("Select this object for an action - {}").format(escaped(obj))
        return mark_safe(
            f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{escaped(obj.pk)}"'
            f' class="action-select" aria-label="{label}">'
        )

    # Delete confirmation ----------------------------------------------------------------

    def get_deleted_objects(self, objs, request):
        """Django's confirmation (nested list, counts, missing rights, protected rows), limited
        to the rows the user sees: a cascade can reach rows of spaces the user cannot see,
        such as the links of other spaces' contracts to reference data."""
        objs = list(objs)
        if not objs:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        collector.collect(objs)
        hidden = _hidden_objects([*collector.model_objs.items(),
                                  *_by_model(collector.protected).items()])
        perms_needed = set()

        def format_callback(obj):
            opts = obj._meta
            if not self.admin_site.is_registered(type(obj)):
                return f"{capfirst(opts.verbose_name)}: {obj}"
            if not self.admin_site.get_model_admin(type(obj)).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                              args=[quote(obj.pk)])
            except NoReverseMatch:
                return f"{capfirst(opts.verbose_name)}: {obj}"
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        def nested(obj, seen):
            if obj in seen or (type(obj), obj.pk) in hidden:
                return []
            seen.add(obj)
            children = [item for child in collector.edges.get(obj, ())
                        for item in nested(child, seen)]
            return [format_callback(obj), children] if children else [format_callback(obj)]

        seen = set()
        to_delete = [item for root in collector.edges.get(None, ()) for item in nested(root, seen)]
        protected = [format_callback(obj) for obj in collector.protected
                     if (type(obj), obj.pk) not in hidden]
        model_count = {}
        for model, instances in collector.model_objs.items():
            count = sum((model, obj.pk) not in hidden for obj in instances)
            if count:
                model_count[model._meta.verbose_name_plural] = count
        return to_delete, model_count, perms_needed, protected

    # History: the audit log ------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        """The audit log entries of the object and of its parts, newest first, in words and
        field by field, with the ids of related rows named."""
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        own_type = ContentType.objects.get_for_model(type(obj))
        objects = Q(content_type=own_type, object_id=str(obj.pk))
        for model, ids in self.history_parts(obj).items():
            objects |= Q(content_type=ContentType.objects.get_for_model(model),
                         object_id__in=[str(pk) for pk in ids])
        entries = AuditLogEntry.objects.filter(objects).order_by("-created_at", "-id")
        paginator = Paginator(entries, HISTORY_PAGE_SIZE)
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {obj}",
            "subtitle": None,
            "entries": audit_entries_named(page),
            "own_content_type_id": own_type.pk,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "page_var": PAGE_VAR,
            "pagination_required": paginator.num_pages > 1,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tenancy/object_history.html", context)

    def history_parts(self, obj):
        """{model: ids} of the parts of `obj` whose entries its history page shows too."""
        return {}

    # The thread: comments, attachments, annotations ------------------------------------

    def get_urls(self):
        from tenancy import admin_threads

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"

        def thread_view(kind, view):
            return path(
                f"<path:object_id>/thread/{kind}/",
                self.admin_site.admin_view(
                    lambda request, object_id: view(self, request, unquote(object_id))
                ),
                name=f"{prefix}_thread_{kind}",
            )

        return [
            thread_view("comment", admin_threads.comment_view),
            thread_view("attachment", admin_threads.attachment_view),
            thread_view("annotation", admin_threads.annotation_view),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None:
            from tenancy.admin_threads import Thread

            # Lazy: only pages that include the thread template run its queries.
            context.setdefault("thread", Thread(self, request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and bool(_access(request).space_ids)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, None)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def _may_edit(self, request, obj):
        access = _access(request)
        if not (request.user.is_active and request.user.is_staff and access.can_edit_anything):
            return False
        if obj is None:
            return True
        if self.organization_path:
            return access.can_edit_organization(self._tenant_id(obj, self.organization_path))
        return access.can_edit_space(self._tenant_id(obj, self.space_path))

    @staticmethod
    def _tenant_id(obj, path):
        """The id at the end of `path` (e.g. data_contract__space -> space id) without a query
        when the path is a direct foreign key."""
        parts = path.split("__")
        target = obj
        for part in parts[:-1]:
            target = getattr(target, part)
        return getattr(target, f"{parts[-1]}_id")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        access = _access(request)
        if db_field.related_model is Space:
            kwargs["queryset"] = Space.objects.filter(id__in=access.editable_space_ids)
        elif db_field.name == "organization":
            from tenancy.models import Organization

            kwargs["queryset"] = Organization.objects.filter(
                id__in=access.editable_organization_ids
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _by_model(instances):
    grouped = {}
    for instance in instances:
        grouped.setdefault(type(instance), set()).add(instance)
    return grouped


def _hidden_objects(instances_by_model):
    """{(model, pk)} of the instances that the request's scope hides: the scoped manager
    finds only the rows of the user's spaces and organizations."""
    hidden = set()
    for model, instances in instances_by_model:
        if not hasattr(model._default_manager, "with_scopes_disabled"):
            continue
        pks = {instance.pk for instance in instances}
        visible = set(model._default_manager.filter(pk__in=pks).values_list("pk", flat=True))
        hidden.update((model, pk) for pk in pks - visible)
    return hidden


class ReadOnlyAdminMixin:
    """Facts and history (quality metrics, transitions, the audit log, contract parts kept
    for the record): nobody adds, edits or deletes them in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantModelAdmin(TenantAdminMixin, admin.ModelAdmin):
    """The ModelAdmin every tenant model's admin is built on (checked by tenancy.E002)."""


class TenantTabularInline(TenantAdminMixin, admin.TabularInline):
    pass


class TenantStackedInline(TenantAdminMixin, admin.StackedInline):
    pass
