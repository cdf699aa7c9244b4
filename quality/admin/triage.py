"""One flow for every triage step, started from the violations list, a violation's page or
the incidents page: keep the violations the user may triage, ask what the step needs on
an intermediate page, call the service, say what happened, go back."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from quality.admin.forms import AssignForm, ResolutionForm
from quality.selectors import violation_assignee_candidates
from quality.services.triage import (
    ACKNOWLEDGEABLE_STATUSES,
    ASSIGNABLE_STATUSES,
    CLOSABLE_STATUSES,
    REOPENABLE_STATUSES,
    violation_acknowledge,
    violation_assign,
    violation_ignore,
    violation_reopen,
    violation_resolve,
)

CONFIRM = "apply"
"""Posted by the intermediate page's submit button: the answers are final."""

PREVIEW_SIZE = 10


@dataclass(frozen=True)
class TriageStep:
    name: str
    verb: str
    past_tense: str
    from_statuses: tuple
    service: object
    form_class: type | None = None

    @property
    def action_name(self):
        """The admin action's name (in the actions dropdown and in forms that post to it)."""
        return f"{self.name}_violations"

    @property
    def asks(self):
        return self.form_class is not None


TRIAGE_STEPS = {
    step.name: step
    for step in (
        TriageStep("acknowledge", "Acknowledge", "acknowledged", ACKNOWLEDGEABLE_STATUSES,
                   violation_acknowledge),
        TriageStep("assign", "Assign", "assigned", ASSIGNABLE_STATUSES, violation_assign,
                   AssignForm),
        TriageStep("resolve", "Resolve", "resolved", CLOSABLE_STATUSES, violation_resolve,
                   ResolutionForm),
        TriageStep("ignore", "Ignore", "ignored", CLOSABLE_STATUSES, violation_ignore,
                   ResolutionForm),
        TriageStep("reopen", "Reopen", "reopened", REOPENABLE_STATUSES, violation_reopen),
    )
}


def triage_response(request, *, model_admin, step, violations, hidden_fields, return_url):
    """Run `step` on those of `violations` the user may triage, asking first if the step
    needs answers. Returns the intermediate page, or a redirect to `return_url`."""
    triageable = violations.filter(space_id__in=request.tenant_access.editable_space_ids)
    form = None
    if step.asks:
        form = _form(step, request, triageable)
        if not (CONFIRM in request.POST and form.is_valid()):
            return _confirmation_page(request, model_admin, step, form, triageable,
                                      hidden_fields, return_url)
    answers = form.cleaned_data if form else {}
    try:
        moved = step.service(violations=triageable, actor=request.user, **answers)
    except ValidationError as error:
        form.add_error(None, error)
        return _confirmation_page(request, model_admin, step, form, triageable, hidden_fields,
                                  return_url)
    _report(request, step, moved=moved, selected=violations.count())
    return HttpResponseRedirect(return_url)


def safe_return_url(request, candidate, default):
    """`candidate` when it is a path on this site, else `default` (no open redirects)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _form(step, request, violations):
    data = request.POST if CONFIRM in request.POST else None
    if step.form_class is AssignForm:
        space_ids = violations.order_by().values_list("space_id", flat=True).distinct()
        return AssignForm(data, candidates=violation_assignee_candidates(space_ids=space_ids))
    return step.form_class(data)


def _confirmation_page(request, model_admin, step, form, violations, hidden_fields,
                       return_url):
    preview = violations.select_related("data_contract").order_by("-check_timestamp", "-pk")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{step.verb} violations",
        "opts": model_admin.opts,
        "step": step,
        "form": form,
        "violation_count": violations.count(),
        "preview": list(preview.seal()[:PREVIEW_SIZE]),
        "hidden_fields": hidden_fields,
        "confirm": CONFIRM,
        "return_url": return_url,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/quality/triage_confirmation.html", context)


def _report(request, step, *, moved, selected):
    message = f"{step.past_tense.capitalize()} {_violations(moved)}."
    left = selected - moved
    if left:
        message += (
            f" {_violations(left).capitalize()} left as {'it was' if left == 1 else 'they were'}:"
            f" not in a status that can be {step.past_tense}, or in a space you may only read."
        )
    messages.add_message(request, messages.SUCCESS if moved else messages.WARNING, message)


def _violations(count):
    return f"{count} violation" if count == 1 else f"{count} violations"
