"""Export reference data, contracts, links or violations of one space to CSV, JSON or YAML.

A CSV export is safe to open in a spreadsheet: cells that would start a formula
are escaped (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT), and `import_data` reads them
back unchanged.
"""

from pathlib import Path

from django.core.management.base import CommandError

from contracts.resources import CSV, JSON, YAML
from quality.bulk.readers import file_format_of
from quality.resources import RESOURCES
from tenancy.commands import SpaceCommand

EXPORT_FORMATS = {"csv": CSV, "json": JSON, "yaml": YAML}
FILTERS = ("contract", "status")


class Command(SpaceCommand):
    help = (
        "Export owners, systems, domains, contracts, ownership-links, system-links or "
        "violations of a space as CSV, JSON or YAML."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=list(RESOURCES), help="What to export.")
        parser.add_argument(
            "--format", dest="file_format", choices=list(EXPORT_FORMATS),
            help="csv, json or yaml (default: from --output's suffix, else csv).",
        )
        parser.add_argument("--contract", help="Only rows of the contract with this name.")
        parser.add_argument("--status", help="Only rows with this status (contracts, violations).")
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle_in_space(self, space, *, resource, file_format=None, output=None, **options):
        filters = {name: options[name] for name in FILTERS if options.get(name) is not None}
        resource_class = RESOURCES[resource]
        for name in filters:
            if name not in resource_class.export_filters:
                accepted = ", ".join(f"--{accepted}" for accepted in resource_class.export_filters)
                raise CommandError(
                    f"--{name} does not apply to {resource}; it takes {accepted or 'no filter'}."
                )
        file_format = file_format or (output and file_format_of(output)) or "csv"
        if file_format not in EXPORT_FORMATS:
            raise CommandError(f"cannot export {file_format}: use --format csv, json or yaml.")
        try:
            dataset = resource_class(space=space).export(**filters)
        except ValueError as error:
            raise CommandError(str(error)) from None
        text = EXPORT_FORMATS[file_format]().export_data(dataset)
        if output is None:
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8", newline="")
        rows = f"{len(dataset)} row{'s' if len(dataset) != 1 else ''}"
        self.stdout.write(f"Exported {rows} of {resource} to {output}.")
