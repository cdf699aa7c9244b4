"""Import PyCharter contract documents: a whole contract, split files, or a seed folder."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from contracts.documents.errors import DocumentError
from contracts.documents.loading import load_document
from contracts.documents.parsing import parse_seed_folder, parse_split_files
from contracts.documents.upload import contract_document_parse
from contracts.services.document_import import DocumentImportError, contract_documents_import
from tenancy.commands import SpaceCommand


def documents_parse(paths, *, max_bytes):
    """One whole-contract file (PyCharter or ODCS v3), a seed-layout folder, or several split
    files of one contract. Returns the parsed documents and the notes of what could not be
    mapped (ODCS)."""
    if len(paths) == 1 and paths[0].is_dir():
        parsed = parse_seed_folder(paths[0], max_bytes=max_bytes)
        if not (parsed.bundles or parsed.owners or parsed.systems or parsed.domains):
            # A pipeline pointed at the wrong folder must fail, not report success.
            raise DocumentError(
                paths[0], None, None,
                "nothing to import: the folder has no entries in a contracts, owners, systems "
                "or domains file (.yaml, .yml or .json) of PyCharter's seed layout",
            )
        return parsed, []
    for path in paths:
        if not path.is_file():
            raise DocumentError(path, None, None, "no such file")
    if len(paths) > 1:
        return parse_split_files(paths, max_bytes=max_bytes), []
    return contract_document_parse(load_document(paths[0], max_bytes=max_bytes))


class Command(SpaceCommand):
    help = (
        "Import a PyCharter contract: one whole-contract file (YAML or JSON, PyCharter or Open "
        "Data Contract Standard v3), the split files "
        "of one contract given together (schema, coercion rules, validation rules, metadata), "
        "or a folder in PyCharter's seed layout. All or nothing. Importing the same content "
        "again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--replace", action="store_true",
            help="Replace an existing draft of the same name and version with other content.",
        )
        parser.add_argument("--dry-run", action="store_true",
                            help="Check and report; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print a machine-readable summary.")

    def handle_in_space(self, space, *, paths, replace, dry_run, json: bool, **options):
        source = ", ".join(str(path) for path in paths)
        try:
            parsed, notes = documents_parse(
                paths, max_bytes=settings.PYCHARTER_MAX_CONTRACT_BYTES
            )
            summary = contract_documents_import(
                space=space, parsed=parsed, actor="import_contract", replace=replace,
                source=source, dry_run=dry_run,
            )
        except DocumentError as error:
            raise CommandError(str(error)) from None
        except DocumentImportError as error:
            raise CommandError("\n".join(error.messages)) from None
        self._report(space, summary, notes, as_json=json)

    def _report(self, space, summary, notes, *, as_json):
        contracts = [
            {"name": result.contract.name, "version": result.contract.version,
             "outcome": result.outcome}
            for result in summary.contracts
        ]
        if as_json:
            self.stdout.write(_json_dumps({
                "space": f"{space.organization.slug}/{space.slug}",
                "dry_run": summary.dry_run,
                "contracts": contracts,
                "reference_created": summary.reference_created,
                "skipped_files": summary.skipped_files,
                "notes": notes,
            }))
            return
        for note in notes:
            self.stderr.write(note)
        for path in summary.skipped_files:
            self.stderr.write(f"skipped {path}: not a file of the seed layout")
        prefix = "would be " if summary.dry_run else ""
        for contract in contracts:
            self.stdout.write(
                f"{contract['name']} {contract['version']}: {prefix}{contract['outcome']}"
            )
        created = {kind: count for kind, count in summary.reference_created.items() if count}
        if created:
            listed = ", ".join(f"{count} {kind}" for kind, count in created.items())
            self.stdout.write(f"reference data {prefix}created: {listed}")


def _json_dumps(value):
    return json.dumps(value, indent=2)
