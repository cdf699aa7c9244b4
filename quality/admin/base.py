"""What every quality admin shares: tables of millions of rows, and tenancy without hints."""

import json

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.http import Http404
from django.utils.functional import cached_property

from tenancy.admin_base import ReadOnlyAdminMixin, TenantModelAdmin

__all__ = ["CappedCountPaginator", "QualityModelAdmin", "ReadOnlyAdminMixin"]


class CappedCountPaginator(Paginator):
    """Counts exactly up to `exact_count_limit` rows, and estimates beyond that, unless the
    count is known already (`known_count`, e.g. from the violation counts).

    A COUNT(*) over millions of violations costs more than the rest of the page,
    while a steward needs the exact figure only when it is small. Above the
    limit, PostgreSQL's planner estimate for the very same query is used: for the
    unfiltered list that is `pg_class.reltuples` scaled to the user's spaces,
    for a filtered one the planner's selectivity. Other databases count.
    """

    exact_count_limit = 1_000
    #: Pages beyond this are not offered: each would skip (OFFSET) all the rows before it,
    #: millions on the last pages; filters reach older rows in a few pages instead.
    max_pages = 200

    def __init__(self, *args, known_count=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_count = known_count

    @cached_property
    def _count_and_is_estimate(self):
        if self.known_count is not None:
            return self.known_count, False
        queryset = self.object_list.order_by()
        capped = queryset[: self.exact_count_limit + 1].count()
        if capped <= self.exact_count_limit or connections[queryset.db].vendor != "postgresql":
            return (capped if capped <= self.exact_count_limit else queryset.count()), False
        plan = json.loads(queryset.explain(format="json"))
        return max(int(plan[0]["Plan"]["Plan Rows"]), capped), True

    @cached_property
    def count(self):
        return self._count_and_is_estimate[0]

    @cached_property
    def num_pages(self):
        return min(super().num_pages, self.max_pages)

    @property
    def pages_are_capped(self):
        return self.num_pages == self.max_pages and self.count > self.max_pages * self.per_page

    @property
    def count_is_estimate(self):
        return self._count_and_is_estimate[1]


class QualityModelAdmin(TenantModelAdmin):
    """Base of the quality admins: no full-table counts or facet counts, and a row of
    another space answers 404 exactly like a missing one."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_object_queryset(self, request):
        """The rows a change page may show, with the relations it displays loaded."""
        return self.get_queryset(request).select_related(*self.list_select_related)

    def get_object(self, request, object_id, from_field=None):
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return self.get_object_queryset(request).get(
                **{field.name: field.to_python(object_id)}
            )
        except (self.model.DoesNotExist, ValidationError, ValueError) as error:
            raise Http404(f"There is no {self.opts.verbose_name} {object_id} here.") from error
