"""Admin pages beyond the model lists: incidents and "My work".

Both are served by the violations admin (see its `get_urls`), behind the admin's
sign-in, inside the request's tenant scope.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import urlencode

from contracts.models import DataContract
from quality.admin.filters import CLOSED, NEEDS_WORK
from quality.admin.triage import TRIAGE_STEPS, triage_response
from quality.models import CLOSED_STATUSES
from quality.selectors import (
    UNRESOLVED_STATUSES,
    incident_from_row,
    incident_list,
    incident_violations,
    my_work,
)

INCIDENTS_PER_PAGE = 50


def incidents_page(request, *, model_admin):
    """Violations grouped by contract version, field and rule, triaged a group at a time."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method == "POST":
        return _incidents_triage(request, model_admin)
    closed = request.GET.get("closed") == "1"
    contract_id = _uuid_or_none(request.GET.get("contract"))
    rows = incident_list(
        statuses=CLOSED_STATUSES if closed else UNRESOLVED_STATUSES,
        data_contract_id=contract_id,
    )
    page = Paginator(rows, INCIDENTS_PER_PAGE).get_page(request.GET.get("p"))
    status = CLOSED if closed else NEEDS_WORK
    incident_rows = [
        (incident, urlencode({**incident.lookups, "status": status}))
        for incident in map(incident_from_row, page.object_list)
    ]
    page_query = {key: value for key, value in request.GET.items() if key != "p"}
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Closed incidents" if closed else "Incidents that need work",
        "opts": model_admin.opts,
        "page": page,
        "incident_rows": incident_rows,
        "page_query": urlencode(page_query),
        "closed": closed,
        "contract_id": str(contract_id) if contract_id else "",
        "contracts": list(DataContract.objects.order_by("name", "version").seal()),
        "triage_steps": (
            list(TRIAGE_STEPS.values()) if model_admin.has_change_permission(request) else []
        ),
    }
    return TemplateResponse(request, "admin/quality/incidents.html", context)


def _incidents_triage(request, model_admin):
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    step = TRIAGE_STEPS.get(request.POST.get("step"))
    tokens = request.POST.getlist("incident")
    return_url = request.get_full_path()
    if step is None or not tokens:
        messages.warning(request, "Choose one or more incidents and what to do with them.")
        return HttpResponseRedirect(return_url)
    try:
        violations = incident_violations(tokens=tokens)
    except ValueError:
        return HttpResponseBadRequest("Unknown incident.")
    hidden_fields = [("step", step.name), *[("incident", token) for token in tokens]]
    return triage_response(request, model_admin=model_admin, step=step, violations=violations,
                           hidden_fields=hidden_fields, return_url=return_url)


def my_work_page(request, *, model_admin):
    """What the signed-in steward is assigned, and the contracts they own that need attention."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "My work",
        "opts": model_admin.opts,
        "work": my_work(user=request.user),
        "needs_work": NEEDS_WORK,
    }
    return TemplateResponse(request, "admin/quality/my_work.html", context)


def _uuid_or_none(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
