"""Import parsed PyCharter documents (contracts and reference entities) into one space.

All or nothing: every contract and entity of the documents goes in, or none does.
`dry_run` does the whole import and rolls it back, which is how the admin shows a
preview of what would be created or changed.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.documents.bundle import ParsedDocuments
from contracts.services.contract_import import ContractImportResult, contract_import
from contracts.services.reference import domain_upsert, owner_upsert, system_upsert


class DocumentImportError(Exception):
    """A contract of the documents could not be imported; names the source and field."""

    def __init__(self, messages):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class DocumentImportSummary:
    contracts: list[ContractImportResult] = field(default_factory=list)
    reference_created: dict[str, int] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)
    dry_run: bool = False


class _RollBack(Exception):
    pass


def _error_messages(error, source, subject):
    details = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    messages = []
    for field_name, field_messages in details.items():
        where = f"{source}: {subject}" + (f", field {field_name}" if field_name else "")
        messages.extend(f"{where}: {message}" for message in field_messages)
    return messages


def contract_documents_import(*, space, parsed: ParsedDocuments, actor=None, replace=False,
                              source="<upload>", dry_run=False):
    """Import everything `parsed` holds into `space`; raises DocumentImportError on any problem."""
    summary = DocumentImportSummary(
        skipped_files=[str(path) for path in parsed.skipped], dry_run=dry_run
    )
    try:
        with transaction.atomic():
            _import(space, parsed, actor, replace, source, summary)
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return summary


def _import(space, parsed, actor, replace, source, summary):
    organization = space.organization
    errors = []
    for kind, entities, upsert, key in (
        ("owners", parsed.owners, owner_upsert, "owner_id"),
        ("systems", parsed.systems, system_upsert, "name"),
        ("domains", parsed.domains, domain_upsert, "name"),
    ):
        created = 0
        for entity in entities:
            values = dict(vars(entity))
            identifier = values.pop("id", None) or values.pop("name")
            try:
                with transaction.atomic():
                    _, was_created = upsert(organization=organization, **{key: identifier},
                                            actor=actor, **values)
            except ValidationError as error:
                errors.extend(_error_messages(error, source, f"{kind} {identifier!r}"))
                continue
            created += was_created
        summary.reference_created[kind] = created
    for bundle in parsed.bundles:
        try:
            with transaction.atomic():
                summary.contracts.append(
                    contract_import(space=space, bundle=bundle, actor=actor, replace=replace)
                )
        except ValidationError as error:
            subject = f"contract {bundle.name} {bundle.version}"
            errors.extend(_error_messages(error, source, subject))
    if errors:
        raise DocumentImportError(errors)
