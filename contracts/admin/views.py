"""The contract pages beyond Django's add/change/list: lifecycle steps, the version diff, and
the autocomplete of owners, systems and domains. Each parses the request, calls a service or
selector, and renders; the contract is found through the admin, so another space's is a 404.
"""

from django.contrib import messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from contracts.admin.forms import ActivationForm, NewVersionForm
from contracts.diff import contract_diff
from contracts.models import MetadataRecord
from contracts.selectors import contract_family, contract_reviews, contract_terms
from contracts.services.lifecycle import (
    VersionBump,
    contract_activate,
    contract_activation_review,
    contract_deprecate,
    contract_new_version,
    contract_renumber,
    version_bumped,
)
from contracts.services.review import (
    contract_review_approve,
    contract_review_request,
    contract_review_request_changes,
)

#: The review steps a steward can take on the review page: (service, message).
REVIEW_STEPS = {
    "request": (lambda contract, actor, comment: contract_review_request(
        contract=contract, actor=actor), "In review: another steward must approve it."),
    "approve": (lambda contract, actor, comment: contract_review_approve(
        contract=contract, actor=actor, comment=comment), "Approved: it can be activated."),
    "request_changes": (lambda contract, actor, comment: contract_review_request_changes(
        contract=contract, actor=actor, comment=comment), "Changes requested from its author."),
}


class OrganizationAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete for the link fields of a metadata record, offering only
    the owners, systems or domains of one organization."""

    organization_id = None

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if source_field.model is not MetadataRecord:
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name

    def get_queryset(self):
        return super().get_queryset().filter(organization_id=self.organization_id)


def reference_autocomplete_view(model_admin, request, object_id):
    contract = model_admin.contract_or_404(request, object_id)
    return OrganizationAutocompleteJsonView.as_view(
        admin_site=model_admin.admin_site, organization_id=contract.space.organization_id
    )(request)


def _editable_contract(model_admin, request, object_id):
    contract = model_admin.contract_or_404(request, object_id)
    if not model_admin.has_change_permission(request, contract):
        raise PermissionDenied
    return contract


def _page(model_admin, request, template, title, **context):
    return TemplateResponse(
        request,
        f"admin/contracts/datacontract/{template}",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            **context,
        },
    )


def change_url(contract):
    return reverse("admin:contracts_datacontract_change", args=[contract.pk])


def new_version_page(model_admin, request, contracts, form, *, selected_action=None):
    """The page where the steward picks the bump of one or more contracts' new versions."""
    previews = [
        (contract, {bump: version_bumped(contract.version, bump) for bump in VersionBump.values})
        for contract in contracts
    ]
    return _page(
        model_admin, request, "new_version.html", "Create a new version",
        form=form, previews=previews, selected_action=selected_action,
        contract=contracts[0] if len(contracts) == 1 else None,
    )


def new_versions_create(model_admin, request, contracts, bump):
    """Create a new version of each contract; returns the copies made, reporting failures."""
    copies = []
    for contract in contracts:
        try:
            copy = contract_new_version(contract=contract, bump=bump, actor=request.user)
        except ValidationError as error:
            model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
            continue
        model_admin.log_addition(request, copy, f"New version of {contract}.")
        copies.append(copy)
    if copies:
        model_admin.message_user(
            request,
            "Created the draft "
            + ", ".join(f"{copy.name} {copy.version}" for copy in copies)
            + ". Edit it, then activate it.",
            messages.SUCCESS,
        )
    return copies


def new_version_view(model_admin, request, object_id):
    contract = _editable_contract(model_admin, request, object_id)
    form = NewVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        copies = new_versions_create(model_admin, request, [contract], form.cleaned_data["bump"])
        return HttpResponseRedirect(change_url(copies[0] if copies else contract))
    return new_version_page(model_admin, request, [contract], form)


