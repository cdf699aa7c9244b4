#!/usr/bin/env python3
"""How fast the stewards' pages answer over ten million violations, on PostgreSQL.

    .venv/bin/python bench/admin_lists_10m.py [--violations 10000000] [--requests 15]
        [--database lists_bench_10m] [--server postgres://postgres@127.0.0.1:5432]
        [--seed-only] [--all-pages] [--explain]

1. Reuses ``--database`` when it holds a seed of the same size (a marker table says so);
   else (re)creates it, migrates it and seeds it: the steward's space (Skyline Air /
   Flights) holds 90% of the violations over 20 contracts of two versions each, another
   organization's space the rest over 5 contracts of two versions. Every contract was
   checked once a day for 90 days: each check stamps its violations with the same time,
   as a real check does. 12 fields, 4 error types, 3 severities; the last week's
   violations mostly need work, older ones are mostly resolved or ignored. The rows go
   in with one COPY (the table's indexes built afterwards, as a restore does), then the
   violation counts are counted by the same service a check uses.
2. Signs in as a steward of Flights (a member, not a superuser) with Django's test
   Client (whole middleware stack, DEBUG off) and times, after one warm-up request,
   ``--requests`` requests of each page: the violations list unfiltered and by contract
   and status, a contract's page with its quality panel, the dashboard (the admin
   index); with ``--all-pages`` also more filters, deep pages, a sort, a search, the
   contracts list, incidents and my work. Prints median and p95 per page against its target, the
   rows shown and the count the page states, and the three slowest SQL statements of
   one request (``--explain``: their EXPLAIN ANALYZE).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SEED_VERSION = 1
DAYS = 90
FIELDS = ("age", "email", "user_id", "country", "signup_date", "score", "plan", "phone",
          "last_login", "referrer", "currency", "postcode")
ERROR_TYPES = ("validation_error", "type_error", "missing_field", "format_error")
RULES = ("greater_than_or_equal_to", "type", "required", "format")
SEVERITIES = ("critical", "warning", "warning", "info", "info", "info")
# (status, weight) for violations found in the last week, and for older ones.
RECENT_STATUSES = (("open", 70), ("acknowledged", 10), ("assigned", 10), ("resolved", 7),
                   ("ignored", 3))
OLD_STATUSES = (("open", 8), ("acknowledged", 3), ("assigned", 2), ("resolved", 75),
                ("ignored", 12))
TARGETS_MS = {"list": 300, "contract": 300, "dashboard": 500}
COPY_COLUMNS = (
    "id", "schema_id", "schema_version", "data_contract_id", "space_id", "record_identifier",
    "record_data", "field_name", "error_type", "error_message", "severity", "status",
    "priority", "rule", "assignee_id", "check_timestamp", "resolved_at", "resolved_by",
    "resolution_reason", "tracked_by_checks", "created_at", "updated_at",
)


def main() -> int:
    arguments = _arguments()
    server = arguments.server.rstrip("/")
    os.environ.update(
        DATABASE_URL=f"{server}/{arguments.database}",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        STATIC_FILES_HASHED="false",
    )
    sys.path.insert(0, str(REPOSITORY))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pycharter_site.settings")
    seed = {"version": SEED_VERSION, "violations": arguments.violations}
    reuse = _seed_marker(server, arguments.database) == seed
    if not reuse:
        _recreate_database(server, arguments.database)

    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # a reused database may predate newer migrations
    print(f"migrated {arguments.database} in {time.perf_counter() - started:.0f} s",
          flush=True)
    if not reuse:
        _seed(arguments.violations)
        _mark_seeded(seed)
    else:
        print(f"reusing the seeded database {arguments.database}", flush=True)
    if not arguments.seed_only:
        _time_pages(arguments.requests, explain=arguments.explain,
                    all_pages=arguments.all_pages)
    return 0


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--violations", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--database", default="lists_bench_10m")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--all-pages", action="store_true",
                        help="also time lists beyond the targets (sorts, search, incidents)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of each page's slowest statements")
    return parser.parse_args()


# The seed


def _seed_marker(server, database):
    import psycopg

    try:
        with psycopg.connect(f"{server}/{database}") as connection:
            row = connection.execute("SELECT seed FROM public.bench_seed").fetchone()
            return json.loads(row[0]) if row else None
    except psycopg.Error:
        return None


def _mark_seeded(seed):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS public.bench_seed (seed text)")
        cursor.execute("DELETE FROM public.bench_seed")
        cursor.execute("INSERT INTO public.bench_seed VALUES (%s)", [json.dumps(seed)])


def _recreate_database(server, database):
    import psycopg
    from psycopg import sql

    print(f"creating database {database}", flush=True)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(database)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def _seed(count):
    from django.db import connection
    from django_scopes import scopes_disabled

    from tenancy.models import Membership, Organization, Role, Space

    with scopes_disabled():
        airline = Organization.objects.create(name="Skyline Air", slug="skyline")
        flights = Space.objects.create(organization=airline, name="Flights", slug="flights")
        retail_organization = Organization.objects.create(name="Northwind", slug="northwind")
        retail = Space.objects.create(organization=retail_organization, name="Retail",
                                      slug="retail")
        steward = _user("steward")
        Membership.objects.create(space=flights, user=steward, role=Role.STEWARD)
        assignees = [steward]
        for name in ("priya", "tomas", "amara"):
            assignees.append(_user(name))
            Membership.objects.create(space=flights, user=assignees[-1], role=Role.STEWARD)
        contracts = {
            flights: _contracts(flights, "flight", 20),
            retail: _contracts(retail, "retail", 5),
        }
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    shares = ((flights, count * 9 // 10), (retail, count - count * 9 // 10))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        indexes = _drop_secondary_indexes(cursor)
        cursor.execute("SET session_replication_role = replica")  # rows are consistent
        with cursor.cursor.copy(
            f"COPY quality_violations ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        ) as copy:
            written = 0
            for space, share in shares:
                for chunk in _violation_rows(space, contracts[space], share, assignees, now):
                    copy.write(chunk)
                    written += chunk.count("\n")
                    if written % 1_000_000 < 20_000:
                        print(f"  {written:,} violations copied "
                              f"({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        print(f"copied {count:,} violations in {time.perf_counter() - started:.0f} s",
              flush=True)
        started = time.perf_counter()
        for name, definition in indexes:
            cursor.execute(definition)
            print(f"  built {name} ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("VACUUM ANALYZE quality_violations")
    print(f"built the indexes and analysed in {time.perf_counter() - started:.0f} s",
          flush=True)
    started = time.perf_counter()
    _seed_checks(contracts, now)
    _count(list(contracts))
    print(f"seeded the checks and counted the violations in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password="bench-password",
        is_staff=True,
    )


def _contracts(space, prefix, names):
    from contracts.models import DataContract

    return [
        DataContract.objects.create(space=space, name=f"{prefix}_contract_{number:02d}",
                                    version=version, status=status)
        for number in range(names)
        for version, status in (("1.0.0", "deprecated"), ("2.0.0", "active"))
    ]


def _drop_secondary_indexes(cursor):
    """Drop the table's indexes but its primary key; returns their definitions to rebuild."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'quality_violations' "
        "AND indexname NOT LIKE '%%pkey'"
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return indexes


