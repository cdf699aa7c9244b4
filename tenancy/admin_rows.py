"""The rows of the admin's lists: the HTML Django's `result_list` gives, with each column's
decisions (a model field or a method, link or not, CSS classes, the empty value) taken once
per page rather than once per cell. At 50 rows of a dozen columns, Django's per-cell
lookups were a third of a list page's time."""

import datetime
from urllib.parse import quote

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

from tenancy.markup import escaped

NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)


def result_list_fast(cl):
    """The context of Django's `result_list` tag, with the rows built by `_Column`s."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(results(cl)) if cl.formset else _rows(cl),
    }


def _rows(cl):
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        column = _Column(cl, index, name, first=first)
        first = first and not column.is_link
        columns.append(column)
    return [ResultList(None, [column.cell(result) for column in columns])
            for result in cl.result_list]


def _links_in(cl, name, first):
    """Django's rule: the columns in `list_display_links`, else the first column."""
    if cl.list_display_links is None:
        return False
    if first and not cl.list_display_links:
        return True
    return name in cl.list_display_links


class _Column:
    def __init__(self, cl, index, name, *, first):
        self.cl = cl
        self.name = name
        self.model_admin = cl.model_admin
        self.empty = cl.model_admin.get_empty_value_display()
        self.is_link = _links_in(cl, name, first)
        self.tag = "th" if self.is_link and first else "td"
        self.links = _ChangeLinks(cl) if self.is_link else None
        self.classes = f"field-{_coerce_field_name(name, index)}"
        self.field = self.method = None
        try:
            self.field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                self.method = name
            elif hasattr(self.model_admin, name) and name != "__str__":
                self.method = getattr(self.model_admin, name)
        # Text shown as it is: what `display_for_field` does for it, without its other cases.
        self.plain_text = (
            self.field is not None and not self.field.auto_created
            and isinstance(self.field, (models.CharField, models.TextField))
            and not self.field.flatchoices
        )

    def _lookup(self, result):
        """`lookup_field`, without finding out again what the column is."""
        if self.field is not None:
            return self.field, None, getattr(result, self.name)
        if self.method is not None:
            return None, self.method, self.method(result)
        return lookup_field(self.name, result, self.model_admin)

    def cell(self, result):
        """Django's `items_for_result` for one cell."""
        classes = self.classes
        if self.plain_text:
            value = getattr(result, self.name)
            blank = value is None or (isinstance(value, str) and not value.strip())
            return self._html(result, classes, self.empty if blank else str(value))
        try:
            field, attr, value = self._lookup(result)
        except ObjectDoesNotExist:
            representation = self.empty
        else:
            empty = getattr(attr, "empty_value_display", self.empty)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if field is None or field.auto_created:
                if self.name == "action_checkbox":
                    classes = "action-checkbox"
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
                if isinstance(value, str) and not boolean:
                    representation = value or empty  # what `display_for_value` gives text
                else:
                    representation = display_for_value(value, empty, boolean)
                if isinstance(value, (datetime.date, datetime.time)):
                    classes += " nowrap"
            else:
                if isinstance(field.remote_field, models.ManyToOneRel):
                    related = getattr(result, field.name)
                    representation = empty if related is None else related
                else:
                    representation = display_for_field(value, field, empty,
                                                       avoid_link=self.is_link)
                if isinstance(field, NOWRAP_FIELDS):
                    classes += " nowrap"
        return self._html(result, classes, representation)

    def _html(self, result, classes, representation):
        content = escaped(representation)
        if self.is_link:
            content = self._link(result, content)
        return mark_safe(f'<{self.tag} class="{classes}">{content}</{self.tag}>')

    def _link(self, result, content):
        cl = self.cl
        try:
            url = self.links.url(result)
        except NoReverseMatch:
            return content
        popup = ""
        if cl.is_popup:
            value = result.serializable_value(str(cl.to_field) if cl.to_field
                                              else cl.lookup_opts.pk.attname)
            popup = f' data-popup-opener="{escaped(value)}"'
        return f'<a href="{escaped(url)}"{popup}>{content}</a>'


class _ChangeLinks:
    """The rows' links to their pages: Django's `url_for_result` with the list's filters
    (`add_preserved_filters`), worked out once per page around a mark that each row's key
    replaces; reversing the URL for every row took a twentieth of a list page."""

    MARK = "ROWKEYMARK"

    def __init__(self, cl):
        self.cl = cl
        self.around = None
        if type(cl).url_for_result is ChangeList.url_for_result:
            url = reverse(f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
                          args=(self.MARK,), current_app=cl.model_admin.admin_site.name)
            self.around = self._with_filters(url).split(self.MARK, 1)

    def url(self, result):
        if self.around is None:
            return self._with_filters(self.cl.url_for_result(result))
        key = quote(str(admin_quote(getattr(result, self.cl.pk_attname))),
                    safe=RFC3986_SUBDELIMS + "/~:@")
        return key.join(self.around)

    def _with_filters(self, url):
        cl = self.cl
        return add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts},
                                     url)
