"""Benchmark: `import_data violations` against PostgreSQL's own COPY of the same rows.

It creates its own database (dropped at the end unless --keep), migrates it, makes
a space with one contract and writes a CSV of --rows violations of that contract.
Then, each time into the emptied (TRUNCATEd) quality_violations with all its indexes
(the ERD's and the project's) and its insert trigger in place:

1. COPY: PostgreSQL's own COPY ... FROM STDIN (FORMAT csv) of the same rows, as the
   table's columns (the contract's id and the space's id instead of the names),
   streamed from a file by psycopg: the floor no importer can beat.
2. import_data: `manage.py import_data violations FILE --space ...` as a subprocess;
   wall time of the whole process (start-up included) and its peak RSS, read from
   that child's own rusage (os.wait4).
3. django-import-export: the admin's path, `QualityViolationResource.import_data`
   (dry_run=False, one transaction), on the first --resource-rows rows.

It prints rows/s of each, the ratio import_data/COPY (target: at least 0.5) and the
peak RSS (target: under 300 MB).

    .venv/bin/python bench/import_violations.py [--rows 1000000] [--resource-rows 10000]

PostgreSQL is reached at --server (default postgres://postgres@127.0.0.1:5432, or
$BENCH_POSTGRES_URL); the user must be allowed to create databases.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parent.parent
CHUNK_BYTES = 1024 * 1024
IMPORT_COLUMNS = (
    "contract_name", "contract_version", "schema_id", "schema_version", "record_identifier",
    "record_data", "field_name", "error_type", "error_message", "severity", "rule",
    "check_timestamp",
)
ERROR_KINDS = (
    ("age", "validation_error", "greater_than_or_equal_to", "age must be greater than or equal "
                                                            "to 0", "warning"),
    ("email", "validation_error", "matches_regex", "email does not match the pattern", "warning"),
    ("user_id", "missing_field", "required", "required field is missing", "critical"),
    ("created_at", "type_error", "coerce_to_datetime", "cannot read 'yesterday' as a date and "
                                                       "time", "info"),
)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resource-rows", type=int, default=10_000)
    parser.add_argument("--server", default=os.environ.get(
        "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="pycharter_bench_import")
    parser.add_argument("--keep", action="store_true", help="Keep the database and files.")
    return parser.parse_args()


def _database_recreate(server, database):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')


def _database_drop(server, database):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _django_setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pycharter_site.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["PYCHARTER_MAX_IMPORT_BYTES"] = str(1 << 40)
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


def _tenant_create():
    """The organization, space and contract the violations are about."""
    from django_scopes import scopes_disabled

    from contracts.models import DataContract
    from tenancy.models import Organization, Space

    with scopes_disabled():
        organization = Organization.objects.create(name="Bench", slug="bench")
        space = Space.objects.create(organization=organization, name="Violations",
                                     slug="violations")
        contract = DataContract.objects.create(space=space, name="user_contract",
                                               version="1.0.0", status="active")
    return space, contract


def _violation(number, start):
    field_name, error_type, rule, message, severity = ERROR_KINDS[number % len(ERROR_KINDS)]
    return {
        "schema_id": "user_schema", "schema_version": "1.0.0",
        "record_identifier": f"user_{number}",
        "record_data": json.dumps({"user_id": f"u{number}", "age": -(number % 90),
                                   "email": f"user{number}@example"}),
        "field_name": field_name, "error_type": error_type, "error_message": message,
        "severity": severity, "rule": rule,
        "check_timestamp": (start + timedelta(seconds=number)).isoformat(),
    }


def _files_write(folder, rows, contract, space):
    """The import file (the contract by name) and the same rows as the table's columns."""
    from quality.bulk.violations import WRITTEN_COLUMNS

    import_path, copy_path = folder / "violations.csv", folder / "violations_table.csv"
    start = datetime(2026, 11, 21, tzinfo=UTC)
    with import_path.open("w", newline="", encoding="utf-8") as import_file, \
            copy_path.open("w", newline="", encoding="utf-8") as copy_file:
        import_writer, copy_writer = csv.writer(import_file), csv.writer(copy_file)
        import_writer.writerow(IMPORT_COLUMNS)
        copy_writer.writerow(WRITTEN_COLUMNS)
        table_values = {"data_contract_id": str(contract.pk), "space_id": str(space.pk),
                        "status": "open", "priority": "medium"}
        for number in range(rows):
            violation = _violation(number, start)
            import_writer.writerow([contract.name, contract.version]
                                   + [violation[column] for column in IMPORT_COLUMNS[2:]])
            copy_writer.writerow([table_values.get(column, violation.get(column))
                                  for column in WRITTEN_COLUMNS])
    return import_path, copy_path


def _table_empty(database_url):
    with psycopg.connect(database_url, options="-c search_path=pycharter,public") as connection:
        connection.execute("TRUNCATE quality_violations CASCADE")
        connection.execute("CHECKPOINT")