def _violation_rows(space, contracts, count, assignees, now):
    """TSV chunks of `count` violations of `space`: one check a day per contract, newest
    contracts checked most (their 2.0.0 version took over half-way through)."""
    randomness = random.Random(f"{space.slug}")
    recent = _weighted(RECENT_STATUSES)
    old = _weighted(OLD_STATUSES)
    checks = [(contract, day) for contract in contracts for day in range(DAYS)]
    per_check = count // len(checks)
    extra = count - per_check * len(checks)
    space_id = str(space.pk)
    buffer = io.StringIO()
    number = 0
    for index, (contract, day) in enumerate(checks):
        checked = now - timedelta(days=day, hours=(index % 7))
        checked_text = checked.isoformat()
        resolved_text = (checked + timedelta(hours=5)).isoformat()
        statuses = recent if day < 7 else old
        contract_id = str(contract.pk)
        for _ in range(per_check + (1 if index < extra else 0)):
            number += 1
            status = statuses[randomness.randrange(100)]
            field = FIELDS[number % len(FIELDS)]
            kind = number % len(ERROR_TYPES)
            closed = status in ("resolved", "ignored")
            assignee = (str(assignees[number % len(assignees)].pk)
                        if status == "assigned" else "\\N")
            buffer.write("\t".join((
                str(uuid.UUID(int=randomness.getrandbits(128), version=4)), "user",
                contract.version, contract_id, space_id, f"{space.slug}_rec_{number}",
                f'{{"id": {number}, "{field}": null}}', field, ERROR_TYPES[kind],
                f"{field} failed {RULES[kind]} in record {number}",
                SEVERITIES[number % len(SEVERITIES)], status,
                ("medium", "high", "low", "urgent")[number % 4], RULES[kind], assignee,
                checked_text, resolved_text if closed else "\\N",
                "steward" if closed else "\\N", "fixed_at_source" if closed else "\\N",
                "t", checked_text, checked_text,
            )))
            buffer.write("\n")
            if number % 20_000 == 0:
                yield buffer.getvalue()
                buffer = io.StringIO()
    yield buffer.getvalue()


