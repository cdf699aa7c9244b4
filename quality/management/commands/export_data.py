"""Export reference data, contracts, links or violations of one space to CSV, JSON or YAML.

`--filter NAME=VALUE` narrows contracts, reference data and violations with the
FilterSets of the HTTP API's lists: the same names, values and checks as its query
parameters (e.g. `--filter severity=critical --filter checked_after=2024-05-01T00:00:00Z`).

A CSV export is safe to open in a spreadsheet: cells that would start a formula
are escaped (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT), and `import_data` reads them
back unchanged.
"""

from pathlib import Path

from django.core.management.base import CommandError
from django.http import QueryDict

from contracts.filters import ContractFilterSet, DomainFilterSet, OwnerFilterSet, SystemFilterSet
from contracts.resources import CSV, JSON, YAML
from quality.bulk.readers import file_format_of
from quality.filters import ViolationFilterSet
from quality.resources import RESOURCES
from tenancy.commands import SpaceCommand

EXPORT_FORMATS = {"csv": CSV, "json": JSON, "yaml": YAML}
FILTERS = ("contract", "status")
FILTERSETS = {"contracts": ContractFilterSet, "owners": OwnerFilterSet,
              "systems": SystemFilterSet, "domains": DomainFilterSet,
              "violations": ViolationFilterSet}


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
        parser.add_argument(
            "--filter", dest="filter_pairs", action="append", default=[], metavar="NAME=VALUE",
            help="A filter of the API's list of the same rows (repeatable); see the API docs.",
        )
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle_in_space(self, space, *, resource, file_format=None, output=None,
                        filter_pairs=(), **options):
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
        exporter = resource_class(space=space)
        queryset = _filtered(resource, exporter, filter_pairs) if filter_pairs else None
        try:
            dataset = exporter.export(queryset=queryset, **filters)
        except ValueError as error:
            raise CommandError(str(error)) from None
        text = EXPORT_FORMATS[file_format]().export_data(dataset)
        if output is None:
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8", newline="")
        rows = f"{len(dataset)} row{'s' if len(dataset) != 1 else ''}"
        self.stdout.write(f"Exported {rows} of {resource} to {output}.")


def _filtered(resource, exporter, filter_pairs):
    """The rows to export, narrowed by the API list's FilterSet of `resource`."""
    filterset_class = FILTERSETS.get(resource)
    if filterset_class is None:
        raise CommandError(f"--filter does not apply to {resource}.")
    data = QueryDict(mutable=True)
    for pair in filter_pairs:
        name, equals, value = pair.partition("=")
        if not equals or name not in filterset_class.base_filters:
            accepted = ", ".join(sorted(filterset_class.base_filters))
            raise CommandError(f"--filter {pair!r}: expected NAME=VALUE with NAME one of "
                               f"{accepted}.")
        data.appendlist(name, value)
    filterset = filterset_class(data, queryset=exporter.get_queryset())
    if not filterset.is_valid():
        raise CommandError("; ".join(
            f"--filter {name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        ))
    return filterset.qs
