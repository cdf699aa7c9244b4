#!/usr/bin/env python3
"""How fast the stewards' violations list answers over a million violations, on PostgreSQL.

    .venv/bin/python bench/admin_violations_list.py [--violations 1000000] [--requests 15]
        [--database pycharter_bench_admin] [--server postgres://postgres@127.0.0.1:5432]
        [--reuse]

1. (Re)creates the PostgreSQL database ``--database`` on ``--server`` and migrates it
   (``--reuse`` keeps a database already seeded with the same number of violations).
2. Seeds two organizations: the steward's space holds 90% of the violations over ten
   contracts, another organization's space the rest; statuses, severities, fields and
   check times spread as a busy pipeline would leave them. The violations are written
   by one ``INSERT ... SELECT generate_series`` through the real triggers and indexes,
   then the table is analysed.
3. Signs in as the steward with Django's test Client (the whole middleware stack, DEBUG
   off) and times the admin changelist unfiltered, filtered by contract, and by contract
   and status: one warm-up request each, then ``--requests`` timed requests, and prints
   the medians.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
CONTRACTS_IN_STEWARDS_SPACE = 10
CONTRACTS_ELSEWHERE = 2
BUDGET_MILLISECONDS = 300

SEED_VIOLATIONS_SQL = """
INSERT INTO quality_violations (
    id, schema_id, schema_version, data_contract_id, record_identifier, record_data,
    field_name, error_type, error_message, severity, status, assignee_id, rule,
    check_timestamp, resolved_at, resolved_by, resolution_reason
)
SELECT
    gen_random_uuid(),
    'user',
    '1.0.0',
    CASE WHEN n %% 100 < 90
        THEN (%(steward_contracts)s::uuid[])[1 + n %% %(steward_contract_count)s]
        ELSE (%(other_contracts)s::uuid[])[1 + n %% %(other_contract_count)s]
    END,
    'user_' || n,
    jsonb_build_object('user_id', n::text, 'age', -(n %% 90),
                       'email', 'user' || n || '@example.com'),
    (ARRAY['age', 'email', 'user_id', 'country', 'signup_date', 'score', 'plan',
           'phone'])[1 + n %% 8],
    (ARRAY['validation_error', 'type_error', 'missing_field'])[1 + n %% 3],
    'age must be greater than or equal to 0',
    (ARRAY['critical', 'warning', 'warning', 'info', 'info'])[1 + n %% 5],
    status,
    CASE WHEN status = 'assigned' THEN (%(assignees)s::int[])[1 + n %% %(assignee_count)s] END,
    (ARRAY['greater_than_or_equal_to', 'format', 'required', 'max_length'])[1 + n %% 4],
    checked_at,
    CASE WHEN status IN ('resolved', 'ignored') THEN checked_at + interval '1 hour' END,
    CASE WHEN status IN ('resolved', 'ignored') THEN 'steward' END,
    CASE WHEN status IN ('resolved', 'ignored') THEN 'fixed_at_source' END
