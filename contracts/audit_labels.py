"""The contract actions of the audit log in words (registered when the app is ready)."""

from tenancy.audit_labels import change_after, register_action, register_terms

ROLE_TERMS = {
    "business_owners": "business owner",
    "bu_sme": "BU SME",
    "it_application_owners": "IT application owner",
    "it_sme": "IT SME",
    "support_lead": "support lead",
    "pulls_from": "system pulled from",
    "pushes_to": "system pushed to",
    "system_sources": "source system",
    "domains": "domain",
}


def _version(entry):
    # A contract's name is "<name> <version>" (DataContract.__str__).
    return entry.object_repr.rsplit(" ", 1)[-1]


def _link(verb, side):
    def sentence(changes, entry):
        return "; ".join(f"{verb} {ROLE_TERMS.get(role, role)} {value[side]}"
                         for role, value in changes.items()) or verb
    return sentence


def _with_comment(words, changes):
    comment = change_after(changes, "comment")
    return f"{words}: {comment}" if comment else words


def register():
    register_terms(ROLE_TERMS)
    register_action("contracts.link.added", title="owner, system or domain added",
                    sentence=_link("added", 1))
    register_action("contracts.link.removed", title="owner, system or domain removed",
                    sentence=_link("removed", 0))
    register_action("contracts.contract.activated", title="contract activated",
                    sentence=lambda changes, entry: f"activated {_version(entry)}")
    register_action("contracts.contract.deprecated", title="contract deprecated",
                    sentence=lambda changes, entry: f"deprecated {_version(entry)}")
    register_action(
        "contracts.contract.version_created", title="new contract version",
        sentence=lambda changes, entry: (
            f"created version {_version(entry)} from {change_after(changes, 'copied_from')}"
        ),
    )
    register_action(
        "contracts.contract.imported", title="contract imported",
        sentence=lambda changes, entry: f"imported ({change_after(changes, 'outcome')})",
    )
    register_action(
        "contracts.contract.renumbered", title="version renumbered",
        sentence=lambda changes, entry: f"renumbered to {change_after(changes, 'version')}",
    )
    register_action("contracts.review.requested", title="review requested",
                    sentence=lambda changes, entry: "submitted for review")
    register_action("contracts.review.approved", title="review approved",
                    sentence=lambda changes, entry: _with_comment("approved", changes))
    register_action("contracts.review.outdated", title="review outdated by an edit",
                    sentence=lambda changes, entry: "edited after review: review again")
    register_action(
        "contracts.review.changes_requested", title="review: changes requested",
        sentence=lambda changes, entry: _with_comment("requested changes", changes),
    )
