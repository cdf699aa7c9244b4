"""Import reference data, contracts, links or violations from a file into one space.

For pipelines: all rows or none, a non-zero exit status on any error, a JSON
summary with --json, and a progress bar only when the output is a terminal.
"""

import json
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from quality.bulk.imports import STREAMED_FORMATS, data_file_import
from quality.bulk.readers import FORMATS, file_format_of
from quality.resources import RESOURCES
from tenancy.commands import SpaceCommand

COMMAND_ACTOR = "command:import_data"


class _ProgressBar:
    """Adapts the imports' `progress(done, total)` calls to a tqdm bar, drawn once the total
    is known and left on screen with the final count."""

    def __init__(self, stream, *, unit, description):
        self.stream = stream
        self.options = {"unit": unit, "unit_scale": unit == "B", "desc": description}
        self.bar = None

    def __call__(self, done, total):
        if self.bar is None:
            self.bar = tqdm(file=self.stream, total=total, **self.options)
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class Command(SpaceCommand):
    help = (
        "Import owners, systems, domains, contracts, ownership-links, system-links or "
        "violations from a CSV, JSON (JSON Lines) or YAML file into a space: all rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=list(RESOURCES), help="What the file holds.")
        parser.add_argument("file", help="The file to import.")
        parser.add_argument(
            "--format", dest="file_format", choices=FORMATS,
            help="The file's format (default: from its suffix).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json",
            help="Print a machine-readable summary (counts and errors) on stdout.",
        )

    def handle_in_space(self, space, *, resource, file, file_format=None, as_json=False,
                        **options):
        path = Path(file)
        file_format = file_format or file_format_of(path)
        if file_format is None:
            raise CommandError(f"{path}: cannot tell the format from the suffix; pass --format.")
        if resource == "violations" and file_format not in STREAMED_FORMATS:
            raise CommandError(
                "violations are streamed from csv, json or jsonl; YAML cannot be streamed."
            )
        progress = self._progress_bar(resource, unit="B" if resource == "violations" else "rows")
        try:
            summary = self._import(space, resource, path, file_format, progress)
        finally:
            if progress is not None:
                progress.close()
        space_name = f"{space.organization.slug}/{space.slug}"
        if as_json:
            self.stdout.write(json.dumps({"space": space_name, **summary.as_json()}, indent=2))
        if not summary.ok:
            for line in summary.problem_lines():
                self.stderr.write(line)
            raise CommandError(
                f"Nothing was imported: {summary.problem_count} "
                f"error{'s' if summary.problem_count != 1 else ''} in {path}."
            )
        if not as_json:
            self.stdout.write(
                f"Imported {resource} from {path} into {space_name}: {summary.new} new, "
                f"{summary.updated} updated, {summary.unchanged} unchanged, "
                f"{summary.skipped} skipped."
            )

    def _import(self, space, resource, path, file_format, progress):
        return data_file_import(space=space, resource_name=resource, path=path,
                                file_format=file_format, actor=COMMAND_ACTOR, progress=progress)

    def _progress_bar(self, resource, *, unit):
        """A bar on stderr when stdout is a terminal; none for pipelines and files."""
        if not self.stdout.isatty():
            return None
        # The wrapped stream: Django's OutputWrapper ends every write with a newline, which
        # would print each redraw of the bar on a line of its own.
        return _ProgressBar(self.stderr._out, unit=unit, description=resource)
