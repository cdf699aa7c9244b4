#!/usr/bin/env python3
"""Load on the HTTP API: gunicorn on PostgreSQL, driven by `wrk` on loopback.

    .venv/bin/python bench/api_load.py [--duration 30] [--connections 32] [--workers 4]
        [--timeout 10] [--database pycharter_bench_api] [--server postgres://postgres@127.0.0.1:5432]

1. (Re)creates the database, migrates it, and seeds one space with 50 contracts,
   10,000 violations and 500 metrics (plus another organization's space), and an
   API token of that space.
2. Serves the site with gunicorn (DEBUG off) on 127.0.0.1, then runs wrk for
   `--duration` seconds at `--connections` connections against: the contracts
   list, the violations list (first cursor page), and POST quality results.
3. Prints requests/s, p50, p99 and errors (socket errors + non-2xx) of each, and
   whether the GETs stay under 250 ms at p99 with no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
P99_BUDGET_MILLISECONDS = 250
PORT = 8765


def run(arguments, environment):
    subprocess.run(arguments, cwd=REPOSITORY, env=environment, check=True)


SEED = """
import datetime
from django.utils import timezone
from django_scopes import scopes_disabled
from tests.factories import (DataContractFactory, MembershipFactory, OrganizationFactory,
    QualityMetricFactory, QualityViolationFactory, SpaceFactory, SchemaFactory)
from quality.models import QualityViolation
from tenancy.tokens import api_token_create
with scopes_disabled():
    space = SpaceFactory(organization=OrganizationFactory(slug="bench"), slug="ops")
    other = SpaceFactory(organization=OrganizationFactory(slug="elsewhere"), slug="ops")
    steward = MembershipFactory(space=space, role="steward").user
    contracts = DataContractFactory.create_batch(50, space=space)
    for contract in contracts:
        contract.schema = SchemaFactory(data_contract=contract)
        contract.save()
    DataContractFactory.create_batch(10, space=other)
    now = timezone.now()
    QualityViolation.objects.bulk_create([
        QualityViolation(data_contract=contracts[n % 50], space=space, schema_id="user",
                         record_identifier=f"r{n}", field_name="age", error_type="minimum",
                         error_message="age < 0", severity="warning",
                         check_timestamp=now - datetime.timedelta(seconds=n))
        for n in range(10_000)], batch_size=2_000)
    for n in range(500):
        QualityMetricFactory(data_contract=contracts[n % 50])
    _, secret = api_token_create(space=space, name="bench", created_by=steward, can_write=True)
print(json.dumps({"secret": secret, "contract": str(contracts[0].pk)}))
"""

POST_LUA = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %s"
"""

GET_LUA = """
wrk.headers["Authorization"] = "Token %s"
"""

# wrk's own report rounds and changes units; its `done` hook hands over the raw figures
# (latencies in microseconds). Errors: sockets that failed or timed out, and non-2xx/3xx.
REPORT_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write("WRK-JSON ", string.format(
    '{"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}',
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout), "\\n")
end
"""


@dataclass(frozen=True)
class LoadRun:
    requests_per_second: float
    p50_milliseconds: float
    p99_milliseconds: float
    errors: int
    error_kinds: dict


def wrk(url, script, duration, connections, timeout_seconds):
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s",
         "--timeout", f"{timeout_seconds}s", "-s", script, url],
        capture_output=True, text=True, check=True,
    ).stdout
    return parse_report(output)


def parse_report(output):
    """The figures the `done` hook of REPORT_LUA printed into wrk's output."""
    line = next(line for line in output.splitlines() if line.startswith("WRK-JSON "))
    report = json.loads(line.removeprefix("WRK-JSON "))
    error_kinds = {kind: report[kind] for kind in ("connect", "read", "write", "status",
                                                   "timeout") if report[kind]}
    return LoadRun(
        requests_per_second=report["requests"] / report["seconds"],
        p50_milliseconds=report["p50_us"] / 1000,
        p99_milliseconds=report["p99_us"] / 1000,
        errors=sum(error_kinds.values()),
        error_kinds=error_kinds,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=10,
                        help="Seconds before wrk gives up on a response (counted as an error).")
    parser.add_argument("--database", default="pycharter_bench_api")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    options = parser.parse_args()

    environment = {
        **os.environ, "DATABASE_URL": f"{options.server}/{options.database}", "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "PYCHARTER_API_TOKEN_RATE": "100000000/minute",
        "CONN_MAX_AGE": "60", "DJANGO_SETTINGS_MODULE": "pycharter_site.settings",
    }
    subprocess.run(["psql", f"{options.server}/postgres", "-qc",
                    f"DROP DATABASE IF EXISTS {options.database}"], check=True)
    subprocess.run(["psql", f"{options.server}/postgres", "-qc",
                    f"CREATE DATABASE {options.database}"], check=True)
    run([PYTHON, "manage.py", "migrate", "-v", "0"], environment)
    seeded = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", "import json\n" + SEED], cwd=REPOSITORY,
        env=environment, capture_output=True, text=True, check=True,
    ).stdout
    seed = json.loads(seeded.strip().splitlines()[-1])
    # Fresh statistics, as autovacuum keeps them on a live site: plans for 10,000 rows.
    subprocess.run(["psql", f"{options.server}/{options.database}", "-qc", "ANALYZE"],
                   check=True)

    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "pycharter_site.wsgi", "-b", f"127.0.0.1:{PORT}",
         "-w", str(options.workers), "--log-level", "warning"],
        cwd=REPOSITORY, env=environment,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/schema/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        result = json.dumps({"contract": seed["contract"], "passed": True, "source": "bench",
                             "metric": {"overall_score": 99.0, "record_count": 100},
                             "violations": []})
        with tempfile.TemporaryDirectory() as folder:
            get_script = Path(folder, "get.lua")
            get_script.write_text(GET_LUA % seed["secret"] + REPORT_LUA)
            post_script = Path(folder, "post.lua")
            post_script.write_text(POST_LUA % (result, seed["secret"]) + REPORT_LUA)
            runs = [
                ("GET  /api/v1/contracts/", f"{base}/api/v1/contracts/", get_script, True),
                ("GET  /api/v1/quality/violations/", f"{base}/api/v1/quality/violations/",
                 get_script, True),
                ("POST /api/v1/quality/results/", f"{base}/api/v1/quality/results/",
                 post_script, False),
            ]
            within_budget = True
            print(f"{options.connections} connections, {options.duration} s each, "
                  f"gunicorn -w {options.workers}, {os.cpu_count()} cores, load average "
                  f"{' '.join(f'{load:.2f}' for load in os.getloadavg())} before")
            print(f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
            for label, url, script, budgeted in runs:
                measured = wrk(url, script, options.duration, options.connections,
                               options.timeout)
                kinds = ", ".join(f"{kind} {count}" for kind, count in
                                  measured.error_kinds.items())
                print(f"{label:34} {measured.requests_per_second:8.1f} "
                      f"{measured.p50_milliseconds:8.1f} {measured.p99_milliseconds:8.1f} "
                      f"{measured.errors:7d}{f'  ({kinds})' if kinds else ''}")
                if budgeted and (measured.p99_milliseconds >= P99_BUDGET_MILLISECONDS
                                 or measured.errors):
                    within_budget = False
            print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
            print(f"GETs p99 < {P99_BUDGET_MILLISECONDS} ms with no errors: "
                  f"{'yes' if within_budget else 'NO'}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return 0 if within_budget else 1


if __name__ == "__main__":
    sys.exit(main())
