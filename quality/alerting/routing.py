"""Who receives an alert: the contract's owners in the roles routed for the alert's kind."""

from django.core.exceptions import ValidationError

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract
from quality.models import AlertKind, AlertRouting

DEFAULT_ROUTES = {
    AlertKind.QUALITY_CHECK_FAILED: ["it_sme", "support_lead"],
    AlertKind.BREAKING_VERSION: ["business_owners", "bu_sme"],
}


def validate_routes(routes):
    if not isinstance(routes, dict):
        raise ValidationError({"routes": "Must map alert kinds to lists of roles."})
    problems = []
    for kind, roles in routes.items():
        if kind not in AlertKind.values:
            problems.append(f"{kind}: not an alert kind ({', '.join(AlertKind.values)}).")
        elif not isinstance(roles, list) or any(role not in OWNERSHIP_ROLE_LINKS for role in roles):
            problems.append(
                f"{kind}: roles must be a list of {', '.join(OWNERSHIP_ROLE_LINKS)}."
            )
    if problems:
        raise ValidationError({"routes": problems})


def routed_roles(*, space, kind):
    routing = AlertRouting.objects.filter(space=space).first()
    if routing is not None and kind in routing.routes:
        return list(routing.routes[kind])
    return list(DEFAULT_ROUTES.get(kind, []))


def routed_owner_emails(*, contract: DataContract | None, roles):
    """Emails of the owners holding `roles` on the contract's current metadata record."""
    if contract is None or contract.metadata_record_id is None:
        return []
    emails = []
    for role in roles:
        link_model = OWNERSHIP_ROLE_LINKS[role]
        emails.extend(
            link_model.objects.filter(metadata_record_id=contract.metadata_record_id)
            .exclude(owner__email=None)
            .values_list("owner__email", flat=True)
        )
    return list(dict.fromkeys(emails))