def _count(database_url):
    with psycopg.connect(database_url, options="-c search_path=pycharter,public") as connection:
        return connection.execute("SELECT count(*) FROM quality_violations").fetchone()[0]


def _copy_baseline(database_url, copy_path):
    from quality.bulk.violations import WRITTEN_COLUMNS

    statement = (f"COPY quality_violations ({', '.join(WRITTEN_COLUMNS)}) "
                 "FROM STDIN WITH (FORMAT csv, HEADER true)")
    started = time.perf_counter()
    with psycopg.connect(database_url, options="-c search_path=pycharter,public") as connection:
        with connection.cursor() as cursor, cursor.copy(statement) as copy, \
                copy_path.open("rb") as file:
            while data := file.read(CHUNK_BYTES):
                copy.write(data)
        connection.commit()
    return time.perf_counter() - started


def _import_data(database_url, import_path):
    """Run the command; (seconds, peak RSS in bytes, its JSON summary)."""
    environment = {**os.environ, "DATABASE_URL": database_url}
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_data", "violations", str(import_path),
             "--space", "bench/violations", "--json"],
            cwd=PROJECT, env=environment, stdout=output,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        summary = json.loads(output.read())
    if process.returncode != 0:
        raise SystemExit(f"import_data failed: {summary['errors']}")
    return seconds, usage.ru_maxrss * 1024, summary


def _resource_import(space, import_path, rows):
    """The admin's path on the first `rows` rows; seconds."""
    import tablib

    from quality.resources import QualityViolationResource
    from tenancy.audit import audit_actor
    from tenancy.scoping import space_scope

    with import_path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        headers = next(reader)
        dataset = tablib.Dataset(*[row for _, row in zip(range(rows), reader, strict=False)],
                                 headers=headers)
    with space_scope(space), audit_actor(name="bench"):
        started = time.perf_counter()
        result = QualityViolationResource(space=space, actor="bench").import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        seconds = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("the django-import-export import failed")
    return seconds


def main():
    arguments = _arguments()
    database_url = f"{arguments.server}/{arguments.database}"
    _database_recreate(arguments.server, arguments.database)
    folder = Path(tempfile.mkdtemp(prefix="pycharter_bench_import_"))
    try:
        _django_setup(database_url)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        space, contract = _tenant_create()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = "
                           "'quality_violations'")
            index_count = cursor.fetchone()[0]
        connection.close()

        started = time.perf_counter()
        import_path, copy_path = _files_write(folder, arguments.rows, contract, space)
        print(f"rows: {arguments.rows:,}; import file {import_path.stat().st_size / 1e6:.1f} MB, "
              f"table-columns file {copy_path.stat().st_size / 1e6:.1f} MB "
              f"(written in {time.perf_counter() - started:.1f} s)")
        print(f"PostgreSQL {server_version}; quality_violations has {index_count} indexes and "
              f"its space trigger; Python {platform.python_version()}, {os.cpu_count()} CPUs")

        _table_empty(database_url)
        copy_seconds = _copy_baseline(database_url, copy_path)
        assert _count(database_url) == arguments.rows

        _table_empty(database_url)
        import_seconds, peak_rss, summary = _import_data(database_url, import_path)
        assert _count(database_url) == arguments.rows == summary["new"]

        _table_empty(database_url)
        resource_seconds = _resource_import(space, import_path, arguments.resource_rows)
        assert _count(database_url) == arguments.resource_rows
        connection.close()

        copy_rate = arguments.rows / copy_seconds
        import_rate = arguments.rows / import_seconds
        resource_rate = arguments.resource_rows / resource_seconds
        print(f"{'path':<44}{'rows':>11}{'seconds':>10}{'rows/s':>11}")
        print(f"{'PostgreSQL COPY (table columns)':<44}{arguments.rows:>11,}"
              f"{copy_seconds:>10.1f}{copy_rate:>11,.0f}")
        print(f"{'manage.py import_data violations (process)':<44}{arguments.rows:>11,}"
              f"{import_seconds:>10.1f}{import_rate:>11,.0f}")
        print(f"{'django-import-export resource.import_data':<44}{arguments.resource_rows:>11,}"
              f"{resource_seconds:>10.1f}{resource_rate:>11,.0f}")
        print(f"ratio import_data / COPY: {import_rate / copy_rate:.2f} (target >= 0.50)")
        print(f"peak RSS of import_data: {peak_rss / 1e6:.0f} MB (target < 300 MB)")
        print(f"import_data / django-import-export: {import_rate / resource_rate:.0f}x")
    finally:
        if arguments.keep:
            print(f"kept database {arguments.database} and files in {folder}")
        else:
            _database_drop(arguments.server, arguments.database)
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()


if __name__ == "__main__":
    main()