FROM (
    SELECT
        n,
        (ARRAY['open', 'open', 'open', 'open', 'open', 'open', 'open', 'open', 'open', 'open',
               'open', 'open', 'open', 'open', 'acknowledged', 'acknowledged', 'assigned',
               'resolved', 'resolved', 'ignored'])[1 + (n / 7) %% 20] AS status,
        now() - (n / 450) * interval '10 minutes' AS checked_at
    FROM generate_series(1, %(count)s) AS n
) AS generated
"""


def main() -> int:
    arguments = _arguments()
    server = arguments.server.rstrip("/")
    os.environ.update(
        DATABASE_URL=f"{server}/{arguments.database}",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
    )
    sys.path.insert(0, str(REPOSITORY))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pycharter_site.settings")

    reuse = arguments.reuse and _seeded_count(server, arguments.database) == arguments.violations
    if not reuse:
        _recreate_database(server, arguments.database)

    import django

    django.setup()
    from django.core.management import call_command

    print(f"migrating {arguments.database}", flush=True)
    call_command("migrate", verbosity=0)  # a reused database may predate newer migrations
    if not reuse:
        started = time.perf_counter()
        _seed(arguments.violations)
        print(f"seeded {arguments.violations:,} violations in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    _time_the_list(arguments.requests)
    return 0


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--violations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--database", default="pycharter_bench_admin")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database when it already holds that many violations")
    return parser.parse_args()


def _administration_connection(server):
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True)


def _seeded_count(server, database):
    import psycopg

    try:
        with psycopg.connect(f"{server}/{database}") as connection:
            return connection.execute(
                "SELECT count(*) FROM pycharter.quality_violations"
            ).fetchone()[0]
    except psycopg.Error:
        return None


def _recreate_database(server, database):
    from psycopg import sql

    print(f"creating database {database}", flush=True)
    with _administration_connection(server) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(database)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def _seed(count):
    from django.db import connection
    from django_scopes import scopes_disabled

    from contracts.models import DataContract
    from tenancy.models import Membership, Organization, Role, Space

    with scopes_disabled():
        airline = Organization.objects.create(name="Skyline Air", slug="skyline")
        flights = Space.objects.create(organization=airline, name="Flights", slug="flights")
        other = Organization.objects.create(name="Northwind", slug="northwind")
        elsewhere = Space.objects.create(organization=other, name="Retail", slug="retail")
        steward = _user("steward")
        Membership.objects.create(space=flights, user=steward, role=Role.STEWARD)
        assignees = [steward]
        for name in ("priya", "tomas", "amara"):
            assignees.append(_user(name))
            Membership.objects.create(space=flights, user=assignees[-1], role=Role.STEWARD)
        steward_contracts = [
            DataContract.objects.create(space=flights, name=f"flight_contract_{number}",
                                        version="1.0.0", status="active")
            for number in range(CONTRACTS_IN_STEWARDS_SPACE)
        ]
        other_contracts = [
            DataContract.objects.create(space=elsewhere, name=f"retail_contract_{number}",
                                        version="1.0.0", status="active")
            for number in range(CONTRACTS_ELSEWHERE)
        ]
    parameters = {
        "count": count,
        "steward_contracts": [str(contract.pk) for contract in steward_contracts],
        "steward_contract_count": len(steward_contracts),
        "other_contracts": [str(contract.pk) for contract in other_contracts],
        "other_contract_count": len(other_contracts),
        "assignees": [user.pk for user in assignees],
        "assignee_count": len(assignees),
    }
    with connection.cursor() as cursor:
        cursor.execute(SEED_VIOLATIONS_SQL, parameters)
        cursor.execute("VACUUM ANALYZE quality_violations")


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password="bench-password",
        is_staff=True,
    )


def _time_the_list(requests):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from contracts.models import DataContract

    with scopes_disabled():
        steward = get_user_model().objects.get(username="steward")
        contract = DataContract.objects.filter(space__slug="flights").order_by("name").first()
        total = _count_violations()
    client = Client()
    client.force_login(steward)
    changelist = reverse("admin:quality_qualityviolation_changelist")
    cases = [
        ("unfiltered", changelist),
        ("by contract", f"{changelist}?data_contract__id__exact={contract.pk}"),
        ("by contract and status", f"{changelist}?data_contract__id__exact={contract.pk}"
                                   f"&status=open"),
    ]
    print(f"PostgreSQL {connection.pg_version // 10000}, {total:,} violations, "
          f"{requests} timed requests per list after one warm-up, signed in as a steward")
    results = []
    for name, url in cases:
        response = client.get(url)  # warm-up
        _check(response, name)
        durations = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            durations.append((time.perf_counter() - started) * 1000)
            _check(response, name)
        median = statistics.median(durations)
        results.append(median)
        print(f"{name:<24} median {median:7.1f} ms   min {min(durations):7.1f} ms   "
              f"max {max(durations):7.1f} ms   {_shown(response)}")
    verdict = "under" if max(results) < BUDGET_MILLISECONDS else "NOT under"
    print(f"every median is {verdict} {BUDGET_MILLISECONDS} ms")


def _count_violations():
    from quality.models import QualityViolation

    return QualityViolation.objects.count()


def _shown(response):
    """What the page says: rows listed and the count under the list."""
    content = response.content.decode()
    rows = content.count('name="_selected_action"')
    counted = re.search(r'<p class="paginator">.*?((?:about )?\d+ quality violations)', content,
                        re.DOTALL)
    return f"rows shown {rows}, count shown: {counted.group(1) if counted else '?'}"


def _check(response, name):
    if response.status_code != 200:
        raise SystemExit(f"{name}: HTTP {response.status_code}")


if __name__ == "__main__":
    sys.exit(main())
