"""One entry for every file import of a space: `import_data`, and the admin's imports that
run as jobs. Violations stream (COPY); every other resource goes row by row through its
django-import-export resource. All rows or none."""

from django.conf import settings

from quality.bulk.resource_files import resource_file_import
from quality.bulk.violations import violation_file_import
from quality.resources import RESOURCES

#: Formats each resource is read in; violations stream, which YAML cannot.
STREAMED_FORMATS = ("csv", "json", "jsonl")


def data_file_import(*, space, resource_name, path, file_format, actor, progress=None):
    """Import the file at `path` into `space` as `actor` (a user or a process name); returns
    the ImportSummary (nothing was written when it reports a problem)."""
    max_bytes = settings.PYCHARTER_MAX_IMPORT_BYTES
    if resource_name == "violations":
        if file_format not in STREAMED_FORMATS:
            raise ValueError("violations are streamed from csv, json or jsonl; "
                             "YAML cannot be streamed.")
        return violation_file_import(space=space, path=path, file_format=file_format,
                                     max_bytes=max_bytes, progress=progress)
    return resource_file_import(
        resource=RESOURCES[resource_name](space=space, actor=actor),
        resource_name=resource_name, path=path, file_format=file_format, max_bytes=max_bytes,
        progress=progress,
    )