def activate_view(model_admin, request, object_id):
    contract = _editable_contract(model_admin, request, object_id)
    review = contract_activation_review(contract=contract)
    form = ActivationForm(request.POST or None, needs_sign_off=review.needs_sign_off,
                          needs_reason_for_version=review.needs_reason_for_version)
    if request.method == "POST" and not review.problems and form.is_valid():
        try:
            activated = contract_activate(
                contract=contract,
                actor=request.user,
                accept_breaking_changes=form.cleaned_data.get("accept_breaking_changes", False),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            message = "Activated."
            if review.active_version is not None:
                message = f"Activated; {review.active_version} is now deprecated."
            model_admin.log_change(request, activated, message)
            model_admin.message_user(request, f"{activated}: {message}", messages.SUCCESS)
            return HttpResponseRedirect(change_url(activated))
    return _page(
        model_admin, request, "activate.html", f"Activate {contract}",
        contract=review.contract, review=review, form=form,
    )


def renumber_view(model_admin, request, object_id):
    """Number a draft as the activation page suggests, then go back to activating it."""
    contract = _editable_contract(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseRedirect(change_url(contract))
    try:
        renumbered = contract_renumber(contract=contract, version=request.POST.get("version", ""),
                                       actor=request.user)
    except ValidationError as error:
        model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(change_url(contract))
    model_admin.log_change(request, renumbered, f"Renumbered {contract.version} → "
                                                f"{renumbered.version}.")
    model_admin.message_user(request, f"{contract} is now {renumbered}.", messages.SUCCESS)
    return HttpResponseRedirect(
        reverse("admin:contracts_datacontract_activate", args=[renumbered.pk]))


def contracts_deprecate(model_admin, request, contracts):
    for contract in contracts:
        try:
            deprecated = contract_deprecate(contract=contract, actor=request.user)
        except ValidationError as error:
            model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            model_admin.log_change(request, deprecated, "Deprecated.")
            model_admin.message_user(request, f"{deprecated} is deprecated.", messages.SUCCESS)


def deprecate_view(model_admin, request, object_id):
    contract = _editable_contract(model_admin, request, object_id)
    if request.method == "POST":
        contracts_deprecate(model_admin, request, [contract])
        return HttpResponseRedirect(change_url(contract))
    return _page(model_admin, request, "deprecate.html", f"Deprecate {contract}",
                 contract=contract)


def compare_view(model_admin, request, object_id, other_id):
    """The changes between two versions of one contract, from the older to the newer."""
    contract = model_admin.contract_or_404(request, object_id)
    other = model_admin.contract_or_404(request, other_id)
    if (other.space_id, other.name) != (contract.space_id, contract.name) or other == contract:
        raise Http404("Compare two versions of the same contract.")
    family = contract_family(contract=contract)
    order = [row[0] for row in family]
    older, newer = sorted((contract, other), key=lambda version: -order.index(version.pk))
    diff = contract_diff(contract_terms(older), contract_terms(newer))
    return _page(
        model_admin, request, "compare.html", f"{contract.name}: {older.version} → {newer.version}",
        contract=contract, older=older, newer=newer, diff=diff, family=family,
        suggested_version=version_bumped(older.version, diff.suggested_bump),
    )


def review_view(model_admin, request, object_id):
    """Ask for review, approve, or request changes (`step` of the form), with a comment."""
    contract = _editable_contract(model_admin, request, object_id)
    error = None
    comment = request.POST.get("comment", "")
    if request.method == "POST":
        step = REVIEW_STEPS.get(request.POST.get("step"))
        if step is None:
            raise Http404("No such review step.")
        service, message = step
        try:
            service(contract, request.user, comment)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            model_admin.message_user(request, f"{contract}: {message}", messages.SUCCESS)
            return HttpResponseRedirect(change_url(contract))
    return _page(
        model_admin, request, "review.html", f"Review {contract}",
        contract=contract, reviews=contract_reviews(contract), error=error, comment=comment,
    )
