#!/usr/bin/env python3
"""Load on the HTTP API: gunicorn on PostgreSQL, driven by `wrk` on loopback.

    .venv/bin/python bench/api_load.py [--duration 30] [--connections 32] [--workers 4]
        [--database pycharter_bench_api] [--server postgres://postgres@127.0.0.1:5432]

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
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
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


def wrk(url, script, duration, connections):
    output = subprocess.run(
        ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{duration}s",
         "-s", script, url], capture_output=True, text=True, check=True,
    ).stdout
    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = (sum(map(int, socket.groups())) if socket else 0) + (
        int(non_2xx.group(1)) if non_2xx else 0)
    return requests, _milliseconds(percentiles["50"]), _milliseconds(percentiles["99"]), errors


def _milliseconds(text):
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
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
            get_script.write_text(GET_LUA % seed["secret"])
            post_script = Path(folder, "post.lua")
            post_script.write_text(POST_LUA % (result, seed["secret"]))
            runs = [
                ("GET  /api/v1/contracts/", f"{base}/api/v1/contracts/", get_script, True),
                ("GET  /api/v1/quality/violations/", f"{base}/api/v1/quality/violations/",
                 get_script, True),
                ("POST /api/v1/quality/results/", f"{base}/api/v1/quality/results/",
                 post_script, False),
            ]
            within_budget = True
            print(f"{options.connections} connections, {options.duration} s each, "
                  f"gunicorn -w {options.workers}")
            print(f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
            for label, url, script, budgeted in runs:
                requests, p50, p99, errors = wrk(url, script, options.duration,
                                                 options.connections)
                print(f"{label:34} {requests:8.1f} {p50:8.1f} {p99:8.1f} {errors:7d}")
                if budgeted and (p99 >= P99_BUDGET_MILLISECONDS or errors):
                    within_budget = False
            print(f"GETs p99 < {P99_BUDGET_MILLISECONDS} ms with no errors: "
                  f"{'yes' if within_budget else 'NO'}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return 0 if within_budget else 1


if __name__ == "__main__":
    sys.exit(main())
