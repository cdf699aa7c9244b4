"""Export a contract as the PyCharter document it was imported from (or would be written as)."""

from pathlib import Path

from django.core.management.base import CommandError

from contracts.documents.odcs import bundle_to_odcs
from contracts.documents.serializing import (
    bundle_to_document,
    bundle_to_split_documents,
    dump_json,
    dump_yaml,
)
from contracts.selectors import contract_bundle, contract_for_export, contract_system_entries
from tenancy.commands import SpaceCommand
from tenancy.safe_paths import path_inside

DUMPERS = {"yaml": dump_yaml, "json": dump_json, "odcs": dump_yaml}


class Command(SpaceCommand):
    help = (
        "Write a contract as a PyCharter contract document, or as an Open Data Contract "
        "Standard v3 document with --format odcs. VERSION defaults to the active version, "
        "else the newest."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("version", nargs="?")
        parser.add_argument("--format", choices=sorted(DUMPERS), default="yaml")
        parser.add_argument("--output", type=Path, help="Write to this file instead of stdout.")
        parser.add_argument(
            "--split", type=Path, metavar="FOLDER",
            help="Write the split files (schema, coercion rules, validation rules, metadata) "
                 "into FOLDER instead of one document.",
        )

    def handle_in_space(self, space, *, name, version, format, output, split, **options):
        contract = contract_for_export(space=space, name=name, version=version)
        if contract is None:
            wanted = f"{name} {version}" if version else name
            raise CommandError(f"No contract {wanted} in {space.organization.slug}/{space.slug}.")
        bundle = contract_bundle(contract)
        dump = DUMPERS[format]
        if format == "odcs":
            exported = bundle_to_odcs(bundle, systems=contract_system_entries(contract))
            for note in exported.unmapped:
                self.stderr.write(f"kept as a pycharter custom property (no ODCS field): {note}")
            return self._write(dump(exported.document), output)
        if split:
            split.mkdir(parents=True, exist_ok=True)
            documents = bundle_to_split_documents(bundle)
            try:
                paths = {part: path_inside(split, f"{bundle.name}_{part}.{format}")
                         for part in documents}
            except ValueError as error:
                raise CommandError(f"contract {bundle.name!r}: {error}") from None
            for part, document in documents.items():
                path = paths[part]
                path.write_text(dump(document), encoding="utf-8")
                self.stderr.write(f"wrote {path}")
            return
        return self._write(dump(bundle_to_document(bundle)), output)

    def _write(self, text, output):
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
