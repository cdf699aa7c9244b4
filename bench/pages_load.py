#!/usr/bin/env python3
"""Load on the steward admin: gunicorn on PostgreSQL with the demo data, driven by `wrk`.

    .venv/bin/python bench/pages_load.py [--duration 30] [--connections 32] [--workers N]
        [--timeout 10] [--database pycharter_bench_pages] [--server postgres://postgres@127.0.0.1:5432]

1. (Re)creates the database, migrates it, loads the demo data (`seed_demo`) and collects
   the static files (hashed, as in production).
2. Serves the site with gunicorn (DEBUG off, `pycharter_site/gunicorn.conf.py`; `--workers`
   overrides its number of workers) on 127.0.0.1 and signs in as the demo's steward through
   the sign-in page, as a browser does.
3. Runs wrk for `--duration` seconds at `--connections` connections, with that session's
   cookie, against the violations list and a contract's page, and prints requests/s, p50,
   p99 and errors (socket errors + non-2xx) of each, the CPU one request cost the site and
   PostgreSQL, and whether both stay under 500 ms at p99 with no errors.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import tempfile
import urllib.parse
from http.cookies import SimpleCookie
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

P99_BUDGET_MILLISECONDS = 500
PORT = 8766
STEWARD = "priya"
PASSWORD = "bench-only-demo-password"

# The steward's first contract, by name and version, as the contract list shows it.
CONTRACT = """
import json
from django.contrib.auth import get_user_model
from contracts.models import DataContract
from tenancy.scoping import user_scope
with user_scope(get_user_model().objects.get(username=%r)):
    contract = DataContract.objects.order_by("name", "-version").first()
    print(json.dumps({"id": str(contract.pk), "name": str(contract)}))
"""

COOKIE_LUA = """
wrk.headers["Cookie"] = "%s"
"""


def _cookies(response):
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or ():
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port, username, password):
    """The session cookie of a sign-in through the admin's sign-in page (CSRF token and all)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/admin/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username,
                                   "password": password, "next": "/admin/"})
    connection.request("POST", "/admin/login/", form, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
    })
    response = connection.getresponse()
    response.read()
    cookies.update(_cookies(response))
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Signing in as {username} failed ({response.status}).")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def main():
    options = load_arguments(__doc__.splitlines()[0], database="pycharter_bench_pages")

    with tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ, "DATABASE_URL": f"{options.server}/{options.database}",
            "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(Path(folder, "static")), "MEDIA_ROOT": str(Path(folder, "media")),
            "DJANGO_SETTINGS_MODULE": "pycharter_site.settings",
        }
        recreate_database(options.server, options.database)
        manage(["migrate", "-v", "0"], environment)
        manage(["seed_demo", "--password", PASSWORD], environment, capture=True)
        manage(["collectstatic", "--noinput", "-v", "0"], environment)
        psql(options.server, options.database, "ANALYZE")
        contract = json.loads(manage(["shell", "-c", CONTRACT % STEWARD], environment,
                                     capture=True).strip().splitlines()[-1])

        base = f"http://127.0.0.1:{PORT}"
        with gunicorn(environment, port=PORT, workers=options.workers) as server:
            script = Path(folder, "session.lua")
            script.write_text(COOKIE_LUA % sign_in(PORT, STEWARD, PASSWORD) + REPORT_LUA)
            pages = [
                ("violations list", f"{base}/admin/quality/qualityviolation/"),
                (f"contract page ({contract['name']})",
                 f"{base}/admin/contracts/datacontract/{contract['id']}/change/"),
            ]
            print(f"{options.connections} connections, {options.duration} s each, gunicorn "
                  f"{options.workers or 'default'} workers, {os.cpu_count()} cores, signed in "
                  f"as {STEWARD} (steward), load average {load_average()} before")
            rows = measured_rows([(label, url, script, True) for label, url in pages],
                                 gunicorn_process=server, options=options)
    return report(rows, budget_milliseconds=P99_BUDGET_MILLISECONDS, what="Pages")


if __name__ == "__main__":
    sys.exit(main())