def _weighted(weights):
    return [status for status, weight in weights for _ in range(weight)]


def _seed_checks(contracts, now):
    from django_scopes import scopes_disabled

    from quality.models import QualityMetric

    metrics = []
    for contract_list in contracts.values():
        for index, contract in enumerate(contract_list):
            for day in range(DAYS):
                score = 60 + (index * 7 + day * 3) % 40
                metrics.append(QualityMetric(
                    schema_id="user", schema_version=contract.version, data_contract=contract,
                    space_id=contract.space_id, overall_score=score, violation_rate=0.1,
                    completeness=0.99, accuracy=0.9, record_count=50_000, valid_count=45_000,
                    invalid_count=5_000, violation_count=2_500,
                    field_scores={field: (score + position * 5) % 100
                                  for position, field in enumerate(FIELDS)},
                    threshold_breaches=[], passed="true" if score >= 80 else "false",
                    check_timestamp=now - timedelta(days=day, hours=(index % 7)),
                    created_by="quality-check",
                ))
    with scopes_disabled():
        QualityMetric.objects.bulk_create(metrics, batch_size=2_000)


def _count(spaces):
    from quality.services.violation_counts import violation_counts_rebuild
    from tenancy.scoping import space_scope

    for space in spaces:
        with space_scope(space):
            violation_counts_rebuild(space_ids=[space.pk])


# The timing


