#!/usr/bin/env python3
"""Load on the HTTP API: gunicorn on PostgreSQL, driven by `wrk` on loopback.

    .venv/bin/python bench/api_load.py [--duration 30] [--connections 32] [--workers N]
        [--timeout 10] [--database pycharter_bench_api] [--server postgres://postgres@127.0.0.1:5432]

1. (Re)creates the database, migrates it, and seeds one space with 50 contracts,
   10,000 violations and 500 metrics (plus another organization's space), and an
   API token of that space.
2. Serves the site with gunicorn (DEBUG off, `pycharter_site/gunicorn.conf.py`; `--workers`
   overrides its number of workers) on 127.0.0.1, then runs wrk for `--duration` seconds at
   `--connections` connections against: the contracts list, the violations list (first
   cursor page), and POST quality results.
3. Prints requests/s, p50, p99 and errors (socket errors + non-2xx) of each, the CPU one
   request cost the site and PostgreSQL, and whether the GETs stay under 250 ms at p99
   with no errors.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from wrk_load import (
    REPORT_LUA,
    gunicorn,
    load_arguments,
    load_average,
    manage,
    measured_rows,
    psql,
    recreate_database,
    report,
)

P99_BUDGET_MILLISECONDS = 250
PORT = 8765


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

def main():
    options = load_arguments(__doc__.splitlines()[0], database="pycharter_bench_api")

    environment = {
        **os.environ, "DATABASE_URL": f"{options.server}/{options.database}", "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "PYCHARTER_API_TOKEN_RATE": "100000000/minute",
        "DJANGO_SETTINGS_MODULE": "pycharter_site.settings",
    }
    recreate_database(options.server, options.database)
    manage(["migrate", "-v", "0"], environment)
    seeded = manage(["shell", "-c", "import json\n" + SEED], environment, capture=True)
    seed = json.loads(seeded.strip().splitlines()[-1])
    # Fresh statistics, as autovacuum keeps them on a live site: plans for 10,000 rows.
    psql(options.server, options.database, "ANALYZE")

    base = f"http://127.0.0.1:{PORT}"
    result = json.dumps({"contract": seed["contract"], "passed": True, "source": "bench",
                         "metric": {"overall_score": 99.0, "record_count": 100},
                         "violations": []})
    with tempfile.TemporaryDirectory() as folder, \
            gunicorn(environment, port=PORT, workers=options.workers,
                     ready_path="/api/schema/") as server:
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
        print(f"{options.connections} connections, {options.duration} s each, gunicorn "
              f"{options.workers or 'default'} workers, {os.cpu_count()} cores, load average "
              f"{load_average()} before")
        rows = measured_rows(runs, gunicorn_process=server, options=options)
    return report(rows, budget_milliseconds=P99_BUDGET_MILLISECONDS, what="GETs")


if __name__ == "__main__":
    sys.exit(main())