def _time_pages(requests, *, explain, all_pages):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from contracts.models import DataContract
    from quality.models import ViolationCount

    with scopes_disabled():
        steward = get_user_model().objects.get(username="steward")
        contract = DataContract.objects.filter(space__slug="flights").order_by("name",
                                                                                "version").last()
        total = sum(ViolationCount.objects.values_list("count", flat=True))
        in_space = sum(ViolationCount.objects.filter(space__slug="flights")
                       .values_list("count", flat=True))
    client = Client()
    client.force_login(steward)
    changelist = reverse("admin:quality_qualityviolation_changelist")
    by_contract = f"data_contract__id__exact={contract.pk}"
    # (kind, name, url, whether the brief sets its target): the others are measured with
    # --all-pages, against the list's 300 ms, to show where the lists stand beyond it.
    pages = [
        ("list", "violations, unfiltered", changelist, True),
        ("list", "violations, contract + open", f"{changelist}?{by_contract}&status=open",
         True),
        ("contract", "contract page + quality panel",
         reverse("admin:contracts_datacontract_change", args=[contract.pk]), True),
        ("dashboard", "dashboard (admin index)", reverse("admin:index"), True),
        ("list", "violations, contract + needs work",
         f"{changelist}?{by_contract}&status=unresolved", False),
        ("list", "violations, contract", f"{changelist}?{by_contract}", False),
        ("list", "violations, resolved", f"{changelist}?status=resolved", False),
        ("list", "violations, critical, needs work",
         f"{changelist}?severity__exact=critical&status=unresolved", False),
        ("list", "violations, page 100", f"{changelist}?p=100", False),
        ("list", "violations, page 200 (the last offered)", f"{changelist}?p=200", False),
        ("list", "violations, assigned to me", f"{changelist}?assignee=me&status=assigned",
         False),
        ("list", "contracts list", reverse("admin:contracts_datacontract_changelist"), False),
        ("list", "violations, sorted by severity", f"{changelist}?o=6", False),
        ("list", "violations, record search", f"{changelist}?q=flights_rec_12345", False),
        ("list", "incidents", reverse("admin:quality_qualityviolation_incidents"), False),
        ("list", "my work", reverse("admin:quality_qualityviolation_my_work"), False),
    ]
    if not all_pages:
        pages = [page for page in pages if page[3]]
    with os.popen("uptime") as uptime:
        load = uptime.read().strip()
    print(f"\nPostgreSQL {connection.pg_version // 10000}, {total:,} violations "
          f"({in_space:,} in the steward's space), {requests} timed requests per page after "
          f"one warm-up, signed in as a steward (not a superuser)\nuptime: {load}\n")
    print(f"{'page':<40} {'median':>9} {'p95':>9} {'target':>7}  what it shows")
    failures = 0
    for kind, name, url, has_target in pages:
        response = client.get(url)  # warm-up
        _check(response, name)
        durations = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            durations.append((time.perf_counter() - started) * 1000)
            _check(response, name)
        durations.sort()
        median = statistics.median(durations)
        p95 = durations[min(len(durations) - 1, round(0.95 * (len(durations) - 1)))]
        target = TARGETS_MS[kind]
        failures += has_target and median >= target
        verdict = "ok  " if median < target else ("SLOW" if has_target else "over")
        print(f"{name:<40} {median:7.1f}ms {p95:7.1f}ms {target:5d}ms  "
              f"{verdict} {_shown(response, kind)}", flush=True)
        _slowest_statements(client, url, explain=explain)
    with os.popen("uptime") as uptime:
        print(f"\nuptime: {uptime.read().strip()}")
    print("every median is under its target" if not failures
          else f"{failures} page(s) NOT under their target")


def _slowest_statements(client, url, *, explain):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    statements = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))
    print(f"    {len(statements)} statements; slowest: " + "; ".join(
        f"{float(query['time']) * 1000:.0f} ms" for query in statements[:3]))
    if not explain:
        return
    for query in statements[:3]:
        if not query["sql"].startswith("SELECT"):
            continue
        print(f"    -- {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            for (line,) in cursor.fetchall():
                print(f"       {line}")


def _shown(response, kind):
    content = response.content.decode()
    if kind != "list":
        return f"{len(content) // 1024} KB of HTML"
    rows = content.count('name="_selected_action"')
    counted = re.search(r'<p class="paginator">.*?((?:about )?\d+ quality violations)', content,
                        re.DOTALL)
    return f"{rows} rows, states {counted.group(1) if counted else '?'}"


def _check(response, name):
    if response.status_code != 200:
        raise SystemExit(f"{name}: HTTP {response.status_code}")


if __name__ == "__main__":
    sys.exit(main())
